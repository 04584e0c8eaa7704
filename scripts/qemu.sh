#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# QEMU: fetch the pinned Debian source package, apply Debian's patches and
# then patches/qemu/*.patch, and build a trimmed qemu-system-aarch64.
. "$(dirname "$0")/lib.sh"

fetch() {
	local dir=$CACHE/dl/qemu-$QEMU_DEB_VERSION
	if ! ls "$dir"/*.dsc >/dev/null 2>&1; then
		stage "fetching Debian qemu $QEMU_DEB_VERSION source" >&2
		mkdir -p "$dir" "$CACHE/logs"
		(cd "$dir" && apt-get source --download-only "qemu=$QEMU_DEB_VERSION" \
			>"$CACHE/logs/qemu-fetch.log" 2>&1) || {
			rm -rf "$dir"
			die "Debian qemu source $QEMU_DEB_VERSION is not in the archive
       ('apt-cache showsrc qemu | grep ^Version' lists the versions there).
       Pick one and override: make test QEMU_DEB_VERSION=<version>"
		}
	fi
	echo "$dir"
}

unpack() {
	local want dir p
	want="$QEMU_DEB_VERSION $(patches_sha "$TOP/patches/qemu")"
	[ -f "$QSRC/.smmu-stamp" ] && [ "$(cat "$QSRC/.smmu-stamp")" = "$want" ] && return 0
	dir=$(fetch)
	stage "unpacking Debian qemu $QEMU_DEB_VERSION and applying patches/qemu"
	rm -rf "$QSRC"
	logged "$BUILD/logs/qemu-unpack.log" \
		dpkg-source --no-check -x "$dir"/*.dsc "$QSRC"
	for p in "$TOP"/patches/qemu/*.patch; do
		[ -e "$p" ] || break
		patch -d "$QSRC" -p1 -s --no-backup-if-mismatch <"$p" ||
			die "patches/qemu/$(basename "$p") does not apply"
	done
	echo "$want" >"$QSRC/.smmu-stamp"
}

build() {
	unpack
	if [ ! -f "$QOBJ/build.ninja" ] ||
	   [ "$(cat "$QOBJ/.smmu-stamp" 2>/dev/null)" != "$(cat "$QSRC/.smmu-stamp")" ]; then
		stage "configuring qemu-system-aarch64"
		rm -rf "$QOBJ"
		mkdir -p "$QOBJ"
		# Only the virt board; Kconfig defaults still bring the SMMUv3,
		# edu and vfio-pci.
		echo "CONFIG_ARM_VIRT=y" >"$QSRC/configs/devices/aarch64-softmmu/smmu-httu.mak"
		# configure word-splits CC, so ccache goes in front of gcc.
		(cd "$QOBJ" && CC="ccache gcc" logged "$BUILD/logs/qemu-configure.log" \
			"$QSRC/configure" --target-list=aarch64-softmmu \
			--without-default-features --enable-fdt=system \
			--with-devices-aarch64=smmu-httu \
			--disable-docs --disable-tools --disable-guest-agent \
			--disable-debug-info --disable-werror)
		cp "$QSRC/.smmu-stamp" "$QOBJ/.smmu-stamp"
	fi
	stage "building qemu-system-aarch64 (log: build/logs/qemu.log)"
	logged "$BUILD/logs/qemu.log" ninja -C "$QOBJ" -j"$JOBS" qemu-system-aarch64
}

case ${1:-build} in
unpack) unpack ;;
build) build ;;
*) die "usage: $0 unpack|build" ;;
esac
