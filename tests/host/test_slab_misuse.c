// SPDX-License-Identifier: MIT
/*
 * Slab wrong use, for any back-end: each kind must be reported (counters
 * and the common texts of mm/slab.h and mm/slab_backend.h) and leave an
 * allocator that still works.  SLUB's own cases (its free pointer, the
 * exact bytes its reports name): test_slub.c.
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

/*
 * Allocate from @cache until @object comes back (a back-end need not hand
 * out the object freed last first), keeping the others aside, then free
 * them.  Return: @object, or NULL if it did not come back.
 */
static void *allocate_again(struct kmem_cache *cache, const void *object)
{
	static void *others[MAX_TEST_OBJECTS];
	unsigned int count = 0;
	void *found = NULL;

	while (count < MAX_TEST_OBJECTS) {
		void *next = kmem_cache_alloc(cache, GFP_KERNEL);

		if (!next || next == object) {
			found = next;
			break;
		}
		others[count++] = next;
	}
	while (count)
		kmem_cache_free(cache, others[--count]);
	return found;
}

/* SLAB_CONSISTENCY_CHECKS finds any double free, not only the latest; so does a red zone. */
static void test_double_free_on_debug_caches(struct ktest *t)
{
	static const slab_flags_t flag_sets[] = {
		SLAB_CONSISTENCY_CHECKS, SLAB_RED_ZONE,
		SLAB_CONSISTENCY_CHECKS | SLAB_STORE_USER | SLAB_POISON | SLAB_RED_ZONE,
	};
	struct slab_arena *a = slab_arena_create(t, NULL);

	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
		struct kmem_cache *cache = make_cache(t, a, "debug-double", 64, 0, flag_sets[f], NULL);
		void *first = kmem_cache_alloc(cache, GFP_KERNEL);
		void *second = kmem_cache_alloc(cache, GFP_KERNEL);
		void *third = kmem_cache_alloc(cache, GFP_KERNEL);
		uint64_t reports = a->slab.reports;

		printk("        # flags %#x\n", flag_sets[f]);
		KASSERT_NOT_NULL(t, first);
		KASSERT_NOT_NULL(t, third);
		kmem_cache_free(cache, first);
		kmem_cache_free(cache, second);
		/* first is not the most recently freed object any more. */
		capture_start();
		kmem_cache_free(cache, first);
		capture_stop();
		KEXPECT_REPORTED(t, "double free: cache debug-double");
		if (flag_sets[f] & SLAB_STORE_USER) {
			KEXPECT_REPORTED(t, "last allocated by 0x");
			KEXPECT_REPORTED(t, "last freed by 0x");
		}
		KEXPECT_UEQ(t, cache->bad_frees, 1);
		KEXPECT_UEQ(t, a->slab.reports, reports + 1);
		KEXPECT_EQ(t, stats_of(cache).objects_in_use, 1);
		/* Neither object is handed out twice. */
		{
			void *again = kmem_cache_alloc(cache, GFP_KERNEL);
			void *more = kmem_cache_alloc(cache, GFP_KERNEL);
			void *yet = kmem_cache_alloc(cache, GFP_KERNEL);

			KASSERT_NOT_NULL(t, yet);
			KEXPECT_PTR_NE(t, again, more);
			KEXPECT_PTR_NE(t, yet, more);
			KEXPECT_PTR_NE(t, yet, again);
			KEXPECT_PTR_NE(t, yet, third);
			kmem_cache_free(cache, again);
			kmem_cache_free(cache, more);
			kmem_cache_free(cache, yet);
		}
		kmem_cache_free(cache, third);
		expect_still_works(t, a, cache);
		KEXPECT_UEQ(t, a->slab.reports, reports + 1);
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	}
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * A cache without debugging catches the naive double free -- the object
 * freed twice in a row -- both for a fresh cache and for one whose
 * objects fill several slabs.
 */
