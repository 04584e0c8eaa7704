// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated SMMUv3 driven with no kernel driver: page tables, STE, CD
 * and commands written by this program, edu's DMA translated through
 * them.  For what a Linux guest never does, so that only a test that
 * builds its own tables can check it: a DMA that faults with a descriptor
 * the SMMU would otherwise update, an invalidation with a level hint on an
 * SMMU without range invalidation, a block size changed without
 * break-before-make, a write through a cached read-only entry, and a
 * descriptor the SMMU cannot update.
 *
 * The boot keeps arm-smmu-v3 from probing (initcall_blacklist) and gives
 * the kernel less memory than the machine has (mem=); the SMMU's registers
 * and the memory above the kernel's are reached through /dev/mem.  Each
 * test reads what the SMMU advertises (IDR0.HTTU, IDR3.RIL, IDR3.BBML) and
 * expects what IHI 0070 says of it.  Prints TAP.
 *
 * Not a kernel selftest, nor a VFIO client: it tests the emulated SMMU
 * (the QEMU series), in a boot without the kernel's SMMU driver.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edu.h"
#include "tap.h"

#define SMMU_BASE	0x09050000ULL	/* virt's SMMUv3 (hw/arm/virt.c) */
#define SMMU_SIZE	0x20000

/* Memory above the kernel's (mem=3G of the guest's 4G at 0x40000000) */
#define PRIV_BASE	0x120000000ULL
#define PRIV_SIZE	0x1000000ULL

#define STRTAB		(PRIV_BASE + 0x0000)	/* 256 STEs, linear */
#define CD		(PRIV_BASE + 0x4000)
#define CMDQ		(PRIV_BASE + 0x5000)	/* 256 commands */
#define EVTQ		(PRIV_BASE + 0x6000)	/* 128 records */
#define TABLES		(PRIV_BASE + 0x10000)	/* 4 KiB tables from here */
#define PAGES		(PRIV_BASE + 0x200000)	/* 4 KiB pages */
#define BLOCK(n)	(PRIV_BASE + 0x400000 + (n) * 0x200000ULL)

#define CMDQ_SHIFT	8
#define EVTQ_SHIFT	7

/* Registers (IHI 0070 6.3) */
#define IDR0		0x00
#define IDR3		0x0c
#define CR0		0x20
#define CR0ACK		0x24
#define CR1		0x28
#define CR2		0x2c
#define GERROR		0x60
#define STRTAB_BASE	0x80
#define STRTAB_CFG	0x88
#define CMDQ_BASE	0x90
#define CMDQ_PROD	0x98
#define CMDQ_CONS	0x9c
#define EVTQ_BASE	0xa0
#define EVTQ_PROD	0x100a8
#define EVTQ_CONS	0x100ac

#define CR0_SMMUEN	(1U << 0)
#define CR0_EVTQEN	(1U << 2)
#define CR0_CMDQEN	(1U << 3)

/* Commands (IHI 0070 4) */
#define CMD_CFGI_ALL	0x04
#define CMD_TLBI_NH_ASID 0x11
#define CMD_TLBI_NH_VA	0x12
#define CMD_TLBI_NSNH_ALL 0x30
#define CMD_SYNC	0x46

/* Events (IHI 0070 7.3) */
#define F_WALK_EABT	0x0b
#define F_ADDR_SIZE	0x11
#define F_PERMISSION	0x13
#define F_TLB_CONFLICT	0x20

/* Stage-1 descriptors, 4 KiB granule */
#define D_VALID		(1ULL << 0)
#define D_TABLE		(1ULL << 1)	/* table at levels 0-2, page at 3 */
#define D_AP_EL0	(1ULL << 6)
#define D_AP_RDONLY	(1ULL << 7)
#define D_SH_INNER	(3ULL << 8)
#define D_AF		(1ULL << 10)
#define D_NT		(1ULL << 16)
#define D_DBM		(1ULL << 51)
#define D_RW		(D_AF | D_SH_INNER | D_AP_EL0)
#define D_OA		0x0000fffffffff000ULL

