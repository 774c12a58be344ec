// SPDX-License-Identifier: MIT
/*
 * SLOB's internals (mm/slob.c): the block header, first fit, merging of
 * freed blocks, the page lists by request size, pages given back when
 * empty, and the memory it holds for many small objects of mixed sizes.
 * Built only with SLAB_BACKEND=slob; the conformance suites cover the rest.
 */
#include <string.h>

#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <slab.h>
#include <xorshift.h>

#include "host_support.h"
#include "slab_arena.h"

#include "../../mm/slob_internal.h"

static struct kmem_cache *kmalloc_slob(struct slab_arena *a)
{
	return a->slab.backend.kmalloc_cache;
}

/* Free blocks on @page's chain. */
static unsigned int free_blocks(struct slab_arena *a, struct page *page)
{
	uint8_t *base = page_base(&a->slab, page);
	unsigned int n = 0;

	for (struct slob_header *h = page->freelist; h && n < SLOB_PAGE_UNITS; n++)
		h = (h->seal & 0xffff) == SLOB_NO_NEXT ? NULL
			: (struct slob_header *)(base + (h->seal & 0xffff) * SLOB_UNIT);
	return n;
}

/* The header in front of each object: length, owner, seal; kmalloc's alignment. */
static void test_header_layout(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *plain = make_cache(t, a, "plain-100", 100, 0, 0, NULL);
	struct kmem_cache *debug = make_cache(t, a, "debug-100", 100, 0,
					      SLAB_RED_ZONE | SLAB_STORE_USER, NULL);
	uint8_t *small = arena_kmalloc(a, 20, GFP_KERNEL);
	uint8_t *aligned = arena_kmalloc(a, 64, GFP_KERNEL);
	uint8_t *object = kmem_cache_alloc(plain, GFP_KERNEL);
	uint8_t *guarded = kmem_cache_alloc(debug, GFP_KERNEL);
	struct slob_header *h;

	KASSERT_NOT_NULL(t, small);
	KASSERT_NOT_NULL(t, aligned);
	KASSERT_NOT_NULL(t, object);
	KASSERT_NOT_NULL(t, guarded);
	/* kmalloc(20): 8-byte header + 24 bytes = 4 units, owned by kmalloc-slob. */
	h = (struct slob_header *)(small - 8);
	KEXPECT_EQ(t, h->units, 4);
	KEXPECT_EQ(t, h->tag, kmalloc_slob(a)->backend.id);
	KEXPECT_TRUE(t, header_sealed(&a->slab, h));
	KEXPECT_UEQ(t, slab_ksize(&a->slab, small), 24);
	KEXPECT_PTR_EQ(t, slab_cache_of(&a->slab, small), kmalloc_slob(a));
	/* A power of two is aligned to itself; the header sits right in front. */
	KEXPECT_UEQ(t, (uintptr_t)aligned % 64, 0);
	KEXPECT_EQ(t, ((struct slob_header *)(aligned - 8))->units, 9);
	/* A cache object: 8 + 104 bytes, tagged with its cache. */
	h = (struct slob_header *)(object - 8);
	KEXPECT_EQ(t, h->units, 14);
	KEXPECT_EQ(t, h->tag, plain->backend.id);
	KEXPECT_UEQ(t, stats_of(plain).stride, 112);
	KEXPECT_PTR_EQ(t, slab_cache_of(&a->slab, object), plain);
	/* Debug: header, 8 red, 104 object, 8 red, 8 size, 32 tracks = 168 bytes. */
	h = (struct slob_header *)(guarded - 16);
	KEXPECT_EQ(t, h->units, 21);
	KEXPECT_EQ(t, h->tag, debug->backend.id);
	KEXPECT_EQ(t, guarded[-1], SLUB_RED_ACTIVE);
	KEXPECT_EQ(t, guarded[100], SLUB_RED_ACTIVE);
	KEXPECT_PTR_EQ(t, slab_cache_of(&a->slab, guarded), debug);
	/* A forged header (right length and tag, no seal) is not taken for an object. */
	memset(object, 0, 100);
	((struct slob_header *)(object + 16))->units = 4;
	((struct slob_header *)(object + 16))->tag = plain->backend.id;
	KEXPECT_NULL(t, slab_cache_of(&a->slab, object + 24));
	capture_start();
	kmem_cache_free(plain, object + 24);
	capture_stop();
	KEXPECT_REPORTED(t, "into the middle of an object: cache plain-100");
	check_all(t, a);
	kmem_cache_free(plain, object);
	kmem_cache_free(debug, guarded);
	arena_kfree(a, small);
	arena_kfree(a, aligned);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, plain));
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, debug));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* A freed hole is the first fit; freed neighbours merge into one block. */
static void test_first_fit_and_merging(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "fit-56", 56, 0, 0, NULL);
	struct kmem_cache *wide = make_cache(t, a, "fit-184", 184, 0, 0, NULL);
	uint8_t *first = kmem_cache_alloc(cache, GFP_KERNEL);
	uint8_t *second = kmem_cache_alloc(cache, GFP_KERNEL);
	uint8_t *third = kmem_cache_alloc(cache, GFP_KERNEL);
	uint8_t *fourth = kmem_cache_alloc(cache, GFP_KERNEL);
	struct page *page = block_of(a, first);
	unsigned int holes;
	uint8_t *again, *merged;

	KASSERT_NOT_NULL(t, fourth);
	/* 8 + 56 bytes each, one after the other. */
	KEXPECT_PTR_EQ(t, second, first + 64);
	KEXPECT_PTR_EQ(t, third, second + 64);
	KEXPECT_PTR_EQ(t, fourth, third + 64);
	holes = free_blocks(a, page);
	kmem_cache_free(cache, second);
	KEXPECT_EQ(t, free_blocks(a, page), holes + 1);
	CHECK(t, cache);
	again = kmem_cache_alloc(cache, GFP_KERNEL);
	KEXPECT_PTR_EQ(t, again, second);       /* the hole comes first */
	KEXPECT_EQ(t, free_blocks(a, page), holes);
	/* Three neighbours freed in any order make one 24-unit block ... */
	kmem_cache_free(cache, first);
	kmem_cache_free(cache, third);
	KEXPECT_EQ(t, free_blocks(a, page), holes + 2);
	kmem_cache_free(cache, again);
	KEXPECT_EQ(t, free_blocks(a, page), holes + 1);
	KEXPECT_EQ(t, ((struct slob_header *)(first - 8))->units, 24);
	CHECK(t, cache);
	/* ... which a 192-byte block (8 + 184) fills exactly. */
	merged = kmem_cache_alloc(wide, GFP_KERNEL);
	KEXPECT_PTR_EQ(t, merged, first);
	KEXPECT_EQ(t, free_blocks(a, page), holes);
	/* Freed twice, even merged away: the header still says free. */
	kmem_cache_free(wide, merged);
	kmem_cache_free(cache, fourth);
	capture_start();
	kmem_cache_free(cache, fourth);
	kmem_cache_free(wide, merged);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache fit-56");
	KEXPECT_REPORTED(t, "double free: cache fit-184");
	KEXPECT_UEQ(t, cache->bad_frees + wide->bad_frees, 2);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, wide));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* Requests under 256 bytes, under 1 KiB and larger draw on separate page lists. */
