#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build everything that is out of date, boot the guest once per test plan
# and report.
#
#   run.sh test    the reporter's own test, then the boots httu (HTTU on),
#                  upstream (upstream's VFIO selftests), iommufd (the
#                  iommufd selftests, apart: lockdep), igb (the dirty
#                  tests on QEMU's igb, a second device model),
#                  httu0 (HTTU off: the fallback), noril (no range
#                  invalidation), nobbml (no BBML2: blocks are not split),
#                  lts (the 6.12 backport), nested (the
#                  real VMM), and walk and walk-bbml1 (the emulated SMMU
#                  driven with no kernel driver), all on mainline but
#                  lts; ends with
#                  "N passed, N failed, N skipped"
#   run.sh demo    the boots demo, demo-legacy (the same migration on the
#                  SMMU without HTTU: type1's all-dirty way) and nested
#   run.sh bench   the boots bench (the lean kernel) and bench-legacy (its
#                  type1-legacy row, on the SMMU without HTTU), one at a
#                  time
#   run.sh stress  the boot stress (make stress); stress-kcsan: the same
#                  on the KCSAN kernel
#   run.sh nested-base  the boot nested with the unmodified base as host
#   run.sh nested-compat  the boot nested with the compat flavour as host,
#                  whose /dev/vfio/vfio is iommufd's type1 compatibility:
#                  the legacy container rows (compat, compat-stock) next to
#                  iommufd's, over NESTED_SEEDS (1,2,3,4,5)
#
# BOOTS=a,b limits a run to those boots; SUITE_TIMEOUT_SCALE=X multiplies
# every suite's time limit (guest/init.c).
# Each boot's console goes to out/<what>-<date>/<boot>.log; scripts/report.sh
# reads them once (make report RUN=out/<what>-<date> reads them again).
. "$(dirname "$0")/lib.sh"

what=${1:-test}
case $what in
test) boots=(httu upstream iommufd igb httu0 noril nobbml lts nested walk walk-bbml1) ;;
demo) boots=(demo demo-legacy nested) ;;
bench) boots=(bench bench-legacy) ;;
stress | stress-kcsan) boots=("$what") ;;
nested-base | nested-compat) boots=(nested) ;;
*) die "usage: $0 test|demo|bench|stress|stress-kcsan|nested-base|nested-compat" ;;
esac
# BOOTS=a,b: only these of the target's boots (for developers; the report
# then reads only them).
if [ -n "${BOOTS:-}" ]; then
	picked=()
	for b in ${BOOTS//,/ }; do
		case " ${boots[*]} " in
		*" $b "*) picked+=("$b") ;;
		*) die "BOOTS=$BOOTS: $b is not a boot of '$what' (${boots[*]})" ;;
		esac
	done
	boots=("${picked[@]}")
fi

# Boots at a time (below); VERBOSE=1 streams one console, so one boot.
# The bench's boots take one at a time: each one's times are its own.
jobs=${BOOT_JOBS:-$([ "${VERBOSE:-0}" = 1 ] || [ "$what" = bench ] && echo 1 || echo 2)}
[[ $jobs =~ ^[1-9]$ ]] || die "BOOT_JOBS=$jobs: give a number of boots from 1 to 9"

# The kernel flavours the boots need; bench builds only the lean kernel.
flavours=()
for b in "${boots[@]}"; do
	f=$(plan_opt "$b" kernel)
	flavours+=("${f:-debug}")
done
[ "$what" = nested-base ] && flavours+=(base)
[ "$what" = nested-compat ] && flavours+=(compat)
mapfile -t flavours < <(printf '%s\n' "${flavours[@]}" | sort -u)

bash "$TOP/scripts/deps.sh"
for f in "${flavours[@]}"; do
	KERNEL_FLAVOUR=$f bash "$TOP/scripts/kernel.sh" build
done
# The selftests and the initramfs of each kernel line booted: the LTS
# line's from lts, mainline's from its first other flavour (base: lean).
main_flavour=
for f in "${flavours[@]}"; do
	case $f in
	lts) KERNEL_FLAVOUR=lts bash "$TOP/scripts/kernel.sh" selftests
	     KERNEL_FLAVOUR=lts bash "$TOP/scripts/initramfs.sh" ;;
	*) [ -n "$main_flavour" ] || main_flavour=$f ;;
	esac
done
case $main_flavour in base | compat) main_flavour=lean ;; esac
if [ -n "$main_flavour" ]; then
	KERNEL_FLAVOUR=$main_flavour bash "$TOP/scripts/kernel.sh" selftests
	KERNEL_FLAVOUR=$main_flavour bash "$TOP/scripts/initramfs.sh"
fi
bash "$TOP/scripts/qemu.sh" build
case " ${boots[*]} " in
*" nested "*)
	bash "$TOP/scripts/qemu.sh" inner
	bash "$TOP/scripts/nested.sh" rootfs ;;
