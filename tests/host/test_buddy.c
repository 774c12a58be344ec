// SPDX-License-Identifier: MIT
/*
 * test_buddy.c: the buddy page allocator (mm/buddy.c, mm/buddy_debug.c),
 * the same code the kernel runs, over simulated physical memory.
 *
 * Every case builds a private instance (struct arena): a page-aligned heap
 * block standing for the frames, a struct page array that starts all
 * PG_reserved as the kernel's memmap does, and buddy_add_range() over the
 * parts that are RAM.  Two layouts exercise the zones:
 *
 *     LOW     frames [0, 8192)            DMA [0, 4096) | DMA32 [4096, 8192)
 *     WINDOW  frames 4 GiB -/+ 8 MiB      DMA32 [0xff800, 0x100000) | NORMAL [0x100000, 0x100800)
 *
 * buddy_check(), the allocator's own validator, runs after every step.
 * The misuse cases capture the printed report and compare the instance
 * byte for byte before and after the refused free.  The last suite is a
 * seeded random run against a shadow model of every frame.
 */
#include <stdlib.h>
#include <string.h>

#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <xorshift.h>

#include "host_support.h"

#define LOW_START 0ull
#define LOW_END 8192ull
#define FOUR_GIB_PFN 0x100000ull
#define WINDOW_START (FOUR_GIB_PFN - 2048)
#define WINDOW_END (FOUR_GIB_PFN + 2048)
#define MAX_BLOCK_PAGES (1ull << MAX_ORDER)

/* ---- private instances -------------------------------------------------- */

#define ARENA_SCRATCH 4

struct arena {
	struct buddy buddy;
	struct page *memmap;
	uint8_t *memory;                /* contents of frame start_pfn */
	uint64_t start_pfn, end_pfn;
	const char *owner;              /* name of the case that made it */
	void *scratch[ARENA_SCRATCH];   /* the case's work arrays, freed with the arena */
};

/*
 * Live instances: those a case abandoned by a failed assertion are freed
 * when another case makes one, or when the suite ends.
 */
#define MAX_ARENAS 4
static struct arena *arenas[MAX_ARENAS];

static void arena_destroy(struct arena *a)
{
	for (int i = 0; i < MAX_ARENAS; i++)
		if (arenas[i] == a)
			arenas[i] = NULL;
	for (int i = 0; i < ARENA_SCRATCH; i++)
		free(a->scratch[i]);
	free(a->memmap);
	free(a->memory);
	free(a);
}

static void destroy_leftover_arenas(void)
{
	for (int i = 0; i < MAX_ARENAS; i++)
		if (arenas[i])
			arena_destroy(arenas[i]);
	host_printk_capture(NULL, 0);
}

/*
 * A fresh instance over frames [@start_pfn, @end_pfn), none added yet.
 * Page poisoning is set before any range is added, as the kernel does.
 */
static struct arena *arena_create(struct ktest *t, uint64_t start_pfn, uint64_t end_pfn,
				  bool poison)
{
	uint64_t frames = end_pfn - start_pfn;
	struct arena *a;
	int slot = 0;

	for (int i = 0; i < MAX_ARENAS; i++)
		if (arenas[i] && arenas[i]->owner != t->name)
			arena_destroy(arenas[i]);
	a = calloc(1, sizeof(*a));
	KASSERT_NOT_NULL(t, a);
	while (slot < MAX_ARENAS && arenas[slot])
		slot++;
	if (slot == MAX_ARENAS) {
		free(a);
		ktest_abort("too many arenas alive");
	}
	arenas[slot] = a;
	a->owner = t->name;
	a->start_pfn = start_pfn;
	a->end_pfn = end_pfn;
	a->memmap = malloc(frames * sizeof(struct page));
	a->memory = aligned_alloc(PAGE_SIZE, frames * PAGE_SIZE);
	KASSERT_NOT_NULL(t, a->memmap);
	KASSERT_NOT_NULL(t, a->memory);
	for (uint64_t i = 0; i < frames; i++)
		a->memmap[i] = (struct page){ .flags = PG_reserved };
	buddy_init(&a->buddy, a->memmap, start_pfn, end_pfn,
		   (uintptr_t)a->memory - start_pfn * PAGE_SIZE);
	a->buddy.poison = poison;
	return a;
}

/* An instance with every frame of [@start_pfn, @end_pfn) added. */
static struct arena *arena_create_full(struct ktest *t, uint64_t start_pfn, uint64_t end_pfn)
{
	struct arena *a = arena_create(t, start_pfn, end_pfn, false);

	KASSERT_UEQ(t, buddy_add_range(&a->buddy, start_pfn, end_pfn), end_pfn - start_pfn);
	return a;
}

/* A zeroed work array of @count elements of @size, freed with @a. */
static void *arena_scratch(struct ktest *t, struct arena *a, size_t count, size_t size)
{
	int slot = 0;

	while (slot < ARENA_SCRATCH && a->scratch[slot])
		slot++;
	if (slot == ARENA_SCRATCH)
		ktest_abort("too many work arrays");
	a->scratch[slot] = calloc(count, size);
	KASSERT_NOT_NULL(t, a->scratch[slot]);
	return a->scratch[slot];
}

#define CHECK(t, a) KASSERT_STREQ(t, buddy_check(&(a)->buddy), NULL)

static struct page *page_of(struct arena *a, uint64_t pfn)
{
	return buddy_pfn_to_page(&a->buddy, pfn);
}

static uint64_t pfn_of(struct arena *a, const struct page *page)
{
	return buddy_page_to_pfn(&a->buddy, page);
}

static uint8_t *contents_of(struct arena *a, const struct page *page)
{
	return buddy_page_address(&a->buddy, page);
}

static int zone_index(struct arena *a, const struct page *page)
{
	return (int)(buddy_page_zone(&a->buddy, page) - a->buddy.zones);
}

/* The zone of frame @pfn by the documented boundaries (16 MiB, 4 GiB). */
static int expected_zone(uint64_t pfn)
{
	return pfn < 4096 ? ZONE_DMA : pfn < FOUR_GIB_PFN ? ZONE_DMA32 : ZONE_NORMAL;
}

static struct page *arena_alloc(struct arena *a, gfp_t gfp, unsigned int order)
{
	return buddy_alloc(&a->buddy, gfp, order, __builtin_return_address(0));
}

static bool arena_free(struct arena *a, struct page *page, unsigned int order)
{
	return buddy_free(&a->buddy, page, order, __builtin_return_address(0));
}

static uint64_t free_page_count(struct arena *a)
{
	return buddy_free_pages(&a->buddy);
}

/* Free blocks per zone per order, as /proc/buddyinfo shows them. */
struct free_counts {
	uint64_t blocks[NR_ZONES][NR_ORDERS];
};

static struct free_counts free_counts(struct arena *a)
{
	struct free_counts counts;