#define ASID		1
#define IPS_40		2	/* CD.IPS: 40-bit output */

static volatile uint8_t *regs, *priv, *bar;
static uint64_t bar_pa;
static unsigned int sid, cmd_prod, evt_cons;
static uint64_t next_table = TABLES, l1;
static uint32_t idr0, idr3;

static volatile uint64_t *pa_ptr(uint64_t pa)
{
	return (volatile uint64_t *)(priv + (pa - PRIV_BASE));
}

static uint32_t rd32(unsigned int off)
{
	return *(volatile uint32_t *)(regs + off);
}

static void wr32(unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(regs + off) = v;
}

static void wr64(unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(regs + off) = v;
}

/* Zero memory mapped as Device: 64-bit stores only, no memset() */
static void zero(uint64_t pa, uint64_t len)
{
	volatile uint64_t *p = pa_ptr(pa);
	uint64_t i;

	for (i = 0; i < len / 8; i++)
		p[i] = 0;
}

static uint64_t new_table(void)
{
	uint64_t pa = next_table;

	next_table += 4096;
	zero(pa, 4096);
	return pa;
}

static void cmd(uint64_t w0, uint64_t w1)
{
	volatile uint64_t *q = pa_ptr(CMDQ + 16 * (cmd_prod & ((1U << CMDQ_SHIFT) - 1)));
	int spins = 0;

	q[0] = w0;
	q[1] = w1;
	cmd_prod = (cmd_prod + 1) & ((2U << CMDQ_SHIFT) - 1);
	__asm__ volatile("dsb sy" ::: "memory");
	wr32(CMDQ_PROD, cmd_prod);
	while (rd32(CMDQ_CONS) != cmd_prod) {
		if (++spins > 1000000)
			ksft_exit_fail_msg("command queue stuck: cons %#x prod %#x gerror %#x\n",
					   rd32(CMDQ_CONS), cmd_prod, rd32(GERROR));
	}
	if (rd32(GERROR))
		ksft_exit_fail_msg("GERROR %#x after command %#llx\n", rd32(GERROR),
				   (unsigned long long)w0);
}

static void sync_cmd(void)
{
	cmd(CMD_SYNC, 0);
}

static void tlbi_asid(void)
{
	cmd(CMD_TLBI_NH_ASID | (uint64_t)ASID << 48, 0);
	sync_cmd();
}

/* CMD_TLBI_NH_VA of one address, with TG and TTL as given (4.4.2) */
static void tlbi_va(uint64_t iova, unsigned int tg, unsigned int ttl)
{
	cmd(CMD_TLBI_NH_VA | (uint64_t)ASID << 48,
	    (iova & ~0xfffULL) | (uint64_t)tg << 10 | (uint64_t)ttl << 8 | 1);
	sync_cmd();
}

/* The descriptor for @iova at @level (1: 1 GiB, 2: 2 MiB, 3: 4 KiB) */
static volatile uint64_t *desc(uint64_t iova, int level)
{
	volatile uint64_t *t = pa_ptr(l1);
	int l;

	for (l = 1; l < level; l++) {
		volatile uint64_t *d = &t[(iova >> (39 - 9 * l)) & 511];

		if (!(*d & D_VALID))
			*d = new_table() | D_TABLE | D_VALID;
		t = pa_ptr(*d & D_OA);
	}
	return &t[(iova >> (39 - 9 * level)) & 511];
}

static void map_page(uint64_t iova, uint64_t pa, uint64_t attrs)
{
	*desc(iova, 3) = pa | attrs | D_TABLE | D_VALID;
}

/*
 * Events since the last call: how many of @type for our stream with an
 * input address in the page of @iova, or (@iova2 not 0) of @iova2
 */
