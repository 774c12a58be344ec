// SPDX-License-Identifier: GPL-2.0
/*
 * ferrite_bench: Ferrite's allocator benchmarks, run inside Linux as a
 * loadable module (make bench-linux).  Same figure names, sizes,
 * iteration counts and loop shapes as Ferrite's tests/bench/ files, same
 * "lfence; rdtsc; lfence" timing, and the same output, so that one parser
 * reads both (Ferrite's include/bench.h and kernel/bench.c):
 *
 *     BENCH start cases=<N> tsc_khz=<K>
 *     # bench <case>
 *     # <name> size=<S>: 5 runs, cycles_per_op from <low> to <high>
 *     BENCH name=<name> size=<S> n=<iterations> cycles_per_op=<X.XX>
 *     BENCH done n=<figures> failed=<cases>
 *
 * One difference in how they run: Ferrite runs each case with interrupts
 * off; here interrupts stay on, because Linux's allocators may sleep
 * with GFP_KERNEL and kmem_cache_alloc_bulk() must be called with
 * interrupts enabled.  The timer tick (HZ=250 on Debian) is therefore in
 * the figures, at well under 1%.  Everything runs from the loading task,
 * moved to CPU 0; the parallel figures add one kernel thread per CPU.
 * The parallel figures carry a cpus= field but no shared_locks_per_kop=
 * (Linux counts no such thing).
 *
 * Linux's run-time defaults (init_on_alloc, freelist hardening, memcg
 * accounting) apply as the booted kernel has them: README, "Linux as the
 * baseline".
 */
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <asm/tsc.h>

#define BENCH_REPEATS 5

/* tests/bench/bench_slab.c */
#define SLAB_PAIR_ITERATIONS 20000
#define SLAB_BATCH 10000
#define SLAB_BULK 64
#define SLAB_BULK_ROUNDS 200
#define CACHE_OBJECT_SIZE 328
/* tests/bench/bench_page_alloc.c */
#define PAGE_PAIR_ITERATIONS 20000
#define PAGE_BATCH 1000
#define PAGE_BULK 64
#define PAGE_BULK_ROUNDS 200
/* tests/bench/bench_vmalloc.c */
#define VMALLOC_PAIR_ITERATIONS 200
#define VMALLOC_STREAM 10000
/* tests/bench/bench_kmalloc_parallel.c and bench_parallel.c */
#define REMOTE_OBJECTS 10000
#define PARALLEL_OBJECT_SIZE 64
#define PARALLEL_PAIRS_PER_CPU 20000
#define PARALLEL_WARM_PAIRS 200
/* The parallel figures use CPUs 0..MAX_BENCH_CPUS-1 at most. */
#define MAX_BENCH_CPUS 64
/* tests/bench/bench_self.c */
#define EMPTY_LOOP_ITERATIONS 1000000
#define RDTSC_READS 100000

struct bench {
	const char *name;
	unsigned int reported;
	bool failed;
};

/* As Ferrite's bench_cycles(): the TSC read in program order. */
static inline u64 bench_cycles(void)
{
	u32 low, high;

	asm volatile("lfence; rdtsc; lfence" : "=a"(low), "=d"(high) : : "memory");
	return ((u64)high << 32) | low;
}

#define bench_keep(value) asm volatile("" : : "r"(value) : "memory")
#define bench_barrier() asm volatile("" : : : "memory")

/* @total / @n with two decimals, rounded, in integers: Ferrite's bench_format_ratio(). */
static void format_ratio(char *buf, size_t size, u64 total, u64 n)
{
	u64 whole, remainder, hundredths;

	if (n == 0) {
		snprintf(buf, size, "nan");
		return;
	}
	whole = div64_u64(total, n);
	remainder = total - whole * n;
	while (n > U64_MAX / 200) {
		n >>= 1;
		remainder >>= 1;
	}
	hundredths = div64_u64(remainder * 100 + n / 2, n);
	if (hundredths == 100) {
		whole++;
		hundredths = 0;
	}
	snprintf(buf, size, "%llu.%02llu", whole, hundredths);
}

static void bench_fail(struct bench *b, const char *reason)
{
	b->failed = true;
	pr_info("# bench %s: FAILED: %s\n", b->name, reason);
}

