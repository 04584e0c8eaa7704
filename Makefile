# SPDX-License-Identifier: GPL-2.0
# SMMUv3 HTTU dirty tracking for VFIO type1: build, boot and test.
#
#   make demo          boot the guest and run the demo
#   make test          run every test; ends with "N passed, N failed, N skipped"
#   make bench         what a dirty harvest costs, side by side (not a test)
#   make base-migration  the real-VMM migration on the unmodified base (plus
#                      the edu migration sample): what the series fixes
#   make tree          prepare build/linux: pristine base + patches/linux
#   make export        write build/linux's commits back to patches/linux
#   make check-series  apply patches/linux to the base, checkpatch --strict
#                      each patch (CHECK_BUILD=1: also build after each one)
#
# Pinned bases are in versions.mk; override on the command line.

include versions.mk
export KERNEL_DEB_VERSION QEMU_DEB_VERSION INNER_QEMU_DEB_VERSION

.PHONY: demo test bench base-migration tree export check-series kernel qemu clean

demo:
	@bash scripts/run.sh demo

test:
	@bash scripts/run.sh test

bench:
	@bash scripts/run.sh bench

base-migration:
	@bash scripts/run.sh base-migration

tree:
	@bash scripts/deps.sh
	@bash scripts/kernel.sh tree

kernel:
	@bash scripts/deps.sh
	@bash scripts/kernel.sh build

qemu:
	@bash scripts/deps.sh
	@bash scripts/qemu.sh build

export:
	@bash scripts/series.sh export

check-series:
	@bash scripts/deps.sh
	@bash scripts/series.sh check

clean:
	rm -rf build out