	for (int z = 0; z < NR_ZONES; z++)
		for (int o = 0; o < NR_ORDERS; o++)
			counts.blocks[z][o] = a->buddy.zones[z].free_area[o].count;
	return counts;
}

static void expect_counts(struct ktest *t, struct arena *a, const struct free_counts *expected)
{
	struct free_counts now = free_counts(a);

	for (int z = 0; z < NR_ZONES; z++)
		for (int o = 0; o < NR_ORDERS; o++)
			if (now.blocks[z][o] != expected->blocks[z][o]) {
				printk("        # zone %d order %d:\n", z, o);
				KEXPECT_UEQ(t, now.blocks[z][o], expected->blocks[z][o]);
			}
}

static unsigned int pcp_count(struct arena *a, int zone)
{
	return a->buddy.zones[zone].pcp[0].count;
}

/* Free every block of @pages (all of @order) and empty the per-CPU lists. */
static void free_all(struct ktest *t, struct arena *a, struct page **pages, size_t count,
		     unsigned int order)
{
	for (size_t i = count; i-- > 0;)
		KASSERT_TRUE(t, arena_free(a, pages[i], order));
	buddy_drain_pcp(&a->buddy);
	CHECK(t, a);
}

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
	KEXPECT_EQ(t, page->refcount, 1);
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

struct pfn_range {
	uint64_t start, end;
};

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
		failures_before = a->buddy.stats.failures;
		capture_start();
		KEXPECT_NULL(t, arena_alloc(a, GFP_KERNEL, 0));
		capture_stop();
		KEXPECT_UEQ(t, a->buddy.stats.failures, failures_before + 1);
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
	KEXPECT_UEQ(t, a->buddy.stats.allocations, a->buddy.stats.frees);
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
	KEXPECT_UEQ(t, a->buddy.stats.failures, 2);
	KEXPECT_UEQ(t, free_page_count(a), MAX_BLOCK_PAGES);
	CHECK(t, a);
	arena_destroy(a);
}

/* ---- zones -------------------------------------------------------------- */

struct fallback_case {
	const char *name;
	uint64_t start_pfn, end_pfn;
	gfp_t gfp;
	unsigned int order;
	uint64_t pages[NR_ZONES];       /* pages each zone gives before the first NULL */
};

static const struct fallback_case fallback_cases[] = {
	{ "low GFP_KERNEL", LOW_START, LOW_END, GFP_KERNEL, 0, { 4096, 4096, 0 } },
	{ "low GFP_KERNEL order 3", LOW_START, LOW_END, GFP_KERNEL, 3, { 4096, 4096, 0 } },
	{ "low GFP_ATOMIC", LOW_START, LOW_END, GFP_ATOMIC, 0, { 4096, 4096, 0 } },
	{ "low GFP_DMA32", LOW_START, LOW_END, GFP_DMA32, 0, { 4096, 4096, 0 } },
	{ "low GFP_DMA", LOW_START, LOW_END, GFP_DMA, 0, { 4096, 0, 0 } },
	{ "low GFP_DMA order 10", LOW_START, LOW_END, GFP_DMA, MAX_ORDER, { 4096, 0, 0 } },
	{ "window GFP_KERNEL", WINDOW_START, WINDOW_END, GFP_KERNEL, 0, { 0, 2048, 2048 } },
	{ "window GFP_KERNEL order 5", WINDOW_START, WINDOW_END, GFP_KERNEL, 5, { 0, 2048, 2048 } },
	{ "window GFP_DMA32", WINDOW_START, WINDOW_END, GFP_DMA32, 0, { 0, 2048, 0 } },
	{ "window GFP_DMA32 order 10", WINDOW_START, WINDOW_END, GFP_DMA32, MAX_ORDER, { 0, 2048, 0 } },
	{ "window GFP_DMA", WINDOW_START, WINDOW_END, GFP_DMA, 0, { 0, 0, 0 } },
};

/*
 * Fallback goes NORMAL -> DMA32 -> DMA, never upward: a zone is used only
 * when the higher ones allowed are exhausted, and the zones above the
 * highest allowed are never touched.
 */
static void test_zone_fallback(struct ktest *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(fallback_cases); i++) {
		const struct fallback_case *c = &fallback_cases[i];
		struct arena *a = arena_create_full(t, c->start_pfn, c->end_pfn);
		uint64_t taken[NR_ZONES] = { 0 };
		struct page **pages = arena_scratch(t, a, c->end_pfn - c->start_pfn, sizeof(*pages));
		size_t count = 0;
		int previous_zone = NR_ZONES;
		struct page *page;

		printk("        # %s\n", c->name);
		while ((page = arena_alloc(a, c->gfp | __GFP_NOWARN, c->order)) != NULL) {
			int zone = zone_index(a, page);

			pages[count++] = page;
			taken[zone] += 1ull << c->order;
			KEXPECT_LE(t, zone, previous_zone);
			previous_zone = zone;
		}
		CHECK(t, a);
		for (int z = 0; z < NR_ZONES; z++) {
			KEXPECT_UEQ(t, taken[z], c->pages[z]);
			if (!c->pages[z])
				KEXPECT_UEQ(t, a->buddy.zones[z].free_pages, a->buddy.zones[z].managed_pages);
		}
		free_all(t, a, pages, count, c->order);
		KEXPECT_UEQ(t, free_page_count(a), c->end_pfn - c->start_pfn);
		arena_destroy(a);
	}
}

/* ---- watermarks --------------------------------------------------------- */

struct watermark_case {
	uint64_t start_pfn, end_pfn;
	int zone;
	uint64_t min, low, high;
	unsigned int batch, pcp_high;
};

/*
 * min_free_kbytes = sqrt(16 * RAM in KiB), clamped to 128 KiB .. 256 MiB,
 * split among zones by size; gap = max(min / 4, zone / 1000), low = min + gap,
 * high = low + gap;
 * per-CPU batch = zone / 1024 in 1..63, high = low / 4 in batch..6 * batch.
 */
static const struct watermark_case watermark_cases[] = {
	/* 256 KiB: sqrt(4096) = 64 KiB, clamped to 128 KiB = 32 pages. */
	{ 0, 64, ZONE_DMA, 32, 40, 48, 1, 6 },
	/* 1 MiB: sqrt(16384) = 128 KiB = 32 pages. */
	{ 0, 256, ZONE_DMA, 32, 40, 48, 1, 6 },
	/* 4 MiB: sqrt(65536) = 256 KiB = 64 pages. */
	{ 0, 1024, ZONE_DMA, 64, 80, 96, 1, 6 },
	/* 16 MiB: sqrt(262144) = 512 KiB = 128 pages. */
	{ 0, 4096, ZONE_DMA, 128, 160, 192, 4, 24 },
	/* 32 MiB: sqrt(524288) = 724 KiB = 181 pages, half to each zone. */
	{ LOW_START, LOW_END, ZONE_DMA, 90, 112, 134, 4, 24 },
	{ LOW_START, LOW_END, ZONE_DMA32, 90, 112, 134, 4, 24 },
	/* 16 MiB around 4 GiB: 128 pages, half to each zone. */
	{ WINDOW_START, WINDOW_END, ZONE_DMA32, 64, 80, 96, 2, 12 },
	{ WINDOW_START, WINDOW_END, ZONE_NORMAL, 64, 80, 96, 2, 12 },
	/* 256 MiB: sqrt(4194304) = 2048 KiB = 512 pages: 1/16 to DMA, 15/16 to DMA32. */
	{ 0, 65536, ZONE_DMA, 32, 40, 48, 4, 10 },
	{ 0, 65536, ZONE_DMA32, 480, 600, 720, 60, 150 },
};