static void test_lists_by_size(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct slab_allocator_backend *b = &a->slab.backend;
	uint8_t *small = arena_kmalloc(a, 100, GFP_KERNEL);
	uint8_t *medium = arena_kmalloc(a, 600, GFP_KERNEL);
	uint8_t *large = arena_kmalloc(a, 2000, GFP_KERNEL);
	uint8_t *medium2 = arena_kmalloc(a, 700, GFP_KERNEL);
	struct page *large_page;

	KASSERT_NOT_NULL(t, small);
	KASSERT_NOT_NULL(t, medium);
	KASSERT_NOT_NULL(t, large);
	KASSERT_NOT_NULL(t, medium2);
	KEXPECT_TRUE(t, block_of(a, small) != block_of(a, medium));
	KEXPECT_TRUE(t, block_of(a, medium) != block_of(a, large));
	KEXPECT_TRUE(t, block_of(a, medium2) == block_of(a, medium));
	KEXPECT_PTR_EQ(t, list_first_entry(&b->free_pages[1], struct page, slab_list),
		       block_of(a, medium));
	KEXPECT_PTR_EQ(t, list_first_entry(&b->free_pages[2], struct page, slab_list),
		       block_of(a, large));
	check_all(t, a);
	large_page = block_of(a, large);
	arena_kfree(a, small);
	arena_kfree(a, medium);
	arena_kfree(a, medium2);
	arena_kfree(a, large);
	/* The page emptied last is kept as the spare, on its list. */
	KEXPECT_PTR_EQ(t, b->spare, large_page);
	KEXPECT_PTR_EQ(t, list_first_entry(&b->free_pages[2], struct page, slab_list), large_page);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * A write after free past a held object's end reaches its red zone, its
 * size and its tracks.  The held objects are found through a ring in the
 * cache, not through the freed memory, so the write is reported and the
 * object is released without following anything it overwrote.
 */
static void test_write_after_free_into_held_metadata(struct ktest *t)
{
	static void *others[SLOB_MAX_HELD];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "held-64", 64, 0,
					      SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER, NULL);
	uint8_t *victim = kmem_cache_alloc(cache, GFP_KERNEL), *again;

	KASSERT_NOT_NULL(t, victim);
	kmem_cache_free(cache, victim);
	KEXPECT_UEQ(t, cache->backend.held, 1);
	/* 8 bytes of red zone, the 8-byte size, 16 bytes of the allocation track. */
	memset(victim + 64, 'A', 32);
	KEXPECT_NOT_NULL(t, slab_check(cache));
	/* Not handed out again: its recorded size no longer matches. */
	again = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, again);
	KEXPECT_TRUE(t, again != victim);
	/* SLOB_MAX_HELD frees push the victim out of the ring: released, nothing followed. */
	for (unsigned int i = 0; i < SLOB_MAX_HELD; i++)
		KASSERT_NOT_NULL(t, others[i] = kmem_cache_alloc(cache, GFP_KERNEL));
	for (unsigned int i = 0; i < SLOB_MAX_HELD; i++)
		kmem_cache_free(cache, others[i]);
	KEXPECT_UEQ(t, cache->backend.held, SLOB_MAX_HELD);
	CHECK(t, cache);
	kmem_cache_free(cache, again);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* A request with no room on its own list takes the spare page, wherever it waits, before a new one. */
