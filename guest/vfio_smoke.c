// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's DMA smoke check of a boot, and not a kernel selftest: it
 * checks that this boot's VFIO, emulated SMMUv3 and QEMU edu work together
 * at all, and a third of it reads the kernel log for an arm-smmu-v3 event,
 * which means nothing on other machines.  It links the series' VFIO
 * selftest library (libvfio) for the device, its type1 v2 container and
 * its DMA.
 *
 * The device copies a pattern from one mapped page to another with the
 * library driver's memcpy (a DMA read, then a DMA write); then a copy to
 * an IOVA that is not mapped must change nothing and make the SMMU report
 * a translation fault.  The device is the one libvfio is given: the last
 * argument, or VFIO_SELFTESTS_BDF, which guest/init.c sets.  Prints TAP.
 */
#include <sys/mman.h>

#include <linux/io.h>
#include <linux/sizes.h>

#include "tap.h"
#include <libvfio.h>

#include "vfio/lib/drivers/edu/registers.h"

#define IOVA		0x10000000ULL	/* clear of the virt MSI window */
#define DRIVER_IOVA	0x18000000ULL	/* the library driver's */
#define IOVA_UNMAPPED	0x20000000ULL
#define NPAGES		4
#define PAGE		4096
#define NTESTS		6

/*
 * libvfio reports what goes wrong by exiting, from its asserts and when
 * a DMA of edu's does not complete before the next one starts.  Then the
 * test under way has failed: say so, and bail out, so that the TAP
 * remains whole.
 */
static const char *running;	/* the test under way, or NULL */

static void libvfio_exited(void)
{
	if (!running)
		return;
	printf("# libvfio exited: its message is on stderr\n");
	ksft_test_result_fail("%s\n", running);
	printf("Bail out! libvfio exited, stopping after %u of %u\n",
	       ksft_test_num(), NTESTS);
	ksft_print_cnts();
	fflush(stdout);
	_exit(KSFT_FAIL);	/* exit() must not run again */
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
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

int main(int argc, char **argv)
{
	struct dma_region region = { .iova = IOVA, .size = NPAGES * PAGE };
	struct dma_region driver = { .iova = DRIVER_IOVA, .size = SZ_2M };
	struct vfio_pci_device *device;
	struct iommu *iommu;
	uint8_t *buf, *canary;
	const char *bdf;
	uint32_t ident;
	int ret, i, same;

	ksft_print_header();
	ksft_set_plan(NTESTS);
	atexit(libvfio_exited);
	running = "open edu through a type1 v2 container";
	bdf = vfio_selftests_get_bdf(&argc, argv);
	iommu = iommu_init(MODE_VFIO_TYPE1V2_IOMMU);
	device = vfio_pci_device_init(bdf, iommu);
	ksft_test_result_pass("open edu through a type1 v2 container\n");

	running = "BAR0 identification register";
	ident = readl(device->bars[0].vaddr + EDU_REG_ID);
	printf("# edu %s in IOMMU group %d, ident 0x%08x\n", bdf,
	       sysfs_iommu_group_get(bdf), ident);
	ksft_test_result((ident & 0xff) == 0xed, "BAR0 identification register\n");

	running = "VFIO_IOMMU_MAP_DMA of 4 pages";
	buf = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	driver.vaddr = mmap(NULL, driver.size, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || driver.vaddr == MAP_FAILED)
		return 1;
	memset(buf, 0, NPAGES * PAGE);
	region.vaddr = buf;
	ret = __iommu_map(iommu, &region);
	ksft_test_result(!ret, "VFIO_IOMMU_MAP_DMA of 4 pages\n");

	running = "DMA read then DMA write carry two patterns intact";
	if (!device->driver.ops) {
		printf("# no libvfio driver for %s\n", bdf);
		exit(KSFT_FAIL);	/* libvfio_exited() fails the test */
	}
	/* The driver's region stays off the container's list, as its copy */
	iommu_map(iommu, &driver);
	device->driver.region.vaddr = driver.vaddr;
	device->driver.region.iova = driver.iova;
	device->driver.region.size = driver.size;
	vfio_pci_driver_init(device);

	/* page 0 -> device -> page 1, then page 2 -> device -> page 3 */
	fill(buf, PAGE, 1);
	fill(buf + 2 * PAGE, PAGE, 2);
	ret = vfio_pci_driver_memcpy(device, IOVA, IOVA + PAGE, PAGE);
	ret = ret ?: vfio_pci_driver_memcpy(device, IOVA + 2 * PAGE,
					    IOVA + 3 * PAGE, PAGE);
	same = !ret && !memcmp(buf, buf + PAGE, PAGE) &&
	       !memcmp(buf + 2 * PAGE, buf + 3 * PAGE, PAGE) &&
	       memcmp(buf + PAGE, buf + 3 * PAGE, PAGE);
	if (!same)
		printf("# dma %d, page1 %02x.. page3 %02x..\n", ret, buf[PAGE],
		       buf[3 * PAGE]);
	ksft_test_result(same, "DMA read then DMA write carry two patterns intact\n");

	/*
	 * A DMA write to an unmapped IOVA must be dropped by the SMMU.  A
	 * driver may report the failed write or not (edu does not); a copy
	 * that never completed has shown nothing, and a device still busy
	 * with one would make the library exit at the next.
	 */
	running = "DMA write to an unmapped IOVA changes no mapped memory";
	canary = malloc(NPAGES * PAGE);
	fill(buf, PAGE, 3);
	memcpy(canary, buf, NPAGES * PAGE);
	if (ret != -ETIMEDOUT) {
		ret = vfio_pci_driver_memcpy(device, IOVA, IOVA_UNMAPPED, PAGE);
		if (ret)
			printf("# dma to the unmapped IOVA: %d\n", ret);
	}
	for (i = 0; i < 100 && !smmu_fault_logged(); i++)
		usleep(10000);
	ksft_test_result(ret != -ETIMEDOUT &&
			 !memcmp(canary, buf, NPAGES * PAGE),
	    "DMA write to an unmapped IOVA changes no mapped memory\n");
	ksft_test_result(i < 100, "SMMU reported a translation fault (event 0x10)\n");

	/* Closing the container unmaps; a stuck device is left to exit() */
	running = NULL;
	if (ret != -ETIMEDOUT) {
		vfio_pci_device_cleanup(device);
		iommu_cleanup(iommu);
	}
	ksft_finished();
}
