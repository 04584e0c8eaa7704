#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel series: patches/linux (mainline, build/linux) or, with
# KERNEL_FLAVOUR=lts, patches/linux-6.12 (the LTS backport, build/linux-6.12).
#
#   series.sh export   the tree's commits since the base tag become the
#                      series (git format-patch --cover-letter --base).
#                      With an INDEX (mainline: patches/linux/INDEX) the
#                      commits are cut into its postings, in order, each a
#                      directory with its own cover letter (the text is
#                      <posting>/cover-letter.txt, its first line the
#                      subject) and the To/Cc that scripts/get_maintainer.pl
#                      gives for it; otherwise the cover letter text is
#                      patches/<series>-cover-letter.txt
#   series.sh check    the series applies to the pristine base, every
#                      posting whose INDEX line says it needs none applies
#                      to the base alone, and every patch passes
#                      checkpatch.pl --strict; with CHECK_BUILD=1 the kernel
#                      also builds after each patch
. "$(dirname "$0")/lib.sh"

export_series() {
	[ -d "$KSRC/.git" ] || die "no kernel tree: run 'make tree' first"
	[ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ] ||
		die "${KSRC#"$TOP"/} has uncommitted changes: commit them first"
	local branch n cover=$KPATCHES-cover-letter.txt
	n=$(git -C "$KSRC" rev-list --count "$BASE_TAG..HEAD")
	[ "$n" -gt 0 ] || die "no commits on top of the base"
	if [ -f "$KPATCHES/INDEX" ]; then
		export_postings "$KSRC" "$KPATCHES"
	else
		branch=$(git -C "$KSRC" symbolic-ref --short HEAD)
		if [ -f "$cover" ]; then
			git -C "$KSRC" config "branch.$branch.description" "$(cat "$cover")"
		fi
		mkdir -p "$KPATCHES"
		rm -f "$KPATCHES"/*.patch
		git -C "$KSRC" format-patch -q --cover-letter --cover-from-description=subject \
			--base="$BASE_TAG" -o "$KPATCHES" "$BASE_TAG..HEAD"
	fi
	git -C "$KSRC" config smmu.series "$(patches_sha "$KPATCHES")"
	git -C "$KSRC" config smmu.applied "$(git -C "$KSRC" rev-parse HEAD)"
	stage "exported $n patches to ${KPATCHES#"$TOP"/}"
}

# only_accepted LOG: every problem checkpatch reported in LOG is one of the
# two accepted by name: COMPLEX_MACRO on a "#define
# FIXTURE_VARIANT_ADD_IOMMU_MODE(" line, or (6.12's checkpatch only)
# BAD_SIGN_OFF on "Assisted-by: LLM".
only_accepted() {
	local kinds macros assisted
	kinds=$(grep -cE '^(ERROR|WARNING|CHECK):' "$1" || true)
	macros=$(grep -A2 '^ERROR:COMPLEX_MACRO:' "$1" |
		grep -c '^+#define FIXTURE_VARIANT_ADD_IOMMU_MODE(' || true)
	assisted=$(grep -A3 "^WARNING:BAD_SIGN_OFF: Assisted-by expects 'AGENT_NAME:MODEL_VERSION" "$1" |
		grep -c '^Assisted-by: LLM$' || true)
	[ "$kinds" -gt 0 ] && [ "$kinds" -eq $((macros + assisted)) ]
}

# The check's object directory, one per kernel line (its .config is that
# line's fragments on allnoconfig, made once; builds are incremental).
SOBJ=$BUILD/series-obj-$(basename "$KSRC")

# omake OBJ WT ARGS...: make in worktree WT, objects in OBJ.
omake() {
	local obj=$1 wt=$2
	shift 2
	make -C "$wt" O="$obj" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		CC="ccache ${CROSS}gcc" HOSTCC="ccache gcc" -j"$JOBS" "$@"
}

# smake WT ARGS...: make in the check's worktree and object directory.
smake() {
	omake "$SOBJ" "$@"
}

# check_build WT N PATCH: after PATCH (the Nth), build what it touched:
# the kernel directories of its files (every directory the series builds
# for a header), W=1; the selftests it touched; and, at the last patch of
# a posting (and of a series without postings), the whole Image, which
# links.  Documentation is not built (no Sphinx here).
check_build() {
	local wt=$1 n=$2 p=$3 log=$BUILD/logs/series-build-$2.log f t next warned
	local -a dirs=() tests=()
	: >"$log"
	if [ ! -f "$SOBJ/.config" ]; then
		smake "$wt" KCONFIG_ALLCONFIG="$KOBJ/fragments.config" allnoconfig >>"$log" 2>&1 || return 1
	fi
	for f in $(git -C "$wt" diff --name-only HEAD~1 HEAD); do
		case $f in
		include/*) dirs+=(drivers/iommu/ drivers/vfio/ samples/vfio-pci-edu/) ;;
		drivers/* | samples/*) dirs+=("$(dirname "$f")/") ;;
		tools/testing/selftests/*/*)
			t=${f#tools/testing/selftests/}
			tests+=("${t%%/*}") ;;
		esac
	done
	mapfile -t dirs < <(printf '%s\n' "${dirs[@]}" | sort -u | while read -r f; do
		[ -z "$f" ] || [ ! -d "$wt/$f" ] || echo "$f"; done)
	mapfile -t tests < <(printf '%s\n' "${tests[@]}" | sort -u | sed '/^$/d')
	if [ ${#dirs[@]} -gt 0 ]; then
		smake "$wt" W=1 "${dirs[@]}" >>"$log" 2>&1 || return 1
	fi
	if [ ${#tests[@]} -gt 0 ]; then
		smake "$wt" headers >>"$log" 2>&1 || return 1
		for t in "${tests[@]}"; do
			make -C "$wt/tools/testing/selftests" ARCH=arm64 CROSS_COMPILE="$CROSS" \
				CC="${CROSS}gcc" KHDR_INCLUDES="-isystem $SOBJ/usr/include" \
				LDFLAGS=-static O="$BUILD/series-selftests" TARGETS="$t" \
				>>"$log" 2>&1 || return 1
		done
	fi
	# A warning (W=1 for the kernel, -Wall for the selftests) in a file
	# this patch touched fails it; the base's own warnings elsewhere do not.
	warned=$(grep -h 'warning:' "$log" | sed -n 's|^.*series-check/||p' | cut -d: -f1 |
		sort -u | grep -Fx -f <(git -C "$wt" diff --name-only HEAD~1 HEAD) || true)
	if [ -n "$warned" ]; then
		echo "     warnings in files it touches: $warned" >&2
		return 1
	fi
	next=${SERIES_NEXT[$n]:-}
	if [ -z "$next" ] || [ "$(dirname "$next")" != "$(dirname "$p")" ]; then
		smake "$wt" W=1 Image modules >>"$log" 2>&1 || return 1
	fi
}

check_series() {
	[ -d "$KSRC/.git" ] || bash "$TOP/scripts/kernel.sh" tree
	local wt=$BUILD/series-check p bad=0 i=0
	stage "checking ${KPATCHES#"$TOP"/}"
	mkdir -p "$BUILD/logs"
	rm -rf "$wt" "$BUILD/series-selftests"
	git -C "$KSRC" worktree prune
	git -C "$KSRC" worktree add -q --detach "$wt" "$BASE_TAG"
	mapfile -t SERIES_NEXT < <(series_patches "$KPATCHES" | tail -n +2)
	# SERIES_NEXT[i] is the patch after the ith (1-based), for check_build.
	SERIES_NEXT=("" "${SERIES_NEXT[@]}")
	for p in $(series_patches "$KPATCHES"); do
		i=$((i + 1))
		if ! git -C "$wt" am -q --committer-date-is-author-date "$p"; then
			echo "FAIL apply     ${p#"$KPATCHES"/}"
			git -C "$wt" am --abort || true
			bad=1
			break
		fi
		# The base is a tarball without upstream history, so checkpatch
		# cannot look up the ids in Fixes: tags (checked by hand), and
		# a new file always asks about MAINTAINERS, even in a directory
		# that MAINTAINERS covers (the series adds selftests/vfio there).
		# spdxcheck.py needs Debian's python3 with ply and git.
		# Two reports are accepted, by name: COMPLEX_MACRO on the
		# FIXTURE_VARIANT_ADD_IOMMU_MODE() a test defines for upstream's
		# FIXTURE_VARIANT_ADD_ALL_IOMMU_MODES() (a declaration, which
		# cannot be parenthesized; upstream's own VFIO tests get the same);
		# and, from 6.12.117's checkpatch, BAD_SIGN_OFF on "Assisted-by:
		# LLM", which it wants as AGENT_NAME:MODEL_VERSION, while
		# mainline's coding-assistants.rst (7.3) asks for "LLM [TOOLS]":
		# a stable backport keeps the mainline commit's trailers.
		# The patches carry no Signed-off-by: the person who sends them
		# adds it ('make postings'), as only they can certify the DCO.
		if (cd "$wt" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict -q \
			--show-types --ignore UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES,MISSING_SIGN_OFF "$p" \
			>"$BUILD/logs/checkpatch-$i.log" 2>&1); then
			echo "ok   checkpatch ${p#"$KPATCHES"/}"
		elif only_accepted "$BUILD/logs/checkpatch-$i.log"; then
			echo "ok   checkpatch ${p#"$KPATCHES"/} ($(grep -oE '^(ERROR|WARNING):[A-Z_]+' \
				"$BUILD/logs/checkpatch-$i.log" | cut -d: -f2 | sort -u | paste -sd,), accepted)"
		else
			echo "FAIL checkpatch ${p#"$KPATCHES"/}"
			sed 's/^/     /' "$BUILD/logs/checkpatch-$i.log"
			bad=1
		fi
		if [ "${CHECK_BUILD:-0}" = 1 ]; then
			if check_build "$wt" "$i" "$p"; then
				echo "ok   build      ${p#"$KPATCHES"/}"
			else
				echo "FAIL build      ${p#"$KPATCHES"/} (build/logs/series-build-$i.log)"
				bad=1
			fi
		fi
	done
	git -C "$KSRC" worktree remove --force "$wt"
	[ -f "$KPATCHES/INDEX" ] && { check_alone || bad=1; }
	[ $bad -eq 0 ] || die "the series has problems (above)"
	stage "${KPATCHES#"$TOP"/} ok: $i patches apply to $BASE_TAG and pass checkpatch --strict"
}

# alone_build WT POSTING: the Image and modules of WT, W=1, in an object
# directory of its own, so that the series' incremental one stays valid.
alone_build() {
	local wt=$1 obj=$BUILD/series-alone-obj log=$BUILD/logs/series-alone-$2.log
	rm -rf "$obj"
	{
		omake "$obj" "$wt" KCONFIG_ALLCONFIG="$KOBJ/fragments.config" allnoconfig &&
			omake "$obj" "$wt" W=1 Image modules
	} >"$log" 2>&1
}

# check_alone: every posting whose INDEX line needs no other ("-")
# applies to the pristine base on its own, as its cover letter says.
check_alone() {
	local wt=$BUILD/series-alone posting count prefix after p bad=0 ok
	while read -r posting count prefix after; do
		[ "$after" = - ] || continue
		rm -rf "$wt"
		git -C "$KSRC" worktree prune
		git -C "$KSRC" worktree add -q --detach "$wt" "$BASE_TAG"
		ok=1
		for p in "$KPATCHES/$posting"/*.patch; do
			case $(basename "$p") in 0000-*) continue ;; esac
			if ! git -C "$wt" am -q "$p" >/dev/null 2>&1; then
				echo "FAIL alone     $posting: ${p#"$KPATCHES"/} does not apply to the base without the postings before it"
				git -C "$wt" am --abort || true
				ok=0 bad=1
				break
			fi
		done
		[ $ok -eq 0 ] || echo "ok   alone      $posting applies to $BASE_TAG on its own"
		# A posting sent alone must also build alone: its own object
		# directory, the Image and modules with W=1 (the first such build
		# compiles everything; the next ones, from the same worktree
		# path, mostly hit ccache).
		if [ $ok -eq 1 ] && [ "${CHECK_BUILD:-0}" = 1 ]; then
			if alone_build "$wt" "$posting"; then
				echo "ok   alone      $posting builds on $BASE_TAG on its own"
			else
				echo "FAIL alone     $posting does not build on its own (build/logs/series-alone-$posting.log)"
				bad=1
			fi
		fi
		git -C "$KSRC" worktree remove --force "$wt"
	done < <(index_lines "$KPATCHES")
	return $bad
}

case ${1:-} in
export) export_series ;;
check) check_series ;;
*) die "usage: $0 export|check" ;;
esac
