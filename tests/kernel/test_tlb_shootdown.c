// SPDX-License-Identifier: MIT
/*
 * TLB shootdown on the running machine.  Every other CPU reads a test
 * mapping in a loop while this CPU points it at a different page and
 * flushes.  Once the flush returned, no CPU may ever read the old page
 * again.  QEMU's TCG keeps a software TLB per virtual CPU that only a
 * flush on that CPU empties, so a missing or late shootdown shows up as a
 * stale read.
 *
 * Cases: one page (flush_tlb_one_kernel), a range under the ceiling
 * (page by page), a range over it (full flush), all with the readers'
 * interrupts on; one page with the readers' interrupts off, spinning on a
 * lock this CPU holds across the flush (only the poll in the spin-wait
 * can serve them); two CPUs shooting down at once; a page-table page
 * freed by an unmap and reused by this test with entries that point at
 * the old page (readers must fault, never read the old page -- under TCG,
 * which caches no paging structures, this cannot tell a table freed before
 * the flush from one freed after it); and the statistics of one flush.
 */
#include <asm/cpu.h>
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <asm/pgtable.h>
#include <asm/probe.h>
#include <asm/tlb.h>
#include <asm/tsc.h>
#include <gfp.h>
#include <kernel.h>
#include <ktest.h>
#include <mm.h>
#include <printk.h>
#include <smp.h>
#include <spinlock.h>

/* A 1 GiB slot below test_paging's window, 2 MiB aligned; nothing else maps there. */
#define WINDOW (VMALLOC_END - 8 * GiB)
#define WARM_READS 200
#define READS_AFTER 3000
#define WAIT_LIMIT_MS 10000
#define OLD_PATTERN 0x01d01d01d01d01d0ull
#define NEW_PATTERN 0x4e304e304e304e30ull
#define RECYCLE_TRIES 512

enum { READ_WARMING, READ_FLUSHED, READ_STOP };

struct reader {
	uint64_t va;
	unsigned int pages;
	int phase;                      /* written by CPU 0 */
	bool irqs_off;                  /* read with interrupts off, taking gate between rounds */
	bool saw_irqs_off;
	int running;
	uint64_t reads, faults, old_before, old_after, new_after;
};

static struct reader readers[NR_CPUS];
/* Held by CPU 0 across a flush; readers with interrupts off take it between rounds. */
static DEFINE_SPINLOCK(gate);

static void reader_loop(void *info)
{
	struct reader *r = info;
	uint64_t flags = r->irqs_off ? local_irq_save() : 0;

	r->saw_irqs_off = irqs_disabled();
	__atomic_store_n(&r->running, 1, __ATOMIC_RELEASE);
	for (;;) {
		int phase = __atomic_load_n(&r->phase, __ATOMIC_ACQUIRE);

		if (phase == READ_STOP)
			break;
		if (r->irqs_off) {
			spin_lock(&gate);
			spin_unlock(&gate);
		}
		for (unsigned int i = 0; i < r->pages; i++) {
			uint64_t value;

			/* The phase is read before the mapping: FLUSHED was set after the flush. */
			phase = __atomic_load_n(&r->phase, __ATOMIC_ACQUIRE);
			if (probe_read_u64((void *)(r->va + i * PAGE_SIZE), &value)) {
				r->faults++;
				continue;
			}
			r->reads++;
			if (value == OLD_PATTERN && phase == READ_WARMING)
				r->old_before++;
			else if (value == OLD_PATTERN)
				r->old_after++;
			else if (value == NEW_PATTERN && phase != READ_WARMING)
				r->new_after++;
		}
	}
	if (r->irqs_off)
		local_irq_restore(flags);
	__atomic_store_n(&r->running, 0, __ATOMIC_RELEASE);
}

static bool need_two_cpus(struct ktest *t)
{
	if (num_online_cpus() >= 2)
		return true;
	ktest_skip(t, "one CPU online: nothing to shoot down");
	return false;
}

static bool waited_too_long(uint64_t start)
{
	return tsc_khz && rdtsc() - start > tsc_khz * WAIT_LIMIT_MS;
}

static uint64_t filled_page(struct ktest *t, uint64_t pattern)
{
	struct page *page = alloc_page(GFP_KERNEL);
	uint64_t *words;

	KASSERT_NOT_NULL(t, page);
	words = page_address(page);
	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		words[i] = pattern;
	return page_to_pfn(page) << PAGE_SHIFT;
}

static uint64_t same_frame(void *context, size_t index)
{
	return *(uint64_t *)context >> PAGE_SHIFT;
}

/* Start a reader of [va, va + pages) on every other CPU and wait until each has read the old page. */
static void start_readers(struct ktest *t, uint64_t va, unsigned int pages, bool irqs_off)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		if (cpu == 0)
			continue;
		readers[cpu] = (struct reader){ .va = va, .pages = pages, .phase = READ_WARMING,
						.irqs_off = irqs_off };
		KASSERT_EQ(t, smp_run_on_idle_cpu(cpu, reader_loop, &readers[cpu]), 0);
	}
	for_each_online_cpu(cpu) {
		uint64_t start = rdtsc();

		if (cpu == 0)
			continue;
		while (__atomic_load_n(&readers[cpu].old_before, __ATOMIC_RELAXED) < WARM_READS) {
			KASSERT_FALSE(t, waited_too_long(start));
			cpu_relax();
		}
	}
}

