// SPDX-License-Identifier: MIT
/*
 * vmalloc, vmap and kvmalloc on the running kernel: sizes from 1 byte to
 * 64 MiB, guard pages, vmap aliases, lazy purge, injected failures, wrong
 * use, and no leak of pages or page-table pages after a stress.
 */
#include <asm/extable.h>
#include <asm/paging.h>
#include <asm/probe.h>
#include <asm/tlb.h>
#include <asm/traps.h>
#include <buddy.h>
#include <gfp.h>
#include <hardirq.h>
#include <kernel.h>
#include <kstring.h>
#include <ktest.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>
#include <slab.h>
#include <vmalloc.h>
#include <xorshift.h>

/*
 * Pages not in use: free in the page allocator, or held by a slab cache
 * (the caches vmalloc's bookkeeping lives in may keep slabs partly used,
 * which is slab fragmentation, not a vmalloc leak).
 */
struct baseline {
	uint64_t idle_pages;
	uint64_t table_pages;
};

static struct baseline take_baseline(void)
{
	vmalloc_purge();
	kmem_cache_shrink_all();
	buddy_drain_pcp(&kernel_buddy);
	return (struct baseline){ buddy_free_pages(&kernel_buddy) + slab_pages(),
				  pagetable_pages_in_use() };
}

/* Everything vmalloc took is back: pages, page-table pages, and the invariants hold. */
static void expect_no_leak(struct ktest *t, struct baseline before)
{
	struct baseline after;

	KEXPECT_NULL(t, vmalloc_check());
	after = take_baseline();
	KEXPECT_UEQ(t, after.table_pages, before.table_pages);
	KEXPECT_UEQ(t, after.idle_pages, before.idle_pages);
	KEXPECT_NULL(t, vmalloc_check());
}

static bool pattern_holds(const uint8_t *bytes, size_t size, uint8_t seed)
{
	for (size_t i = 0; i + 1 < size; i += 509)
		if (bytes[i] != (uint8_t)(seed + i / 509))
			return false;
	return bytes[size - 1] == (uint8_t)(seed ^ 0x5a);
}

static void fill_pattern(uint8_t *bytes, size_t size, uint8_t seed)
{
	for (size_t i = 0; i + 1 < size; i += 509)
		bytes[i] = (uint8_t)(seed + i / 509);
	bytes[size - 1] = (uint8_t)(seed ^ 0x5a);
}

/* vmalloc @size bytes, fill, check through the area and through the direct map, vfree. */
static void expect_size_works(struct ktest *t, size_t size, uint8_t seed)
{
	uint8_t *bytes = vmalloc(size);

	KASSERT_NOT_NULL(t, bytes);
	KEXPECT_TRUE(t, is_vmalloc_addr(bytes));
	KEXPECT_UEQ(t, (uint64_t)bytes & (PAGE_SIZE - 1), 0);
	fill_pattern(bytes, size, seed);
	KEXPECT_TRUE(t, pattern_holds(bytes, size, seed));
	/* Round trip: the page behind an address shows the same byte through the direct map. */
	KEXPECT_UEQ(t, *((uint8_t *)page_address(vmalloc_to_page(bytes + size - 1)) +
			 ((size - 1) & (PAGE_SIZE - 1))), (uint8_t)(seed ^ 0x5a));
	vfree(bytes);
}

/* Sizes every supported guest (16 MiB of RAM and up) can hold. */
static void test_sizes_and_contents(struct ktest *t)
{
	static const size_t sizes[] = { 1, 100, 4096, 4097, 3 * 4096, 65536, 1 << 20 };
	struct baseline before = take_baseline();

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		expect_size_works(t, sizes[i], (uint8_t)i);
	KEXPECT_NULL(t, vmalloc(0));
	vfree(NULL);
	expect_no_leak(t, before);
}

/*
 * Large sizes, each run when the page allocator has twice its size free
 * (room for the area's page array and page tables, and for the rest of
 * the kernel meanwhile); a size that does not fit is named and the case
 * reports a skip.
 */
