#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The one QEMU command line, shared by every boot:
#
#   run-guest.sh PLAN LOGFILE [EXTRA QEMU ARGS...]
#
# Boots the arm64 guest on the virt machine with an emulated SMMUv3 and two
# of QEMU's edu DMA devices.  The SMMU has HTTU (access flag and dirty
# state; with it, virt keeps the SMMU at stage 1), an unbounded
# IOTLB, and reports every TLB invalidation the guest kernel misses as a
# guest error ("missed TLB invalidation") and in its count at exit, which
# fail the run.  A plan's @qemu line can override these (-global comes last
# and wins).  PID 1 runs the test plan tests/plans/PLAN,
# whose @ lines set up the boot (kernel flavour, machine, kernel and QEMU
# arguments, hugepages).  The console goes to LOGFILE (and to stdout when
# VERBOSE=1).  GUEST_TIMEOUT (seconds) bounds the whole boot.
# GUEST_FLAVOUR replaces the plan's kernel flavour, GUEST_INITRD the
# initramfs (the nested run has its own), GUEST_IMAGE the kernel image (a
# mutant's, scripts/mutants.sh).
. "$(dirname "$0")/lib.sh"

plan=$1
log=$2
shift 2

flavour=${GUEST_FLAVOUR:-$(plan_opt "$plan" kernel)}
machine=$(plan_opt "$plan" machine)
hugepages=${GUEST_HUGEPAGES:-$(plan_opt "$plan" hugepages)}
read -r -a plan_qemu <<<"$(plan_opt "$plan" qemu)"
# "@qemulog on": QEMU's log (-d, -trace) goes to BOOT.qemu.log beside the
# console, so that trace lines cannot land inside the guest's lines;
# scripts/console.py reads both.
[ "$(plan_opt "$plan" qemulog)" = on ] && plan_qemu+=(-D "${log%.log}.qemu.log")

GUEST_TIMEOUT=${GUEST_TIMEOUT:-1500}
GUEST_MEM=${GUEST_MEM:-4G}
# hugepages= gives the iommufd selftests' hugetlb variants their pages.
CMDLINE="console=ttyAMA0 panic=-1 loglevel=5 log_buf_len=8M"
CMDLINE+=" hugepages=${hugepages:-160}"
CMDLINE+=" plan=$plan $(plan_opt "$plan" append) ${GUEST_APPEND:-}"
# SUITE_TIMEOUT_SCALE=X: every suite's limit times X (guest/init.c).
CMDLINE+="${SUITE_TIMEOUT_SCALE:+ timeout_scale=$SUITE_TIMEOUT_SCALE}"

mkdir -p "$(dirname "$log")"
rc=0
t0=$SECONDS
timeout -k 10 "$GUEST_TIMEOUT" "$QEMU" \
	-M "${machine:-virt,iommu=smmuv3,gic-version=3}" \
	-cpu max,pauth-impdef=on \
	-smp 2 -accel tcg,thread=multi \
	-m "$GUEST_MEM" \
	-kernel "${GUEST_IMAGE:-$(kobj "${flavour:-debug}")/arch/arm64/boot/Image}" \
	-initrd "${GUEST_INITRD:-$(line_dir "${flavour:-debug}" initramfs.cpio)}" \
	-append "$CMDLINE" \
	-device edu,dma_mask=0xffffffffffff,dma_delay_us=0 \
	-device edu,dma_mask=0xffffffffffff,dma_delay_us=0 \
	-global arm-smmuv3.httu=2 -global arm-smmuv3.x-iotlb-size=0 \
	-global arm-smmuv3.x-stale-tlb-check=on -d guest_errors \
	-display none -monitor none -serial stdio -nic none \
	-no-reboot \
	"${plan_qemu[@]}" "$@" </dev/null >"$log" 2>&1 &
qpid=$!
if [ "${VERBOSE:-0}" = 1 ]; then
	tail -n +1 -f "$log" --pid=$qpid &
fi
wait $qpid || rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "@@ host: guest timed out after $((SECONDS - t0)) s (limit ${GUEST_TIMEOUT} s)" >>"$log"
fi
exit $rc