static void test_watermark_formula(struct ktest *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(watermark_cases); i++) {
		const struct watermark_case *c = &watermark_cases[i];
		struct arena *a = arena_create_full(t, c->start_pfn, c->end_pfn);
		struct zone *zone = &a->buddy.zones[c->zone];

		buddy_setup_watermarks(&a->buddy);
		printk("        # %llu frames, zone %s\n",
		       (unsigned long long)(c->end_pfn - c->start_pfn), zone->name);
		KEXPECT_UEQ(t, zone->watermark_min, c->min);
		KEXPECT_UEQ(t, zone->watermark_low, c->low);
		KEXPECT_UEQ(t, zone->watermark_high, c->high);
		KEXPECT_EQ(t, zone->pcp[0].batch, c->batch);
		KEXPECT_EQ(t, zone->pcp[0].high, c->pcp_high);
		CHECK(t, a);
		arena_destroy(a);
	}
}

static struct arena *nofail_arena;

static void allocate_past_the_last_page(struct ktest *t)
{
	capture_start();
	arena_alloc(nofail_arena, GFP_KERNEL | __GFP_NOFAIL, 0);
	KEXPECT_TRUE(t, false);         /* not reached: the allocation panics */
}

/*
 * One 4 MiB zone, min 64: GFP_KERNEL stops at min, __GFP_HIGH at half of
 * it (32), GFP_ATOMIC a quarter lower still (24), __GFP_NOFAIL takes the
 * last page and panics after that.
 */
static void test_watermark_reserves(struct ktest *t)
{
	static const struct {
		const char *name;
		gfp_t gfp;
		uint64_t free_after;    /* the zone's free pages once it fails */
	} steps[] = {
		{ "GFP_KERNEL", GFP_KERNEL, 64 },
		{ "GFP_NOWAIT", GFP_NOWAIT, 64 },
		{ "GFP_KERNEL | __GFP_HIGH", GFP_KERNEL | __GFP_HIGH, 32 },
		{ "GFP_ATOMIC", GFP_ATOMIC, 24 },
		{ "GFP_KERNEL | __GFP_NOFAIL", GFP_KERNEL | __GFP_NOFAIL, 0 },
	};
	static const struct ktest_case past_the_last = KTEST_CASE(allocate_past_the_last_page);
	struct arena *a = arena_create_full(t, 0, 1024);
	struct zone *zone = &a->buddy.zones[ZONE_DMA];
	struct page **pages = arena_scratch(t, a, 1024, sizeof(*pages));
	struct free_counts initial = free_counts(a);
	struct ktest nested;
	const char *reason;
	size_t count = 0;
	struct page *page;

	buddy_setup_watermarks(&a->buddy);
	KASSERT_UEQ(t, zone->watermark_min, 64);
	KASSERT_UEQ(t, zone->watermark_low, 80);
	KASSERT_EQ(t, zone->pcp[0].batch, 1);
	for (size_t s = 0; s < ARRAY_SIZE(steps); s++) {
		uint64_t failures = a->buddy.stats.failures;

		printk("        # %s\n", steps[s].name);
		/* Until it fails; __GFP_NOFAIL, which may not fail, until nothing is left. */
		while (zone->free_pages &&
		       (page = arena_alloc(a, steps[s].gfp | __GFP_NOWARN, 0)) != NULL) {
			KASSERT_ULT(t, count, 1024);
			pages[count++] = page;
		}
		CHECK(t, a);
		KEXPECT_UEQ(t, zone->free_pages, steps[s].free_after);
		KEXPECT_UEQ(t, free_page_count(a), steps[s].free_after);
		KEXPECT_UEQ(t, a->buddy.stats.failures,
			    failures + (steps[s].gfp & __GFP_NOFAIL ? 0 : 1));
	}
	KEXPECT_EQ(t, count, 1024);

	/* With nothing left, __GFP_NOFAIL has no way out: an OOM capture_text(), then panic. */
	nofail_arena = a;
	ktest_run_nested(&past_the_last, &nested, &reason);
	capture_stop();
	KEXPECT_STREQ(t, reason, "panic");
	KEXPECT_REPORTED(t, "__GFP_NOFAIL allocation impossible: order:0");
	CHECK(t, a);

	free_all(t, a, pages, count, 0);
	expect_counts(t, a, &initial);
	arena_destroy(a);
}

/*
 * Two zones, min 90, low 112 each; order 1 (no per-CPU lists): GFP_KERNEL
 * takes DMA32 down to low, then DMA to low, then DMA32 to min, then DMA to
 * min, then fails.
 */
static void test_watermark_fallback(struct ktest *t)
{
	static const struct {
		int zone;
		uint64_t blocks;
	} expected_runs[] = {
		{ ZONE_DMA32, (4096 - 112) / 2 },
		{ ZONE_DMA, (4096 - 112) / 2 },
		{ ZONE_DMA32, (112 - 90) / 2 },
		{ ZONE_DMA, (112 - 90) / 2 },
	};
	struct arena *a = arena_create_full(t, LOW_START, LOW_END);
	struct free_counts initial = free_counts(a);
	struct page **pages = arena_scratch(t, a, LOW_END, sizeof(*pages));
	size_t count = 0, run = 0;
	uint64_t run_length = 0;
	int run_zone = -1;
	struct page *page;

	buddy_setup_watermarks(&a->buddy);
	while ((page = arena_alloc(a, GFP_KERNEL | __GFP_NOWARN, 1)) != NULL) {
		pages[count++] = page;
		if (zone_index(a, page) == run_zone) {
			run_length++;
			continue;
		}
		if (run_zone >= 0) {
			KASSERT_ULT(t, run, ARRAY_SIZE(expected_runs));
			KEXPECT_EQ(t, run_zone, expected_runs[run].zone);
			KEXPECT_UEQ(t, run_length, expected_runs[run].blocks);
			run++;
		}
		run_zone = zone_index(a, page);
		run_length = 1;
	}
	KASSERT_EQ(t, run, ARRAY_SIZE(expected_runs) - 1);
	KEXPECT_EQ(t, run_zone, expected_runs[run].zone);
	KEXPECT_UEQ(t, run_length, expected_runs[run].blocks);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA].free_pages, 90);
	KEXPECT_UEQ(t, a->buddy.zones[ZONE_DMA32].free_pages, 90);
	CHECK(t, a);
	free_all(t, a, pages, count, 1);
	expect_counts(t, a, &initial);

	/*
	 * Order 0 refills the per-CPU list a batch at a time after one
	 * watermark check, so a zone may end up to batch - 1 pages below min
	 * (as in Linux); never further.
	 */
	count = 0;
	while ((page = arena_alloc(a, GFP_KERNEL | __GFP_NOWARN, 0)) != NULL)
		pages[count++] = page;
	CHECK(t, a);
	for (int z = ZONE_DMA; z <= ZONE_DMA32; z++) {
		struct zone *zone = &a->buddy.zones[z];

		KEXPECT_ULE(t, zone->free_pages + zone->pcp[0].count, zone->watermark_min);
		KEXPECT_UGT(t, zone->free_pages + zone->pcp[0].batch, zone->watermark_min);
	}
	free_all(t, a, pages, count, 0);
	expect_counts(t, a, &initial);
	arena_destroy(a);
}