static void test_large_sizes_and_contents(struct ktest *t)
{
	static const size_t sizes[] = { 5 * (1 << 20) + 123, 64 << 20 };
	struct baseline before = take_baseline();
	unsigned int skipped = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t free_bytes = buddy_free_pages(&kernel_buddy) * PAGE_SIZE;

		if (free_bytes < 2 * sizes[i]) {
			printk("        # size %zu not run: %llu KiB free, %llu KiB needed\n", sizes[i],
			       (unsigned long long)(free_bytes / KiB), (unsigned long long)(2 * sizes[i] / KiB));
			skipped++;
			continue;
		}
		expect_size_works(t, sizes[i], (uint8_t)(0x80 + i));
	}
	expect_no_leak(t, before);
	if (skipped)
		ktest_skip(t, "not enough free memory for every size (see the lines above)");
}

static void test_zeroed_and_overflow(struct ktest *t)
{
	uint64_t *words = vzalloc(3 * PAGE_SIZE);
	bool zero = true;

	KASSERT_NOT_NULL(t, words);
	for (size_t i = 0; i < 3 * PAGE_SIZE / 8; i++)
		zero &= words[i] == 0;
	KEXPECT_TRUE(t, zero);
	vfree(words);
	KEXPECT_NULL(t, vmalloc_array(SIZE_MAX / 2, 4));
	/* Page counts past 2^32 or the 32 TiB area are refused, not truncated. */
	KEXPECT_NULL(t, vmalloc(1ull << 44));
	KEXPECT_NULL(t, vmalloc((1ull << 44) + 8192));
	KEXPECT_NULL(t, vmalloc(SIZE_MAX));
	KEXPECT_NULL(t, vcalloc(SIZE_MAX, 2));
	words = vcalloc(1000, 8);
	KASSERT_NOT_NULL(t, words);
	KEXPECT_UEQ(t, words[999], 0);
	vfree(words);
}

static uint8_t *guarded_area;

static void case_run_into_guard_page(struct ktest *t)
{
	volatile uint8_t *bytes = guarded_area;

	(void)bytes[2 * PAGE_SIZE + 5];
}

static void test_guard_page_faults(struct ktest *t)
{
	static const struct ktest_case overrun = KTEST_CASE(case_run_into_guard_page);
	struct ktest result;
	const char *reason;

	uint8_t *bytes = vmalloc(2 * PAGE_SIZE);
	uint64_t value;
	char description[160];

	KASSERT_NOT_NULL(t, bytes);
	KEXPECT_EQ(t, probe_write_u64(bytes + 2 * PAGE_SIZE - 8, 1), 0);
	KEXPECT_EQ(t, probe_read_u64(bytes + 2 * PAGE_SIZE, &value), -1);
	KEXPECT_UEQ(t, last_exception_fixup.vector, X86_PF);
	KEXPECT_UEQ(t, last_exception_fixup.cr2, (uint64_t)bytes + 2 * PAGE_SIZE);
	KEXPECT_TRUE(t, vmalloc_describe_address((uint64_t)bytes + 2 * PAGE_SIZE, description,
						 sizeof(description)));
	KEXPECT_TRUE(t, description[0] == 'v' && description[8] == 'g'); /* "vmalloc guard page" */
	/* An overrun nobody expected: the fault report names the area; the case fails alone. */
	guarded_area = bytes;
	KEXPECT_EQ(t, ktest_run_nested(&overrun, &result, &reason), 1);
	KEXPECT_STREQ(t, reason, "unexpected exception");
	vfree(bytes);
}

/* vmallocinfo lists live areas in address order; vmalloc_check agrees with them. */
static void test_vmallocinfo_lists_areas(struct ktest *t)
{
	void *first = vmalloc(3 * PAGE_SIZE), *second = vzalloc(PAGE_SIZE);
	struct vmalloc_stats stats;

	KASSERT_NOT_NULL(t, first);
	KASSERT_NOT_NULL(t, second);
	vmalloc_get_stats(&stats);
	KEXPECT_GE(t, stats.areas, 2);
	KEXPECT_GE(t, stats.pages, 4);
	vmallocinfo_print();
	KEXPECT_NULL(t, vmalloc_check());
	vfree(first);
	vfree(second);
}

