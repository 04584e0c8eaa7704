# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the harness scripts.  Sourced, not run.

set -eEuo pipefail
# A command that fails under set -e says so, instead of a silent exit.
trap 'echo "error: ${BASH_SOURCE[0]:-$0}:$LINENO: \"$BASH_COMMAND\" failed (exit $?)" >&2' ERR

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Everything generated lives in build/ (ignored by git); downloads and
# ccache live outside the repo so that a fresh clone on this machine is warm.
BUILD=${BUILD:-$TOP/build}
OUT=${OUT:-$TOP/out}
CACHE=${SMMU_HTTU_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/smmu-httu}

KERNEL_DEB_VERSION=${KERNEL_DEB_VERSION:-$(sed -n 's/^KERNEL_DEB_VERSION ?= //p' "$TOP/versions.mk")}
LTS_KERNEL_DEB_VERSION=${LTS_KERNEL_DEB_VERSION:-$(sed -n 's/^LTS_KERNEL_DEB_VERSION ?= //p' "$TOP/versions.mk")}
QEMU_DEB_VERSION=${QEMU_DEB_VERSION:-$(sed -n 's/^QEMU_DEB_VERSION ?= //p' "$TOP/versions.mk")}
INNER_QEMU_DEB_VERSION=${INNER_QEMU_DEB_VERSION:-$(sed -n 's/^INNER_QEMU_DEB_VERSION ?= //p' "$TOP/versions.mk")}

# The kernel flavours, each built from its source tree into its own
# object directory (the one map of them):
#   debug  KASAN, lockdep, KUnit: what the tests run    build/linux -> build/kobj-debug
#   lean   no debug checks, KVM: the bench, the nested host  build/linux -> build/kobj-lean
#   base   lean, from the unmodified base plus only the edu migration
#          sample (a worktree of build/linux)      build/linux-base -> build/kobj-base
#   lts    debug, from the 6.12 LTS backport       build/linux-6.12 -> build/kobj-lts
#   kcsan  mainline with KCSAN (the data race       build/linux -> build/kobj-kcsan
#          detector, which excludes KASAN), for
#          'make stress-kcsan'
#   compat lean, with /dev/vfio/vfio served by      build/linux -> build/kobj-compat
#          iommufd's type1 compatibility
#          (CONFIG_IOMMUFD_VFIO_CONTAINER, no
#          type1): the host of 'make nested-compat'
# build/linux is mainline (linux-source-7.3) with patches/linux;
# build/linux-6.12 is the LTS line (linux-source-6.12) with patches/linux-6.12.
KERNEL_FLAVOUR=${KERNEL_FLAVOUR:-debug}
kobj() {
	case $1 in
	debug | lean | base | lts | kcsan | compat) echo "$BUILD/kobj-$1" ;;
	*) echo "KERNEL_FLAVOUR is debug, lean, base, lts, kcsan or compat, not '$1'" >&2; exit 1 ;;
	esac
}
ksrc() {
	case $1 in
	base) echo "$BUILD/linux-base" ;;
	lts) echo "$BUILD/linux-6.12" ;;
	*) echo "$BUILD/linux" ;;
	esac
}
# kline FLAVOUR: the kernel line's pinned Debian version and its patches,
# as "VERSION PATCHES".
kline() {
	if [ "$1" = lts ]; then
		echo "$LTS_KERNEL_DEB_VERSION $TOP/patches/linux-6.12"
	else
		echo "$KERNEL_DEB_VERSION $TOP/patches/linux"
	fi
}
# line_dir FLAVOUR NAME: what is built once per kernel line (guest
# programs, selftests, initramfs.cpio) lives in build/NAME for mainline,
# build/NAME-lts for the LTS line (initramfs.cpio: initramfs-lts.cpio).
line_dir() {
	local name=$2 ext=""
	[ "$1" = lts ] || { echo "$BUILD/$name"; return; }
	case $name in *.*) ext=.${name#*.} name=${name%%.*} ;; esac
	echo "$BUILD/$name-lts$ext"
}
KOBJ=$(kobj "$KERNEL_FLAVOUR")
KSRC=$(ksrc "$KERNEL_FLAVOUR")
read -r KLINE_VERSION KPATCHES <<<"$(kline "$KERNEL_FLAVOUR")"
QSRC=$BUILD/qemu
QOBJ=$BUILD/qemu-build
QINNER=$BUILD/qemu-inner
QEMU=$QOBJ/qemu-system-aarch64
BASE_TAG=base
CROSS=aarch64-linux-gnu-

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# The kernel tree is recreated by every fresh clone: hash relative paths
# and ignore mtimes so that ccache still hits.
export CCACHE_BASEDIR=$BUILD
export CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
# kbuild passes -fmacro-prefix-map=<absolute source path>=, which differs
# between clones but maps to the same output.
export CCACHE_IGNOREOPTIONS="-fmacro-prefix-map=*"
# A new root (make test-fresh, CI) installs the same compilers as new
# files: compare them by content, not by mtime, so its builds still hit.
export CCACHE_COMPILERCHECK=content

