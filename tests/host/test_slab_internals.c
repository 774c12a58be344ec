// SPDX-License-Identifier: MIT
/*
 * SLAB's internals on the host (built with SLAB_BACKEND=slab only; the
 * conformance suites test_slab_*.c hold what every back-end must do):
 * array sizes by object size, the per-CPU array's limit and batch flush
 * into the shared array, refills from it, cache colouring, index arrays
 * on and off the slab, reaping, remote frees going into the freeing
 * CPU's array, and a double free hidden in an array found on its flush.
 */
#include <string.h>

#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <slab.h>

#include "host_support.h"
#include "slab_arena.h"

static struct array_cache *cpu_array(struct kmem_cache *cache, unsigned int cpu)
{
	return cache->backend.cpu_array[cpu];
}

static struct page *slab_of(struct slab_arena *a, const void *object)
{
	return block_of(a, object);
}

/* Allocate on CPU 0 until its array of @cache is empty (it has one). Return: how many, in @extras. */
static unsigned int empty_cpu_array(struct ktest *t, struct kmem_cache *cache, void **extras)
{
	unsigned int n = 0;

	while (cpu_array(cache, 0)->avail)
		KASSERT_NOT_NULL(t, extras[n++] = kmem_cache_alloc(cache, GFP_KERNEL));
	return n;
}

/*
 * The end of a case: @cache holds no object and no slab, is destroyed,
 * everything went back to the page allocator, and the arena goes; the
 * reports the case made on purpose are forgotten.
 */
static void expect_cache_gone_clean(struct ktest *t, struct slab_arena *a, struct kmem_cache *cache)
{
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	KEXPECT_EQ(t, stats_of(cache).slabs, 0);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	a->slab.reports = 0;
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* Linux's enable_cpucache() table: limit by stride, batch (limit + 1) / 2, 8 batches shared. */
static void test_array_sizes_follow_object_size(struct ktest *t)
{
	static const struct { unsigned int size, limit; bool shared; } table[] = {
		{ 64, 120, true }, { 256, 120, true }, { 512, 54, true }, { 1024, 54, true },
		{ 2048, 24, true }, { 4096, 24, true }, { 6000, 8, false },
	};
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *debug = make_cache(t, a, "sizes-debug", 64, 0, SLAB_RED_ZONE, NULL);

	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		struct kmem_cache *cache = make_cache(t, a, "sizes", table[i].size, 0, 0, NULL);

		printk("        # size %u: limit %u batch %u shared %u\n", table[i].size,
		       cache->backend.limit, cache->backend.batchcount, cache->backend.shared_limit);
		KEXPECT_EQ(t, cache->backend.limit, table[i].limit);
		KEXPECT_EQ(t, cache->backend.batchcount, (table[i].limit + 1) / 2);
		KEXPECT_EQ(t, cache->backend.shared_limit,
			   table[i].shared ? 8 * cache->backend.batchcount : 0);
		KEXPECT_EQ(t, cache->backend.free_limit,
			   2 * cache->backend.batchcount + cache->backend.objects);
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	}
	/* Debug caches have no arrays: every free reaches the checks. */
	KEXPECT_EQ(t, debug->backend.limit, 0);
	kmem_cache_free(debug, kmem_cache_alloc(debug, GFP_KERNEL));
	KEXPECT_PTR_EQ(t, cpu_array(debug, 0), NULL);
	KEXPECT_EQ(t, stats_of(debug).cpu_slabs, 0);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, debug));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * Frees fill the CPU's array up to its limit; the next free moves the
 * batchcount oldest objects to the shared array; an empty CPU array is
 * refilled from the shared array before any slab, newest first.
 */
