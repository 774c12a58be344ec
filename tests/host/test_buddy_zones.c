// SPDX-License-Identifier: MIT
/*
 * Buddy allocator zones: fallback from one zone to the next, the
 * watermark formula, and the reserves the watermarks keep.
 */
#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>

#include "arena.h"
#include "buddy_arena.h"
#include "host_support.h"

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
		uint64_t failures = a->buddy.errors.failures;

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
		KEXPECT_UEQ(t, a->buddy.errors.failures,
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

KTEST_SUITE_FULL(buddy_zones, NULL, arena_suite_exit,
		 KTEST_CASE(test_zone_fallback),
		 KTEST_CASE(test_watermark_formula),
		 KTEST_CASE(test_watermark_reserves),
		 KTEST_CASE(test_watermark_fallback));