static void report_line(struct bench *b, const char *op, const char *fields, u64 size, u64 n,
			u64 total, u64 divisor)
{
	char ratio[32];

	format_ratio(ratio, sizeof(ratio), total, divisor);
	pr_info("BENCH name=%s%s%s size=%llu n=%llu cycles_per_op=%s\n", op, fields ? " " : "",
		fields ? fields : "", size, n, ratio);
	b->reported++;
}

static void bench_report(struct bench *b, const char *op, u64 size, u64 n, u64 total)
{
	report_line(b, op, NULL, size, n, total, n);
}

/* Median of @runs totals for @n operations each: Ferrite's bench_median_report_fields(). */
static void median_report_fields(struct bench *b, const char *op, const char *fields, u64 size,
				 u64 n, u64 *run_cycles, size_t runs)
{
	char low[32], high[32];
	size_t i, j;

	for (i = 1; i < runs; i++) {
		u64 value = run_cycles[i];

		for (j = i; j > 0 && run_cycles[j - 1] > value; j--)
			run_cycles[j] = run_cycles[j - 1];
		run_cycles[j] = value;
	}
	format_ratio(low, sizeof(low), run_cycles[0], n);
	format_ratio(high, sizeof(high), run_cycles[runs - 1], n);
	pr_info("# %s size=%llu: %zu runs, cycles_per_op from %s to %s\n", op, size, runs, low,
		high);
	if (runs % 2)
		report_line(b, op, fields, size, n, run_cycles[runs / 2], n);
	else
		report_line(b, op, fields, size, n, run_cycles[runs / 2 - 1] + run_cycles[runs / 2],
			    2 * n);
}

static void median_report(struct bench *b, const char *op, u64 size, u64 n, u64 *run_cycles,
			  size_t runs)
{
	median_report_fields(b, op, NULL, size, n, run_cycles, runs);
}

/* ---- the framework measuring itself (bench_self.c) ------------------------ */

static void bench_empty_loop(struct bench *b)
{
	u64 runs[BENCH_REPEATS];

	for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
		u64 start = bench_cycles();

		for (unsigned int i = 0; i < EMPTY_LOOP_ITERATIONS; i++)
			bench_barrier();
		runs[r] = bench_cycles() - start;
	}
	median_report(b, "empty_loop", 0, EMPTY_LOOP_ITERATIONS, runs, BENCH_REPEATS);
}

static void bench_rdtsc(struct bench *b)
{
	u64 runs[BENCH_REPEATS];

	for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
		u64 start = bench_cycles();

		for (unsigned int i = 0; i < RDTSC_READS; i++)
			bench_keep(bench_cycles());
		runs[r] = bench_cycles() - start;
	}
	median_report(b, "rdtsc", 0, RDTSC_READS, runs, BENCH_REPEATS);
}

/* ---- slab and kmalloc (bench_slab.c) -------------------------------------- */

static const unsigned int class_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

static void *batch[SLAB_BATCH];

static void bench_kmalloc_free(struct bench *b)
{
	for (unsigned int c = 0; c < ARRAY_SIZE(class_sizes); c++) {
		u64 runs[BENCH_REPEATS];

		for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
			u64 start = bench_cycles();

			for (unsigned int i = 0; i < SLAB_PAIR_ITERATIONS; i++) {
				void *object = kmalloc(class_sizes[c], GFP_KERNEL);

				if (!object) {
					bench_fail(b, "kmalloc failed");
					return;
				}
				kfree(object);
			}
			runs[r] = bench_cycles() - start;
		}
		median_report(b, "kmalloc_free", class_sizes[c], SLAB_PAIR_ITERATIONS, runs,
			      BENCH_REPEATS);
	}
}

