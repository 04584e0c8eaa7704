/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's edu device driven from userspace through VFIO (group/container,
 * type1 v2).  Shared by the guest programs of the harness.
 */
#ifndef SMMU_HTTU_EDU_H
#define SMMU_HTTU_EDU_H

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8

#define EDU_REG_IDENT		0x00
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define  EDU_DMA_RUN		0x1
#define  EDU_DMA_TO_RAM		0x2	/* device buffer -> IOVA: a DMA write */

#define EDU_BUF_ADDR		0x40000ULL
#define EDU_BUF_SIZE		4096
/* QEMU 7.2's edu range check is off by one: a transfer must end before 4K. */
#define EDU_DMA_MAX		(EDU_BUF_SIZE - 1)

struct edu {
	char bdf[32];
	int group_id;
	int container;
	int group;
	int device;
	volatile uint8_t *bar0;
	size_t bar0_size;
};

static inline int edu_read_hex(const char *path, unsigned long *val)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	*val = strtoul(buf, NULL, 0);
	return 0;
}

/* Find the nth (0-based) edu device; fill bdf and IOMMU group number. */
static inline int edu_find(struct edu *edu, int nth)
{
	char path[PATH_MAX], link[PATH_MAX];
	unsigned long vendor = 0, device = 0;
	struct dirent **ents;
	int i, n, found = -ENODEV;
	ssize_t len;

	n = scandir("/sys/bus/pci/devices", &ents, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		const char *d = ents[i]->d_name;

		if (d[0] == '.' || found == 0)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", d);
		if (edu_read_hex(path, &vendor) || vendor != EDU_VENDOR)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", d);
		if (edu_read_hex(path, &device) || device != EDU_DEVICE)
			continue;
		if (nth-- > 0)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", d);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0) {
			found = -ENOENT;
			continue;
		}
		link[len] = 0;
		snprintf(edu->bdf, sizeof(edu->bdf), "%.31s", d);
		edu->group_id = atoi(strrchr(link, '/') + 1);
		found = 0;
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return found;
}

static inline uint64_t edu_rd64(struct edu *edu, unsigned int off)
{
	return *(volatile uint64_t *)(edu->bar0 + off);
}

static inline uint32_t edu_rd32(struct edu *edu, unsigned int off)
{
	return *(volatile uint32_t *)(edu->bar0 + off);
}

/* 64-bit stores: a 32-bit store to a DMA register clears its upper half. */
static inline void edu_wr64(struct edu *edu, unsigned int off, uint64_t val)
{
	*(volatile uint64_t *)(edu->bar0 + off) = val;
}

static inline int edu_enable_bar(struct edu *edu);

/*
 * Open the nth edu through an existing container (or a new one when
 * container < 0) and map BAR0.  Sets bus mastering.  Returns 0 or -errno,
 * with a message on stderr.
 */
static inline int edu_open(struct edu *edu, int nth, int container)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int ret;

	memset(edu, 0, sizeof(*edu));
	edu->container = edu->group = edu->device = -1;
	ret = edu_find(edu, nth);
	if (ret) {
		fprintf(stderr, "edu #%d: not found (%d)\n", nth, ret);
		return ret;
	}
	if (container < 0) {
		container = open("/dev/vfio/vfio", O_RDWR);
		if (container < 0)
			goto err;
		if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
		    !ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU)) {
			fprintf(stderr, "edu: no VFIO type1 v2\n");
			return -ENOTSUP;
		}
	}
	edu->container = container;
	snprintf(path, sizeof(path), "/dev/vfio/%d", edu->group_id);
	edu->group = open(path, O_RDWR);
	if (edu->group < 0)
		goto err;
	if (ioctl(edu->group, VFIO_GROUP_GET_STATUS, &status))
		goto err;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		fprintf(stderr, "edu: group %d not viable\n", edu->group_id);
		return -EBUSY;
	}
	if (ioctl(edu->group, VFIO_GROUP_SET_CONTAINER, &edu->container))
		goto err;
	/* The first group of a container selects the IOMMU model. */
	if (ioctl(edu->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) &&
	    errno != EBUSY && errno != EINVAL)
		goto err;
	edu->device = ioctl(edu->group, VFIO_GROUP_GET_DEVICE_FD, edu->bdf);
	if (edu->device < 0)
		goto err;
	ret = edu_enable_bar(edu);
	if (ret)
		fprintf(stderr, "edu %s: %s\n", edu->bdf, strerror(-ret));
	return ret;