/* ---- per-CPU lists ------------------------------------------------------ */

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

/* ---- wrong frees -------------------------------------------------------- */

/*
 * The misuse arena: frames [0, 2048) of which [0, 1024) are RAM, with
 * watermarks set (so freed order-0 pages stay on the per-CPU list).
 */
#define MISUSE_HOLE_PFN 1200

struct misuse {
	struct page *page;              /* what is wrongly freed */
	unsigned int order;
	struct page *held[4];           /* blocks set up, freed properly afterwards */
	unsigned int held_order[4];
	unsigned int held_count;
};

static void hold(struct ktest *t, struct arena *a, struct misuse *m, gfp_t gfp, unsigned int order)
{
	struct page *page = arena_alloc(a, gfp, order);

	KASSERT_NOT_NULL(t, page);
	m->held[m->held_count] = page;
	m->held_order[m->held_count++] = order;
}

static void setup_double_free_pcp(struct ktest *t, struct arena *a, struct misuse *m)
{
	m->page = arena_alloc(a, GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, m->page);
	KASSERT_TRUE(t, arena_free(a, m->page, 0));
	KASSERT_TRUE(t, m->page->flags & PG_pcp);
	m->order = 0;
}

static void setup_double_free_buddy(struct ktest *t, struct arena *a, struct misuse *m)
{
	m->page = arena_alloc(a, GFP_KERNEL, 3);
	KASSERT_NOT_NULL(t, m->page);
	hold(t, a, m, GFP_KERNEL, 3);    /* its buddy, so the freed block stays order 3 */
	KASSERT_UEQ(t, pfn_of(a, m->held[0]), pfn_of(a, m->page) ^ 8);
	KASSERT_TRUE(t, arena_free(a, m->page, 3));
	KASSERT_TRUE(t, m->page->flags & PG_buddy);
	KASSERT_UEQ(t, m->page->private, 3);
	m->order = 3;
}

static void setup_double_free_compound(struct ktest *t, struct arena *a, struct misuse *m)
{
	m->page = arena_alloc(a, GFP_KERNEL | __GFP_COMP, 2);
	KASSERT_NOT_NULL(t, m->page);
	KASSERT_TRUE(t, arena_free(a, m->page, 2));
	m->order = 2;
}

static void setup_order_too_small(struct ktest *t, struct arena *a, struct misuse *m)
{
	hold(t, a, m, GFP_KERNEL, 2);
	m->page = m->held[0];
	m->order = 1;
}

static void setup_order_too_large(struct ktest *t, struct arena *a, struct misuse *m)
{
	hold(t, a, m, GFP_KERNEL, 2);
	m->page = m->held[0];
	m->order = 3;
}

static void setup_tail_page(struct ktest *t, struct arena *a, struct misuse *m)
{
	hold(t, a, m, GFP_KERNEL | __GFP_COMP, 3);
	m->page = m->held[0] + 1;
	m->order = 0;
}

static void setup_tail_half(struct ktest *t, struct arena *a, struct misuse *m)
{
	hold(t, a, m, GFP_KERNEL | __GFP_COMP, 3);
	m->page = m->held[0] + 4;
	m->order = 2;
}

static void setup_inside_block(struct ktest *t, struct arena *a, struct misuse *m)
{
	hold(t, a, m, GFP_KERNEL, 3);
	m->page = m->held[0] + 2;
	m->order = 0;
}

static void setup_inside_block_aligned(struct ktest *t, struct arena *a, struct misuse *m)
{
	hold(t, a, m, GFP_KERNEL, 4);
	m->page = m->held[0] + 8;
	m->order = 3;
}

static void setup_reserved(struct ktest *t, struct arena *a, struct misuse *m)
{
	m->page = page_of(a, MISUSE_HOLE_PFN);
	KASSERT_TRUE(t, m->page->flags & PG_reserved);
	m->order = 0;
}

static void setup_never_allocated(struct ktest *t, struct arena *a, struct misuse *m)
{
	m->page = page_of(a, 700);
	m->order = 0;
}

static void setup_order_above_max(struct ktest *t, struct arena *a, struct misuse *m)
{
	hold(t, a, m, GFP_KERNEL, 0);
	m->page = m->held[0];
	m->order = MAX_ORDER + 1;
}

static void setup_order_huge(struct ktest *t, struct arena *a, struct misuse *m)
{
	hold(t, a, m, GFP_KERNEL, 0);
	m->page = m->held[0];
	m->order = 64;
}

/* What a put_page() imbalance leaves behind: an allocated page with no reference. */
static void setup_refcount_zero(struct ktest *t, struct arena *a, struct misuse *m)
{
	hold(t, a, m, GFP_KERNEL, 1);
	m->page = m->held[0];
	m->page->refcount = 0;
	m->order = 1;
}

static void undo_refcount_zero(struct misuse *m)
{
	m->page->refcount = 1;
}

static void setup_outside_memmap(struct ktest *t, struct arena *a, struct misuse *m)
{
	m->page = a->memmap + (a->end_pfn - a->start_pfn);
	m->order = 0;
}

