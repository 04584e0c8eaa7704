#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The one QEMU command line, shared by demo, test and bench:
#
#   run-guest.sh SUITE LOGFILE [EXTRA QEMU ARGS...]
#
# Boots the arm64 guest on the virt machine with an emulated SMMUv3 and
# QEMU's edu DMA device, PID 1 runs SUITE, the console goes to LOGFILE (and
# to stdout when VERBOSE=1).  GUEST_TIMEOUT (seconds) bounds the whole run.
# GUEST_KERNEL, GUEST_INITRD and GUEST_MACHINE replace the defaults (the
# real-VMM run boots the lean kernel with virtualization=on, KVM at EL2).
. "$(dirname "$0")/lib.sh"

suite=$1
log=$2
shift 2

GUEST_TIMEOUT=${GUEST_TIMEOUT:-1500}
GUEST_MEM=${GUEST_MEM:-4G}
# hugepages= gives the iommufd selftests' hugetlb variants their pages.
CMDLINE="console=ttyAMA0 panic=-1 loglevel=5 log_buf_len=8M"
CMDLINE+=" hugepages=${GUEST_HUGEPAGES:-160}"
CMDLINE+=" suite=$suite ${GUEST_APPEND:-}"

mkdir -p "$(dirname "$log")"
rc=0
timeout -k 10 "$GUEST_TIMEOUT" "$QEMU" \
	-M "${GUEST_MACHINE:-virt,iommu=smmuv3,gic-version=3}" \
	-cpu max,pauth-impdef=on \
	-smp 2 -accel tcg,thread=multi \
	-m "$GUEST_MEM" \
	-kernel "${GUEST_KERNEL:-$KOBJ/arch/arm64/boot/Image}" \
	-initrd "${GUEST_INITRD:-$BUILD/initramfs.cpio}" \
	-append "$CMDLINE" \
	-device edu,dma_mask=0xffffffffffff,dma_delay_us=0 \
	-device edu,dma_mask=0xffffffffffff,dma_delay_us=0 \
	-display none -monitor none -serial stdio -nic none \
	-no-reboot \
	"$@" </dev/null >"$log" 2>&1 &
qpid=$!
if [ "${VERBOSE:-0}" = 1 ]; then
	tail -n +1 -f "$log" --pid=$qpid &
fi
wait $qpid || rc=$?
[ $rc -eq 124 ] && echo "@@ host: guest timed out after ${GUEST_TIMEOUT}s" >>"$log"
exit $rc
