// SPDX-License-Identifier: GPL-2.0
/*
 * What a dirty harvest costs, side by side on the same SMMU:
 *
 *   type1-hw      VFIO_IOMMU_DIRTY_PAGES GET_BITMAP, IOMMU dirty state
 *   type1-legacy  the same where the IOMMU does not track (all dirty, the
 *                 base): only with --legacy, on an SMMU without HTTU
 *   iommufd       IOMMU_HWPT_GET_DIRTY_BITMAP (upstream's path)
 *   iommufd-nc    the same with IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR
 *
 * A type1 v2 container on an SMMU with HTTU always tracks, so the legacy
 * row takes a boot of its own, whose SMMU has no HTTU (tests/plans/
 * bench-legacy): dirty_bench --legacy measures that row alone, and
 * nothing else; without it, the other three rows and the scale part.
 * Each mode checks first that type1 tracks, or does not, as its rows need
 * (VFIO_IOMMU_TYPE1_MIGRATION_DIRTY_IOMMU).
 *
 * for several mapped sizes, with 4K pages, 2M blocks and a 1G block, with few
 * pages dirty (written by the edu device) and with all of them dirty
 * (freshly mapped: the SMMU maps writable pages writable-dirty).  Each
 * time is also given per GiB mapped and as a ratio to the floor: reading
 * linearly, in this process, as many bytes as the page table holds for
 * the mapping (8 bytes per page or block).  START and STOP are timed too,
 * and the precision (pages reported / pages written) is checked: a
 * written page missing from a bitmap fails the run.  So is the page-table
 * memory that START adds (nr_iommu_pages in /proc/vmstat): what splitting
 * blocks into pages costs, where the IOMMU does.
 *
 * Prints a table, TAP, and its numbers as data (bench.csv).
 *
 *   dirty_bench [--legacy] [MAX_MIB [SCALE_MIB]]
 */
#include <linux/iommufd.h>
#include "tap.h"
#include "vfio.h"

#define PAGE		4096UL
#define BLOCK		(2UL << 20)
#define GIGA		(1UL << 30)
#define IOVA		0x40000000ULL
#define FEW		64

static unsigned int reps = 5;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The floor: read @bytes linearly, as a walk reads its descriptors. */
static volatile uint64_t sink;

static double floor_us(const uint64_t *mem, size_t bytes)
{
	/* a small table (2M blocks) is read many times: time a batch */
	unsigned int r, b, batch = bytes >= (2 << 20) ? 1 : (2 << 20) / bytes;
	double t[16];

	for (r = 0; r < reps; r++) {
		uint64_t sum = 0;
		size_t i;
		double t0 = now_us();

		for (b = 0; b < batch; b++)
			for (i = 0; i < bytes / 8; i++)
				sum += mem[i];
		sink = sum;
		t[r] = (now_us() - t0) / batch;
	}
	return median(t, reps);
}

static unsigned long count_bits(const uint64_t *b, unsigned long n)
{
	unsigned long i, c = 0;

	for (i = 0; i < n / 64; i++)
		c += __builtin_popcountll(b[i]);
	return c;
}

/* Pages the device writes for the "few" case: spread over the range. */
static unsigned long few_page(unsigned long i, unsigned long npages)
{
	return (i * (npages / FEW) + i * 7) % npages;
}

/* Every written page must be in the bitmap. */
static bool all_reported(const uint64_t *b, unsigned long npages,
			 unsigned long *missing)
{
	unsigned long i;

	*missing = 0;
	for (i = 0; i < FEW; i++) {
		unsigned long p = few_page(i, npages);

		if (!(b[p / 64] & (1ULL << (p % 64))))
			(*missing)++;
	}
	return !*missing;
}

struct path_ops {
	const char *name;
	int (*open)(void *ctx, void *buf, size_t size);
	int (*get)(void *ctx, uint64_t *bitmap, size_t size, bool no_clear);
	int (*remap)(void *ctx, void *buf, size_t size);
	int (*start)(void *ctx);
	int (*stop)(void *ctx);
	void (*close)(void *ctx);
	struct edu *(*edu)(void *ctx);
	bool no_clear;
};