static const struct bad_free_case {
	const char *name;
	void (*setup)(struct ktest *t, struct arena *a, struct misuse *m);
	void (*undo)(struct misuse *m);
	const char *report;             /* expected in the printed report */
} bad_free_cases[] = {
	{ "double free, order 0 on a per-CPU list", setup_double_free_pcp, NULL,
	  "double free (the page is already free): pfn 0x" },
	{ "double free, order 3 in a free list", setup_double_free_buddy, NULL,
	  "double free (the page is already free): pfn 0x0 order 3" },
	{ "double free of a compound block", setup_double_free_compound, NULL,
	  "double free (the page is already free)" },
	{ "order too small", setup_order_too_small, NULL,
	  "free with the wrong order: pfn 0x0 order 1 (called from 0x" },
	{ "order too large", setup_order_too_large, NULL,
	  "the block was allocated with order 2, refcount 1" },
	{ "tail page of a compound block", setup_tail_page, NULL,
	  "free of a tail page of a compound block: pfn 0x1 order 0" },
	{ "upper half of a compound block", setup_tail_half, NULL,
	  "free of a tail page of a compound block: pfn 0x4 order 2" },
	{ "page inside a block", setup_inside_block, NULL,
	  "free of a page inside a block (not its first page): pfn 0x2 order 0" },
	{ "aligned half inside a block", setup_inside_block_aligned, NULL,
	  "it lies in the order-4 block at pfn 0x0" },
	{ "reserved page (never added)", setup_reserved, NULL,
	  "free of a reserved page: pfn 0x4b0 order 0" },
	{ "page never allocated", setup_never_allocated, NULL,
	  "free of a page that was never allocated: pfn 0x2bc order 0" },
	{ "order MAX_ORDER + 1", setup_order_above_max, NULL, "order above MAX_ORDER: pfn 0x0 order 11" },
	{ "order 64", setup_order_huge, NULL, "order above MAX_ORDER: pfn 0x0 order 64" },
	{ "refcount already 0", setup_refcount_zero, undo_refcount_zero,
	  "free of a page with no reference left: pfn 0x0 order 1" },
	{ "page outside the memmap", setup_outside_memmap, NULL, "page outside the memory map" },
};

/*
 * Each wrong free returns false, counts in stats.bad_frees, prints its
 * report and changes nothing else -- the instance and the memmap are
 * compared byte for byte -- and the allocator works on afterwards.
 */
static void test_bad_frees(struct ktest *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_free_cases); i++) {
		const struct bad_free_case *c = &bad_free_cases[i];
		struct arena *a = arena_create(t, 0, 2048, false);
		size_t memmap_bytes = 2048 * sizeof(struct page);
		struct page *memmap_before = arena_scratch(t, a, 1, memmap_bytes);
		struct buddy *buddy_before = arena_scratch(t, a, 1, sizeof(*buddy_before));
		struct misuse m = { 0 };
		struct free_counts initial;
		struct page *page;
		bool freed;

		printk("        # %s\n", c->name);
		buddy_add_range(&a->buddy, 0, 1024);
		buddy_setup_watermarks(&a->buddy);
		initial = free_counts(a);
		CHECK(t, a);
		c->setup(t, a, &m);
		CHECK(t, a);

		memcpy(memmap_before, a->memmap, memmap_bytes);
		memcpy(buddy_before, &a->buddy, sizeof(*buddy_before));
		capture_start();
		freed = arena_free(a, m.page, m.order);
		capture_stop();
		KEXPECT_FALSE(t, freed);
		KEXPECT_UEQ(t, a->buddy.stats.bad_frees, buddy_before->stats.bad_frees + 1);
		buddy_before->stats.bad_frees++;
		KEXPECT_EQ(t, memcmp(buddy_before, &a->buddy, sizeof(*buddy_before)), 0);
		KEXPECT_EQ(t, memcmp(memmap_before, a->memmap, memmap_bytes), 0);
		KEXPECT_REPORTED(t, "page allocator: ");
		KEXPECT_REPORTED(t, c->report);
		CHECK(t, a);

		/* The allocator works on, and everything still coalesces back. */
		if (c->undo)
			c->undo(&m);
		for (unsigned int h = 0; h < m.held_count; h++) {
			KASSERT_TRUE(t, arena_free(a, m.held[h], m.held_order[h]));
			CHECK(t, a);
		}
		for (unsigned int order = 0; order <= 3; order++) {
			page = arena_alloc(a, GFP_KERNEL, order);
			KASSERT_NOT_NULL(t, page);
			CHECK(t, a);
			KASSERT_TRUE(t, arena_free(a, page, order));
			CHECK(t, a);
		}
		buddy_drain_pcp(&a->buddy);
		CHECK(t, a);
		expect_counts(t, a, &initial);
		KEXPECT_UEQ(t, free_page_count(a), 1024);
		KEXPECT_UEQ(t, a->buddy.stats.bad_frees, 1);
		arena_destroy(a);
	}
}

/* ---- gfp actions, compound pages, references ---------------------------- */

static bool all_bytes(const uint8_t *bytes, size_t size, uint8_t value)
{
	for (size_t i = 0; i < size; i++)
		if (bytes[i] != value)
			return false;
	return true;
}

static void test_gfp_zero(struct ktest *t)
{
	struct arena *a = arena_create_full(t, 0, 64);
	struct page *zeroed, *plain, *single;

	memset(a->memory, 0x5a, 64 * PAGE_SIZE);
	zeroed = arena_alloc(a, GFP_KERNEL | __GFP_ZERO, 2);
	plain = arena_alloc(a, GFP_KERNEL, 2);
	single = arena_alloc(a, GFP_KERNEL | __GFP_ZERO, 0);
	KASSERT_NOT_NULL(t, zeroed);
	KASSERT_NOT_NULL(t, plain);
	KASSERT_NOT_NULL(t, single);
	CHECK(t, a);
	KEXPECT_TRUE(t, all_bytes(contents_of(a, zeroed), 4 * PAGE_SIZE, 0));
	KEXPECT_TRUE(t, all_bytes(contents_of(a, single), PAGE_SIZE, 0));
	/* Without __GFP_ZERO the contents are left alone. */
	KEXPECT_TRUE(t, all_bytes(contents_of(a, plain), 4 * PAGE_SIZE, 0x5a));
	KASSERT_TRUE(t, arena_free(a, zeroed, 2));
	KASSERT_TRUE(t, arena_free(a, plain, 2));
	KASSERT_TRUE(t, arena_free(a, single, 0));
	buddy_drain_pcp(&a->buddy);
	CHECK(t, a);
	KEXPECT_UEQ(t, free_page_count(a), 64);
	arena_destroy(a);
}