static void bench_kmalloc_batch(struct bench *b)
{
	for (unsigned int c = 0; c < ARRAY_SIZE(class_sizes); c++) {
		u64 alloc_runs[BENCH_REPEATS], free_runs[BENCH_REPEATS];

		for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
			u64 start = bench_cycles();

			for (unsigned int i = 0; i < SLAB_BATCH; i++)
				batch[i] = kmalloc(class_sizes[c], GFP_KERNEL);
			alloc_runs[r] = bench_cycles() - start;
			for (unsigned int i = 0; i < SLAB_BATCH; i++)
				if (!batch[i]) {
					bench_fail(b, "kmalloc failed");
					for (unsigned int j = 0; j < SLAB_BATCH; j++)
						kfree(batch[j]);
					return;
				}
			start = bench_cycles();
			for (unsigned int i = 0; i < SLAB_BATCH; i++)
				kfree(batch[i]);
			free_runs[r] = bench_cycles() - start;
		}
		median_report(b, "kmalloc_batch_alloc", class_sizes[c], SLAB_BATCH, alloc_runs,
			      BENCH_REPEATS);
		median_report(b, "kmalloc_batch_free", class_sizes[c], SLAB_BATCH, free_runs,
			      BENCH_REPEATS);
		cond_resched();
	}
}

/* The pair on a 328-byte SLAB_HWCACHE_ALIGN cache with @flags; reported as @name. */
static void cache_pair(struct bench *b, const char *name, slab_flags_t flags)
{
	struct kmem_cache *cache = kmem_cache_create(name, CACHE_OBJECT_SIZE, 0,
						     SLAB_HWCACHE_ALIGN | flags, NULL);
	u64 runs[BENCH_REPEATS];

	if (!cache) {
		bench_fail(b, "kmem_cache_create failed");
		return;
	}
	for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
		u64 start = bench_cycles();

		for (unsigned int i = 0; i < SLAB_PAIR_ITERATIONS; i++) {
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
	median_report(b, name, CACHE_OBJECT_SIZE, SLAB_PAIR_ITERATIONS, runs, BENCH_REPEATS);
	kmem_cache_destroy(cache);
}

static void bench_cache_alloc_free(struct bench *b)
{
	cache_pair(b, "cache_alloc_free", 0);
}

static void bench_cache_batch(struct bench *b)
{
	struct kmem_cache *cache = kmem_cache_create("cache_batch", CACHE_OBJECT_SIZE, 0,
						     SLAB_HWCACHE_ALIGN, NULL);
	u64 alloc_runs[BENCH_REPEATS], free_runs[BENCH_REPEATS];

	if (!cache) {
		bench_fail(b, "kmem_cache_create failed");
		return;
	}
	for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
		u64 start = bench_cycles();

		for (unsigned int i = 0; i < SLAB_BATCH; i++)
			batch[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		alloc_runs[r] = bench_cycles() - start;
		for (unsigned int i = 0; i < SLAB_BATCH; i++)
			if (!batch[i]) {
				bench_fail(b, "kmem_cache_alloc failed");
				for (unsigned int j = 0; j < SLAB_BATCH; j++)
					if (batch[j])
						kmem_cache_free(cache, batch[j]);
				kmem_cache_destroy(cache);
				return;
			}
		start = bench_cycles();
		for (unsigned int i = 0; i < SLAB_BATCH; i++)
			kmem_cache_free(cache, batch[i]);
		free_runs[r] = bench_cycles() - start;
	}
	median_report(b, "cache_batch_alloc", CACHE_OBJECT_SIZE, SLAB_BATCH, alloc_runs,
		      BENCH_REPEATS);
	median_report(b, "cache_batch_free", CACHE_OBJECT_SIZE, SLAB_BATCH, free_runs, BENCH_REPEATS);
	kmem_cache_destroy(cache);
}

static void bench_cache_bulk(struct bench *b)
{
	struct kmem_cache *cache = kmem_cache_create("cache_bulk", CACHE_OBJECT_SIZE, 0,
						     SLAB_HWCACHE_ALIGN, NULL);
	u64 alloc_runs[BENCH_REPEATS], free_runs[BENCH_REPEATS];

	if (!cache) {
		bench_fail(b, "kmem_cache_create failed");
		return;
	}
	for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
		u64 alloc_cycles = 0, free_cycles = 0;

		for (unsigned int round = 0; round < SLAB_BULK_ROUNDS; round++) {
			u64 start = bench_cycles();

			if (kmem_cache_alloc_bulk(cache, GFP_KERNEL, SLAB_BULK, batch) != SLAB_BULK) {
				bench_fail(b, "kmem_cache_alloc_bulk came up short");
				kmem_cache_destroy(cache);
				return;
			}
			alloc_cycles += bench_cycles() - start;
			start = bench_cycles();
			kmem_cache_free_bulk(cache, SLAB_BULK, batch);
			free_cycles += bench_cycles() - start;
		}
		alloc_runs[r] = alloc_cycles;
		free_runs[r] = free_cycles;
	}
	median_report(b, "cache_bulk_alloc", CACHE_OBJECT_SIZE, SLAB_BULK * SLAB_BULK_ROUNDS,
		      alloc_runs, BENCH_REPEATS);
	median_report(b, "cache_bulk_free", CACHE_OBJECT_SIZE, SLAB_BULK * SLAB_BULK_ROUNDS,
		      free_runs, BENCH_REPEATS);
	kmem_cache_destroy(cache);
}

