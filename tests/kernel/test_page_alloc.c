// SPDX-License-Identifier: MIT
/*
 * The kernel's page allocator on real memory: every order, the zone
 * modifiers, __GFP_ZERO, compound pages, bulk allocation, poisoning, OOM
 * with __GFP_NOWARN, and every kind of wrong free -- each followed by
 * buddy_check() and a check that the free page count is back where it was.
 */
#include <asm/memlayout.h>
#include <boot.h>
#include <buddy.h>
#include <gfp.h>
#include <kernel.h>
#include <kstring.h>
#include <ktest.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>
#include <slab.h>

#include "../common/report_text.h"

extern char __text_start[];

static uint64_t free_before;

/* Drain the per-CPU lists so free counts compare exactly. */
static uint64_t settled_free_pages(void)
{
	buddy_drain_pcp(&kernel_buddy);
	return buddy_free_pages(&kernel_buddy);
}

static void expect_intact(struct ktest *t)
{
	KEXPECT_NULL(t, buddy_check(&kernel_buddy));
	KEXPECT_UEQ(t, settled_free_pages(), free_before);
}

static int suite_init(void)
{
	free_before = settled_free_pages();
	return 0;
}

static uint64_t phys_of(struct page *page)
{
	return page_to_pfn(page) << PAGE_SHIFT;
}

static void test_every_order(struct ktest *t)
{
	for (unsigned int order = 0; order <= MAX_ORDER; order++) {
		struct page *page = alloc_pages(GFP_KERNEL, order);
		uint8_t *bytes;

		KASSERT_NOT_NULL(t, page);
		KEXPECT_UEQ(t, phys_of(page) & ((PAGE_SIZE << order) - 1), 0);
		KEXPECT_EQ(t, page_count(page), 1);
		/* The whole block is usable memory. */
		bytes = page_address(page);
		bytes[0] = 1;
		bytes[(PAGE_SIZE << order) - 1] = 2;
		KEXPECT_PTR_EQ(t, virt_to_page(bytes), page);
		__free_pages(page, order);
	}
	expect_intact(t);
}

static void test_zone_modifiers(struct ktest *t)
{
	struct page *dma = alloc_pages(GFP_KERNEL | GFP_DMA, 0);
	struct page *dma32 = alloc_pages(GFP_KERNEL | GFP_DMA32, 2);
	unsigned long address = __get_free_pages(GFP_KERNEL, 1);

	KASSERT_NOT_NULL(t, dma);
	KASSERT_NOT_NULL(t, dma32);
	KEXPECT_ULT(t, phys_of(dma), 16 * MiB);
	KEXPECT_ULT(t, phys_of(dma32) + (4 * PAGE_SIZE), 4 * GiB + 1);
	KEXPECT_EQ(t, buddy_page_zone(&kernel_buddy, dma) - kernel_buddy.zones, ZONE_DMA);
	/* GFP_KERNEL prefers the highest populated zone. */
	KASSERT_NE(t, address, 0);
	KEXPECT_PTR_EQ(t, buddy_page_zone(&kernel_buddy, virt_to_page((void *)address)),
		       kernel_buddy.first_populated[GFP_KERNEL & (__GFP_DMA | __GFP_DMA32)]);
	__free_pages(dma, 0);
	__free_pages(dma32, 2);
	free_pages(address, 1);
	free_pages(0, 3); /* no-op */
	expect_intact(t);
}

static void test_gfp_zero_zeroes(struct ktest *t)
{
	struct page *page = alloc_pages(GFP_KERNEL, 2);
	uint64_t *words;
	bool all_zero = true;

	KASSERT_NOT_NULL(t, page);
	memset(page_address(page), 0x5c, 4 * PAGE_SIZE);
	__free_pages(page, 2);
	/* The same block comes back first (LIFO free lists); it must be cleared. */
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
	KASSERT_NOT_NULL(t, page);
	words = page_address(page);
	for (size_t i = 0; i < 4 * PAGE_SIZE / 8; i++)
		all_zero &= words[i] == 0;
	KEXPECT_TRUE(t, all_zero);
	__free_pages(page, 2);

	words = (uint64_t *)get_zeroed_page(GFP_KERNEL);
	KASSERT_NOT_NULL(t, words);
	KEXPECT_UEQ(t, words[0] | words[511], 0);
	free_page((unsigned long)words);
	expect_intact(t);
}

