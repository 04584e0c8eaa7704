#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# QEMU: fetch the pinned Debian source package, apply Debian's patches and
# then patches/qemu/*.patch, and build a trimmed qemu-system-aarch64.
. "$(dirname "$0")/lib.sh"

# fetch: the Debian qemu source package, as "VERSION DIR".  The pinned
# version when the archive has it, else the newest of the same series.
fetch() {
	local v=$QEMU_DEB_VERSION dir
	dir=$CACHE/dl/qemu-$v
	ls "$dir"/*.dsc >/dev/null 2>&1 && { echo "$v $dir"; return; }
	mkdir -p "$CACHE/logs"
	stage "fetching Debian qemu $v source" >&2
	if ! get_source "$v" "$dir"; then
		apt_refresh
		v=$(newest_of "$(series_of "$v")" $(apt-cache showsrc qemu | sed -n 's/^Version: //p'))
		[ -n "$v" ] || die "no Debian qemu source $(series_of "$QEMU_DEB_VERSION") in the archive
       ('apt-cache showsrc qemu | grep ^Version' lists what is there)"
		fallback_note "the Debian qemu source" "$QEMU_DEB_VERSION" "$v"
		dir=$CACHE/dl/qemu-$v
		ls "$dir"/*.dsc >/dev/null 2>&1 || get_source "$v" "$dir" ||
			die "cannot download the Debian qemu source $v ($CACHE/logs/qemu-fetch.log)"
	fi
	echo "$v $dir"
}

get_source() {
	mkdir -p "$2"
	(cd "$2" && apt-get source --download-only "qemu=$1" \
		>"$CACHE/logs/qemu-fetch.log" 2>&1) && return 0
	rm -rf "$2"
	return 1
}

unpack() {
	local want dir p version
	want="$QEMU_DEB_VERSION $(patches_sha "$TOP/patches/qemu")"
	uptodate "$QSRC/.smmu-stamp" "$want" && return 0
	read -r version dir <<<"$(fetch)"
	stage "unpacking Debian qemu $version and applying patches/qemu"
	rm -rf "$QSRC"
	logged "$BUILD/logs/qemu-unpack.log" \
		dpkg-source --no-check -x "$dir"/*.dsc "$QSRC"
	for p in "$TOP"/patches/qemu/*.patch; do
		[ -e "$p" ] || break
		patch -d "$QSRC" -p1 -s --no-backup-if-mismatch <"$p" ||
			die "patches/qemu/$(basename "$p") does not apply"
	done
	echo "$version" >"$QSRC/.smmu-version"
	mark "$QSRC/.smmu-stamp" "$want"
}

build() {
	unpack
	if [ ! -f "$QOBJ/build.ninja" ] || ! uptodate "$QOBJ/.smmu-stamp" "$(cat "$QSRC/.smmu-stamp")"; then
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