static int events2(unsigned int type, uint64_t iova, uint64_t iova2)
{
	unsigned int prod = rd32(EVTQ_PROD) & ((2U << EVTQ_SHIFT) - 1);
	int n = 0;

	while (evt_cons != prod) {
		volatile uint64_t *e = pa_ptr(EVTQ + 32 * (evt_cons & ((1U << EVTQ_SHIFT) - 1)));
		unsigned int t = e[0] & 0xff, s = e[0] >> 32;

		ksft_print_msg("event %#x sid %#x input address %#llx\n", t, s,
			       (unsigned long long)e[2]);
		if (t == type && s == sid &&
		    ((e[2] & ~0xfffULL) == (iova & ~0xfffULL) ||
		     (iova2 && (e[2] & ~0xfffULL) == (iova2 & ~0xfffULL))))
			n++;
		evt_cons = (evt_cons + 1) & ((2U << EVTQ_SHIFT) - 1);
	}
	wr32(EVTQ_CONS, evt_cons);
	return n;
}

static int events(unsigned int type, uint64_t iova)
{
	return events2(type, iova, 0);
}

/*
 * edu writes @val (4 bytes: one access, so one translation) to @iova, or
 * reads 4 bytes from it
 */
static void dma(uint64_t iova, uint32_t val, int write)
{
	edu_bar_wr64(bar, EDU_BUF_ADDR, val);
	if (edu_bar_dma(bar, iova, 0, 4, write))
		ksft_exit_fail_msg("edu DMA to %#llx timed out\n", (unsigned long long)iova);
}

static void *map_dev(const char *path, uint64_t off, uint64_t len)
{
	int fd = open(path, O_RDWR | O_SYNC);
	void *p;

	if (fd < 0)
		ksft_exit_fail_msg("open %s: %s\n", path, strerror(errno));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap %s at %#llx: %s\n", path,
				   (unsigned long long)off, strerror(errno));
	close(fd);
	return p;
}

static void edu_setup(void)
{
	char path[300], bdf[32];
	unsigned int dom, bus, dev, fn;
	int fd, group;

	if (edu_find(0, bdf, &group))
		ksft_exit_fail_msg("no edu device\n");
	if (group >= 0)
		ksft_exit_fail_msg("edu %s has IOMMU group %d: a kernel driver owns the SMMU\n",
				   bdf, group);
	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		ksft_exit_fail_msg("bad PCI address %s\n", bdf);
	sid = bus << 8 | dev << 3 | fn;
	if (sid >= 256)
		ksft_exit_fail_msg("StreamID %#x: the linear stream table has 256\n", sid);
	if (edu_sysfs_enable(bdf))
		ksft_exit_fail_msg("cannot enable %s through its config space\n", bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, path, 20) != 20)
		ksft_exit_fail_msg("cannot read the resources of %s\n", bdf);
	close(fd);
	path[18] = 0;
	bar_pa = strtoull(path, NULL, 16);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", bdf);
	bar = map_dev(path, 0, 0x100000);
	ksft_print_msg("edu %s, StreamID %#x, BAR0 at %#llx\n", bdf, sid,
		       (unsigned long long)bar_pa);
}

