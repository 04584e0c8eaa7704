#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The real-VMM migration run, inside the emulated host (L1, KVM at EL2):
# QEMU is the VFIO client here, so this is a VMM's job and not a selftest.
#
# For each row, two QEMU 10 live-migrate a nested guest (L2) that stamps
# its own RAM by DMA through a passed-through edu device (l2_stamp).  The
# source QEMU gets the first edu, the destination (-incoming) the second;
# both are bound to edu_vfio_pci, which migrates the device's state but
# tracks no dirty pages, so QEMU must get the pages edu wrote from the
# IOMMU:
#
#   type1-hw      the project's QEMU (patches/qemu) at default settings:
#                 the kernel gives its legacy (type1) container hardware
#                 tracking on this SMMU (HTTU) unasked, and says so
#                 (VFIO_IOMMU_TYPE1_MIGRATION_DIRTY_IOMMU); the QEMU reads
#                 that and marks the device as tracked by the IOMMU, so no
#                 enable-migration=on
#   type1-stock   Debian's unmodified QEMU with enable-migration=on, on
#                 type1 at default settings: the same hardware tracking,
#                 which that QEMU does not know of
#   iommufd       the project's QEMU on its iommufd backend, at default
#                 settings: IOMMU_HWPT_GET_DIRTY_BITMAP
#   compat        as type1-hw, on a host whose /dev/vfio/vfio is iommufd's
#                 type1 compatibility (CONFIG_IOMMUFD_VFIO_CONTAINER, no
#                 type1: make nested-compat)
#   compat-stock  as type1-stock, on that host
#
# There is no all-dirty type1 row any more (type1-legacy: Debian's QEMU
# with vfio_iommu_type1.hw_dirty_tracking=N, every pinned page reported
# dirty): the kernel has no such switch now, and a type1 container on this
# SMMU with HTTU always tracks, so this boot cannot produce the row.
# type1's all-dirty answer takes an SMMU without HTTU, or the unmodified
# base kernel (make nested-base: there both type1 rows are all-dirty).
# VFIO_DIRTY_EXPECT_HW=0 on the kernel command line, which make
# nested-base sets, says that the host is the base.
#
# After the switchover the run tells the destination's L2 to stop and
# check every page against its log; a stale page is a lost dirty page.  A
# row that has not converged after --converge seconds gets a larger
# downtime limit, as an operator would give it, and says so.
#
# What decides whether the IOMMU's tracking works does not depend on the
# host's speed: the source QEMU traces every dirty bitmap VFIO returned
# (vfio_get_dirty_bitmap), and no bitmap of a row may report more pages
# than L2 stamps (its buffer; nothing else in L2 is written by DMA).  RAM
# sent, dirty syncs, total time and downtime are reported, not judged:
# they follow the host's load.  The project's QEMU must not warn that the
# device is untracked.
#
# Prints one TAP line per check, the "l1: result" lines with QEMU's
# query-migrate reply for the host's table, and the consoles of both L2s.
#
# Options: --rows ROW,... --seed N --mib M (L2 buffer) --rate R (DMA
# stamps per second) --run S (seconds of workload before the migration)
# --converge S --seeds N,... (the rows once per seed, the same seeds for
# every row) --rows-once ROW,... (rows for the first seed only)
set -u

ROWS="type1-hw type1-stock iommufd"
ROWS_ONCE=""
SEED=1
SEEDS=""
MIB=64
RATE=5000
RUN=4
CONVERGE=20
while [ $# -gt 0 ]; do
	case $1 in
	--rows) ROWS=$(echo "$2" | tr , " ") ;;
	--rows-once) ROWS_ONCE=$(echo "$2" | tr , " ") ;;
	--seed) SEED=$2 ;;
	--seeds) SEEDS=$(echo "$2" | tr , " ") ;;
	--mib) MIB=$2 ;;
	--rate) RATE=$2 ;;
	--run) RUN=$2 ;;
	--converge) CONVERGE=$2 ;;
	*) echo "l1-migrate: unknown option $1"; exit 2 ;;
	esac
	shift 2
done