/* The cost of each debug flag (slub_debug= letters F, Z, P, U) on the same pair. */
static void bench_cache_debug(struct bench *b)
{
	cache_pair(b, "cache_alloc_free_debug_F", SLAB_CONSISTENCY_CHECKS);
	cache_pair(b, "cache_alloc_free_debug_Z", SLAB_RED_ZONE);
	cache_pair(b, "cache_alloc_free_debug_P", SLAB_POISON);
	cache_pair(b, "cache_alloc_free_debug_U", SLAB_STORE_USER);
}

/*
 * ---- the page allocator (bench_page_alloc.c) -------------------------------
 * One count differs from Ferrite's: alloc_pages_free of order 9 runs 200
 * pairs, not 20000 (its n= says so).  With init_on_alloc on, each pair
 * clears 2 MiB, and under -icount QEMU counts every byte a "rep stosb"
 * stores as one instruction: 20000 pairs times 5 runs would take most of
 * an hour to emulate.
 */

static void bench_alloc_pages_free(struct bench *b)
{
	static const unsigned int orders[] = { 0, 1, 2, 3, 4, 9 };

	for (unsigned int o = 0; o < ARRAY_SIZE(orders); o++) {
		unsigned int iterations = orders[o] >= 9 ? PAGE_PAIR_ITERATIONS / 100 :
							   PAGE_PAIR_ITERATIONS;
		u64 runs[BENCH_REPEATS];

		for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
			u64 start = bench_cycles();

			for (unsigned int i = 0; i < iterations; i++) {
				struct page *page = alloc_pages(GFP_KERNEL, orders[o]);

				if (!page) {
					bench_fail(b, "alloc_pages failed");
					return;
				}
				__free_pages(page, orders[o]);
			}
			runs[r] = bench_cycles() - start;
		}
		median_report(b, "alloc_pages_free", orders[o], iterations, runs, BENCH_REPEATS);
	}
}

static void bench_alloc_pages_batch(struct bench *b)
{
	static struct page *pages[PAGE_BATCH];
	u64 alloc_runs[BENCH_REPEATS], free_runs[BENCH_REPEATS];

	for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
		u64 start = bench_cycles();

		for (unsigned int i = 0; i < PAGE_BATCH; i++)
			pages[i] = alloc_pages(GFP_KERNEL, 0);
		alloc_runs[r] = bench_cycles() - start;
		for (unsigned int i = 0; i < PAGE_BATCH; i++)
			if (!pages[i]) {
				bench_fail(b, "alloc_pages failed");
				for (unsigned int j = 0; j < PAGE_BATCH; j++)
					if (pages[j])
						__free_pages(pages[j], 0);
				return;
			}
		start = bench_cycles();
		for (unsigned int i = 0; i < PAGE_BATCH; i++)
			__free_pages(pages[i], 0);
		free_runs[r] = bench_cycles() - start;
	}
	median_report(b, "alloc_pages_batch_alloc", 0, PAGE_BATCH, alloc_runs, BENCH_REPEATS);
	median_report(b, "alloc_pages_batch_free", 0, PAGE_BATCH, free_runs, BENCH_REPEATS);
}

