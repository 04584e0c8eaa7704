// SPDX-License-Identifier: GPL-2.0
/*
 * Stress of type1 dirty tracking: a VMM's pre-copy migration of memory that
 * two edu devices keep writing by DMA, while everything else a VMM and its
 * guest do to a container happens at the same time.
 *
 * One type1 v2 container holds both edu devices.  Each device has a hot region (always mapped; the
 * first edu's in transparent huge pages, the second's in 4 KiB pages) and
 * a cycle region.  Threads, all seeded:
 *
 *   writer (one per edu)  DMA-writes a stamp (sequence number, page, edu)
 *                         to a random page of its regions, so a page's
 *                         content changes with every write; the second
 *                         edu's writer also takes its group out of the
 *                         container and back in, while tracking
 *   churn                 unmaps a cycle region with a dirty bitmap (its
 *                         writer is kept out first) and copies the pages
 *                         it reports, maps it again; maps and unmaps a
 *                         range no device writes
 *   harvester (main)      VFIO_IOMMU_DIRTY_PAGES GET_BITMAP over every
 *                         mapped region and copies what it reports to the
 *                         destination, as a VMM does; now and then STOP,
 *                         START and a full copy, as a VMM whose migration
 *                         was cancelled and started again does
 *
 * Before each STOP the writers pause and everything is harvested: the
 * destination must equal the source there too, so that the full copy after
 * START does not cover up what was lost before it.  After the set time the
 * writers stop, a last harvest copies what they wrote (stop-and-copy) and
 * tracking stops.  Then the destination must equal the source: every page
 * that differs is a dirty page lost, and is named with its region, IOVA
 * and the last stamp written to it.  The container must track in the
 * IOMMU from the start (VFIO_IOMMU_TYPE1_MIGRATION_DIRTY_IOMMU, which only
 * the 7.3 series reports): the stress does not run on an all-dirty
 * container, where it would prove nothing.
 *
 * Prints the operations per second of each kind and TAP.  Options:
 * --seconds N (60), --seed N (1), --hot-mib M (8 per edu).
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include "tap.h"
#include "vfio.h"

#define PAGE		4096UL
#define NEDU		2
#define CYCLE_MIB	2
#define NOISE_SIZE	(64 * 1024UL)
#define IOVA_BASE(e)	(0x40000000ULL + (uint64_t)(e) * 0x10000000ULL)
#define HOT_IOVA(e)	IOVA_BASE(e)
#define CYCLE_IOVA(e)	(IOVA_BASE(e) + 0x8000000ULL)
#define NOISE_IOVA	0x30000000ULL
#define STAMP_MAGIC	0x5353455254535356ULL

struct stamp {
	uint64_t magic;
	uint64_t seq;
	uint32_t page;		/* global page number */
	uint32_t edu;
};

/* A range of source memory, its copy at the destination, and its IOVA */
struct region {
	const char *name;
	uint64_t iova;
	unsigned long npages;
	unsigned long first;	/* global number of its first page */
	uint8_t *src, *dst;
	bool mapped;		/* under lock */
	pthread_mutex_t lock;	/* mapping, harvest and copy of the region */
};

static struct {
	unsigned int seconds;
	uint64_t seed;
	unsigned long hot_mib;
} opt = { 60, 1, 8 };

static int container;
static struct edu edus[NEDU];
static struct region hot[NEDU], cycle[NEDU];
static struct region *regions[2 * NEDU];
static unsigned long total_pages;
static _Atomic uint64_t *last_seq;	/* per global page: last stamp written */
static _Atomic uint64_t seq;
static atomic_bool stopping;
static atomic_bool cycle_usable[NEDU];
static pthread_mutex_t cycle_dma[NEDU];	/* held by a writer around a DMA there */
/* Readers: unmap with a bitmap.  Writer: STOP, START and the full copy. */
static pthread_rwlock_t track_lock;
/* Readers: the writers, around each DMA.  Writer: the check before STOP. */
static pthread_rwlock_t dma_lock;
static unsigned long lost;		/* pages found differing, all checks */

static struct {
	_Atomic unsigned long dma, harvests, harvested, unmaps, unmapped,
		maps, noise, toggles, rejoins, errors;
} ops;

static void fail(const char *what, int err)
{
	atomic_fetch_add(&ops.errors, 1);
	printf("# %s: %s\n", what, strerror(err < 0 ? -err : err));
}

static uint64_t rand_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void copy_bitmap(struct region *r, const uint64_t *bitmap,
			_Atomic unsigned long *count)
{
	unsigned long p, n = 0;

	for (p = 0; p < r->npages; p++) {
		if (bitmap[p / 64] & (1ULL << (p % 64))) {
			memcpy(r->dst + p * PAGE, r->src + p * PAGE, PAGE);
			n++;
		}
	}
	atomic_fetch_add(count, n);
}

