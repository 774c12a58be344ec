// SPDX-License-Identifier: MIT
/*
 * The benchmark framework measuring itself: what an empty loop iteration
 * and one bench_cycles() read cost.  Subtract these when a figure is
 * close to them; under -icount shift=0 they are exact instruction counts.
 */
#include <bench.h>

#define EMPTY_LOOP_ITERATIONS 1000000
#define RDTSC_READS 100000

static void bench_empty_loop(struct bench *b)
{
	uint64_t runs[BENCH_REPEATS];

	for (unsigned r = 0; r < BENCH_REPEATS; r++) {
		uint64_t start = bench_cycles();

		for (unsigned i = 0; i < EMPTY_LOOP_ITERATIONS; i++)
			bench_barrier();
		runs[r] = bench_cycles() - start;
	}
	bench_median_report(b, "empty_loop", 0, EMPTY_LOOP_ITERATIONS, runs, BENCH_REPEATS);
}
BENCH_CASE(empty_loop, bench_empty_loop);

static void bench_rdtsc(struct bench *b)
{
	uint64_t runs[BENCH_REPEATS];

	for (unsigned r = 0; r < BENCH_REPEATS; r++) {
		uint64_t start = bench_cycles();

		for (unsigned i = 0; i < RDTSC_READS; i++)
			bench_keep(bench_cycles());
		runs[r] = bench_cycles() - start;
	}
	bench_median_report(b, "rdtsc", 0, RDTSC_READS, runs, BENCH_REPEATS);
}
BENCH_CASE(rdtsc, bench_rdtsc);
