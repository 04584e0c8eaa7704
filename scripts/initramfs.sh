#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest's initramfs with the kernel's own usr/gen_init_cpio: a
# static PID 1, the harness's guest programs, the kernel selftests, and the
# suite lists PID 1 runs (see guest/init.c for their format).
. "$(dirname "$0")/lib.sh"

GOBJ=$BUILD/guest
CPIO=$BUILD/initramfs.cpio
mkdir -p "$GOBJ"

stage "building guest programs and initramfs"
CFLAGS=(-static -O2 -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare
	-Wno-missing-field-initializers
	-isystem "$KOBJ/usr/include")
for src in "$TOP"/guest/*.c; do
	prog=$(basename "$src" .c)
	if [ ! "$GOBJ/$prog" -nt "$src" ] || [ "$TOP/guest/edu.h" -nt "$GOBJ/$prog" ] ||
	   [ "$KOBJ/usr/include" -nt "$GOBJ/$prog" ]; then
		ccache "${CROSS}gcc" "${CFLAGS[@]}" -o "$GOBJ/$prog" "$src" -lm ||
			die "guest/$prog.c does not build"
	fi
done

ST=$BUILD/selftests
{
	# Suite lists: NAME TIMEOUT COMMAND [ARGS...]
	cat >"$GOBJ/suite-test" <<-EOF
		kunit 60 @kunit
		io-pgtable-selftest 10 @iopgtable
		vfio-smoke 120 /bin/vfio_smoke
		migration-demo 600 /bin/migrate_demo --ram 64
	EOF
	if [ -f "$ST/kselftest-list.txt" ]; then
		while IFS=: read -r dir bin; do
			echo "selftests/$dir/$bin 900 /selftests/$dir/$bin"
		done <"$ST/kselftest-list.txt" >>"$GOBJ/suite-test"
	fi
	# The boot with an SMMU without HTTU: VFIO still works, dirty
	# tracking is refused.
	grep '^vfio-smoke\|^migration-demo' "$GOBJ/suite-test" >"$GOBJ/suite-nohttu"
	grep '^selftests/vfio/' "$GOBJ/suite-test" >>"$GOBJ/suite-nohttu" || true
	cat >"$GOBJ/suite-demo" <<-EOF
		vfio-smoke 120 /bin/vfio_smoke
		migration-demo 1200 /bin/migrate_demo ${DEMO_ARGS:-}
	EOF
	echo "dirty-bench 3000 /bin/dirty_bench ${BENCH_MAX_MIB:-1024}" >"$GOBJ/suite-bench"
}

list=$GOBJ/initramfs.list
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	for d in /proc /sys /tmp /bin /etc /etc/suites /selftests; do
		echo "dir $d 0755 0 0"
	done
	echo "file /init $GOBJ/init 0755 0 0"
	for src in "$TOP"/guest/*.c; do
		prog=$(basename "$src" .c)
		[ "$prog" = init ] || echo "file /bin/$prog $GOBJ/$prog 0755 0 0"
	done
	for s in "$GOBJ"/suite-*; do
		echo "file /etc/suites/${s##*/suite-} $s 0644 0 0"
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
"$KOBJ/usr/gen_init_cpio" "$list" >"$CPIO.tmp"
mv "$CPIO.tmp" "$CPIO"