QEMU_OURS=/usr/bin/qemu-system-aarch64
QEMU_DEBIAN=/usr/bin/qemu-system-aarch64-debian
L2_MIB=256
# What QEMU says when the IOMMU does not track: the migration blocker or
# warning, and the legacy container's warning at attach
UNTRACKED="doesn't support device and IOMMU dirty tracking|doesn't track dirty pages"
export LD_LIBRARY_PATH=/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu
# 1: the series' kernel, whose IOMMU tracks for type1 and iommufd; 0: the
# unmodified base (make nested-base), whose type1 reports every pinned
# page dirty and which QEMU is told does not track
HW=${VFIO_DIRTY_EXPECT_HW:-1}
EDUS=$(ls /sys/bus/pci/drivers/edu_vfio_pci 2>/dev/null | grep '^0000:')
SRC=$(echo "$EDUS" | sed -n 1p)
DST=$(echo "$EDUS" | sed -n 2p)
n=0
failed=0

tap() {
	n=$((n + 1))
	[ "$1" = ok ] || failed=1
	echo "$1 $n - $2"
}

# data LINE: one line of migration.csv, framed for the host's reader
data() {
	printf '@@ data migration.csv\n%s\n@@ end\n' "$1"
}

# json KEY TEXT: the first number or string value of "KEY" in TEXT
json() {
	echo "$2" | sed -n "s/.*\"$1\": *\"*\([^\",}]*\).*/\1/p" | head -n 1
}

# wait_for SECONDS COMMAND...: poll once a second until COMMAND succeeds
wait_for() {
	local t=$1
	shift
	while ! "$@" 2>/dev/null; do
		t=$((t - 1))
		[ $t -ge 0 ] || return 1
		sleep 1
	done
}

alive() {
	kill -0 "$1" 2>/dev/null
}

dead() {
	! kill -0 "$1" 2>/dev/null
}

show() {
	sed "s/^/  [$1] /" "$2"
}

# bitmaps FILE: "CALLS MAX MEDIAN" of the dirty pages per bitmap that the
# source QEMU traced (vfio_get_dirty_bitmap), over L2's RAM only
bitmaps() {
	sed -n 's/.*vfio_get_dirty_bitmap .* size= *0x\([0-9a-f]*\) .*dirty_pages=\([0-9]*\).*/\1 \2/p' "$1" |
		while read -r size pages; do
			[ $((0x$size)) -eq $((L2_MIB << 20)) ] && echo "$pages"
		done | sort -n | awk '{ v[NR] = $1 } END { if (NR) print NR, v[NR], v[int((NR + 1) / 2)]; else print 0, 0, 0 }'
}

