// SPDX-License-Identifier: MIT
/*
 * The page allocator on several CPUs at once:
 *   page_alloc_free_parallel cpus=N   every one of N CPUs in its own loop of
 *                                     order-0 alloc_page + __free_page pairs
 *
 * The loop, the figures and their fields: bench_parallel.h.  The per-CPU
 * path needs no shared lock.  N runs over 1, 2, 4, ... up to the CPUs
 * online (make bench BENCH_SMP=4).
 */
#include <gfp.h>
#include <mm.h>

#include "bench_parallel.h"

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

static void bench_page_alloc_free_parallel(struct bench *b)
{
	bench_parallel_pairs(b, "page_alloc_free_parallel", 0, page_pairs, "alloc_page failed");
}
BENCH_CASE(page_alloc_free_parallel, bench_page_alloc_free_parallel);
