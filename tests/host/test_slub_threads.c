// SPDX-License-Identifier: MIT
/*
 * SLUB on many CPUs, on the host (built with SLAB_BACKEND=slub only; what
 * every back-end must do on many CPUs is in test_slab_threads.c): a remote
 * free leaves the owner's slab frozen and comes back to the owner, each
 * CPU freezes a slab of its own, and a double free from a third CPU is
 * caught at the head of the slab's free list.
 */
#include <string.h>

#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <percpu.h>
#include <printk.h>
#include <slab.h>
#include <smp.h>

#include "host_support.h"
#include "slab_arena.h"

static void *alloc_on(unsigned int cpu, struct kmem_cache *cache)
{
	void *object;

	host_set_cpu(cpu);
	object = slab_backend_alloc(cache, GFP_KERNEL, NULL);
	host_set_cpu(0);
	return object;
}

static void free_on(unsigned int cpu, struct kmem_cache *cache, void *object)
{
	host_set_cpu(cpu);
	slab_backend_free(cache, object, NULL);
	host_set_cpu(0);
}

/*
 * A free into another CPU's slab leaves that slab frozen (the CPU's, on
 * no list); the owner gets the object back when its own freelist runs out.
 */
static void test_remote_free_keeps_slab_frozen(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "remote", 328, 0, 0, NULL);
	void *objects[MAX_TEST_OBJECTS];
	unsigned int per_slab = slab_objects_per_slab(cache), got_back = 0;
	void *first = alloc_on(1, cache);
	struct slab_stats stats;

	KASSERT_NOT_NULL(t, first);
	free_on(2, cache, first);
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.cpu_slabs, 1);
	KEXPECT_EQ(t, stats.partial, 0);
	KEXPECT_EQ(t, stats.slabs, 1);
	KEXPECT_EQ(t, stats.objects_in_use, 0);
	CHECK(t, cache);
	/* CPU 1 empties its freelist (per_slab - 1 objects), then takes the remote free back. */
	KASSERT_TRUE(t, per_slab <= MAX_TEST_OBJECTS);
	for (unsigned int i = 0; i < per_slab; i++) {
		objects[i] = alloc_on(1, cache);
		KASSERT_NOT_NULL(t, objects[i]);
		got_back += objects[i] == first;
	}
	KEXPECT_EQ(t, got_back, 1);
	KEXPECT_EQ(t, stats_of(cache).slabs, 1); /* no new slab was needed */
	CHECK(t, cache);
	for (unsigned int i = 0; i < per_slab; i++)
		free_on(i % 4, cache, objects[i]);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	KEXPECT_UEQ(t, stats_of(cache).allocations, stats_of(cache).frees);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	KEXPECT_UEQ(t, a->slab.reports, 0);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* Each CPU freezes a slab of its own; shrink, statistics and destroy reach all of them. */
static void test_each_cpu_freezes_its_own_slab(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "percpu", 200, 0, 0, NULL);
	void *objects[4];
	struct slab_stats stats;

	for (unsigned int cpu = 1; cpu <= 4; cpu++)
		KASSERT_NOT_NULL(t, objects[cpu - 1] = alloc_on(cpu, cache));
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.cpu_slabs, 4);
	KEXPECT_EQ(t, stats.slabs, 4);
	KEXPECT_EQ(t, stats.objects_in_use, 4);
	KEXPECT_UEQ(t, stats.allocations, 4);
	CHECK(t, cache);
	/* Objects still in use on CPUs 1..4: destroy refuses, and says why. */
	capture_start();
	KEXPECT_FALSE(t, slab_cache_destroy(&a->slab, cache));
	capture_stop();
	KEXPECT_REPORTED(t, "kmem_cache_destroy percpu: 4 objects still in use");
	a->slab.reports = 0;
	CHECK(t, cache);
	/* Freed from CPU 0: all remote frees (the destroy above unfroze the slabs). */
	for (unsigned int i = 0; i < 4; i++)
		free_on(0, cache, objects[i]);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	/* Each CPU freezes a slab again and frees into it: empty, but held by CPUs 1..4. */
	for (unsigned int cpu = 1; cpu <= 4; cpu++)
		free_on(cpu, cache, alloc_on(cpu, cache));
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.cpu_slabs, 4);
	KEXPECT_EQ(t, stats.objects_in_use, 0);
	slab_backend_shrink(cache);
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.cpu_slabs, 0);
	KEXPECT_EQ(t, stats.slabs, 0);
	for (unsigned int cpu = 1; cpu <= 4; cpu++)
		free_on(cpu, cache, alloc_on(cpu, cache));
	/* Destroy from CPU 0 while CPUs 1..4 hold a slab each: every slab goes back. */
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	KEXPECT_UEQ(t, a->slab.reports, 0);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* A remote double free from a third CPU is caught at the head of the slab's free list. */
static void test_double_free_from_a_third_cpu(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "twice", 64, 0, 0, NULL);
	void *x = alloc_on(1, cache), *y = alloc_on(1, cache);

	KASSERT_TRUE(t, x && y);
	free_on(2, cache, x);               /* remote: x heads the slab's free list */
	capture_start();
	free_on(3, cache, x);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache twice");
	KEXPECT_UEQ(t, cache->bad_frees, 1);
	CHECK(t, cache);
	free_on(3, cache, y);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	a->slab.reports = 0;
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

KTEST_SUITE_FULL(slub_threads, NULL, arena_suite_exit,
		 KTEST_CASE(test_remote_free_keeps_slab_frozen),
		 KTEST_CASE(test_each_cpu_freezes_its_own_slab),
		 KTEST_CASE(test_double_free_from_a_third_cpu));
