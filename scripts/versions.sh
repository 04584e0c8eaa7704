#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# versions.sh show: the exact versions this run builds and boots, pinned
# (versions.mk) and used, one line each.  A run writes them to
# out/<run>/versions.txt.
. "$(dirname "$0")/lib.sh"

# line WHAT PINNED USED
line() {
	local note=""
	[ -z "$3" ] || [ "$2" = "$3" ] || note="  (pinned $2: gone from the archive)"
	printf '%-26s %s%s\n' "$1" "${3:-not built}" "$note"
}

inner=$CACHE/inner-qemu-${INNER_QEMU_DEB_VERSION//[:~+]/_}/VERSION
line "linux-source-7.3" "$KERNEL_DEB_VERSION" \
	"$(git -C "$BUILD/linux" config smmu.version 2>/dev/null)"
line "linux-source-6.12" "$LTS_KERNEL_DEB_VERSION" \
	"$(git -C "$BUILD/linux-6.12" config smmu.version 2>/dev/null)"
line "qemu (Debian source)" "$QEMU_DEB_VERSION" "$(git -C "$QSRC" config smmu.version 2>/dev/null)"
line "qemu-system-arm (arm64)" "$INNER_QEMU_DEB_VERSION" "$(cat "$inner" 2>/dev/null)"
printf '%-26s %s\n' "patches/linux" "$(patches_sha "$TOP/patches/linux")" \
	"patches/linux-6.12" "$(patches_sha "$TOP/patches/linux-6.12")" \
	"patches/qemu" "$(patches_sha "$TOP/patches/qemu")" \
	"${CROSS}gcc" "$("${CROSS}gcc" -dumpfullversion 2>/dev/null)" \
	"Debian" "$(cat /etc/debian_version 2>/dev/null)"
