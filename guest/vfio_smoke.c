// SPDX-License-Identifier: GPL-2.0
/*
 * DMA smoke test: QEMU's edu behind vfio-pci, through the VFIO group and
 * container API (type1 v2) and the emulated SMMUv3.  The device DMA-reads
 * a pattern from one mapped page and DMA-writes it back to another; then a
 * DMA write to an IOVA that is not mapped must change nothing and make the
 * SMMU report a translation fault.  Prints TAP.
 */
#include "tap.h"
#include "vfio.h"

#define IOVA		0x10000000ULL	/* clear of the virt MSI window */
#define IOVA_UNMAPPED	0x20000000ULL
#define NPAGES		4
#define PAGE		4096

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* Copy a page through the device: DMA read from src, DMA write to dst. */
static int bounce(struct edu *edu, uint64_t src, uint64_t dst)
{
	int ret = edu_dma(edu, src, 0, EDU_DMA_MAX, 0);

	return ret ? ret : edu_dma(edu, dst, 0, EDU_DMA_MAX, 1);
}

/* Has the kernel log said that the SMMU saw a translation fault? */
static int smmu_fault_logged(void)
{
	char buf[8192];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	int found = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		buf[n] = 0;
		if (strstr(buf, "arm-smmu-v3") && strstr(buf, "event 0x10"))
			found = 1;
	}
	close(fd);
	return found;
}

int main(void)
{
	uint8_t *buf, *canary;
	struct edu edu;
	uint64_t ident;
	int ret, i, same;

	ksft_print_header();
	ksft_set_plan(6);
	ret = edu_open(&edu, 0, -1);
	ksft_test_result(!ret, "open edu through a type1 v2 container\n");
	if (ret) {
		ksft_exit_fail_msg("edu unavailable, stopping after 1 of 6\n");
	}
	ident = edu_rd32(&edu, EDU_REG_IDENT);
	printf("# edu %s in IOMMU group %d, ident 0x%08llx\n", edu.bdf,
	       edu.group_id, (unsigned long long)ident);
	ksft_test_result((ident & 0xff) == 0xed, "BAR0 identification register\n");

	buf = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	memset(buf, 0, NPAGES * PAGE);
	ret = vfio_map(edu.container, buf, IOVA, NPAGES * PAGE);
	ksft_test_result(!ret, "VFIO_IOMMU_MAP_DMA of 4 pages\n");

	/* page 0 -> device -> page 1, then page 2 -> device -> page 3 */
	fill(buf, PAGE, 1);
	fill(buf + 2 * PAGE, PAGE, 2);
	ret = bounce(&edu, IOVA, IOVA + PAGE);
	ret = ret ?: bounce(&edu, IOVA + 2 * PAGE, IOVA + 3 * PAGE);
	same = !ret && !memcmp(buf, buf + PAGE, EDU_DMA_MAX) &&
	       !memcmp(buf + 2 * PAGE, buf + 3 * PAGE, EDU_DMA_MAX) &&
	       memcmp(buf + PAGE, buf + 3 * PAGE, EDU_DMA_MAX);
	if (!same)
		printf("# dma %d, page1 %02x.. page3 %02x..\n", ret, buf[PAGE],
		       buf[3 * PAGE]);
	ksft_test_result(same, "DMA read then DMA write carry two patterns intact\n");

	/* A DMA write to an unmapped IOVA must be dropped by the SMMU. */
	canary = malloc(NPAGES * PAGE);
	memcpy(canary, buf, NPAGES * PAGE);
	fill(buf, PAGE, 3);
	ret = edu_dma(&edu, IOVA, 0, EDU_DMA_MAX, 0);
	memcpy(canary, buf, NPAGES * PAGE);
	ret = ret ?: edu_dma(&edu, IOVA_UNMAPPED, 0, EDU_DMA_MAX, 1);
	for (i = 0; i < 100 && !smmu_fault_logged(); i++)
		usleep(10000);
	ksft_test_result(!ret && !memcmp(canary, buf, NPAGES * PAGE),
	    "DMA write to an unmapped IOVA changes no mapped memory\n");
	ksft_test_result(i < 100, "SMMU reported a translation fault (event 0x10)\n");

	vfio_unmap(edu.container, IOVA, NPAGES * PAGE);
	edu_close(&edu, 1);
	ksft_finished();
}