static void test_compound_pages(struct ktest *t)
{
	struct arena *a = arena_create_full(t, 0, 64);
	struct page *head = arena_alloc(a, GFP_KERNEL | __GFP_COMP, 3);
	struct page *plain, *single;

	KASSERT_NOT_NULL(t, head);
	CHECK(t, a);
	KEXPECT_UEQ(t, head->flags & ~PAGE_ZONE_MASK, PG_head | PG_compound);
	KEXPECT_PTR_EQ(t, compound_head(head), head);
	for (int i = 1; i < 8; i++) {
		KEXPECT_UEQ(t, head[i].flags & ~PAGE_ZONE_MASK, PG_tail);
		KEXPECT_PTR_EQ(t, compound_head(&head[i]), head);
	}

	/* A second reference (get_page) keeps the block through one free. */
	head->refcount++;
	KEXPECT_TRUE(t, arena_free(a, head, 3));
	CHECK(t, a);
	KEXPECT_EQ(t, head->refcount, 1);
	KEXPECT_TRUE(t, head->flags & PG_head);
	KEXPECT_PTR_EQ(t, compound_head(&head[7]), head);
	KEXPECT_UEQ(t, free_page_count(a), 64 - 8);
	KEXPECT_TRUE(t, arena_free(a, head, 3));
	CHECK(t, a);
	KEXPECT_UEQ(t, free_page_count(a), 64);
	for (int i = 0; i < 8; i++)
		KEXPECT_FALSE(t, head[i].flags & (PG_head | PG_compound | PG_tail));

	/* Without __GFP_COMP, or at order 0, there are no tails. */
	plain = arena_alloc(a, GFP_KERNEL, 3);
	single = arena_alloc(a, GFP_KERNEL | __GFP_COMP, 0);
	KASSERT_NOT_NULL(t, plain);
	KASSERT_NOT_NULL(t, single);
	CHECK(t, a);
	KEXPECT_UEQ(t, plain->flags & ~PAGE_ZONE_MASK, PG_head);
	KEXPECT_UEQ(t, single->flags & ~PAGE_ZONE_MASK, PG_head);
	for (int i = 1; i < 8; i++) {
		KEXPECT_FALSE(t, plain[i].flags & PG_tail);
		KEXPECT_PTR_EQ(t, compound_head(&plain[i]), &plain[i]);
	}
	KASSERT_TRUE(t, arena_free(a, plain, 3));
	KASSERT_TRUE(t, arena_free(a, single, 0));
	buddy_drain_pcp(&a->buddy);
	CHECK(t, a);
	KEXPECT_UEQ(t, free_page_count(a), 64);
	KEXPECT_UEQ(t, a->buddy.stats.bad_frees, 0);
	arena_destroy(a);
}

/* ---- page poisoning ----------------------------------------------------- */

static void test_poison_catches_write_after_free(struct ktest *t)
{
	struct arena *a = arena_create(t, 0, 8, true);
	struct page *page, *again, *rest[7], *block;
	uint8_t *bytes;

	KASSERT_UEQ(t, buddy_add_range(&a->buddy, 0, 8), 8);
	CHECK(t, a);
	/* Added frames are poisoned. */
	KEXPECT_TRUE(t, all_bytes(a->memory, 8 * PAGE_SIZE, PAGE_POISON));
	for (int i = 0; i < 8; i++)
		KEXPECT_TRUE(t, a->memmap[i].flags & PG_poisoned);

	/* Untouched pages pass, and come back still holding the poison. */
	page = arena_alloc(a, GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, page);
	CHECK(t, a);
	KEXPECT_UEQ(t, a->buddy.stats.poison_errors, 0);
	KEXPECT_FALSE(t, page->flags & PG_poisoned);
	bytes = contents_of(a, page);
	KEXPECT_TRUE(t, all_bytes(bytes, PAGE_SIZE, PAGE_POISON));
	memset(bytes, 0x11, PAGE_SIZE);
	KASSERT_TRUE(t, arena_free(a, page, 0));
	CHECK(t, a);
	KEXPECT_TRUE(t, all_bytes(bytes, PAGE_SIZE, PAGE_POISON));
	KEXPECT_TRUE(t, page->flags & PG_poisoned);

	/* A write after the free is reported when the page is handed out again. */
	bytes[0x123] = 0x11;
	capture_start();
	again = arena_alloc(a, GFP_KERNEL, 0);
	capture_stop();
	KASSERT_UEQ(t, (uintptr_t)(again), (uintptr_t)page);
	CHECK(t, a);
	KEXPECT_UEQ(t, a->buddy.stats.poison_errors, 1);
	KEXPECT_REPORTED(t, "page poison: free page at 0x");
	KEXPECT_REPORTED(t, "(pfn 0x0) was written at offset 0x123: found 0x11, expected 0xaa");

	/* The other pages were untouched: no more reports. */
	capture_start();
	for (int i = 0; i < 7; i++) {
		rest[i] = arena_alloc(a, GFP_KERNEL, 0);
		KASSERT_NOT_NULL(t, rest[i]);
	}
	capture_stop();
	KEXPECT_STREQ(t, capture_text(), "");
	KEXPECT_UEQ(t, a->buddy.stats.poison_errors, 1);
	KASSERT_TRUE(t, arena_free(a, again, 0));
	for (int i = 0; i < 7; i++)
		KASSERT_TRUE(t, arena_free(a, rest[i], 0));
	buddy_drain_pcp(&a->buddy);
	CHECK(t, a);

	/* A write into the third page of a free order-3 block. */
	block = arena_alloc(a, GFP_KERNEL, 3);
	KASSERT_NOT_NULL(t, block);
	KASSERT_TRUE(t, arena_free(a, block, 3));
	contents_of(a, &block[2])[PAGE_SIZE - 1] = 0;
	capture_start();
	KASSERT_UEQ(t, (uintptr_t)(arena_alloc(a, GFP_KERNEL | __GFP_ZERO, 3)), (uintptr_t)block);
	capture_stop();
	CHECK(t, a);
	KEXPECT_UEQ(t, a->buddy.stats.poison_errors, 2);
	KEXPECT_REPORTED(t, "(pfn 0x2) was written at offset 0xfff: found 0x00, expected 0xaa");
	/* __GFP_ZERO still zeroes a poisoned block. */
	KEXPECT_TRUE(t, all_bytes(contents_of(a, block), 8 * PAGE_SIZE, 0));
	KASSERT_TRUE(t, arena_free(a, block, 3));
	CHECK(t, a);
	KEXPECT_UEQ(t, free_page_count(a), 8);
	arena_destroy(a);
}

/* ---- bulk allocation ---------------------------------------------------- */