static void test_array_limit_flush_and_refill(struct ktest *t)
{
	static void *objects[400], *extras[400];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "limits", 64, 0, 0, NULL);
	unsigned int limit = cache->backend.limit, batch = cache->backend.batchcount, extra;
	struct array_cache *ac, *shared;

	KASSERT_TRUE(t, limit + 1 <= ARRAY_SIZE(objects));
	for (unsigned int i = 0; i <= limit; i++)
		KASSERT_NOT_NULL(t, objects[i] = kmem_cache_alloc(cache, GFP_KERNEL));
	extra = empty_cpu_array(t, cache, extras);
	ac = cpu_array(cache, 0);
	shared = cache->backend.shared;
	KASSERT_NOT_NULL(t, ac);
	KASSERT_NOT_NULL(t, shared);
	for (unsigned int i = 0; i < limit; i++)
		kmem_cache_free(cache, objects[i]);
	KEXPECT_EQ(t, ac->avail, limit);
	KEXPECT_EQ(t, shared->avail, 0);
	KEXPECT_EQ(t, stats_of(cache).cpu_slabs, limit);
	CHECK(t, cache);
	/* One more: the batch of oldest objects goes to the shared array. */
	kmem_cache_free(cache, objects[limit]);
	KEXPECT_EQ(t, ac->avail, limit - batch + 1);
	KEXPECT_EQ(t, shared->avail, batch);
	KEXPECT_PTR_EQ(t, shared->entry[0], objects[0]);
	KEXPECT_PTR_EQ(t, ac->entry[ac->avail - 1], objects[limit]);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, extra + 0);
	CHECK(t, cache);
	/* Empty the CPU array; the next allocation takes a batch back from the shared array. */
	for (unsigned int i = 0; i < limit - batch + 1; i++)
		KASSERT_NOT_NULL(t, objects[i] = kmem_cache_alloc(cache, GFP_KERNEL));
	KEXPECT_EQ(t, ac->avail, 0);
	KASSERT_NOT_NULL(t, objects[limit] = kmem_cache_alloc(cache, GFP_KERNEL));
	KEXPECT_EQ(t, shared->avail, 0);
	KEXPECT_EQ(t, ac->avail, batch - 1);
	CHECK(t, cache);
	for (unsigned int i = 0; i < limit - batch + 1; i++)
		kmem_cache_free(cache, objects[i]);
	kmem_cache_free(cache, objects[limit]);
	for (unsigned int i = 0; i < extra; i++)
		kmem_cache_free(cache, extras[i]);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	KEXPECT_UEQ(t, a->slab.reports, 0);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * 696-byte objects: order 1, 11 per slab, 504 bytes left over: 8 colours
 * of 64 bytes.  Consecutive new slabs start their objects 0, 64, ... 448
 * bytes in, then 0 again; every object stays aligned.
 */
static void test_colouring(struct ktest *t)
{
	enum { SLABS = 9 };
	static void *objects[SLABS * 11];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "colours", 696, 0, 0, NULL);
	unsigned int seen = 0, colour_of_slab[SLABS];
	struct page *slabs[SLABS];
	unsigned int nslabs = 0;

	KASSERT_EQ(t, cache->backend.order, 1);
	KASSERT_EQ(t, cache->backend.objects, 11);
	KEXPECT_EQ(t, cache->backend.colour_off, 64);
	KEXPECT_EQ(t, cache->backend.colours, 8);
	KEXPECT_PTR_EQ(t, cache->backend.mgmt_cache, NULL);
	for (unsigned int i = 0; i < ARRAY_SIZE(objects); i++) {
		struct page *slab;

		KASSERT_NOT_NULL(t, objects[i] = kmem_cache_alloc(cache, GFP_KERNEL));
		KEXPECT_UEQ(t, (uintptr_t)objects[i] % 8, 0);
		slab = slab_of(a, objects[i]);
		if (nslabs == 0 || slabs[nslabs - 1] != slab) {
			bool known = false;

			for (unsigned int s = 0; s < nslabs; s++)
				known |= slabs[s] == slab;
			if (!known && nslabs < SLABS) {
				struct slab_freelist *mgmt = slab->freelist;

				slabs[nslabs] = slab;
				colour_of_slab[nslabs++] = mgmt->first_object / 64;
				KEXPECT_UEQ(t, mgmt->first_object % 64, 0);
				seen |= 1u << (mgmt->first_object / 64);
			}
		}
	}
	KASSERT_EQ(t, nslabs, SLABS);
	KEXPECT_EQ(t, seen, 0xff);              /* all 8 colours used */
	for (unsigned int s = 1; s < SLABS; s++)
		KEXPECT_EQ(t, colour_of_slab[s], (colour_of_slab[s - 1] + 1) % 8);
	/* The first object of each slab sits at its colour's offset. */
	for (unsigned int s = 0; s < SLABS; s++) {
		uint8_t *base = buddy_page_address(&a->mem.buddy, slabs[s]);
		struct slab_freelist *mgmt = slabs[s]->freelist;

		KEXPECT_PTR_EQ(t, slab_cache_of(&a->slab, base + mgmt->first_object), cache);
		KEXPECT_PTR_EQ(t, (uint8_t *)mgmt, base + 2 * PAGE_SIZE - cache->backend.mgmt_size);
	}
	CHECK(t, cache);
	/* A colour beyond the leftover is found by the validator. */
	((struct slab_freelist *)slabs[0]->freelist)->first_object += 8 * 64;
	KEXPECT_STREQ(t, slab_check(cache), "slab colour out of range");
	((struct slab_freelist *)slabs[0]->freelist)->first_object -= 8 * 64;
	CHECK(t, cache);
	for (unsigned int i = 0; i < ARRAY_SIZE(objects); i++)
		kmem_cache_free(cache, objects[i]);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * Small objects keep their index array at the end of the slab; 512-byte
 * objects fill a page exactly, so theirs is a kmalloc object (off-slab)
 * and the page holds 8 objects, not 7.  The cache of caches, made before
 * any kmalloc cache, is on-slab.
 */
