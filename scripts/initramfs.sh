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
# A program is remade when its source, a guest header, the kernel's uAPI
# headers or the flags change.
hdrs=$(files_sha "$TOP"/guest/*.h "$KSRC/tools/testing/selftests/kselftest.h" \
	"$KOBJ/usr/include/linux/vfio.h" "$KOBJ/usr/include/linux/iommufd.h")
for src in "$TOP"/guest/*.c; do
	prog=$(basename "$src" .c)
	key="$(files_sha "$src") $hdrs ${CFLAGS[*]}"
	uptodate "$GOBJ/.$prog.stamp" "$key" && [ -x "$GOBJ/$prog" ] && continue
	ccache "${CROSS}gcc" "${CFLAGS[@]}" -o "$GOBJ/$prog" "$src" -lm ||
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
	for src in "$TOP"/guest/*.c; do
		prog=$(basename "$src" .c)
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
