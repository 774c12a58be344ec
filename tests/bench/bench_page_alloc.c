// SPDX-License-Identifier: MIT
/*
 * Page allocator benchmarks, named as Linux's are (README.md, "Benchmarks";
 * the figures are under "Page allocator figures"):
 *   alloc_pages_free        alloc_pages + __free_pages pair, orders 0,1,2,3,4,9
 *   alloc_pages_batch_alloc one of 1000 order-0 allocations ...
 *   alloc_pages_batch_free  ... then one of the 1000 frees
 *   alloc_pages_bulk        per page, alloc_pages_bulk of 64
 */
#include <bench.h>
#include <gfp.h>
#include <mm.h>

#define PAIR_ITERATIONS 20000
#define BATCH 1000
#define BULK 64
#define BULK_ROUNDS 200

static void bench_alloc_free_pair(struct bench *b)
{
	static const unsigned int orders[] = { 0, 1, 2, 3, 4, 9 };

	for (unsigned o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
		uint64_t runs[BENCH_REPEATS];

		for (unsigned r = 0; r < BENCH_REPEATS; r++) {
			uint64_t start = bench_cycles();

			for (unsigned i = 0; i < PAIR_ITERATIONS; i++) {
				struct page *page = alloc_pages(GFP_KERNEL, orders[o]);

				if (!page) {
					bench_fail(b, "alloc_pages failed");
					return;
				}
				__free_pages(page, orders[o]);
			}
			runs[r] = bench_cycles() - start;
		}
		bench_median_report(b, "alloc_pages_free", orders[o], PAIR_ITERATIONS, runs, BENCH_REPEATS);
	}
}
BENCH_CASE(alloc_pages_free, bench_alloc_free_pair);

static void bench_batch(struct bench *b)
{
	static struct page *pages[BATCH];
	uint64_t alloc_runs[BENCH_REPEATS], free_runs[BENCH_REPEATS];

	for (unsigned r = 0; r < BENCH_REPEATS; r++) {
		uint64_t start = bench_cycles();

		for (unsigned i = 0; i < BATCH; i++)
			pages[i] = alloc_pages(GFP_KERNEL, 0);
		alloc_runs[r] = bench_cycles() - start;
		for (unsigned i = 0; i < BATCH; i++)
			if (!pages[i]) {
				bench_fail(b, "alloc_pages failed");
				return;
			}
		start = bench_cycles();
		for (unsigned i = 0; i < BATCH; i++)
			__free_pages(pages[i], 0);
		free_runs[r] = bench_cycles() - start;
	}
	bench_median_report(b, "alloc_pages_batch_alloc", 0, BATCH, alloc_runs, BENCH_REPEATS);
	bench_median_report(b, "alloc_pages_batch_free", 0, BATCH, free_runs, BENCH_REPEATS);
}
BENCH_CASE(alloc_pages_batch, bench_batch);

static void bench_bulk(struct bench *b)
{
	static struct page *pages[BULK];
	uint64_t runs[BENCH_REPEATS];

	for (unsigned r = 0; r < BENCH_REPEATS; r++) {
		uint64_t cycles = 0;

		for (unsigned round = 0; round < BULK_ROUNDS; round++) {
			uint64_t start;

			for (unsigned i = 0; i < BULK; i++)
				pages[i] = NULL;
			start = bench_cycles();
			if (alloc_pages_bulk(GFP_KERNEL, BULK, pages) != BULK) {
				bench_fail(b, "alloc_pages_bulk came up short");
				return;
			}
			cycles += bench_cycles() - start;
			for (unsigned i = 0; i < BULK; i++)
				__free_pages(pages[i], 0);
		}
		runs[r] = cycles;
	}
	bench_median_report(b, "alloc_pages_bulk", 0, BULK * BULK_ROUNDS, runs, BENCH_REPEATS);
}
BENCH_CASE(alloc_pages_bulk, bench_bulk);
