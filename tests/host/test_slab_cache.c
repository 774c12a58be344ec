// SPDX-License-Identifier: MIT
/*
 * Slab caches, through the interface only (any back-end): alignment,
 * SLAB_HWCACHE_ALIGN, constructors, zeroing, bulk allocation, shrinking,
 * destruction, statistics and slab_debug=.  SLUB's own layout and
 * figures: test_slub.c.
 */
#include <string.h>

#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <slab.h>

#include "host_support.h"
#include "slab_arena.h"

#include "../common/byte_patterns.h"

/*
 * Explicit alignments 8..4096, several sizes, with and without red zones
 * and tracks (which move the object within its slot): every object of
 * more than two slabs is aligned and the cache checks out.
 */
static void test_explicit_alignment(struct ktest *t)
{
	static const unsigned int sizes[] = { 1, 24, 100, 328, 1000 };
	static const slab_flags_t flag_sets[] = {
		0, SLAB_RED_ZONE, SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_CONSISTENCY_CHECKS,
	};
	static void *objects[MAX_TEST_OBJECTS];
	struct slab_arena *a = slab_arena_create(t, NULL);

	for (unsigned int align = 8; align <= 4096; align *= 2)
		for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
			for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
				struct kmem_cache *cache = make_cache(t, a, "aligned", sizes[s], align,
								      flag_sets[f], NULL);
				size_t count = MIN(2 * (size_t)slab_objects_per_slab(cache) + 1, MAX_TEST_OBJECTS);

				printk("        # size %u align %u flags %#x\n", sizes[s], align,
				       flag_sets[f]);
				KEXPECT_UEQ(t, kmem_cache_size(cache), sizes[s]);
				for (size_t i = 0; i < count; i++) {
					objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
					KASSERT_NOT_NULL(t, objects[i]);
					KASSERT_UEQ(t, (uintptr_t)objects[i] % align, 0);
					fill(objects[i], sizes[s], (uint8_t)i);
				}
				CHECK(t, cache);
				for (size_t i = 0; i < count; i++) {
					KASSERT_TRUE(t, holds(objects[i], sizes[s], (uint8_t)i));
					kmem_cache_free(cache, objects[i]);
				}
				CHECK(t, cache);
				KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
			}
	KEXPECT_UEQ(t, a->slab.reports, 0);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

static void test_bad_create_arguments(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);

	struct kmem_cache *created[4];

	capture_start();
	created[0] = slab_cache_create(&a->slab, "zero", 0, 0, 0, NULL);
	created[1] = slab_cache_create(&a->slab, "align-3", 64, 3, 0, NULL);
	created[2] = slab_cache_create(&a->slab, "align-48", 64, 48, 0, NULL);
	created[3] = slab_cache_create(&a->slab, "huge", 1u << 20, 0, 0, NULL);
	capture_stop();
	for (int i = 0; i < 4; i++)
		KEXPECT_NULL(t, created[i]);
	KEXPECT_REPORTED(t, "cannot create cache align-3");
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* SLAB_HWCACHE_ALIGN: objects of 328 and of 33 bytes start on cache lines. */
static void test_hwcache_align(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "hwcache-328", 328, 0, SLAB_HWCACHE_ALIGN, NULL);
	struct kmem_cache *small = make_cache(t, a, "hwcache-33", 33, 0, SLAB_HWCACHE_ALIGN, NULL);
	void *objects[40];

	for (int i = 0; i < 40; i++) {
		objects[i] = kmem_cache_alloc(i % 2 ? small : cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		KEXPECT_UEQ(t, (uintptr_t)objects[i] % 64, 0);
	}
	for (int i = 0; i < 40; i++)
		kmem_cache_free(i % 2 ? small : cache, objects[i]);
	CHECK(t, cache);
	CHECK(t, small);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, small));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

#define CTOR_SIZE 48
#define CTOR_BYTE 0xc7
static unsigned long ctor_calls;

static void test_ctor(void *object)
{
	memset(object, CTOR_BYTE, CTOR_SIZE);
	ctor_calls++;
}

/*
 * Every object handed out is in its constructed state if its last user
 * left it so -- whether the back-end runs the constructor once per object
 * when a slab is made (SLUB, SLAB) or on every allocation (SLOB may).  A
 * cache may not poison constructed objects: either it drops SLAB_POISON
 * or the object still comes back constructed.
 */