err:
	ret = -errno;
	fprintf(stderr, "edu %s: %s\n", edu->bdf, strerror(errno));
	return ret;
}

/* Map BAR0 of edu->device; turn on memory decoding and bus mastering. */
static inline int edu_enable_bar(struct edu *edu)
{
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	uint16_t cmd;

	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(edu->device, VFIO_DEVICE_GET_REGION_INFO, &reg))
		goto err;
	edu->bar0_size = reg.size;
	edu->bar0 = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 edu->device, reg.offset);
	if (edu->bar0 == MAP_FAILED)
		goto err;
	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(edu->device, VFIO_DEVICE_GET_REGION_INFO, &reg))
		goto err;
	if (pread(edu->device, &cmd, 2, reg.offset + 4) != 2)
		goto err;
	cmd |= 0x6;	/* memory space, bus master */
	if (pwrite(edu->device, &cmd, 2, reg.offset + 4) != 2)
		goto err;
	return 0;
err:
	return -errno;
}

static inline void edu_close(struct edu *edu, int close_container)
{
	if (edu->bar0 && edu->bar0 != MAP_FAILED)
		munmap((void *)edu->bar0, edu->bar0_size);
	if (edu->device >= 0)
		close(edu->device);
	if (edu->group >= 0)
		close(edu->group);
	if (close_container && edu->container >= 0)
		close(edu->container);
}

/*
 * One DMA.  to_ram: device buffer (at byte offset off) -> iova, a DMA write;
 * otherwise iova -> device buffer, a DMA read.  The device aborts QEMU on a
 * range outside its buffer, so refuse those here.  Waits for completion.
 */
static inline int edu_dma(struct edu *edu, uint64_t iova, uint32_t off,
			  uint32_t len, int to_ram)
{
	struct timespec ts = { 0, 20000 };
	long spins = 0;

	if (!len || off + (uint64_t)len > EDU_DMA_MAX)
		return -EINVAL;
	if (to_ram) {
		edu_wr64(edu, EDU_REG_DMA_SRC, EDU_BUF_ADDR + off);
		edu_wr64(edu, EDU_REG_DMA_DST, iova);
	} else {
		edu_wr64(edu, EDU_REG_DMA_SRC, iova);
		edu_wr64(edu, EDU_REG_DMA_DST, EDU_BUF_ADDR + off);
	}
	edu_wr64(edu, EDU_REG_DMA_COUNT, len);
	edu_wr64(edu, EDU_REG_DMA_CMD, EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
	while (edu_rd64(edu, EDU_REG_DMA_CMD) & EDU_DMA_RUN) {
		if (++spins > 50000000L)
			return -ETIMEDOUT;
		if (spins > 64)
			nanosleep(&ts, NULL);
	}
	return 0;
}

static inline int vfio_map(int container, void *vaddr, uint64_t iova,
			   uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static inline int vfio_unmap(int container, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	return ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;
}

/* TAP results of a guest program: ok/not ok lines, counted. */
static int tap_count, tap_failed;

static inline void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

/* Write @val to the sysfs or debugfs file @path. */
static inline int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* vfio_iommu_type1.hw_dirty_tracking, for domains allocated from now on */
static inline int type1_set_hw_dirty_tracking(int on)
{
	return sysfs_write("/sys/module/vfio_iommu_type1/parameters/hw_dirty_tracking",
			   on ? "Y" : "N");
}

static inline int type1_dirty_pages(int container, uint32_t flags)
{
	struct vfio_iommu_type1_dirty_bitmap d = {
		.argsz = sizeof(d),
		.flags = flags,
	};

	return ioctl(container, VFIO_IOMMU_DIRTY_PAGES, &d) ? -errno : 0;
}

/*
 * GET_BITMAP over [iova, iova + size), one bit per 4K page.  The caller
 * zeroes @bitmap first, as the uAPI asks (and as for iommufd, which ORs).
 */
static inline int type1_get_bitmap(int container, uint64_t iova, uint64_t size,
				   uint64_t *bitmap)
{
	struct {
		struct vfio_iommu_type1_dirty_bitmap d;
		struct vfio_iommu_type1_dirty_bitmap_get g;
	} req = {
		.d = {
			.argsz = sizeof(req),
			.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP,
		},
		.g = {
			.iova = iova,
			.size = size,
			.bitmap = {
				.pgsize = 4096,
				.size = (size / 4096 + 63) / 64 * 8,
				.data = (__u64 *)bitmap,
			},
		},
	};

	return ioctl(container, VFIO_IOMMU_DIRTY_PAGES, &req) ? -errno : 0;
}

#endif
