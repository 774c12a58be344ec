// SPDX-License-Identifier: MIT
/*
 * The buddy page allocator (mm/buddy.c, mm/buddy_debug.c), the same code
 * the kernel runs, over simulated physical memory (tests/host/arena.h):
 * splitting and merging, placement (alignment, zones, holes), exhaustion.
 * The other buddy suites: test_buddy_zones.c, test_buddy_pcp.c,
 * test_buddy_misuse.c, test_buddy_features.c, test_buddy_stress.c.
 */
#include <buddy.h>
#include <kernel.h>
#include <ktest.h>

#include "arena.h"
#include "buddy_arena.h"
#include "host_support.h"

/* ---- splitting and merging ---------------------------------------------- */

/* One page from a lone MAX_ORDER block leaves one free block at every lower order. */
static void test_split_one_page_from_max_block(struct ktest *t)
{
	struct arena *a = arena_create_full(t, 0, MAX_BLOCK_PAGES);
	struct page *page;

	CHECK(t, a);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].free_area[MAX_ORDER].count, 1);
	page = arena_alloc(a, GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, page);
	CHECK(t, a);
	KEXPECT_UEQ(t, pfn_of(a, page), 0);
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].free_area[o].count, 1);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].free_area[MAX_ORDER].count, 0);
	KEXPECT_UEQ(t, free_page_count(a), MAX_BLOCK_PAGES - 1);
	KEXPECT_EQ(t, page_ref_count(page), 1);
	KEXPECT_UEQ(t, page->flags & ~PAGE_ZONE_MASK, PG_head);

	KASSERT_TRUE(t, arena_free(a, page, 0));
	CHECK(t, a);
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].free_area[o].count, 0);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].free_area[MAX_ORDER].count, 1);
	KEXPECT_UEQ(t, free_page_count(a), MAX_BLOCK_PAGES);
	KEXPECT_TRUE(t, page->flags & PG_buddy);
	arena_destroy(a);
}

/*
 * For each order: taking a block of that order from a lone MAX_ORDER
 * block leaves one free block at each order from it up to MAX_ORDER - 1;
 * freeing it merges everything back.
 */
static void test_split_and_merge_every_order(struct ktest *t)
{
	struct arena *a = arena_create_full(t, 0, MAX_BLOCK_PAGES);

	for (unsigned int order = 0; order <= MAX_ORDER; order++) {
		struct page *page = arena_alloc(a, GFP_KERNEL, order);

		KASSERT_NOT_NULL(t, page);
		CHECK(t, a);
		KEXPECT_UEQ(t, pfn_of(a, page), 0);
		KEXPECT_UEQ(t, page->private, order);
		for (unsigned int o = 0; o <= MAX_ORDER; o++)
			KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].free_area[o].count,
				    o >= order && o < MAX_ORDER ? 1 : 0);
		KEXPECT_UEQ(t, free_page_count(a), MAX_BLOCK_PAGES - (1ull << order));
		KASSERT_TRUE(t, arena_free(a, page, order));
		CHECK(t, a);
		KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].free_area[MAX_ORDER].count, 1);
		KEXPECT_UEQ(t, free_page_count(a), MAX_BLOCK_PAGES);
	}
	arena_destroy(a);
}