static int map_region(struct region *r)
{
	int ret = vfio_map(container, r->src, r->iova, r->npages * PAGE);

	if (ret)
		fail(r->name, ret);
	else
		r->mapped = true;
	return ret;
}

/* Unmap with a dirty bitmap and copy what it reports; the region is locked */
static int unmap_with_bitmap(struct region *r, uint64_t *bitmap)
{
	int ret;

	memset(bitmap, 0, (r->npages + 63) / 64 * 8);
	ret = type1_unmap_get_bitmap(container, r->iova, r->npages * PAGE, bitmap);
	if (ret) {
		fail("unmap with a dirty bitmap", ret);
		return ret;
	}
	r->mapped = false;
	atomic_fetch_add(&ops.unmaps, 1);
	copy_bitmap(r, bitmap, &ops.unmapped);
	return 0;
}

static void harvest(struct region *r, uint64_t *bitmap)
{
	int ret;

	pthread_mutex_lock(&r->lock);
	if (r->mapped) {
		memset(bitmap, 0, (r->npages + 63) / 64 * 8);
		ret = type1_get_bitmap(container, r->iova, r->npages * PAGE, bitmap);
		if (ret) {
			fail("GET_BITMAP", ret);
		} else {
			atomic_fetch_add(&ops.harvests, 1);
			copy_bitmap(r, bitmap, &ops.harvested);
		}
	}
	pthread_mutex_unlock(&r->lock);
}

/* Everything to the destination, mapped or not: round 0 of a migration */
static void full_copy(void)
{
	unsigned int i;

	for (i = 0; i < 2 * NEDU; i++) {
		pthread_mutex_lock(&regions[i]->lock);
		memcpy(regions[i]->dst, regions[i]->src, regions[i]->npages * PAGE);
		pthread_mutex_unlock(&regions[i]->lock);
	}
}

static void dma_stamp(unsigned int e, struct region *r, unsigned long p)
{
	struct stamp st = {
		.magic = STAMP_MAGIC,
		.seq = atomic_fetch_add(&seq, 1) + 1,
		.page = r->first + p,
		.edu = e,
	};
	const uint64_t *w = (const uint64_t *)&st;
	/* Where in the page moves too, so more than one line changes */
	uint32_t off = (st.seq % 63) * 64;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(st) / 8; i++)
		edu_wr64(&edus[e], EDU_BUF_ADDR + 8 * i, w[i]);
	ret = edu_dma(&edus[e], r->iova + p * PAGE + off, 0, sizeof(st), 1);
	if (ret) {
		/* A DMA still in flight could carry the next stamp: give up */
		fail("DMA", ret);
		atomic_store(&stopping, true);
		return;
	}
	atomic_store(&last_seq[st.page], st.seq);
	atomic_fetch_add(&ops.dma, 1);
}

/* The second edu's group leaves the container and joins it again */
static void rejoin(unsigned int e)
{
	int ret;

	edu_close(&edus[e], 0);
	ret = edu_open(&edus[e], e, container);
	if (ret) {
		fail("group rejoining the container", ret);
		atomic_store(&stopping, true);
		return;
	}
	atomic_fetch_add(&ops.rejoins, 1);
}

static void *writer(void *arg)
{
	unsigned int e = (uintptr_t)arg;
	uint64_t s = opt.seed * 7919 + e + 1;
	unsigned long n = 0;

	while (!atomic_load(&stopping)) {
		uint64_t x = rand_next(&s);

		pthread_rwlock_rdlock(&dma_lock);
		if (x % 4 == 0 && atomic_load(&cycle_usable[e])) {
			pthread_mutex_lock(&cycle_dma[e]);
			if (atomic_load(&cycle_usable[e]))
				dma_stamp(e, &cycle[e], (x >> 8) % cycle[e].npages);
			pthread_mutex_unlock(&cycle_dma[e]);
		} else {
			dma_stamp(e, &hot[e], (x >> 8) % hot[e].npages);
		}
		pthread_rwlock_unlock(&dma_lock);
		if (e == 1 && ++n % 2000 == 0)
			rejoin(e);
	}
	return NULL;
}

