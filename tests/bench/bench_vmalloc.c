// SPDX-License-Identifier: MIT
/*
 * vmalloc benchmarks, named as Linux's are (README.md, "Benchmarks"; the
 * figures are under "vmalloc figures"):
 *   vmalloc_vfree   vmalloc + vfree of 1, 4, 16, 64, 256, 1024 pages
 *   vmap_vunmap     vmap + vunmap of 16 given pages
 *   vmalloc_stream  one of 10000 vmalloc(4 pages) + vfree in a row; a
 *                   comment line gives the TLB flushes the stream caused
 *                   (lazy purge: one per batch, not one per vfree)
 */
#include <asm/tlb.h>
#include <bench.h>
#include <gfp.h>
#include <printk.h>
#include <vmalloc.h>

#define PAIR_ITERATIONS 200
#define STREAM 10000

static void bench_vmalloc_vfree(struct bench *b)
{
	static const unsigned int page_counts[] = { 1, 4, 16, 64, 256, 1024 };

	for (unsigned int i = 0; i < sizeof(page_counts) / sizeof(page_counts[0]); i++) {
		unsigned int iterations = page_counts[i] >= 256 ? PAIR_ITERATIONS / 10 : PAIR_ITERATIONS;
		uint64_t runs[BENCH_REPEATS];

		for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
			uint64_t start = bench_cycles();

			for (unsigned int n = 0; n < iterations; n++) {
				void *address = vmalloc((size_t)page_counts[i] * 4096);

				if (!address) {
					bench_fail(b, "vmalloc failed");
					return;
				}
				vfree(address);
			}
			runs[r] = bench_cycles() - start;
		}
		bench_median_report(b, "vmalloc_vfree", page_counts[i], iterations, runs, BENCH_REPEATS);
	}
}
BENCH_CASE(vmalloc_vfree, bench_vmalloc_vfree);

static void bench_vmap_vunmap(struct bench *b)
{
	struct page *pages[16] = { 0 };
	uint64_t runs[BENCH_REPEATS];

	if (alloc_pages_bulk(GFP_KERNEL, 16, pages) != 16) {
		bench_fail(b, "no pages");
		return;
	}
	for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
		uint64_t start = bench_cycles();

		for (unsigned int n = 0; n < PAIR_ITERATIONS; n++) {
			void *address = vmap(pages, 16, VM_MAP, PAGE_KERNEL);

			if (!address) {
				bench_fail(b, "vmap failed");
				return;
			}
			vunmap(address);
		}
		runs[r] = bench_cycles() - start;
	}
	bench_median_report(b, "vmap_vunmap", 16, PAIR_ITERATIONS, runs, BENCH_REPEATS);
	for (int i = 0; i < 16; i++)
		__free_pages(pages[i], 0);
}
BENCH_CASE(vmap_vunmap, bench_vmap_vunmap);

static void bench_stream(struct bench *b)
{
	struct tlb_stats before;
	uint64_t start, cycles, flushes;

	vmalloc_purge();
	before = tlb_stats;
	start = bench_cycles();
	for (unsigned int n = 0; n < STREAM; n++) {
		void *address = vmalloc(4 * 4096);

		if (!address) {
			bench_fail(b, "vmalloc failed");
			return;
		}
		vfree(address);
	}
	cycles = bench_cycles() - start;
	flushes = (tlb_stats.single - before.single) + (tlb_stats.range - before.range) +
		  (tlb_stats.full - before.full);
	bench_report(b, "vmalloc_stream", 4, STREAM, cycles);
	printk(KERN_RAW "# vmalloc_stream: %llu TLB flushes for %u vfree calls (%llu full, %llu range)\n",
	       (unsigned long long)flushes, STREAM, (unsigned long long)(tlb_stats.full - before.full),
	       (unsigned long long)(tlb_stats.range - before.range));
}
BENCH_CASE(vmalloc_stream, bench_stream);