/* The worked example of mm/buddy.c: the order-1 buddy of #8 is #10. */
static void test_order_1_buddy_of_8_is_10(struct ktest *t)
{
	struct arena *a = arena_create_full(t, 0, MAX_BLOCK_PAGES);
	struct page *blocks[8];

	KEXPECT_UEQ(t, 8ull ^ (1ull << 1), 10);
	KEXPECT_UEQ(t, 11ull ^ (1ull << 0), 10);
	/* Order-1 blocks come out in address order: #0, #2, ... #14. */
	for (int i = 0; i < 8; i++) {
		blocks[i] = arena_alloc(a, GFP_KERNEL, 1);
		KASSERT_NOT_NULL(t, blocks[i]);
		KASSERT_UEQ(t, pfn_of(a, blocks[i]), 2 * i);
		CHECK(t, a);
	}
	/* #10 alone cannot merge: its buddy #8 is allocated. */
	KASSERT_TRUE(t, arena_free(a, blocks[5], 1));
	CHECK(t, a);
	KEXPECT_TRUE(t, page_of(a, 10)->flags & PG_buddy);
	KEXPECT_UEQ(t, page_of(a, 10)->private, 1);
	/* Freeing #8 merges it with #10 into the order-2 block #8, whose buddy #12 is in use. */
	KASSERT_TRUE(t, arena_free(a, blocks[4], 1));
	CHECK(t, a);
	KEXPECT_TRUE(t, page_of(a, 8)->flags & PG_buddy);
	KEXPECT_UEQ(t, page_of(a, 8)->private, 2);
	KEXPECT_FALSE(t, page_of(a, 10)->flags & PG_buddy);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].free_area[1].count, 0);
	/* Everything else merges back into the one MAX_ORDER block. */
	for (int i = 0; i < 8; i++) {
		if (i == 4 || i == 5)
			continue;
		KASSERT_TRUE(t, arena_free(a, blocks[i], 1));
		CHECK(t, a);
	}
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].free_area[MAX_ORDER].count, 1);
	KEXPECT_UEQ(t, free_page_count(a), MAX_BLOCK_PAGES);
	arena_destroy(a);
}

/* ---- placement: alignment, zones, holes --------------------------------- */

/*
 * Exhaust @a with blocks of every order in turn; check each block is
 * aligned to its order, lies inside one of @ranges and one zone, then
 * free all and check the free lists are back to where they started.
 */
static void exhaust_every_order(struct ktest *t, struct arena *a, const struct pfn_range *ranges,
				size_t range_count)
{
	uint64_t managed = buddy_managed_pages(&a->buddy);
	struct free_counts initial = free_counts(a);
	struct page **pages = arena_scratch(t, a, managed, sizeof(*pages));

	for (unsigned int order = 0; order <= MAX_ORDER; order++) {
		uint64_t size = 1ull << order, count = 0, pages_taken = 0;
		struct page *page;

		while ((page = arena_alloc(a, GFP_KERNEL | __GFP_NOWARN, order)) != NULL) {
			uint64_t pfn = pfn_of(a, page);
			size_t r = 0;

			KASSERT_ULT(t, count, managed);
			pages[count++] = page;
			pages_taken += size;
			KEXPECT_UEQ(t, pfn & (size - 1), 0);
			while (r < range_count && !(pfn >= ranges[r].start && pfn < ranges[r].end))
				r++;
			KASSERT_ULT(t, r, range_count);
			KEXPECT_ULE(t, pfn + size, ranges[r].end);
			KEXPECT_EQ(t, expected_zone(pfn), expected_zone(pfn + size - 1));
			KEXPECT_EQ(t, zone_index(a, page), expected_zone(pfn));
			if ((count & 63) == 0 || order > 3)
				CHECK(t, a);
		}
		CHECK(t, a);
		/* Nothing left of this order or above. */
		for (int z = 0; z < NR_ZONES; z++)
			for (unsigned int o = order; o <= MAX_ORDER; o++)
				KEXPECT_UEQ(t, a->buddy.zones[z].free_area[o].count, 0);
		if (order == 0)
			KEXPECT_UEQ(t, pages_taken, managed);
		KEXPECT_UEQ(t, pages_taken + free_page_count(a), managed);
		free_all(t, a, pages, count, order);
		expect_counts(t, a, &initial);
		KEXPECT_UEQ(t, free_page_count(a), managed);
	}
}

