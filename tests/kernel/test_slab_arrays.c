// SPDX-License-Identifier: MIT
/*
 * SLAB's per-CPU arrays on real CPUs (built with SLAB_BACKEND=slab only;
 * what every back-end must do is in test_slab*.c): every CPU that uses a
 * cache gets its own array and kmem_cache_shrink drains and frees every
 * one of them through a cross call; the timer tick's reaper drains an
 * array nobody takes from, without any call from the test.
 */
#include <asm/cpu.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <slab.h>
#include <smp.h>
#include <timer.h>

#include "../../mm/slab.h"

/* This CPU's array of @cache: how many objects it holds (a snapshot, interrupts off). */
static unsigned int held_here(struct kmem_cache *cache)
{
	uint64_t flags = local_irq_save();
	struct array_cache *ac = *this_cpu_ptr(cache->backend.cpu_array);
	unsigned int avail = ac ? ac->avail : 0;

	local_irq_restore(flags);
	return avail;
}

/* On each CPU (a cross call): allocate and free one object, which gives that CPU an array. */
static void use_on_this_cpu(void *info)
{
	struct kmem_cache *cache = info;

	kmem_cache_free(cache, kmem_cache_alloc(cache, GFP_ATOMIC));
}

static void test_every_cpu_gets_an_array_and_shrink_frees_them(struct ktest *t)
{
	struct kmem_cache *cache = kmem_cache_create("arrays-everywhere", 96, 0, 0, NULL);
	unsigned int cpu, with_array = 0;
	struct slab_stats stats;

	KASSERT_NOT_NULL(t, cache);
	on_each_cpu(use_on_this_cpu, cache, true);
	for_each_online_cpu(cpu)
		with_array += cache->backend.cpu_array[cpu] != NULL;
	KEXPECT_EQ(t, with_array, num_online_cpus());
	slab_backend_stats(cache, &stats);
	KEXPECT_EQ(t, stats.objects_in_use, 0);
	KEXPECT_UGE(t, stats.cpu_slabs, num_online_cpus());
	KEXPECT_STREQ(t, slab_check(cache), NULL);
	kmem_cache_shrink(cache);
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		KEXPECT_PTR_EQ(t, cache->backend.cpu_array[cpu], NULL);
	slab_backend_stats(cache, &stats);
	KEXPECT_EQ(t, stats.slabs, 0);
	KEXPECT_EQ(t, stats.cpu_slabs, 0);
	kmem_cache_destroy(cache);
}

/*
 * Objects freed into this CPU's array and left alone: within two reap
 * intervals (1 s each) plus a margin, the tick's reaper has given some
 * back; the test never calls the reaper itself.
 */
static void test_tick_reaps_an_idle_array(struct ktest *t)
{
	static void *objects[40];
	struct kmem_cache *cache = kmem_cache_create("reaped-by-tick", 64, 0, 0, NULL);
	unsigned int full;
	uint64_t start;

	KASSERT_NOT_NULL(t, cache);
	for (unsigned int i = 0; i < ARRAY_SIZE(objects); i++)
		KASSERT_NOT_NULL(t, objects[i] = kmem_cache_alloc(cache, GFP_KERNEL));
	for (unsigned int i = 0; i < ARRAY_SIZE(objects); i++)
		kmem_cache_free(cache, objects[i]);
	full = held_here(cache);
	KASSERT_TRUE(t, full >= ARRAY_SIZE(objects));
	start = jiffies;
	while (held_here(cache) == full && jiffies - start < 4 * HZ)
		cpu_relax();
	printk("        # %u objects held, %u after %llu ticks\n", full, held_here(cache),
	       (unsigned long long)(jiffies - start));
	KEXPECT_ULT(t, held_here(cache), full);
	KEXPECT_STREQ(t, slab_check(cache), NULL);
	kmem_cache_destroy(cache);
}

KTEST_SUITE(slab_arrays,
	    KTEST_CASE(test_every_cpu_gets_an_array_and_shrink_frees_them),
	    KTEST_CASE(test_tick_reaps_an_idle_array));