static void test_alloc_bulk(struct ktest *t)
{
	struct arena *a = arena_create_full(t, 0, 64);
	struct free_counts initial = free_counts(a);
	struct page *first[16] = { 0 }, *second[64] = { 0 };
	struct page *kept3, *kept7;
	size_t filled;

	kept3 = first[3] = arena_alloc(a, GFP_KERNEL, 0);
	kept7 = first[7] = arena_alloc(a, GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, kept3);
	KASSERT_NOT_NULL(t, kept7);
	KEXPECT_EQ(t, buddy_alloc_bulk(&a->buddy, GFP_KERNEL, 16, first), 16);
	CHECK(t, a);
	KEXPECT_PTR_EQ(t, first[3], kept3);
	KEXPECT_PTR_EQ(t, first[7], kept7);
	for (int i = 0; i < 16; i++) {
		KASSERT_NOT_NULL(t, first[i]);
		KEXPECT_EQ(t, first[i]->refcount, 1);
		for (int j = 0; j < i; j++)
			KEXPECT_PTR_NE(t, first[i], first[j]);
	}
	KEXPECT_UEQ(t, free_page_count(a), 64 - 16);

	/*
	 * 48 pages left for slots 0..4 and 6..63 (slot 5 is taken): filling
	 * stops at the first slot it cannot fill, and the count is that slot.
	 */
	second[5] = first[0];
	first[0] = NULL;
	capture_start();
	filled = buddy_alloc_bulk(&a->buddy, GFP_KERNEL, 64, second);
	capture_stop();
	KEXPECT_EQ(t, filled, 49);
	KEXPECT_STREQ(t, capture_text(), "");
	CHECK(t, a);
	KEXPECT_UEQ(t, free_page_count(a), 0);
	for (int i = 0; i < 64; i++)
		if (i < 49)
			KEXPECT_NOT_NULL(t, second[i]);
		else
			KEXPECT_NULL(t, second[i]);
	for (int i = 1; i < 16; i++)
		KASSERT_TRUE(t, arena_free(a, first[i], 0));
	for (int i = 0; i < 49; i++)
		KASSERT_TRUE(t, arena_free(a, second[i], 0));
	buddy_drain_pcp(&a->buddy);
	CHECK(t, a);
	expect_counts(t, a, &initial);
	arena_destroy(a);
}

/* ---- random stress against a shadow model ------------------------------- */

#define STRESS_OPERATIONS 200000
#define STRESS_CHECK_EVERY 100

static uint64_t xorshift_state;

static uint64_t random_next(void)
{
	return xorshift64(&xorshift_state);
}

static uint64_t random_below(uint64_t bound)
{
	return random_next() % bound;
}

/* Order weights: mostly small blocks, every order up to MAX_ORDER now and then. */
static const unsigned int order_weights[NR_ORDERS] = { 40, 14, 9, 6, 4, 3, 2, 1, 1, 1, 1 };

static unsigned int random_order(void)
{
	unsigned int total = 0, pick;

	for (int o = 0; o < NR_ORDERS; o++)
		total += order_weights[o];
	pick = (unsigned int)random_below(total);
	for (unsigned int o = 0;; o++) {
		if (pick < order_weights[o])
			return o;
		pick -= order_weights[o];
	}
}

static gfp_t random_gfp(unsigned int order)
{
	static const gfp_t zones[] = {
		GFP_KERNEL, GFP_KERNEL, GFP_KERNEL, GFP_KERNEL, GFP_KERNEL, GFP_KERNEL,
		GFP_ATOMIC, GFP_NOWAIT, GFP_KERNEL | __GFP_DMA32, GFP_KERNEL | __GFP_DMA,
	};
	gfp_t gfp = zones[random_below(ARRAY_SIZE(zones))] | __GFP_NOWARN;

	if (order && random_below(8) == 0)
		gfp |= __GFP_COMP;
	if (order <= 2 && random_below(16) == 0)
		gfp |= __GFP_ZERO;
	return gfp;
}

struct live_block {
	struct page *page;
	uint64_t pfn;
	unsigned int order;
	uint32_t id;
};

struct stress {
	struct arena *arena;
	uint32_t *owner;                /* per frame: 0 free (or hole), else the block's id */
	bool *ram;                      /* per frame: added to the allocator */
	struct live_block *live;
	size_t live_count;
	uint64_t live_pages;
	uint32_t next_id;
	uint64_t allocations, failures, frees, drains;
};

/* The tag written into both ends of a block, checked when it is freed. */
static uint64_t block_tag(const struct live_block *block)
{
	return 0x5eed000000000000ull | ((uint64_t)block->id << 8) | block->order;
}

static void stress_alloc(struct ktest *t, struct stress *s)
{
	struct arena *a = s->arena;
	unsigned int order = random_order();
	gfp_t gfp = random_gfp(order);
	struct page *page = arena_alloc(a, gfp, order);
	uint64_t size = 1ull << order, pfn;
	struct live_block *block;
	uint8_t *bytes;
	uint64_t tag;

	if (!page) {
		s->failures++;
		return;
	}
	s->allocations++;
	pfn = pfn_of(a, page);
	KASSERT_UEQ(t, pfn & (size - 1), 0);
	KASSERT_ULE(t, a->start_pfn, pfn);
	KASSERT_ULE(t, pfn + size, a->end_pfn);
	if (gfp & __GFP_DMA)
		KASSERT_EQ(t, expected_zone(pfn), ZONE_DMA);
	KASSERT_EQ(t, expected_zone(pfn), expected_zone(pfn + size - 1));
	for (uint64_t i = 0; i < size; i++) {
		uint64_t frame = pfn - a->start_pfn + i;

		/* Never handed out twice, never a hole. */
		KASSERT_TRUE(t, s->ram[frame]);
		KASSERT_EQ(t, s->owner[frame], 0);
	}
	KASSERT_EQ(t, page->refcount, 1);
	if (gfp & __GFP_COMP)
		KASSERT_UEQ(t, (uintptr_t)(compound_head(&page[size - 1])), (uintptr_t)page);
	bytes = contents_of(a, page);
	if (gfp & __GFP_ZERO)
		KASSERT_TRUE(t, all_bytes(bytes, size * PAGE_SIZE, 0));

	block = &s->live[s->live_count++];
	*block = (struct live_block){ page, pfn, order, ++s->next_id };
	for (uint64_t i = 0; i < size; i++)
		s->owner[pfn - a->start_pfn + i] = block->id;
	s->live_pages += size;
	tag = block_tag(block);
	memcpy(bytes, &tag, sizeof(tag));
	memcpy(bytes + size * PAGE_SIZE - sizeof(tag), &tag, sizeof(tag));
}

static void stress_free(struct ktest *t, struct stress *s, size_t index)
{
	struct arena *a = s->arena;
	struct live_block block = s->live[index];
	uint64_t size = 1ull << block.order, tag = block_tag(&block), found;
	uint8_t *bytes = contents_of(a, block.page);

	memcpy(&found, bytes, sizeof(found));
	KASSERT_UEQ(t, found, tag);
	memcpy(&found, bytes + size * PAGE_SIZE - sizeof(found), sizeof(found));
	KASSERT_UEQ(t, found, tag);
	for (uint64_t i = 0; i < size; i++)
		KASSERT_EQ(t, s->owner[block.pfn - a->start_pfn + i], block.id);

	/* Now and then an extra reference first: the first free only drops it. */
	if (random_below(32) == 0) {
		block.page->refcount++;
		KASSERT_TRUE(t, arena_free(a, block.page, block.order));
		KASSERT_TRUE(t, block.page->flags & PG_head);
		KASSERT_EQ(t, block.page->refcount, 1);
	}
	KASSERT_TRUE(t, arena_free(a, block.page, block.order));
	for (uint64_t i = 0; i < size; i++)
		s->owner[block.pfn - a->start_pfn + i] = 0;
	s->live_pages -= size;
	s->live[index] = s->live[--s->live_count];
	s->frees++;
}