/* ---- type1 ---- */
struct type1_ctx {
	struct edu edu;
	bool legacy;
};

static int type1_open(void *c, void *buf, size_t size)
{
	struct type1_ctx *t = c;

	if (edu_open(&t->edu, 0, -1))
		return -ENODEV;
	/* Checked once in main(): the SMMU does not change in a boot */
	if (type1_dirty_iommu(t->edu.container) == t->legacy) {
		edu_close(&t->edu, 1);
		return -ENOTSUP;
	}
	return vfio_map(t->edu.container, buf, IOVA, size);
}

static int type1_start(void *c)
{
	return type1_dirty_pages(((struct type1_ctx *)c)->edu.container,
				 VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
}

static int type1_stop(void *c)
{
	return type1_dirty_pages(((struct type1_ctx *)c)->edu.container,
				 VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
}

static int type1_get(void *c, uint64_t *bitmap, size_t size, bool no_clear)
{
	return type1_get_bitmap(((struct type1_ctx *)c)->edu.container, IOVA,
				size, bitmap);
}

static int type1_remap(void *c, void *buf, size_t size)
{
	struct type1_ctx *t = c;

	return vfio_unmap(t->edu.container, IOVA, size) ?:
	       vfio_map(t->edu.container, buf, IOVA, size);
}

static void type1_close(void *c)
{
	struct type1_ctx *t = c;

	edu_close(&t->edu, 1);	/* closing the container unmaps all */
}

static struct edu *type1_edu(void *c)
{
	return &((struct type1_ctx *)c)->edu;
}

/* ---- iommufd, through the edu cdev ---- */
struct iommufd_ctx {
	struct edu edu;
	int iommufd;
	uint32_t ioas, hwpt;
};

static int iommufd_open(void *c, void *buf, size_t size)
{
	struct iommufd_ctx *f = c;
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt),
					 .flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (uintptr_t)buf, .length = size, .iova = IOVA,
	};
	char path[512], link[64];
	struct dirent *d;
	DIR *dir;

	memset(&f->edu, 0, sizeof(f->edu));
	f->edu.container = f->edu.group = f->edu.device = -1;
	if (edu_find(0, f->edu.bdf, &f->edu.group_id))
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", f->edu.bdf);
	dir = opendir(path);
	if (!dir)
		return -ENODEV;
	link[0] = 0;
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, "vfio", 4))
			snprintf(link, sizeof(link), "/dev/vfio/devices/%.40s", d->d_name);
	closedir(dir);
	f->iommufd = open("/dev/iommu", O_RDWR);
	f->edu.device = open(link, O_RDWR);
	if (f->iommufd < 0 || f->edu.device < 0)
		return -ENODEV;
	bind.iommufd = f->iommufd;
	if (ioctl(f->edu.device, VFIO_DEVICE_BIND_IOMMUFD, &bind) ||
	    ioctl(f->iommufd, IOMMU_IOAS_ALLOC, &ioas))
		return -errno;
	f->ioas = ioas.out_ioas_id;
	hwpt.dev_id = bind.out_devid;
	hwpt.pt_id = f->ioas;
	if (ioctl(f->iommufd, IOMMU_HWPT_ALLOC, &hwpt))
		return -errno;
	f->hwpt = hwpt.out_hwpt_id;
	attach.pt_id = f->hwpt;
	if (ioctl(f->edu.device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return -errno;
	map.ioas_id = f->ioas;
	if (ioctl(f->iommufd, IOMMU_IOAS_MAP, &map))
		return -errno;
	return edu_enable_bar(&f->edu);
}

/*
 * IOMMU_HWPT_DIRTY_TRACKING_SPLIT of the mainline series, spelled out: the
 * guest programs are built against the 6.12 backport's headers too, which
 * do not have it, and a 6.12 kernel refuses it like any unknown flag.
 */
#define DIRTY_TRACKING_SPLIT (1U << 1)

/*
 * On: page-size tracking (DIRTY_TRACKING_SPLIT), as a VMM asks for it, or
 * tracking at the mappings' size where the IOMMU cannot split.
 */
static int iommufd_track(struct iommufd_ctx *f, bool on)
{
	struct iommu_hwpt_set_dirty_tracking s = {
		.size = sizeof(s), .hwpt_id = f->hwpt,
		.flags = on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE |
			      DIRTY_TRACKING_SPLIT : 0,
	};

	if (!ioctl(f->iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &s))
		return 0;
	if (errno != EOPNOTSUPP || !on)
		return -errno;
	s.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	return ioctl(f->iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &s) ? -errno : 0;
}

static int iommufd_start(void *c)
{
	return iommufd_track(c, true);
}

static int iommufd_stop(void *c)
{
	return iommufd_track(c, false);
}

static int iommufd_get(void *c, uint64_t *bitmap, size_t size, bool no_clear)
{
	struct iommufd_ctx *f = c;
	struct iommu_hwpt_get_dirty_bitmap g = {
		.size = sizeof(g), .hwpt_id = f->hwpt,
		.flags = no_clear ? IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR : 0,
		.iova = IOVA, .length = size, .page_size = PAGE,
		.data = (uintptr_t)bitmap,
	};

	return ioctl(f->iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &g) ? -errno : 0;
}

static int iommufd_remap(void *c, void *buf, size_t size)
{
	struct iommufd_ctx *f = c;
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = f->ioas,
				      .iova = IOVA, .length = size };
	struct iommu_ioas_map m = {
		.size = sizeof(m), .ioas_id = f->ioas,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (uintptr_t)buf, .length = size, .iova = IOVA,
	};

	if (ioctl(f->iommufd, IOMMU_IOAS_UNMAP, &u) ||
	    ioctl(f->iommufd, IOMMU_IOAS_MAP, &m))
		return -errno;
	return 0;
}

