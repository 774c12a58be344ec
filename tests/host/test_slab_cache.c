// SPDX-License-Identifier: MIT
/*
 * Slab caches: alignment, SLAB_HWCACHE_ALIGN, constructors, zeroing, bulk
 * allocation, shrinking, destruction, statistics and slab_debug=.
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

/* SLAB_HWCACHE_ALIGN: the textbook 328-byte object takes the smallest 64-byte-aligned slot. */
static void test_hwcache_align(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "hwcache-328", 328, 0, SLAB_HWCACHE_ALIGN, NULL);
	struct kmem_cache *small = make_cache(t, a, "hwcache-33", 33, 0, SLAB_HWCACHE_ALIGN, NULL);
	void *objects[40];

	KEXPECT_EQ(t, cache->backend.stride, 384);
	KEXPECT_EQ(t, cache->backend.order, 0);
	KEXPECT_EQ(t, slab_objects_per_slab(cache), 10);
	KEXPECT_EQ(t, small->backend.stride, 64);
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
 * The constructor runs on every object of a slab when the slab is made,
 * never on allocation or reuse; a free object keeps its constructed
 * state (the free pointer sits outside it), so a reused object needs no
 * new constructor call.
 */
static void test_ctor_runs_once_per_object(struct ktest *t)
{
	static void *objects[MAX_TEST_OBJECTS];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache;
	unsigned int per_slab;

	ctor_calls = 0;
	cache = make_cache(t, a, "ctor", CTOR_SIZE, 0, SLAB_POISON, test_ctor);
	per_slab = slab_objects_per_slab(cache);
	KEXPECT_EQ(t, ctor_calls, 0);
	/* A constructed object must keep its state while free: no poisoning. */
	KEXPECT_FALSE(t, cache->flags & SLAB_POISON);
	KEXPECT_UGE(t, cache->backend.free_offset, CTOR_SIZE);

	objects[0] = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, objects[0]);
	KEXPECT_UEQ(t, ctor_calls, per_slab);
	for (unsigned int i = 1; i < per_slab; i++)
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
	KEXPECT_UEQ(t, ctor_calls, per_slab);
	for (unsigned int i = 0; i < per_slab; i++) {
		KASSERT_NOT_NULL(t, objects[i]);
		KEXPECT_TRUE(t, all_bytes(objects[i], CTOR_SIZE, CTOR_BYTE));
	}
	/* Reuse: free every object and allocate them again. */
	for (unsigned int i = 0; i < per_slab; i++)
		kmem_cache_free(cache, objects[i]);
	for (unsigned int i = 0; i < per_slab; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		KEXPECT_TRUE(t, all_bytes(objects[i], CTOR_SIZE, CTOR_BYTE));
	}
	KEXPECT_UEQ(t, ctor_calls, per_slab);
	/* One more object needs a second slab: per_slab more calls. */
	objects[per_slab] = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, objects[per_slab]);
	KEXPECT_UEQ(t, ctor_calls, 2 * per_slab);
	for (unsigned int i = 0; i <= per_slab; i++)
		kmem_cache_free(cache, objects[i]);
	CHECK(t, cache);
	/* Slabs given back and made again are constructed again. */
	kmem_cache_shrink(cache);
	KEXPECT_EQ(t, stats_of(cache).slabs, 0);
	objects[0] = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, objects[0]);
	KEXPECT_UEQ(t, ctor_calls, 3 * per_slab);
	kmem_cache_free(cache, objects[0]);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
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
	KEXPECT_UEQ(t, slab_ksize(&a->slab, object), 200);
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
 * Frees keep at most max_empty empty slabs besides the CPU's; shrink
 * gives every empty slab back to the buddy, whichever list it sits on.
 * Objects are freed slab by slab, oldest first, so the CPU slab empties
 * last, while max_empty empty slabs already wait on the partial list.
 */
