// SPDX-License-Identifier: MIT
/*
 * SLUB's internals on the host (built with SLAB_BACKEND=slub only; the
 * conformance suites test_slab_*.c hold what every back-end must do):
 * its object layout and slab sizes, constructors run once per object when
 * a slab is made, the empty slabs a cache keeps, its statistics' exact
 * figures, double frees found anywhere on a slab's free list, the
 * hardened free pointer (on the fast path's test and on bulk allocation),
 * and the exact bytes its red-zone and poison reports name.
 */
#include <stdio.h>
#include <string.h>

#include <asm/cpu.h>
#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <slab.h>

#include "host_support.h"
#include "slab_arena.h"

#include "../common/byte_patterns.h"

/* What must hold after every reported misuse: the cache checks out and still works. */
static void expect_still_works(struct ktest *t, struct slab_arena *a, struct kmem_cache *cache)
{
	void *objects[40];

	CHECK(t, cache);
	for (int i = 0; i < 40; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		fill(objects[i], cache->object_size, (uint8_t)i);
	}
	for (int i = 0; i < 40; i++) {
		KEXPECT_TRUE(t, holds(objects[i], cache->object_size, (uint8_t)i));
		kmem_cache_free(cache, objects[i]);
	}
	check_all(t, a);
}

/* SLAB_HWCACHE_ALIGN: the textbook 328-byte object takes the smallest 64-byte-aligned slot, ten to a page. */
static void test_layout_of_hwcache_aligned_objects(struct ktest *t)
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

/*
 * Frees keep at most max_empty empty slabs besides the CPU's (8 for
 * 256-byte objects); shrink gives every empty slab back to the buddy,
 * whichever list it sits on.  Objects are freed slab by slab, oldest
 * first, so the CPU slab empties last, while max_empty empty slabs
 * already wait on the partial list.
 */
static void test_frees_keep_max_empty_slabs(struct ktest *t)
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
	KASSERT_EQ(t, cache->backend.max_empty, 8);
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

/* The statistics of a 328-byte SLAB_HWCACHE_ALIGN cache: SLUB's exact figures. */
static void test_statistics_figures(struct ktest *t)
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
	for (int i = 10; i < 25; i++)
		kmem_cache_free(cache, objects[i]);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * A cache without debugging catches the naive double free -- the object
 * freed twice in a row -- whether its slab is the CPU's or another one.
 */
static void test_naive_double_free_on_any_slab(struct ktest *t)
{
	static void *objects[MAX_TEST_OBJECTS];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "plain", 128, 0, 0, NULL);
	uint64_t reports = a->slab.reports;
	unsigned int per_slab = slab_objects_per_slab(cache);
	void *object = kmem_cache_alloc(cache, GFP_KERNEL);

	/* On the CPU slab. */
	KASSERT_NOT_NULL(t, object);
	kmem_cache_free(cache, object);
	capture_start();
	kmem_cache_free(cache, object);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache plain");
	KEXPECT_UEQ(t, cache->bad_frees, 1);
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	expect_still_works(t, a, cache);

	/* On a slab that is not the CPU's: fill one slab, start a second. */
	for (unsigned int i = 0; i <= per_slab; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
	}
	KASSERT_TRUE(t, block_of(a, objects[0]) != block_of(a, objects[per_slab]));
	kmem_cache_free(cache, objects[0]);
	capture_start();
	kmem_cache_free(cache, objects[0]);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache plain");
	KEXPECT_UEQ(t, cache->bad_frees, 2);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, per_slab);
	/* Empty that slab; an object of an empty slab freed again is a double free too. */
	for (unsigned int i = 1; i < per_slab; i++)
		kmem_cache_free(cache, objects[i]);
	CHECK(t, cache);
	capture_start();
	kmem_cache_free(cache, objects[1]);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache plain");
	KEXPECT_UEQ(t, cache->bad_frees, 3);
	KEXPECT_UEQ(t, a->slab.reports, reports + 3);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 1);
	kmem_cache_free(cache, objects[per_slab]);
	expect_still_works(t, a, cache);
	KEXPECT_UEQ(t, a->slab.reports, reports + 3);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * A free pointer overwritten while its object is free (a write after
 * free) is found when the object is allocated: reported, and the rest of
 * that free list is given up rather than followed.  The objects given up
 * stay counted as in use, so destroy reports them.
 */
