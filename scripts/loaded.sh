#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# loaded.sh WHAT: run.sh WHAT (make test, by default) with a CPU hog
# taking the machine's cores for the whole run, builds included: the host
# a shared or busy machine is.  LOAD_CPUS (default: every core) stress-ng
# workers spin at the same priority as the run.  The verdict must be the
# one an idle machine gives; the time is printed at the end.
. "$(dirname "$0")/lib.sh"

what=${1:-test}
cpus=${LOAD_CPUS:-$(nproc)}
[[ $cpus =~ ^[0-9]+$ ]] || die "LOAD_CPUS=$cpus: give a number of workers"
bash "$TOP/scripts/deps.sh"
stage "loading the host: stress-ng --cpu $cpus for the whole run"
stress-ng --cpu "$cpus" --cpu-method matrixprod --timeout 0 --quiet &
hog=$!
trap 'kill "$hog" 2>/dev/null; wait "$hog" 2>/dev/null' EXIT
t0=$SECONDS
rc=0
bash "$TOP/scripts/run.sh" "$what" || rc=$?
kill -0 "$hog" 2>/dev/null || die "the CPU hog died during the run: the run was not loaded"
t=$((SECONDS - t0))
stage "make $what under a $cpus-worker CPU hog: exit $rc in $((t / 60)) min $((t % 60)) s"
exit $rc
