// SPDX-License-Identifier: MIT
/*
 * Buddy allocator features: __GFP_ZERO, compound pages and references,
 * bulk allocation.
 */
#include <string.h>

#include <buddy.h>
#include <kernel.h>
#include <ktest.h>

#include "arena.h"
#include "buddy_arena.h"
#include "host_support.h"

#include "../common/byte_patterns.h"

/* ---- gfp actions, compound pages, references ---------------------------- */

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
	page_ref_inc(head);
	KEXPECT_TRUE(t, arena_free(a, head, 3));
	CHECK(t, a);
	KEXPECT_EQ(t, page_ref_count(head), 1);
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
	KEXPECT_UEQ(t, a->buddy.errors.bad_frees, 0);
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
		KEXPECT_EQ(t, page_ref_count(first[i]), 1);
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

/*
 * Virtual address to page: the backed prefix of the memmap is looked up
 * with one comparison (buddy_virt_in_prefix), the rest through the
 * bitmap of backed blocks, so an address in a hole has no page.  Blocks
 * 0, 1 and 3 of four are backed here; block 2 is a hole.
 */
static void test_virt_lookup_with_holes(struct ktest *t)
{
	static const uint8_t backed = 0x0b;     /* blocks 0, 1, 3 */
	struct arena *a = arena_create(t, 0, 4 * MAX_BLOCK_PAGES, false);
	struct buddy *b = &a->buddy;
	uint8_t *base = a->memory;
	struct page *page;

	KEXPECT_UEQ(t, b->backed_prefix_pages, 4 * MAX_BLOCK_PAGES);
	buddy_set_backed_blocks(b, &backed);
	KEXPECT_UEQ(t, b->backed_prefix_pages, 2 * MAX_BLOCK_PAGES);
	KEXPECT_TRUE(t, buddy_virt_in_prefix(b, base + 5 * PAGE_SIZE + 17, &page));
	KEXPECT_PTR_EQ(t, page, page_of(a, 5));
	KEXPECT_PTR_EQ(t, buddy_virt_to_page(b, base + (2 * MAX_BLOCK_PAGES - 1) * PAGE_SIZE),
		       page_of(a, 2 * MAX_BLOCK_PAGES - 1));
	/* The hole, and the backed block after it (through the bitmap). */
	KEXPECT_FALSE(t, buddy_virt_in_prefix(b, base + 2 * MAX_BLOCK_PAGES * PAGE_SIZE, &page));
	KEXPECT_NULL(t, buddy_virt_to_page(b, base + 2 * MAX_BLOCK_PAGES * PAGE_SIZE));
	KEXPECT_NULL(t, buddy_virt_to_head_page(b, base + (3 * MAX_BLOCK_PAGES - 1) * PAGE_SIZE));
	KEXPECT_FALSE(t, buddy_virt_in_prefix(b, base + (3 * MAX_BLOCK_PAGES + 7) * PAGE_SIZE, &page));
	KEXPECT_PTR_EQ(t, buddy_virt_to_page(b, base + (3 * MAX_BLOCK_PAGES + 7) * PAGE_SIZE),
		       page_of(a, 3 * MAX_BLOCK_PAGES + 7));
	/* Outside the memmap on either side, NULL and ZERO_SIZE_PTR. */
	KEXPECT_NULL(t, buddy_virt_to_page(b, base - 1));
	KEXPECT_NULL(t, buddy_virt_to_page(b, base + 4 * MAX_BLOCK_PAGES * PAGE_SIZE));
	KEXPECT_FALSE(t, buddy_virt_in_prefix(b, NULL, &page));
	KEXPECT_FALSE(t, buddy_virt_in_prefix(b, (void *)16, &page));
	KEXPECT_NULL(t, buddy_virt_to_page(b, NULL));
	/* No bitmap: everything is backed. */
	buddy_set_backed_blocks(b, NULL);
	KEXPECT_UEQ(t, b->backed_prefix_pages, 4 * MAX_BLOCK_PAGES);
	KEXPECT_PTR_EQ(t, buddy_virt_to_page(b, base + 2 * MAX_BLOCK_PAGES * PAGE_SIZE),
		       page_of(a, 2 * MAX_BLOCK_PAGES));
	arena_destroy(a);
}

KTEST_SUITE_FULL(buddy_features, NULL, arena_suite_exit,
		 KTEST_CASE(test_gfp_zero),
		 KTEST_CASE(test_compound_pages),
		 KTEST_CASE(test_alloc_bulk),
		 KTEST_CASE(test_virt_lookup_with_holes));
