#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# demo-plot.sh BOOT-DIR OUTDIR [LEGACY-BOOT-DIR]: the migration demo's
# numbers (data/demo.csv and data/demo-summary.csv of the boots' split
# consoles) copied to OUTDIR, and a PNG plot of the pages sent per round,
# one line per mode.  BOOT-DIR is the boot whose IOMMU tracks (demo),
# LEGACY-BOOT-DIR the boot of the same run on the same SMMU without HTTU
# (demo-legacy), where type1 reports every page dirty: a type1 container
# on the SMMU with HTTU always tracks, so the two ways take two boots.
# Runs from before that split have both modes in BOOT-DIR.
set -euo pipefail
dir=$1
out=$2
legacy_dir=${3:-}
csv=$out/demo.csv
png=$out/demo.png

# cat_csv NAME: the header and rows of data/NAME of both boots, the
# header once
cat_csv() {
	local f first=1
	for f in "$dir/data/$1" ${legacy_dir:+"$legacy_dir/data/$1"}; do
		[ -f "$f" ] || continue
		if [ $first = 1 ]; then cat "$f"; else tail -n +2 "$f"; fi
		first=0
	done
}
cat_csv demo.csv >"$csv"
cat_csv demo-summary.csv >"$out/demo-summary.csv"
[ "$(wc -l <"$csv")" -gt 1 ] || { echo "demo: no numbers to plot"; exit 1; }

for mode in hw legacy; do
	awk -F, -v m="$mode" '$1 == m { print $2, $5 }' "$csv" >"$out/demo-$mode.dat"
done
# Where the all-dirty curve comes from, when it is there
legacy_from=""
if [ -s "$out/demo-legacy.dat" ] && [ -n "$legacy_dir" ] &&
	grep -q '^legacy,' "$legacy_dir/data/demo.csv" 2>/dev/null; then
	legacy_from="the all-dirty way: the same machine's SMMU without HTTU, in a separate boot ($(basename "$legacy_dir")) of the same run"
	echo "demo: $legacy_from"
fi
# The ratio the demo's single boot printed before: pages sent, both ways
awk -F, '$1 == "hw" { hs = $3; hf = $4 } $1 == "legacy" { ls = $3; lf = $4 }
END { if (hs && ls)
	printf "demo: IOMMU tracking sent %.1fx fewer pages than all-dirty, %.1fx fewer in the final round\n",
	       ls / hs, lf / (hf ? hf : 1) }' "$out/demo-summary.csv"
gnuplot <<-GP
	set terminal pngcairo noenhanced size 900,540 font "sans,11"
	set output "$png"
	set title "Pre-copy migration of DMA-written memory: pages sent per round${legacy_from:+\n(all-dirty: the SMMU without HTTU, a separate boot of the same run)}"
	set xlabel "round (0 = full copy; last = stop-and-copy)"
	set ylabel "pages sent (log scale)"
	set logscale y
	set yrange [10:2e6]
	set grid
	set key top right
	set style data linespoints
	plot "$out/demo-hw.dat" using 1:(\$2 > 0 ? \$2 : 1) title "type1, IOMMU hardware dirty tracking" lw 2 pt 7, \
	     "$out/demo-legacy.dat" using 1:(\$2 > 0 ? \$2 : 1) title "type1, all-dirty (SMMU without HTTU)" lw 2 pt 5
GP
rm -f "$out"/demo-hw.dat "$out"/demo-legacy.dat
echo "demo numbers: $csv"
echo "demo plot:    $png"