static void test_compound_and_references(struct ktest *t)
{
	struct page *head = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);

	KASSERT_NOT_NULL(t, head);
	KEXPECT_PTR_EQ(t, compound_head(head + 5), head);
	KEXPECT_PTR_EQ(t, compound_head(head), head);
	get_page(head + 2);                 /* a reference through a tail page */
	KEXPECT_EQ(t, page_count(head + 7), 2);
	put_page(head + 7);                 /* drops one; the block stays */
	KEXPECT_EQ(t, page_count(head), 1);
	KEXPECT_UEQ(t, head->flags & PG_head, PG_head);
	put_page(head + 1);                 /* the last reference frees it */
	KEXPECT_UEQ(t, (head + 1)->flags & PG_tail, 0);
	expect_intact(t);
}

/* A reference taken on a page that has none left (a use after free) is reported and not taken. */
static void test_get_page_without_a_reference_is_reported(struct ktest *t)
{
	struct page *page = alloc_page(GFP_KERNEL);
	char text[256];

	KASSERT_NOT_NULL(t, page);
	__free_page(page);
	printk_capture(text, sizeof(text));
	get_page(page);
	printk_capture(NULL, 0);
	KEXPECT_EQ(t, page_count(page), 0);
	KEXPECT_CONTAINS(t, text, "get_page on pfn");
	KEXPECT_CONTAINS(t, text, "with no reference left");
	expect_intact(t);
}

static void test_bulk(struct ktest *t)
{
	struct page *pages[64] = { 0 };
	bool distinct = true;

	KEXPECT_EQ(t, alloc_pages_bulk(GFP_KERNEL, 64, pages), 64);
	for (int i = 0; i < 64; i++)
		for (int j = i + 1; j < 64; j++)
			distinct &= pages[i] != pages[j];
	KEXPECT_TRUE(t, distinct);
	/* Only empty slots are filled. */
	__free_pages(pages[10], 0);
	pages[10] = NULL;
	KEXPECT_EQ(t, alloc_pages_bulk(GFP_KERNEL, 64, pages), 64);
	for (int i = 0; i < 64; i++)
		__free_pages(pages[i], 0);
	expect_intact(t);
}

static void test_bad_frees_are_reported_and_harmless(struct ktest *t)
{
	struct page *one = alloc_pages(GFP_KERNEL, 0), *four = alloc_pages(GFP_KERNEL, 2);
	struct page *compound = alloc_pages(GFP_KERNEL | __GFP_COMP, 1);
	struct page *kernel_page = virt_to_page(__text_start);
	uint64_t bad = kernel_buddy.errors.bad_frees;

	KASSERT_NOT_NULL(t, one);
	KASSERT_NOT_NULL(t, four);
	KASSERT_NOT_NULL(t, compound);
	__free_pages(one, 0);
	__free_pages(one, 0);                         /* double free */
	__free_pages(four, 1);                        /* wrong order */
	__free_pages(four + 1, 0);                    /* inside a block */
	__free_pages(compound + 1, 0);                /* tail page */
	__free_pages(kernel_page, 0);                 /* reserved page */
	__free_pages(four, MAX_ORDER + 1);            /* order too big */
	KEXPECT_UEQ(t, kernel_buddy.errors.bad_frees, bad + 6);
	KEXPECT_NULL(t, buddy_check(&kernel_buddy));
	/* The blocks are still allocated and free normally. */
	KEXPECT_EQ(t, page_count(four), 1);
	__free_pages(four, 2);
	__free_pages(compound, 1);
	__free_pages(four, 2);                        /* now a double free of order 2 */
	KEXPECT_UEQ(t, kernel_buddy.errors.bad_frees, bad + 7);
	KEXPECT_NULL(t, alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER + 1));
	expect_intact(t);
}

static void test_poisoning_catches_write_after_free(struct ktest *t)
{
	bool was_on = kernel_buddy.poison;
	uint64_t errors = kernel_buddy.errors.poison_errors;
	struct page *page;
	uint8_t *bytes;

	kernel_buddy.poison = true;
	page = alloc_pages(GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, page);
	bytes = page_address(page);
	__free_pages(page, 0);
	KEXPECT_EQ(t, bytes[100], PAGE_POISON);
	bytes[100] = 0x42;                            /* write after free */
	page = alloc_pages(GFP_KERNEL, 0);            /* the same page (LIFO per-CPU list) */
	KEXPECT_PTR_EQ(t, page_address(page), bytes);
	KEXPECT_UEQ(t, kernel_buddy.errors.poison_errors, errors + 1);
	__free_pages(page, 0);
	page = alloc_pages(GFP_KERNEL, 0);            /* untouched this time: no report */
	KEXPECT_UEQ(t, kernel_buddy.errors.poison_errors, errors + 1);
	__free_pages(page, 0);
	kernel_buddy.poison = was_on;
	expect_intact(t);
}