static void test_corrupted_free_pointer(struct ktest *t)
{
	static const slab_flags_t flag_sets[] = { 0, SLAB_CONSISTENCY_CHECKS, SLAB_POISON, SLAB_RED_ZONE,
						  SLAB_DEBUG_FLAGS };
	struct slab_arena *a = slab_arena_create(t, NULL);

	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
		struct kmem_cache *cache = make_cache(t, a, "corrupt", 64, 0, flag_sets[f], NULL);
		uint8_t *first = kmem_cache_alloc(cache, GFP_KERNEL);
		uint8_t *second = kmem_cache_alloc(cache, GFP_KERNEL);
		uint8_t *third = kmem_cache_alloc(cache, GFP_KERNEL);
		uint64_t reports = a->slab.reports;
		void *again, *next;
		bool destroyed;

		printk("        # flags %#x\n", flag_sets[f]);
		KASSERT_NOT_NULL(t, third);
		kmem_cache_free(cache, third);
		kmem_cache_free(cache, second);
		/* second heads the free list; its free pointer leads to third. */
		*(uint64_t *)(second + cache->backend.free_offset) = 0x4141414141414141ull;
		capture_start();
		again = kmem_cache_alloc(cache, GFP_KERNEL);
		capture_stop();
		KEXPECT_PTR_EQ(t, again, second);
		KEXPECT_REPORTED(t, "corrupted free pointer");
		KEXPECT_REPORTED(t, "cache corrupt");
		KEXPECT_UEQ(t, a->slab.reports, reports + 1);
		CHECK(t, cache);
		next = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, next);
		KEXPECT_PTR_NE(t, next, second);
		KEXPECT_PTR_NE(t, next, first);
		KEXPECT_TRUE(t, in_arena(a, next));
		CHECK(t, cache);
		kmem_cache_free(cache, next);
		kmem_cache_free(cache, again);
		kmem_cache_free(cache, first);
		expect_still_works(t, a, cache);
		KEXPECT_UEQ(t, a->slab.reports, reports + 1);
		/* The objects given up are a leak, reported by destroy. */
		capture_start();
		destroyed = slab_cache_destroy(&a->slab, cache);
		capture_stop();
		KEXPECT_FALSE(t, destroyed);
		KEXPECT_REPORTED(t, "objects still in use");
	}
	slab_arena_destroy(a);
}

