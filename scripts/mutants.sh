#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mutants.sh: show that the emulated SMMU's oracle (QEMU's
# x-stale-tlb-check) reports the missed TLB invalidations it exists for.
#
# Builds one lean mainline kernel per patch in patches/harness/mutants/
# (the series, the exact-mode hook of patches/harness/, and one deliberate
# bug), and boots each, and the unmutated kernel, with the plan
# tests/plans/mutant twice: with the oracle's exact mode (the kernel marks
# its harvests and unmaps) and without it (x-stale-exact=off: the marks
# are ignored).  Prints a table of the oracle's count of reports and the
# suites' verdicts, and exits 0 only when every mutant was reported in
# both modes and the unmutated kernel in neither.  MUTANTS=a,b picks
# mutants; MUTANT_STRESS_SECONDS (60) is the stress's length (type1 v2).
. "$(dirname "$0")/lib.sh"

mapfile -t all < <(cd "$TOP/patches/harness/mutants" && ls -- *.patch | sed 's/\.patch$//')
if [ -n "${MUTANTS:-}" ]; then
	mutants=(${MUTANTS//,/ })
else
	mutants=("${all[@]}")
fi

bash "$TOP/scripts/deps.sh"
for m in "${mutants[@]}"; do
	KERNEL_FLAVOUR=lean KERNEL_MUTANT=$m bash "$TOP/scripts/kernel.sh" build
done
# The unmutated kernel last, so that the lean objects are the series' again.
KERNEL_FLAVOUR=lean bash "$TOP/scripts/kernel.sh" build
KERNEL_FLAVOUR=lean bash "$TOP/scripts/kernel.sh" selftests
KERNEL_FLAVOUR=lean bash "$TOP/scripts/initramfs.sh"
bash "$TOP/scripts/qemu.sh" build

run=$OUT/mutants-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
ln -sfn "$(basename "$run")" "$OUT/mutants-latest"
bash "$TOP/scripts/versions.sh" show >"$run/versions.txt"

# boot NAME IMAGE QEMU-ARGS...
boot() {
	local name=$1 image=$2
	shift 2
	plan_suites mutant >"$run/$name.plan"
	stage "booting: $name (console: $run/$name.log)"
	GUEST_IMAGE=$image bash "$TOP/scripts/run-guest.sh" mutant "$run/$name.log" "$@" || true
	python3 "$TOP/scripts/console.py" "$run/$name.log" "$run/$name"
}

jobs=${BOOT_JOBS:-2}
names=()
for m in none "${mutants[@]}"; do
	image=$BUILD/mutants/$m/Image
	[ "$m" = none ] && image=$(kobj lean)/arch/arm64/boot/Image
	for mode in exact plain; do
		args=()
		[ "$mode" = plain ] && args=(-global arm-smmuv3.x-stale-exact=off)
		[ "$(jobs -r | wc -l)" -lt "$jobs" ] || wait -n
		boot "$m-$mode" "$image" "${args[@]}" &
		names+=("$m-$mode")
	done
done
wait

python3 "$TOP/scripts/mutant-table.py" "$run" "${names[@]}" | tee "$run/report.txt"
exit "${PIPESTATUS[0]}"
