# Pinned bases: Debian 12 (bookworm) packages.  Override on the command
# line, e.g.  make test KERNEL_DEB_VERSION=6.12.115-2~deb12u1
KERNEL_DEB_VERSION ?= 6.12.117-1~deb12u1
QEMU_DEB_VERSION ?= 1:7.2+dfsg-7+deb12u18