/* Red zones: an overflow or underflow is reported on free with the byte found. */
static void test_red_zone_reports_name_the_byte(struct ktest *t)
{
	static const unsigned int sizes[] = { 13, 40, 64, 100 };
	static const slab_flags_t flag_sets[] = {
		SLAB_RED_ZONE, SLAB_RED_ZONE | SLAB_POISON, SLAB_RED_ZONE | SLAB_STORE_USER,
		SLAB_RED_ZONE | SLAB_CONSISTENCY_CHECKS,
	};
	struct slab_arena *a = slab_arena_create(t, NULL);

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
		for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
			struct kmem_cache *cache = make_cache(t, a, "zone", sizes[s], 0, flag_sets[f],
							      NULL);
			unsigned int size = sizes[s];
			uint8_t *object = kmem_cache_alloc(cache, GFP_KERNEL);
			uint64_t reports = a->slab.reports;
			char expected[96];
			void *again;

			printk("        # size %u flags %#x\n", size, flag_sets[f]);
			KASSERT_NOT_NULL(t, object);
			memset(object, 0x11, size);
			/* The validator sees an overwritten zone on a live object. */
			object[size] = 0x41;
			KEXPECT_STREQ(t, slab_check(cache), "red zone overwritten");
			capture_start();
			kmem_cache_free(cache, object);
			capture_stop();
			KEXPECT_REPORTED(t, "red zone after");
			KEXPECT_REPORTED(t, "cache zone");
			snprintf(expected, sizeof(expected), "byte at offset %u is 0x41, expected 0xcc", size);
			KEXPECT_REPORTED(t, expected);
			KEXPECT_UEQ(t, a->slab.reports, reports + 1);
			KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
			CHECK(t, cache);

			object = kmem_cache_alloc(cache, GFP_KERNEL);
			KASSERT_NOT_NULL(t, object);
			object[-1] = 0x42;
			capture_start();
			kmem_cache_free(cache, object);
			capture_stop();
			KEXPECT_REPORTED(t, "red zone before");
			KEXPECT_REPORTED(t, "byte at offset -1 is 0x42, expected 0xcc");
			KEXPECT_UEQ(t, a->slab.reports, reports + 2);
			CHECK(t, cache);

			/* Overwritten while free: found on the next allocation of the object. */
			object[size + 1] = 0x43;
			KEXPECT_STREQ(t, slab_check(cache), "red zone overwritten");
			capture_start();
			again = kmem_cache_alloc(cache, GFP_KERNEL);
			capture_stop();
			KEXPECT_PTR_EQ(t, again, object);
			KEXPECT_REPORTED(t, "red zone after overwritten while free");
			KEXPECT_REPORTED(t, "is 0x43, expected 0xbb");
			KEXPECT_UEQ(t, a->slab.reports, reports + 3);
			kmem_cache_free(cache, object);
			expect_still_works(t, a, cache);
			KEXPECT_UEQ(t, a->slab.reports, reports + 3);
			KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
		}
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* Poisoning: a write after free is found by the validator and on the next allocation. */
static void test_poison_reports_name_the_byte(struct ktest *t)
{
	static const slab_flags_t flag_sets[] = {
		SLAB_POISON, SLAB_POISON | SLAB_RED_ZONE, SLAB_POISON | SLAB_STORE_USER,
	};
	struct slab_arena *a = slab_arena_create(t, NULL);

	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
		struct kmem_cache *cache = make_cache(t, a, "poisoned", 100, 0, flag_sets[f], NULL);
		uint8_t *object = kmem_cache_alloc(cache, GFP_KERNEL);
		uint64_t reports = a->slab.reports;
		void *again;

		printk("        # flags %#x\n", flag_sets[f]);
		KASSERT_NOT_NULL(t, object);
		memset(object, 0x11, 100);
		kmem_cache_free(cache, object);
		KEXPECT_TRUE(t, all_bytes(object, 99, POISON_FREE));
		KEXPECT_EQ(t, object[99], POISON_END);
		CHECK(t, cache);
		object[5] = 0x00;
		KEXPECT_STREQ(t, slab_check(cache), "free object's poison overwritten");
		capture_start();
		again = kmem_cache_alloc(cache, GFP_KERNEL);
		capture_stop();
		KEXPECT_PTR_EQ(t, again, object);
		KEXPECT_REPORTED(t, "write after free: cache poisoned");
		KEXPECT_REPORTED(t, "byte at offset 5 is 0x00, expected 0x6b");
		if (flag_sets[f] & SLAB_STORE_USER)
			KEXPECT_REPORTED(t, "last freed by 0x");
		KEXPECT_UEQ(t, a->slab.reports, reports + 1);
		CHECK(t, cache);

		/* The end marker is checked too. */
		kmem_cache_free(cache, object);
		object[99] = 0x6b;
		capture_start();
		again = kmem_cache_alloc(cache, GFP_KERNEL);
		capture_stop();
		KEXPECT_PTR_EQ(t, again, object);
		KEXPECT_REPORTED(t, "byte at offset 99 is 0x6b, expected 0xa5");
		KEXPECT_UEQ(t, a->slab.reports, reports + 2);
		kmem_cache_free(cache, object);
		expect_still_works(t, a, cache);
		KEXPECT_UEQ(t, a->slab.reports, reports + 2);
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	}
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * SLAB_STORE_USER: the two tracks after the object hold who allocated and
 * freed it and when (TSC), in that order, both before now.
 */
