// SPDX-License-Identifier: MIT
/* The shared loop of the "..._parallel" benchmarks (see bench_parallel.h). */
#include <asm/cpu.h>
#include <asm/tsc.h>
#include <kernel.h>
#include <lock_stat.h>
#include <printk.h>
#include <smp.h>

#include "bench_parallel.h"

#define WARM_PAIRS 200

struct parallel_runner {
	int start;                      /* set by CPU 0 */
	int ready;                      /* warmed up, waiting for start */
	int done;
	bool failed;
} __attribute__((aligned(64)));

static struct parallel_runner runners[NR_CPUS];
static bench_pairs_fn run_pairs;        /* what every CPU runs; set by CPU 0 before it starts them */

static void parallel_worker(void *info)
{
	struct parallel_runner *r = info;
	uint64_t flags = local_irq_save();     /* as CPU 0 runs: no tick in the loop */

	run_pairs(WARM_PAIRS);
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->start, __ATOMIC_ACQUIRE))
		cpu_relax();
	r->failed = !run_pairs(BENCH_PARALLEL_PAIRS_PER_CPU);
	local_irq_restore(flags);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

/* One timed run on CPUs 0..@cpus-1.  Return: cycles, 0 on failure; *@locks gets the shared locks taken. */
static uint64_t timed_run(struct bench *b, unsigned int cpus, uint64_t *locks,
			  const char *fail_message)
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
	run_pairs(WARM_PAIRS);
	/* The steady state: every CPU's lists warm before the locks are counted. */
	for (unsigned int cpu = 1; cpu < cpus; cpu++)
		while (!__atomic_load_n(&runners[cpu].ready, __ATOMIC_ACQUIRE))
			cpu_relax();
	locks_before = shared_lock_acquisitions();
	start = bench_cycles();
	for (unsigned int cpu = 1; cpu < cpus; cpu++)
		__atomic_store_n(&runners[cpu].start, 1, __ATOMIC_RELEASE);
	ok = run_pairs(BENCH_PARALLEL_PAIRS_PER_CPU);
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
		bench_fail(b, fail_message);
		return 0;
	}
	return end - start;
}

void bench_parallel_pairs(struct bench *b, const char *name, uint64_t size, bench_pairs_fn pairs,
			  const char *fail_message)
{
	unsigned int online = num_online_cpus();

	run_pairs = pairs;
	for (unsigned int cpus = 1; cpus <= online; cpus *= 2) {
		uint64_t runs[BENCH_REPEATS], locks = 0, most_locks = 0;
		uint64_t total = (uint64_t)cpus * BENCH_PARALLEL_PAIRS_PER_CPU;
		char fields[64], per_kop[32];

		for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
			runs[r] = timed_run(b, cpus, &locks, fail_message);
			if (!runs[r])
				return;
			most_locks = MAX(most_locks, locks);
		}
		bench_format_ratio(per_kop, sizeof(per_kop), most_locks * 1000, total);
		snprintf(fields, sizeof(fields), "cpus=%u shared_locks_per_kop=%s", cpus, per_kop);
		bench_median_report_fields(b, name, fields, size, total, runs, BENCH_REPEATS);
		/* runs[] is sorted now: the median run's pairs per second. */
		if (tsc_khz)
			printk(KERN_RAW "# %s cpus=%u: %llu pairs/s (median run)\n", name, cpus,
			       (unsigned long long)(total * tsc_khz * 1000 / runs[BENCH_REPEATS / 2]));
	}
}
