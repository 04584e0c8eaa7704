#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest's initramfs with the kernel's own usr/gen_init_cpio: a
# static PID 1, the harness's guest programs, the kernel selftests, and the
# test plans PID 1 runs (tests/plans/, knobs expanded, as /etc/plans/NAME).
#
#   initramfs.sh           the plans of KERNEL_FLAVOUR's kernel line
#                          (lib.sh, line_plans), into its initramfs
#                          (build/initramfs.cpio, or -lts.cpio for 6.12)
. "$(dirname "$0")/lib.sh"

GOBJ=$(line_dir "$KERNEL_FLAVOUR" guest)
CPIO=$(line_dir "$KERNEL_FLAVOUR" initramfs.cpio)
ST=$(line_dir "$KERNEL_FLAVOUR" selftests)
mkdir -p "$GOBJ/plans"

mapfile -t plans < <(line_plans "$KERNEL_FLAVOUR")

stage "building guest programs and initramfs"
CFLAGS=(-static -O2 -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare
	-Wno-missing-field-initializers
	-isystem "$KOBJ/usr/include" -I "$KSRC/tools/testing/selftests")
# The guest programs that are VFIO clients (they include <libvfio.h>) link
# the series' VFIO selftest library, as the selftests build it (kernel.sh
# selftests always builds selftests/vfio on the mainline line).  The 6.12
# line has no such library: its initramfs has none of them.
libvfio_client() { grep -q '^#include <libvfio.h>' "$1"; }
LIBVFIO_OBJ=$ST-obj/kselftest/vfio/libvfio
LIBVFIO_CFLAGS=(-D_GNU_SOURCE= -I "$KSRC/tools/testing/selftests/vfio/lib/include"
	-I "$KSRC/tools/include")
libvfio_objs=()
if [ "$KERNEL_FLAVOUR" != lts ]; then
	mapfile -t libvfio_objs < <(find "$LIBVFIO_OBJ" -name '*.o' 2>/dev/null | sort)
	[ "${#libvfio_objs[@]}" -gt 0 ] ||
		die "no libvfio objects in $LIBVFIO_OBJ (kernel.sh selftests builds them)"
fi
# The programs of this line's initramfs
progs=()
for src in "$TOP"/guest/*.c; do
	[ "$KERNEL_FLAVOUR" = lts ] && libvfio_client "$src" && continue
	progs+=("$(basename "$src" .c)")
done
# A program is remade when its source, a guest header, the kernel's uAPI
# headers, the library (for its clients) or the flags change.
hdrs=$(files_sha "$TOP"/guest/*.h "$KSRC/tools/testing/selftests/kselftest.h" \
	"$KOBJ/usr/include/linux/vfio.h" "$KOBJ/usr/include/linux/iommufd.h")
libvfio_key=""
[ "${#libvfio_objs[@]}" -gt 0 ] && libvfio_key=$(files_sha "${libvfio_objs[@]}" \
	"$KSRC"/tools/testing/selftests/vfio/lib/include/*.h \
	"$KSRC"/tools/testing/selftests/vfio/lib/include/libvfio/*.h)
for prog in "${progs[@]}"; do
	src=$TOP/guest/$prog.c
	flags=("${CFLAGS[@]}")
	objs=()
	if libvfio_client "$src"; then
		flags+=("${LIBVFIO_CFLAGS[@]}" -pthread)
		objs=("${libvfio_objs[@]}" -luuid)
	fi
	key="$(files_sha "$src") $hdrs ${flags[*]}"
	libvfio_client "$src" && key="$key $libvfio_key"
	uptodate "$GOBJ/.$prog.stamp" "$key" && [ -x "$GOBJ/$prog" ] && continue
	ccache "${CROSS}gcc" "${flags[@]}" -o "$GOBJ/$prog" "$src" "${objs[@]}" -lm ||
		die "guest/$prog.c does not build"
	mark "$GOBJ/.$prog.stamp" "$key"
done

list=$GOBJ/initramfs.list
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	for d in /proc /sys /tmp /bin /etc /etc/plans /selftests; do
		echo "dir $d 0755 0 0"
	done
	echo "file /init $GOBJ/init 0755 0 0"
	for prog in "${progs[@]}"; do
		[ "$prog" = init ] || echo "file /bin/$prog $GOBJ/$prog 0755 0 0"
	done
	for p in "${plans[@]}"; do
		plan_suites "$p" >"$GOBJ/plans/$p"
		echo "file /etc/plans/$p $GOBJ/plans/$p 0644 0 0"
	done
	if [ -d "$ST" ]; then
		(cd "$ST" && find . -mindepth 1 -type d | sort) | while read -r d; do
			echo "dir /selftests/${d#./} 0755 0 0"
		done
		(cd "$ST" && find . -type f | sort) | while read -r f; do
			mode=0644
			[ -x "$ST/$f" ] && mode=0755
			echo "file /selftests/${f#./} $ST/$f $mode 0 0"
		done
	fi
} >"$list"

# Every program a plan runs must be in the initramfs.
for p in "${plans[@]}"; do
	while read -r name _ cmd _; do
		case $cmd in
		@kunit | @iopgtable) ;;
		*) grep -q "^file $cmd " "$list" ||
			die "tests/plans/$p: suite $name runs $cmd, which the initramfs does not have" ;;
		esac
	done <"$GOBJ/plans/$p"
done
"$KOBJ/usr/gen_init_cpio" "$list" >"$CPIO.tmp"
mv "$CPIO.tmp" "$CPIO"