row() {
	local name=$1 d=/tmp/$1 obj="" dev reply status t forced=no check verdict
	local common append srcpid dstpid catpid qemu=$QEMU_OURS mig="" calls max med first
	case $name in
	type1-hw | compat)
		dev=vfio-pci
		# The base does not say type1 tracks: the device is blocked without it.
		[ "$HW" = 1 ] || mig=",enable-migration=on" ;;
	type1-stock | compat-stock)
		dev=vfio-pci; qemu=$QEMU_DEBIAN; mig=",enable-migration=on" ;;
	iommufd)
		obj="-object iommufd,id=ifd"
		dev=vfio-pci,iommufd=ifd
		[ "$HW" = 1 ] || mig=",enable-migration=on" ;;
	*) tap "not ok" "migration $name: unknown row"; return ;;
	esac
	first=$n
	echo "l1: row $name: $($qemu --version | head -n 1), device $dev$mig; L2 seed $SEED, ${MIB} MiB stamped by DMA at $RATE stamps/s, source edu $SRC, destination edu $DST"
	rm -rf "$d"
	mkdir -p "$d"
	mkfifo "$d/dst.in" "$d/dst.out"
	cat "$d/dst.out" >"$d/dst.log" &
	catpid=$!
	common="-accel kvm -cpu host -M virt,gic-version=3 -m $L2_MIB -smp 1
		-nodefaults -no-user-config -display none -nic none
		-kernel /l2/Image -initrd /l2/initramfs.cpio $obj"
	append="console=ttyAMA0 quiet panic=-1 stamp.seed=$SEED stamp.mib=$MIB stamp.rate=$RATE"
	# shellcheck disable=SC2086
	$qemu $common -append "$append" \
		-device "$dev,host=$DST$mig" \
		-chardev "pipe,id=con,path=$d/dst" -serial chardev:con \
		-qmp "unix:$d/dst.qmp,server=on,wait=off" \
		-incoming "unix:$d/mig.sock" >"$d/dst.err" 2>&1 &
	dstpid=$!
	# shellcheck disable=SC2086
	$qemu $common -append "$append" \
		-device "$dev,host=$SRC$mig" \
		-trace vfio_get_dirty_bitmap \
		-serial "file:$d/src.log" \
		-qmp "unix:$d/src.qmp,server=on,wait=off" >"$d/src.err" 2>&1 &
	srcpid=$!

	if ! wait_for 120 grep -q 'l2: seed' "$d/src.log"; then
		show src-qemu "$d/src.err"
		show src "$d/src.log"
		tap "not ok" "migration $name: the source L2 did not start"
		kill -9 $srcpid $dstpid $catpid 2>/dev/null
		# The row's other checks fail with it: the plan counted them.
		while [ $((n - first)) -lt "$(checks "$name")" ]; do
			tap "not ok" "migration $name: not checked, the source L2 did not start"
		done
		return
	fi
	sleep "$RUN"
	qmp "$d/src.qmp" '{"execute":"migrate-set-parameters","arguments":{"downtime-limit":300,"max-bandwidth":1073741824}}' >/dev/null
	qmp "$d/src.qmp" "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"unix:$d/mig.sock\"}}"
	t=0
	while :; do
		reply=$(qmp "$d/src.qmp" '{"execute":"query-migrate"}')
		status=$(json status "$reply")
		case $status in completed | failed | cancelled | "") break ;; esac
		if [ $t -ge "$CONVERGE" ] && [ $forced = no ]; then
			echo "l1: row $name: not converged after ${CONVERGE} s, raising the downtime limit to 60 s"
			qmp "$d/src.qmp" '{"execute":"migrate-set-parameters","arguments":{"downtime-limit":60000}}' >/dev/null
			forced=yes
		fi
		[ $t -lt $((CONVERGE + 600)) ] || break
		sleep 1
		t=$((t + 1))
	done
	echo "l1: result $name forced=$forced $reply"
	echo "$reply" >"$d/reply"
	qmp "$d/src.qmp" '{"execute":"quit"}' >/dev/null 2>&1
	wait_for 30 dead $srcpid

	if [ "$status" = completed ]; then
		# Let the destination run on, then have it check its pages.
		sleep 2
		echo c >"$d/dst.in"
	else
		qmp "$d/dst.qmp" '{"execute":"quit"}' >/dev/null 2>&1
	fi
	wait_for 300 dead $dstpid || kill -9 $dstpid
	kill $catpid 2>/dev/null
	show src "$d/src.log"
	show dst "$d/dst.log"
	show src-qemu "$d/src.err"
	show dst-qemu "$d/dst.err"
	# The serial console ends its lines with CR LF.
	check=$(tr -d '\r' <"$d/dst.log" | sed -n 's/^l2: \(PASS\|FAIL\):* *//p' | tail -n 1 | tr , ';')
	verdict=$(tr -d '\r' <"$d/dst.log" | sed -n 's/^l2: \(PASS\|FAIL\).*/\1/p' | tail -n 1)
	read -r calls max med <<-EOF
		$(bitmaps "$d/src.err")
	EOF
	data "$SEED,$name,$status,$forced,${verdict:--},${check:--},$(json transferred "$reply"),$(json dirty-sync-count "$reply"),$(json total-time "$reply"),$(json downtime "$reply"),$calls,$max,$med"
	if [ -z "$status" ] && echo "$reply" | grep -q blocked-reasons; then
		tap "not ok" "migration $name: blocked: $(echo "$reply" | sed -n 's/.*"blocked-reasons": *\["\([^"]*\)".*/\1/p')"
	elif [ "$status" != completed ]; then
		tap "not ok" "migration $name: migration status '$status'"
	elif grep -q '^l2: PASS' "$d/dst.log"; then
		tap ok "migration $name: $(sed -n 's/^l2: PASS: //p' "$d/dst.log")"
	else
		tap "not ok" "migration $name: $(sed -n 's/^l2: FAIL:* *//p' "$d/dst.log" | tail -n 1)"
	fi
	precision "$name" "$calls" "$max" "$med" "$d"
}

# checks ROW: how many TAP lines row() prints for ROW
checks() {
	case $1 in
	type1-hw | iommufd | compat) echo 3 ;;
	type1-stock | compat-stock) echo 2 ;;
	*) echo 1 ;;
	esac
}

