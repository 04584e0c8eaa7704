#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel series: patches/linux (mainline, build/linux) or, with
# KERNEL_FLAVOUR=lts, patches/linux-6.12 (the LTS backport, build/linux-6.12).
#
#   series.sh export   the tree's commits since the base tag become the
#                      series (git format-patch --cover-letter --base); the
#                      cover letter text is patches/<series>-cover-letter.txt
#   series.sh check    the series applies to the pristine base and every
#                      patch passes checkpatch.pl --strict; with
#                      CHECK_BUILD=1 the kernel also builds after each patch
. "$(dirname "$0")/lib.sh"

export_series() {
	[ -d "$KSRC/.git" ] || die "no kernel tree: run 'make tree' first"
	[ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ] ||
		die "${KSRC#"$TOP"/} has uncommitted changes: commit them first"
	local branch n cover=$KPATCHES-cover-letter.txt
	branch=$(git -C "$KSRC" symbolic-ref --short HEAD)
	n=$(git -C "$KSRC" rev-list --count "$BASE_TAG..HEAD")
	[ "$n" -gt 0 ] || die "no commits on top of the base"
	if [ -f "$cover" ]; then
		git -C "$KSRC" config "branch.$branch.description" "$(cat "$cover")"
	fi
	mkdir -p "$KPATCHES"
	rm -f "$KPATCHES"/*.patch
	git -C "$KSRC" format-patch -q --cover-letter --cover-from-description=subject \
		--base="$BASE_TAG" -o "$KPATCHES" "$BASE_TAG..HEAD"
	git -C "$KSRC" config smmu.series "$(patches_sha "$KPATCHES")"
	git -C "$KSRC" config smmu.applied "$(git -C "$KSRC" rev-parse HEAD)"
	stage "exported $n patches and a cover letter to ${KPATCHES#"$TOP"/}"
}

# only_fixture_macro LOG: every problem checkpatch reported in LOG is
# COMPLEX_MACRO on a "#define FIXTURE_VARIANT_ADD_IOMMU_MODE(" line.
only_fixture_macro() {
	local kinds macros
	kinds=$(grep -cE '^(ERROR|WARNING|CHECK):' "$1" || true)
	macros=$(grep -A2 '^ERROR:COMPLEX_MACRO:' "$1" |
		grep -c '^+#define FIXTURE_VARIANT_ADD_IOMMU_MODE(' || true)
	[ "$kinds" -gt 0 ] && [ "$kinds" -eq "$macros" ]
}

check_series() {
	[ -d "$KSRC/.git" ] || bash "$TOP/scripts/kernel.sh" tree
	local wt=$BUILD/series-check p bad=0 i=0
	stage "checking ${KPATCHES#"$TOP"/}"
	mkdir -p "$BUILD/logs"
	rm -rf "$wt"
	git -C "$KSRC" worktree prune
	git -C "$KSRC" worktree add -q --detach "$wt" "$BASE_TAG"
	for p in "$KPATCHES"/*.patch; do
		[ -e "$p" ] || break
		case $(basename "$p") in 0000-*) continue ;; esac
		i=$((i + 1))
		if ! git -C "$wt" am -q --committer-date-is-author-date "$p"; then
			echo "FAIL apply     $(basename "$p")"
			git -C "$wt" am --abort || true
			bad=1
			break
		fi
		# The base is a tarball without upstream history, so checkpatch
		# cannot look up the ids in Fixes: tags (checked by hand), and
		# a new file always asks about MAINTAINERS, even in a directory
		# that MAINTAINERS covers (the series adds selftests/vfio there).
		# spdxcheck.py needs Debian's python3 with ply and git.
		# One false positive is accepted, by name: COMPLEX_MACRO on the
		# FIXTURE_VARIANT_ADD_IOMMU_MODE() a test defines for upstream's
		# FIXTURE_VARIANT_ADD_ALL_IOMMU_MODES() (a declaration, which
		# cannot be parenthesized; upstream's own VFIO tests get the same).
		if (cd "$wt" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict -q \
			--show-types --ignore UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES "$p" \
			>"$BUILD/logs/checkpatch-$i.log" 2>&1); then
			echo "ok   checkpatch $(basename "$p")"
		elif only_fixture_macro "$BUILD/logs/checkpatch-$i.log"; then
			echo "ok   checkpatch $(basename "$p") (COMPLEX_MACRO on FIXTURE_VARIANT_ADD_IOMMU_MODE, accepted)"
		else
			echo "FAIL checkpatch $(basename "$p")"
			sed 's/^/     /' "$BUILD/logs/checkpatch-$i.log"
			bad=1
		fi
		if [ "${CHECK_BUILD:-0}" = 1 ]; then
			if make -C "$wt" O="$BUILD/series-obj" ARCH=arm64 CROSS_COMPILE="$CROSS" \
				CC="ccache ${CROSS}gcc" HOSTCC="ccache gcc" -j"$JOBS" \
				KCONFIG_ALLCONFIG="$KOBJ/fragments.config" allnoconfig \
				>"$BUILD/logs/series-build-$i.log" 2>&1 &&
			   make -C "$wt" O="$BUILD/series-obj" ARCH=arm64 CROSS_COMPILE="$CROSS" \
				CC="ccache ${CROSS}gcc" HOSTCC="ccache gcc" -j"$JOBS" W=1 Image \
				>>"$BUILD/logs/series-build-$i.log" 2>&1; then
				echo "ok   build      $(basename "$p")"
			else
				echo "FAIL build      $(basename "$p") (build/logs/series-build-$i.log)"
				bad=1
			fi
		fi
	done
	git -C "$KSRC" worktree remove --force "$wt"
	[ $bad -eq 0 ] || die "the series has problems (above)"
	stage "${KPATCHES#"$TOP"/} ok: $i patches apply to $BASE_TAG and pass checkpatch --strict"
}

case ${1:-} in
export) export_series ;;
check) check_series ;;
*) die "usage: $0 export|check" ;;
esac
