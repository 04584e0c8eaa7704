// SPDX-License-Identifier: GPL-2.0
/*
 * The project's demo, and not a kernel selftest: it tells one story, a
 * VMM's pre-copy migration, as a table and CSV for the report and its
 * plot, with the size and the workload as arguments, and it measures
 * which way type1 works in this boot instead of passing or skipping on
 * it.  The series' selftests (selftests/vfio/vfio_dirty_*) check the
 * same interfaces case by case.  It links the series' VFIO selftest
 * library (libvfio) for the device, its type1 v2 container, the dirty
 * page ioctls and the DMA.
 *
 * The VMM side of a pre-copy live migration, with the VFIO type1 API only.
 *
 * A "guest RAM" buffer is mapped into a type1 container with QEMU's edu
 * device, the one libvfio is given: the last argument, or
 * VFIO_SELFTESTS_BDF, which guest/init.c sets.  Dirty tracking starts,
 * everything is copied to a destination buffer (round 0), then each round
 * the device writes a seeded working set (the library driver's memcpy from
 * a stamp page), VFIO_IOMMU_DIRTY_PAGES GET_BITMAP says what to copy
 * again, and the pages it reports are copied.  When a round reports fewer
 * pages than the threshold (what fits in the downtime), or after the round
 * limit, the device stops and the last dirty pages are copied
 * (stop-and-copy).  Then the destination must equal the source byte for
 * byte.
 *
 * It runs the way type1 works in this boot: "hw" where the IOMMU tracks
 * the pages the device writes, "legacy" where type1 reports every mapped
 * page dirty, the answer it always gave.  A type1 v2 container on the SMMU
 * with HTTU always tracks, so the legacy way takes a boot whose SMMU has
 * no HTTU (tests/plans/demo-legacy, httu0), with the same seeded scenario.
 * Which way it is, the program measures: right after START, with nothing
 * written, a second harvest reports no page where the IOMMU tracks and
 * every page where it does not (the first takes what START left).  Where
 * type1 says that the IOMMU tracks (VFIO_IOMMU_TYPE1_MIGRATION_DIRTY_IOMMU),
 * the harvest must agree, and so must VFIO_DIRTY_EXPECT_HW (1: hw, 0:
 * legacy) where the boot sets it.  Prints a table and TAP.
 *
 * Guest RAM is backed the way QEMU backs it by default: anonymous memory
 * in transparent huge pages (2 MiB aligned, MADV_HUGEPAGE), which type1
 * maps with 2 MiB IOMMU blocks where it is contiguous.  --backing hugetlb
 * uses 2 MiB hugetlb pages, always blocks; --backing small 4 KiB pages
 * that are not contiguous (libvfio's mmap_small_pages()), never blocks.
 * VFIO_DIRTY_EXPECT_SPLIT=1 makes precision 1.0x a test: the IOMMU must
 * split blocks when tracking starts.
 */
#include <getopt.h>
#include <sys/mman.h>
#include <time.h>

#include <linux/sizes.h>

#include "tap.h"
#include <libvfio.h>

#define PAGE		4096UL
#define RAM_IOVA	0x40000000ULL
#define STAMP_IOVA	0x30000000ULL
#define DRIVER_IOVA	0x20000000ULL	/* the library driver's region */
#define STAMP_LEN	64

static struct {
	unsigned long ram_mb;
	const char *backing;		/* thp, hugetlb or small */
	unsigned long writes;		/* device writes per round */
	unsigned long hot_pages;	/* size of the hot set */
	unsigned int hot_pct;		/* share of writes to the hot set */
	unsigned long threshold;	/* pages that fit in the downtime */
	unsigned int max_rounds;
	uint64_t seed;
} opt = {
	.ram_mb = 256,
	.backing = "thp",
	.writes = 200,
	.hot_pages = 1024,
	.hot_pct = 90,
	.threshold = 256,
	.max_rounds = 10,
	.seed = 1,
};

struct result {
	const char *mode;		/* hw or legacy, as measured */
	bool available;
	unsigned int rounds;		/* live rounds after round 0 */
	unsigned long sent;		/* pages copied, all rounds */
	unsigned long final;		/* pages copied in stop-and-copy */
	unsigned long written;		/* distinct pages written per round, summed */
	unsigned long reported;		/* pages reported by the harvests */
	bool verified;
	long first_bad;
	unsigned long huge_kb;		/* of the source, in huge pages */
};

#define HUGE		(2UL << 20)

/*
 * libvfio reports what goes wrong by exiting, from its asserts and when
 * a DMA of edu's does not complete before the next one starts.  Then the
 * result that the step under way leads to has failed: say so, with the
 * plan, so that the TAP remains whole.
 */
