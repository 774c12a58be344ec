// SPDX-License-Identifier: MIT
/*
 * kmalloc on several CPUs:
 *   kmalloc_remote_free size=64          CPU 0 allocates 10000 objects, CPU 1
 *                                        frees them: the free side, per object
 *   kmalloc_free_parallel cpus=N size=64 every one of N CPUs in its own
 *                                        kmalloc(64) + kfree loop
 *
 * The parallel figure's loop and fields: bench_parallel.h.
 */
#include <asm/cpu.h>
#include <asm/tsc.h>
#include <bench.h>
#include <gfp.h>
#include <kernel.h>
#include <printk.h>
#include <slab.h>
#include <smp.h>

#include "bench_parallel.h"

#define REMOTE_OBJECTS 10000
#define OBJECT_SIZE 64

static void *remote_objects[REMOTE_OBJECTS];

/* CPU 1's part of kmalloc_remote_free. */
struct remote_free_run {
	int done;
	uint64_t cycles;
};

static struct remote_free_run remote_run;

static bool can_measure(const char *what)
{
	if (num_online_cpus() < 2) {
		pr_info("# %s: one CPU online, nothing measured (make bench BENCH_SMP=4)\n", what);
		return false;
	}
	return true;
}

/* On CPU 1: free every object CPU 0 allocated, timed there. */
static void free_remote_objects(void *info)
{
	struct remote_free_run *r = info;
	uint64_t flags = local_irq_save(), start = bench_cycles();

	for (unsigned int i = 0; i < REMOTE_OBJECTS; i++)
		kfree(remote_objects[i]);
	r->cycles = bench_cycles() - start;
	local_irq_restore(flags);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

static void bench_kmalloc_remote_free(struct bench *b)
{
	uint64_t runs[BENCH_REPEATS];

	if (!can_measure("kmalloc_remote_free"))
		return;
	for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
		for (unsigned int i = 0; i < REMOTE_OBJECTS; i++)
			if (!(remote_objects[i] = kmalloc(OBJECT_SIZE, GFP_KERNEL))) {
				bench_fail(b, "kmalloc failed");
				return;
			}
		remote_run = (struct remote_free_run){ 0 };
		if (smp_run_on_idle_cpu(1, free_remote_objects, &remote_run)) {
			bench_fail(b, "CPU 1 did not take the work");
			return;
		}
		while (!__atomic_load_n(&remote_run.done, __ATOMIC_ACQUIRE))
			cpu_relax();
		while (smp_idle_work_pending(1))
			cpu_relax();
		runs[r] = remote_run.cycles;
	}
	bench_median_report(b, "kmalloc_remote_free", OBJECT_SIZE, REMOTE_OBJECTS, runs, BENCH_REPEATS);
}
BENCH_CASE(kmalloc_remote_free, bench_kmalloc_remote_free);

static bool kmalloc_pairs(unsigned int pairs)
{
	for (unsigned int i = 0; i < pairs; i++) {
		void *object = kmalloc(OBJECT_SIZE, GFP_KERNEL);

		if (!object)
			return false;
		kfree(object);
	}
	return true;
}

static void bench_kmalloc_free_parallel(struct bench *b)
{
	if (can_measure("kmalloc_free_parallel"))
		bench_parallel_pairs(b, "kmalloc_free_parallel", OBJECT_SIZE, kmalloc_pairs,
				     "kmalloc failed");
}
BENCH_CASE(kmalloc_free_parallel, bench_kmalloc_free_parallel);
