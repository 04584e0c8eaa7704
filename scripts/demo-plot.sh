#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# demo-plot.sh BOOT-DIR OUTDIR: the migration demo's numbers (data/demo.csv
# and data/demo-summary.csv of the boot's split console) copied to OUTDIR,
# and a PNG plot of the pages sent per round, one line per mode.
set -euo pipefail
dir=$1
out=$2
csv=$out/demo.csv
png=$out/demo.png

cp "$dir/data/demo.csv" "$csv" 2>/dev/null || : >"$csv"
cp "$dir/data/demo-summary.csv" "$out/demo-summary.csv" 2>/dev/null || true
[ "$(wc -l <"$csv")" -gt 1 ] || { echo "demo: no numbers to plot"; exit 1; }

for mode in hw legacy; do
	awk -F, -v m="$mode" '$1 == m { print $2, $5 }' "$csv" >"$out/demo-$mode.dat"
done
gnuplot <<-GP
	set terminal pngcairo noenhanced size 900,540 font "sans,11"
	set output "$png"
	set title "Pre-copy migration of DMA-written memory: pages sent per round"
	set xlabel "round (0 = full copy; last = stop-and-copy)"
	set ylabel "pages sent (log scale)"
	set logscale y
	set yrange [10:2e6]
	set grid
	set key top right
	set style data linespoints
	plot "$out/demo-hw.dat" using 1:(\$2 > 0 ? \$2 : 1) title "type1, IOMMU hardware dirty tracking" lw 2 pt 7, \
	     "$out/demo-legacy.dat" using 1:(\$2 > 0 ? \$2 : 1) title "type1, all-dirty (hw_dirty_tracking=0)" lw 2 pt 5
GP
rm -f "$out"/demo-hw.dat "$out"/demo-legacy.dat
echo "demo numbers: $csv"
echo "demo plot:    $png"
