// SPDX-License-Identifier: MIT
/*
 * Buddy allocator per-CPU lists: hot pages reused first, zone order kept,
 * the high mark and draining.
 */
#include <buddy.h>
#include <kernel.h>
#include <ktest.h>

#include "arena.h"
#include "buddy_arena.h"

/* A hot order-0 free and allocation pair stays on the per-CPU list. */
static void test_pcp_hot_pair(struct ktest *t)
{
	struct arena *a = arena_create_full(t, LOW_START, LOW_END);
	struct zone *dma32 = &a->buddy.zones[ZONE_DMA32];
	struct free_counts initial = free_counts(a);
	struct page *page, *again;
	uint64_t zone_free;

	buddy_setup_watermarks(&a->buddy);
	KASSERT_EQ(t, dma32->pcp[0].batch, 4);
	page = arena_alloc(a, GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, page);
	CHECK(t, a);
	/* The first allocation refilled a batch: one returned, three kept. */
	KEXPECT_EQ(t, zone_index(a, page), ZONE_DMA32);
	KEXPECT_EQ(t, pcp_count(a, ZONE_DMA32), 3);
	KEXPECT_UEQ(t, dma32->free_pages, 4096 - 4);
	KEXPECT_UEQ(t, free_page_count(a), LOW_END - 1);
	zone_free = dma32->free_pages;

	KASSERT_TRUE(t, arena_free(a, page, 0));
	CHECK(t, a);
	KEXPECT_TRUE(t, page->flags & PG_pcp);
	KEXPECT_EQ(t, pcp_count(a, ZONE_DMA32), 4);
	KEXPECT_UEQ(t, dma32->free_pages, zone_free);
	KEXPECT_UEQ(t, free_page_count(a), LOW_END);

	again = arena_alloc(a, GFP_KERNEL, 0);
	CHECK(t, a);
	KEXPECT_PTR_EQ(t, again, page);         /* the cache-hot page comes back first */
	KEXPECT_EQ(t, pcp_count(a, ZONE_DMA32), 3);
	KEXPECT_UEQ(t, dma32->free_pages, zone_free);
	KEXPECT_FALSE(t, again->flags & PG_pcp);

	KASSERT_TRUE(t, arena_free(a, again, 0));
	buddy_drain_pcp(&a->buddy);
	CHECK(t, a);
	KEXPECT_EQ(t, pcp_count(a, ZONE_DMA32), 0);
	KEXPECT_UEQ(t, dma32->free_pages, 4096);
	expect_counts(t, a, &initial);
	arena_destroy(a);
}

/*
 * A page on a lower zone's per-CPU list does not make that zone come
 * first: each request still takes the highest zone it allows.
 */