static void test_shrink_returns_empty_slabs(struct ktest *t)
{
	static void *objects[MAX_TEST_OBJECTS];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "shrink", 256, 0, 0, NULL);
	uint64_t before = settled_free_pages(a);
	const unsigned int slabs = cache->backend.max_empty + 3;
	unsigned int count = slabs * 16;
	struct slab_stats stats;

	KASSERT_EQ(t, slab_objects_per_slab(cache), 16);
	KASSERT_EQ(t, cache->backend.order, 0);
	KASSERT_TRUE(t, count <= MAX_TEST_OBJECTS);
	for (unsigned int i = 0; i < count; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
	}
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.slabs, slabs);
	KEXPECT_EQ(t, stats.objects_in_use, count);
	KEXPECT_EQ(t, stats.objects_total, count);
	KEXPECT_UEQ(t, buddy_free_pages(&a->mem.buddy), before - slabs);
	CHECK(t, cache);
	for (unsigned int i = 0; i < count; i++) {
		kmem_cache_free(cache, objects[i]);
		if (i % 16 == 15)
			CHECK(t, cache);
	}
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.objects_in_use, 0);
	KEXPECT_EQ(t, stats.empty, cache->backend.max_empty);
	KEXPECT_EQ(t, stats.slabs, cache->backend.max_empty + 1); /* the empty ones kept, and the CPU's */
	kmem_cache_shrink(cache);
	CHECK(t, cache);
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.slabs, 0);
	KEXPECT_EQ(t, stats.empty, 0);
	KEXPECT_EQ(t, stats.partial, 0);
	KEXPECT_UEQ(t, buddy_free_pages(&a->mem.buddy), before);
	/* Still usable after a shrink. */
	objects[0] = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, objects[0]);
	KEXPECT_EQ(t, stats_of(cache).slabs, 1);
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
	KEXPECT_EQ(t, stats.objects_per_slab, 10);
	KEXPECT_EQ(t, stats.stride, 384);
	KEXPECT_EQ(t, stats.slabs, 3);
	KEXPECT_UEQ(t, stats.bytes_used, 3 * PAGE_SIZE);
	KEXPECT_UEQ(t, stats.allocations, 25);
	KEXPECT_UEQ(t, stats.frees, 10);
	KEXPECT_UEQ(t, stats.bad_frees, 0);
	capture_start();
	slab_print_info(&a->slab);
	capture_stop();
	KEXPECT_REPORTED(t, "stats-328");
	KEXPECT_REPORTED(t, "kmalloc-96");
	KEXPECT_REPORTED(t, "kmalloc-8192");
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
	struct slab_arena *a = slab_arena_create(t, "ZP,kmalloc-6*");
	struct kmem_cache *mine;

	KEXPECT_UEQ(t, kmalloc_cache(a, 64)->flags & SLAB_DEBUG_FLAGS, SLAB_RED_ZONE | SLAB_POISON);
	KEXPECT_UEQ(t, kmalloc_cache(a, 32)->flags & SLAB_DEBUG_FLAGS, 0);
	mine = make_cache(t, a, "mine", 64, 0, SLAB_STORE_USER, NULL);
	KEXPECT_UEQ(t, mine->flags & SLAB_DEBUG_FLAGS, SLAB_STORE_USER);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, mine));
	slab_arena_destroy(a);

	a = slab_arena_create(t, "");
	KEXPECT_UEQ(t, kmalloc_cache(a, 8)->flags & SLAB_DEBUG_FLAGS, SLAB_DEBUG_FLAGS);
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

/*
 * The fast paths' one test -- is an address an object's start in the slab
 * whose first object is at first? (slub_object_at, a multiplication by
 * the stride's odd part's inverse and a rotation) -- agrees with plain
 * division for every byte of a slab and around it, and for addresses far
 * off and below, on caches whose strides are odd multiples of 8, powers of
 * two and red-zoned.
 */
static void test_object_at_matches_division(struct ktest *t)
{
	static const struct { unsigned int size, align; slab_flags_t flags; } shapes[] = {
		{ 8, 0, 0 }, { 24, 0, 0 }, { 64, 0, 0 }, { 96, 32, 0 }, { 328, 0, SLAB_HWCACHE_ALIGN },
		{ 1000, 0, 0 }, { 3000, 0, 0 }, { 4096, 4096, 0 }, { 40, 0, SLAB_RED_ZONE },
	};
	struct slab_arena *a = slab_arena_create(t, NULL);

	for (size_t i = 0; i < ARRAY_SIZE(shapes); i++) {
		struct kmem_cache *cache = make_cache(t, a, "object-at", shapes[i].size, shapes[i].align,
						      shapes[i].flags, NULL);
		unsigned int stride = cache->backend.stride, objects = cache->backend.objects;
		uint64_t slab_bytes = PAGE_SIZE << cache->backend.order;
		uintptr_t first = (uintptr_t)a->mem.memory + 16 * slab_bytes + cache->backend.red_left;
		static const int64_t far[] = { INT64_MIN, -(int64_t)PAGE_SIZE, -8, 1ll << 40, INT64_MAX };
		unsigned long mismatches = 0;

		for (int64_t offset = -2 * (int64_t)stride; offset < (int64_t)(slab_bytes + 2 * stride);
		     offset++) {
			bool expected = offset >= 0 && offset % stride == 0 &&
					(uint64_t)offset / stride < objects;

			mismatches += slub_object_at(cache, first, (void *)(first + offset)) != expected;
		}
		KEXPECT_UEQ(t, mismatches, 0);
		for (size_t f = 0; f < ARRAY_SIZE(far); f++)
			KEXPECT_FALSE(t, slub_object_at(cache, first, (void *)(first + far[f])));
		KEXPECT_FALSE(t, slub_object_at(cache, first, NULL));
		KEXPECT_FALSE(t, slub_object_at(cache, SLUB_NO_CPU_SLAB, NULL));
		KEXPECT_FALSE(t, slub_object_at(cache, SLUB_NO_CPU_SLAB, (void *)first));
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	}
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

KTEST_SUITE_FULL(slab_cache, NULL, arena_suite_exit,
		 KTEST_CASE(test_explicit_alignment),
		 KTEST_CASE(test_bad_create_arguments),
		 KTEST_CASE(test_hwcache_align),
		 KTEST_CASE(test_ctor_runs_once_per_object),
		 KTEST_CASE(test_zalloc_and_size),
		 KTEST_CASE(test_bulk_alloc_and_free),
		 KTEST_CASE(test_shrink_returns_empty_slabs),
		 KTEST_CASE(test_statistics_and_slabinfo),
		 KTEST_CASE(test_slab_debug_parameter),
		 KTEST_CASE(test_object_at_matches_division));