/*
 * Exhaust memory with the biggest blocks, then smaller ones, down to the
 * last page: the allocator returns NULL quietly (__GFP_NOWARN) and gets
 * every page back.  The blocks are chained through their struct page (an
 * allocated page's lru belongs to its owner), so no memory is touched: a
 * 64 GiB guest must not have all of its RAM committed by the host.
 */
static void test_out_of_memory(struct ktest *t)
{
	LIST_HEAD(taken_blocks);
	uint64_t failures = kernel_buddy.errors.failures, taken = 0;

	for (int order = MAX_ORDER; order >= 0; order--) {
		struct page *page;

		while ((page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, (unsigned int)order))) {
			list_add(&page->lru, &taken_blocks);
			taken += 1ull << order;
		}
	}
	KEXPECT_UGT(t, kernel_buddy.errors.failures, failures);
	KEXPECT_NULL(t, alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0));
	/* What is left is the reserve below the watermarks. */
	KEXPECT_UGE(t, taken + settled_free_pages(), free_before);
	KEXPECT_NULL(t, buddy_check(&kernel_buddy));
	while (!list_empty(&taken_blocks)) {
		struct page *page = list_first_entry(&taken_blocks, struct page, lru);

		list_del(&page->lru);
		__free_pages(page, (unsigned int)page->private);
	}
	expect_intact(t);
}

/* A whole 4 MiB block of frames with no RAM (a hole): its struct pages do not exist. */
static bool find_hole_block(uint64_t *phys)
{
	const struct firmware_map *map = boot_get_firmware_map();
	uint64_t previous_end = 0;

	for (size_t i = 0; i < map->count; i++) {
		const struct mem_range *r = &map->ranges[i];
		uint64_t candidate = ALIGN_UP(previous_end, 4 * MiB);

		if (!mem_type_is_ram(r->type))
			continue;
		if (previous_end && candidate + 4 * MiB <= ALIGN_DOWN(r->base, 4 * MiB)) {
			*phys = candidate;
			return true;
		}
		previous_end = r->end;
	}
	return false;
}

/* Freeing an address in a hole (no struct page behind it) is reported, never followed. */
static void test_free_in_a_hole_is_reported(struct ktest *t)
{
	uint64_t hole, bad = kernel_buddy.errors.bad_frees;

	if (!find_hole_block(&hole)) {
		ktest_skip(t, "no 4 MiB hole between RAM ranges on this machine");
		return;
	}
	KEXPECT_NULL(t, buddy_pfn_to_page(&kernel_buddy, hole >> PAGE_SHIFT));
	free_pages((unsigned long)__va(hole), 0);
	KEXPECT_UEQ(t, kernel_buddy.errors.bad_frees, bad + 1);
	kfree(__va(hole + 64));
	KEXPECT_EQ(t, ksize(__va(hole)), 0);
	expect_intact(t);
}

static void test_handover_accounts_for_every_page(struct ktest *t)
{
	uint64_t managed = buddy_managed_pages(&kernel_buddy);

	/* Managed pages (given to the buddy) are usable RAM; nothing beyond it. */
	KEXPECT_UGT(t, managed, 0);
	KEXPECT_ULE(t, managed * PAGE_SIZE, firmware_map_usable_bytes(boot_get_firmware_map()));
	for (int z = 0; z < NR_ZONES; z++) {
		const struct zone *zone = &kernel_buddy.zones[z];

		if (!zone->managed_pages)
			continue;
		/* min < low < high, equally spaced; the gap is never 0 in a zone of 1000+ pages. */
		KEXPECT_UEQ(t, zone->watermark_high - zone->watermark_low,
			    zone->watermark_low - zone->watermark_min);
		KEXPECT_ULE(t, zone->watermark_min, zone->watermark_low);
		if (zone->managed_pages >= 1000)
			KEXPECT_ULT(t, zone->watermark_min, zone->watermark_low);
		KEXPECT_ULT(t, zone->watermark_high, zone->managed_pages);
	}
}

