#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The real-VMM migration run: QEMU 10 inside the emulated host.
#
#   nested.sh rootfs     Debian's inner VMM: qemu-system-aarch64 from
#                        bookworm-backports (arm64), the libraries it loads
#                        and busybox; made once with mmdebstrap, cached in
#                        $CACHE/inner-qemu-<version>
#   nested.sh initramfs  the host's (L1) initramfs: PID 1 and the run's
#                        script, the inner VMMs, and the nested guest (L2):
#                        the lean kernel and an initramfs with l2_stamp
#
# The inner VMMs are the project's QEMU (build/qemu with patches/qemu,
# cross-built by 'qemu.sh inner'), /usr/bin/qemu-system-aarch64, and
# Debian's unmodified binary, /usr/bin/qemu-system-aarch64-debian.  The
# project's build loads a subset of the libraries Debian's does, from the
# same release (bookworm, arm64), so the rootfs has them.
#
# Both kernels are the lean flavour (no KASAN/lockdep): L1 runs KVM under
# TCG, and L2 runs under L1's KVM.
. "$(dirname "$0")/lib.sh"

KERNEL_FLAVOUR=lean
KOBJ=$(kobj lean)
ROOTFS=$CACHE/inner-qemu-${INNER_QEMU_DEB_VERSION//[:~+]/_}
NOBJ=$BUILD/nested
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# lib_closure ROOT ELF...: every shared library the ELFs load, recursively,
# as paths under ROOT.  readelf reads arm64 ELF on any host; nothing runs.
lib_closure() {
	local root=$1 f lib dir
	shift
	local -A seen=()
	local todo=("$@")
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for lib in $(readelf -d "$f" 2>/dev/null |
			sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ -n "${seen[$lib]:-}" ] && continue
			for dir in usr/lib/aarch64-linux-gnu lib/aarch64-linux-gnu usr/lib lib; do
				if [ -e "$root/$dir/$lib" ]; then
					seen[$lib]=$dir/$lib
					todo+=("$root/$dir/$lib")
					break
				fi
			done
			[ -n "${seen[$lib]:-}" ] || die "$lib (needed by ${f#$root/}) is not in the rootfs"
		done
	done
	printf '%s\n' "${seen[@]}"
}

# extract PACKAGE[=VERSION] DIR: the arm64 package and its dependencies,
# unpacked.  The extract variant only unpacks: nothing runs in the arm64
# tree, so no binfmt emulation is needed.  Backports is the default release
# inside this tree only.
extract() {
	mkdir -p "$CACHE/logs"
	mmdebstrap --variant=extract --arch=arm64 --mode=root --format=directory \
		--aptopt='APT::Default-Release "bookworm-backports"' \
		--include="$1,busybox-static" \
		bookworm "$2" \
		"deb $MIRROR bookworm main" \
		"deb $MIRROR bookworm-updates main" \
		"deb $MIRROR bookworm-backports main" \
		"deb ${MIRROR%/debian}/debian-security bookworm-security main" \
		>"$CACHE/logs/mmdebstrap.log" 2>&1
}

rootfs() {
	[ -x "$ROOTFS/usr/bin/qemu-system-aarch64" ] && return 0
	command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (scripts/deps.sh installs it)"
	local tmp=$CACHE/inner-qemu.tmp lib version
	rm -rf "$tmp" "$ROOTFS.tmp"
	stage "fetching qemu-system-arm $INNER_QEMU_DEB_VERSION (arm64, bookworm-backports) with mmdebstrap"
	if ! extract "qemu-system-arm=$INNER_QEMU_DEB_VERSION" "$tmp"; then
		# Gone from backports: take what backports has, if it is
		# the same series.
		rm -rf "$tmp"
		extract qemu-system-arm "$tmp" ||
			die "mmdebstrap failed; log: $CACHE/logs/mmdebstrap.log"
	fi
	version=$(zcat "$tmp/usr/share/doc/qemu-system-arm/changelog.Debian.gz" |
		sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p')
	if [ "$version" != "$INNER_QEMU_DEB_VERSION" ]; then
		[ "$(series_of "$version")" = "$(series_of "$INNER_QEMU_DEB_VERSION")" ] ||
			die "bookworm-backports has qemu-system-arm $version, not $(series_of "$INNER_QEMU_DEB_VERSION"): set INNER_QEMU_DEB_VERSION"
		fallback_note "qemu-system-arm (arm64)" "$INNER_QEMU_DEB_VERSION" "$version"
	fi
	stage "trimming the inner VMM's tree to QEMU, its libraries and busybox"
	mkdir -p "$ROOTFS.tmp/usr/bin" "$ROOTFS.tmp/lib"
	cp -a "$tmp/usr/bin/qemu-system-aarch64" "$ROOTFS.tmp/usr/bin/"
	cp -a "$tmp/bin/busybox" "$ROOTFS.tmp/usr/bin/"
	cp -L "$tmp/lib/ld-linux-aarch64.so.1" "$ROOTFS.tmp/lib/"
	for lib in $(lib_closure "$tmp" "$tmp/usr/bin/qemu-system-aarch64"); do
		mkdir -p "$ROOTFS.tmp/$(dirname "$lib")"
		cp -L "$tmp/$lib" "$ROOTFS.tmp/$lib"
	done
	echo "$version" >"$ROOTFS.tmp/VERSION"
	rm -rf "$tmp"
	mv "$ROOTFS.tmp" "$ROOTFS"
	stage "inner VMM ready: $(du -sh "$ROOTFS" | cut -f1) in $ROOTFS"
}

initramfs() {
	local gobj=$BUILD/guest f d
	mkdir -p "$NOBJ"
	[ -f "$KOBJ/arch/arm64/boot/Image" ] || die "no lean kernel; run KERNEL_FLAVOUR=lean scripts/kernel.sh build"
	[ -x "$gobj/init" ] || die "no guest init; run scripts/initramfs.sh"
	[ -x "$QINNER/qemu-system-aarch64" ] || die "no inner VMM; run scripts/qemu.sh inner"
	stage "building the nested run's programs and initramfs"
	for f in l2_stamp qmp; do
		if [ ! "$NOBJ/$f" -nt "$TOP/guest/nested/$f.c" ]; then
			ccache "${CROSS}gcc" -static -O2 -Wall -Wextra -Wno-unused-result \
				-o "$NOBJ/$f" "$TOP/guest/nested/$f.c" ||
				die "guest/nested/$f.c does not build"
		fi
	done

	cat >"$NOBJ/l2.list" <<-EOF
		dir /dev 0755 0 0
		nod /dev/console 0600 0 0 c 5 1
		dir /proc 0755 0 0
		dir /sys 0755 0 0
		file /init $NOBJ/l2_stamp 0755 0 0
	EOF
	"$KOBJ/usr/gen_init_cpio" "$NOBJ/l2.list" >"$NOBJ/l2.cpio"

	"${CROSS}strip" -o "$NOBJ/qemu-system-aarch64" "$QINNER/qemu-system-aarch64"
	lib_closure "$ROOTFS" "$NOBJ/qemu-system-aarch64" >/dev/null ||
		die "the project's inner VMM needs a library Debian's does not load"

	plan_suites nested >"$NOBJ/plan-nested"
	{
		echo "dir /dev 0755 0 0"
		echo "nod /dev/console 0600 0 0 c 5 1"
		for d in /proc /sys /tmp /bin /etc /etc/plans /l2 /usr /usr/bin; do
			echo "dir $d 0755 0 0"
		done
		echo "file /init $gobj/init 0755 0 0"
		echo "file /etc/plans/nested $NOBJ/plan-nested 0644 0 0"
		echo "file /bin/qmp $NOBJ/qmp 0755 0 0"
		echo "file /bin/l1-migrate.sh $TOP/guest/nested/l1-migrate.sh 0755 0 0"
		echo "file /l2/Image $KOBJ/arch/arm64/boot/Image 0644 0 0"
		echo "file /l2/initramfs.cpio $NOBJ/l2.cpio 0644 0 0"
		(cd "$ROOTFS" && find . -mindepth 1 -type d | sort) | while read -r d; do
			[ "$d" = ./usr ] || [ "$d" = ./usr/bin ] || echo "dir ${d#.} 0755 0 0"
		done
		(cd "$ROOTFS" && find . -type f ! -name VERSION | sort) | while read -r f; do
			case $f in
			./usr/bin/qemu-system-aarch64)
				echo "file /usr/bin/qemu-system-aarch64-debian $ROOTFS/$f 0755 0 0"
				echo "file /usr/bin/qemu-system-aarch64 $NOBJ/qemu-system-aarch64 0755 0 0" ;;
			*) echo "file ${f#.} $ROOTFS/$f 0755 0 0" ;;
			esac
		done
		for f in sh cat echo grep sed sleep kill mkfifo rm ls head tail tr cut wc date timeout dd awk sort; do
			echo "slink /bin/$f /usr/bin/busybox 0777 0 0"
		done
	} >"$NOBJ/l1.list"
	"$KOBJ/usr/gen_init_cpio" "$NOBJ/l1.list" >"$NOBJ/l1.cpio.tmp"
	mv "$NOBJ/l1.cpio.tmp" "$NOBJ/l1.cpio"
}

case ${1:-} in
rootfs) rootfs ;;
initramfs) initramfs ;;
*) die "usage: $0 rootfs|initramfs" ;;
esac