static void test_vmap_aliases_known_pages(struct ktest *t)
{
	struct page *pages[16] = { 0 };
	struct baseline before = take_baseline();
	uint8_t *alias;

	KASSERT_EQ(t, alloc_pages_bulk(GFP_KERNEL, 16, pages), 16);
	alias = vmap(pages, 16, VM_MAP, PAGE_KERNEL);
	KASSERT_NOT_NULL(t, alias);
	for (int i = 0; i < 16; i++) {
		alias[i * PAGE_SIZE + 7] = (uint8_t)(0x40 + i);
		KEXPECT_EQ(t, ((uint8_t *)page_address(pages[i]))[7], 0x40 + i);
		KEXPECT_PTR_EQ(t, vmalloc_to_page(alias + i * PAGE_SIZE), pages[i]);
	}
	vunmap(alias);
	/* The pages are the caller's: still allocated and intact. */
	KEXPECT_EQ(t, page_count(pages[3]), 1);
	KEXPECT_EQ(t, ((uint8_t *)page_address(pages[3]))[7], 0x43);
	for (int i = 0; i < 16; i++)
		__free_pages(pages[i], 0);
	expect_no_leak(t, before);
}

/*
 * After vfree the range waits for a purge; after the purge its stale
 * translations are gone: map the same address to a new page and read it.
 */
static void test_lazy_purge_really_purges(struct ktest *t)
{
	struct vmalloc_stats stats;
	uint64_t *first = vmalloc(PAGE_SIZE), *again, full_before;
	struct page *page;

	KASSERT_NOT_NULL(t, first);
	*first = 0x1111;
	vfree(first);
	vmalloc_get_stats(&stats);
	KEXPECT_GE(t, stats.lazy_areas, 1);
	/* Not handed out again before the purge. */
	again = vmalloc(PAGE_SIZE);
	KEXPECT_PTR_NE(t, again, first);
	vfree(again);
	full_before = tlb_stats.full + tlb_stats.range;
	vmalloc_purge();
	KEXPECT_UEQ(t, tlb_stats.full + tlb_stats.range, full_before + 1);
	vmalloc_get_stats(&stats);
	KEXPECT_EQ(t, stats.lazy_areas, 0);
	/* Remap the freed address by hand to another page: reads must see the new page. */
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KASSERT_NOT_NULL(t, page);
	*(uint64_t *)page_address(page) = 0x2222;
	KASSERT_EQ(t, map_kernel_range((uint64_t)first, page_to_pfn(page) << PAGE_SHIFT, PAGE_SIZE,
				       PAGE_KERNEL), 0);
	KEXPECT_UEQ(t, *(volatile uint64_t *)first, 0x2222);
	unmap_kernel_range((uint64_t)first, PAGE_SIZE);
	__free_page(page);
}

static void test_stream_of_vfree_batches_flushes(struct ktest *t)
{
	struct baseline before = take_baseline();
	uint64_t flushes = tlb_stats.full + tlb_stats.range + tlb_stats.single;
	struct vmalloc_stats stats_before, stats_after;

	vmalloc_get_stats(&stats_before);
	for (int i = 0; i < 3000; i++) {
		void *address = vmalloc(4 * PAGE_SIZE);

		KASSERT_NOT_NULL(t, address);
		vfree(address);
	}
	vmalloc_get_stats(&stats_after);
	/*
	 * 3000 vfree calls; a purge when 8192 lazy pages of address space or
	 * 1/32 of memory in held pages pile up (about 55 purges on a 32 MiB
	 * machine, 1 on 256 MiB): one flush per purge, far fewer than frees.
	 */
	KEXPECT_ULE(t, tlb_stats.full + tlb_stats.range + tlb_stats.single - flushes,
		    stats_after.purges - stats_before.purges + 2);
	KEXPECT_ULT(t, stats_after.purges - stats_before.purges, 3000 / 16);
	expect_no_leak(t, before);
}