/* STE, CD, queues, then SMMUEN: stage 1 for edu's stream, HA and HD if offered */
static void smmu_setup(void)
{
	volatile uint64_t *ste, *cd;
	int httu = (idr0 >> 6) & 3;
	int spins = 0;

	zero(STRTAB, 256 * 64);
	zero(CD, 64);
	zero(CMDQ, 16 << CMDQ_SHIFT);
	zero(EVTQ, 32 << EVTQ_SHIFT);
	l1 = new_table();

	/* CD (5.4): T0SZ 25 (a 39-bit walk from level 1), 4 KiB, EPD1, V */
	cd = pa_ptr(CD);
	cd[0] = 25 | 1ULL << 8 | 1ULL << 10 | 3ULL << 12 | 1ULL << 30 | 1ULL << 31 |
		/* IPS 40 bits, AA64, HD, HA, R, A, ASET, ASID */
		(uint64_t)(IPS_40 | 1U << 9 | (httu >= 2) << 10 | (httu >= 1) << 11 |
			   1U << 13 | 1U << 14 | 1U << 15 | (uint32_t)ASID << 16) << 32;
	cd[1] = l1;
	/* STE (5.2): V, Config = stage 1 translates, stage 2 bypass, the CD */
	ste = pa_ptr(STRTAB + 64 * sid);
	ste[0] = CD | 0x5 << 1 | 1;

	/* The private memory must be RAM the kernel does not use */
	*pa_ptr(PAGES) = 0x5a5a5a5a5a5a5a5aULL;
	if (*pa_ptr(PAGES) != 0x5a5a5a5a5a5a5a5aULL)
		ksft_exit_fail_msg("no memory at %#llx (is the guest's RAM 4 GiB, the kernel's mem=3G?)\n",
				   (unsigned long long)PAGES);

	wr32(CR0, 0);
	while (rd32(CR0ACK))
		if (++spins > 1000000)
			ksft_exit_fail_msg("SMMU not disabled: CR0ACK %#x\n", rd32(CR0ACK));
	wr32(CR1, 0);
	wr32(CR2, 0);
	wr64(STRTAB_BASE, STRTAB);
	wr32(STRTAB_CFG, 8);			/* linear, 256 StreamIDs */
	wr64(CMDQ_BASE, CMDQ | CMDQ_SHIFT);
	wr32(CMDQ_PROD, 0);
	wr32(CMDQ_CONS, 0);
	wr64(EVTQ_BASE, EVTQ | EVTQ_SHIFT);
	wr32(EVTQ_PROD, 0);
	wr32(EVTQ_CONS, 0);
	wr32(CR0, CR0_CMDQEN | CR0_EVTQEN);
	cmd(CMD_CFGI_ALL, 31);
	cmd(CMD_TLBI_NSNH_ALL, 0);
	sync_cmd();
	wr32(CR0, CR0_CMDQEN | CR0_EVTQEN | CR0_SMMUEN);
	spins = 0;
	while (rd32(CR0ACK) != (CR0_CMDQEN | CR0_EVTQEN | CR0_SMMUEN))
		if (++spins > 1000000)
			ksft_exit_fail_msg("SMMU not enabled: CR0ACK %#x\n", rd32(CR0ACK));
}

/*
 * A DMA that takes a fault updates no descriptor.  The leaf is
 * writable-clean with AF 0 and DBM, and outputs beyond the CD's 40-bit
 * IPS: an Address Size fault.  A write and a read through it must leave it
 * as it was.  This checks the emulated SMMU's choice, target/arm's order
 * for the CPU (every fault is taken before the descriptor is written); the
 * SMMU text does not settle the address-size case.  A page beside it, the
 * same but in range, shows that the walk does update when nothing faults.
 */
static void test_fault_updates_nothing(void)
{
	const uint64_t iova = 0x10000000, bad_oa = 1ULL << 40;
	const uint64_t clean = D_SH_INNER | D_AP_EL0 | D_AP_RDONLY | D_DBM;
	uint64_t before, after, ctl;
	volatile uint64_t *d;
	int ev, ok = 1;

	if (((idr0 >> 6) & 3) < 2) {
		ksft_test_result_skip("fault_updates_nothing: IDR0.HTTU < 2\n");
		return;
	}
	map_page(iova, bad_oa, clean);
	map_page(iova + 0x1000, PAGES, clean);
	*pa_ptr(PAGES) = 0;
	d = desc(iova, 3);
	before = *d;
	dma(iova, 0x1111, 1);
	dma(iova, 0, 0);
	after = *d;
	ev = events(F_ADDR_SIZE, iova);
	dma(iova + 0x1000, 0x2222, 1);
	ctl = *desc(iova + 0x1000, 3);
	events(0, 0);

	if (after != before) {
		ksft_print_msg("faulting leaf %#llx became %#llx\n",
			       (unsigned long long)before, (unsigned long long)after);
		ok = 0;
	}
	if (ev != 2) {
		ksft_print_msg("%d F_ADDR_SIZE events for the write and the read, expected 2\n", ev);
		ok = 0;
	}
	if ((ctl & D_AP_RDONLY) || !(ctl & D_AF) || *pa_ptr(PAGES) != 0x2222) {
		ksft_print_msg("control page: leaf %#llx, data %#llx (expected AF set, AP[2] clear, 0x2222)\n",
			       (unsigned long long)ctl, (unsigned long long)*pa_ptr(PAGES));
		ok = 0;
	}
	ksft_test_result(ok, "fault_updates_nothing\n");
}

