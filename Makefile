# SPDX-License-Identifier: GPL-2.0
# SMMUv3 HTTU dirty tracking for VFIO type1: build, boot and test.
# 'make help' lists the targets; README.md explains them.
#
# Pinned bases are in versions.mk; override on the command line.

include versions.mk
export KERNEL_DEB_VERSION LTS_KERNEL_DEB_VERSION QEMU_DEB_VERSION INNER_QEMU_DEB_VERSION

.PHONY: help demo test test-fresh test-loaded oracle-mutants bench stress stress-kcsan nested-base nested-compat report tree kernel qemu \
	qemu-tree export qemu-export check-series postings clean

help:
	@echo 'The two commands (as root, on Debian 12; they install what they need):'
	@echo '  make demo          a pre-copy migration of DMA-written memory, both ways,'
	@echo '                     then QEMU migrating a nested guest (the real VMM)'
	@echo '  make test          every test; ends "N passed, N failed, N skipped"'
	@echo 'More:'
	@echo '  make test-fresh    make test inside a new minimal Debian 12 root (what CI runs)'
	@echo '  make test-loaded   make test with a CPU hog on every core (LOAD_CPUS):'
	@echo '                     the verdict must not change'
	@echo '  make bench         what a dirty harvest costs, side by side (not a test)'
	@echo '  make stress        10 minutes of every dirty tracking path at once, then'
	@echo '                     100000 malformed calls (STRESS_SECONDS, STRESS_SEED)'
	@echo '  make stress-kcsan  the stress on a KCSAN kernel (data races)'
	@echo '  make nested-base   the real-VMM run on the unmodified base kernel (loses pages)'
	@echo '  make nested-compat the real-VMM run on a host whose /dev/vfio/vfio is iommufd'"'"'s'
	@echo '                     (no type1): legacy container next to iommufd, 5 seeds'
	@echo '  make oracle-mutants  kernels with deliberate missed invalidations: the'
	@echo '                     emulated SMMU must report each (MUTANTS=a,b)'
	@echo '  make report RUN=out/<run>   read a saved run again and report'
	@echo 'Developing the kernel series:'
	@echo '  make tree          build/linux: the pristine base (tag "base") + patches/linux'
	@echo '                     (KERNEL_FLAVOUR=lts: build/linux-6.12 + patches/linux-6.12)'
	@echo '  make kernel        build the kernel (KERNEL_FLAVOUR=debug|lean|base|lts|compat)'
	@echo '  make qemu-tree     build/qemu: the pristine Debian QEMU (tag "base") + patches/qemu'
	@echo '  make qemu          build qemu-system-aarch64 from build/qemu'
	@echo '  make export        build/linux commits -> patches/linux (KERNEL_FLAVOUR=lts: 6.12)'
	@echo '  make qemu-export   build/qemu commits -> patches/qemu'
	@echo '  make check-series  both series apply; checkpatch on each patch (CHECK_BUILD=1: builds)'
	@echo '  make postings      the mails of each mainline posting, in out/postings/'
	@echo '                     (SENDER="Name <address>" signs them off; DRY_RUN=1 to look)'
	@echo '  make clean         remove build/ and out/ (the download and ccache cache stays)'
	@echo 'Knobs: see README.md ("Knobs").'

demo:
	@bash scripts/run.sh demo

test:
	@bash scripts/run.sh test

test-fresh:
	@bash scripts/fresh-root.sh make test

test-loaded:
	@bash scripts/loaded.sh test

bench:
	@bash scripts/run.sh bench

stress:
	@bash scripts/run.sh stress

stress-kcsan:
	@bash scripts/run.sh stress-kcsan

nested-base:
	@bash scripts/run.sh nested-base

nested-compat:
	@bash scripts/run.sh nested-compat

oracle-mutants:
	@bash scripts/mutants.sh

report:
	@test -n "$(RUN)" || { echo 'usage: make report RUN=out/<run>'; exit 2; }
	@bash scripts/report.sh "$(RUN)"

tree:
	@bash scripts/deps.sh
	@bash scripts/kernel.sh tree

kernel:
	@bash scripts/deps.sh
	@bash scripts/kernel.sh build

qemu-tree:
	@bash scripts/deps.sh
	@bash scripts/qemu.sh tree

qemu:
	@bash scripts/deps.sh
	@bash scripts/qemu.sh build

qemu-export:
	@bash scripts/qemu.sh export

export:
	@bash scripts/series.sh export

postings:
	@bash scripts/postings.sh

check-series:
	@bash scripts/deps.sh
	@bash scripts/series.sh check
	@KERNEL_FLAVOUR=lts bash scripts/series.sh check
	@bash scripts/qemu.sh check

clean:
	rm -rf build out
