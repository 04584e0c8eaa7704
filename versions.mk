# Pinned bases: Debian packages.  Override on the command line, e.g.
#   make test LTS_KERNEL_DEB_VERSION=6.12.115-2~deb12u1
# A pinned version gone from the archive is replaced by the newest of the
# same upstream series, with a note (scripts/lib.sh, newest_of).
# The kernel, mainline: linux-source-7.3 from trixie-backports (the binary
# package carries the Debian-patched tree); patches/linux.
KERNEL_DEB_VERSION ?= 7.3.4-1~bpo13+1
# The kernel, the 6.12 LTS backport: linux-source-6.12 from
# bookworm-security; patches/linux-6.12.
LTS_KERNEL_DEB_VERSION ?= 6.12.117-1~deb12u1
# The emulated SMMUv3 and edu: Debian 13 (trixie)'s qemu source package.
QEMU_DEB_VERSION ?= 1:10.0.13+ds-0+deb13u1
# The inner VMM of the real migration run (make test, make demo): Debian's
# qemu-system-arm for arm64 from bookworm-backports.
INNER_QEMU_DEB_VERSION ?= 1:10.0.2+ds-2+deb13u1~bpo12+1
