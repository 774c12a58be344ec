// SPDX-License-Identifier: MIT
/*
 * SLUB's internals on real memory (built with SLAB_BACKEND=slub only;
 * tests/kernel/test_slab.c holds what every back-end must do): the
 * constructor runs once per object when its slab is made, SLAB_STORE_USER's
 * tracks after the object name the real callers with real times, and a
 * corrupted free pointer inside the slab is caught, never followed.
 */
#include <asm/cpu.h>
#include <buddy.h>
#include <gfp.h>
#include <kernel.h>
#include <kstring.h>
#include <ktest.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>
#include <slab.h>
#include <symbols.h>

#include "../../mm/slab.h"

#include "../common/byte_patterns.h"

/* The cache checks out and still hands out working objects. */
static void expect_still_works(struct ktest *t, struct kmem_cache *cache)
{
	void *objects[20];

	KEXPECT_NULL(t, slab_check(cache));
	for (int i = 0; i < 20; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		fill(objects[i], cache->object_size, (uint8_t)i);
	}
	for (int i = 0; i < 20; i++) {
		KEXPECT_TRUE(t, holds(objects[i], cache->object_size, (uint8_t)i));
		kmem_cache_free(cache, objects[i]);
	}
	KEXPECT_NULL(t, slab_check(cache));
}

struct ktest_record {
	uint64_t id;
	char name[20];
	_Alignas(32) uint8_t key[32];
};

static unsigned long ctor_calls;

static void record_ctor(void *object)
{
	struct ktest_record *record = object;

	memset(record, 0, sizeof(*record));
	record->id = 0x600d;
	ctor_calls++;
}

/* The first allocation constructs the whole slab; the object freed comes back first, as left. */
static void test_ctor_once_per_object(struct ktest *t)
{
	struct kmem_cache *cache = kmem_cache_create("ktest-ctor", sizeof(struct ktest_record), 0, 0,
						     record_ctor);
	struct ktest_record *record, *again;
	unsigned long per_slab;

	KASSERT_NOT_NULL(t, cache);
	ctor_calls = 0;
	record = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, record);
	per_slab = ctor_calls;
	KEXPECT_UEQ(t, per_slab, slab_objects_per_slab(cache));
	KEXPECT_UEQ(t, record->id, 0x600d);
	kmem_cache_free(cache, record);
	again = kmem_cache_alloc(cache, GFP_KERNEL);
	KEXPECT_PTR_EQ(t, again, record);
	KEXPECT_UEQ(t, again->id, 0x600d);
	KEXPECT_UEQ(t, ctor_calls, per_slab);
	kmem_cache_free(cache, again);
	kmem_cache_destroy(cache);
}

/* SLAB_STORE_USER: who and when, allocated and then freed during this case, after the object. */
static void test_tracks_name_the_callers(struct ktest *t)
{
	struct kmem_cache *cache = kmem_cache_create("ktest-tracks", 200, 0,
						     SLAB_POISON | SLAB_STORE_USER, NULL);
	uint64_t started = rdtsc();
	const struct slab_track *tracks;
	struct symbol caller = { 0 };
	uint8_t *object;

	KASSERT_NOT_NULL(t, cache);
	object = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	kmem_cache_free(cache, object);
	tracks = (const struct slab_track *)(object + cache->backend.track_offset);
	KEXPECT_TRUE(t, symbol_lookup((uint64_t)tracks[0].caller, &caller));
	KEXPECT_STREQ(t, caller.name, "test_tracks_name_the_callers");
	KEXPECT_TRUE(t, symbol_lookup((uint64_t)tracks[1].caller, &caller));
	KEXPECT_STREQ(t, caller.name, "test_tracks_name_the_callers");
	KEXPECT_ULE(t, started, tracks[0].when);
	KEXPECT_ULE(t, tracks[0].when, tracks[1].when);
	KEXPECT_ULE(t, tracks[1].when, rdtsc());
	/* The free pointer sits after a poisoned object: all of it is poison. */
	KEXPECT_TRUE(t, all_bytes(object, 199, POISON_FREE));
	KEXPECT_EQ(t, object[199], POISON_END);
	KEXPECT_NULL(t, slab_check(cache));
	kmem_cache_destroy(cache);
}

static bool cache_is_listed(const struct kmem_cache *cache)
{
	struct list_head *node;

	list_for_each(node, &kernel_slab.caches)
		if (list_entry(node, struct kmem_cache, list) == cache)
			return true;
	return false;
}

/*
 * A corrupted free pointer that still points inside the slab, between two
 * objects (an off-by-one overflow into a free neighbour's first bytes), is
 * caught: never handed out.  The rest of that freelist is given up: those
 * objects stay counted as in use, so kmem_cache_destroy reports them and
 * keeps the cache (a leak is the safe outcome), which goes on working.
 */
static void test_misaligned_free_pointer_not_followed(struct ktest *t)
{
	struct kmem_cache *cache = kmem_cache_create("ktest-freeptr", 64, 0, 0, NULL);
	uint64_t reports = kernel_slab.reports;
	uint8_t *a, *b, *d, *again, *next, *object;
	struct slab_stats stats;

	KASSERT_NOT_NULL(t, cache);
	a = kmem_cache_alloc(cache, GFP_KERNEL);
	b = kmem_cache_alloc(cache, GFP_KERNEL);
	d = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_TRUE(t, a && b && d);
	kmem_cache_free(cache, d);
	kmem_cache_free(cache, b);      /* free list: b -> d */
	b[cache->backend.free_offset] ^= 8;     /* the encoded link now decodes to d + 8 */
	again = kmem_cache_alloc(cache, GFP_KERNEL);
	KEXPECT_PTR_EQ(t, again, b);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 1);
	next = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, next);
	KEXPECT_PTR_NE(t, next, d + 8);
	KEXPECT_PTR_NE(t, next, d);     /* given up with the rest of the list */
	KEXPECT_NULL(t, slab_check(cache));
	kmem_cache_free(cache, a);
	kmem_cache_free(cache, again);
	kmem_cache_free(cache, next);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 1);

	/* Every object of the first slab but a and b was given up: destroy reports and keeps it. */
	kmem_cache_destroy(cache);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 2);
	KEXPECT_TRUE(t, cache_is_listed(cache));
	slab_backend_stats(cache, &stats);
	KEXPECT_UEQ(t, stats.objects_in_use, slab_objects_per_slab(cache) - 2);
	KEXPECT_UEQ(t, stats.slabs, 1);
	expect_still_works(t, cache);
	/* The kernel goes on: the page allocator is consistent and kmalloc works. */
	KEXPECT_NULL(t, buddy_check(&kernel_buddy));
	object = kmalloc(64, GFP_KERNEL);
	KEXPECT_NOT_NULL(t, object);
	kfree(object);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 2);
}

KTEST_SUITE(slub,
	    KTEST_CASE(test_ctor_once_per_object),
	    KTEST_CASE(test_tracks_name_the_callers),
	    KTEST_CASE(test_misaligned_free_pointer_not_followed));
