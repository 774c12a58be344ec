// SPDX-License-Identifier: MIT
/*
 * Slab and kmalloc benchmarks, named as Linux's are (README.md, "Benchmarks";
 * the figures are under "Slab figures"):
 *   kmalloc_free            kmalloc + kfree of one size, hot loop, each class 8..8192
 *   kmalloc_batch_alloc     one of 10000 kmallocs of one size ...
 *   kmalloc_batch_free      ... then one of the 10000 kfrees, each class
 *   cache_alloc_free        kmem_cache_alloc + kmem_cache_free, 328-byte SLAB_HWCACHE_ALIGN cache
 *   cache_batch_alloc/free  as the kmalloc batch, on that cache
 *   cache_bulk_alloc/free   per object, kmem_cache_alloc_bulk / free_bulk of 64
 *   cache_alloc_free_debug_F / _Z / _P / _U
 *                           the 328-byte pair with one debug flag on: what each costs
 * Every figure is the median of BENCH_REPEATS runs.
 */
#include <bench.h>
#include <gfp.h>
#include <kernel.h>
#include <slab.h>

#define PAIR_ITERATIONS 20000
#define BATCH 10000
#define BULK 64
#define BULK_ROUNDS 200
#define CACHE_OBJECT_SIZE 328

static const unsigned int class_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

static void *batch[BATCH];

static void bench_kmalloc_free(struct bench *b)
{
	for (unsigned c = 0; c < ARRAY_SIZE(class_sizes); c++) {
		uint64_t runs[BENCH_REPEATS];

		for (unsigned r = 0; r < BENCH_REPEATS; r++) {
			uint64_t start = bench_cycles();

			for (unsigned i = 0; i < PAIR_ITERATIONS; i++) {
				void *object = kmalloc(class_sizes[c], GFP_KERNEL);

				if (!object) {
					bench_fail(b, "kmalloc failed");
					return;
				}
				kfree(object);
			}
			runs[r] = bench_cycles() - start;
		}
		bench_median_report(b, "kmalloc_free", class_sizes[c], PAIR_ITERATIONS, runs,
				    BENCH_REPEATS);
	}
}
BENCH_CASE(kmalloc_free, bench_kmalloc_free);

static void bench_kmalloc_batch(struct bench *b)
{
	for (unsigned c = 0; c < ARRAY_SIZE(class_sizes); c++) {
		uint64_t alloc_runs[BENCH_REPEATS], free_runs[BENCH_REPEATS];

		for (unsigned r = 0; r < BENCH_REPEATS; r++) {
			uint64_t start = bench_cycles();

			for (unsigned i = 0; i < BATCH; i++)
				batch[i] = kmalloc(class_sizes[c], GFP_KERNEL);
			alloc_runs[r] = bench_cycles() - start;
			for (unsigned i = 0; i < BATCH; i++)
				if (!batch[i]) {
					bench_fail(b, "kmalloc failed");
					for (unsigned j = 0; j < BATCH; j++)
						kfree(batch[j]);
					return;
				}
			start = bench_cycles();
			for (unsigned i = 0; i < BATCH; i++)
				kfree(batch[i]);
			free_runs[r] = bench_cycles() - start;
		}
		bench_median_report(b, "kmalloc_batch_alloc", class_sizes[c], BATCH, alloc_runs,
				    BENCH_REPEATS);
		bench_median_report(b, "kmalloc_batch_free", class_sizes[c], BATCH, free_runs,
				    BENCH_REPEATS);
	}
	kmem_cache_shrink_all();
}
BENCH_CASE(kmalloc_batch, bench_kmalloc_batch);

/* The pair on a 328-byte SLAB_HWCACHE_ALIGN cache with @flags; reported as @name. */
static void cache_pair(struct bench *b, const char *name, slab_flags_t flags)
{
	struct kmem_cache *cache = kmem_cache_create(name, CACHE_OBJECT_SIZE, 0,
						     SLAB_HWCACHE_ALIGN | flags, NULL);
	uint64_t runs[BENCH_REPEATS];

	if (!cache) {
		bench_fail(b, "kmem_cache_create failed");
		return;
	}
	for (unsigned r = 0; r < BENCH_REPEATS; r++) {
		uint64_t start = bench_cycles();

		for (unsigned i = 0; i < PAIR_ITERATIONS; i++) {
			void *object = kmem_cache_alloc(cache, GFP_KERNEL);

			if (!object) {
				bench_fail(b, "kmem_cache_alloc failed");
				kmem_cache_destroy(cache);
				return;
			}
			kmem_cache_free(cache, object);
		}
		runs[r] = bench_cycles() - start;
	}
	bench_median_report(b, name, CACHE_OBJECT_SIZE, PAIR_ITERATIONS, runs, BENCH_REPEATS);
	kmem_cache_destroy(cache);
}