static void test_index_array_on_and_off_slab(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *small = make_cache(t, a, "on-slab", 64, 0, 0, NULL);
	struct kmem_cache *large = make_cache(t, a, "off-slab", 512, 0, 0, NULL);
	void *x = kmem_cache_alloc(small, GFP_KERNEL), *y = kmem_cache_alloc(large, GFP_KERNEL);
	struct page *slab;
	freelist_idx_t saved;
	void *mgmt;

	KASSERT_NOT_NULL(t, x);
	KASSERT_NOT_NULL(t, y);
	KEXPECT_PTR_EQ(t, a->slab.cache_cache.backend.mgmt_cache, NULL);
	/* On-slab: 62 objects of 64 bytes and a 128-byte index array fill the page. */
	KEXPECT_PTR_EQ(t, small->backend.mgmt_cache, NULL);
	KEXPECT_EQ(t, small->backend.objects, 62);
	slab = slab_of(a, x);
	KEXPECT_PTR_EQ(t, slab->freelist,
		       (uint8_t *)buddy_page_address(&a->mem.buddy, slab) + PAGE_SIZE - 128);
	/* Off-slab: 8 objects, their index array from kmalloc-32. */
	KEXPECT_EQ(t, large->backend.objects, 8);
	KEXPECT_EQ(t, large->backend.order, 0);
	KEXPECT_PTR_EQ(t, large->backend.mgmt_cache, kmalloc_cache(a, 32));
	slab = slab_of(a, y);
	mgmt = slab->freelist;
	KEXPECT_PTR_EQ(t, slab_cache_of(&a->slab, mgmt), kmalloc_cache(a, 32));
	/* ... which does not count as a kmalloc object in use. */
	KEXPECT_EQ(t, stats_of(kmalloc_cache(a, 32)).objects_in_use, 0);
	CHECK(t, large);
	CHECK(t, kmalloc_cache(a, 32));
	/* Shrink puts the other 7 objects of y's slab back: a partial slab, whose free indices are checked. */
	kmem_cache_shrink(large);
	KASSERT_EQ(t, large->backend.partial_slabs, 1);
	slab = list_first_entry(&large->backend.slabs_partial, struct page, slab_list);
	mgmt = slab->freelist;
	/* A stale index array (not the start of a kmalloc object) is found. */
	slab->freelist = (uint8_t *)mgmt + 8;
	KEXPECT_STREQ(t, slab_check(large), "off-slab index array is not an object of its kmalloc cache");
	slab->freelist = mgmt;
	/* An index beyond the slab in the free part is found. */
	saved = ((struct slab_freelist *)mgmt)->index[7];
	((struct slab_freelist *)mgmt)->index[7] = (freelist_idx_t)((saved & OBJECT_FREE) | 8);
	KEXPECT_STREQ(t, slab_check(large), "index array holds an index beyond the slab");
	((struct slab_freelist *)mgmt)->index[7] = saved;
	CHECK(t, large);
	/* So is an object whose state bit says other than the index array. */
	((struct slab_freelist *)mgmt)->index[7] ^= OBJECT_FREE;
	KEXPECT_STREQ(t, slab_check(large), "object's free state does not match the index array");
	((struct slab_freelist *)mgmt)->index[7] = saved;
	CHECK(t, large);
	kmem_cache_free(small, x);
	kmem_cache_free(large, y);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, small));
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, large));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * A reap pass spares an array taken from since the last one (and clears
 * its mark); an idle array gives (limit + 4) / 5 objects back per pass;
 * free slabs nobody took from go back to the page allocator.
 */