JOBS=${JOBS:-$(nproc)}

_t0=${_SMMU_T0:-$(date +%s)}
export _SMMU_T0=$_t0

# stage NAME: print a progress line with the time since the run started.
stage() {
	local now
	now=$(date +%s)
	printf '==> [%4ds] %s\n' "$((now - _t0))" "$*"
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# Run a noisy command with its output in a log; show the tail on failure.
logged() {
	local log=$1
	shift
	mkdir -p "$(dirname "$log")"
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "'$*' failed; full log: $log"
	fi
}

# uptodate STAMP KEY: STAMP holds KEY, i.e. what it marks was made from
# exactly the inputs KEY names.  mark STAMP KEY records it.  The one way the
# harness decides what to remake.
uptodate() {
	[ -f "$1" ] && [ "$(cat "$1")" = "$2" ]
}
mark() {
	mkdir -p "$(dirname "$1")"
	printf '%s\n' "$2" >"$1"
}

# files_sha FILE...: a short hash of the files' contents.
files_sha() {
	cat "$@" | sha1sum | cut -c1-12
}

# The test plans (tests/plans/README): plan_suites NAME prints the suite
# lines with knobs expanded; plan_opt NAME KEY the value of "@KEY value".
PLANS=$TOP/tests/plans
expand_knobs() {
	local line=$1 v
	while [[ $line =~ \$\{([A-Z_]+):-([^\}]*)\} ]]; do
		v=${BASH_REMATCH[1]}
		line=${line/"${BASH_REMATCH[0]}"/${!v:-${BASH_REMATCH[2]}}}
	done
	printf '%s\n' "$line"
}
plan_suites() {
	[ -f "$PLANS/$1" ] || die "no test plan tests/plans/$1"
	local line
	while IFS= read -r line; do
		case $line in '' | '#'* | '@'*) continue ;; esac
		expand_knobs "$line"
	done <"$PLANS/$1"
}
plan_opt() {
	[ -f "$PLANS/$1" ] || die "no test plan tests/plans/$1"
	local line
	sed -n "s/^@$2 //p" "$PLANS/$1" | while IFS= read -r line; do
		expand_knobs "$line"
	done
}
# line_plans FLAVOUR: the plans booted on that flavour's kernel line (the
# LTS line's plans are those with "@kernel lts"), nested apart: it has an
# initramfs of its own.
line_plans() {
	local p name k
	for p in "$PLANS"/*; do
		name=${p##*/}
		case $name in README | nested) continue ;; esac
		k=$(plan_opt "$name" kernel)
		if [ "$1" = lts ]; then
			[ "$k" = lts ] && echo "$name"
		else
			[ "$k" = lts ] || echo "$name"
		fi
	done
	return 0
}

# Pinned versions vanish: a Debian suite keeps one or two versions of a
# package.  series_of VERSION: the upstream series ("6.12", "1:7.2").
series_of() {
	[[ $1 =~ ^([0-9]+:)?[0-9]+\.[0-9]+ ]] && echo "${BASH_REMATCH[0]}"
}
# The kernel line ("7.3", "6.12") of the flavour being built.
KLINE=$(series_of "$KLINE_VERSION")
# newest_of SERIES VERSION...: the newest of the versions in SERIES.
newest_of() {
	local series=$1 v best=""
	shift
	for v in "$@"; do
		case $v in "$series".* | "$series"+* | "$series"~* | "$series"-*) ;; *) continue ;; esac
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then
			best=$v
		fi
	done
	echo "$best"
}
# fallback_note WHAT PINNED USED: the one line that says a pin was replaced.
fallback_note() {
	printf 'note: %s %s is gone from the archive; using %s, the newest %s there\n' \
		"$1" "$2" "$3" "$(series_of "$2")" >&2
}
# apt_refresh: package lists as the archive has them now (root only).
apt_refresh() {
	[ "$(id -u)" -eq 0 ] || return 0
	mkdir -p "$CACHE/logs"
	apt-get update -q >"$CACHE/logs/apt-update.log" 2>&1 || true
}

