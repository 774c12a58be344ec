// SPDX-License-Identifier: MIT
/*
 * The slab layer across real CPUs, for any back-end: objects allocated on
 * one CPU and freed on another (remote frees, both ways), an immediate
 * double free of a remotely allocated object, and kmem_cache_destroy
 * after another CPU allocated and freed objects of the cache (whatever
 * that CPU keeps for itself must go back too).  The other CPU runs its
 * part from its idle loop (smp_run_on_idle_cpu); each case needs a second
 * CPU online and says so (a skip) when there is none.  SLUB's frozen
 * slabs: test_slub_smp.c.
 */
#include <asm/cpu.h>
#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <page_alloc.h>
#include <printk.h>
#include <slab.h>
#include <smp.h>

#include "../../mm/slab.h"

#include "../common/byte_patterns.h"

#define OBJECT_SIZE 128
#define OBJECTS 300

struct remote_work {
	struct kmem_cache *cache;
	void **objects;
	unsigned int count;
	uint64_t corrupted;     /* objects whose contents were not what was written */
	int done;               /* set (release) when the other CPU is through */
};

/* On the other CPU: allocate and fill. */
static void remote_allocate(void *info)
{
	struct remote_work *work = info;

	for (unsigned int i = 0; i < work->count; i++) {
		work->objects[i] = kmem_cache_alloc(work->cache, GFP_KERNEL);
		if (work->objects[i])
			fill(work->objects[i], OBJECT_SIZE, (uint8_t)i);
	}
	__atomic_store_n(&work->done, 1, __ATOMIC_RELEASE);
}

/* On the other CPU: check and free. */
static void remote_free(void *info)
{
	struct remote_work *work = info;

	for (unsigned int i = 0; i < work->count; i++) {
		if (!holds(work->objects[i], OBJECT_SIZE, (uint8_t)i))
			work->corrupted++;
		kmem_cache_free(work->cache, work->objects[i]);
	}
	__atomic_store_n(&work->done, 1, __ATOMIC_RELEASE);
}

/* Return: the first online CPU other than this one, or -1. */
static int other_cpu(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		if (cpu != smp_processor_id())
			return (int)cpu;
	return -1;
}

/* Run @func(@work) on CPU @cpu and wait for it. Return: false if it could not be handed over. */
static bool run_on(struct ktest *t, int cpu, void (*func)(void *), struct remote_work *work)
{
	work->done = 0;
	if (smp_run_on_idle_cpu((unsigned int)cpu, func, work) != 0) {
		KEXPECT_TRUE(t, false);
		return false;
	}
	while (!__atomic_load_n(&work->done, __ATOMIC_ACQUIRE))
		cpu_relax();
	while (smp_idle_work_pending((unsigned int)cpu))
		cpu_relax();
	return true;
}

static bool need_two_cpus(struct ktest *t)
{
	if (other_cpu() >= 0)
		return true;
	ktest_skip(t, "one CPU online: no remote free to test");
	return false;
}

/* Free pages once every cache gave back its empty slabs and the per-CPU lists are drained. */
static uint64_t settled_free_pages(void)
{
	kmem_cache_shrink_all();
	buddy_drain_pcp(&kernel_buddy);
	return buddy_free_pages(&kernel_buddy);
}

static unsigned long objects_in_use(struct kmem_cache *cache)
{
	struct slab_stats stats;

	slab_backend_stats(cache, &stats);
	return stats.objects_in_use;
}

/*
 * The other CPU allocates, this one checks and frees them all; then the
 * other way round.  The cache checks out after each half, and every page
 * goes back once it is destroyed.
 */
