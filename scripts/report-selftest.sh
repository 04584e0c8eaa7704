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

# What QEMU prints at exit: the emulated SMMU's count of reports
oracle='qemu-system-aarch64: /machine/smmuv3: x-stale-tlb-check: 0 report(s)'
good() {
	printf '@@ begin s\nTAP version 13\n1..3\nok 1 a\nok 2 b # SKIP why\nok 3 c\n@@ end s status=0\n@@ done\n'
	echo "$oracle"
}

# check NAME EXPECTED-EXIT [PATTERN...]: report.py on $tmp/log exits as
# expected (and prints, for each PATTERN, an extended regex, a line that
# matches it)
check() {
	local rc=0 seen=1 name=$1 want=$2 pat
	python3 "$top/scripts/report.py" "$tmp/known" "$tmp/log" >"$tmp/out" 2>&1 || rc=$?
	n=$((n + 1))
	shift 2
	for pat in "$@"; do
		grep -qE "$pat" "$tmp/out" || seen=0
	done
	set -- "$name" "$want"
	if [ $seen = 1 ] && { { [ "$2" = 0 ] && [ $rc -eq 0 ]; } ||
				{ [ "$2" != 0 ] && [ $rc -ne 0 ]; }; }; then
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
		'@@ end k status=0' '@@ done' "$oracle" >"$tmp/log"
	check "KTAP subtests that keep their plans are green" 0
	good >"$tmp/log"; printf 's 60 /bin/s\nt 60 /bin/t\n' >"$tmp/log.plan"
	check "a suite of the boot's plan that never ran is red" 1
	printf 's 60 /bin/s\n' >"$tmp/log.plan"
	check "a boot that ran its whole plan is green" 0
	rm -f "$tmp/log.plan"
	# A plan's @console checks, over the console and QEMU's own log
	good >"$tmp/log"
	printf 's 60 /bin/s\n@console none dirty_set\n@console some ha=1\n' >"$tmp/log.plan"
	echo "smmuv3_decode_cd_httu asid=1 ha=1 hd=1" >"$tmp/log.qemu.log"
	check "@console checks that hold are green" 0 'ok console: 1 line\(s\) match /ha=1/'
	echo "smmu_ptw_dirty_set level=3 iova=0x1000" >>"$tmp/log.qemu.log"
	check "@console none, with a matching line in QEMU's log, is red" 1 \
		'not ok console: 1 line\(s\) match /dirty_set/'
	echo "smmuv3_decode_cd_httu asid=1 ha=0 hd=0" >"$tmp/log.qemu.log"
	check "@console some, with no matching line, is red" 1 \
		'not ok console: 0 line\(s\) match /ha=1/'
	printf 's 60 /bin/s\n@qemulog on\n@console none dirty_set\n' >"$tmp/log.plan"
	rm -f "$tmp/log.qemu.log"
	check "@qemulog on without QEMU's log is red" 1 'and there is none'
	echo "smmuv3: missed invalidation: sid 0x8 asid 1 iova 0x1000" >"$tmp/log.qemu.log"
	printf 's 60 /bin/s\n' >"$tmp/log.plan"
	check "a missed-invalidation report in QEMU's own log is red" 1
	rm -f "$tmp/log.plan" "$tmp/log.qemu.log"
	{ good; echo "smmuv3: missed invalidation: sid 0x8 asid 1 iova 0x1000"; } >"$tmp/log"
	check "a missed-invalidation report from the emulated SMMU is red" 1
	long=$(printf 'x%.0s' $(seq 300))
	good | sed "/^ok 2 b/a smmu: missed TLB invalidation: sid 0x8 $long; the reason" >"$tmp/log"
	check "a report names its suite and is printed whole" 1 \
		'\(during s\): smmu: missed TLB invalidation: sid 0x8 x+; the reason$'
	good | sed 's/: 0 report(s)/: 3 report(s) (-d guest_errors names them)/' >"$tmp/log"
	check "a count of missed invalidations printed at exit is red" 1 \
		'3 report\(s\) at exit'
	good | grep -v x-stale-tlb-check >"$tmp/log"
	check "a QEMU that exits without the oracle's count is red" 1 \
		'did not print its count'
	printf 's 60 /bin/s\n@qemu -global arm-smmuv3.x-stale-tlb-check=off\n' >"$tmp/log.plan"
	check "a plan that turns the oracle off needs no count" 0
	good >"$tmp/log"
	check "a plan that turns the oracle off, and a count, is red" 1 \
		'printed its count'
	rm -f "$tmp/log.plan"
	# Time limits: reported as timed out, apart from failures, and red.
	: >"$tmp/known"
	good | sed 's/^@@ end s status=0/@@ end s timeout after 61 s (limit 60 s)/' >"$tmp/log"
	check "a suite killed at its limit is red, reported as timed out" 1 \
		'^  s: timed out after 61 s \(limit 60 s\)$' \
		'^2 passed, 0 failed, 1 skipped, 1 timed out$'
	ksft() {
		printf '%s\n' '@@ begin s' 'TAP version 13' '1..2' 'ok 1 f.v.a' \
			'# b: Test terminated by timeout' 'not ok 2 f.v.b' \
			'@@ end s status=1' '@@ done' "$oracle"
	}
	ksft >"$tmp/log"
	check "a test killed by the kselftest harness's own limit is red, as timed out" 1 \
		'f\.v\.b: timed out'
	echo "s f.v.b [timeout] upstream's 30 s" >"$tmp/known"
	check "a limit-bound test that times out is not counted" 0 \
		'\(1 passed, 0 failed, 0 skipped, 1 limit-bound\)'
	ksft | sed 's/^not ok 2 f.v.b/ok 2 f.v.b/; s/status=1/status=0/' >"$tmp/log"
	check "a limit-bound test that passes is counted the same" 0 \
		'\(1 passed, 0 failed, 0 skipped, 1 limit-bound\)'
	ksft | sed '/terminated by timeout/d' >"$tmp/log"
	check "a limit-bound test that fails otherwise is red" 1 'f\.v\.b$'
	: >"$tmp/known"
	{ good | sed '/^@@ end/,$d'; echo '@@ host: guest timed out after 1510 s (limit 1500 s)'; } >"$tmp/log"
	check "a guest killed at the boot's limit is red, reported as timed out" 1 \
		'the guest timed out after 1510 s \(limit 1500 s\)'
	echo "1..$n"
	echo "@@ end harness/report status=$fail"
	echo "@@ done"
} >"$1"
exit $fail