/* The flush returned: let each reader go on a while, stop it, and check it never saw the old page. */
static void finish_readers(struct ktest *t, bool expect_new)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		if (cpu != 0)
			__atomic_store_n(&readers[cpu].phase, READ_FLUSHED, __ATOMIC_RELEASE);
	for_each_online_cpu(cpu) {
		struct reader *r = &readers[cpu];
		uint64_t start = rdtsc(), reads = __atomic_load_n(&r->reads, __ATOMIC_RELAXED);
		uint64_t faults = __atomic_load_n(&r->faults, __ATOMIC_RELAXED);

		if (cpu == 0)
			continue;
		while (__atomic_load_n(&r->reads, __ATOMIC_RELAXED) +
			       __atomic_load_n(&r->faults, __ATOMIC_RELAXED) < reads + faults + READS_AFTER &&
		       !waited_too_long(start))
			cpu_relax();
		__atomic_store_n(&r->phase, READ_STOP, __ATOMIC_RELEASE);
		start = rdtsc();
		while (__atomic_load_n(&r->running, __ATOMIC_ACQUIRE) || smp_idle_work_pending(cpu)) {
			KASSERT_FALSE(t, waited_too_long(start));
			cpu_relax();
		}
		KEXPECT_UGE(t, r->old_before, WARM_READS);
		KEXPECT_EQ(t, r->saw_irqs_off, r->irqs_off);
		/* The point of it all: after the flush, never the old page. */
		KEXPECT_UEQ(t, r->old_after, 0);
		if (expect_new)
			KEXPECT_UGT(t, r->new_after, 0);
		else
			KEXPECT_UGT(t, r->faults, 0);
	}
}

/* Point the 4 KiB mapping of @va at @phys, keeping its attributes (no flush). */
static void repoint(struct ktest *t, uint64_t va, uint64_t phys)
{
	struct page_walk walk;
	uint64_t *pt, *pte;

	KASSERT_TRUE(t, walk_kernel_address(va, &walk));
	KASSERT_EQ(t, walk.leaf_level, 0);
	pt = __va(entry_address(walk.entry[2]));
	pte = &pt[level_index(va, 0)];
	__atomic_store_n(pte, (*pte & ~PTE_ADDRESS_MASK) | phys, __ATOMIC_RELEASE);
}

/*
 * Map @pages pages at WINDOW to the old page, read them elsewhere, repoint
 * them, @flush.  With @irqs_off, the readers read with interrupts off and
 * this CPU holds gate across the repoint and flush.
 */
static void remap_case(struct ktest *t, unsigned int pages, int flush_kind, bool irqs_off)
{
	uint64_t old_phys = filled_page(t, OLD_PATTERN), new_phys = filled_page(t, NEW_PATTERN);
	struct tlb_stats before = tlb_stats;

	KASSERT_EQ(t, map_kernel_frames(WINDOW, pages, same_frame, &old_phys, PAGE_KERNEL_RO), 0);
	start_readers(t, WINDOW, pages, irqs_off);
	if (irqs_off)
		spin_lock(&gate);
	for (unsigned int i = 0; i < pages; i++)
		repoint(t, WINDOW + i * PAGE_SIZE, new_phys);
	if (flush_kind == 1)
		flush_tlb_one_kernel(WINDOW);
	else
		flush_tlb_kernel_range(WINDOW, WINDOW + (uint64_t)pages * PAGE_SIZE);
	if (irqs_off)
		spin_unlock(&gate);
	finish_readers(t, true);
	KEXPECT_UGT(t, tlb_stats.shootdowns, before.shootdowns);
	if (pages > tlb_flush_ceiling)
		KEXPECT_UGT(t, tlb_stats.full_shootdowns, before.full_shootdowns);
	else
		KEXPECT_UEQ(t, tlb_stats.pages, before.pages + pages);
	KEXPECT_EQ(t, unmap_kernel_range(WINDOW, (uint64_t)pages * PAGE_SIZE),
		   (long)pages * (long)PAGE_SIZE);
	__free_page(pfn_to_page(old_phys >> PAGE_SHIFT));
	__free_page(pfn_to_page(new_phys >> PAGE_SHIFT));
}

static void test_single_page(struct ktest *t)
{
	if (need_two_cpus(t))
		remap_case(t, 1, 1, false);
}

/*
 * The readers run with interrupts off and spin on gate, which this CPU
 * holds while it flushes: the shootdown interrupt cannot reach them, only
 * the poll in their spin-wait (arch_spin_wait_relax) serves it.
 */
static void test_single_page_readers_irqs_off(struct ktest *t)
{
	if (need_two_cpus(t))
		remap_case(t, 1, 1, true);
}

