# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the harness scripts.  Sourced, not run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Everything generated lives in build/ (ignored by git); downloads and
# ccache live outside the repo so that a fresh clone on this machine is warm.
BUILD=${BUILD:-$TOP/build}
OUT=${OUT:-$TOP/out}
CACHE=${SMMU_HTTU_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/smmu-httu}

KERNEL_DEB_VERSION=${KERNEL_DEB_VERSION:-$(sed -n 's/^KERNEL_DEB_VERSION ?= //p' "$TOP/versions.mk")}
QEMU_DEB_VERSION=${QEMU_DEB_VERSION:-$(sed -n 's/^QEMU_DEB_VERSION ?= //p' "$TOP/versions.mk")}
INNER_QEMU_DEB_VERSION=${INNER_QEMU_DEB_VERSION:-$(sed -n 's/^INNER_QEMU_DEB_VERSION ?= //p' "$TOP/versions.mk")}

KSRC=$BUILD/linux
# KERNEL_FLAVOUR=lean builds without the debug checks (config/40-debug.config),
# for timing: the benchmark compares kernel walks with userspace reads.
KERNEL_FLAVOUR=${KERNEL_FLAVOUR:-debug}
# KERNEL_FLAVOUR=base is the lean kernel built from the unmodified base
# plus only the edu migration sample (build/linux-base, a worktree of
# build/linux): the real-VMM run on the base, to show what the series fixes.
case $KERNEL_FLAVOUR in
debug) KOBJ=$BUILD/kobj ;;
lean) KOBJ=$BUILD/kobj-lean ;;
base) KOBJ=$BUILD/kobj-base KSRC=$BUILD/linux-base ;;
*) echo "KERNEL_FLAVOUR is debug, lean or base" >&2; exit 1 ;;
esac
QSRC=$BUILD/qemu
QOBJ=$BUILD/qemu-build
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

# patches_sha DIR: a short hash of the patch files in DIR (empty set too).
patches_sha() {
	local f
	for f in "$1"/*.patch; do
		if [ -e "$f" ]; then cat "$f"; fi
	done | sha1sum | cut -c1-12
}
