#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# report.sh RUN-DIR: read a run's console logs once and report.
#
# Splits each boot's console (RUN-DIR/BOOT.log, the boots in RUN-DIR/boots)
# with scripts/console.py into RUN-DIR/BOOT/ (per-suite TAP, data files,
# kernel reports), prints the boots' own accounts (the demo's table and
# plot, the benchmark's ratios, the real-VMM migration table) from those
# files, and ends with scripts/report.py's verdict, also in
# RUN-DIR/report.txt.  make report RUN=out/<run> runs it on a saved run.
. "$(dirname "$0")/lib.sh"

run=${1:?usage: report.sh RUN-DIR}
[ -d "$run" ] || die "no run directory $run"
if [ -f "$run/boots" ]; then
	mapfile -t boots <"$run/boots"
else
	mapfile -t boots < <(cd "$run" && ls -- *.log 2>/dev/null | sed 's/\.log$//')
fi
[ ${#boots[@]} -gt 0 ] || die "no console logs in $run"

args=()
for b in "${boots[@]}"; do
	python3 "$TOP/scripts/console.py" "$run/$b.log" "$run/$b"
	if [ -f "$run/$b.plan" ]; then
		cp "$run/$b.plan" "$run/$b/plan"
	fi
	args+=("$b=$run/$b")
done

if [ -f "$run/demo/tap/migration-demo.tap" ]; then
	# The demo's own account: its table (and the all-dirty way's, from
	# demo-legacy: the SMMU without HTTU), then its numbers and a plot.
	for b in demo demo-legacy; do
		[ -f "$run/$b/tap/migration-demo.tap" ] || continue
		sed -n 's/^# \{0,1\}//p' "$run/$b/tap/migration-demo.tap" |
			grep -v '^ *$\|^Totals:' || true
	done
	bash "$TOP/scripts/demo-plot.sh" "$run/demo" "$run" "$run/demo-legacy" || true
fi
if [ -d "$run/bench" ]; then
	bash "$TOP/scripts/bench-report.sh" "$run/bench" "$run" "$run/bench-legacy" || true
fi
for b in stress stress-kcsan; do
	# The stress's own account (selftests/vfio/vfio_dirty_stress_test's
	# "# stress.csv:" rows): what ran, per second, and what was compared
	csv=$run/$b/data/stress.csv
	[ -f "$csv" ] || continue
	stage "the stress ($b): operations per second, pages compared and lost"
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	function v(name) { return $col[name] }
	function rate(name) { return v("seconds") ? v(name) / v("seconds") : 0 }
	NR == 2 {
		printf "%-24s %4s %5s %9s %10s %9s %9s %9s %10s %8s %11s %5s %6s\n",
		       "IOMMU mode", "devs", "s", "DMA/s", "harvest/s", "unmap/s",
		       "map/s", "noise/s", "STOP+START", "rejoins", "compared",
		       "lost", "errors"
	}
	{
		printf "%-24s %4d %5d %9.0f %10.1f %9.1f %9.1f %9.1f %10d %8d %11d %5d %6d\n",
		       v("mode"), v("devices"), v("seconds"), rate("dma"), rate("harvests"),
		       rate("unmaps"), rate("maps"), rate("noise"), v("toggles"),
		       v("rejoins"), v("compared"), v("lost"), v("errors")
	}' "$csv"
	cp "$csv" "$run/$b-stress.csv"
done
if [ -d "$run/nested" ]; then
	stage "the real VMM: the project's QEMU $(sed -n 's/^qemu (Debian source) *//p' "$run/versions.txt" 2>/dev/null) + patches/qemu, and Debian's $(sed -n 's/^qemu-system-arm (arm64) *//p' "$run/versions.txt" 2>/dev/null), migrating a guest that writes by DMA"
	python3 "$TOP/scripts/migration-table.py" "$run/nested" "$run" || true
fi

status=0
python3 "$TOP/scripts/report.py" "$TOP/tests/known-failures" "${args[@]}" |
	tee "$run/report.txt" || status=$?
echo "console logs: $run/"
exit $status