static void bench_cache_alloc_free(struct bench *b)
{
	cache_pair(b, "cache_alloc_free", 0);
}
BENCH_CASE(cache_alloc_free, bench_cache_alloc_free);

static void bench_cache_batch(struct bench *b)
{
	struct kmem_cache *cache = kmem_cache_create("cache_batch", CACHE_OBJECT_SIZE, 0,
						     SLAB_HWCACHE_ALIGN, NULL);
	uint64_t alloc_runs[BENCH_REPEATS], free_runs[BENCH_REPEATS];

	if (!cache) {
		bench_fail(b, "kmem_cache_create failed");
		return;
	}
	for (unsigned r = 0; r < BENCH_REPEATS; r++) {
		uint64_t start = bench_cycles();

		for (unsigned i = 0; i < BATCH; i++)
			batch[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		alloc_runs[r] = bench_cycles() - start;
		for (unsigned i = 0; i < BATCH; i++)
			if (!batch[i]) {
				bench_fail(b, "kmem_cache_alloc failed");
				for (unsigned j = 0; j < BATCH; j++)
					if (batch[j])
						kmem_cache_free(cache, batch[j]);
				kmem_cache_destroy(cache);
				return;
			}
		start = bench_cycles();
		for (unsigned i = 0; i < BATCH; i++)
			kmem_cache_free(cache, batch[i]);
		free_runs[r] = bench_cycles() - start;
	}
	bench_median_report(b, "cache_batch_alloc", CACHE_OBJECT_SIZE, BATCH, alloc_runs, BENCH_REPEATS);
	bench_median_report(b, "cache_batch_free", CACHE_OBJECT_SIZE, BATCH, free_runs, BENCH_REPEATS);
	kmem_cache_destroy(cache);
}
BENCH_CASE(cache_batch, bench_cache_batch);

static void bench_cache_bulk(struct bench *b)
{
	struct kmem_cache *cache = kmem_cache_create("cache_bulk", CACHE_OBJECT_SIZE, 0,
						     SLAB_HWCACHE_ALIGN, NULL);
	uint64_t alloc_runs[BENCH_REPEATS], free_runs[BENCH_REPEATS];

	if (!cache) {
		bench_fail(b, "kmem_cache_create failed");
		return;
	}
	for (unsigned r = 0; r < BENCH_REPEATS; r++) {
		uint64_t alloc_cycles = 0, free_cycles = 0;

		for (unsigned round = 0; round < BULK_ROUNDS; round++) {
			uint64_t start = bench_cycles();

			if (kmem_cache_alloc_bulk(cache, GFP_KERNEL, BULK, batch) != BULK) {
				bench_fail(b, "kmem_cache_alloc_bulk came up short");
				kmem_cache_destroy(cache);
				return;
			}
			alloc_cycles += bench_cycles() - start;
			start = bench_cycles();
			kmem_cache_free_bulk(cache, BULK, batch);
			free_cycles += bench_cycles() - start;
		}
		alloc_runs[r] = alloc_cycles;
		free_runs[r] = free_cycles;
	}
	bench_median_report(b, "cache_bulk_alloc", CACHE_OBJECT_SIZE, BULK * BULK_ROUNDS, alloc_runs,
			    BENCH_REPEATS);
	bench_median_report(b, "cache_bulk_free", CACHE_OBJECT_SIZE, BULK * BULK_ROUNDS, free_runs,
			    BENCH_REPEATS);
	kmem_cache_destroy(cache);
}
BENCH_CASE(cache_bulk, bench_cache_bulk);

/* The cost of each debug flag (slab_debug= letters F, Z, P, U) on the same pair. */
static void bench_cache_debug(struct bench *b)
{
	cache_pair(b, "cache_alloc_free_debug_F", SLAB_CONSISTENCY_CHECKS);
	cache_pair(b, "cache_alloc_free_debug_Z", SLAB_RED_ZONE);
	cache_pair(b, "cache_alloc_free_debug_P", SLAB_POISON);
	cache_pair(b, "cache_alloc_free_debug_U", SLAB_STORE_USER);
}
BENCH_CASE(cache_alloc_free_debug, bench_cache_debug);
