#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The real-VMM migration run, inside the emulated host (L1, KVM at EL2).
#
# For each row, two of Debian's QEMU 10 live-migrate a nested guest (L2)
# that stamps its own RAM by DMA through a passed-through edu device
# (l2_stamp).  The source QEMU gets the first edu, the destination
# (-incoming) the second; both are bound to edu_vfio_pci, which migrates
# the device's state but tracks no dirty pages, so QEMU must get the pages
# edu wrote from the IOMMU:
#
#   type1-hw      legacy type1 container, vfio_iommu_type1.hw_dirty_tracking=Y:
#                 VFIO_IOMMU_DIRTY_PAGES filled from the SMMU's dirty bits
#   type1-legacy  the same with hw_dirty_tracking=N: every pinned page is
#                 reported dirty (the base kernel's behaviour)
#   iommufd       QEMU's iommufd backend: IOMMU_HWPT_GET_DIRTY_BITMAP
#
# After the switchover the run tells the destination's L2 to stop and
# check every page against its log; a stale page is a lost dirty page.  A
# row that has not converged after --converge seconds gets a larger
# downtime limit, as an operator would give it, and says so.
#
# Prints one TAP line per row, the "l1: result" lines with QEMU's
# query-migrate reply for the host's table, and the consoles of both L2s.
#
# Options: --rows "ROW..." --seed N --mib M (L2 buffer) --rate R (DMA
# stamps per second) --run S (seconds of workload before the migration)
# --converge S
set -u

ROWS="type1-hw type1-legacy iommufd"
SEED=1
MIB=64
RATE=5000
RUN=4
CONVERGE=20
while [ $# -gt 0 ]; do
	case $1 in
	--rows) ROWS=$2 ;;
	--seed) SEED=$2 ;;
	--mib) MIB=$2 ;;
	--rate) RATE=$2 ;;
	--run) RUN=$2 ;;
	--converge) CONVERGE=$2 ;;
	*) echo "l1-migrate: unknown option $1"; exit 2 ;;
	esac
	shift 2
done

QEMU=/usr/bin/qemu-system-aarch64
export LD_LIBRARY_PATH=/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu
PARAM=/sys/module/vfio_iommu_type1/parameters/hw_dirty_tracking
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

# The base kernel has no such parameter: both type1 rows are its behaviour.
set_hw() {
	if [ -w $PARAM ]; then
		echo "$1" >$PARAM
	else
		echo "l1: no $PARAM: type1 reports every pinned page dirty"
	fi
}

show() {
	sed "s/^/  [$1] /" "$2"
}

row() {
	local name=$1 d=/tmp/$1 obj="" dev reply status t forced=no check verdict
	local common append srcpid dstpid catpid
	case $name in
	type1-hw) set_hw Y; dev=vfio-pci ;;
	type1-legacy) set_hw N; dev=vfio-pci ;;
	iommufd) obj="-object iommufd,id=ifd"; dev=vfio-pci,iommufd=ifd ;;
	*) tap "not ok" "migration $name: unknown row"; return ;;
	esac
	echo "l1: row $name: L2 seed $SEED, ${MIB} MiB stamped by DMA at $RATE stamps/s, source edu $SRC, destination edu $DST"
	mkdir -p "$d"
	mkfifo "$d/dst.in" "$d/dst.out"
	cat "$d/dst.out" >"$d/dst.log" &
	catpid=$!
	common="-accel kvm -cpu host -M virt,gic-version=3 -m 256 -smp 1
		-nodefaults -no-user-config -display none -nic none
		-kernel /l2/Image -initrd /l2/initramfs.cpio $obj"
	append="console=ttyAMA0 quiet panic=-1 stamp.seed=$SEED stamp.mib=$MIB stamp.rate=$RATE"
	# shellcheck disable=SC2086
	$QEMU $common -append "$append" \
		-device "$dev,host=$DST,enable-migration=on" \
		-chardev "pipe,id=con,path=$d/dst" -serial chardev:con \
		-qmp "unix:$d/dst.qmp,server=on,wait=off" \
		-incoming "unix:$d/mig.sock" >"$d/dst.err" 2>&1 &
	dstpid=$!
	# shellcheck disable=SC2086
	$QEMU $common -append "$append" \
		-device "$dev,host=$SRC,enable-migration=on" \
		-serial "file:$d/src.log" \
		-qmp "unix:$d/src.qmp,server=on,wait=off" >"$d/src.err" 2>&1 &
	srcpid=$!

	if ! wait_for 120 grep -q 'l2: seed' "$d/src.log"; then
		show src-qemu "$d/src.err"
		show src "$d/src.log"
		tap "not ok" "migration $name: the source L2 did not start"
		kill -9 $srcpid $dstpid $catpid 2>/dev/null
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
	data "$name,$status,$forced,${verdict:--},${check:--},$(json transferred "$reply"),$(json dirty-sync-count "$reply"),$(json total-time "$reply"),$(json downtime "$reply")"
	if [ "$status" != completed ]; then
		tap "not ok" "migration $name: migration status '$status'"
	elif grep -q '^l2: PASS' "$d/dst.log"; then
		tap ok "migration $name: $(sed -n 's/^l2: PASS: //p' "$d/dst.log")"
	else
		tap "not ok" "migration $name: $(sed -n 's/^l2: FAIL:* *//p' "$d/dst.log" | tail -n 1)"
	fi
	eval "sent_$(echo "$name" | tr - _)=$(json transferred "$reply")"
}

echo "TAP version 13"
if [ -z "$SRC" ] || [ -z "$DST" ]; then
	echo "1..1"
	tap "not ok" "two edu devices bound to edu_vfio_pci (found: $EDUS)"
	exit 1
fi
[ -e /dev/kvm ] || { echo "1..1"; tap "not ok" "/dev/kvm exists"; exit 1; }
echo "1..$(($(echo $ROWS | wc -w) + 1))"
data "row,status,forced,verdict,check,transferred,dirty_syncs,total_ms,downtime_ms"
echo "l1: $($QEMU --version | head -n 1)"
for r in $ROWS; do
	row "$r"
done
# The point of the series: hardware tracking sends far less than the
# all-dirty fallback.
if [ -n "${sent_type1_hw:-}" ] && [ -n "${sent_type1_legacy:-}" ]; then
	if [ "$sent_type1_hw" -lt "$sent_type1_legacy" ]; then
		tap ok "type1 with hardware tracking sent $sent_type1_hw bytes, the fallback $sent_type1_legacy"
	else
		tap "not ok" "type1 with hardware tracking sent $sent_type1_hw bytes, not less than the fallback's $sent_type1_legacy"
	fi
else
	tap ok "# SKIP type1 rows not both run"
fi
exit $failed
