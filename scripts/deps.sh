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
	# make test-loaded: the CPU hog
	stress-ng
	# the inner VMM's arm64 files for the real migration run
	mmdebstrap
	# static arm64 selftests: upstream's VFIO selftest library links
	# libuuid, the iommufd selftests libcap
	uuid-dev:arm64 libcap-dev:arm64
	# the project's QEMU cross-built for arm64, the inner VMM (qemu.sh
	# inner).  libfdt-dev is not co-installable across architectures:
	# the arm64 library only, the host's headers.
	libglib2.0-dev:arm64 zlib1g-dev:arm64 libfdt1:arm64
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# 'apt-get source' needs deb-src entries, QEMU's source comes from trixie
# (Debian 13), QEMU 10 needs meson >= 1.5, which bookworm has only in
# bookworm-backports, and the mainline kernel's source is the binary
# package linux-source-7.3 in trixie-backports.  One file adds what is
# missing and nothing else: deb-src for bookworm and trixie,
# bookworm-backports, whose packages apt never picks unless asked (-t),
# and trixie-backports, pinned (APT_PIN) so that apt takes nothing from it
# but linux-source-7.3.  It is written in the style of the
# system's own entries, with the same Signed-By, which apt requires to
# agree between entries for the same source.
APT_D=/etc/apt/sources.list.d
signed=$(cat "$APT_D"/*.sources 2>/dev/null | sed -n 's/^Signed-By: *//p' | head -n 1 || true)
if [ -n "$signed" ]; then
	APT_FILE=$APT_D/smmu-httu.sources
else
	APT_FILE=$APT_D/smmu-httu.list
fi
APT_PIN=/etc/apt/preferences.d/smmu-httu
need_lists=0
grep -qs "trixie-backports" "$APT_FILE" || need_lists=1
[ -f "$APT_PIN" ] || need_lists=1
# The arm64 libraries (uuid-dev:arm64) come from bookworm's arm64 indexes.
dpkg --print-foreign-architectures | grep -qx arm64 || need_lists=1

need_meson=1 meson_note=" meson>=1.5 (bookworm-backports)"
if dpkg-query -W -f='${Version}' meson 2>/dev/null | grep -q .; then
	if dpkg --compare-versions "$(dpkg-query -W -f='${Version}' meson)" ge 1.5; then
		need_meson=0 meson_note=""
	fi
fi

[ ${#missing[@]} -eq 0 ] && [ $need_lists -eq 0 ] && [ $need_meson -eq 0 ] && exit 0

command -v apt-get >/dev/null ||
	die "missing packages (${missing[*]}$meson_note) and no apt-get: install them by hand"
[ "$(id -u)" -eq 0 ] ||
	die "missing packages (${missing[*]}$meson_note): run as root, or install them with apt-get"

if [ $need_lists -eq 1 ]; then
	stage "adding apt entries ($APT_FILE): deb-src for bookworm and trixie, bookworm-backports, trixie-backports (pinned), arm64"
	dpkg --add-architecture arm64
	cat >"$APT_PIN" <<-EOF
		Package: *
		Pin: release n=trixie-backports
		Pin-Priority: -1

		Package: linux-source-7.3
		Pin: release n=trixie-backports
		Pin-Priority: 100
	EOF
	# Entries of earlier versions of this script
	rm -f "$APT_D"/smmu-httu-src.sources "$APT_D"/smmu-httu-src.list
	if [ -n "$signed" ]; then
		cat >"$APT_FILE" <<-EOF
			Types: deb-src
			URIs: $MIRROR
			Suites: bookworm bookworm-updates trixie
			Components: main
			Signed-By: $signed

			Types: deb-src
			URIs: ${MIRROR%/debian}/debian-security
			Suites: bookworm-security
			Components: main
			Signed-By: $signed

			Types: deb
			URIs: $MIRROR
			Suites: bookworm-backports trixie-backports
			Components: main
			Signed-By: $signed
		EOF
	else
		cat >"$APT_FILE" <<-EOF
			deb-src $MIRROR bookworm main
			deb-src $MIRROR bookworm-updates main
			deb-src $MIRROR trixie main
			deb-src ${MIRROR%/debian}/debian-security bookworm-security main
			deb $MIRROR bookworm-backports main
			deb $MIRROR trixie-backports main
		EOF
	fi
fi

stage "installing: ${missing[*]:-(none)}$meson_note"
logged "$CACHE/logs/apt.log" apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive logged "$CACHE/logs/apt.log" \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ $need_meson -eq 1 ]; then
	DEBIAN_FRONTEND=noninteractive logged "$CACHE/logs/apt.log" \
		apt-get install -y -q --no-install-recommends -t bookworm-backports meson
fi