static void test_ctor_state_on_every_allocation(struct ktest *t)
{
	enum { COUNT = 100 };
	static void *objects[COUNT];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache;

	ctor_calls = 0;
	cache = make_cache(t, a, "ctor", CTOR_SIZE, 0, SLAB_POISON, test_ctor);
	for (unsigned int round = 0; round < 3; round++) {
		for (unsigned int i = 0; i < COUNT; i++) {
			objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
			KASSERT_NOT_NULL(t, objects[i]);
			KASSERT_TRUE(t, all_bytes(objects[i], CTOR_SIZE, CTOR_BYTE));
		}
		CHECK(t, cache);
		/* Freed as constructed; every other round in reverse order. */
		for (unsigned int i = 0; i < COUNT; i++)
			kmem_cache_free(cache, objects[round % 2 ? COUNT - 1 - i : i]);
		CHECK(t, cache);
		if (round == 1)
			kmem_cache_shrink(cache);
	}
	KEXPECT_UGE(t, ctor_calls, COUNT);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	KEXPECT_UEQ(t, a->slab.reports, 0);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

static void test_zalloc_and_size(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "zalloc", 200, 0, 0, NULL);
	uint8_t *object = kmem_cache_alloc(cache, GFP_KERNEL);

	KASSERT_NOT_NULL(t, object);
	KEXPECT_EQ(t, kmem_cache_size(cache), 200);
	KEXPECT_UGE(t, slab_ksize(&a->slab, object), 200);
	memset(object, 0xab, 200);
	kmem_cache_free(cache, object);
	object = kmem_cache_zalloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	KEXPECT_TRUE(t, all_bytes(object, 200, 0));
	/* A kmem_cache object can be freed by kfree, as in Linux. */
	arena_kfree(a, object);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

static void test_bulk_alloc_and_free(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "bulk", 328, 0, SLAB_HWCACHE_ALIGN, NULL);
	void *objects[64];

	KEXPECT_EQ(t, kmem_cache_alloc_bulk(cache, GFP_KERNEL, 0, objects), 0);
	KASSERT_EQ(t, kmem_cache_alloc_bulk(cache, GFP_KERNEL, 64, objects), 64);
	for (int i = 0; i < 64; i++) {
		KASSERT_NOT_NULL(t, objects[i]);
		for (int j = 0; j < i; j++)
			KASSERT_TRUE(t, objects[i] != objects[j]);
		fill(objects[i], 328, (uint8_t)i);
	}
	for (int i = 0; i < 64; i++)
		KEXPECT_TRUE(t, holds(objects[i], 328, (uint8_t)i));
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 64);
	CHECK(t, cache);
	kmem_cache_free_bulk(cache, 64, objects);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * Shrink gives every page that holds no object back to the buddy, the
 * pages other CPUs' caches held included; the cache works on afterwards.
 */
static void test_shrink_returns_empty_slabs(struct ktest *t)
{
	enum { COUNT = 80 };
	static void *objects[COUNT];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "shrink", 256, 0, 0, NULL);
	uint64_t before = settled_free_pages(a);
	struct slab_stats stats;

	for (unsigned int i = 0; i < COUNT; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
	}
	stats = stats_of(cache);
	KEXPECT_UGE(t, stats.slabs, 1);
	KEXPECT_EQ(t, stats.objects_in_use, COUNT);
	KEXPECT_UGE(t, stats.objects_total, COUNT);
	KEXPECT_UGE(t, stats.bytes_used, COUNT * 256);
	KEXPECT_UGE(t, before - buddy_free_pages(&a->mem.buddy), COUNT * 256 / PAGE_SIZE);
	CHECK(t, cache);
	for (unsigned int i = 0; i < COUNT; i++) {
		kmem_cache_free(cache, objects[i]);
		if (i % 16 == 15)
			CHECK(t, cache);
	}
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	kmem_cache_shrink(cache);
	CHECK(t, cache);
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.slabs, 0);
	KEXPECT_EQ(t, stats.empty, 0);
	KEXPECT_EQ(t, stats.partial, 0);
	KEXPECT_UEQ(t, stats.bytes_used, 0);
	KEXPECT_UEQ(t, settled_free_pages(a), before);
	/* Still usable after a shrink. */
	objects[0] = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, objects[0]);
	KEXPECT_UGE(t, stats_of(cache).slabs, 1);
	kmem_cache_free(cache, objects[0]);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* Statistics follow allocations and frees, and slabinfo shows every cache. */
