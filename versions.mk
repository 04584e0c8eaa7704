# Pinned bases: Debian 12 (bookworm) packages.  Override on the command
# line, e.g.  make test KERNEL_DEB_VERSION=6.12.115-2~deb12u1
KERNEL_DEB_VERSION ?= 6.12.117-1~deb12u1
QEMU_DEB_VERSION ?= 1:7.2+dfsg-7+deb12u18
# The inner VMM of the real migration run (make test, make demo): Debian's
# qemu-system-arm for arm64 from bookworm-backports.
INNER_QEMU_DEB_VERSION ?= 1:10.0.2+ds-2+deb13u1~bpo12+1