static void test_naive_double_free(struct ktest *t)
{
	enum { COUNT = 200 };
	static void *objects[COUNT];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "plain", 128, 0, 0, NULL);
	uint64_t reports = a->slab.reports;
	void *object = kmem_cache_alloc(cache, GFP_KERNEL);

	KASSERT_NOT_NULL(t, object);
	kmem_cache_free(cache, object);
	capture_start();
	kmem_cache_free(cache, object);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache plain");
	KEXPECT_UEQ(t, cache->bad_frees, 1);
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	expect_still_works(t, a, cache);

	/* The oldest of many objects, freed twice in a row. */
	for (unsigned int i = 0; i < COUNT; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
	}
	kmem_cache_free(cache, objects[0]);
	capture_start();
	kmem_cache_free(cache, objects[0]);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache plain");
	KEXPECT_UEQ(t, cache->bad_frees, 2);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, COUNT - 1);
	for (unsigned int i = 1; i < COUNT; i++)
		kmem_cache_free(cache, objects[i]);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	expect_still_works(t, a, cache);
	KEXPECT_UEQ(t, a->slab.reports, reports + 2);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* Pointers no cache handed out: outside the arena, in a free page, in a large kmalloc block. */
static void test_free_of_foreign_pointers(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "victim", 64, 0, SLAB_CONSISTENCY_CHECKS, NULL);
	void *live = kmem_cache_alloc(cache, GFP_KERNEL);
	uint8_t *large = arena_kmalloc(a, 3 * PAGE_SIZE, GFP_KERNEL);
	struct page *free_page = buddy_alloc(&a->mem.buddy, GFP_KERNEL, 0, NULL);
	uint8_t *free_memory;
	uint64_t on_stack = 0;
	uint64_t reports = a->slab.reports;

	KASSERT_NOT_NULL(t, live);
	KASSERT_NOT_NULL(t, large);
	KASSERT_NOT_NULL(t, free_page);
	free_memory = buddy_page_address(&a->mem.buddy, free_page);
	KASSERT_TRUE(t, buddy_free(&a->mem.buddy, free_page, 0, NULL));

	capture_start();
	kmem_cache_free(cache, &on_stack);
	kmem_cache_free(cache, free_memory + 64);
	kmem_cache_free(cache, large);
	kmem_cache_free(cache, a->mem.memory + ARENA_BYTES + 4096);
	capture_stop();
	KEXPECT_REPORTED(t, "free of a pointer no cache handed out: cache victim");
	KEXPECT_UEQ(t, cache->bad_frees, 4);
	KEXPECT_UEQ(t, a->slab.reports, reports + 4);

	/* kfree of the same. */
	capture_start();
	arena_kfree(a, &on_stack);
	arena_kfree(a, free_memory);
	arena_kfree(a, large + PAGE_SIZE);     /* inside a large block, not its start */
	arena_kfree(a, large + 8);
	capture_stop();
	KEXPECT_REPORTED(t, "was not allocated by kmalloc");
	KEXPECT_UEQ(t, a->slab.reports, reports + 8);
	/* The large block is intact and frees normally, once. */
	KEXPECT_UEQ(t, slab_ksize(&a->slab, large), 4 * PAGE_SIZE);
	arena_kfree(a, large);
	capture_start();
	arena_kfree(a, large);
	capture_stop();
	KEXPECT_UEQ(t, a->slab.reports, reports + 9);

	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 1);
	kmem_cache_free(cache, live);
	expect_still_works(t, a, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

static void test_free_into_wrong_cache(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *owner = make_cache(t, a, "owner", 64, 0, 0, NULL);
	struct kmem_cache *other = make_cache(t, a, "other", 64, 0, 0, NULL);
	void *object = kmem_cache_alloc(owner, GFP_KERNEL);
	void *kmalloc_object = arena_kmalloc(a, 64, GFP_KERNEL);
	uint64_t reports = a->slab.reports;

	KASSERT_NOT_NULL(t, object);
	KASSERT_NOT_NULL(t, kmalloc_object);
	fill(object, 64, 9);
	capture_start();
	kmem_cache_free(other, object);
	capture_stop();
	KEXPECT_REPORTED(t, "free into the wrong cache: cache other");
	KEXPECT_REPORTED(t, "the object belongs to cache owner");
	capture_start();
	kmem_cache_free(other, kmalloc_object);
	capture_stop();
#if SLAB_BACKEND_KMALLOC_CACHES
	KEXPECT_REPORTED(t, "the object belongs to cache kmalloc-64");
#endif
	KEXPECT_UEQ(t, other->bad_frees, 2);
	KEXPECT_UEQ(t, owner->bad_frees, 0);
	KEXPECT_UEQ(t, a->slab.reports, reports + 2);
	/* Nothing moved: the object is still live in its own cache, contents intact. */
	KEXPECT_EQ(t, stats_of(owner).objects_in_use, 1);
	KEXPECT_EQ(t, stats_of(other).objects_in_use, 0);
	KEXPECT_TRUE(t, holds(object, 64, 9));
	kmem_cache_free(owner, object);
	arena_kfree(a, kmalloc_object);
	expect_still_works(t, a, owner);
	expect_still_works(t, a, other);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, owner));
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, other));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

