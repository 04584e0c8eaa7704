#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel: fetch the pinned Debian source, keep it as a git tree whose
# first commit is the pristine base (tag "base") with the series applied on
# top, and cross-build an arm64 Image and the selftests from it.
#
#   kernel.sh tree     unpack and apply the series (once; keeps local commits)
#   kernel.sh build    configure from config/*.config and build Image
#   kernel.sh selftests build the selftests the harness runs
#
# The mainline kernels the harness boots (debug, lean, kcsan) also carry
# patches/harness/*.patch, which are never posted (the oracle's exact-mode
# hook), and KERNEL_MUTANT=NAME adds patches/harness/mutants/NAME.patch (a
# deliberately broken kernel, built in the lean flavour's objects and kept
# as build/mutants/NAME/Image; scripts/mutants.sh).  They go into the
# working tree for the build only and out again after it.
. "$(dirname "$0")/lib.sh"

# fetch: the line's linux-source-X.Y package, as "VERSION PATH".  The
# pinned version when the archive has it, else the newest X.Y it has.
fetch() {
	local v=$KLINE_VERSION deb pkg=linux-source-$KLINE
	deb=$CACHE/dl/${pkg}_${v}_all.deb
	if [ ! -f "$deb" ]; then
		mkdir -p "$CACHE/dl" "$CACHE/logs"
		stage "fetching $pkg $v" >&2
		if ! (cd "$CACHE/dl" && apt-get download "$pkg=$v" \
			>"$CACHE/logs/kernel-fetch.log" 2>&1); then
			apt_refresh
			# Binary packages only: madison lists source versions too.
			v=$(newest_of "$(series_of "$v")" $(apt-cache madison "$pkg" |
				awk -F'|' '$3 ~ /Packages/ { gsub(/ /, "", $2); print $2 }'))
			[ -n "$v" ] || die "no $pkg $(series_of "$KLINE_VERSION") in the archive
       ('apt-cache policy $pkg' lists what is there)"
			fallback_note "$pkg" "$KLINE_VERSION" "$v"
			deb=$CACHE/dl/${pkg}_${v}_all.deb
			[ -f "$deb" ] || (cd "$CACHE/dl" && apt-get download "$pkg=$v" \
				>"$CACHE/logs/kernel-fetch.log" 2>&1) ||
				die "cannot download $pkg $v ($CACHE/logs/kernel-fetch.log)"
		fi
	fi
	echo "$v $deb"
}

# The patches of the mainline series that add the edu migration sample:
# vfio-pci's memory lock helpers, which it uses, and the sample.
edu_sample_patches() {
	series_patches "$TOP/patches/linux" |
		grep -e '-vfio-pci-Export-the-memory-lock-helpers-' -e '-samples-vfio-pci-edu-'
}

# The base flavour's tree: the base commit of build/linux plus the patches
# that add the edu migration sample, nothing else.  (Since 2026-12-03 the
# sample needs vfio-pci's exported memory lock helpers; 'make nested-base'
# has not been run since.)
base_tree() {
	local main=$BUILD/linux want p
	KERNEL_FLAVOUR=lean bash "$0" tree
	want="$(git -C "$main" rev-parse "$BASE_TAG") $(cat $(edu_sample_patches) | sha1sum)"
	[ -d "$KSRC" ] && [ "$(cat "$KSRC/.smmu-base-tree" 2>/dev/null)" = "$want" ] && return 0
	stage "making build/linux-base: the base plus only the edu migration sample"
	git -C "$main" worktree remove --force "$KSRC" 2>/dev/null || rm -rf "$KSRC"
	git -C "$main" worktree prune
	logged "$BUILD/logs/base-tree.log" \
		git -C "$main" worktree add -f --detach "$KSRC" "$BASE_TAG"
	for p in $(edu_sample_patches); do
		git -C "$KSRC" am -q --committer-date-is-author-date "$p" ||
			die "$(basename "$p") does not apply to the base"
	done
	echo "$want" >"$KSRC/.smmu-base-tree"
}

tree() {
	if [ "$KERNEL_FLAVOUR" = base ]; then
		base_tree
		return
	fi
	mkdir -p "$CACHE/logs" "$BUILD"
	series_ready "$KSRC" "$KPATCHES" "$KLINE_VERSION" && return 0

	local deb version out pkg=linux-source-$KLINE tmp=$KSRC.tmp
	out=$(fetch) || exit 1
	read -r version deb <<<"$out"
	stage "unpacking $pkg $version"
	rm -rf "$KSRC" "$tmp"
	mkdir -p "$tmp"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tmp" --wildcards "*/$pkg.tar.xz"
	tar -xJf "$tmp/usr/src/$pkg.tar.xz" -C "$tmp"
	mv "$tmp/$pkg" "$KSRC"
	rm -rf "$tmp"

	stage "making the pristine base commit"
	base_commit "$KSRC" "$pkg" "$version" "$KLINE_VERSION"
	stage "applying ${KPATCHES#"$TOP"/}"
	apply_series "$KSRC" "$KPATCHES"
}