static void test_range_under_ceiling(struct ktest *t)
{
	if (need_two_cpus(t))
		remap_case(t, MIN(16u, (unsigned int)tlb_flush_ceiling), 2, false);
}

static void test_range_over_ceiling_full_flush(struct ktest *t)
{
	if (need_two_cpus(t))
		remap_case(t, (unsigned int)tlb_flush_ceiling + 1, 2, false);
}

/*
 * Unmap the only page of a fresh page table: the table page is freed.
 * Take it back from the allocator and fill it with entries pointing at the
 * old page: the readers must fault from then on, never read the old page.
 * (Whether the table was freed after the flush is not observable here:
 * QEMU's TCG caches no paging structures.)
 */
static void test_freed_table_page_reused_readers_fault(struct ktest *t)
{
	uint64_t old_phys, va = WINDOW + 4 * 1024 * 1024, table_phys;
	struct page *taken[RECYCLE_TRIES];
	unsigned int count = 0;
	struct page_walk walk;
	bool recycled = false;
	uint64_t tables;

	if (!need_two_cpus(t))
		return;
	old_phys = filled_page(t, OLD_PATTERN);
	KASSERT_EQ(t, map_kernel_range(va, old_phys, PAGE_SIZE, PAGE_KERNEL_RO), 0);
	KASSERT_TRUE(t, walk_kernel_address(va, &walk));
	table_phys = entry_address(walk.entry[2]);
	tables = pagetable_pages_in_use();
	start_readers(t, va, 1, false);
	KEXPECT_EQ(t, unmap_kernel_range(va, PAGE_SIZE), (long)PAGE_SIZE);
	KEXPECT_ULT(t, pagetable_pages_in_use(), tables);
	while (count < RECYCLE_TRIES && !recycled) {
		struct page *page = alloc_page(GFP_KERNEL);

		if (!page)
			break;
		taken[count++] = page;
		if (page_to_pfn(page) << PAGE_SHIFT == table_phys) {
			uint64_t *entries = page_address(page);

			for (unsigned int i = 0; i < PT_ENTRIES; i++)
				entries[i] = old_phys | PTE_PRESENT | PTE_ACCESSED;
			recycled = true;
		}
	}
	finish_readers(t, false);
	KEXPECT_TRUE(t, recycled);
	while (count)
		__free_page(taken[--count]);
	__free_page(pfn_to_page(old_phys >> PAGE_SHIFT));
}

/* Two CPUs shooting down at once: each waits for shootdown_lock serving the other's. */
#define RACING_FLUSHES 300

static unsigned int racer_done;

static void racing_flusher(void *info)
{
	for (unsigned int i = 0; i < RACING_FLUSHES; i++)
		flush_tlb_one_kernel(WINDOW + (i & 7) * PAGE_SIZE);
	__atomic_store_n(&racer_done, 1, __ATOMIC_RELEASE);
}

static void test_two_cpus_shoot_down_at_once(struct ktest *t)
{
	uint64_t before, start;

	if (!need_two_cpus(t))
		return;
	before = __atomic_load_n(&tlb_stats.shootdowns, __ATOMIC_RELAXED);
	racer_done = 0;
	KASSERT_EQ(t, smp_run_on_idle_cpu(1, racing_flusher, NULL), 0);
	for (unsigned int i = 0; i < RACING_FLUSHES; i++)
		flush_tlb_one_kernel(WINDOW + (i & 7) * PAGE_SIZE);
	start = rdtsc();
	while (!__atomic_load_n(&racer_done, __ATOMIC_ACQUIRE) || smp_idle_work_pending(1)) {
		KASSERT_FALSE(t, waited_too_long(start));
		cpu_relax();
	}
	KEXPECT_UEQ(t, __atomic_load_n(&tlb_stats.shootdowns, __ATOMIC_RELAXED),
		    before + 2 * RACING_FLUSHES);
}

/* One full flush adds one shootdown, one interrupt per other CPU; then print them all. */
static void test_print_stats(struct ktest *t)
{
	struct tlb_stats before = tlb_stats;
	unsigned int others = num_online_cpus() - 1;

	flush_tlb_all();
	KEXPECT_UEQ(t, tlb_stats.full, before.full + 1);
	KEXPECT_UEQ(t, tlb_stats.shootdowns, before.shootdowns + (others ? 1 : 0));
	KEXPECT_UEQ(t, tlb_stats.full_shootdowns, before.full_shootdowns + (others ? 1 : 0));
	KEXPECT_UEQ(t, tlb_stats.ipis, before.ipis + others);
	KEXPECT_UEQ(t, tlb_stats.served, before.served + others);
	tlb_stats_print();
}

KTEST_SUITE(tlb_shootdown,
	    KTEST_CASE(test_single_page),
	    KTEST_CASE(test_single_page_readers_irqs_off),
	    KTEST_CASE(test_range_under_ceiling),
	    KTEST_CASE(test_range_over_ceiling_full_flush),
	    KTEST_CASE(test_two_cpus_shoot_down_at_once),
	    KTEST_CASE(test_freed_table_page_reused_readers_fault),
	    KTEST_CASE(test_print_stats));