static void test_tracks_hold_real_times(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "tracked", 64, 0, SLAB_STORE_USER, NULL);
	uint64_t started = rdtsc();
	uint8_t *object = kmem_cache_alloc(cache, GFP_KERNEL);
	const struct slab_track *tracks;

	KASSERT_NOT_NULL(t, object);
	tracks = (const void *)(object + cache->backend.track_offset);
	KEXPECT_ULE(t, started, tracks[0].when);
	KEXPECT_UEQ(t, tracks[1].when, 0);
	kmem_cache_free(cache, object);
	KEXPECT_ULE(t, tracks[0].when, tracks[1].when);
	KEXPECT_ULE(t, tracks[1].when, rdtsc());
	KEXPECT_PTR_NE(t, tracks[0].caller, NULL);
	KEXPECT_PTR_NE(t, tracks[1].caller, NULL);
	capture_start();
	kmem_cache_free(cache, object);
	capture_stop();
	KEXPECT_REPORTED(t, "TSC cycles ago");
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	a->slab.reports = 0;
	expect_all_returned(t, a);
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

/*
 * Bulk allocation takes the free objects of whole partial slabs at once;
 * a corrupted free pointer on such a chain is reported there and not
 * followed: every object handed out is a distinct object of the cache,
 * the rest of that chain is given up (a leak destroy reports), and the
 * cache goes on working.
 */
static void test_corrupted_free_pointer_in_bulk(struct ktest *t)
{
	static void *objects[MAX_TEST_OBJECTS];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "corrupt-bulk", 64, 0, 0, NULL);
	unsigned int per_slab = slab_objects_per_slab(cache), count = 2 * per_slab;
	uint64_t reports = a->slab.reports;
	unsigned long foreign = 0, repeated = 0;
	bool destroyed;

	KASSERT_TRUE(t, count <= MAX_TEST_OBJECTS);
	/* Two full slabs; the second is the CPU's.  The first, freed, becomes an empty partial slab. */
	for (unsigned int i = 0; i < count; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
	}
	for (unsigned int i = 0; i < per_slab; i++)
		kmem_cache_free(cache, objects[i]);
	/* Its chain starts at the object freed last; its second link now leads anywhere. */
	*(uint64_t *)((uint8_t *)objects[per_slab - 2] + cache->backend.free_offset) ^= 0x4141414141414141ull;
	capture_start();
	KASSERT_EQ(t, kmem_cache_alloc_bulk(cache, GFP_KERNEL, per_slab, objects), per_slab);
	capture_stop();
	KEXPECT_REPORTED(t, "corrupted free pointer");
	KEXPECT_REPORTED(t, "cache corrupt-bulk");
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	for (unsigned int i = 0; i < per_slab; i++) {
		foreign += !in_arena(a, objects[i]) || slab_cache_of(&a->slab, objects[i]) != cache;
		for (unsigned int j = 0; j < i; j++)
			repeated += objects[i] == objects[j];
	}
	KEXPECT_UEQ(t, foreign, 0);
	KEXPECT_UEQ(t, repeated, 0);
	CHECK(t, cache);
	kmem_cache_free_bulk(cache, per_slab, objects);
	for (unsigned int i = per_slab; i < count; i++)
		kmem_cache_free(cache, objects[i]);
	CHECK(t, cache);
	expect_still_works(t, a, cache);
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	capture_start();
	destroyed = slab_cache_destroy(&a->slab, cache);
	capture_stop();
	KEXPECT_FALSE(t, destroyed);
	KEXPECT_REPORTED(t, "objects still in use");
	slab_arena_destroy(a);
}

KTEST_SUITE_FULL(slub_internals, NULL, arena_suite_exit,
		 KTEST_CASE(test_layout_of_hwcache_aligned_objects),
		 KTEST_CASE(test_ctor_runs_once_per_object),
		 KTEST_CASE(test_frees_keep_max_empty_slabs),
		 KTEST_CASE(test_statistics_figures),
		 KTEST_CASE(test_naive_double_free_on_any_slab),
		 KTEST_CASE(test_corrupted_free_pointer),
		 KTEST_CASE(test_corrupted_free_pointer_in_bulk),
		 KTEST_CASE(test_object_at_matches_division),
		 KTEST_CASE(test_red_zone_reports_name_the_byte),
		 KTEST_CASE(test_poison_reports_name_the_byte),
		 KTEST_CASE(test_tracks_hold_real_times));
