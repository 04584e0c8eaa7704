#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fresh-root.sh [COMMAND...]: run COMMAND (default: make test) the way a new
# user would, on a new minimal Debian 12 system.
#
# Makes a new root with mmdebstrap --variant=minbase holding only what the
# README says a person needs first (make, git, ca-certificates), and runs
# COMMAND in it as root, from the repository.  The root shares exactly three
# things with this machine: the repository (/src, results land in its out/),
# the harness's download and ccache cache (/cache), and apt's download cache
# (so that the package install does not download again).  Everything else,
# every package the harness needs included, the harness installs itself, so
# a package missing from scripts/deps.sh makes the run fail here.
#
# FRESH_ROOT (default build/fresh-root) is where the root is made; it is
# removed and made again on every run and left in place afterwards.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "fresh-root.sh makes a root filesystem and chroots: run it as root"
[ $# -gt 0 ] || set -- make test

ROOT=${FRESH_ROOT:-$BUILD/fresh-root}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What the README asks a person to have before the first command.
FIRST=make,git,ca-certificates

command -v mmdebstrap >/dev/null || {
	stage "installing mmdebstrap on this machine (it makes the root)"
	logged "$CACHE/logs/apt.log" apt-get update -q
	DEBIAN_FRONTEND=noninteractive logged "$CACHE/logs/apt.log" \
		apt-get install -y -q --no-install-recommends mmdebstrap
}

# mmdebstrap needs the root's parent to exist (a new clone has no build/).
mkdir -p "$CACHE/apt-archives/partial" "$CACHE/logs" "$(dirname "$ROOT")"
if [ -d "$ROOT" ]; then
	stage "removing the previous fresh root"
	# A run that was killed may have left its mounts behind.
	grep -F " $ROOT/" /proc/mounts | cut -d' ' -f2 | sort -r |
		xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf --one-file-system "$ROOT"
fi
stage "making a minimal Debian 12 root with mmdebstrap (log: $CACHE/logs/fresh-root.log)"
logged "$CACHE/logs/fresh-root.log" \
	mmdebstrap --variant=minbase --mode=root --format=directory \
	--include="$FIRST" --skip=download/empty --dpkgopt=force-unsafe-io \
	--setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
	--setup-hook="mount --bind '$CACHE/apt-archives' \"\$1/var/cache/apt/archives\"" \
	--customize-hook='umount "$1/var/cache/apt/archives"' \
	bookworm "$ROOT" \
	"deb $MIRROR bookworm main" \
	"deb $MIRROR bookworm-updates main" \
	"deb ${MIRROR%/debian}/debian-security bookworm-security main"
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
mkdir -p "$ROOT/src" "$ROOT/cache"
stage "the root has $(chroot "$ROOT" dpkg-query -W -f='.\n' | wc -l) packages; running '$*' in it"

# The harness's knobs reach the command; nothing else from this environment.
knobs=()
for v in KERNEL_DEB_VERSION LTS_KERNEL_DEB_VERSION QEMU_DEB_VERSION INNER_QEMU_DEB_VERSION DEBIAN_MIRROR \
	 GUEST_APPEND GUEST_TIMEOUT GUEST_MEM GUEST_HUGEPAGES VERBOSE JOBS BOOT_JOBS \
	 DEMO_ARGS NESTED_ARGS NESTED_TIMEOUT BENCH_MAX_MIB BENCH_SCALE_MIB \
	 STRESS_SECONDS STRESS_SEED STRESS_TIMEOUT FUZZ_CALLS SUITE_TIMEOUT_SCALE BOOTS LOAD_CPUS MUTANTS MUTANT_STRESS_SECONDS; do
	[ -z "${!v+x}" ] || knobs+=("$v=${!v}")
done

# The mounts live in a private mount namespace: they go away with it.
rc=0
unshare --mount --propagation private -- bash -euc '
	root=$1 top=$2 cache=$3 nknobs=$4
	shift 4
	knobs=("${@:1:$nknobs}")
	shift "$nknobs"
	mount -t proc proc "$root/proc"
	mount --rbind /dev "$root/dev"
	mount -t sysfs sys "$root/sys"
	mount -t tmpfs tmp "$root/tmp"
	mount --bind "$top" "$root/src"
	mount --bind "$cache" "$root/cache"
	mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
	exec chroot "$root" /usr/bin/env -i \
		HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 TERM=dumb SMMU_HTTU_CACHE=/cache BUILD=/build OUT=/src/out \
		_SMMU_T0="$_SMMU_T0" "${knobs[@]}" \
		bash -c "cd /src && exec \"\$@\"" - "$@"
' - "$ROOT" "$TOP" "$CACHE" ${#knobs[@]} "${knobs[@]}" "$@" || rc=$?
stage "'$*' in the fresh root exited $rc (root: $ROOT; its /src/out is $TOP/out)"
exit $rc
