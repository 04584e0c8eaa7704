#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench-report.sh BOOT-DIR OUTDIR [LEGACY-BOOT-DIR]: the benchmark's
# numbers (data/bench.csv of the boots' split consoles, in one CSV) copied
# to OUTDIR, a table of the ratios that carry over from TCG to hardware,
# and a PNG.  BOOT-DIR is the bench boot (SMMU with HTTU); the type1-legacy
# row comes from LEGACY-BOOT-DIR, bench-legacy: the same machine's SMMU
# without HTTU, in a separate boot of the same run, since a type1
# container on the SMMU with HTTU always tracks.  Runs from before that
# split have the row in BOOT-DIR.
set -euo pipefail
dir=$1
out=$2
legacy_dir=${3:-}
csv=$out/bench.csv

cp "$dir/data/bench.csv" "$csv" 2>/dev/null || : >"$csv"
legacy_from=""
if [ -n "$legacy_dir" ] && [ -f "$legacy_dir/data/bench.csv" ]; then
	if [ -s "$csv" ]; then
		tail -n +2 "$legacy_dir/data/bench.csv" >>"$csv"
	else
		cp "$legacy_dir/data/bench.csv" "$csv"
	fi
	grep -q '^type1-legacy,' "$legacy_dir/data/bench.csv" &&
		legacy_from=$(basename "$legacy_dir")
fi
[ "$(wc -l <"$csv")" -gt 1 ] || { echo "bench: no numbers"; exit 1; }

awk -F, '
# q A B: A / B, or 0 where a row is missing (its boot did not measure it)
function q(a, b) { return b ? a / b : 0 }
NR > 1 {
	key = $2 " " $3
	clean[$1, key] = $7; all[$1, key] = $9
	# The floor of the boot with HTTU (the last of its rows, as before)
	if ($1 != "type1-legacy") fl[key] = $4
	start[$1, key] = $5; stop[$1, key] = $6
	few[$1, key] = $10; pt[$1, key] = $12
	if (!(key in seen)) { seen[key] = 1; keys[n++] = key }
}
END {
	printf "%-9s %16s %16s %12s %12s %15s %14s %14s %9s %9s %14s\n",
	       "mapping", "hw clean/floor", "fd clean/floor", "hw/fd clean",
	       "hw/fd all", "hw clean us/GiB", "START us/GiB", "legacy us/GiB",
	       "hw prec", "fd prec", "tables KiB/GiB"
	for (i = 0; i < n; i++) {
		k = keys[i]; split(k, a, " "); gib = a[2] / 1024
		h = clean["type1-hw", k]; f = clean["iommufd", k]
		printf "%-9s %16.1f %16.1f %12.2f %12.2f %15.0f %14.0f %14.0f %8.1fx %8.1fx %14.0f\n",
		       a[2] "M/" a[1], q(h, fl[k]), q(f, fl[k]), q(h, f),
		       q(all["type1-hw", k], all["iommufd", k]), h / gib,
		       start["type1-hw", k] / gib, clean["type1-legacy", k] / gib,
		       few["type1-hw", k] / 64, few["iommufd", k] / 64,
		       pt["type1-hw", k] / gib
	}
}' "$csv" | tee "$out/bench-table.txt"
if [ -n "$legacy_from" ]; then
	echo "legacy us/GiB: type1's all-dirty answer, measured on the same machine's SMMU without HTTU (arm-smmuv3.httu=0), in a separate boot ($legacy_from) of the same run; the other columns come from the boot with HTTU" |
		tee -a "$out/bench-table.txt"
fi

for p in type1-hw type1-legacy iommufd; do
	for g in 4K 2M; do
		awk -F, -v p="$p" -v g="$g" 'NR > 1 && $1 == p && $2 == g {
			print $3, $7 / ($3 / 1024) }' "$csv" >"$out/b-$p-$g.dat"
	done
done
gnuplot <<-GP
	set terminal pngcairo noenhanced size 900,560 font "sans,11"
	set output "$out/bench.png"
	set title "GET_BITMAP with nothing dirty: time per GiB mapped (TCG, emulated SMMUv3)"
	set xlabel "mapped size (MiB)"
	set ylabel "microseconds per GiB (log scale)"
	set logscale xy 2
	set logscale y 10
	set grid
	set key outside right
	set style data linespoints
	plot "$out/b-type1-hw-4K.dat" title "type1 hw, 4K" lw 2, \
	     "$out/b-iommufd-4K.dat" title "iommufd, 4K" lw 2, \
	     "$out/b-type1-legacy-4K.dat" title "type1 all-dirty, 4K (SMMU without HTTU)" lw 2, \
	     "$out/b-type1-hw-2M.dat" title "type1 hw, 2M" lw 2 dt 2, \
	     "$out/b-iommufd-2M.dat" title "iommufd, 2M" lw 2 dt 2
GP
rm -f "$out"/b-*.dat
# The scale part: one GiB mapped again at each GiB of IOVA.
if cp "$dir/data/bench-scale.csv" "$out/bench-scale.csv" 2>/dev/null; then
	awk -F, 'NR == 2 { first = $4 }
	NR > 1 { printf "scale %6s MiB of IOVA: GET_BITMAP %9.0f us, %7.0f us/GiB, %5.2fx the first size per GiB\n",
		 $1, $3, $4, $4 / first }' "$out/bench-scale.csv" |
		tee "$out/bench-scale.txt"
fi
echo "bench numbers: $csv"
echo "bench plot:    $out/bench.png"
