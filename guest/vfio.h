/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An edu device driven from userspace through VFIO (group, container,
 * type1 v2), and the type1 calls the guest programs make: map, unmap and
 * the dirty-page ioctls.
 */
#ifndef SMMU_HTTU_VFIO_H
#define SMMU_HTTU_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vfio.h>

#include "edu.h"

struct edu {
	char bdf[32];
	int group_id;
	int container;
	int group;
	int device;
	volatile uint8_t *bar0;
	size_t bar0_size;
};

static inline uint64_t edu_rd64(struct edu *edu, unsigned int off)
{
	return edu_bar_rd64(edu->bar0, off);
}

static inline uint32_t edu_rd32(struct edu *edu, unsigned int off)
{
	return edu_bar_rd32(edu->bar0, off);
}

static inline void edu_wr64(struct edu *edu, unsigned int off, uint64_t val)
{
	edu_bar_wr64(edu->bar0, off, val);
}

static inline int edu_dma(struct edu *edu, uint64_t iova, uint32_t off,
			  uint32_t len, int to_ram)
{
	return edu_bar_dma(edu->bar0, iova, off, len, to_ram);
}

static inline int edu_enable_bar(struct edu *edu);

/*
 * Open the nth edu through an existing container (or a new one when
 * container < 0) and map BAR0.  Sets bus mastering.  Returns 0 or -errno,
 * with a message on stderr.  The container is type1 v2: where the IOMMU
 * can track dirty pages at no cost until tracking starts (the SMMU with
 * HTTU), type1 gives it tracking domains without being asked.
 */
static inline int edu_open(struct edu *edu, int nth, int container)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int ret;

	memset(edu, 0, sizeof(*edu));
	edu->container = edu->group = edu->device = -1;
	ret = edu_find(nth, edu->bdf, &edu->group_id);
	if (!ret && edu->group_id < 0)
		ret = -ENOENT;	/* no IOMMU group: VFIO cannot have it */
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

static inline int type1_dirty_pages(int container, uint32_t flags)
{
	struct vfio_iommu_type1_dirty_bitmap d = {
		.argsz = sizeof(d),
		.flags = flags,
	};

	return ioctl(container, VFIO_IOMMU_DIRTY_PAGES, &d) ? -errno : 0;
}

/* The user's bitmap of [0, size): one bit per 4K page, in u64 words */
static inline struct vfio_bitmap type1_bitmap(uint64_t size, uint64_t *bitmap)
{
	return (struct vfio_bitmap){
		.pgsize = 4096,
		.size = (size / 4096 + 63) / 64 * 8,
		.data = (__u64 *)bitmap,
	};
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
			.bitmap = type1_bitmap(size, bitmap),
		},
	};

	return ioctl(container, VFIO_IOMMU_DIRTY_PAGES, &req) ? -errno : 0;
}

/*
 * The 7.3 series' flag of the migration capability, spelled out: the
 * guest programs are built against the 6.12 backport's headers too, which
 * do not have it (and whose type1 never sets it, tracking or not).
 */
#ifndef VFIO_IOMMU_TYPE1_MIGRATION_DIRTY_IOMMU
#define VFIO_IOMMU_TYPE1_MIGRATION_DIRTY_IOMMU	(1 << 0)
#endif

/*
 * Does type1 say that the IOMMU tracks the DMA of every group of the
 * container (VFIO_IOMMU_TYPE1_MIGRATION_DIRTY_IOMMU)?  Only the 7.3
 * series says so: on 6.12, false says nothing, and a program that must
 * know whether tracking is real there measures it, or takes
 * VFIO_DIRTY_EXPECT_HW.
 */
static inline bool type1_dirty_iommu(int container)
{
	static char buf[4096];
	struct vfio_iommu_type1_info *info = (void *)buf;
	struct vfio_info_cap_header *hdr;
	uint32_t off;

	memset(buf, 0, sizeof(buf));
	info->argsz = sizeof(buf);
	if (ioctl(container, VFIO_IOMMU_GET_INFO, info) ||
	    !(info->flags & VFIO_IOMMU_INFO_CAPS))
		return false;
	for (off = info->cap_offset; off; off = hdr->next) {
		hdr = (void *)(buf + off);
		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION)
			return ((struct vfio_iommu_type1_info_cap_migration *)hdr)->flags &
			       VFIO_IOMMU_TYPE1_MIGRATION_DIRTY_IOMMU;
	}
	return false;
}

/*
 * VFIO_DIRTY_EXPECT_HW, which the test plans set: 1 when the IOMMU must
 * track (the SMMU with HTTU), 0 when it must not, -1 when unset.
 */
static inline int type1_expect_hw(void)
{
	const char *e = getenv("VFIO_DIRTY_EXPECT_HW");

	return e && *e ? atoi(e) != 0 : -1;
}

/*
 * Unmap [iova, iova + size) with its dirty bitmap, one bit per 4K page,
 * into @bitmap, which the caller zeroes first.
 */
static inline int type1_unmap_get_bitmap(int container, uint64_t iova,
					 uint64_t size, uint64_t *bitmap)
{
	struct {
		struct vfio_iommu_type1_dma_unmap u;
		struct vfio_bitmap b;
	} req = {
		.u = {
			.argsz = sizeof(req),
			.flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
			.iova = iova,
			.size = size,
		},
		.b = type1_bitmap(size, bitmap),
	};

	return ioctl(container, VFIO_IOMMU_UNMAP_DMA, &req) ? -errno : 0;
}

#endif