/* Managed pages per zone and the watermarks and per-CPU sizes they must give. */
struct watermark_case {
	uint64_t managed[NR_ZONES];
	struct {
		uint64_t min, low, high;
		unsigned int batch, pcp_high;
	} expected[NR_ZONES];
};

/*
 * Worked by hand from Linux's formula (mm/buddy.c):
 * min_free_kbytes = sqrt(16 * RAM in KiB), clamped to 128 KiB .. 256 MiB,
 * split among zones by size; gap = max(min / 4, zone / 1000), low = min +
 * gap, high = low + gap; per-CPU batch = zone / 1024 in 1..63, per-CPU
 * high = low / 4 in batch..6 * batch.  Zone sizes beyond any test guest
 * cost nothing here: only the counts are set.
 */
static const struct watermark_case watermark_cases[] = {
	/* A 256 MiB QEMU guest: 64276 pages, sqrt(4113664) = 2028 KiB = 507 pages. */
	{ { 3522, 60754, 0 }, { { 27, 33, 39, 3, 8 }, { 479, 598, 717, 59, 149 }, { 0, 0, 0, 1, 1 } } },
	/* 256 KiB: sqrt(4096) = 64 KiB, raised to 128 KiB = 32 pages. */
	{ { 64, 0, 0 }, { { 32, 40, 48, 1, 6 }, { 0, 0, 0, 1, 1 }, { 0, 0, 0, 1, 1 } } },
	/* 7 GiB in three zones: sqrt(116323072) = 10785 KiB = 2696 pages. */
	{ { 3972, 765000, 1048576 },
	  { { 5, 8, 11, 3, 3 }, { 1134, 1899, 2664, 63, 378 }, { 1555, 2603, 3651, 63, 378 } } },
	/* A zone whose 0.1% (500) is larger than a quarter of min (353). */
	{ { 0, 500000, 0 }, { { 0, 0, 0, 1, 1 }, { 1414, 1914, 2414, 63, 378 }, { 0, 0, 0, 1, 1 } } },
	/* 8 TiB: sqrt(2^37) KiB is past the 256 MiB cap: 65536 pages. */
	{ { 0, 0, 2147483648ull },
	  { { 0, 0, 0, 1, 1 }, { 0, 0, 0, 1, 1 }, { 65536, 2213019, 4360502, 63, 378 } } },
};

static struct buddy watermark_buddy;

/* The watermark formula on zone sizes set by hand, against literal expected values. */
static void test_watermark_formula(struct ktest *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(watermark_cases); i++) {
		const struct watermark_case *c = &watermark_cases[i];

		memset(&watermark_buddy, 0, sizeof(watermark_buddy));
		for (int z = 0; z < NR_ZONES; z++)
			watermark_buddy.zones[z].managed_pages = c->managed[z];
		buddy_setup_watermarks(&watermark_buddy);
		for (int z = 0; z < NR_ZONES; z++) {
			const struct zone *zone = &watermark_buddy.zones[z];
			unsigned int failures = t->failures;

			KEXPECT_UEQ(t, zone->watermark_min, c->expected[z].min);
			KEXPECT_UEQ(t, zone->watermark_low, c->expected[z].low);
			KEXPECT_UEQ(t, zone->watermark_high, c->expected[z].high);
			KEXPECT_EQ(t, zone->pcp[0].batch, c->expected[z].batch);
			KEXPECT_EQ(t, zone->pcp[0].high, c->expected[z].pcp_high);
			KEXPECT_EQ(t, zone->pcp[NR_CPUS - 1].high, c->expected[z].pcp_high);
			if (t->failures != failures)
				printk("        # case %zu, zone %d (%llu pages)\n", i, z,
				       (unsigned long long)c->managed[z]);
		}
	}
}

KTEST_SUITE_FULL(page_alloc, suite_init, NULL,
		 KTEST_CASE(test_every_order),
		 KTEST_CASE(test_zone_modifiers),
		 KTEST_CASE(test_gfp_zero_zeroes),
		 KTEST_CASE(test_compound_and_references),
		 KTEST_CASE(test_get_page_without_a_reference_is_reported),
		 KTEST_CASE(test_bulk),
		 KTEST_CASE(test_bad_frees_are_reported_and_harmless),
		 KTEST_CASE(test_poisoning_catches_write_after_free),
		 KTEST_CASE(test_out_of_memory),
		 KTEST_CASE(test_free_in_a_hole_is_reported),
		 KTEST_CASE(test_handover_accounts_for_every_page),
		 KTEST_CASE(test_watermark_formula));