static void iommufd_close(void *c)
{
	struct iommufd_ctx *f = c;

	if (f->edu.bar0 && f->edu.bar0 != MAP_FAILED)
		munmap((void *)f->edu.bar0, f->edu.bar0_size);
	if (f->edu.device >= 0)
		close(f->edu.device);
	if (f->iommufd >= 0)
		close(f->iommufd);
}

static struct edu *iommufd_edu(void *c)
{
	return &((struct iommufd_ctx *)c)->edu;
}

/* ---- the measurement ---- */
struct row {
	const char *path;
	const char *gran;
	unsigned long mib;
	double start_us, stop_us, clean_us, few_us, all_us, floor_us;
	unsigned long few_reported, all_reported;
	long pt_kib;		/* page-table memory START added */
};

/* IOMMU page-table memory, in KiB (nr_iommu_pages); -1 if unknown */
static long iommu_pt_kib(void)
{
	char line[128];
	long pages = -1;
	FILE *f = fopen("/proc/sys/vm/stat_refresh", "w");

	/* Fold the per-CPU counts, or a few tables do not show */
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "nr_iommu_pages %ld", &pages) == 1)
			break;
	fclose(f);
	return pages < 0 ? -1 : pages * (long)(PAGE / 1024);
}

static unsigned int rows_measured;

static void report(const struct row *r)
{
	double gib = r->mib / 1024.0;

	rows_measured++;
	printf("# %-13s %3s %5lu MiB  start %9.0f  stop %7.0f  clean %9.0f (%5.1fx floor, %8.0f/GiB)"
	       "  few %9.0f  all %9.0f (%5.1fx floor)  precision %lu/%d"
	       "  start %8.0f/GiB  +%ld KiB tables/GiB\n",
	       r->path, r->gran, r->mib, r->start_us, r->stop_us, r->clean_us,
	       r->clean_us / r->floor_us, r->clean_us / gib, r->few_us, r->all_us,
	       r->all_us / r->floor_us, r->few_reported, FEW,
	       r->start_us / gib, (long)(r->pt_kib / gib));
	data_line("bench.csv", "%s,%s,%lu,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%lu,%lu,%ld",
	       r->path, r->gran, r->mib, r->floor_us, r->start_us, r->stop_us,
	       r->clean_us, r->few_us, r->all_us, r->few_reported,
	       r->all_reported, r->pt_kib);
	fflush(stdout);
}