static void test_reaping(struct ktest *t)
{
	static void *objects[40], *extras[100];
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "reaped", 64, 0, 0, NULL);
	unsigned int per_pass, extra;
	struct array_cache *ac;

	for (unsigned int i = 0; i < ARRAY_SIZE(objects); i++)
		KASSERT_NOT_NULL(t, objects[i] = kmem_cache_alloc(cache, GFP_KERNEL));
	extra = empty_cpu_array(t, cache, extras);
	for (unsigned int i = 0; i < ARRAY_SIZE(objects); i++)
		kmem_cache_free(cache, objects[i]);
	for (unsigned int i = 0; i < extra; i++)
		kmem_cache_free(cache, extras[i]);
	ac = cpu_array(cache, 0);
	KASSERT_NOT_NULL(t, ac);
	KASSERT_EQ(t, ac->avail, ARRAY_SIZE(objects) + extra);
	per_pass = (ac->limit + 4) / 5;
	slab_reap(&a->slab);            /* touched by the allocations: spared */
	KEXPECT_EQ(t, ac->avail, ARRAY_SIZE(objects) + extra);
	KEXPECT_EQ(t, ac->touched, 0);
	slab_reap(&a->slab);
	KEXPECT_EQ(t, ac->avail, ARRAY_SIZE(objects) + extra - per_pass);
	CHECK(t, cache);
	/* Taken from again: spared once more. */
	kmem_cache_free(cache, kmem_cache_alloc(cache, GFP_KERNEL));
	slab_reap(&a->slab);
	KEXPECT_EQ(t, ac->avail, ARRAY_SIZE(objects) + extra - per_pass);
	for (int pass = 0; pass < 20; pass++)
		slab_reap(&a->slab);
	KEXPECT_EQ(t, ac->avail, 0);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	/* The slabs emptied by the reaps went back too. */
	KEXPECT_EQ(t, stats_of(cache).slabs, 0);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

static void *alloc_on(unsigned int cpu, struct kmem_cache *cache)
{
	void *object;

	host_set_cpu(cpu);
	object = kmem_cache_alloc(cache, GFP_KERNEL);
	host_set_cpu(0);
	return object;
}

static void free_on(unsigned int cpu, struct kmem_cache *cache, void *object)
{
	host_set_cpu(cpu);
	kmem_cache_free(cache, object);
	host_set_cpu(0);
}

/* An object freed on another CPU goes into that CPU's array and is the next it hands out. */
static void test_remote_free_goes_to_the_freeing_cpu(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "remote", 328, 0, 0, NULL);
	void *x = alloc_on(1, cache);
	unsigned int before;

	KASSERT_NOT_NULL(t, x);
	KASSERT_NOT_NULL(t, alloc_on(2, cache) ? cache : NULL);
	before = cpu_array(cache, 2)->avail;
	free_on(2, cache, x);
	KEXPECT_EQ(t, cpu_array(cache, 2)->avail, before + 1);
	KEXPECT_PTR_EQ(t, cpu_array(cache, 2)->entry[before], x);
	CHECK(t, cache);
	KEXPECT_PTR_EQ(t, alloc_on(2, cache), x);
	free_on(2, cache, x);
	kmem_cache_shrink(cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 1);   /* the one CPU 2 took first */
	KEXPECT_PTR_EQ(t, cpu_array(cache, 1), NULL);       /* shrink freed the arrays */
	KEXPECT_PTR_EQ(t, cpu_array(cache, 2), NULL);
	CHECK(t, cache);
	capture_start();
	KEXPECT_FALSE(t, slab_cache_destroy(&a->slab, cache));
	capture_stop();
	KEXPECT_REPORTED(t, "1 objects still in use");
	slab_arena_destroy(a);
}