static void test_statistics_and_slabinfo(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "stats-328", 328, 0, SLAB_HWCACHE_ALIGN, NULL);
	void *objects[25];
	struct slab_stats stats;

	for (int i = 0; i < 25; i++)
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
	for (int i = 0; i < 10; i++)
		kmem_cache_free(cache, objects[i]);
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.objects_in_use, 15);
	KEXPECT_UGE(t, stats.slabs, 1);
	KEXPECT_UGE(t, stats.objects_total, 15);
	KEXPECT_UGE(t, stats.stride, 328);
	KEXPECT_UGE(t, stats.bytes_used, 15 * 328);
	KEXPECT_UEQ(t, stats.allocations, 25);
	KEXPECT_UEQ(t, stats.frees, 10);
	KEXPECT_UEQ(t, stats.bad_frees, 0);
	capture_start();
	slab_print_info(&a->slab);
	capture_stop();
	KEXPECT_REPORTED(t, "stats-328");
#if SLAB_BACKEND_KMALLOC_CACHES
	KEXPECT_REPORTED(t, "kmalloc-96");
	KEXPECT_REPORTED(t, "kmalloc-8192");
#endif
	KEXPECT_REPORTED(t, "kmem_cache");
	for (int i = 10; i < 25; i++)
		kmem_cache_free(cache, objects[i]);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* slab_debug=: letters, "-", a cache glob, and malformed values. */
static void test_slab_debug_parameter(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, "ZP,mine-6*");
	struct kmem_cache *mine, *other;

	mine = make_cache(t, a, "mine-64", 64, 0, 0, NULL);
	other = make_cache(t, a, "other", 64, 0, SLAB_STORE_USER, NULL);
	KEXPECT_UEQ(t, mine->flags & SLAB_DEBUG_FLAGS, SLAB_RED_ZONE | SLAB_POISON);
	KEXPECT_UEQ(t, other->flags & SLAB_DEBUG_FLAGS, SLAB_STORE_USER);
#if SLAB_BACKEND_KMALLOC_CACHES
	KEXPECT_UEQ(t, kmalloc_cache(a, 32)->flags & SLAB_DEBUG_FLAGS, 0);
#endif
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, mine));
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, other));
	slab_arena_destroy(a);

	a = slab_arena_create(t, "");
#if SLAB_BACKEND_KMALLOC_CACHES
	KEXPECT_UEQ(t, kmalloc_cache(a, 8)->flags & SLAB_DEBUG_FLAGS, SLAB_DEBUG_FLAGS);
#endif
	KEXPECT_UEQ(t, a->slab.cache_cache.flags & SLAB_DEBUG_FLAGS, SLAB_DEBUG_FLAGS);
	KEXPECT_TRUE(t, slab_parse_debug(&a->slab, "-"));
	KEXPECT_UEQ(t, a->slab.forced_debug, 0);
	KEXPECT_TRUE(t, slab_parse_debug(&a->slab, "fu"));
	KEXPECT_UEQ(t, a->slab.forced_debug, SLAB_CONSISTENCY_CHECKS | SLAB_STORE_USER);
	KEXPECT_NULL(t, a->slab.forced_debug_glob);
	KEXPECT_FALSE(t, slab_parse_debug(&a->slab, "FX"));
	KEXPECT_FALSE(t, slab_parse_debug(&a->slab, "1"));
	slab_arena_destroy(a);
}

KTEST_SUITE_FULL(slab_cache, NULL, arena_suite_exit,
		 KTEST_CASE(test_explicit_alignment),
		 KTEST_CASE(test_bad_create_arguments),
		 KTEST_CASE(test_hwcache_align),
		 KTEST_CASE(test_ctor_state_on_every_allocation),
		 KTEST_CASE(test_zalloc_and_size),
		 KTEST_CASE(test_bulk_alloc_and_free),
		 KTEST_CASE(test_shrink_returns_empty_slabs),
		 KTEST_CASE(test_statistics_and_slabinfo),
		 KTEST_CASE(test_slab_debug_parameter));