# The kernel and QEMU trees (build/linux, build/qemu) are git trees whose
# first commit is the pristine Debian source (tag "base"), with a patch
# series applied on top, remembered in the tree's git config.

# series_ready DIR PATCHES PINNED: 0 when DIR holds the series of PATCHES
# on the base PINNED: as applied, with local commits (kept: they are the
# developer's until exported), or re-applied when PATCHES changed under an
# untouched tree.  1 when DIR must be made anew.
series_ready() {
	local dir=$1 patches=$2 pinned=$3
	if [ ! -d "$dir/.git" ] || [ "$(git -C "$dir" config smmu.pinned)" != "$pinned" ]; then
		return 1
	fi
	if [ "$(git -C "$dir" rev-parse HEAD)" != "$(git -C "$dir" config smmu.applied)" ]; then
		stage "${dir#"$TOP"/} has local commits: keeping them (export saves them)"
	elif [ "$(git -C "$dir" config smmu.series)" != "$(patches_sha "$patches")" ]; then
		stage "${patches#"$TOP"/} changed: re-applying the series"
		apply_series "$dir" "$patches"
	fi
	return 0
}

# base_commit DIR WHAT VERSION PINNED: make DIR's files the pristine base.
base_commit() {
	(
		cd "$1"
		git init -q
		git config user.name "${GIT_AUTHOR_NAME:-SMMU HTTU harness}"
		git config user.email "${GIT_AUTHOR_EMAIL:-harness@localhost}"
		git config gc.auto 0
		git add -f -A .
		GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
			git commit -q -m "Debian $2 $3"
		git tag -a -m "pristine Debian $2 $3" "$BASE_TAG"
		git config smmu.version "$3"
		git config smmu.pinned "$4"
	)
}

# series_patches DIR: the patch files of the series in DIR, in the order
# they apply, cover letters left out.  A DIR with an INDEX holds postings,
# one directory each, applied in the INDEX's order (patches/README);
# otherwise the series is DIR/*.patch.
series_patches() {
	local dir=$1 posting p
	if [ -f "$dir/INDEX" ]; then
		for posting in $(index_postings "$dir"); do
			for p in "$dir/$posting"/*.patch; do
				[ -e "$p" ] || continue
				case $(basename "$p") in 0000-*) continue ;; esac
				echo "$p"
			done
		done
	else
		for p in "$dir"/*.patch; do
			[ -e "$p" ] || continue
			case $(basename "$p") in 0000-*) continue ;; esac
			echo "$p"
		done
	fi
}

# index_postings DIR: the postings that DIR/INDEX lists, in order.
index_postings() {
	index_lines "$1" | cut -d' ' -f1
}

# index_lines DIR: DIR/INDEX's lines without comments, as "POSTING COUNT
# PREFIX AFTER".
index_lines() {
	sed -e 's/#.*//' "$1/INDEX" | awk 'NF { print $1, $2, $3, $4 }'
}

# maintainers SRC FIRST LAST KIND: SRC's get_maintainer.pl's maintainers
# and reviewers (KIND to) or lists (KIND cc) for the files FIRST^..LAST
# changes, as format-patch options.
maintainers() {
	local src=$1
	shift
	local opts
	case $3 in
	to) opts="--m --r --no-l" ;;
	cc) opts="--no-m --no-r --l" ;;
	esac
	# shellcheck disable=SC2086
	(cd "$src" && git diff --name-only "$1^" "$2" |
		xargs perl scripts/get_maintainer.pl --no-git --no-git-fallback \
			--norolestats --no-multiline --separator , $opts -f 2>/dev/null) |
		tr ',' '\n' | sed '/^$/d' | LC_ALL=C sort -u | sed "s/^/--$3=/"
}