/*
 * A double free the top-of-array check misses (another object was freed
 * in between) is found when the array is flushed and the object reaches
 * a slab with nothing in use: reported once and dropped.
 */
static void test_double_free_found_on_flush(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "flushed", 64, 0, 0, NULL);
	void *x = kmem_cache_alloc(cache, GFP_KERNEL), *y = kmem_cache_alloc(cache, GFP_KERNEL);
	uint64_t reports = a->slab.reports;

	KASSERT_NOT_NULL(t, x);
	KASSERT_NOT_NULL(t, y);
	kmem_cache_free(cache, x);
	kmem_cache_free(cache, y);
	kmem_cache_free(cache, x);      /* not on top: not seen yet */
	KEXPECT_UEQ(t, a->slab.reports, reports);
	KEXPECT_STREQ(t, slab_check(cache), "array holds an object twice");
	capture_start();
	kmem_cache_shrink(cache);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache flushed");
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	KEXPECT_UEQ(t, cache->bad_frees, 1);
	CHECK(t, cache);
	expect_cache_gone_clean(t, a, cache);
}

/*
 * x, y, x freed while z, from the same slab, is still in use: the second
 * free of x is not on top of the array, so it is found only when the
 * objects go back to their slab.  It must be reported and dropped there:
 * counting it would empty the slab under z and give z's page back.
 */
static void test_double_free_with_a_live_neighbour(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "neighbour", 64, 0, 0, NULL);
	void *x = kmem_cache_alloc(cache, GFP_KERNEL), *y = kmem_cache_alloc(cache, GFP_KERNEL);
	void *z = kmem_cache_alloc(cache, GFP_KERNEL);
	uint64_t reports = a->slab.reports;

	KASSERT_NOT_NULL(t, x);
	KASSERT_NOT_NULL(t, y);
	KASSERT_NOT_NULL(t, z);
	KASSERT_UEQ(t, (uintptr_t)slab_of(a, x), (uintptr_t)slab_of(a, z));
	KASSERT_UEQ(t, (uintptr_t)slab_of(a, y), (uintptr_t)slab_of(a, z));
	memset(z, 0x5a, 64);
	kmem_cache_free(cache, x);
	kmem_cache_free(cache, y);
	kmem_cache_free(cache, x);      /* not on top: not seen yet */
	KEXPECT_UEQ(t, a->slab.reports, reports);
	capture_start();
	kmem_cache_shrink(cache);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache neighbour");
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	KEXPECT_UEQ(t, cache->bad_frees, 1);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 1);
	KEXPECT_EQ(t, stats_of(cache).slabs, 1);
	/* z's slab is still the cache's, and z is intact. */
	KEXPECT_TRUE(t, (slab_of(a, z)->flags & PG_slab) && slab_of(a, z)->slab_cache == cache);
	KEXPECT_EQ(t, ((uint8_t *)z)[0], 0x5a);
	KEXPECT_EQ(t, ((uint8_t *)z)[63], 0x5a);
	kmem_cache_free(cache, z);
	kmem_cache_shrink(cache);
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	KEXPECT_EQ(t, stats_of(cache).slabs, 0);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	a->slab.reports = 0;
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * The same with the two frees of x on different CPUs: x sits in CPU 0's
 * array and in CPU 1's.  The validator sees it in both; the shrink that
 * drains both arrays reports the second and drops it.
 */