/* Linux 6.1 names Ferrite's alloc_pages_bulk(gfp, nr, pages) alloc_pages_bulk_array(). */
static void bench_alloc_pages_bulk(struct bench *b)
{
	static struct page *pages[PAGE_BULK];
	u64 runs[BENCH_REPEATS];

	for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
		u64 cycles = 0;

		for (unsigned int round = 0; round < PAGE_BULK_ROUNDS; round++) {
			u64 start;

			for (unsigned int i = 0; i < PAGE_BULK; i++)
				pages[i] = NULL;
			start = bench_cycles();
			if (alloc_pages_bulk_array(GFP_KERNEL, PAGE_BULK, pages) != PAGE_BULK) {
				bench_fail(b, "alloc_pages_bulk came up short");
				for (unsigned int i = 0; i < PAGE_BULK; i++)
					if (pages[i])
						__free_pages(pages[i], 0);
				return;
			}
			cycles += bench_cycles() - start;
			for (unsigned int i = 0; i < PAGE_BULK; i++)
				__free_pages(pages[i], 0);
		}
		runs[r] = cycles;
	}
	median_report(b, "alloc_pages_bulk", 0, PAGE_BULK * PAGE_BULK_ROUNDS, runs, BENCH_REPEATS);
}

/* ---- vmalloc and vmap (bench_vmalloc.c) ------------------------------------ */

static void bench_vmalloc_vfree(struct bench *b)
{
	static const unsigned int page_counts[] = { 1, 4, 16, 64, 256, 1024 };

	for (unsigned int i = 0; i < ARRAY_SIZE(page_counts); i++) {
		unsigned int iterations = page_counts[i] >= 256 ? VMALLOC_PAIR_ITERATIONS / 10 :
								  VMALLOC_PAIR_ITERATIONS;
		u64 runs[BENCH_REPEATS];

		for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
			u64 start = bench_cycles();

			for (unsigned int n = 0; n < iterations; n++) {
				void *address = vmalloc((size_t)page_counts[i] * PAGE_SIZE);

				if (!address) {
					bench_fail(b, "vmalloc failed");
					return;
				}
				vfree(address);
			}
			runs[r] = bench_cycles() - start;
		}
		median_report(b, "vmalloc_vfree", page_counts[i], iterations, runs, BENCH_REPEATS);
	}
}

static void bench_vmap_vunmap(struct bench *b)
{
	struct page *pages[16] = { NULL };
	u64 runs[BENCH_REPEATS];

	if (alloc_pages_bulk_array(GFP_KERNEL, 16, pages) != 16) {
		bench_fail(b, "no pages");
		goto out;
	}
	for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
		u64 start = bench_cycles();

		for (unsigned int n = 0; n < VMALLOC_PAIR_ITERATIONS; n++) {
			void *address = vmap(pages, 16, VM_MAP, PAGE_KERNEL);

			if (!address) {
				bench_fail(b, "vmap failed");
				goto out;
			}
			vunmap(address);
		}
		runs[r] = bench_cycles() - start;
	}
	median_report(b, "vmap_vunmap", 16, VMALLOC_PAIR_ITERATIONS, runs, BENCH_REPEATS);
out:
	for (int i = 0; i < 16; i++)
		if (pages[i])
			__free_pages(pages[i], 0);
}

static void bench_vmalloc_stream(struct bench *b)
{
	u64 start = bench_cycles(), cycles;

	for (unsigned int n = 0; n < VMALLOC_STREAM; n++) {
		void *address = vmalloc(4 * PAGE_SIZE);

		if (!address) {
			bench_fail(b, "vmalloc failed");
			return;
		}
		vfree(address);
	}
	cycles = bench_cycles() - start;
	bench_report(b, "vmalloc_stream", 4, VMALLOC_STREAM, cycles);
}

/* ---- several CPUs (bench_kmalloc_parallel.c, bench_page_alloc_parallel.c) -- */

static bool can_measure(const char *what)
{
	if (num_online_cpus() < 2) {
		pr_info("# %s: one CPU online, nothing measured (make bench-linux BENCH_SMP=4)\n",
			what);
		return false;
	}
	return true;
}

static void *remote_objects[REMOTE_OBJECTS];

/* On CPU 1 (a work item bound there): free every object CPU 0 allocated. Return: cycles. */
static long free_remote_objects(void *unused)
{
	u64 start = bench_cycles();

	for (unsigned int i = 0; i < REMOTE_OBJECTS; i++)
		kfree(remote_objects[i]);
	return (long)(bench_cycles() - start);
}