static void test_free_of_pointer_into_object(struct ktest *t)
{
	static const slab_flags_t flag_sets[] = { 0, SLAB_RED_ZONE | SLAB_POISON };
	struct slab_arena *a = slab_arena_create(t, NULL);

	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
		struct kmem_cache *cache = make_cache(t, a, "middle", 96, 0, flag_sets[f], NULL);
		uint8_t *neighbour = kmem_cache_alloc(cache, GFP_KERNEL);
		uint8_t *object = kmem_cache_alloc(cache, GFP_KERNEL);
		uint8_t *kmalloc_object = arena_kmalloc(a, 100, GFP_KERNEL);
		uint64_t reports = a->slab.reports;

		KASSERT_NOT_NULL(t, neighbour);
		KASSERT_NOT_NULL(t, object);
		KASSERT_NOT_NULL(t, kmalloc_object);
		capture_start();
		kmem_cache_free(cache, object + 1);
		kmem_cache_free(cache, object + 8);
		kmem_cache_free(cache, object + 95);
		kmem_cache_free(cache, object - 8);   /* in a red zone, or the neighbour's slot */
		arena_kfree(a, kmalloc_object + 64);
		capture_stop();
		KEXPECT_REPORTED(t, "free of a pointer into the middle of an object: cache middle");
#if SLAB_BACKEND_KMALLOC_CACHES
		KEXPECT_REPORTED(t, "into the middle of an object: cache kmalloc-128");
#endif
		KEXPECT_UEQ(t, cache->bad_frees, 4);
		KEXPECT_UEQ(t, a->slab.reports, reports + 5);
		KEXPECT_EQ(t, stats_of(cache).objects_in_use, 2);
		kmem_cache_free(cache, object);
		kmem_cache_free(cache, neighbour);
		arena_kfree(a, kmalloc_object);
		expect_still_works(t, a, cache);
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	}
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* Destroying a cache with live objects reports their count and keeps the cache. */
static void test_destroy_with_live_objects(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "leaky", 500, 0, 0, NULL);
	struct kmem_cache *listed;
	void *objects[3];
	bool found = false, destroyed;
	uint64_t reports = a->slab.reports;

	for (int i = 0; i < 3; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		fill(objects[i], 500, (uint8_t)i);
	}
	capture_start();
	destroyed = slab_cache_destroy(&a->slab, cache);
	capture_stop();
	KEXPECT_FALSE(t, destroyed);
	KEXPECT_REPORTED(t, "kmem_cache_destroy leaky: 3 objects still in use");
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	for_each_cache(listed, a)
		found |= listed == cache;
	KEXPECT_TRUE(t, found);
	CHECK(t, cache);
	for (int i = 0; i < 3; i++) {
		KEXPECT_TRUE(t, holds(objects[i], 500, (uint8_t)i));
		kmem_cache_free(cache, objects[i]);
	}
	expect_still_works(t, a, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	found = false;
	for_each_cache(listed, a)
		found |= listed == cache;
	KEXPECT_FALSE(t, found);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, NULL));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * Red zones: an overflow or underflow of a live object is seen by the
 * validator and reported on free (the object is freed, its zones
 * repaired); a zone overwritten while the object is free is reported
 * when the object is allocated again.
 */