static void test_injected_failures_undo_everything(struct ktest *t)
{
	struct baseline before = take_baseline();

	vmalloc_inject_failure(5, -1);
	KEXPECT_NULL(t, vmalloc(16 * PAGE_SIZE));
	expect_no_leak(t, before);
	vmalloc_inject_failure(-1, 9);
	KEXPECT_NULL(t, vmalloc(16 * PAGE_SIZE));
	vmalloc_inject_failure(-1, -1);
	expect_no_leak(t, before);
	KEXPECT_NOT_NULL(t, vmalloc(PAGE_SIZE)); /* works again (freed by the leak check's purge) */
}

static void test_wrong_use_is_reported(struct ktest *t)
{
	struct vmalloc_stats stats;
	uint64_t reports;
	uint8_t *area = vmalloc(3 * PAGE_SIZE);
	struct page *page = alloc_page(GFP_KERNEL);
	void *mapping;

	KASSERT_NOT_NULL(t, area);
	KASSERT_NOT_NULL(t, page);
	mapping = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	KASSERT_NOT_NULL(t, mapping);
	vmalloc_get_stats(&stats);
	reports = stats.reports;
	vfree(area + PAGE_SIZE);          /* not the start */
	vunmap(area);                     /* a vmalloc area */
	vfree(mapping);                   /* a vmap area */
	vfree((void *)0xffff888000100000); /* not a vmalloc address */
	vfree(area);
	vfree(area);                      /* double vfree */
	vmalloc_get_stats(&stats);
	KEXPECT_UEQ(t, stats.reports, reports + 5);
	KEXPECT_NULL(t, vmalloc_check());
	vunmap(mapping);
	__free_page(page);
	KEXPECT_NULL(t, vmalloc_check());
}

/*
 * vmalloc may not be called from an interrupt handler: with this CPU's
 * interrupt depth raised (what the interrupt entry does), every entry
 * point refuses with a report and changes nothing.
 */
static void test_refused_in_interrupt_context(struct ktest *t)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct vmalloc_stats stats;
	uint64_t reports, flags;
	void *area = vmalloc(PAGE_SIZE), *refused[2];

	KASSERT_NOT_NULL(t, area);
	KASSERT_NOT_NULL(t, page);
	vmalloc_get_stats(&stats);
	reports = stats.reports;
	flags = local_irq_save();
	irq_context[smp_processor_id()].hardirq_depth++;
	refused[0] = vmalloc(PAGE_SIZE);
	refused[1] = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	vfree(area);
	irq_context[smp_processor_id()].hardirq_depth--;
	local_irq_restore(flags);
	KEXPECT_NULL(t, refused[0]);
	KEXPECT_NULL(t, refused[1]);
	vmalloc_get_stats(&stats);
	KEXPECT_UEQ(t, stats.reports, reports + 3);
	/* The vfree was refused: the area is still there, and freeing it now works. */
	KEXPECT_NOT_NULL(t, vmalloc_to_page(area));
	memset(area, 0x5a, PAGE_SIZE);
	vfree(area);
	vmalloc_get_stats(&stats);
	KEXPECT_UEQ(t, stats.reports, reports + 3);
	__free_page(page);
	KEXPECT_NULL(t, vmalloc_check());
}

