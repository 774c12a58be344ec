// SPDX-License-Identifier: MIT
/*
 * SMP costs: a cross-call round trip to one other CPU, on_each_cpu over
 * every online CPU, and a TLB shootdown of one page and of 64 pages
 * (size = the number of online CPUs).  With one CPU online there is
 * nothing to measure: boot with more (make bench BENCH_SMP=4).
 *
 * Under -icount the TSC counts the instructions of every virtual CPU
 * (they run in turn on one thread), so these figures are instructions on
 * all CPUs per operation, the targets' interrupt handling included.
 */
#include <asm/memlayout.h>
#include <asm/tlb.h>
#include <bench.h>
#include <printk.h>
#include <smp.h>

#define ROUND_TRIPS 2000
#define SHOOTDOWNS 2000
#define RANGE_PAGES 64

static void nothing(void *info)
{
	bench_barrier();
}

static bool have_other_cpus(const char *what)
{
	if (num_online_cpus() >= 2)
		return true;
	pr_info("# %s: one CPU online, nothing measured (boot with more: make bench BENCH_SMP=4)\n",
		what);
	return false;
}

static void bench_ipi_round_trip(struct bench *b)
{
	uint64_t runs[BENCH_REPEATS];

	if (!have_other_cpus("ipi_round_trip"))
		return;
	for (unsigned r = 0; r < BENCH_REPEATS; r++) {
		uint64_t start = bench_cycles();

		for (unsigned i = 0; i < ROUND_TRIPS; i++)
			smp_call_function_single(1, nothing, NULL, true);
		runs[r] = bench_cycles() - start;
	}
	bench_median_report(b, "ipi_round_trip", num_online_cpus(), ROUND_TRIPS, runs, BENCH_REPEATS);
}
BENCH_CASE(ipi_round_trip, bench_ipi_round_trip);

static void bench_on_each_cpu(struct bench *b)
{
	uint64_t runs[BENCH_REPEATS];

	if (!have_other_cpus("on_each_cpu"))
		return;
	for (unsigned r = 0; r < BENCH_REPEATS; r++) {
		uint64_t start = bench_cycles();

		for (unsigned i = 0; i < ROUND_TRIPS; i++)
			on_each_cpu(nothing, NULL, true);
		runs[r] = bench_cycles() - start;
	}
	bench_median_report(b, "on_each_cpu", num_online_cpus(), ROUND_TRIPS, runs, BENCH_REPEATS);
}
BENCH_CASE(on_each_cpu, bench_on_each_cpu);

/* The kernel's own data: mapped, and flushing it is harmless. */
static uint8_t flush_target[RANGE_PAGES][PAGE_SIZE] __attribute__((aligned(4096)));

static void bench_shootdown(struct bench *b)
{
	uint64_t runs[BENCH_REPEATS], va = (uint64_t)flush_target;

	if (!have_other_cpus("tlb_shootdown"))
		return;
	for (unsigned r = 0; r < BENCH_REPEATS; r++) {
		uint64_t start = bench_cycles();

		for (unsigned i = 0; i < SHOOTDOWNS; i++)
			flush_tlb_one_kernel(va);
		runs[r] = bench_cycles() - start;
	}
	bench_median_report(b, "tlb_shootdown_1page", num_online_cpus(), SHOOTDOWNS, runs,
			    BENCH_REPEATS);
	for (unsigned r = 0; r < BENCH_REPEATS; r++) {
		uint64_t start = bench_cycles();

		for (unsigned i = 0; i < SHOOTDOWNS; i++)
			flush_tlb_kernel_range(va, va + RANGE_PAGES * PAGE_SIZE);
		runs[r] = bench_cycles() - start;
	}
	/*
	 * Over the ceiling (measured at boot, so it differs from boot to
	 * boot), the 64 pages become a full flush on every CPU: said in a
	 * comment, so that the figure keeps one name across boots.
	 */
	bench_median_report(b, "tlb_shootdown_64pages", num_online_cpus(), SHOOTDOWNS, runs,
			    BENCH_REPEATS);
	pr_info("# tlb_shootdown_64pages: %s (flush ceiling %lu pages)\n",
		RANGE_PAGES > tlb_flush_ceiling ? "a full flush on every CPU" : "64 single-page flushes",
		tlb_flush_ceiling);
}
BENCH_CASE(tlb_shootdown, bench_shootdown);
