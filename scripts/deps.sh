#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the harness needs, when any is missing, and
# make sure apt knows the deb-src entries that 'apt-get source' needs.
. "$(dirname "$0")/lib.sh"

PKGS=(
	# kernel cross build and initramfs
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
	gcc libc6-dev rsync
	make bc flex bison libssl-dev libelf-dev cpio xz-utils ccache git
	python3 perl
	# QEMU from Debian's source package
	dpkg-dev meson ninja-build pkg-config libglib2.0-dev libpixman-1-dev
	libfdt-dev zlib1g-dev
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

need_src=0
grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/ ||
	need_src=1

[ ${#missing[@]} -eq 0 ] && [ $need_src -eq 0 ] && exit 0

command -v apt-get >/dev/null ||
	die "missing packages (${missing[*]}) and no apt-get: install them by hand"
[ "$(id -u)" -eq 0 ] ||
	die "missing packages (${missing[*]}): run as root, or install them with apt-get"

if [ $need_src -eq 1 ]; then
	stage "adding deb-src entries for Debian's sources"
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
			>/etc/apt/sources.list.d/smmu-httu-src.sources
	elif [ -f /etc/apt/sources.list ]; then
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list \
			>/etc/apt/sources.list.d/smmu-httu-src.list
	else
		die "cannot find apt sources to derive deb-src entries from"
	fi
fi

stage "installing: ${missing[*]:-(none; refreshing package lists)}"
logged "$CACHE/logs/apt.log" apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive logged "$CACHE/logs/apt.log" \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
