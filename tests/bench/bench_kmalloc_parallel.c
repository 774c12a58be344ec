// SPDX-License-Identifier: MIT
/*
 * kmalloc on several CPUs:
 *   kmalloc_remote_free size=64          CPU 0 allocates 10000 objects, CPU 1
 *                                        frees them: the free side, per object
 *   kmalloc_free_parallel cpus=N size=64 every one of N CPUs in its own
 *                                        kmalloc(64) + kfree loop
 *
 * As in bench_page_alloc_parallel.c, a parallel figure's cycles_per_op is
 * the time from the common start to the last CPU's end over the pairs of
 * all N CPUs (instructions per pair under -icount), and
 * shared_locks_per_kop= counts the locks shared between CPUs taken per
 * 1000 pairs in the steady state (include/lock_stat.h).
 */
#include <asm/cpu.h>
#include <asm/tsc.h>
#include <bench.h>
#include <gfp.h>
#include <kernel.h>
#include <lock_stat.h>
#include <printk.h>
#include <slab.h>
#include <smp.h>

#define REMOTE_OBJECTS 10000
#define PAIRS_PER_CPU 20000
#define WARM_PAIRS 200
#define OBJECT_SIZE 64

static void *remote_objects[REMOTE_OBJECTS];

struct kmalloc_runner {
	int start;
	int ready;                      /* warmed up, waiting for start */
	int done;
	bool failed;
	uint64_t cycles;
} __attribute__((aligned(64)));

static struct kmalloc_runner runners[NR_CPUS];

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
	struct kmalloc_runner *r = info;
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
		runners[1] = (struct kmalloc_runner){ 0 };
		if (smp_run_on_idle_cpu(1, free_remote_objects, &runners[1])) {
			bench_fail(b, "CPU 1 did not take the work");
			return;
		}
		while (!__atomic_load_n(&runners[1].done, __ATOMIC_ACQUIRE))
			cpu_relax();
		while (smp_idle_work_pending(1))
			cpu_relax();
		runs[r] = runners[1].cycles;
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

static void parallel_worker(void *info)
{
	struct kmalloc_runner *r = info;
	uint64_t flags = local_irq_save();

	kmalloc_pairs(WARM_PAIRS);
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->start, __ATOMIC_ACQUIRE))
		cpu_relax();
	r->failed = !kmalloc_pairs(PAIRS_PER_CPU);
	local_irq_restore(flags);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

static uint64_t timed_run(struct bench *b, unsigned int cpus, uint64_t *locks)
{
	uint64_t start, end, locks_before;
	bool ok;

	for (unsigned int cpu = 1; cpu < cpus; cpu++) {
		runners[cpu] = (struct kmalloc_runner){ 0 };
		if (smp_run_on_idle_cpu(cpu, parallel_worker, &runners[cpu])) {
			bench_fail(b, "a CPU did not take the work");
			return 0;
		}
	}
	kmalloc_pairs(WARM_PAIRS);
	/* The steady state: every CPU's lists warm before the locks are counted. */
	for (unsigned int cpu = 1; cpu < cpus; cpu++)
		while (!__atomic_load_n(&runners[cpu].ready, __ATOMIC_ACQUIRE))
			cpu_relax();
	locks_before = shared_lock_acquisitions();
	start = bench_cycles();
	for (unsigned int cpu = 1; cpu < cpus; cpu++)
		__atomic_store_n(&runners[cpu].start, 1, __ATOMIC_RELEASE);
	ok = kmalloc_pairs(PAIRS_PER_CPU);
	for (unsigned int cpu = 1; cpu < cpus; cpu++) {
		while (!__atomic_load_n(&runners[cpu].done, __ATOMIC_ACQUIRE))
			cpu_relax();
		ok = ok && !runners[cpu].failed;
	}
	end = bench_cycles();
	*locks = shared_lock_acquisitions() - locks_before;
	for (unsigned int cpu = 1; cpu < cpus; cpu++)
		while (smp_idle_work_pending(cpu))
			cpu_relax();
	if (!ok) {
		bench_fail(b, "kmalloc failed");
		return 0;
	}
	return end - start;
}

static void bench_kmalloc_free_parallel(struct bench *b)
{
	unsigned int online = num_online_cpus();

	if (!can_measure("kmalloc_free_parallel"))
		return;
	for (unsigned int cpus = 1; cpus <= online; cpus *= 2) {
		uint64_t runs[BENCH_REPEATS], locks = 0, most_locks = 0, pairs = (uint64_t)cpus * PAIRS_PER_CPU;
		char fields[64], per_kop[32];

		for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
			runs[r] = timed_run(b, cpus, &locks);
			if (!runs[r])
				return;
			most_locks = MAX(most_locks, locks);
		}
		bench_format_ratio(per_kop, sizeof(per_kop), most_locks * 1000, pairs);
		snprintf(fields, sizeof(fields), "cpus=%u shared_locks_per_kop=%s", cpus, per_kop);
		bench_median_report_fields(b, "kmalloc_free_parallel", fields, OBJECT_SIZE, pairs, runs,
					   BENCH_REPEATS);
		if (tsc_khz)
			printk(KERN_RAW "# kmalloc_free_parallel cpus=%u: %llu pairs/s (median run)\n", cpus,
			       (unsigned long long)(pairs * tsc_khz * 1000 / runs[BENCH_REPEATS / 2]));
	}
}
BENCH_CASE(kmalloc_free_parallel, bench_kmalloc_free_parallel);