/* One harvest into a zeroed bitmap, timed in *us (the zeroing is not). */
static int timed_get(const struct path_ops *ops, void *ctx, uint64_t *bitmap,
		     size_t size, double *us)
{
	double t0;
	int ret;

	memset(bitmap, 0, size / PAGE / 8);
	t0 = now_us();
	ret = ops->get(ctx, bitmap, size, ops->no_clear);
	*us = now_us() - t0;
	return ret;
}

static void measure(const struct path_ops *ops, void *ctx, void *buf,
		    unsigned long mib, size_t block, const uint64_t *floor_mem)
{
	size_t size = mib << 20;
	unsigned long npages = size / PAGE, i, missing;
	uint64_t *bitmap = calloc(npages / 64, 8);
	struct row r = { .path = ops->name, .mib = mib,
			 .gran = block == GIGA ? "1G" : block == BLOCK ? "2M" : "4K" };
	double t[16], t0;
	unsigned int k, b, batch;
	bool legacy = !strcmp(ops->name, "type1-legacy");
	long pt0;
	int ret;

	ret = ops->open(ctx, buf, size);
	if (ret) {
		printf("# %s: unavailable (%s)\n", ops->name, strerror(-ret));
		goto out;
	}
	pt0 = iommu_pt_kib();
	t0 = now_us();
	ret = ops->start(ctx);
	r.start_us = now_us() - t0;
	if (ret) {
		printf("# %s: start failed: %s\n", ops->name, strerror(-ret));
		goto out_close;
	}
	r.pt_kib = pt0 < 0 ? 0 : iommu_pt_kib() - pt0;
	/* The descriptors a walk reads: pages once the blocks are split */
	if (r.pt_kib > 0)
		block = PAGE;
	r.floor_us = floor_us(floor_mem, size / block * 8);
	/*
	 * Nothing written since START: the cost of the walk alone.  Calls
	 * that take microseconds (2M blocks) are timed in batches of about
	 * 2 ms, so that the clock and the scheduler do not dominate.
	 */
	ret = timed_get(ops, ctx, bitmap, size, &t[0]);
	batch = 2000 / (t[0] + 1);
	batch = batch < 1 ? 1 : batch > 64 ? 64 : batch;
	if (ret)
		goto out_fail;
	for (k = 0; k < reps; k++) {
		t0 = now_us();
		for (b = 0; b < batch && !ret; b++)
			ret = ops->get(ctx, bitmap, size, ops->no_clear);
		t[k] = (now_us() - t0) / batch;
		if (ret)
			goto out_fail;
	}
	r.clean_us = median(t, reps);
	if (!legacy && count_bits(bitmap, npages))
		ksft_test_result(false, "%s %s %lu MiB: clean after START\n", ops->name, r.gran, mib);

	/* few pages written by the device */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < FEW; i++)
			if (edu_dma(ops->edu(ctx), IOVA + few_page(i, npages) * PAGE,
				    0, 8, 1))
				goto out_fail;
		ret = timed_get(ops, ctx, bitmap, size, &t[k]);
		if (ret)
			goto out_fail;
		if (ops->no_clear)	/* clear for the next round */
			ops->get(ctx, bitmap + 0, size, false);
	}
	r.few_us = median(t, 3);
	memset(bitmap, 0, npages / 8);
	for (i = 0; i < FEW; i++)
		edu_dma(ops->edu(ctx), IOVA + few_page(i, npages) * PAGE, 0, 8, 1);
	ops->get(ctx, bitmap, size, false);
	r.few_reported = count_bits(bitmap, npages);
	ksft_test_result(all_reported(bitmap, npages, &missing),
	    "%s %s %lu MiB: every written page reported (%lu reported for %d written)\n",
	    ops->name, r.gran, mib, r.few_reported, FEW);

	/* all dirty: fresh writable mappings start writable-dirty */
	for (k = 0; k < 2; k++) {
		if (ops->remap(ctx, buf, size))
			goto out_fail;
		ret = timed_get(ops, ctx, bitmap, size, &t[k]);
		if (ret)
			goto out_fail;
	}
	r.all_us = (t[0] + t[1]) / 2;
	r.all_reported = count_bits(bitmap, npages);

	t0 = now_us();
	ops->stop(ctx);
	r.stop_us = now_us() - t0;
	report(&r);
	goto out_close;
