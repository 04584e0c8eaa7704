#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build everything that is out of date, boot the guest on SUITE and report.
#
#   run.sh test    every test; ends with "N passed, N failed, N skipped"
#   run.sh demo    the demo
. "$(dirname "$0")/lib.sh"

suite=${1:-test}
bash "$TOP/scripts/deps.sh"
bash "$TOP/scripts/kernel.sh" build
bash "$TOP/scripts/kernel.sh" selftests
bash "$TOP/scripts/qemu.sh" build
bash "$TOP/scripts/initramfs.sh"

run=$OUT/$suite-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
ln -sfn "$(basename "$run")" "$OUT/$suite-latest"
stage "booting the guest: suite '$suite' (console: $run/console.log)"
rc=0
bash "$TOP/scripts/run-guest.sh" "$suite" "$run/console.log" || rc=$?
stage "guest finished (qemu exit $rc); results:"
status=0
python3 "$TOP/scripts/report.py" "$run/console.log" "$TOP/tests/known-failures" |
	tee "$run/report.txt" || status=$?
echo "console log: $run/console.log"
exit $status