static void test_alignment_and_zones(struct ktest *t)
{
	static const struct pfn_range low[] = { { LOW_START, LOW_END } };
	static const struct pfn_range window[] = { { WINDOW_START, WINDOW_END } };
	struct arena *a = arena_create_full(t, LOW_START, LOW_END);

	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].managed_pages, 4096);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA32].managed_pages, 4096);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_NORMAL].managed_pages, 0);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].free_area[MAX_ORDER].count, 4);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA32].free_area[MAX_ORDER].count, 4);
	CHECK(t, a);
	exhaust_every_order(t, a, low, ARRAY_SIZE(low));
	arena_destroy(a);

	a = arena_create_full(t, WINDOW_START, WINDOW_END);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].managed_pages, 0);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA32].managed_pages, 2048);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_NORMAL].managed_pages, 2048);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_NORMAL].start_pfn, FOUR_GIB_PFN);
	CHECK(t, a);
	exhaust_every_order(t, a, window, ARRAY_SIZE(window));
	arena_destroy(a);
}

/* Ranges with holes between them, unaligned ends, one across 16 MiB, one across 4 GiB. */
static void test_blocks_stay_within_ranges(struct ktest *t)
{
	static const struct pfn_range low[] = {
		{ 1, 1000 }, { 1100, 2900 }, { 3001, 5003 }, { 6000, 8191 },
	};
	static const struct pfn_range window[] = {
		{ WINDOW_START + 3, WINDOW_START + 700 },
		{ WINDOW_START + 701, FOUR_GIB_PFN + 999 },
		{ FOUR_GIB_PFN + 1024, WINDOW_END - 5 },
	};
	/* A memmap that starts unaligned: buddies below its first frame are never looked at. */
	static const struct pfn_range unaligned[] = { { 5, 2000 } };
	static const struct {
		uint64_t start, end;
		const struct pfn_range *ranges;
		size_t count;
	} layouts[] = {
		{ LOW_START, LOW_END, low, ARRAY_SIZE(low) },
		{ WINDOW_START, WINDOW_END, window, ARRAY_SIZE(window) },
		{ 5, 2000, unaligned, ARRAY_SIZE(unaligned) },
	};

	for (size_t l = 0; l < ARRAY_SIZE(layouts); l++) {
		struct arena *a = arena_create(t, layouts[l].start, layouts[l].end, false);
		uint64_t added = 0;

		for (size_t r = 0; r < layouts[l].count; r++) {
			const struct pfn_range *range = &layouts[l].ranges[r];

			KEXPECT_UEQ(t, buddy_add_range(&a->buddy, range->start, range->end),
				    range->end - range->start);
			added += range->end - range->start;
			CHECK(t, a);
		}
		KEXPECT_UEQ(t, buddy_managed_pages(&a->buddy), added);
		KEXPECT_UEQ(t, free_page_count(a), added);
		/* The frames of the holes stay reserved. */
		for (uint64_t pfn = layouts[l].start; pfn < layouts[l].end; pfn++) {
			size_t r = 0;

			while (r < layouts[l].count &&
			       !(pfn >= layouts[l].ranges[r].start && pfn < layouts[l].ranges[r].end))
				r++;
			if (r == layouts[l].count)
				KEXPECT_TRUE(t, page_of(a, pfn)->flags & PG_reserved);
		}
		exhaust_every_order(t, a, layouts[l].ranges, layouts[l].count);
		arena_destroy(a);
	}
}

/* ---- exhaustion --------------------------------------------------------- */