out_fail:
	printf("# %s: failed: %s\n", ops->name, strerror(ret ? -ret : EIO));
	ksft_test_result(false, "%s %s %lu MiB\n", ops->name, r.gran, mib);
out_close:
	ops->close(ctx);
out:
	free(bitmap);
}

/*
 * Scale: one GiB of memory mapped at up to 16 consecutive GiB of IOVA
 * (type1 pins and maps the same pages once per mapping), so that the cost
 * of a harvest per GiB can be followed from 64 MiB to 16 GiB in a 4 GiB
 * guest.  4K pages, nothing dirty: the walk alone, type1 with hardware
 * tracking.  Each size is given per GiB and as a ratio to the smallest.
 */
static void scale(unsigned long max_mib)
{
	static const unsigned long mibs[] = { 64, 256, 1024, 4096, 16384 };
	const size_t gib = 1UL << 30;
	struct type1_ctx t = { 0 };
	double first = 0, v[16], t0, start_us, get_us;
	unsigned int i, k;
	uint64_t *bitmap;
	size_t size, done;
	void *buf;
	int ret;

	buf = mmap(NULL, gib, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		printf("# scale: no memory for 1 GiB\n");
		return;
	}
	madvise(buf, gib, MADV_NOHUGEPAGE);
	memset(buf, 0, gib);
	data_line("bench-scale.csv", "mib,start_us,get_us,get_us_per_gib");
	printf("# scale: type1-hw, 4K pages, 1 GiB mapped again at each GiB of "
	       "IOVA, GET_BITMAP with nothing dirty (median of %u)\n", reps);
	for (i = 0; i < sizeof(mibs) / sizeof(mibs[0]); i++) {
		if (mibs[i] > max_mib)
			break;
		size = mibs[i] << 20;
		if (edu_open(&t.edu, 0, -1)) {
			printf("# scale: no edu\n");
			break;
		}
		ret = 0;
		for (done = 0; done < size && !ret; done += gib)
			ret = vfio_map(t.edu.container, buf, IOVA + done,
				       size - done < gib ? size - done : gib);
		bitmap = calloc(size / PAGE / 64, 8);
		if (ret || !bitmap) {
			printf("# scale %lu MiB: map failed: %s\n", mibs[i],
			       strerror(ret ? -ret : ENOMEM));
			goto next;
		}
		t0 = now_us();
		ret = type1_start(&t);
		start_us = now_us() - t0;
		for (k = 0; k < reps && !ret; k++) {
			t0 = now_us();
			ret = type1_get_bitmap(t.edu.container, IOVA, size, bitmap);
			v[k] = now_us() - t0;
		}
		if (ret) {
			printf("# scale %lu MiB: failed: %s\n", mibs[i],
			       strerror(-ret));
			goto next;
		}
		get_us = median(v, reps);
		if (!first)
			first = get_us / (mibs[i] / 1024.0);
		printf("# scale %6lu MiB  start %10.0f us  get %10.0f us  %8.0f us/GiB"
		       "  %5.2fx the %lu MiB cost per GiB\n", mibs[i], start_us,
		       get_us, get_us / (mibs[i] / 1024.0),
		       get_us / (mibs[i] / 1024.0) / first, mibs[0]);
		data_line("bench-scale.csv", "%lu,%.1f,%.1f,%.1f", mibs[i],
			  start_us, get_us, get_us / (mibs[i] / 1024.0));
next:
		free(bitmap);
		type1_close(&t);
	}
	munmap(buf, gib);
}

/* Does a type1 container of the first edu track in the IOMMU here? */
static int type1_tracks(void)
{
	struct edu edu;
	int tracks;

	if (edu_open(&edu, 0, -1))
		return -1;
	tracks = type1_dirty_iommu(edu.container);
	edu_close(&edu, 1);
	return tracks;
}

