/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's edu device (docs/specs/edu.rst in QEMU) for the guest programs
 * that are not VFIO clients: its registers, finding it on the PCI bus, and
 * DMA through sysfs's mapping of its BAR0 (resource0), for the nested
 * guest and the SMMU walk test, which drive edu with no VFIO at all; and
 * the sysfs helpers that PID 1 shares.  VFIO clients go through the VFIO
 * selftest library and its edu driver (tools/testing/selftests/vfio/lib).
 */
#ifndef SMMU_HTTU_EDU_H
#define SMMU_HTTU_EDU_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/*
 * Find the nth (0-based) edu device: its PCI address into @bdf (32 bytes)
 * and its IOMMU group number into @group_id (-1 without an IOMMU).
 */
static inline int edu_find(int nth, char *bdf, int *group_id)
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
		snprintf(bdf, 32, "%.31s", d);
		*group_id = -1;
		if (len > 0) {
			link[len] = 0;
			*group_id = atoi(strrchr(link, '/') + 1);
		}
		found = 0;
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return found;
}

/*
 * Enable memory decoding and bus mastering of the device @bdf through its
 * sysfs config file, for a device that no driver owns.
 */
static inline int edu_sysfs_enable(const char *bdf)
{
	char path[PATH_MAX];
	uint16_t cmd;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	if (pread(fd, &cmd, 2, 4) != 2) {
		ret = -EIO;
	} else {
		cmd |= 0x6;	/* memory space, bus master */
		if (pwrite(fd, &cmd, 2, 4) != 2)
			ret = -EIO;
	}
	close(fd);
	return ret;
}

static inline uint64_t edu_bar_rd64(volatile uint8_t *bar, unsigned int off)
{
	return *(volatile uint64_t *)(bar + off);
}

static inline uint32_t edu_bar_rd32(volatile uint8_t *bar, unsigned int off)
{
	return *(volatile uint32_t *)(bar + off);
}

/* 64-bit stores: a 32-bit store to a DMA register clears its upper half. */
static inline void edu_bar_wr64(volatile uint8_t *bar, unsigned int off, uint64_t val)
{
	*(volatile uint64_t *)(bar + off) = val;
}

/*
 * One DMA.  to_ram: device buffer (at byte offset off) -> iova, a DMA write;
 * otherwise iova -> device buffer, a DMA read.  The device aborts QEMU on a
 * range outside its buffer, so refuse those here.  Waits for completion.
 */
static inline int edu_bar_dma(volatile uint8_t *bar, uint64_t iova, uint32_t off,
			      uint32_t len, int to_ram)
{
	struct timespec ts = { 0, 20000 };
	long spins = 0;

	if (!len || off + (uint64_t)len > EDU_DMA_MAX)
		return -EINVAL;
	if (to_ram) {
		edu_bar_wr64(bar, EDU_REG_DMA_SRC, EDU_BUF_ADDR + off);
		edu_bar_wr64(bar, EDU_REG_DMA_DST, iova);
	} else {
		edu_bar_wr64(bar, EDU_REG_DMA_SRC, iova);
		edu_bar_wr64(bar, EDU_REG_DMA_DST, EDU_BUF_ADDR + off);
	}
	edu_bar_wr64(bar, EDU_REG_DMA_COUNT, len);
	edu_bar_wr64(bar, EDU_REG_DMA_CMD, EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
	while (edu_bar_rd64(bar, EDU_REG_DMA_CMD) & EDU_DMA_RUN) {
		if (++spins > 50000000L)
			return -ETIMEDOUT;
		if (spins > 64)
			nanosleep(&ts, NULL);
	}
	return 0;
}

#endif
