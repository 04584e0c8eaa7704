#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# report-selftest.sh OUT: check that report.py turns bad runs red.  Feeds it
# made-up console logs and writes the results, framed like a guest suite,
# to OUT, so that they are counted with the guest's.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0

good() {
	printf '@@ begin s\nTAP version 13\n1..3\nok 1 a\nok 2 b # SKIP why\nok 3 c\n@@ end s status=0\n@@ done\n'
}

# check NAME EXPECTED-EXIT: report.py on $tmp/log exits as expected
check() {
	local rc=0
	python3 "$top/scripts/report.py" "$tmp/known" "$tmp/log" >"$tmp/out" 2>&1 || rc=$?
	n=$((n + 1))
	if { [ "$2" = 0 ] && [ $rc -eq 0 ]; } || { [ "$2" != 0 ] && [ $rc -ne 0 ]; }; then
		echo "ok $n $1"
	else
		echo "not ok $n $1 (exit $rc)"
		sed 's/^/# /' "$tmp/out"
		fail=1
	fi
}

{
	echo "@@ begin harness/report"
	echo "TAP version 13"
	: >"$tmp/known"
	good >"$tmp/log"; check "a clean run is green" 0
	{ good; echo "WARNING: CPU: 1 PID: 42 at drivers/iommu/x.c:1 f+0x0/0x0"; } >"$tmp/log"
	check "a kernel WARNING is red" 1
	{ good; echo "BUG: KASAN: slab-out-of-bounds in f+0x1/0x2"; } >"$tmp/log"
	check "a KASAN report is red" 1
	{ good; echo "WARNING: possible circular locking dependency detected"; } >"$tmp/log"
	check "a lockdep splat is red" 1
	{ good; echo "INFO: task init:1 blocked for more than 60 seconds."; } >"$tmp/log"
	check "a hung task is red" 1
	good | sed 's/^ok 1 a/not ok 1 a/' >"$tmp/log"; check "a failing test is red" 1
	good | sed '/^@@ done/d' >"$tmp/log"; check "a run that does not finish (panic, timeout) is red" 1
	good | sed '/^@@ end/d' >"$tmp/log"; check "a suite that does not finish is red" 1
	printf '@@ begin s\n@@ end s status=0\n@@ done\n' >"$tmp/log"; check "a suite with no results is red" 1
	printf '@@ done\n' >"$tmp/log"; check "no tests at all is red" 1
	good | sed 's/status=0/signal=11/' >"$tmp/log"; check "a crashed suite is red" 1
	good | sed 's/^ok 1 a/not ok 1 a/' >"$tmp/log"; echo "s a known" >"$tmp/known"
	check "a known failure is not counted" 0
	good >"$tmp/log"; check "a known failure that passes is red" 1
	good | sed 's/^ok 1 a/not ok 1 a/; s/status=0/status=1/' >"$tmp/log"
	check "a known failure explains a non-zero exit" 0
	: >"$tmp/known"
	good | sed 's/status=0/status=1/' >"$tmp/log"
	check "a non-zero exit with no failing result is red" 1
	good | sed 's/^1\.\.3/1..6/' >"$tmp/log"
	check "a program that stops after 3 of its 6 planned results is red" 1
	good | sed 's/^1\.\.3/1..2/' >"$tmp/log"; check "more results than planned is red" 1
	good | sed '/^1\.\.3/d' >"$tmp/log"; check "results without a plan are red" 1
	printf '@@ begin s\nTAP version 13\n1..3\nok 1 a\n@@ end s status=0\n@@ done\n' >"$tmp/log"
	check "a suite that ends early, exiting 0, is red" 1
	printf '%s\n' '@@ begin k' 'KTAP version 1' '1..1' '    KTAP version 1' \
		'    # Subtest: t' '    1..3' '    ok 1 x' '    ok 2 y' 'ok 1 t' \
		'@@ end k status=0' '@@ done' >"$tmp/log"
	check "a KTAP subtest that misses one of its planned results is red" 1
	printf '%s\n' '@@ begin k' 'KTAP version 1' '1..2' '    KTAP version 1' \
		'    # Subtest: t' '    1..2' '    ok 1 x' '    ok 2 y' 'ok 1 t' \
		'    KTAP version 1' '    # Subtest: u' '    1..1' '    ok 1 z' 'ok 2 u' \
		'@@ end k status=0' '@@ done' >"$tmp/log"
	check "KTAP subtests that keep their plans are green" 0
	good >"$tmp/log"; printf 's 60 /bin/s\nt 60 /bin/t\n' >"$tmp/log.plan"
	check "a suite of the boot's plan that never ran is red" 1
	printf 's 60 /bin/s\n' >"$tmp/log.plan"
	check "a boot that ran its whole plan is green" 0
	rm -f "$tmp/log.plan"
	{ good; echo "smmuv3: missed invalidation: sid 0x8 asid 1 iova 0x1000"; } >"$tmp/log"
	check "a missed-invalidation report from the emulated SMMU is red" 1
	echo "1..$n"
	echo "@@ end harness/report status=$fail"
	echo "@@ done"
} >"$1"
exit $fail