int main(int argc, char **argv)
{
	static const unsigned long sizes[] = { 64, 256, 1024 };
	struct type1_ctx t1 = { 0 }, t1l = { .legacy = true };
	struct iommufd_ctx fd = { 0 }, fdn = { 0 };
	const struct path_ops all_paths[] = {
		{ "type1-hw", type1_open, type1_get, type1_remap, type1_start,
		  type1_stop, type1_close, type1_edu },
		{ "iommufd", iommufd_open, iommufd_get, iommufd_remap, iommufd_start,
		  iommufd_stop, iommufd_close, iommufd_edu },
		{ "iommufd-nc", iommufd_open, iommufd_get, iommufd_remap,
		  iommufd_start, iommufd_stop, iommufd_close, iommufd_edu, true },
	}, legacy_paths[] = {
		{ "type1-legacy", type1_open, type1_get, type1_remap, type1_start,
		  type1_stop, type1_close, type1_edu },
	};
	void *all_ctxs[] = { &t1, &fd, &fdn }, *legacy_ctxs[] = { &t1l };
	bool legacy = argc > 1 && !strcmp(argv[1], "--legacy");
	const struct path_ops *paths = legacy ? legacy_paths : all_paths;
	void **ctxs = legacy ? legacy_ctxs : all_ctxs;
	unsigned int npaths = legacy ? 1 : 3;
	unsigned long max_mib;
	uint64_t *floor_mem;
	unsigned int s, p, h;
	int tracks;

	if (legacy) {
		argc--;
		argv++;
	}
	max_mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
	ksft_print_header();
	/*
	 * The type1 rows need the SMMU they were written for: with HTTU for
	 * type1-hw, without it for type1-legacy.  A wrong one is a failure,
	 * and its rows are not measured.
	 */
	tracks = type1_tracks();
	if (legacy)
		ksft_test_result(tracks == 0, "type1-legacy: type1 does not track "
				 "in the IOMMU here (an SMMU without HTTU)\n");
	else
		ksft_test_result(tracks == 1, "type1-hw: type1 tracks in the "
				 "IOMMU here (VFIO_IOMMU_TYPE1_MIGRATION_DIRTY_IOMMU)\n");
	data_line("bench.csv", "path,gran,mib,floor_us,start_us,stop_us,clean_us,"
		  "few_us,all_us,few_reported,all_reported,pt_kib");
	printf("# times in microseconds, medians; floor = linear read of the "
	       "page table's bytes\n");
	floor_mem = malloc((1024UL << 20) / PAGE * 8);
	memset(floor_mem, 1, (1024UL << 20) / PAGE * 8);
	for (h = 0; h < 3; h++) {
		static const size_t blocks[] = { PAGE, BLOCK, GIGA };
		static const int huge[] = { 0, MAP_HUGETLB | (21 << MAP_HUGE_SHIFT),
					    MAP_HUGETLB | (30 << MAP_HUGE_SHIFT) };

		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			size_t size = sizes[s] << 20;
			void *buf;

			if (sizes[s] > max_mib || size < blocks[h])
				continue;
			buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | huge[h], -1, 0);
			if (buf == MAP_FAILED) {
				printf("# %s %lu MiB: no memory%s\n",
				       h == 2 ? "1G" : h ? "2M" : "4K", sizes[s],
				       h ? " (hugepages=)" : "");
				continue;
			}
			if (!h)
				madvise(buf, size, MADV_NOHUGEPAGE);
			memset(buf, 0, size);
			for (p = 0; p < npaths; p++)
				measure(&paths[p], ctxs[p], buf, sizes[s],
					blocks[h], floor_mem);
			munmap(buf, size);
		}
	}
	if (!legacy && tracks == 1)
		scale(argc > 2 ? strtoul(argv[2], NULL, 0) : 16384);
	if (!rows_measured)
		ksft_exit_fail_msg("nothing measured\n");
	ksft_set_plan(ksft_test_num());		/* a plan at the end */
	ksft_finished();
}