static void test_double_free_across_cpu_arrays(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "across", 64, 0, 0, NULL);
	void *x = kmem_cache_alloc(cache, GFP_KERNEL), *y = kmem_cache_alloc(cache, GFP_KERNEL);
	void *z = kmem_cache_alloc(cache, GFP_KERNEL), *w = alloc_on(1, cache);
	uint64_t reports = a->slab.reports;

	KASSERT_NOT_NULL(t, x);
	KASSERT_NOT_NULL(t, y);
	KASSERT_NOT_NULL(t, z);
	KASSERT_NOT_NULL(t, w);
	KASSERT_NOT_NULL(t, cpu_array(cache, 1));
	KASSERT_UEQ(t, (uintptr_t)slab_of(a, x), (uintptr_t)slab_of(a, z));
	free_on(1, cache, w);
	kmem_cache_free(cache, x);
	kmem_cache_free(cache, y);
	free_on(1, cache, x);           /* on top of CPU 1's array, not CPU 0's */
	KEXPECT_UEQ(t, a->slab.reports, reports);
	KEXPECT_STREQ(t, slab_check(cache), "object in two arrays");
	capture_start();
	kmem_cache_shrink(cache);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache across");
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 1);
	KEXPECT_EQ(t, stats_of(cache).slabs, 1);
	KEXPECT_TRUE(t, (slab_of(a, z)->flags & PG_slab) && slab_of(a, z)->slab_cache == cache);
	kmem_cache_free(cache, z);
	kmem_cache_shrink(cache);
	expect_cache_gone_clean(t, a, cache);
}

/*
 * x in the shared array (flushed there from CPU 0's full array) and in
 * CPU 0's array again: the validator finds it in both; a free straight
 * to the slab (no array) of an object already free there is refused at
 * once.
 */
static void test_double_free_in_shared_array_and_slab(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "shared-twice", 64, 0, 0, NULL);
	void *objects[130], *extras[130], *z;
	uint64_t reports = a->slab.reports;
	unsigned int limit, n_extras;

	KASSERT_NOT_NULL(t, objects[0] = kmem_cache_alloc(cache, GFP_KERNEL));
	limit = cpu_array(cache, 0)->limit;
	KASSERT_TRUE(t, limit + 2 <= ARRAY_SIZE(objects));
	for (unsigned int i = 1; i < limit + 2; i++)
		KASSERT_NOT_NULL(t, objects[i] = kmem_cache_alloc(cache, GFP_KERNEL));
	KASSERT_NOT_NULL(t, z = kmem_cache_alloc(cache, GFP_KERNEL));
	n_extras = empty_cpu_array(t, cache, extras);
	/*
	 * objects[0] first: it is among the oldest, which the flush moves to
	 * the shared array.  objects[1], from the same slab, stays in use, so
	 * the slab stays after the shrink.
	 */
	KASSERT_UEQ(t, (uintptr_t)slab_of(a, objects[0]), (uintptr_t)slab_of(a, objects[1]));
	kmem_cache_free(cache, objects[0]);
	for (unsigned int i = 2; i < limit + 2; i++)
		kmem_cache_free(cache, objects[i]);
	KASSERT_NOT_NULL(t, cache->backend.shared);
	KASSERT_TRUE(t, cache->backend.shared->avail > 0);
	KEXPECT_PTR_EQ(t, cache->backend.shared->entry[0], objects[0]);
	kmem_cache_free(cache, objects[0]);
	KEXPECT_UEQ(t, a->slab.reports, reports);
	KEXPECT_STREQ(t, slab_check(cache), "object in two arrays");
	capture_start();
	kmem_cache_shrink(cache);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache shared-twice");
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 2 + n_extras);
	/* No array now (shrink freed it): this CPU frees straight to the slab, which knows. */
	capture_start();
	kmem_cache_free(cache, objects[0]);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache shared-twice");
	KEXPECT_UEQ(t, a->slab.reports, reports + 2);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 2 + n_extras);
	kmem_cache_free(cache, objects[1]);
	kmem_cache_free(cache, z);
	for (unsigned int i = 0; i < n_extras; i++)
		kmem_cache_free(cache, extras[i]);
	kmem_cache_shrink(cache);
	expect_cache_gone_clean(t, a, cache);
}

/*
 * A kfree racing the release of its slab (the object was free: a double
 * free) may read slab_cache after destroy_slabs() stored the order there
 * (it shares storage with private).  Made here by hand in that window --
 * PG_slab still seen, the management block NULL, private the order --
 * the free must be reported without following the order as a cache.
 */
