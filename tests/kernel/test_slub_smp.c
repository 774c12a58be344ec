// SPDX-License-Identifier: MIT
/*
 * SLUB across real CPUs (built with SLAB_BACKEND=slub only; what every
 * back-end must do is in test_slab_smp.c): remote frees into the other
 * CPU's frozen slab and into listed slabs, counted slab by slab; a double
 * free at the head of the other CPU's remote chain; kmem_cache_destroy
 * while both CPUs hold a frozen slab.  The other CPU runs its part from
 * its idle loop (smp_run_on_idle_cpu); each case needs a second CPU online
 * and says so (a skip) when there is none.
 *
 * The boot CPU first fills slabs and frees all but one object of each
 * ("anchors"), so that the other CPU works within those partial slabs and
 * the slab counts are exact.
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
#define PREPARED_SLABS 16
#define MAX_OBJECTS (PREPARED_SLABS * 4096 / OBJECT_SIZE)

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

static unsigned long stats_slabs(struct kmem_cache *cache)
{
	struct slab_stats stats;

	slab_backend_stats(cache, &stats);
	return stats.slabs;
}

/* Free pages once every cache gave back its empty slabs and the per-CPU lists are drained. */
static uint64_t settled_free_pages(void)
{
	kmem_cache_shrink_all();
	buddy_drain_pcp(&kernel_buddy);
	return buddy_free_pages(&kernel_buddy);
}

/*
 * Fill @slabs slabs of @cache on this CPU and free all but the first
 * object of each (kept in @anchors): the slabs stay partial, none empty.
 * Return: the objects other CPUs can take from them without a new slab
 * (this CPU's own slab, the last, is not theirs).
 */
static unsigned int prepare_partial_slabs(struct ktest *t, struct kmem_cache *cache,
					  unsigned int slabs, void **anchors)
{
	static void *filled[MAX_OBJECTS];
	unsigned int per_slab = slab_objects_per_slab(cache);

	if (slabs * per_slab > MAX_OBJECTS)
		return 0;
	for (unsigned int i = 0; i < slabs * per_slab; i++) {
		filled[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		if (!filled[i])
			return 0;
	}
	for (unsigned int i = 0; i < slabs * per_slab; i++) {
		if (i % per_slab == 0)
			anchors[i / per_slab] = filled[i];
		else
			kmem_cache_free(cache, filled[i]);
	}
	KEXPECT_STREQ(t, slab_check(cache), NULL);
	return (slabs - 1) * (per_slab - 1);
}

static void free_anchors(struct kmem_cache *cache, void **anchors, unsigned int slabs)
{
	for (unsigned int i = 0; i < slabs; i++)
		kmem_cache_free(cache, anchors[i]);
}

/*
 * The other CPU allocates, this one checks and frees them all (remote
 * frees into the other CPU's frozen slab and into listed slabs); then
 * the other way round.  Every cache checks out after each half.
 */
static void test_remote_frees_both_ways(struct ktest *t)
{
	static void *objects[MAX_OBJECTS], *anchors[PREPARED_SLABS];
	struct remote_work work = { .objects = objects };
	uint64_t reports = kernel_slab.reports, free_before;
	unsigned int available;
	struct slab_stats stats;
	int cpu;

	if (!need_two_cpus(t))
		return;
	cpu = other_cpu();
	free_before = settled_free_pages();
	work.cache = kmem_cache_create("ktest-remote", OBJECT_SIZE, 0, 0, NULL);
	KASSERT_NOT_NULL(t, work.cache);
	available = prepare_partial_slabs(t, work.cache, PREPARED_SLABS, anchors);
	KASSERT_TRUE(t, available > 0);
	work.count = available;
	KASSERT_TRUE(t, run_on(t, cpu, remote_allocate, &work));
	for (unsigned int i = 0; i < work.count; i++)
		KASSERT_NOT_NULL(t, objects[i]);
	slab_backend_stats(work.cache, &stats);
	KEXPECT_UEQ(t, stats.objects_in_use, work.count + PREPARED_SLABS);
	KEXPECT_UEQ(t, stats.cpu_slabs, 2);
	KEXPECT_UEQ(t, stats.slabs, PREPARED_SLABS);
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	for (unsigned int i = 0; i < work.count; i++) {
		KEXPECT_TRUE(t, holds(objects[i], OBJECT_SIZE, (uint8_t)i));
		kmem_cache_free(work.cache, objects[i]);
	}
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	slab_backend_stats(work.cache, &stats);
	KEXPECT_UEQ(t, stats.objects_in_use, PREPARED_SLABS);

	/* Fewer than this CPU can take from the anchored slabs: the other CPU empties none. */
	work.count = available - (slab_objects_per_slab(work.cache) - 1);
	for (unsigned int i = 0; i < work.count; i++) {
		objects[i] = kmem_cache_alloc(work.cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		fill(objects[i], OBJECT_SIZE, (uint8_t)i);
	}
	KEXPECT_UEQ(t, stats_slabs(work.cache), PREPARED_SLABS);
	KASSERT_TRUE(t, run_on(t, cpu, remote_free, &work));
	KEXPECT_UEQ(t, work.corrupted, 0);
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	slab_backend_stats(work.cache, &stats);
	KEXPECT_UEQ(t, stats.objects_in_use, PREPARED_SLABS);
	free_anchors(work.cache, anchors, PREPARED_SLABS);
	slab_backend_stats(work.cache, &stats);
	KEXPECT_UEQ(t, stats.objects_in_use, 0);
	KEXPECT_UEQ(t, stats.allocations, stats.frees);
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	kmem_cache_destroy(work.cache);
	KEXPECT_UEQ(t, kernel_slab.reports, reports);
	KEXPECT_UEQ(t, settled_free_pages(), free_before);
}

/* A second free of an object another CPU's slab got back remotely is reported; nothing breaks. */
static void test_remote_double_free_reported(struct ktest *t)
{
	static void *objects[2], *anchors[3];
	struct remote_work work = { .objects = objects, .count = 2 };
	uint64_t reports = kernel_slab.reports;
	int cpu;

	if (!need_two_cpus(t))
		return;
	cpu = other_cpu();
	work.cache = kmem_cache_create("ktest-remote-twice", OBJECT_SIZE, 0, 0, NULL);
	KASSERT_NOT_NULL(t, work.cache);
	KASSERT_TRUE(t, prepare_partial_slabs(t, work.cache, 3, anchors) >= 2);
	KASSERT_TRUE(t, run_on(t, cpu, remote_allocate, &work));
	KASSERT_TRUE(t, objects[0] && objects[1]);
	kmem_cache_free(work.cache, objects[1]);
	kmem_cache_free(work.cache, objects[1]);    /* the head of the other CPU's remote chain */
	KEXPECT_UEQ(t, work.cache->bad_frees, 1);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 1);
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	kmem_cache_free(work.cache, objects[0]);
	free_anchors(work.cache, anchors, 3);
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	kmem_cache_destroy(work.cache);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 1);
}

