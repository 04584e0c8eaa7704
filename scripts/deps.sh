#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the harness needs, when any is missing, and
# make sure apt knows the entries that 'apt-get source' and meson need.
. "$(dirname "$0")/lib.sh"

PKGS=(
	# kernel cross build and initramfs
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
	gcc libc6-dev rsync
	make bc flex bison libssl-dev libelf-dev cpio xz-utils ccache git
	python3 perl
	# QEMU from Debian's source package (meson >= 1.5: below)
	dpkg-dev ninja-build pkg-config libglib2.0-dev libpixman-1-dev
	libfdt-dev zlib1g-dev python3-venv
	# reports; checkpatch's spdxcheck.py
	gnuplot-nox python3-ply python3-git
	# the inner VMM's arm64 files for the real migration run
	mmdebstrap
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# QEMU's source comes from trixie (Debian 13) and QEMU 10 needs meson >=
# 1.5, which bookworm has only in bookworm-backports.  Both suites are added
# for what they give and nothing else: a deb-src entry for trixie, and
# bookworm-backports, whose packages apt never picks unless asked (-t).
SRC_LIST=/etc/apt/sources.list.d/smmu-httu-src.list
BPO_LIST=/etc/apt/sources.list.d/smmu-httu-backports.list
need_lists=0
grep -qs "^deb-src .* trixie main" "$SRC_LIST" || need_lists=1
grep -rqs "^deb .* bookworm-backports main\|^Suites:.*bookworm-backports" \
	/etc/apt/sources.list /etc/apt/sources.list.d/ || need_lists=1

need_meson=1
if dpkg-query -W -f='${Version}' meson 2>/dev/null | grep -q .; then
	dpkg --compare-versions "$(dpkg-query -W -f='${Version}' meson)" ge 1.5 && need_meson=0
fi

[ ${#missing[@]} -eq 0 ] && [ $need_lists -eq 0 ] && [ $need_meson -eq 0 ] && exit 0

command -v apt-get >/dev/null ||
	die "missing packages (${missing[*]} ${need_meson:+meson>=1.5}) and no apt-get: install them by hand"
[ "$(id -u)" -eq 0 ] ||
	die "missing packages (${missing[*]} ${need_meson:+meson>=1.5}): run as root, or install them with apt-get"

if [ $need_lists -eq 1 ]; then
	stage "adding apt entries: deb-src for bookworm and trixie, bookworm-backports"
	{
		echo "deb-src $MIRROR bookworm main"
		echo "deb-src ${MIRROR%/debian}/debian-security bookworm-security main"
		echo "deb-src $MIRROR trixie main"
	} >"$SRC_LIST"
	grep -rqs "^deb .* bookworm-backports main\|^Suites:.*bookworm-backports" \
		/etc/apt/sources.list /etc/apt/sources.list.d/ ||
		echo "deb $MIRROR bookworm-backports main" >"$BPO_LIST"
fi

stage "installing: ${missing[*]:-(none)}${need_meson:+ meson (bookworm-backports)}"
logged "$CACHE/logs/apt.log" apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive logged "$CACHE/logs/apt.log" \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ $need_meson -eq 1 ]; then
	DEBIAN_FRONTEND=noninteractive logged "$CACHE/logs/apt.log" \
		apt-get install -y -q --no-install-recommends -t bookworm-backports meson
fi