static void test_kfree_racing_slab_release(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	void *x = arena_kmalloc(a, 64, GFP_KERNEL), *mgmt;
	uint64_t reports = a->slab.reports;
	struct kmem_cache *owner;
	struct page *slab;

	KASSERT_NOT_NULL(t, x);
	slab = slab_of(a, x);
	owner = slab->slab_cache;
	mgmt = slab->freelist;
	for (uint64_t order = 0; order <= 3; order++) {
		slab->freelist = NULL;
		slab->private = order;
		capture_start();
		arena_kfree(a, x);
		capture_stop();
		KEXPECT_REPORTED(t, "double free");
		KEXPECT_UEQ(t, a->slab.reports, reports + order + 1);
		slab->slab_cache = owner;
		slab->freelist = mgmt;
	}
	/* The block NULL but the cache still there: the cache's double free report. */
	slab->freelist = NULL;
	capture_start();
	arena_kfree(a, x);
	capture_stop();
	slab->freelist = mgmt;
	KEXPECT_REPORTED(t, "double free: cache kmalloc-64");
	CHECK(t, owner);
	arena_kfree(a, x);
	KEXPECT_UEQ(t, a->slab.reports, reports + 5);
	CHECK(t, owner);
	a->slab.reports = 0;
	slab_arena_destroy(a);
}

/*
 * A corrupted index array entry in a slab's free part -- beyond the slab,
 * or naming an object that is not marked free (one in use: handing it out
 * would give it two owners) -- is reported when the slab is taken from,
 * and the slab's other free objects are given up; the cache stays sound.
 */
static void test_corrupted_free_index(struct ktest *t)
{
	for (int beyond = 0; beyond <= 1; beyond++) {
		struct slab_arena *a = slab_arena_create(t, NULL);
		struct kmem_cache *cache = make_cache(t, a, "corrupt", 512, 0, SLAB_CONSISTENCY_CHECKS,
						      NULL);
		void *y = kmem_cache_alloc(cache, GFP_KERNEL), *z;
		struct slab_freelist *mgmt;
		struct page *slab;
		freelist_idx_t *entry;

		KASSERT_NOT_NULL(t, y);
		KASSERT_EQ(t, cache->backend.objects, 8);
		slab = slab_of(a, y);
		mgmt = slab->freelist;
		KASSERT_EQ(t, slab->inuse, 1);
		KASSERT_FALSE(t, mgmt->index[0] & OBJECT_FREE);      /* y is object 0 */
		entry = &mgmt->index[slab->inuse];
		/* The entry's own state bit is object 1's: kept. */
		*entry = (freelist_idx_t)((*entry & OBJECT_FREE) | (beyond ? 8 : 0));
		capture_start();
		z = kmem_cache_alloc(cache, GFP_KERNEL);
		capture_stop();
		KEXPECT_REPORTED(t, "corrupted free index");
		if (!beyond)
			KEXPECT_REPORTED(t, "that one is not marked free");
		KEXPECT_UEQ(t, a->slab.reports, 1);
		KASSERT_NOT_NULL(t, z);
		KEXPECT_TRUE(t, z != y && slab_of(a, z) != slab);  /* from a new slab */
		CHECK(t, cache);
		/* y, z and the 7 given up. */
		KEXPECT_EQ(t, stats_of(cache).objects_in_use, 9);
		kmem_cache_free(cache, y);
		kmem_cache_free(cache, z);
		KEXPECT_UEQ(t, a->slab.reports, 1);
		CHECK(t, cache);
		KEXPECT_EQ(t, stats_of(cache).objects_in_use, 7);
		capture_start();
		KEXPECT_FALSE(t, slab_cache_destroy(&a->slab, cache));
		capture_stop();
		KEXPECT_REPORTED(t, "7 objects still in use");
		slab_arena_destroy(a);
	}
}

KTEST_SUITE_FULL(slab_internals, NULL, arena_suite_exit,
		 KTEST_CASE(test_array_sizes_follow_object_size),
		 KTEST_CASE(test_array_limit_flush_and_refill),
		 KTEST_CASE(test_colouring),
		 KTEST_CASE(test_index_array_on_and_off_slab),
		 KTEST_CASE(test_reaping),
		 KTEST_CASE(test_remote_free_goes_to_the_freeing_cpu),
		 KTEST_CASE(test_double_free_found_on_flush),
		 KTEST_CASE(test_double_free_with_a_live_neighbour),
		 KTEST_CASE(test_double_free_across_cpu_arrays),
		 KTEST_CASE(test_double_free_in_shared_array_and_slab),
		 KTEST_CASE(test_kfree_racing_slab_release),
		 KTEST_CASE(test_corrupted_free_index));