kmake() {
	make -C "$KSRC" O="$KOBJ" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		CC="ccache ${CROSS}gcc" HOSTCC="ccache gcc" -j"$JOBS" "$@"
}

# unhonoured FRAGMENT...: the options the fragments ask for that .config
# does not have.  The last word on each option is the one to check; an
# option that is not set may be one without a prompt, which .config then
# omits.
unhonoured() {
	local line sym
	grep -hE '^(CONFIG_[A-Z0-9_]+=.*|# CONFIG_[A-Z0-9_]+ is not set)' "$@" |
		tac | awk '{ s = $1 == "#" ? $2 : $1; sub(/=.*/, "", s) } !seen[s]++' |
		while IFS= read -r line; do
			case $line in
			"# "*) sym=${line#\# } && ! grep -q "^${sym%% *}=" "$KOBJ/.config" ;;
			*) grep -qxF -- "$line" "$KOBJ/.config" ;;
			esac || echo "$line"
		done
}

configure() {
	local frags=("$TOP"/config/*.config "$TOP/config/$KLINE"/*.config) sha
	# NN-name-debug.config goes only into the debug kernels (debug, lts),
	# NN-name-lean.config only into the lean ones (lean, base, compat),
	# NN-name-kcsan.config only into the KCSAN one, NN-name-compat.config
	# only into compat; config/X.Y/ only into the kernels of line X.Y.  A
	# later fragment overrides what an earlier one set, as kconfig merges.
	local other='(lean|kcsan|compat)'
	case $KERNEL_FLAVOUR in
	debug | lts) ;;
	kcsan) other='(debug|lean|compat)' ;;
	compat) other='(debug|kcsan)' ;;
	*) other='(debug|kcsan|compat)' ;;
	esac
	frags=($(printf '%s\n' "${frags[@]}" | grep -Ev -- "-$other\.config\$"))
	sha=$(cat "${frags[@]}" | sha1sum | cut -c1-12)
	# Up to date, unless something else rewrote .config meanwhile (a
	# kernel build of an older commit of the tree drops the options that
	# later commits add, such as the edu sample's)
	if [ -f "$KOBJ/.config" ] && uptodate "$KOBJ/.fragments.sha" "$sha" &&
		[ -z "$(unhonoured "${frags[@]}")" ]; then
		return 0
	fi
	stage "configuring the $KERNEL_FLAVOUR kernel ($KLINE) from config/"
	mkdir -p "$KOBJ"
	cat "${frags[@]}" >"$KOBJ/fragments.config"
	logged "$BUILD/logs/kconfig.log" \
		kmake KCONFIG_ALLCONFIG="$KOBJ/fragments.config" allnoconfig
	# allnoconfig silently drops an option whose dependencies are not met:
	# insist that every option the fragments ask for made it.
	local bad
	bad=$(unhonoured "${frags[@]}")
	[ -z "$bad" ] || die "kernel config options not honoured (missing dependency?):
$bad"
	mark "$KOBJ/.fragments.sha" "$sha"
}

# The harness-only patches of this build, in order.
harness_patch_list() {
	case $KERNEL_FLAVOUR in
	debug | lean | kcsan | compat) ;;
	*) return 0 ;;
	esac
	ls "$TOP"/patches/harness/*.patch 2>/dev/null || true
	if [ -n "${KERNEL_MUTANT:-}" ]; then
		[ -f "$TOP/patches/harness/mutants/$KERNEL_MUTANT.patch" ] ||
			die "no mutant patches/harness/mutants/$KERNEL_MUTANT.patch"
		echo "$TOP/patches/harness/mutants/$KERNEL_MUTANT.patch"
	fi
}

# harness_in / harness_out: put the harness-only patches into the working
# tree, and take them out again.  The files keep their modification times,
# so that make rebuilds them only when their own content changed, or when
# the set of harness patches did (then they are touched once).
harness_in() {
	local p f sha
	mapfile -t HPATCHES < <(harness_patch_list)
	[ "${#HPATCHES[@]}" -gt 0 ] || [ -f "$KOBJ/.harness.files" ] || return 0
	# The files of this build's patches, and of the last build's: a file
	# only a mutant touched must be rebuilt without it.
	mapfile -t HFILES < <({ [ "${#HPATCHES[@]}" -eq 0 ] ||
		sed -n 's|^+++ b/||p' "${HPATCHES[@]}"
		[ ! -f "$KOBJ/.harness.files" ] || cat "$KOBJ/.harness.files"; } | sort -u)
	declare -gA HMTIME=()
	for f in "${HFILES[@]}"; do
		HMTIME[$f]=$(stat -c %Y "$KSRC/$f")
	done
	for p in "${HPATCHES[@]}"; do
		git -C "$KSRC" apply "$p" ||
			{ harness_out; die "${p#"$TOP"/} does not apply to ${KSRC#"$TOP"/} (uncommitted edits there?)"; }
		HAPPLIED+=("$p")
	done
	sha=$(cat "${HPATCHES[@]}" /dev/null | sha1sum | cut -c1-12)
	if uptodate "$KOBJ/.harness.sha" "$sha"; then
		for f in "${HFILES[@]}"; do
			touch -d "@${HMTIME[$f]}" "$KSRC/$f"
		done
	else
		stage "harness patches for this build: ${HPATCHES[*]#"$TOP"/}"
		for f in "${HFILES[@]}"; do
			touch "$KSRC/$f"
			HMTIME[$f]=$(stat -c %Y "$KSRC/$f")
		done
	fi
	HSHA=$sha
}

harness_out() {
	local i f
	for ((i = ${#HAPPLIED[@]} - 1; i >= 0; i--)); do
		git -C "$KSRC" apply -R "${HAPPLIED[$i]}" ||
			echo "error: cannot take ${HAPPLIED[$i]#"$TOP"/} out of ${KSRC#"$TOP"/} again" >&2
	done
	HAPPLIED=()
	for f in "${HFILES[@]}"; do
		touch -d "@${HMTIME[$f]}" "$KSRC/$f"
	done
	HFILES=()
}

build() {
	HAPPLIED=() HFILES=() HSHA=
	tree
	configure
	harness_in
	trap harness_out EXIT
	stage "building the arm64 kernel (log: build/logs/kernel.log)"
	logged "$BUILD/logs/kernel.log" kmake Image headers
	[ -x "$KOBJ/usr/gen_init_cpio" ] || logged "$BUILD/logs/kernel.log" kmake usr/gen_init_cpio
	harness_out
	trap - EXIT
	if [ -n "$HSHA" ]; then
		mark "$KOBJ/.harness.sha" "$HSHA"
		if [ "${#HPATCHES[@]}" -gt 0 ]; then
			sed -n 's|^+++ b/||p' "${HPATCHES[@]}" | sort -u >"$KOBJ/.harness.files"
		else
			rm -f "$KOBJ/.harness.files"
		fi
	fi
	if [ -n "${KERNEL_MUTANT:-}" ]; then
		mkdir -p "$BUILD/mutants/$KERNEL_MUTANT"
		cp "$KOBJ/arch/arm64/boot/Image" "$BUILD/mutants/$KERNEL_MUTANT/Image"
	fi
}

# The selftest directories the line's test plans name (tests/plans/*), and
# on the mainline line vfio always: the guest's VFIO clients link its
# library (initramfs.sh).
selftest_targets() {
	local p
	{
		for p in $(line_plans "$KERNEL_FLAVOUR"); do
			plan_suites "$p"
		done | awk '$1 ~ /^selftests\// { split($1, a, "/"); print a[2] }'
		[ "$KERNEL_FLAVOUR" = lts ] || echo vfio
	} | sort -u
}

selftests() {
	local t targets=() dest
	dest=$(line_dir "$KERNEL_FLAVOUR" selftests)
	for t in $(selftest_targets); do
		[ -f "$KSRC/tools/testing/selftests/$t/Makefile" ] ||
			die "a test plan names selftests/$t, which the kernel tree does not have"
		targets+=("$t")
	done
	rm -rf "$dest"
	mkdir -p "$dest"
	stage "building selftests: ${targets[*]}"
	logged "$BUILD/logs/selftests.log" \
		make -C "$KSRC/tools/testing/selftests" ARCH=arm64 \
		CROSS_COMPILE="$CROSS" CC="${CROSS}gcc" \
		KHDR_INCLUDES="-isystem $KOBJ/usr/include" \
		LDFLAGS=-static O="$dest-obj" \
		TARGETS="${targets[*]}" INSTALL_PATH="$dest" install
}

case ${1:-build} in
tree) tree ;;
build) build ;;
selftests) selftests ;;
*) die "usage: $0 tree|build|selftests" ;;
esac
