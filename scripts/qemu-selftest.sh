#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# qemu-selftest.sh: what the project's QEMU (patches/qemu) must refuse or
# say, checked on the host without a guest, framed as the suite
# harness/qemu (appended to the reporter's own log by run.sh):
#   - httu with stage 2 or nested (stage 2 makes no descriptor updates);
#   - out-of-range httu and x-bbml;
#   - with x-stale-tlb-check, the oracle's count printed at exit, and the
#     read-only property x-missed-invalidations.
. "$(dirname "$0")/lib.sh"

n=0
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# qemu ARGS...: start the virt machine with an SMMUv3, stopped, run the
# monitor commands in $cmds (lines), and quit
cmds=
qemu() {
	printf '%s\nquit\n' "$cmds" |
		timeout 60 "$QEMU" -M virt,iommu=smmuv3 -cpu max -S -nodefaults \
		-display none -monitor stdio "$@" >"$out" 2>&1
}

# check NAME WANT-EXIT PATTERN QEMU-ARGS...: exit status zero or not, and
# a line of QEMU's output matching PATTERN (!PATTERN: none matching)
check() {
	local name=$1 want=$2 pat=$3 rc=0 seen=1
	shift 3
	qemu "$@" || rc=$?
	n=$((n + 1))
	case $pat in
	!*) ! grep -qE -- "${pat#!}" "$out" || seen=0 ;;
	*) grep -qE -- "$pat" "$out" || seen=0 ;;
	esac
	if [ $seen = 1 ] && { { [ "$want" = 0 ] && [ $rc -eq 0 ]; } ||
				{ [ "$want" != 0 ] && [ $rc -ne 0 ]; }; }; then
		echo "ok $n $name"
	else
		echo "not ok $n $name (exit $rc)"
		sed 's/^/# /' "$out"
		fail=1
	fi
}

g() { printf -- '-global arm-smmuv3.%s ' "$@"; }

echo "@@ begin harness/qemu"
echo "TAP version 13"
# shellcheck disable=SC2046
{
	check "httu=2 with stage=2 is refused" 1 'needs stage=1' $(g httu=2 stage=2)
	check "httu=2 with stage=nested is refused" 1 'needs stage=1' $(g httu=2 stage=nested)
	check "httu=3 is refused" 1 'httu=3' $(g httu=3)
	check "x-bbml=3 is refused" 1 'x-bbml=3' $(g x-bbml=3)
	check "httu=2 on stage 1 starts" 0 'x-stale-tlb-check: 0 report' \
		$(g httu=2 x-stale-tlb-check=on)
	# The SMMU's QOM path, from the tree; then its count, which is read-only
	cmds='info qom-tree'
	qemu $(g httu=2 x-stale-tlb-check=on) || true
	smmu=$(tr -d "\r" <"$out" | sed -n "s|^ *\\(/device\\[[0-9]*\\]\\) (arm-smmuv3).*|/machine/unattached\\1|p")
	cmds="qom-get $smmu x-missed-invalidations"
	check "the oracle's count is a property, 0" 0 '^0[[:space:]]*$' \
		$(g httu=2 x-stale-tlb-check=on)
	cmds="qom-set $smmu x-missed-invalidations 5"
	check "the oracle's count cannot be set" 0 'Insufficient permission|read-only|not writable' \
		$(g httu=2 x-stale-tlb-check=on)
	cmds=
	check "without the oracle, no count at exit" 0 '!x-stale-tlb-check' $(g httu=2)
}
echo "1..$n"
echo "@@ end harness/qemu status=$fail"
exit $fail