static void test_remote_frees_both_ways(struct ktest *t)
{
	static void *objects[OBJECTS];
	struct remote_work work = { .objects = objects, .count = OBJECTS };
	uint64_t reports = kernel_slab.reports, free_before;
	struct slab_stats stats;
	int cpu;

	if (!need_two_cpus(t))
		return;
	cpu = other_cpu();
	free_before = settled_free_pages();
	work.cache = kmem_cache_create("ktest-remote", OBJECT_SIZE, 0, 0, NULL);
	KASSERT_NOT_NULL(t, work.cache);
	KASSERT_TRUE(t, run_on(t, cpu, remote_allocate, &work));
	for (unsigned int i = 0; i < work.count; i++)
		KASSERT_NOT_NULL(t, objects[i]);
	KEXPECT_UEQ(t, objects_in_use(work.cache), work.count);
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	for (unsigned int i = 0; i < work.count; i++) {
		KEXPECT_TRUE(t, holds(objects[i], OBJECT_SIZE, (uint8_t)i));
		kmem_cache_free(work.cache, objects[i]);
	}
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	KEXPECT_UEQ(t, objects_in_use(work.cache), 0);

	for (unsigned int i = 0; i < work.count; i++) {
		objects[i] = kmem_cache_alloc(work.cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		fill(objects[i], OBJECT_SIZE, (uint8_t)i);
	}
	KASSERT_TRUE(t, run_on(t, cpu, remote_free, &work));
	KEXPECT_UEQ(t, work.corrupted, 0);
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	slab_backend_stats(work.cache, &stats);
	KEXPECT_UEQ(t, stats.objects_in_use, 0);
	KEXPECT_UEQ(t, stats.allocations, stats.frees);
	kmem_cache_destroy(work.cache);
	KEXPECT_UEQ(t, kernel_slab.reports, reports);
	KEXPECT_UEQ(t, settled_free_pages(), free_before);
}

/* An object the other CPU allocated, freed twice in a row here: reported; nothing breaks. */
static void test_remote_double_free_reported(struct ktest *t)
{
	static void *objects[2];
	struct remote_work work = { .objects = objects, .count = 2 };
	uint64_t reports = kernel_slab.reports;
	int cpu;

	if (!need_two_cpus(t))
		return;
	cpu = other_cpu();
	work.cache = kmem_cache_create("ktest-remote-twice", OBJECT_SIZE, 0, 0, NULL);
	KASSERT_NOT_NULL(t, work.cache);
	KASSERT_TRUE(t, run_on(t, cpu, remote_allocate, &work));
	KASSERT_TRUE(t, objects[0] && objects[1]);
	kmem_cache_free(work.cache, objects[1]);
	kmem_cache_free(work.cache, objects[1]);
	KEXPECT_UEQ(t, work.cache->bad_frees, 1);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 1);
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	kmem_cache_free(work.cache, objects[0]);
	KEXPECT_UEQ(t, objects_in_use(work.cache), 0);
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	kmem_cache_destroy(work.cache);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 1);
}

/*
 * Destroying a cache after another CPU allocated and freed objects of it
 * (what that CPU keeps for itself included) gives every page back.
 */
static void test_destroy_reaches_the_other_cpu(struct ktest *t)
{
	static void *objects[OBJECTS];
	struct remote_work work = { .objects = objects, .count = OBJECTS };
	uint64_t reports = kernel_slab.reports, free_before;
	int cpu;

	if (!need_two_cpus(t))
		return;
	cpu = other_cpu();
	free_before = settled_free_pages();
	work.cache = kmem_cache_create("ktest-remote-destroy", OBJECT_SIZE, 0, 0, NULL);
	KASSERT_NOT_NULL(t, work.cache);
	KASSERT_TRUE(t, run_on(t, cpu, remote_allocate, &work));
	KASSERT_TRUE(t, run_on(t, cpu, remote_free, &work));
	KEXPECT_UEQ(t, work.corrupted, 0);
	KEXPECT_UEQ(t, objects_in_use(work.cache), 0);
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	kmem_cache_destroy(work.cache);
	KEXPECT_UEQ(t, kernel_slab.reports, reports);
	KEXPECT_UEQ(t, settled_free_pages(), free_before);
}

KTEST_SUITE(slab_smp,
	    KTEST_CASE(test_remote_frees_both_ways),
	    KTEST_CASE(test_remote_double_free_reported),
	    KTEST_CASE(test_destroy_reaches_the_other_cpu));