static void test_pcp_keeps_zone_order(struct ktest *t)
{
	static const struct {
		uint64_t start_pfn, end_pfn;
		gfp_t cached_gfp;       /* leaves a page on this zone's per-CPU list */
		int cached_zone;
		struct {
			gfp_t gfp;
			int zone;
		} requests[3];
	} cases[] = {
		{ LOW_START, LOW_END, GFP_DMA, ZONE_DMA,
		  { { GFP_KERNEL, ZONE_DMA32 }, { GFP_DMA32, ZONE_DMA32 }, { GFP_DMA, ZONE_DMA } } },
		{ WINDOW_START, WINDOW_END, GFP_DMA32, ZONE_DMA32,
		  { { GFP_KERNEL, ZONE_NORMAL }, { GFP_ATOMIC, ZONE_NORMAL }, { GFP_DMA32, ZONE_DMA32 } } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct arena *a = arena_create_full(t, cases[i].start_pfn, cases[i].end_pfn);
		struct free_counts initial = free_counts(a);
		struct page *cached, *pages[3];

		buddy_setup_watermarks(&a->buddy);
		cached = arena_alloc(a, cases[i].cached_gfp, 0);
		KASSERT_NOT_NULL(t, cached);
		KASSERT_EQ(t, zone_index(a, cached), cases[i].cached_zone);
		KASSERT_TRUE(t, arena_free(a, cached, 0));
		KASSERT_GT(t, pcp_count(a, cases[i].cached_zone), 0);
		CHECK(t, a);
		for (int r = 0; r < 3; r++) {
			pages[r] = arena_alloc(a, cases[i].requests[r].gfp, 0);
			KASSERT_NOT_NULL(t, pages[r]);
			KEXPECT_EQ(t, zone_index(a, pages[r]), cases[i].requests[r].zone);
			CHECK(t, a);
		}
		/* The request for the cached zone got the cache-hot page. */
		KEXPECT_PTR_EQ(t, pages[2], cached);
		for (int r = 0; r < 3; r++)
			KASSERT_TRUE(t, arena_free(a, pages[r], 0));
		buddy_drain_pcp(&a->buddy);
		CHECK(t, a);
		expect_counts(t, a, &initial);
		arena_destroy(a);
	}
}

/* Freeing past the high mark drains a batch from the cold end; a drain returns everything. */
static void test_pcp_high_mark_and_drain(struct ktest *t)
{
	enum { PAGES = 200 };
	struct arena *a = arena_create_full(t, LOW_START, LOW_END);
	struct zone *dma32 = &a->buddy.zones[ZONE_DMA32];
	struct free_counts initial = free_counts(a);
	struct page *pages[PAGES];
	unsigned int expected, high, batch, drains = 0;

	buddy_setup_watermarks(&a->buddy);
	high = dma32->pcp[0].high;
	batch = dma32->pcp[0].batch;
	KASSERT_EQ(t, high, 24);
	KASSERT_EQ(t, batch, 4);
	for (int i = 0; i < PAGES; i++) {
		pages[i] = arena_alloc(a, GFP_KERNEL, 0);
		KASSERT_NOT_NULL(t, pages[i]);
		KASSERT_EQ(t, zone_index(a, pages[i]), ZONE_DMA32);
	}
	CHECK(t, a);
	/* Refills come in whole batches. */
	KEXPECT_EQ(t, pcp_count(a, ZONE_DMA32), (batch - PAGES % batch) % batch);
	KEXPECT_UEQ(t, dma32->free_pages + pcp_count(a, ZONE_DMA32) + PAGES, 4096);

	expected = pcp_count(a, ZONE_DMA32);
	for (int i = 0; i < PAGES; i++) {
		uint64_t total_free = free_page_count(a);

		KASSERT_TRUE(t, arena_free(a, pages[i], 0));
		if (++expected > high) {
			expected -= batch;
			drains++;
		}
		KEXPECT_EQ(t, pcp_count(a, ZONE_DMA32), expected);
		KEXPECT_LE(t, pcp_count(a, ZONE_DMA32), high);
		KEXPECT_TRUE(t, pages[i]->flags & PG_pcp);      /* the hot end is kept */
		KEXPECT_UEQ(t, free_page_count(a), total_free + 1);
		CHECK(t, a);
	}
	KEXPECT_GT(t, drains, 0);
	KEXPECT_UEQ(t, dma32->free_pages + pcp_count(a, ZONE_DMA32), 4096);

	buddy_drain_pcp(&a->buddy);
	CHECK(t, a);
	KEXPECT_EQ(t, pcp_count(a, ZONE_DMA32), 0);
	KEXPECT_EQ(t, pcp_count(a, ZONE_DMA), 0);
	KEXPECT_UEQ(t, dma32->free_pages, 4096);
	expect_counts(t, a, &initial);
	/* Draining empty lists changes nothing. */
	buddy_drain_pcp(&a->buddy);
	CHECK(t, a);
	expect_counts(t, a, &initial);
	arena_destroy(a);
}

KTEST_SUITE_FULL(buddy_pcp, NULL, arena_suite_exit,
		 KTEST_CASE(test_pcp_hot_pair),
		 KTEST_CASE(test_pcp_keeps_zone_order),
		 KTEST_CASE(test_pcp_high_mark_and_drain));