/*
 * Without SMMU_IDR3.RIL, TG and TTL of CMD_TLBI_NH_VA are RES0 (IHI 0070
 * 4.4): the command invalidates the address at every level, and under
 * BBML2 every overlapping entry (3.21.1.3).  Cache a page entry and then,
 * after the page's table became a block without break-before-make, the
 * block's entry for the same address; point the block elsewhere and send
 * TG = 4 KiB, TTL = 3.  Both entries must go: the next DMA lands in the
 * new block.
 */
static void test_ril_off_every_level(void)
{
	const uint64_t iova = 0x20000000;
	volatile uint64_t *l2;
	int ok = 1;

	if (idr3 & (1U << 10)) {
		ksft_test_result_skip("ril_off_every_level: IDR3.RIL is 1 (TTL is a hint)\n");
		return;
	}
	if (((idr3 >> 11) & 3) < 2) {
		ksft_test_result_skip("ril_off_every_level: needs BBML2 to cache both sizes\n");
		return;
	}
	map_page(iova, PAGES + 0x1000, D_RW);
	dma(iova, 0x3333, 1);			/* the page entry */
	l2 = desc(iova, 2);
	*l2 = BLOCK(0) | D_RW | D_VALID;	/* table -> block, no BBM */
	*pa_ptr(BLOCK(0) + 0x1000) = 0;
	dma(iova + 0x1000, 0x4444, 1);		/* the block entry */
	*pa_ptr(BLOCK(1) + 0x1000) = 0;
	*l2 = BLOCK(1) | D_RW | D_VALID;
	tlbi_va(iova, 1, 3);
	dma(iova + 0x1000, 0x5555, 1);
	events(0, 0);

	if (*pa_ptr(BLOCK(0) + 0x1000) != 0x4444 || *pa_ptr(BLOCK(1) + 0x1000) != 0x5555) {
		ksft_print_msg("after the invalidation: old block %#llx (expected 0x4444), new block %#llx (expected 0x5555)\n",
			       (unsigned long long)*pa_ptr(BLOCK(0) + 0x1000),
			       (unsigned long long)*pa_ptr(BLOCK(1) + 0x1000));
		ok = 0;
	}
	ksft_test_result(ok, "ril_off_every_level\n");
}

/*
 * A span of pages becomes a block with no break-before-make while a page
 * entry is cached (@nt: the block has nT set).  The next DMA, to another
 * page of the span, walks and finds the block.  IHI 0070 3.21.1: BBML2
 * never reports a TLB conflict and ignores nT (3.21.1.3); BBML1 may report
 * one unless nT is set (3.21.1.2); Level 0 has no nT (FEAT_BBM) and needs
 * break-before-make.  The emulated SMMU raises a conflict whenever it may,
 * so that software that relies on luck is caught.  Then the procedure of
 * 3.21.1.2: invalidate, clear nT, invalidate; DMA lands, no conflict.
 */
