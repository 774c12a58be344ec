// SPDX-License-Identifier: MIT
/*
 * Buddy allocator stress: a seeded random run against a shadow model of
 * every frame, buddy_check() every STRESS_CHECK_EVERY operations.
 */
#include <string.h>

#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <xorshift.h>

#include "arena.h"
#include "buddy_arena.h"

#include "../common/byte_patterns.h"

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
	KASSERT_EQ(t, page_ref_count(page), 1);
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
		page_ref_inc(block.page);
		KASSERT_TRUE(t, arena_free(a, block.page, block.order));
		KASSERT_TRUE(t, block.page->flags & PG_head);
		KASSERT_EQ(t, page_ref_count(block.page), 1);
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
	struct buddy_stats stats;
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
	buddy_read_stats(&a->buddy, &stats);
	KEXPECT_UEQ(t, stats.allocations, stats.frees);
	KEXPECT_UEQ(t, a->buddy.errors.bad_frees, 0);
	arena_destroy(a);
}

KTEST_SUITE_FULL(buddy_stress, NULL, arena_suite_exit,
		 KTEST_CASE(test_random_stress));