# precision ROW CALLS MAX MEDIAN DIR: the checks that do not depend on the
# host's speed
precision() {
	local name=$1 calls=$2 max=$3 med=$4 stamped=$((MIB * 256))
	case $name in
	type1-hw | iommufd | compat)
		if [ "$HW" != 1 ]; then
			tap ok "# SKIP migration $name: the base kernel: QEMU is told the device is untracked"
		elif grep -Eq "$UNTRACKED" "$5/src.err" "$5/dst.err" "$5/reply"; then
			tap "not ok" "migration $name: QEMU says: $(grep -Eh "$UNTRACKED" "$5/src.err" "$5/dst.err" "$5/reply" | head -n 1)"
		else
			tap ok "migration $name: QEMU did not warn that the device is untracked"
		fi ;;
	esac
	if [ "$HW" != 1 ]; then
		tap ok "# SKIP migration $name: the base kernel has no hardware tracking in type1"
	elif [ "$calls" -eq 0 ]; then
		tap "not ok" "migration $name: the source QEMU traced no dirty bitmap of L2's RAM"
	elif [ "$max" -le "$stamped" ]; then
		tap ok "migration $name: $calls dirty bitmaps, at most $max pages (median $med), within the $stamped pages L2 stamps"
	else
		tap "not ok" "migration $name: a dirty bitmap reported $max pages, more than the $stamped pages L2 stamps ($calls bitmaps, median $med)"
	fi
}

echo "TAP version 13"
if [ -z "$SRC" ] || [ -z "$DST" ]; then
	echo "1..1"
	tap "not ok" "two edu devices bound to edu_vfio_pci (found: $EDUS)"
	exit 1
fi
[ -e /dev/kvm ] || { echo "1..1"; tap "not ok" "/dev/kvm exists"; exit 1; }
[ -n "$SEEDS" ] || SEEDS=$SEED
plan=1
for s in $SEEDS; do
	for r in $ROWS; do
		plan=$((plan + $(checks "$r")))
	done
done
for r in $ROWS_ONCE; do
	plan=$((plan + $(checks "$r")))
done
echo "1..$plan"

# Whose /dev/vfio/vfio the legacy container rows use: type1 has module
# parameters, so a kernel with type1 has /sys/module/vfio_iommu_type1.
case " $ROWS $ROWS_ONCE " in
*" compat"*)
	if [ -d /sys/module/vfio_iommu_type1 ]; then
		tap "not ok" "the compat rows need a host without type1, and this one has it"
	else
		tap ok "/dev/vfio/vfio is iommufd's type1 compatibility: this host has no type1"
	fi ;;
*)
	if [ -d /sys/module/vfio_iommu_type1 ]; then
		tap ok "/dev/vfio/vfio is type1's"
	else
		tap "not ok" "the type1 rows need type1, and this host has none"
	fi ;;
esac

data "seed,row,status,forced,verdict,check,transferred,dirty_syncs,total_ms,downtime_ms,bitmaps,bitmap_max,bitmap_median"
first_seed=1
for SEED in $SEEDS; do
	for r in $ROWS; do
		row "$r"
	done
	if [ $first_seed = 1 ]; then
		for r in $ROWS_ONCE; do
			row "$r"
		done
		first_seed=0
	fi
done
exit $failed