esac

run=$OUT/$what-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
ln -sfn "$(basename "$run")" "$OUT/$what-latest"
bash "$TOP/scripts/versions.sh" show >"$run/versions.txt"
sed 's/^/    /' "$run/versions.txt"
: >"$run/boots"

# boot NAME [QEMU ARGS...]: boot the plan NAME; its console is $run/NAME.log
boot() {
	local name=$1 rc=0
	shift
	plan_suites "$name" >"$run/$name.plan"
	plan_opt "$name" qemulog | sed 's/^/@qemulog /' >>"$run/$name.plan"
	plan_opt "$name" console | sed 's/^/@console /' >>"$run/$name.plan"
	plan_opt "$name" qemu | sed 's/^/@qemu /' >>"$run/$name.plan"
	stage "booting the guest: $name (console: $run/$name.log)"
	bash "$TOP/scripts/run-guest.sh" "$name" "$run/$name.log" "$@" || rc=$?
	stage "guest $name finished (qemu exit $rc)"
}

# The real VMM: Debian's QEMU 10 live-migrates a nested guest inside the
# emulated host.  The host runs the lean kernel (KVM at EL2 under TCG is
# too slow with KASAN and lockdep), or the base flavour for nested-base,
# which guest/nested/l1-migrate.sh is told by VFIO_DIRTY_EXPECT_HW=0: its
# IOMMU does not track for type1.
nested() {
	local append=${GUEST_APPEND:-}
	case ${1:-} in
	base) append+=" VFIO_DIRTY_EXPECT_HW=0" ;;
	# The legacy container rows through iommufd's type1 compatibility,
	# next to iommufd's own, each over the same seeds
	compat) NESTED_ARGS="--rows compat,iommufd --rows-once compat-stock --seeds ${NESTED_SEEDS:-1,2,3,4,5} ${NESTED_ARGS:-}"
		export NESTED_ARGS ;;
	esac
	bash "$TOP/scripts/nested.sh" initramfs
	GUEST_INITRD=$BUILD/nested/l1.cpio GUEST_FLAVOUR=${1:-} GUEST_APPEND=$append boot nested
}

if [ "$what" = test ]; then
	# The reporter itself: bad runs must come out red.
	echo harness >>"$run/boots"
	bash "$TOP/scripts/report-selftest.sh" "$run/harness.log" || true
	# What the project's QEMU must refuse or say, without a guest.
	bash "$TOP/scripts/qemu-selftest.sh" >>"$run/harness.log" || true
fi
# The report reads the boots in this order, whatever order they ran in.
printf '%s\n' "${boots[@]}" >>"$run/boots"

# run_boot NAME: one boot, as the plan's name says.
run_boot() {
	case $what/$1 in
	nested-base/nested) nested base ;;
	nested-compat/nested) nested compat ;;
	*/nested) nested ;;
	*) boot "$1" ;;
	esac
}

# BOOT_JOBS boots at a time; with more than one, the longest first.  A
# boot under TCG keeps about 1.1 of the 2 cores busy (one vCPU is often
# idle), so two at a time finish sooner.  No check compares times (the
# nested run judges dirty bitmaps); the timeouts leave wide margins.  A
# boot that could not start (its set-up failed) is named, and the run
# fails after the report.
order=("${boots[@]}")
if [ "$jobs" -gt 1 ]; then
	order=()
	for b in httu igb lts iommufd nested httu0 nobbml upstream noril walk walk-bbml1; do
		case " ${boots[*]} " in *" $b "*) order+=("$b") ;; esac
	done
	for b in "${boots[@]}"; do
		case " ${order[*]} " in *" $b "*) ;; *) order+=("$b") ;; esac
	done
fi
failed=()
declare -A name_of=()
# reap: wait for one boot to end; remember it when it failed.
reap() {
	local pid='' rc=0
	wait -n -p pid || rc=$?
	[ -n "$pid" ] || die "lost track of the boots (wait: $rc)"
	[ "$rc" -eq 0 ] || failed+=("${name_of[$pid]:-$pid} (exit $rc)")
	unset "name_of[$pid]"
}
for b in "${order[@]}"; do
	[ "${#name_of[@]}" -lt "$jobs" ] || reap
	run_boot "$b" &
	name_of[$!]=$b
done
while [ "${#name_of[@]}" -gt 0 ]; do
	reap
done

status=0
bash "$TOP/scripts/report.sh" "$run" || status=$?
# Not a test: the base is expected to lose pages through iommufd.
[ "$what" = nested-base ] && status=0
# A boot that could not start fails every run, nested-base's too.
if [ "${#failed[@]}" -gt 0 ]; then
	echo "boots that could not start (their error is above): ${failed[*]}" >&2
	status=1
fi
exit $status