/* Destroying a cache while another CPU holds a (now empty) slab of it gives every page back. */
static void test_destroy_reaches_the_other_cpu(struct ktest *t)
{
	static void *objects[1], *anchors[3];
	struct remote_work work = { .objects = objects, .count = 1 };
	uint64_t reports = kernel_slab.reports, free_before;
	struct slab_stats stats;
	int cpu;

	if (!need_two_cpus(t))
		return;
	cpu = other_cpu();
	free_before = settled_free_pages();
	work.cache = kmem_cache_create("ktest-remote-destroy", OBJECT_SIZE, 0, 0, NULL);
	KASSERT_NOT_NULL(t, work.cache);
	KASSERT_TRUE(t, prepare_partial_slabs(t, work.cache, 3, anchors) >= 1);
	KASSERT_TRUE(t, run_on(t, cpu, remote_allocate, &work));
	KASSERT_TRUE(t, run_on(t, cpu, remote_free, &work));
	free_anchors(work.cache, anchors, 3);
	slab_backend_stats(work.cache, &stats);
	KEXPECT_UEQ(t, stats.objects_in_use, 0);
	KEXPECT_UEQ(t, stats.cpu_slabs, 2);       /* this CPU's and the other's */
	KEXPECT_STREQ(t, slab_check(work.cache), NULL);
	kmem_cache_destroy(work.cache);
	KEXPECT_UEQ(t, kernel_slab.reports, reports);
	KEXPECT_UEQ(t, settled_free_pages(), free_before);
}

KTEST_SUITE(slub_smp,
	    KTEST_CASE(test_remote_frees_both_ways),
	    KTEST_CASE(test_remote_double_free_reported),
	    KTEST_CASE(test_destroy_reaches_the_other_cpu));