/* Every free block and per-CPU page the allocator holds is free in the shadow. */
static void stress_cross_check(struct ktest *t, struct stress *s)
{
	struct arena *a = s->arena;

	CHECK(t, a);
	for (int z = 0; z < NR_ZONES; z++) {
		struct zone *zone = &a->buddy.zones[z];
		struct list_head *node;

		for (unsigned int o = 0; o <= MAX_ORDER; o++)
			list_for_each(node, &zone->free_area[o].list) {
				uint64_t pfn = pfn_of(a, list_entry(node, struct page, lru));

				for (uint64_t i = 0; i < (1ull << o); i++) {
					KASSERT_TRUE(t, s->ram[pfn - a->start_pfn + i]);
					KASSERT_EQ(t, s->owner[pfn - a->start_pfn + i], 0);
				}
			}
		list_for_each(node, &zone->pcp[0].list) {
			uint64_t pfn = pfn_of(a, list_entry(node, struct page, lru));

			KASSERT_TRUE(t, s->ram[pfn - a->start_pfn]);
			KASSERT_EQ(t, s->owner[pfn - a->start_pfn], 0);
		}
	}
}

/* Alternate phases that fill memory (to exhaustion) and phases that empty it. */
static uint64_t fill_threshold(int step)
{
	return (step / 20000) % 2 ? 4000 : 6500;
}

/*
 * 200000 seeded random operations over 32 MiB (LOW, with two holes):
 * allocations of mixed orders and zones, frees in random order, bursts of
 * frees, drains.  At the end everything is freed and must coalesce back
 * into the blocks the instance started with.
 */
static void test_random_stress(struct ktest *t)
{
	static const struct pfn_range ranges[] = { { 0, 3000 }, { 3003, 4873 }, { 4896, LOW_END } };
	struct stress s = { 0 };
	struct arena *a = arena_create(t, LOW_START, LOW_END, false);
	struct free_counts initial;
	uint64_t managed = 0;

	s.arena = a;
	s.owner = arena_scratch(t, a, LOW_END, sizeof(*s.owner));
	s.ram = arena_scratch(t, a, LOW_END, sizeof(*s.ram));
	s.live = arena_scratch(t, a, LOW_END, sizeof(*s.live));
	for (size_t r = 0; r < ARRAY_SIZE(ranges); r++) {
		managed += buddy_add_range(&a->buddy, ranges[r].start, ranges[r].end);
		for (uint64_t pfn = ranges[r].start; pfn < ranges[r].end; pfn++)
			s.ram[pfn] = true;
	}
	buddy_setup_watermarks(&a->buddy);
	initial = free_counts(a);
	CHECK(t, a);
	KASSERT_UEQ(t, managed, LOW_END - 3 - 23);

	xorshift_state = 0x9e3779b97f4a7c15ull;
	for (int step = 1; step <= STRESS_OPERATIONS; step++) {
		uint64_t roll = random_below(10000);

		if (roll < 2) {
			/* A burst: free about half of what is live. */
			for (size_t i = s.live_count; i-- > 0;)
				if (random_below(2))
					stress_free(t, &s, i);
		} else if (roll < 12) {
			buddy_drain_pcp(&a->buddy);
			s.drains++;
		} else if (s.live_count == 0 || roll < fill_threshold(step)) {
			stress_alloc(t, &s);
		} else {
			stress_free(t, &s, (size_t)random_below(s.live_count));
		}
		KASSERT_UEQ(t, free_page_count(a) + s.live_pages, managed);
		if (step % STRESS_CHECK_EVERY == 0)
			stress_cross_check(t, &s);
	}
	printk("        # %llu allocations, %llu failed, %llu frees, %llu drains; %zu blocks live at the end\n",
	       (unsigned long long)s.allocations, (unsigned long long)s.failures,
	       (unsigned long long)s.frees, (unsigned long long)s.drains, s.live_count);
	/* Every kind of step ran, and memory ran out at times (the seed could starve one silently). */
	KEXPECT_GT(t, s.failures, 0);
	KEXPECT_GT(t, s.drains, 0);
	KEXPECT_GT(t, s.frees, 0);

	while (s.live_count)
		stress_free(t, &s, s.live_count - 1);
	buddy_drain_pcp(&a->buddy);
	stress_cross_check(t, &s);
	expect_counts(t, a, &initial);
	KEXPECT_UEQ(t, free_page_count(a), managed);
	for (int z = 0; z < NR_ZONES; z++)
		KEXPECT_UEQ(t, a->buddy.zones[z].free_pages, a->buddy.zones[z].managed_pages);
	KEXPECT_UEQ(t, a->buddy.stats.allocations, a->buddy.stats.frees);
	KEXPECT_UEQ(t, a->buddy.stats.bad_frees, 0);
	arena_destroy(a);
}

KTEST_SUITE_FULL(buddy, NULL, destroy_leftover_arenas,
		 KTEST_CASE(test_split_one_page_from_max_block),
		 KTEST_CASE(test_split_and_merge_every_order),
		 KTEST_CASE(test_order_1_buddy_of_8_is_10),
		 KTEST_CASE(test_alignment_and_zones),
		 KTEST_CASE(test_blocks_stay_within_ranges),
		 KTEST_CASE(test_exhaustion_and_recovery),
		 KTEST_CASE(test_order_above_max_order));

KTEST_SUITE_FULL(buddy_zones, NULL, destroy_leftover_arenas,
		 KTEST_CASE(test_zone_fallback),
		 KTEST_CASE(test_watermark_formula),
		 KTEST_CASE(test_watermark_reserves),
		 KTEST_CASE(test_watermark_fallback));

KTEST_SUITE_FULL(buddy_pcp, NULL, destroy_leftover_arenas,
		 KTEST_CASE(test_pcp_hot_pair),
		 KTEST_CASE(test_pcp_keeps_zone_order),
		 KTEST_CASE(test_pcp_high_mark_and_drain));

KTEST_SUITE_FULL(buddy_misuse, NULL, destroy_leftover_arenas,
		 KTEST_CASE(test_bad_frees),
		 KTEST_CASE(test_poison_catches_write_after_free));

KTEST_SUITE_FULL(buddy_features, NULL, destroy_leftover_arenas,
		 KTEST_CASE(test_gfp_zero),
		 KTEST_CASE(test_compound_pages),
		 KTEST_CASE(test_alloc_bulk));

KTEST_SUITE_FULL(buddy_stress, NULL, destroy_leftover_arenas,
		 KTEST_CASE(test_random_stress));