static char running[128];	/* that result, or empty */

static void libvfio_exited(void)
{
	if (!running[0])
		return;
	printf("# libvfio exited: its message is on stderr\n");
	ksft_test_result_fail("%s\n", running);
	ksft_set_plan(ksft_test_num());
	printf("Bail out! libvfio exited\n");
	ksft_print_cnts();
	fflush(stdout);
	_exit(KSFT_FAIL);	/* exit() must not run again */
}

/*
 * Map the source as --backing says; *@len is what to munmap() from the
 * address returned, which is not the source for THP (aligned inside).
 */
static uint8_t *map_source(unsigned long size, uint8_t **src, size_t *len)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	uint8_t *base;

	*len = size;
	if (!strcmp(opt.backing, "small"))
		return *src = mmap_small_pages(size, PAGE);
	if (!strcmp(opt.backing, "hugetlb"))
		flags |= MAP_HUGETLB;
	else
		*len += HUGE;
	base = mmap(NULL, *len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (base == MAP_FAILED)
		return base;
	*src = base;
	if (!strcmp(opt.backing, "thp")) {
		*src = (uint8_t *)(((uintptr_t)base + HUGE - 1) & ~(HUGE - 1));
		madvise(*src, size, MADV_HUGEPAGE);
	}
	return base;
}

/* How much of [addr, addr + size) is in huge pages, from /proc/self/smaps */
static unsigned long huge_kb(const void *addr)
{
	unsigned long start, end, kb, total = 0;
	bool in = false;
	char line[256];
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)addr >= start && (uintptr_t)addr < end;
			continue;
		}
		if (in && (sscanf(line, "AnonHugePages: %lu kB", &kb) == 1 ||
			   sscanf(line, "Private_Hugetlb: %lu kB", &kb) == 1))
			total += kb;
	}
	fclose(f);
	return total;
}

static double dma_seconds;	/* time spent in device writes */
static unsigned long dma_writes;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned long copy_dirty(uint8_t *dst, const uint8_t *src,
				const uint64_t *bitmap, unsigned long npages)
{
	unsigned long p, n = 0;

	for (p = 0; p < npages; p++) {
		if (bitmap[p / 64] & (1ULL << (p % 64))) {
			memcpy(dst + p * PAGE, src + p * PAGE, PAGE);
			n++;
		}
	}
	return n;
}

/*
 * One round of device activity: write a round-specific stamp into the
 * stamp page, then have the device copy a slice of it into each page of
 * the seeded working set.  Returns the number of distinct pages written.
 */
static long device_round(struct vfio_pci_device *device, uint8_t *stamp,
			 uint8_t *touched, unsigned long npages,
			 unsigned int round)
{
	unsigned long i, distinct = 0;
	double t0 = now_s();
	int ret;

	for (i = 0; i < PAGE; i++)
		stamp[i] = (uint8_t)(round * 37 + i * 11 + (opt.seed & 0xff));
	memset(touched, 0, npages);
	for (i = 0; i < opt.writes; i++) {
		unsigned long hot = opt.hot_pages < npages ? opt.hot_pages : npages;
		unsigned long page = (next_rand() % 100 < opt.hot_pct) ?
				     next_rand() % hot : next_rand() % npages;
		uint32_t off = (page * STAMP_LEN) % (PAGE - STAMP_LEN);

		ret = vfio_pci_driver_memcpy(device, STAMP_IOVA + off,
					     RAM_IOVA + page * PAGE + off,
					     STAMP_LEN);
		if (ret)
			return ret;
		if (!touched[page]++)
			distinct++;
	}
	dma_seconds += now_s() - t0;
	dma_writes += opt.writes;
	return distinct;
}

/* GET_BITMAP of the guest RAM, one bit per page, into @bitmap */
static int harvest(struct iommu *iommu, uint64_t *bitmap, unsigned long npages)
{
	unsigned long size = (npages + 63) / 64 * 8;

	/* Zeroed first, as the uAPI asks (and as for iommufd, which ORs) */
	memset(bitmap, 0, size);
	return __vfio_type1_dirty_get_bitmap(iommu, RAM_IOVA, npages * PAGE,
					     PAGE, bitmap, size);
}

/* Map @region, or say why not */
static int map(struct iommu *iommu, struct dma_region *region)
{
	int ret = __iommu_map(iommu, region);

	if (ret)
		printf("# type1: VFIO_IOMMU_MAP_DMA failed: %s\n", strerror(-ret));
	return ret;
}