# The author of every patch until a person sends it (patches/README).
PLACEHOLDER_NAME="SMMU HTTU developers"
PLACEHOLDER_EMAIL=smmu-httu@localhost

# export_postings SRC PATCHES: SRC's commits since the base tag into the
# postings of PATCHES/INDEX (patches/README).
export_postings() {
	local src=$1 patches=$2 commits posting count prefix after i=0 first last dir total=0 p
	local -a opts
	mapfile -t commits < <(git -C "$src" rev-list --reverse "$BASE_TAG..HEAD")
	while read -r posting count prefix after; do
		total=$((total + count))
	done < <(index_lines "$patches")
	[ "$total" -eq "${#commits[@]}" ] ||
		die "INDEX counts $total patches, the tree has ${#commits[@]}: fix INDEX first"
	while read -r posting count prefix after; do
		dir=$patches/$posting
		first=${commits[$i]} last=${commits[$((i + count - 1))]}
		i=$((i + count))
		[ -f "$dir/cover-letter.txt" ] || die "no $dir/cover-letter.txt"
		opts=(--base="$BASE_TAG" --zero-commit --cover-letter)
		case $prefix in
		PATCH) opts+=(--subject-prefix=PATCH) ;;
		RFC | HELD) opts+=(--subject-prefix="RFC PATCH") ;;
		# Stable versions for the LTS line, to stable@ once mainline has them.
		STABLE) opts+=(--subject-prefix="PATCH $(echo "$LTS_KERNEL_DEB_VERSION" | cut -d. -f1,2).y"
			--to=stable@vger.kernel.org) ;;
		*) opts+=(--subject-prefix="NOT FOR POSTING") ;;
		esac
		if [ "$prefix" != - ]; then
			mapfile -t -O "${#opts[@]}" opts < <(maintainers "$src" "$first" "$last" to)
			mapfile -t -O "${#opts[@]}" opts < <(maintainers "$src" "$first" "$last" cc)
		fi
		rm -f "$dir"/*.patch
		# The cover letter's From is the committer's: the same placeholder
		# as the patches' author, which 'make postings' replaces.
		git -C "$src" -c user.name="$PLACEHOLDER_NAME" -c user.email="$PLACEHOLDER_EMAIL" \
			format-patch -q "${opts[@]}" -o "$dir" "$first^..$last"
		python3 - "$dir/0000-cover-letter.patch" "$dir/cover-letter.txt" <<-'PY'
			import sys
			path, text = sys.argv[1], open(sys.argv[2]).read()
			subject, _, body = text.partition('\n')
			s = open(path).read()
			s = s.replace('*** SUBJECT HERE ***', subject.strip())
			s = s.replace('*** BLURB HERE ***', body.strip('\n'))
			open(path, 'w').write(s)
			PY
		stage "$posting: $count patches ($prefix)"
	done < <(index_lines "$patches")
	for p in "$patches"/*/; do
		p=$(basename "$p")
		index_postings "$patches" | grep -qx -- "$p" ||
			echo "note: ${patches#"$TOP"/}/$p is in no INDEX line"
	done
}

# apply_series DIR PATCHES: reset DIR to the base and apply the series.
apply_series() {
	local dir=$1 patches=$2 p
	git -C "$dir" reset -q --hard "$BASE_TAG"
	for p in $(series_patches "$patches"); do
		git -C "$dir" am -q --committer-date-is-author-date "$p" ||
			die "${p#"$patches"/} does not apply; fix it in $dir (git am --show-current-patch)"
	done
	git -C "$dir" config smmu.series "$(patches_sha "$patches")"
	git -C "$dir" config smmu.applied "$(git -C "$dir" rev-parse HEAD)"
}

# patches_sha DIR: a short hash of the series' files (cover letters and
# INDEX included).
patches_sha() {
	local f files
	if [ -f "$1/INDEX" ]; then
		files=$(for f in $(index_postings "$1"); do echo "$1/$f"/*.patch; done)
		files="$1/INDEX $files"
	else
		files=$(echo "$1"/*.patch)
	fi
	for f in $files; do
		if [ -e "$f" ]; then cat "$f"; fi
	done | sha1sum | cut -c1-12
}