static void test_size_change(int nt)
{
	const uint64_t iova = nt ? 0x40000000 : 0x30000000;
	const char *name = nt ? "size_change_nt" : "size_change_no_bbm";
	int bbml = (idr3 >> 11) & 3, conflict = bbml == 0 || (bbml == 1 && !nt);
	uint64_t block = BLOCK(nt ? 3 : 2);
	volatile uint64_t *l2;
	int ev, landed, ok = 1;

	map_page(iova, PAGES + 0x2000 + nt * 0x1000, D_RW);
	dma(iova, 0x6666, 1);			/* the page entry */
	l2 = desc(iova, 2);
	*pa_ptr(block + 0x1000) = 0;
	*pa_ptr(block + 0x2000) = 0;
	*l2 = block | D_RW | D_VALID | (nt ? D_NT : 0);
	dma(iova + 0x1000, 0x7777, 1);
	ev = events(F_TLB_CONFLICT, iova + 0x1000);
	landed = *pa_ptr(block + 0x1000) == 0x7777;
	ksft_print_msg("%s: BBML %d, F_TLB_CONFLICT %d, write %s\n", name, bbml, ev,
		       landed ? "landed in the block" : "dropped");
	if (conflict ? (ev != 1 || landed) : (ev != 0 || !landed))
		ok = 0;

	tlbi_asid();
	*l2 = block | D_RW | D_VALID;
	tlbi_asid();
	dma(iova + 0x2000, 0x8888, 1);
	ev = events(F_TLB_CONFLICT, iova + 0x2000);
	if (ev || *pa_ptr(block + 0x2000) != 0x8888) {
		ksft_print_msg("%s: after break-before-make: %d conflicts, data %#llx\n", name,
			       ev, (unsigned long long)*pa_ptr(block + 0x2000));
		ok = 0;
	}
	ksft_test_result(ok, "%s (BBML %d: %s)\n", name, bbml,
			 conflict ? "a TLB conflict" : "no TLB conflict");
}

/*
 * A read-only entry in the TLB.  With CD.HD, a write through an entry
 * made from a writable-clean descriptor (DBM) walks again and makes the
 * descriptor writable-dirty (IHI 0070 3.13.3); an entry made from a
 * read-only descriptor without DBM may fault until software invalidates
 * it after making the descriptor writable, and the emulated SMMU keeps it
 * until then, so that a missing invalidation shows.
 */
static void test_cached_readonly_write(void)
{
	const uint64_t iova = 0x60000000;
	volatile uint64_t *ro, *wc;
	int ev, ok = 1;

	if (((idr0 >> 6) & 3) < 2) {
		ksft_test_result_skip("cached_readonly_write: IDR0.HTTU < 2\n");
		return;
	}
	map_page(iova, PAGES + 0x5000, D_RW | D_AP_RDONLY);
	map_page(iova + 0x1000, PAGES + 0x6000, D_RW | D_AP_RDONLY | D_DBM);
	ro = desc(iova, 3);
	wc = desc(iova + 0x1000, 3);
	*pa_ptr(PAGES + 0x5000) = 0;
	*pa_ptr(PAGES + 0x6000) = 0;
	dma(iova, 0, 0);			/* read: a read-only entry */
	dma(iova + 0x1000, 0, 0);		/* read: read-only, with DBM */
	*ro &= ~D_AP_RDONLY;			/* writable, no invalidation */
	dma(iova, 0x9999, 1);
	ev = events(F_PERMISSION, iova);
	if (ev != 1 || *pa_ptr(PAGES + 0x5000)) {
		ksft_print_msg("write through the cached read-only entry: %d F_PERMISSION, data %#llx (expected 1 and 0)\n",
			       ev, (unsigned long long)*pa_ptr(PAGES + 0x5000));
		ok = 0;
	}
	tlbi_va(iova, 0, 0);
	dma(iova, 0xaaaa, 1);
	dma(iova + 0x1000, 0xbbbb, 1);
	ev = events2(F_PERMISSION, iova, iova + 0x1000);
	if (ev || *pa_ptr(PAGES + 0x5000) != 0xaaaa || *pa_ptr(PAGES + 0x6000) != 0xbbbb ||
	    (*wc & D_AP_RDONLY)) {
		ksft_print_msg("after the invalidation, and through DBM: %d faults, data %#llx %#llx, leaf %#llx\n",
			       ev, (unsigned long long)*pa_ptr(PAGES + 0x5000),
			       (unsigned long long)*pa_ptr(PAGES + 0x6000),
			       (unsigned long long)*wc);
		ok = 0;
	}
	ksft_test_result(ok, "cached_readonly_write\n");
}