/*
 * Which way type1 works here, measured as the header says: "hw" or
 * "legacy", with *@idle the pages of the second harvest; NULL, said why,
 * when a call fails or the harvest reports some pages but not all.
 * Tracking is on when it returns a mode.
 */
static const char *measure_mode(struct iommu *iommu, uint64_t *bitmap,
				unsigned long npages, unsigned long *idle)
{
	unsigned long i;
	int ret;

	ret = __vfio_type1_dirty_pages(iommu, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	if (ret) {
		printf("# START failed: %s\n", strerror(-ret));
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		ret = harvest(iommu, bitmap, npages);
		if (ret) {
			printf("# GET_BITMAP failed: %s\n", strerror(-ret));
			return NULL;
		}
	}
	*idle = 0;
	for (i = 0; i < (npages + 63) / 64; i++)
		*idle += __builtin_popcountll(bitmap[i]);
	if (!*idle)
		return "hw";
	if (*idle == npages)
		return "legacy";
	printf("# a harvest with nothing written reported %lu of %lu pages: "
	       "neither none (IOMMU tracking) nor all (all-dirty)\n",
	       *idle, npages);
	return NULL;
}

static void run(struct result *r, const char *bdf)
{
	unsigned long npages = opt.ram_mb * 256, p, reported, idle = 0;
	struct dma_region ram = { .iova = RAM_IOVA, .size = npages * PAGE };
	struct dma_region stamp = { .iova = STAMP_IOVA, .size = PAGE };
	struct dma_region driver = { .iova = DRIVER_IOVA, .size = SZ_2M };
	struct vfio_iommu_type1_info_cap_migration cap;
	uint8_t *src = NULL, *src_base, *dst, *touched;
	struct vfio_pci_device *device;
	struct iommu *iommu;
	uint64_t *bitmap;
	size_t src_len;
	int ret, expect;
	unsigned int round;
	bool stop = false, said;
	long w = 0;

	r->mode = "type1";	/* until measured */
	r->first_bad = -1;
	rng = opt.seed * 0x9e3779b97f4a7c15ULL + 1;
	iommu = iommu_init(MODE_VFIO_TYPE1V2_IOMMU);
	device = vfio_pci_device_init(bdf, iommu);
	if (!device->driver.ops) {
		printf("# no libvfio driver for %s\n", bdf);
		exit(KSFT_FAIL);	/* libvfio_exited() fails the result */
	}
	src_base = map_source(npages * PAGE, &src, &src_len);
	stamp.vaddr = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	driver.vaddr = mmap(NULL, driver.size, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	dst = malloc(npages * PAGE);
	bitmap = calloc((npages + 63) / 64, 8);
	touched = calloc(npages, 1);
	if (src_base == MAP_FAILED || stamp.vaddr == MAP_FAILED ||
	    driver.vaddr == MAP_FAILED || !dst || !bitmap || !touched) {
		printf("# %s: out of memory%s\n", r->mode,
		       !strcmp(opt.backing, "hugetlb") ?
		       " (huge pages: raise hugepages=)" : "");
		goto out_device;
	}
	for (p = 0; p < npages; p++)
		memset(src + p * PAGE, (int)(p * 7 + 1), PAGE);
	r->huge_kb = huge_kb(src);
	memset(stamp.vaddr, 0, PAGE);
	ram.vaddr = src;
	if (map(iommu, &ram))
		goto out_device;
	if (map(iommu, &stamp))
		goto out_unmap_ram;
	if (map(iommu, &driver))
		goto out_unmap_stamp;
	/* The driver's region stays off the container's list, as its copy */
	device->driver.region.vaddr = driver.vaddr;
	device->driver.region.iova = driver.iova;
	device->driver.region.size = driver.size;
	vfio_pci_driver_init(device);

	said = !vfio_type1_migration_cap(iommu, &cap) &&
	       (cap.flags & VFIO_IOMMU_TYPE1_MIGRATION_DIRTY_IOMMU);
	expect = vfio_dirty_expect_hw();
	r->mode = measure_mode(iommu, bitmap, npages, &idle);
	if (!r->mode) {
		ksft_test_result(false, "type1: whether the IOMMU tracks, "
				 "measured (see above)\n");
		r->mode = "type1";
		goto out_stop;
	}
	ksft_test_result((!said || !strcmp(r->mode, "hw")) &&
			 (expect < 0 || expect == !strcmp(r->mode, "hw")),
			 "%s: type1 %s (%lu of %lu pages dirty with nothing "
			 "written; DIRTY_IOMMU %s; VFIO_DIRTY_EXPECT_HW %s)\n",
			 r->mode, strcmp(r->mode, "hw") ? "reports every page dirty" :
			 "tracks in the IOMMU", idle, npages, said ? "set" : "clear",
			 expect < 0 ? "unset" : expect ? "1" : "0");
	r->available = true;
	snprintf(running, sizeof(running), "%s: destination equals source",
		 r->mode);
	/*
	 * Round 0 copies everything.  The device keeps writing while a round
	 * copies, so each harvest reports what it wrote during the previous
	 * round.  Once a harvest is small enough the device is stopped and
	 * the last harvest is copied: stop-and-copy, the downtime.
	 */
	memcpy(dst, src, npages * PAGE);
	r->sent = npages;
	w = device_round(device, stamp.vaddr, touched, npages, 0);
	if (w < 0)
		goto out_dma;
	r->written = w;
	printf("# %-7s %5s %10s %10s %10s\n", r->mode, "round", "written",
	       "reported", "sent");
	printf("# %-7s %5u %10ld %10s %10lu\n", r->mode, 0, w, "-", npages);
	data_line("demo.csv", "%s,0,%ld,0,%lu", r->mode, w, npages);

	for (round = 1;; round++) {
		ret = harvest(iommu, bitmap, npages);
		if (ret) {
			printf("# %s: GET_BITMAP failed: %s\n", r->mode, strerror(-ret));
			goto out_stop;
		}
		reported = copy_dirty(dst, src, bitmap, npages);
		r->sent += reported;
		r->reported += reported;
		if (stop) {
			r->final = reported;
			printf("# %-7s %5s %10s %10lu %10lu\n", r->mode, "final",
			       "stopped", reported, reported);
			data_line("demo.csv", "%s,%u,0,%lu,%lu", r->mode, round,
				  reported, reported);
			break;
		}
		w = device_round(device, stamp.vaddr, touched, npages, round);
		if (w < 0)
			goto out_dma;
		r->written += w;
		r->rounds = round;
		printf("# %-7s %5u %10ld %10lu %10lu\n", r->mode, round, w,
		       reported, reported);
		data_line("demo.csv", "%s,%u,%ld,%lu,%lu", r->mode, round, w,
			  reported, reported);
		stop = reported < opt.threshold || round >= opt.max_rounds;
	}

	r->verified = true;
	for (p = 0; p < npages; p++) {
		if (memcmp(src + p * PAGE, dst + p * PAGE, PAGE)) {
			r->verified = false;
			r->first_bad = p;
			break;
		}
	}
	goto out_stop;
out_dma:
	printf("# %s: DMA failed: %s\n", r->mode, strerror((int)-w));
out_stop:
	__vfio_type1_dirty_pages(iommu, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
	__iommu_unmap(iommu, &driver, NULL);
out_unmap_stamp:
	__iommu_unmap(iommu, &stamp, NULL);
out_unmap_ram:
	__iommu_unmap(iommu, &ram, NULL);
out_device:
	/* The rest is cleanup, no result; a stuck device is left to exit() */
	running[0] = 0;
	if (w != -ETIMEDOUT)
		vfio_pci_device_cleanup(device);
	iommu_cleanup(iommu);
	if (src_base != MAP_FAILED)
		munmap(src_base, src_len);
	if (stamp.vaddr != MAP_FAILED)
		munmap(stamp.vaddr, PAGE);
	if (driver.vaddr != MAP_FAILED)
		munmap(driver.vaddr, driver.size);
	free(dst);
	free(bitmap);
	free(touched);
}

static void usage(const char *prog)
{
	printf("usage: %s [options]\n"
	       "  --ram MIB          guest RAM to migrate (default %lu)\n"
	       "  --backing B        thp (as QEMU's guest RAM, the default), hugetlb\n"
	       "                     (2M pages) or small (4K pages, not contiguous)\n"
	       "  --huge             --backing hugetlb\n"
	       "  --writes N         device page writes per round (default %lu)\n"
	       "  --hot-pages N      size of the hot set (default %lu)\n"
	       "  --hot-pct P        share of writes to the hot set (default %u)\n"
	       "  --threshold N      converged below N dirty pages (default %lu)\n"
	       "  --max-rounds N     live rounds at most (default %u)\n"
	       "  --seed N           workload seed (default %llu)\n"
	       "The way (hw or legacy) is the boot's: see the source's header.\n"
	       "The device: a last argument segment:bus:device.function, or\n"
	       "VFIO_SELFTESTS_BDF.\n",
	       prog, opt.ram_mb, opt.writes, opt.hot_pages, opt.hot_pct,
	       opt.threshold, opt.max_rounds, (unsigned long long)opt.seed);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "ram", 1, NULL, 'r' }, { "huge", 0, NULL, 'H' },
		{ "backing", 1, NULL, 'b' },
		{ "writes", 1, NULL, 'w' }, { "hot-pages", 1, NULL, 'p' },
		{ "hot-pct", 1, NULL, 'P' }, { "threshold", 1, NULL, 't' },
		{ "max-rounds", 1, NULL, 'm' }, { "seed", 1, NULL, 's' },
		{ "help", 0, NULL, 'h' },
		{ }
	};
	struct result res = { 0 }, *r = &res;
	const char *split = getenv("VFIO_DIRTY_EXPECT_SPLIT");
	int c;

	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'r': opt.ram_mb = strtoul(optarg, NULL, 0); break;
		case 'H': opt.backing = "hugetlb"; break;
		case 'b': opt.backing = optarg; break;
		case 'w': opt.writes = strtoul(optarg, NULL, 0); break;
		case 'p': opt.hot_pages = strtoul(optarg, NULL, 0); break;
		case 'P': opt.hot_pct = strtoul(optarg, NULL, 0); break;
		case 't': opt.threshold = strtoul(optarg, NULL, 0); break;
		case 'm': opt.max_rounds = strtoul(optarg, NULL, 0); break;
		case 's': opt.seed = strtoull(optarg, NULL, 0); break;
		default: usage(argv[0]); return c == 'h' ? 0 : 2;
		}
	}
	if (!opt.ram_mb || !opt.writes || opt.hot_pct > 100 ||
	    (strcmp(opt.backing, "thp") && strcmp(opt.backing, "hugetlb") &&
	     strcmp(opt.backing, "small"))) {
		usage(argv[0]);
		return 2;
	}

	ksft_print_header();
	data_line("demo.csv", "mode,round,written,reported,sent");
	data_line("demo-summary.csv", "mode,rounds,sent,final,reported,written,verified");
	printf("# pre-copy migration of %lu MiB (%s), %lu device writes per "
	       "round (%u%% to %lu hot pages), seed %llu, converged below %lu "
	       "dirty pages, at most %u rounds\n", opt.ram_mb,
	       opt.backing, opt.writes, opt.hot_pct,
	       opt.hot_pages, (unsigned long long)opt.seed, opt.threshold,
	       opt.max_rounds);
	atexit(libvfio_exited);
	snprintf(running, sizeof(running),
		 "type1: whether the IOMMU tracks, measured");
	/* getopt_long() has moved a BDF argument past the options, last */
	run(r, vfio_selftests_get_bdf(&argc, argv));

	printf("# %-7s %6s %12s %12s %12s %10s %s\n", "mode", "rounds",
	       "pages sent", "final round", "reported", "precision", "verified");
	if (!r->available) {
		printf("# %-7s unavailable\n", r->mode);
	} else {
		printf("# %-7s %6u %12lu %12lu %12lu %9.1fx %s\n", r->mode,
		       r->rounds, r->sent, r->final, r->reported,
		       r->written ? (double)r->reported / r->written : 0.0,
		       r->verified ? "yes" : "NO");
		data_line("demo-summary.csv", "%s,%u,%lu,%lu,%lu,%lu,%d", r->mode,
			  r->rounds, r->sent, r->final, r->reported, r->written,
			  r->verified);
		printf("# %-7s source: %lu of %lu KiB in huge pages\n", r->mode,
		       r->huge_kb, opt.ram_mb * 1024);
		if (r->first_bad >= 0)
			printf("# %s: first differing page: %ld (IOVA 0x%llx)\n",
			       r->mode, r->first_bad,
			       RAM_IOVA + (unsigned long long)r->first_bad * PAGE);
		ksft_test_result(r->verified, "%s: destination equals source after %u rounds\n",
		    r->mode, r->rounds);
	}
	if (dma_writes)
		printf("# the device wrote %lu pages by DMA in %.2f s: %.0f pages/s\n",
		       dma_writes, dma_seconds, dma_writes / dma_seconds);
	/* All-dirty reports every page by design: only hw splits or not */
	if (r->available && !strcmp(r->mode, "hw") && split && atoi(split) == 1)
		ksft_test_result(r->reported == r->written,
		    "hw: %lu pages reported for %lu written (the IOMMU splits "
		    "its blocks)\n", r->reported, r->written);
	if (!ksft_test_num())
		ksft_exit_fail_msg("no mode ran\n");
	ksft_set_plan(ksft_test_num());		/* a plan at the end */
	ksft_finished();
}