static void *churn(void *arg)
{
	uint64_t s = opt.seed * 104729 + 3;
	uint64_t *bitmap = calloc((CYCLE_MIB << 20) / PAGE / 64 + 1, 8);
	uint8_t *noise = mmap(NULL, NOISE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	struct timespec pause = { 0, 2000000 };

	if (!bitmap || noise == MAP_FAILED) {
		fail("churn's memory", ENOMEM);
		atomic_store(&stopping, true);
		return NULL;
	}
	while (!atomic_load(&stopping)) {
		unsigned int e = rand_next(&s) % NEDU;
		int ret;

		/* Keep the writer out of the cycle region, then unmap it */
		atomic_store(&cycle_usable[e], false);
		pthread_mutex_lock(&cycle_dma[e]);
		pthread_mutex_unlock(&cycle_dma[e]);
		pthread_rwlock_rdlock(&track_lock);
		pthread_mutex_lock(&cycle[e].lock);
		if (!unmap_with_bitmap(&cycle[e], bitmap) && !map_region(&cycle[e]))
			atomic_fetch_add(&ops.maps, 1);
		pthread_mutex_unlock(&cycle[e].lock);
		pthread_rwlock_unlock(&track_lock);
		atomic_store(&cycle_usable[e], cycle[e].mapped);

		/* A mapping no device writes comes and goes */
		ret = vfio_map(container, noise, NOISE_IOVA, NOISE_SIZE);
		if (!ret)
			ret = vfio_unmap(container, NOISE_IOVA, NOISE_SIZE);
		if (ret)
			fail("map and unmap", ret);
		else
			atomic_fetch_add(&ops.noise, 1);
		nanosleep(&pause, NULL);
	}
	free(bitmap);
	munmap(noise, NOISE_SIZE);
	return NULL;
}

static int setup_region(struct region *r, const char *name, uint64_t iova,
			unsigned long mib, bool thp)
{
	size_t len = mib << 20, align = 2UL << 20;
	uint8_t *p;

	r->name = name;
	r->iova = iova;
	r->npages = len / PAGE;
	r->first = total_pages;
	total_pages += r->npages;
	pthread_mutex_init(&r->lock, NULL);
	/* 2 MiB aligned, so THP can back it and type1 map it with blocks */
	p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->src = (uint8_t *)(((uintptr_t)p + align - 1) & ~(align - 1));
	madvise(r->src, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	memset(r->src, 0x5a, len);
	r->dst = malloc(len);
	if (!r->dst)
		return -ENOMEM;
	return map_region(r);
}

/*
 * Pages whose destination differs from their source, each a dirty page
 * lost; the first are named.  Nothing may write meanwhile.
 */
static unsigned long compare(const char *when)
{
	unsigned long p, differ = 0;
	unsigned int i;

	for (i = 0; i < 2 * NEDU; i++) {
		struct region *r = regions[i];

		for (p = 0; p < r->npages; p++) {
			const struct stamp *d;
			uint64_t last = atomic_load(&last_seq[r->first + p]);

			if (!memcmp(r->src + p * PAGE, r->dst + p * PAGE, PAGE))
				continue;
			if (lost + ++differ > 20)
				continue;
			d = (const struct stamp *)(r->dst + p * PAGE + (last % 63) * 64);
			ksft_print_msg("lost (%s): %s page %lu (iova 0x%llx): last write is stamp %llu, the destination holds %llu there\n",
				       when, r->name, p,
				       (unsigned long long)(r->iova + p * PAGE),
				       (unsigned long long)last,
				       d->magic == STAMP_MAGIC ? (unsigned long long)d->seq : 0ULL);
		}
	}
	lost += differ;
	return differ;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--seconds N] [--seed N] [--hot-mib M]\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'r' },
		{ "hot-mib", required_argument, NULL, 'm' },
		{ }
	};
	pthread_rwlockattr_t attr;
	pthread_t writers[NEDU], churner;
	unsigned long rounds = 0, checks = 0;
	uint64_t *bitmap, s;
	double t0, t, next_toggle;
	unsigned int e, i;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 's': opt.seconds = strtoul(optarg, NULL, 0); break;
		case 'r': opt.seed = strtoull(optarg, NULL, 0); break;
		case 'm': opt.hot_mib = strtoul(optarg, NULL, 0); break;
		default: usage(argv[0]);
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	ksft_set_plan(3);
	s = opt.seed;
	/* The check before STOP must get in between the writers */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&track_lock, &attr);
	pthread_rwlock_init(&dma_lock, &attr);

	for (e = 0; e < NEDU; e++) {
		ret = edu_open(&edus[e], e, e ? container : -1);
		if (ret)
			ksft_exit_fail_msg("edu #%u: %s\n", e, strerror(-ret));
		container = edus[e].container;
	}
	if (!type1_dirty_iommu(container))
		ksft_exit_fail_msg("the container does not track DMA in the IOMMU (no DIRTY_IOMMU)\n");
	for (e = 0; e < NEDU; e++) {
		if (setup_region(&hot[e], e ? "hot region of edu 1" : "hot region of edu 0",
				 HOT_IOVA(e), opt.hot_mib, e == 0) ||
		    setup_region(&cycle[e], e ? "cycle region of edu 1" : "cycle region of edu 0",
				 CYCLE_IOVA(e), CYCLE_MIB, e == 0))
			ksft_exit_fail_msg("cannot set up the regions\n");
		regions[2 * e] = &hot[e];
		regions[2 * e + 1] = &cycle[e];
		pthread_mutex_init(&cycle_dma[e], NULL);
		atomic_store(&cycle_usable[e], true);
	}
	last_seq = calloc(total_pages, sizeof(*last_seq));
	bitmap = calloc(opt.hot_mib * 256 / 64 + 64, 8);
	if (!last_seq || !bitmap)
		ksft_exit_fail_msg("out of memory\n");
	ksft_print_msg("seed %llu, %u s, %lu pages in %u regions, edu %s and %s in one container\n",
		       (unsigned long long)opt.seed, opt.seconds, total_pages,
		       2 * NEDU, edus[0].bdf, edus[1].bdf);

	ret = type1_dirty_pages(container, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	if (ret)
		ksft_exit_fail_msg("START: %s\n", strerror(-ret));
	full_copy();
	for (e = 0; e < NEDU; e++)
		pthread_create(&writers[e], NULL, writer, (void *)(uintptr_t)e);
	pthread_create(&churner, NULL, churn, NULL);

	t0 = now_s();
	/* At least one STOP and START, however short the run */
	next_toggle = t0 + (opt.seconds >= 20 ? 5 + rand_next(&s) % 10 : opt.seconds / 2);
	while ((t = now_s()) < t0 + opt.seconds && !atomic_load(&stopping)) {
		for (i = 0; i < 2 * NEDU; i++)
			harvest(regions[i], bitmap);
		rounds++;
		if (t >= next_toggle) {
			/*
			 * A cancelled migration, started again.  First the
			 * writers pause and everything is harvested: nothing
			 * may have been lost so far.
			 */
			pthread_rwlock_wrlock(&track_lock);
			pthread_rwlock_wrlock(&dma_lock);
			for (i = 0; i < 2 * NEDU; i++)
				harvest(regions[i], bitmap);
			compare("before STOP");
			checks++;
			ret = type1_dirty_pages(container, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
			if (!ret)
				ret = type1_dirty_pages(container,
							VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
			if (ret)
				fail("STOP and START", ret);
			full_copy();
			pthread_rwlock_unlock(&dma_lock);
			pthread_rwlock_unlock(&track_lock);
			atomic_fetch_add(&ops.toggles, 1);
			next_toggle = t + 5 + rand_next(&s) % 10;
		}
	}
	t = now_s() - t0;

	/* Stop-and-copy */
	atomic_store(&stopping, true);
	for (e = 0; e < NEDU; e++)
		pthread_join(writers[e], NULL);
	pthread_join(churner, NULL);
	for (i = 0; i < 2 * NEDU; i++)
		harvest(regions[i], bitmap);
	ret = type1_dirty_pages(container, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
	if (ret)
		fail("STOP", ret);

	compare("at the end");
	checks++;

	ksft_print_msg("%.0f s: %lu DMA writes (%.0f/s); %lu harvests (%.1f/s) in %lu rounds, %lu pages copied; %lu unmaps with a bitmap (%.1f/s), %lu pages; %lu maps; %lu noise map+unmap (%.1f/s); %lu STOP+START (%.2f/s); %lu group rejoins (%.2f/s)\n",
		       t, ops.dma, ops.dma / t, ops.harvests, ops.harvests / t, rounds,
		       ops.harvested, ops.unmaps, ops.unmaps / t, ops.unmapped,
		       ops.maps, ops.noise, ops.noise / t, ops.toggles, ops.toggles / t,
		       ops.rejoins, ops.rejoins / t);
	data_line("stress.csv", "seed,seconds,dma,harvests,harvested,unmaps,unmapped,maps,noise,toggles,rejoins,errors,checks,lost");
	data_line("stress.csv", "%llu,%.0f,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu",
		  (unsigned long long)opt.seed, t, ops.dma, ops.harvests, ops.harvested,
		  ops.unmaps, ops.unmapped, ops.maps, ops.noise, ops.toggles,
		  ops.rejoins, ops.errors, checks, lost);

	ksft_test_result(ops.dma && ops.harvests && ops.unmaps && ops.noise &&
			 ops.toggles && ops.rejoins,
			 "stress: every kind of operation ran\n");
	ksft_test_result(!ops.errors, "stress: no call failed (%lu failed)\n", ops.errors);
	ksft_test_result(!lost, "stress: the destination equals the source at each of %lu checks (%lu page differences; %lu pages)\n",
			 checks, lost, total_pages);
	for (e = 0; e < NEDU; e++)
		edu_close(&edus[e], e == NEDU - 1);
	ksft_finished();
}