static void test_spare_page_serves_any_size(struct ktest *t)
{
	static void *small[80];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct slab_allocator_backend *b = &a->slab.backend;
	struct page *spare;
	unsigned long pages;
	uint8_t *large;

	/* 80 blocks of 112 bytes fill two pages of their own at least; freed, one stays as the spare. */
	for (int i = 0; i < 80; i++)
		KASSERT_NOT_NULL(t, small[i] = arena_kmalloc(a, 100, GFP_KERNEL));
	for (int i = 0; i < 80; i++)
		arena_kfree(a, small[i]);
	spare = b->spare;
	KASSERT_NOT_NULL(t, spare);
	KEXPECT_TRUE(t, list_empty(&b->free_pages[2]));   /* the spare waits on the small list */
	pages = b->pages;
	large = arena_kmalloc(a, 2000, GFP_KERNEL);
	KASSERT_NOT_NULL(t, large);
	KEXPECT_PTR_EQ(t, block_of(a, large), spare);
	KEXPECT_UEQ(t, b->pages, pages);
	KEXPECT_NULL(t, b->spare);
	KEXPECT_PTR_EQ(t, list_first_entry(&b->free_pages[2], struct page, slab_list), spare);
	check_all(t, a);
	arena_kfree(a, large);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* Pages whose last block is freed go back (the last one at a shrink); objects too big for a page get pages. */
static void test_pages_given_back(struct ktest *t)
{
	static void *objects[200];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "pages-200", 200, 0, 0, NULL);
	unsigned long pages_before = a->slab.backend.pages;
	uint64_t free_before = buddy_free_pages(&a->mem.buddy);
	uint8_t *big;

	for (int i = 0; i < 200; i++)
		KASSERT_NOT_NULL(t, objects[i] = kmem_cache_alloc(cache, GFP_KERNEL));
	/* 208 bytes a block: 19 a page, so 200 take 10 or 11 pages. */
	KEXPECT_UGE(t, a->slab.backend.pages - pages_before, 10);
	KEXPECT_ULE(t, a->slab.backend.pages - pages_before, 11);
	CHECK(t, cache);
	for (int i = 0; i < 200; i++)
		kmem_cache_free(cache, objects[i]);
	/* One wholly free page is kept as the spare, until a shrink. */
	KEXPECT_UEQ(t, a->slab.backend.pages, pages_before + 1);
	KEXPECT_NOT_NULL(t, a->slab.backend.spare);
	CHECK(t, cache);
	kmem_cache_shrink(cache);
	KEXPECT_NULL(t, a->slab.backend.spare);
	KEXPECT_UEQ(t, a->slab.backend.pages, pages_before);
	buddy_drain_pcp(&a->mem.buddy);
	KEXPECT_UEQ(t, buddy_free_pages(&a->mem.buddy), free_before);
	/* kmalloc(5000): two pages of its own, PG_slab, its usable size the whole block. */
	big = arena_kmalloc(a, 5000, GFP_KERNEL);
	KASSERT_NOT_NULL(t, big);
	KEXPECT_UEQ(t, (uintptr_t)big % PAGE_SIZE, 0);
	KEXPECT_TRUE(t, block_of(a, big)->flags & PG_slab);
	KEXPECT_EQ(t, block_of(a, big)->objects, SLOB_BIG);
	KEXPECT_UEQ(t, slab_ksize(&a->slab, big), 2 * PAGE_SIZE);
	KEXPECT_UEQ(t, stats_of(kmalloc_slob(a)).slabs, 1);
	capture_start();
	arena_kfree(a, big + PAGE_SIZE);
	capture_stop();
	KEXPECT_REPORTED(t, "into the middle of an object: cache kmalloc-slob");
	arena_kfree(a, big);
	KEXPECT_UEQ(t, stats_of(kmalloc_slob(a)).slabs, 0);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * Two 1 KiB-aligned kmalloc blocks leave a page two 1016-byte holes: the
 * search that fails there leaves a hint, so later searches skip the page
 * with one comparison.  A free into the page clears its hint.
 */
static void test_search_hint_marks_cut_pages(struct ktest *t)
{
	enum { COUNT = 40 };
	static uint8_t *objects[COUNT];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct list_head *node, *large = &a->slab.backend.free_pages[2];
	unsigned int pages = 0, hinted = 0;

	for (int i = 0; i < COUNT; i++) {
		KASSERT_NOT_NULL(t, objects[i] = arena_kmalloc(a, 1024, GFP_KERNEL));
		KEXPECT_UEQ(t, (uintptr_t)objects[i] % 1024, 0);
	}
	list_for_each(node, large) {
		struct page *page = list_entry(node, struct page, slab_list);

		pages++;
		if (page->inuse) {
			hinted++;
			KEXPECT_EQ(t, page->inuse & 0x3ff, 129);    /* 8 + 1024 bytes */
			KEXPECT_EQ(t, page->inuse >> 10, 10);       /* aligned to 2^10 */
		}
	}
	/* 2 a page: 20 pages, each tried and found too cut up but the newest. */
	KEXPECT_UEQ(t, pages, COUNT / 2);
	KEXPECT_UEQ(t, hinted, pages - 1);
	check_all(t, a);
	arena_kfree(a, objects[0]);
	KEXPECT_EQ(t, block_of(a, objects[1])->inuse, 0);
	for (int i = 1; i < COUNT; i++)
		arena_kfree(a, objects[i]);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* The caches' bytes_used add up to the pages held: shared pages counted once. */
static uint64_t bytes_of_all_caches(struct slab_arena *a)
{
	struct kmem_cache *cache;
	uint64_t bytes = 0;

	for_each_cache(cache, a)
		bytes += stats_of(cache).bytes_used;
	return bytes;
}

/*
 * Many small objects of mixed sizes: SLOB holds fewer pages than the
 * smallest possible SLUB footprint (every object in its kmalloc class,
 * slabs packed full), and its statistics account for every page.
 */
static void test_mixed_sizes_take_less_than_classes(struct ktest *t)
{
	enum { COUNT = 4000 };
	static void *objects[COUNT];
	struct slab_arena *a = slab_arena_create(t, NULL);
	uint64_t free_before = settled_free_pages(a), state = 0x12345, requested = 0, classes = 0;
	uint64_t slob_pages, class_pages, pages_at_start = a->slab.backend.pages;

	for (int i = 0; i < COUNT; i++) {
		size_t size = 8 + (size_t)(xorshift64(&state) % 500);

		requested += size;
		classes += kmalloc_sizes[kmalloc_index(size)];
		KASSERT_NOT_NULL(t, objects[i] = arena_kmalloc(a, size, GFP_KERNEL));
		memset(objects[i], (uint8_t)i, size);
	}
	check_all(t, a);
	buddy_drain_pcp(&a->mem.buddy);
	slob_pages = free_before - buddy_free_pages(&a->mem.buddy);
	class_pages = (classes + PAGE_SIZE - 1) / PAGE_SIZE;
	printk("        # %d kmallocs of 8..507 bytes: %llu bytes asked, SLOB holds %llu pages, "
	       "kmalloc classes need at least %llu\n", COUNT, (unsigned long long)requested,
	       (unsigned long long)slob_pages, (unsigned long long)class_pages);
	KEXPECT_UEQ(t, bytes_of_all_caches(a), (pages_at_start + slob_pages) * PAGE_SIZE);
	KEXPECT_ULT(t, slob_pages * 10, class_pages * 9);  /* at least 10% less */
	for (int i = 0; i < COUNT; i++)
		arena_kfree(a, objects[i]);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * kmalloc-slob's objects differ in size: its statistics carry the usable
 * bytes of its live blocks (slabmem's bytes_active), not object_size (8192)
 * times their count; a cache of one size leaves the figure to common code.
 */
static void test_live_bytes_of_kmalloc_blocks(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "bytes-100", 100, 0, 0, NULL);
	uint64_t before = stats_of(kmalloc_slob(a)).bytes_in_objects;
	uint8_t *small = arena_kmalloc(a, 20, GFP_KERNEL);
	uint8_t *medium = arena_kmalloc(a, 100, GFP_KERNEL);
	uint8_t *big = arena_kmalloc(a, 5000, GFP_KERNEL);
	void *object = kmem_cache_alloc(cache, GFP_KERNEL);

	KASSERT_NOT_NULL(t, small);
	KASSERT_NOT_NULL(t, medium);
	KASSERT_NOT_NULL(t, big);
	KASSERT_NOT_NULL(t, object);
	/* 24 + 104 usable bytes in shared pages, 8192 in a block of pages. */
	KEXPECT_UEQ(t, stats_of(kmalloc_slob(a)).bytes_in_objects - before, 24 + 104 + 2 * PAGE_SIZE);
	KEXPECT_UEQ(t, stats_of(cache).bytes_in_objects, 0);
	arena_kfree(a, medium);
	KEXPECT_UEQ(t, stats_of(kmalloc_slob(a)).bytes_in_objects - before, 24 + 2 * PAGE_SIZE);
	arena_kfree(a, big);
	arena_kfree(a, small);
	KEXPECT_UEQ(t, stats_of(kmalloc_slob(a)).bytes_in_objects, before);
	kmem_cache_free(cache, object);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * Debug caches keep an object's size in the metadata right after its
 * right red zone (kmalloc's objects differ in size).  An overflow that
 * runs past the red zone overwrites that size: the free must report it
 * and go on with the size the block really holds -- not poison, fill or
 * check red zones as far as the overwritten size says.  With P alone
 * (no red zone) the metadata follows the object directly.
 */
static void test_overflow_into_debug_metadata(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, "P,kmalloc-slob");
	struct kmem_cache *zoned = make_cache(t, a, "overrun-64", 64, 0, SLAB_RED_ZONE | SLAB_POISON,
					      NULL);
	uint8_t *object = kmem_cache_alloc(zoned, GFP_KERNEL);
	uint8_t *buffer = arena_kmalloc(a, 40, GFP_KERNEL);
	uint64_t reports = a->slab.reports;

	KASSERT_NOT_NULL(t, object);
	KASSERT_NOT_NULL(t, buffer);
	KASSERT_TRUE(t, kmalloc_slob(a)->flags & SLAB_POISON);
	/* 64 bytes, 8 of right red zone, then the size: 16 bytes too many reach it. */
	memset(object + 64, 'A', 16);
	KEXPECT_STREQ(t, slab_check(zoned), "debug data after an object overwritten");
	capture_start();
	kmem_cache_free(zoned, object);
	capture_stop();
	KEXPECT_REPORTED(t, "red zone after overwritten (overflow): cache overrun-64");
	KEXPECT_REPORTED(t, "debug data after the object overwritten (overflow): cache overrun-64");
	KEXPECT_UEQ(t, a->slab.reports, reports + 2);
	CHECK(t, zoned);
	/* kmalloc(40) with P only: the size right after the object's 40 bytes. */
	memset(buffer + 40, 'A', 8);
	capture_start();
	arena_kfree(a, buffer);
	capture_stop();
	KEXPECT_REPORTED(t, "debug data after the object overwritten (overflow): cache kmalloc-slob");
	KEXPECT_UEQ(t, a->slab.reports, reports + 3);
	CHECK(t, kmalloc_slob(a));
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, zoned));
	kmem_cache_shrink(kmalloc_slob(a));
	a->slab.reports = 0;
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

KTEST_SUITE_FULL(slob, NULL, arena_suite_exit,
		 KTEST_CASE(test_header_layout),
		 KTEST_CASE(test_first_fit_and_merging),
		 KTEST_CASE(test_lists_by_size),
		 KTEST_CASE(test_spare_page_serves_any_size),
		 KTEST_CASE(test_pages_given_back),
		 KTEST_CASE(test_search_hint_marks_cut_pages),
		 KTEST_CASE(test_mixed_sizes_take_less_than_classes),
		 KTEST_CASE(test_live_bytes_of_kmalloc_blocks),
		 KTEST_CASE(test_overflow_into_debug_metadata),
		 KTEST_CASE(test_write_after_free_into_held_metadata));
