#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# QEMU: the pinned Debian source package (Debian's patches applied) as a git
# tree whose first commit is the pristine base (tag "base"), patches/qemu
# applied on top, and a trimmed qemu-system-aarch64 built from it.
#
#   qemu.sh tree     build/qemu: unpack and apply the series (once; keeps
#                    local commits, like the kernel tree)
#   qemu.sh build    tree, then configure and build
#   qemu.sh inner    tree, then cross-build qemu-system-aarch64 for arm64
#                    (KVM only), the inner VMM of the real migration run
#   qemu.sh export   build/qemu's commits -> the postings of patches/qemu/INDEX
#                    (format-patch --cover-letter, one directory each)
#   qemu.sh check    QEMU's scripts/checkpatch.pl on every patch
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

tree() {
	series_ready "$QSRC" "$TOP/patches/qemu" "$QEMU_DEB_VERSION" && return 0
	local dir version out
	out=$(fetch) || exit 1
	read -r version dir <<<"$out"
	stage "unpacking Debian qemu $version"
	rm -rf "$QSRC"
	mkdir -p "$BUILD/logs"
	logged "$BUILD/logs/qemu-unpack.log" \
		dpkg-source --no-check -x "$dir"/*.dsc "$QSRC"
	base_commit "$QSRC" qemu "$version" "$QEMU_DEB_VERSION"
	stage "applying patches/qemu"
	apply_series "$QSRC" "$TOP/patches/qemu"
}

# configure_and_build OBJ KEY NAME LOG CC CONFIGURE-OPTIONS...: configure in OBJ
# once per source version and KEY (ninja follows source changes, and re-runs
# meson, by itself), then build qemu-system-aarch64.  Only what the boots
# use: --without-default-devices turns off every board and device that
# Kconfig would enable by default (otherwise the 40 default boards and
# SoCs of hw/arm/Kconfig are built, 360 devices in all with 10.0.13),
# and the devices file names the virt board (which selects the SMMUv3),
# edu, and vfio-pci with iommufd for the inner VMM (built in both, so that
# the QEMU series compiles in the host build too); the host build adds
# igb (the igb boot's second device model), in a devices file of its own
# (DEVICES: the file's name, then its devices).  igb's objects call into
# e1000x_common.c, which hw/net/meson.build builds only for e1000 and
# e1000e (igb's Kconfig entry does not select either): e1000e comes too.
# The devices files stay untracked in the tree.  configure
# word-splits CC, so ccache goes in front of the compiler.  Debian's
# python3 is the one that has Debian's meson.  Debian's tarball has no
# firmware blobs: none is installed.
configure_and_build() {
	local obj=$1 key="$(git -C "$QSRC" config smmu.version) $2" name=$3 log=$4 cc=$5
	local dname=${DEVICES:?configure_and_build needs DEVICES}
	dname=${dname%% *}
	local devices=$QSRC/configs/devices/aarch64-softmmu/$dname.mak
	shift 5
	# Written on every build (a new tree has none), but only when it
	# changes: a new mtime would have ninja reconfigure and rebuild.
	printf 'CONFIG_%s=y\n' ${DEVICES#* } >"$devices.new"
	if cmp -s "$devices.new" "$devices"; then
		rm "$devices.new"
	else
		mv "$devices.new" "$devices"
	fi
	if [ ! -f "$obj/build.ninja" ] || ! uptodate "$obj/.smmu-configured" "$key"; then
		stage "configuring $name"
		rm -rf "$obj"
		mkdir -p "$obj"
		(cd "$obj" && CC="$cc" logged "$BUILD/logs/$log-configure.log" \
			"$QSRC/configure" --target-list=aarch64-softmmu "$@" \
			--without-default-features --enable-fdt=system \
			--python=/usr/bin/python3 --with-devices-aarch64="$dname" \
			--without-default-devices --disable-download \
			--disable-docs --disable-tools --disable-guest-agent \
			--disable-debug-info --disable-werror --disable-install-blobs)
		mark "$obj/.smmu-configured" "$key"
	fi
	stage "building $name (log: build/logs/$log.log)"
	logged "$BUILD/logs/$log.log" ninja -C "$obj" -j"$JOBS" qemu-system-aarch64
}

build() {
	tree
	DEVICES="smmu-httu-host ARM_VIRT EDU VFIO_PCI IOMMUFD IGB_PCI_EXPRESS E1000E_PCI_EXPRESS" \
		configure_and_build "$QOBJ" options-v5 qemu-system-aarch64 qemu "ccache gcc"
}

# The inner VMM: the same tree cross-built for arm64 against Debian's arm64
# libraries (multiarch: libglib2.0-dev:arm64, zlib1g-dev:arm64), KVM only
# and only the virt board, as QEMU's own cross-arm64-kvm-only CI job builds
# it.  libfdt-dev cannot be installed for two architectures at once: the
# arm64 library (libfdt1:arm64) is linked through a private libfdt.so, with
# the architecture-independent headers of the host's libfdt-dev.
inner() {
	local lib=$BUILD/qemu-inner-lib
	tree
	mkdir -p "$lib"
	ln -sf /usr/lib/aarch64-linux-gnu/libfdt.so.1 "$lib/libfdt.so"
	DEVICES="smmu-httu ARM_VIRT EDU VFIO_PCI IOMMUFD" \
		configure_and_build "$QINNER" inner-v2 "the inner VMM (qemu-system-aarch64 for arm64)" \
		qemu-inner "ccache ${CROSS}gcc" --cross-prefix="$CROSS" --disable-tcg --enable-kvm \
		--extra-ldflags="-L$lib"
}

export_series() {
	[ -d "$QSRC/.git" ] || die "no QEMU tree: run 'make qemu-tree' first"
	[ -z "$(git -C "$QSRC" status --porcelain --untracked-files=no)" ] ||
		die "build/qemu has uncommitted changes: commit them first"
	local n
	n=$(git -C "$QSRC" rev-list --count "$BASE_TAG..HEAD")
	[ "$n" -gt 0 ] || die "no commits on top of the base"
	[ -f "$TOP/patches/qemu/INDEX" ] || die "no patches/qemu/INDEX (patches/README)"
	export_postings "$QSRC" "$TOP/patches/qemu"
	git -C "$QSRC" config smmu.series "$(patches_sha "$TOP/patches/qemu")"
	git -C "$QSRC" config smmu.applied "$(git -C "$QSRC" rev-parse HEAD)"
	stage "exported $n patches to patches/qemu"
}

check() {
	local p bad=0
	tree
	for p in $(series_patches "$TOP/patches/qemu"); do
		if (cd "$QSRC" && ./scripts/checkpatch.pl -q --no-signoff "$p") >"$BUILD/logs/qemu-checkpatch.log" 2>&1; then
			echo "ok   qemu checkpatch $(basename "$p")"
		else
			echo "FAIL qemu checkpatch $(basename "$p")"
			sed 's/^/     /' "$BUILD/logs/qemu-checkpatch.log"
			bad=1
		fi
	done
	[ $bad -eq 0 ] || die "QEMU's checkpatch found problems (above)"
}

case ${1:-build} in
tree) tree ;;
build) build ;;
inner) inner ;;
export) export_series ;;
check) check ;;
*) die "usage: $0 tree|build|inner|export|check" ;;
esac