static void bench_kmalloc_remote_free(struct bench *b)
{
	u64 runs[BENCH_REPEATS];

	if (!can_measure("kmalloc_remote_free"))
		return;
	for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
		for (unsigned int i = 0; i < REMOTE_OBJECTS; i++)
			if (!(remote_objects[i] = kmalloc(PARALLEL_OBJECT_SIZE, GFP_KERNEL))) {
				bench_fail(b, "kmalloc failed");
				while (i--)
					kfree(remote_objects[i]);
				return;
			}
		runs[r] = (u64)work_on_cpu(1, free_remote_objects, NULL);
	}
	median_report(b, "kmalloc_remote_free", PARALLEL_OBJECT_SIZE, REMOTE_OBJECTS, runs,
		      BENCH_REPEATS);
}

typedef bool (*bench_pairs_fn)(unsigned int pairs);

struct parallel_runner {
	int start;              /* set by CPU 0 */
	int ready;              /* warmed up, waiting for start */
	int done;
	bool failed;
} ____cacheline_aligned;

static struct parallel_runner runners[MAX_BENCH_CPUS];
static struct task_struct *workers[MAX_BENCH_CPUS];
static bench_pairs_fn run_pairs;

static int parallel_worker(void *info)
{
	struct parallel_runner *r = info;

	run_pairs(PARALLEL_WARM_PAIRS);
	smp_store_release(&r->ready, 1);
	while (!smp_load_acquire(&r->start))
		cpu_relax();
	r->failed = !run_pairs(PARALLEL_PAIRS_PER_CPU);
	smp_store_release(&r->done, 1);
	/* Wait for kthread_stop(). */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/* One timed run on CPUs 0..@cpus-1.  Return: cycles, 0 on failure. */
static u64 timed_run(struct bench *b, unsigned int cpus, const char *fail_message)
{
	u64 start, end = 0;
	bool ok = true;
	unsigned int cpu;

	for (cpu = 1; cpu < cpus; cpu++)
		workers[cpu] = NULL;
	for (cpu = 1; cpu < cpus; cpu++) {
		runners[cpu] = (struct parallel_runner){ 0 };
		workers[cpu] = kthread_create(parallel_worker, &runners[cpu], "ferrite_bench/%u",
					      cpu);
		if (IS_ERR(workers[cpu])) {
			workers[cpu] = NULL;
			bench_fail(b, "cannot start a worker thread");
			ok = false;
			break;
		}
		kthread_bind(workers[cpu], cpu);
		wake_up_process(workers[cpu]);
	}
	if (ok) {
		run_pairs(PARALLEL_WARM_PAIRS);
		for (cpu = 1; cpu < cpus; cpu++)
			while (!smp_load_acquire(&runners[cpu].ready))
				cpu_relax();
		start = bench_cycles();
		for (cpu = 1; cpu < cpus; cpu++)
			smp_store_release(&runners[cpu].start, 1);
		ok = run_pairs(PARALLEL_PAIRS_PER_CPU);
		for (cpu = 1; cpu < cpus; cpu++) {
			while (!smp_load_acquire(&runners[cpu].done))
				cpu_relax();
			ok = ok && !runners[cpu].failed;
		}
		end = bench_cycles() - start;
		if (!ok)
			bench_fail(b, fail_message);
	}
	for (cpu = 1; cpu < cpus; cpu++)
		if (workers[cpu]) {
			/* A worker that never started must still be let go. */
			smp_store_release(&runners[cpu].start, 1);
			kthread_stop(workers[cpu]);
		}
	return ok ? end : 0;
}

static void parallel_pairs(struct bench *b, const char *name, u64 size, bench_pairs_fn pairs,
			   const char *fail_message)
{
	unsigned int online = min(num_online_cpus(), (unsigned int)MAX_BENCH_CPUS);

	run_pairs = pairs;
	for (unsigned int cpus = 1; cpus <= online; cpus *= 2) {
		u64 runs[BENCH_REPEATS], total = (u64)cpus * PARALLEL_PAIRS_PER_CPU;
		char fields[32];

		for (unsigned int r = 0; r < BENCH_REPEATS; r++) {
			runs[r] = timed_run(b, cpus, fail_message);
			if (!runs[r])
				return;
		}
		snprintf(fields, sizeof(fields), "cpus=%u", cpus);
		median_report_fields(b, name, fields, size, total, runs, BENCH_REPEATS);
		if (tsc_khz)
			pr_info("# %s cpus=%u: %llu pairs/s (median run)\n", name, cpus,
				div64_u64(total * tsc_khz * 1000, runs[BENCH_REPEATS / 2]));
	}
}

static bool kmalloc_pairs(unsigned int pairs)
{
	for (unsigned int i = 0; i < pairs; i++) {
		void *object = kmalloc(PARALLEL_OBJECT_SIZE, GFP_KERNEL);

		if (!object)
			return false;
		kfree(object);
	}
	return true;
}

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

static void bench_kmalloc_free_parallel(struct bench *b)
{
	if (can_measure("kmalloc_free_parallel"))
		parallel_pairs(b, "kmalloc_free_parallel", PARALLEL_OBJECT_SIZE, kmalloc_pairs,
			       "kmalloc failed");
}

static void bench_page_alloc_free_parallel(struct bench *b)
{
	parallel_pairs(b, "page_alloc_free_parallel", 0, page_pairs, "alloc_page failed");
}

/* ---- the runner ------------------------------------------------------------ */

struct bench_case {
	const char *name;
	void (*run)(struct bench *b);
};

/* Ferrite's case identifiers, in Ferrite's link order (Makefile BENCH_SRCS). */
static const struct bench_case cases[] = {
	{ "kmalloc_remote_free", bench_kmalloc_remote_free },
	{ "kmalloc_free_parallel", bench_kmalloc_free_parallel },
	{ "alloc_pages_free", bench_alloc_pages_free },
	{ "alloc_pages_batch", bench_alloc_pages_batch },
	{ "alloc_pages_bulk", bench_alloc_pages_bulk },
	{ "page_alloc_free_parallel", bench_page_alloc_free_parallel },
	{ "empty_loop", bench_empty_loop },
	{ "rdtsc", bench_rdtsc },
	{ "kmalloc_free", bench_kmalloc_free },
	{ "kmalloc_batch", bench_kmalloc_batch },
	{ "cache_alloc_free", bench_cache_alloc_free },
	{ "cache_batch", bench_cache_batch },
	{ "cache_bulk", bench_cache_bulk },
	{ "cache_alloc_free_debug", bench_cache_debug },
	{ "vmalloc_vfree", bench_vmalloc_vfree },
	{ "vmap_vunmap", bench_vmap_vunmap },
	{ "vmalloc_stream", bench_vmalloc_stream },
};

static char *bench = "*";
module_param(bench, charp, 0444);
MODULE_PARM_DESC(bench, "cases to run, comma-separated, or * for every case (default)");

/* Is case @name in the comma-separated list @bench ("*" selects all)? */
static bool selected(const char *name)
{
	size_t length = strlen(name);
	const char *item = bench;

	if (strcmp(bench, "*") == 0)
		return true;
	while (item) {
		if (strncmp(item, name, length) == 0 && (item[length] == ',' || item[length] == '\0'))
			return true;
		item = strchr(item, ',');
		if (item)
			item++;
	}
	return false;
}

static int __init ferrite_bench_init(void)
{
	unsigned int count = 0, figures = 0, failed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		count += selected(cases[i].name);
	if (count == 0) {
		pr_err("ferrite_bench: bench=%s selects no case; the cases:\n", bench);
		for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
			pr_err("ferrite_bench:   %s\n", cases[i].name);
		return -EINVAL;
	}
	/* CPU 0 runs the cases, as in Ferrite; the parallel figures add CPUs 1.. */
	set_cpus_allowed_ptr(current, cpumask_of(0));
	pr_info("BENCH start cases=%u tsc_khz=%u\n", count, tsc_khz);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct bench b = { .name = cases[i].name };

		if (!selected(cases[i].name))
			continue;
		pr_info("# bench %s\n", b.name);
		cases[i].run(&b);
		if (!b.failed && b.reported == 0 &&
		    strcmp(b.name, "kmalloc_remote_free") && strcmp(b.name, "kmalloc_free_parallel"))
			bench_fail(&b, "reported no figure");
		figures += b.reported;
		failed += b.failed;
		cond_resched();
	}
	pr_info("BENCH done n=%u failed=%u\n", figures, failed);
	return 0;
}

static void __exit ferrite_bench_exit(void)
{
}

module_init(ferrite_bench_init);
module_exit(ferrite_bench_exit);
MODULE_DESCRIPTION("Ferrite's allocator benchmarks, run inside Linux");
MODULE_LICENSE("GPL");