static void test_kvmalloc_chooses(struct ktest *t)
{
	void *small = kvmalloc(100, GFP_KERNEL);
	void *medium = kvmalloc(20000, GFP_KERNEL);
	void *large = kvzalloc(1 << 20, GFP_KERNEL);
	uint8_t *grown;

	KASSERT_NOT_NULL(t, small);
	KASSERT_NOT_NULL(t, medium);
	KASSERT_NOT_NULL(t, large);
	KEXPECT_FALSE(t, is_vmalloc_addr(small));
	KEXPECT_FALSE(t, is_vmalloc_addr(medium));
	KEXPECT_TRUE(t, is_vmalloc_addr(large));
	KEXPECT_UEQ(t, ((uint64_t *)large)[1000], 0);
	memset(small, 0x77, 100);
	grown = kvrealloc(small, 300000, GFP_KERNEL);
	KASSERT_NOT_NULL(t, grown);
	KEXPECT_TRUE(t, is_vmalloc_addr(grown));
	KEXPECT_EQ(t, grown[99], 0x77);
	kvfree(grown);
	kvfree(medium);
	kvfree(large);
	kvfree(NULL);
	KEXPECT_NULL(t, kvcalloc(SIZE_MAX, 16, GFP_KERNEL));
}

static void release_pages(struct list_head *list, unsigned int order)
{
	while (!list_empty(list)) {
		struct page *page = list_first_entry(list, struct page, lru);

		list_del(&page->lru);
		__free_pages(page, order);
	}
}

/*
 * Fragment memory so that no order-3 block can be had: take every page,
 * give back those with an odd frame number (no two of them can merge),
 * then take whatever order-3 blocks the reserves still hold.  kvmalloc of
 * six pages must then fall back to vmalloc, which needs only single pages.
 */
static void test_kvmalloc_under_fragmentation(struct ktest *t)
{
	LIST_HEAD(even);
	LIST_HEAD(odd);
	LIST_HEAD(blocks);
	struct page *page;
	void *address;

	while ((page = alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0)))
		list_add(&page->lru, page_to_pfn(page) & 1 ? &odd : &even);
	release_pages(&odd, 0);
	while ((page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 3)))
		list_add(&page->lru, &blocks);
	address = kvmalloc(6 * PAGE_SIZE, GFP_KERNEL);
	KEXPECT_NOT_NULL(t, address);
	KEXPECT_TRUE(t, is_vmalloc_addr(address));
	kvfree(address);
	release_pages(&blocks, 3);
	release_pages(&even, 0);
	KEXPECT_NULL(t, buddy_check(&kernel_buddy));
}

static void test_stress_leaves_nothing(struct ktest *t)
{
	static void *areas[64];
	struct baseline before = take_baseline();
	uint64_t x = 0x2545f4914f6cdd1dull;

	for (int step = 0; step < 2000; step++) {
		unsigned int slot;

		xorshift64(&x);
		slot = (unsigned int)(x % 64);
		if (areas[slot]) {
			vfree(areas[slot]);
			areas[slot] = NULL;
		} else {
			areas[slot] = vmalloc((x >> 8) % (40 * PAGE_SIZE) + 1);
			KASSERT_NOT_NULL(t, areas[slot]);
			*(uint8_t *)areas[slot] = (uint8_t)slot;
		}
		if (step % 250 == 0)
			KASSERT_NULL(t, vmalloc_check());
	}
	for (int slot = 0; slot < 64; slot++) {
		if (areas[slot])
			KEXPECT_EQ(t, *(uint8_t *)areas[slot], slot);
		vfree(areas[slot]);
		areas[slot] = NULL;
	}
	expect_no_leak(t, before);
}

KTEST_SUITE(vmalloc,
	    KTEST_CASE(test_sizes_and_contents),
	    KTEST_CASE(test_large_sizes_and_contents),
	    KTEST_CASE(test_zeroed_and_overflow),
	    KTEST_CASE(test_guard_page_faults),
	    KTEST_CASE(test_vmallocinfo_lists_areas),
	    KTEST_CASE(test_vmap_aliases_known_pages),
	    KTEST_CASE(test_lazy_purge_really_purges),
	    KTEST_CASE(test_stream_of_vfree_batches_flushes),
	    KTEST_CASE(test_injected_failures_undo_everything),
	    KTEST_CASE(test_wrong_use_is_reported),
	    KTEST_CASE(test_refused_in_interrupt_context),
	    KTEST_CASE(test_kvmalloc_chooses),
	    KTEST_CASE(test_kvmalloc_under_fragmentation),
	    KTEST_CASE(test_stress_leaves_nothing));