static void test_exhaustion_and_recovery(struct ktest *t)
{
	static const unsigned int mixed_orders[] = { 0, 3, 1, 10, 5, 2, 7, 0, 4, 9, 6, 8, 0, 1 };
	struct arena *a = arena_create_full(t, LOW_START, LOW_END);
	struct free_counts initial = free_counts(a);
	struct {
		struct page *page;
		unsigned int order;
	} *blocks = arena_scratch(t, a, LOW_END, sizeof(*blocks));
	uint64_t failures_before;

	for (int round = 0; round < 2; round++) {
		size_t count = 0, next = 0;
		uint64_t pages_taken = 0;

		/* Mixed orders until a MAX_ORDER block fails, then each order down to 0. */
		capture_start();
		for (;;) {
			unsigned int order = mixed_orders[next++ % ARRAY_SIZE(mixed_orders)];
			struct page *page = arena_alloc(a, GFP_KERNEL | __GFP_NOWARN, order);

			if (!page && order == MAX_ORDER)
				break;
			if (page) {
				blocks[count].page = page;
				blocks[count++].order = order;
				pages_taken += 1ull << order;
			}
		}
		for (int order = MAX_ORDER; order >= 0; order--) {
			struct page *page;

			while ((page = arena_alloc(a, GFP_KERNEL | __GFP_NOWARN, (unsigned int)order))) {
				blocks[count].page = page;
				blocks[count++].order = (unsigned int)order;
				pages_taken += 1ull << order;
			}
		}
		capture_stop();
		KEXPECT_STREQ(t, capture_text(), "");
		CHECK(t, a);
		KEXPECT_UEQ(t, pages_taken, LOW_END);
		KEXPECT_UEQ(t, free_page_count(a), 0);

		/* Without __GFP_NOWARN the failure is reported, and still returns NULL. */
		failures_before = a->buddy.errors.failures;
		capture_start();
		KEXPECT_NULL(t, arena_alloc(a, GFP_KERNEL, 0));
		capture_stop();
		KEXPECT_UEQ(t, a->buddy.errors.failures, failures_before + 1);
		KEXPECT_REPORTED(t, "page allocation failure: order:0, mode:0xcc0(IO|FS|DIRECT_RECLAIM|KSWAPD_RECLAIM)");
		KEXPECT_REPORTED(t, "zone      DMA      0      0");
		KEXPECT_REPORTED(t, "free 0 pages of 8192 managed");
		CHECK(t, a);

		/* Freed in allocation order, everything coalesces back. */
		for (size_t i = 0; i < count; i++) {
			KASSERT_TRUE(t, arena_free(a, blocks[i].page, blocks[i].order));
			if ((i & 31) == 0)
				CHECK(t, a);
		}
		buddy_drain_pcp(&a->buddy);
		CHECK(t, a);
		expect_counts(t, a, &initial);
		KEXPECT_UEQ(t, free_page_count(a), LOW_END);
	}
	{
		struct buddy_stats stats;

		buddy_read_stats(&a->buddy, &stats);
		KEXPECT_UEQ(t, stats.allocations, stats.frees);
	}
	arena_destroy(a);
}

static void test_order_above_max_order(struct ktest *t)
{
	struct arena *a = arena_create_full(t, 0, MAX_BLOCK_PAGES);

	capture_start();
	KEXPECT_NULL(t, arena_alloc(a, GFP_KERNEL, MAX_ORDER + 1));
	capture_stop();
	KEXPECT_REPORTED(t, "order 11 is above MAX_ORDER 10");
	capture_start();
	KEXPECT_NULL(t, arena_alloc(a, GFP_KERNEL | __GFP_NOWARN, 40));
	capture_stop();
	KEXPECT_STREQ(t, capture_text(), "");
	KEXPECT_UEQ(t, a->buddy.errors.failures, 2);
	KEXPECT_UEQ(t, free_page_count(a), MAX_BLOCK_PAGES);
	CHECK(t, a);
	arena_destroy(a);
}

KTEST_SUITE_FULL(buddy, NULL, arena_suite_exit,
		 KTEST_CASE(test_split_one_page_from_max_block),
		 KTEST_CASE(test_split_and_merge_every_order),
		 KTEST_CASE(test_order_1_buddy_of_8_is_10),
		 KTEST_CASE(test_alignment_and_zones),
		 KTEST_CASE(test_blocks_stay_within_ranges),
		 KTEST_CASE(test_exhaustion_and_recovery),
		 KTEST_CASE(test_order_above_max_order));