static void test_red_zone_overflow_and_underflow(struct ktest *t)
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
			void *again;

			printk("        # size %u flags %#x\n", size, flag_sets[f]);
			KASSERT_NOT_NULL(t, object);
			memset(object, 0x11, size);
			/* The validator sees an overwritten zone on a live object. */
			object[size] = 0x41;
			KEXPECT_NOT_NULL(t, slab_check(cache));
			capture_start();
			kmem_cache_free(cache, object);
			capture_stop();
			KEXPECT_REPORTED(t, "red zone");
			KEXPECT_REPORTED(t, "cache zone");
			if (flag_sets[f] & SLAB_STORE_USER)
				KEXPECT_REPORTED(t, "last allocated by 0x");
			KEXPECT_UEQ(t, a->slab.reports, reports + 1);
			KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
			CHECK(t, cache);

			object = kmem_cache_alloc(cache, GFP_KERNEL);
			KASSERT_NOT_NULL(t, object);
			object[-1] = 0x42;
			KEXPECT_NOT_NULL(t, slab_check(cache));
			capture_start();
			kmem_cache_free(cache, object);
			capture_stop();
			KEXPECT_REPORTED(t, "red zone");
			KEXPECT_REPORTED(t, "cache zone");
			KEXPECT_UEQ(t, a->slab.reports, reports + 2);
			CHECK(t, cache);

			/* Overwritten while free: found on the next allocation of the object. */
			object[size + 1] = 0x43;
			KEXPECT_NOT_NULL(t, slab_check(cache));
			capture_start();
			again = allocate_again(cache, object);
			capture_stop();
			KEXPECT_PTR_EQ(t, again, object);
			KEXPECT_REPORTED(t, "red zone");
			KEXPECT_REPORTED(t, "cache zone");
			KEXPECT_UEQ(t, a->slab.reports, reports + 3);
			CHECK(t, cache);
			kmem_cache_free(cache, object);
			expect_still_works(t, a, cache);
			KEXPECT_UEQ(t, a->slab.reports, reports + 3);
			KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
		}
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * Poisoning: a free object holds POISON_FREE and ends in POISON_END (its
 * first word may hold the back-end's free-list link); a write after free
 * is found by the validator and reported when the object is allocated
 * again, with who freed it on a SLAB_STORE_USER cache.
 */
static void test_write_after_free_found_by_poison(struct ktest *t)
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
		KEXPECT_TRUE(t, all_bytes(object + 8, 91, POISON_FREE));
		KEXPECT_EQ(t, object[99], POISON_END);
		CHECK(t, cache);
		object[50] = 0x00;
		KEXPECT_NOT_NULL(t, slab_check(cache));
		capture_start();
		again = allocate_again(cache, object);
		capture_stop();
		KEXPECT_PTR_EQ(t, again, object);
		KEXPECT_REPORTED(t, "write after free: cache poisoned");
		if (flag_sets[f] & SLAB_STORE_USER)
			KEXPECT_REPORTED(t, "last freed by 0x");
		KEXPECT_UEQ(t, a->slab.reports, reports + 1);
		CHECK(t, cache);

		/* The end marker is checked too. */
		kmem_cache_free(cache, object);
		object[99] = POISON_FREE;
		capture_start();
		again = allocate_again(cache, object);
		capture_stop();
		KEXPECT_PTR_EQ(t, again, object);
		KEXPECT_REPORTED(t, "write after free: cache poisoned");
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
 * slab_debug= on kmalloc: an overflow past a kmalloc object's usable size
 * is caught on real frees.
 */
static void test_forced_debug_catches_kmalloc_overflow(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, "FZPU");
	uint8_t *object = arena_kmalloc(a, 64, GFP_KERNEL);
	uint64_t reports = a->slab.reports;

	KASSERT_NOT_NULL(t, object);
	object[slab_ksize(&a->slab, object)] = 0;
	capture_start();
	arena_kfree(a, object);
	capture_stop();
	KEXPECT_REPORTED(t, "red zone");
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	capture_start();
	arena_kfree(a, object);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache ");
	KEXPECT_UEQ(t, a->slab.reports, reports + 2);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

KTEST_SUITE_FULL(slab_misuse, NULL, arena_suite_exit,
		 KTEST_CASE(test_double_free_on_debug_caches),
		 KTEST_CASE(test_naive_double_free),
		 KTEST_CASE(test_free_of_foreign_pointers),
		 KTEST_CASE(test_free_into_wrong_cache),
		 KTEST_CASE(test_free_of_pointer_into_object),
		 KTEST_CASE(test_destroy_with_live_objects),
		 KTEST_CASE(test_red_zone_overflow_and_underflow),
		 KTEST_CASE(test_write_after_free_found_by_poison),
		 KTEST_CASE(test_forced_debug_catches_kmalloc_overflow));