/*
 * A descriptor the SMMU cannot update atomically: a last-level table in
 * edu's BAR0 (its DMA buffer, which reads and writes as memory but is
 * MMIO).  The walk reads it; an access that needs the access flag set
 * takes a walk external abort and leaves it as it was: the emulated
 * SMMU's answer to an update it cannot make atomically (the SMMU text does
 * not say what hardware does there).  A leaf beside it that needs no
 * update translates.
 */
static void test_update_outside_ram(void)
{
	const uint64_t iova = 0x70000000 + 256 * 0x1000;
	const uint64_t table = bar_pa + EDU_BUF_ADDR;
	uint64_t leaf = (PAGES + 0x7000) | D_SH_INNER | D_AP_EL0 | D_TABLE | D_VALID;
	int ev, ok = 1;

	if (((idr0 >> 6) & 3) < 1) {
		ksft_test_result_skip("update_outside_ram: IDR0.HTTU is 0\n");
		return;
	}
	*desc(iova, 2) = table | D_TABLE | D_VALID;
	edu_bar_wr64(bar, EDU_BUF_ADDR + 256 * 8, leaf);		/* AF 0 */
	edu_bar_wr64(bar, EDU_BUF_ADDR + 257 * 8, leaf + 0x1000 + D_AF);
	*pa_ptr(PAGES + 0x7000) = 0;
	*pa_ptr(PAGES + 0x8000) = 0;
	dma(iova + 0x1000, 0xcccc, 1);
	dma(iova, 0xdddd, 1);
	ev = events(F_WALK_EABT, iova);
	if (*pa_ptr(PAGES + 0x8000) != 0xcccc) {
		ksft_print_msg("leaf in MMIO that needs no update: data %#llx, expected 0xcccc\n",
			       (unsigned long long)*pa_ptr(PAGES + 0x8000));
		ok = 0;
	}
	if (ev != 1 || *pa_ptr(PAGES + 0x7000) ||
	    edu_bar_rd64(bar, EDU_BUF_ADDR + 256 * 8) != leaf) {
		ksft_print_msg("leaf in MMIO that needs AF: %d F_WALK_EABT, data %#llx, leaf %#llx (expected 1, 0, %#llx)\n",
			       ev, (unsigned long long)*pa_ptr(PAGES + 0x7000),
			       (unsigned long long)edu_bar_rd64(bar, EDU_BUF_ADDR + 256 * 8),
			       (unsigned long long)leaf);
		ok = 0;
	}
	ksft_test_result(ok, "update_outside_ram\n");
}

int main(void)
{
	ksft_print_header();
	ksft_set_plan(6);

	regs = map_dev("/dev/mem", SMMU_BASE, SMMU_SIZE);
	priv = map_dev("/dev/mem", PRIV_BASE, PRIV_SIZE);
	idr0 = rd32(IDR0);
	idr3 = rd32(IDR3);
	ksft_print_msg("IDR0 %#x (HTTU %d), IDR3 %#x (RIL %d, BBML %d)\n", idr0,
		       (idr0 >> 6) & 3, idr3, (idr3 >> 10) & 1, (idr3 >> 11) & 3);
	edu_setup();
	smmu_setup();

	test_fault_updates_nothing();
	test_ril_off_every_level();
	test_size_change(0);
	test_size_change(1);
	test_cached_readonly_write();
	test_update_outside_ram();

	wr32(CR0, 0);
	ksft_finished();
}
