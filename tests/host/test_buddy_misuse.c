// SPDX-License-Identifier: MIT
/*
 * Buddy allocator wrong use: every bad free is reported and changes
 * nothing (the instance is compared byte for byte before and after), and
 * page poisoning catches a write after free.
 */
#include <string.h>

#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>

#include "arena.h"
#include "buddy_arena.h"
#include "host_support.h"

#include "../common/byte_patterns.h"

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
	set_page_count(m->page, 0);
	m->order = 1;
}

static void undo_refcount_zero(struct misuse *m)
{
	set_page_count(m->page, 1);
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
		KEXPECT_UEQ(t, a->buddy.errors.bad_frees, buddy_before->errors.bad_frees + 1);
		buddy_before->errors.bad_frees++;
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
		KEXPECT_UEQ(t, a->buddy.errors.bad_frees, 1);
		arena_destroy(a);
	}
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
	KEXPECT_UEQ(t, a->buddy.errors.poison_errors, 0);
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
	KEXPECT_UEQ(t, a->buddy.errors.poison_errors, 1);
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
	KEXPECT_UEQ(t, a->buddy.errors.poison_errors, 1);
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
	KEXPECT_UEQ(t, a->buddy.errors.poison_errors, 2);
	KEXPECT_REPORTED(t, "(pfn 0x2) was written at offset 0xfff: found 0x00, expected 0xaa");
	/* __GFP_ZERO still zeroes a poisoned block. */
	KEXPECT_TRUE(t, all_bytes(contents_of(a, block), 8 * PAGE_SIZE, 0));
	KASSERT_TRUE(t, arena_free(a, block, 3));
	CHECK(t, a);
	KEXPECT_UEQ(t, free_page_count(a), 8);
	arena_destroy(a);
}

KTEST_SUITE_FULL(buddy_misuse, NULL, arena_suite_exit,
		 KTEST_CASE(test_bad_frees),
		 KTEST_CASE(test_poison_catches_write_after_free));
