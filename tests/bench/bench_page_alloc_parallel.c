// SPDX-License-Identifier: MIT
/*
 * The page allocator on several CPUs at once:
 *   page_alloc_free_parallel cpus=N   every one of N CPUs in its own loop of
 *                                     order-0 alloc_page + __free_page pairs
 *
 * cycles_per_op is the time from the common start to the last CPU's end,
 * divided by the pairs of all N CPUs: under TCG its inverse is the
 * throughput (a line "# ... ops/s" says it in pairs per second); under
 * -icount the TSC counts the instructions of every virtual CPU, so it is
 * instructions per pair whichever CPU ran them.  shared_locks_per_kop= is
 * how many times, per 1000 pairs, a lock shared between CPUs was taken
 * (include/lock_stat.h): the per-CPU path needs none.
 * N runs over 1, 2, 4, ... up to the CPUs online (make bench BENCH_SMP=4).
 */
#include <asm/cpu.h>
#include <asm/tsc.h>
#include <bench.h>
#include <gfp.h>
#include <kernel.h>
#include <lock_stat.h>
#include <mm.h>
#include <printk.h>
#include <smp.h>

#define PAIRS_PER_CPU 20000
#define WARM_PAIRS 200

struct parallel_runner {
	int start;                      /* set by CPU 0 */
	int ready;                      /* warmed up, waiting for start */
	int done;
	bool failed;
} __attribute__((aligned(64)));

static struct parallel_runner runners[NR_CPUS];

/* @pairs order-0 alloc/free pairs.  Return: false if an allocation failed. */
static bool page_pairs(unsigned int pairs)
{
	for (unsigned int i = 0; i < pairs; i++) {
		struct page *page = alloc_page(GFP_KERNEL);

		if (!page)
			return false;
		__free_page(page);
	}
	return true;
}

static void parallel_worker(void *info)
{
	struct parallel_runner *r = info;
	uint64_t flags = local_irq_save();     /* as CPU 0 runs: no tick in the loop */

	page_pairs(WARM_PAIRS);
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->start, __ATOMIC_ACQUIRE))
		cpu_relax();
	r->failed = !page_pairs(PAIRS_PER_CPU);
	local_irq_restore(flags);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

/* One timed run on CPUs 0..@cpus-1.  Return: cycles, 0 on failure; *@locks gets the shared locks taken. */
static uint64_t timed_run(struct bench *b, unsigned int cpus, uint64_t *locks)
{
	uint64_t start, end, locks_before;
	bool ok;

	for (unsigned int cpu = 1; cpu < cpus; cpu++) {
		runners[cpu] = (struct parallel_runner){ 0 };
		if (smp_run_on_idle_cpu(cpu, parallel_worker, &runners[cpu])) {
			bench_fail(b, "a CPU did not take the work");
			return 0;
		}
	}
	page_pairs(WARM_PAIRS);
	/* The steady state: every CPU's lists warm before the locks are counted. */
	for (unsigned int cpu = 1; cpu < cpus; cpu++)
		while (!__atomic_load_n(&runners[cpu].ready, __ATOMIC_ACQUIRE))
			cpu_relax();
	locks_before = shared_lock_acquisitions();
	start = bench_cycles();
	for (unsigned int cpu = 1; cpu < cpus; cpu++)
		__atomic_store_n(&runners[cpu].start, 1, __ATOMIC_RELEASE);
	ok = page_pairs(PAIRS_PER_CPU);
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
		bench_fail(b, "alloc_page failed");
		return 0;
	}
	return end - start;
}

static void bench_page_alloc_free_parallel(struct bench *b)
{
	unsigned int online = num_online_cpus();

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
		bench_median_report_fields(b, "page_alloc_free_parallel", fields, 0, pairs, runs,
					   BENCH_REPEATS);
		/* runs[] is sorted now: the median run's pairs per second. */
		if (tsc_khz)
			printk(KERN_RAW "# page_alloc_free_parallel cpus=%u: %llu pairs/s (median run)\n", cpus,
			       (unsigned long long)(pairs * tsc_khz * 1000 / runs[BENCH_REPEATS / 2]));
	}
}
BENCH_CASE(page_alloc_free_parallel, bench_page_alloc_free_parallel);
