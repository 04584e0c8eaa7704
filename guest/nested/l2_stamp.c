// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the nested guest (L2) in the real-VMM migration run: the
 * guest's workload, not a test of the host kernel (so not a selftest),
 * and no VFIO client (L2 reaches its edu through sysfs's mapping of BAR0).
 *
 * L2 owns an edu device, passed through by the inner QEMU.  It stamps its
 * own RAM by DMA: a seeded pseudo-random sequence picks a page of a buffer,
 * the CPU puts a stamp (seed, page, sequence number) into edu's buffer
 * through BAR0, and edu writes it to the start of the page.  Only the device
 * ever writes the buffer's pages after setup, so only the IOMMU can tell the
 * VMM they changed.  The CPU keeps a log of the last sequence number sent
 * to every page in ordinary memory, which the VMM tracks through KVM.
 *
 * The workload runs until a "c" line arrives on the console, which the run
 * sends to the destination once the migration has completed.  Then every
 * page is checked against the log: a page whose stamp is older than the log
 * is a DMA-written page the migration did not carry over.  The summary line
 * is "l2: PASS ..." or "l2: FAIL ...", and the first stale pages are named.
 *
 * Kernel command line: stamp.seed=N (default 1), stamp.mib=M (default 64),
 * stamp.rate=R stamps per second (default 5000; 0: as fast as edu goes).
 * A device that rewrites all of a guest's memory faster than the link can
 * carry it prevents any precopy migration from converging; the rate keeps
 * the workload one that a good dirty tracker lets converge.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>

#include "../edu.h"

#define PAGE		4096UL
#define EDU_BAR_SIZE	0x100000
#define STAMP_MAGIC	0x504d415453324cULL	/* "L2STAMP" */
#define MAX_STALE_SHOWN	10

struct stamp {
	uint64_t magic;
	uint64_t seq;
	uint32_t seed;
	uint32_t page;
	uint64_t check;
};

static volatile uint8_t *bar;
static uint64_t *pa;		/* physical address of every buffer page */
static uint64_t *log_seq;	/* last sequence number sent to every page */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("l2: FAIL ");
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	reboot(RB_POWER_OFF);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t cmdline_u64(const char *cmdline, const char *key, uint64_t def)
{
	const char *p = strstr(cmdline, key);

	return p ? strtoull(p + strlen(key), NULL, 0) : def;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t stamp_check(const struct stamp *st)
{
	return st->magic ^ st->seq * 0x9e3779b97f4a7c15ULL ^
	       ((uint64_t)st->seed << 32 | st->page);
}

/* Find edu, enable memory decoding and bus mastering, map BAR0. */
static void edu_open(void)
{
	char path[300], bdf[32];
	int fd, group;

	if (edu_find(0, bdf, &group))
		die("no edu device");
	if (edu_sysfs_enable(bdf))
		die("cannot enable %s through its config space", bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", bdf);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		die("cannot open %s", path);
	bar = mmap(NULL, EDU_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED)
		die("cannot map BAR0 of %s", bdf);
	printf("l2: edu %s, id %#x\n", bdf, edu_bar_rd32(bar, EDU_REG_IDENT));
}

/* The stamp goes into edu's buffer through BAR0, then by DMA to its page. */
static void dma_stamp(const struct stamp *st)
{
	const uint64_t *w = (const uint64_t *)st;
	unsigned int i;

	for (i = 0; i < sizeof(*st) / 8; i++)
		edu_bar_wr64(bar, EDU_BUF_ADDR + 8 * i, w[i]);
	if (edu_bar_dma(bar, pa[st->page], 0, sizeof(*st), 1))
		die("DMA of stamp %llu timed out", (unsigned long long)st->seq);
}

int main(void)
{
	uint64_t seed, mib, rate, npages, i, seq, state, written = 0, stale = 0;
	char cmdline[1024] = "", c;
	double t0, tprint;
	uint8_t *mem;
	int fd;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = open("/proc/cmdline", O_RDONLY);
	if (fd >= 0) {
		read(fd, cmdline, sizeof(cmdline) - 1);
		close(fd);
	}
	seed = cmdline_u64(cmdline, "stamp.seed=", 1);
	mib = cmdline_u64(cmdline, "stamp.mib=", 64);
	rate = cmdline_u64(cmdline, "stamp.rate=", 5000);
	npages = mib * 1024 * 1024 / PAGE;

	edu_open();

	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	pa = calloc(npages, sizeof(*pa));
	log_seq = calloc(npages, sizeof(*log_seq));
	if (mem == MAP_FAILED || !pa || !log_seq || mlock(mem, npages * PAGE))
		die("cannot allocate %llu MiB", (unsigned long long)mib);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		die("no /proc/self/pagemap");
	for (i = 0; i < npages; i++) {
		uint64_t ent;

		mem[i * PAGE] = 0;	/* a private page of our own */
		if (pread(fd, &ent, 8, (uintptr_t)(mem + i * PAGE) / PAGE * 8) != 8 ||
		    !(ent >> 63))
			die("page %llu not present", (unsigned long long)i);
		pa[i] = (ent & ((1ULL << 55) - 1)) * PAGE;
	}
	close(fd);

	fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	printf("l2: seed %llu, %llu pages, stamping at %llu stamps/s\n",
	       (unsigned long long)seed, (unsigned long long)npages,
	       (unsigned long long)rate);

	state = seed * 0x2545f4914f6cdd1dULL | 1;
	t0 = tprint = now();
	for (seq = 1;; seq++) {
		struct stamp st = {
			.magic = STAMP_MAGIC,
			.seq = seq,
			.seed = seed,
			.page = xorshift(&state) % npages,
		};

		st.check = stamp_check(&st);
		dma_stamp(&st);
		if (!log_seq[st.page])
			written++;
		log_seq[st.page] = seq;

		if (seq % 64)
			continue;
		if (read(0, &c, 1) == 1 && c == 'c')
			break;
		if (rate) {
			double ahead = (double)seq / rate - (now() - t0);

			if (ahead > 0) {
				struct timespec ts = {
					.tv_sec = (time_t)ahead,
					.tv_nsec = (long)((ahead - (time_t)ahead) * 1e9),
				};

				nanosleep(&ts, NULL);
			}
		}
		if (now() - tprint >= 2) {
			tprint = now();
			printf("l2: %llu stamps, %llu pages written, %.0f stamps/s\n",
			       (unsigned long long)seq,
			       (unsigned long long)written, seq / (tprint - t0));
		}
	}

	printf("l2: checking %llu pages after %llu stamps\n",
	       (unsigned long long)npages, (unsigned long long)seq);
	for (i = 0; i < npages; i++) {
		const struct stamp *st = (const void *)(mem + i * PAGE);
		struct stamp zero = { 0 };
		int ok;

		if (!log_seq[i])
			ok = !memcmp(st, &zero, sizeof(zero));
		else
			ok = st->magic == STAMP_MAGIC && st->seed == seed &&
			     st->page == i && st->seq == log_seq[i] &&
			     st->check == stamp_check(st);
		if (ok)
			continue;
		if (++stale <= MAX_STALE_SHOWN)
			printf("l2: stale page %llu (pa %#llx): holds stamp %llu, the log says %llu\n",
			       (unsigned long long)i, (unsigned long long)pa[i],
			       (unsigned long long)(st->magic == STAMP_MAGIC ? st->seq : 0),
			       (unsigned long long)log_seq[i]);
	}
	printf("l2: %s: %llu pages checked, %llu written by DMA, %llu stamps, %llu stale\n",
	       stale ? "FAIL" : "PASS", (unsigned long long)npages,
	       (unsigned long long)written, (unsigned long long)seq,
	       (unsigned long long)stale);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
