#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build everything that is out of date, boot the guest and report.
#
#   run.sh test    every test, in two boots: the emulated SMMUv3 with HTTU
#                  (the main suite) and without (the fallback); ends with
#                  "N passed, N failed, N skipped"
#   run.sh demo    the demo
#   run.sh bench   the dirty harvest benchmark
#   run.sh base-migration  the real-VMM run with the base kernel as host
. "$(dirname "$0")/lib.sh"

what=${1:-test}
# Timing runs use a kernel without KASAN and lockdep.
[ "$what" = bench ] && export KERNEL_FLAVOUR=lean
bash "$TOP/scripts/deps.sh"
bash "$TOP/scripts/kernel.sh" build
bash "$TOP/scripts/kernel.sh" selftests
bash "$TOP/scripts/qemu.sh" build
bash "$TOP/scripts/initramfs.sh"

run=$OUT/$what-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
ln -sfn "$(basename "$run")" "$OUT/$what-latest"

# boot LABEL SUITE KERNEL-ARGS [QEMU ARGS...]
logs=()
boot() {
	local label=$1 suite=$2 append=$3 rc=0
	shift 3
	stage "booting the guest: $label (console: $run/$label.log)"
	GUEST_APPEND="$append ${GUEST_APPEND:-}" bash "$TOP/scripts/run-guest.sh" "$suite" \
		"$run/$label.log" "$@" || rc=$?
	stage "guest $label finished (qemu exit $rc)"
	logs+=("$label=$run/$label.log")
}

# The real VMM: Debian's QEMU 10 live-migrates a nested guest inside the
# emulated host.  The host runs the lean kernel (KVM at EL2 under TCG is
# too slow with KASAN and lockdep) and binds edu to edu_vfio_pci, the
# driver of the edu-vfio-pci sample.
# nested [FLAVOUR]: the host's kernel, lean by default; base for the run
# on the unmodified base.  The nested guest always boots the lean kernel.
nested() {
	local flavour=${1:-lean}
	KERNEL_FLAVOUR=lean bash "$TOP/scripts/kernel.sh" build
	[ "$flavour" = lean ] || KERNEL_FLAVOUR=$flavour bash "$TOP/scripts/kernel.sh" build
	bash "$TOP/scripts/nested.sh" rootfs
	bash "$TOP/scripts/nested.sh" initramfs
	GUEST_MACHINE=virt,virtualization=on,iommu=smmuv3,gic-version=3 \
	GUEST_KERNEL=$BUILD/kobj-$flavour/arch/arm64/boot/Image \
	GUEST_INITRD=$BUILD/nested/l1.cpio GUEST_HUGEPAGES=0 \
		boot l1 l1 "edu_driver=edu_vfio_pci"
}

case $what in
test)
	# The reporter itself: bad runs must come out red.
	bash "$TOP/scripts/report-selftest.sh" "$run/harness.log" || true
	logs+=("harness=$run/harness.log")
	boot httu test "VFIO_EDU_EXPECT_DIRTY=1"
	boot httu0 nohttu "VFIO_EDU_EXPECT_DIRTY=0" -global arm-smmuv3.httu=0
	nested
	;;
bench)
	# 2M blocks of up to 1 GiB, one size at a time
	GUEST_HUGEPAGES=600 boot bench bench ""
	;;
demo)
	boot demo demo ""
	nested
	;;
base-migration)
	# Not a test: the base is expected to lose pages through iommufd.
	nested base
	python3 "$TOP/scripts/migration-table.py" "$run/l1.log" "$run" || true
	echo "console log: $run/l1.log"
	exit 0
	;;
*)
	boot "$what" "$what" ""
	;;
esac

if [ "$what" = bench ]; then
	bash "$TOP/scripts/bench-report.sh" "$run/bench.log" "$run" || true
fi
if [ "$what" = demo ]; then
	# The demo's own account: its table, then the numbers as CSV and a plot.
	sed -n '/^@@ begin migration-demo/,/^@@ end migration-demo/p' "$run/demo.log" |
		sed -n 's/^# \{0,1\}//p' | grep -v '^ *$' || true
	bash "$TOP/scripts/demo-plot.sh" "$run/demo.log" "$run" || true
fi

if [ -f "$run/l1.log" ]; then
	stage "the real VMM: QEMU $INNER_QEMU_DEB_VERSION migrating a guest that writes by DMA"
	python3 "$TOP/scripts/migration-table.py" "$run/l1.log" "$run" || true
fi

status=0
python3 "$TOP/scripts/report.py" "$TOP/tests/known-failures" "${logs[@]}" |
	tee "$run/report.txt" || status=$?
echo "console logs: $run/"
exit $status
