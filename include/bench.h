/* SPDX-License-Identifier: MIT */
/*
 * bench: in-kernel micro-benchmarks, run by `bench=GLOB` on the command
 * line (make bench).  Tests check behaviour; benchmarks only report numbers.
 *
 * A benchmark file defines one function per benchmark and registers it:
 *
 *     static void bench_kmalloc(struct bench *b)
 *     {
 *             uint64_t runs[BENCH_REPEATS];
 *
 *             for (unsigned r = 0; r < BENCH_REPEATS; r++) {
 *                     uint64_t start = bench_cycles();
 *                     for (unsigned i = 0; i < 10000; i++)
 *                             kfree(kmalloc(64, GFP_KERNEL));
 *                     runs[r] = bench_cycles() - start;
 *             }
 *             bench_median_report(b, "kmalloc_free", 64, 10000, runs, BENCH_REPEATS);
 *     }
 *     BENCH_CASE(kmalloc, bench_kmalloc);
 *
 * Cases land in the "bench_cases" linker section, like ktest suites, so
 * compiling a file into the kernel registers it.  `bench=GLOB` selects
 * cases by their identifier ("kmalloc" above), not by the figure names
 * they report.  Every figure is one line on serial:
 *
 *     BENCH name=<op> size=<bytes|order|pages> n=<iterations> cycles_per_op=<float>
 *
 * between a header "BENCH start cases=<N> tsc_khz=<K>" and a closing
 * "BENCH done n=<figures> failed=<cases>".  Interrupts are off while a
 * case runs.  Under QEMU with -icount shift=0 the TSC counts executed
 * instructions, so cycles_per_op becomes instructions per op.
 */
#ifndef FERRITE_BENCH_H
#define FERRITE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench;

struct bench_case {
	const char *name;
	void (*run)(struct bench *b);
};

/* State of the case that is running; owned by the runner. */
struct bench {
	const char *name;         /* the case's name */
	unsigned reported;        /* figures it printed so far */
	bool failed;
	const char *fail_reason;
};

/* Register @fn as benchmark case @ident (selected by bench=GLOB on "ident"). */
#define BENCH_CASE(ident, fn)                                                  \
	static const struct bench_case ident##_bench_case = { #ident, fn };    \
	static const struct bench_case *const ident##_bench_entry              \
		__attribute__((used, section("bench_cases"))) = &ident##_bench_case

/* How many times a benchmark should repeat a measurement to report the median. */
#define BENCH_REPEATS 5

/*
 * Read the TSC in program order: "lfence; rdtsc; lfence".  The first
 * lfence waits until every earlier instruction has completed, the second
 * keeps later instructions from starting before the read.  lfence is
 * part of SSE2, so every x86_64 CPU has it; it orders rdtsc this way on
 * Intel CPUs, and on AMD ones where LFENCE is dispatch-serializing (all
 * since family 17h).  Under QEMU's TCG instructions run in order anyway.
 * Return: the TSC.  Context: any.
 */
static inline uint64_t bench_cycles(void)
{
	uint32_t low, high;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(low), "=d"(high) : : "memory");
	return ((uint64_t)high << 32) | low;
}

/* Make the compiler assume @value is used, so a measured computation is kept. */
#define bench_keep(value) __asm__ volatile("" : : "r"(value) : "memory")

/* Make the compiler forget what it knows about memory (an empty loop stays a loop). */
#define bench_barrier() __asm__ volatile("" : : : "memory")

/*
 * Print one figure: "BENCH name=@op size=@size n=@n cycles_per_op=X.XX"
 * with X.XX = @total_cycles / @n, rounded to two decimals (integer
 * arithmetic).  @op should be a name from the table in the README, so
 * figures line up with Linux's.  @n must not be 0.
 */
void bench_report(struct bench *b, const char *op, uint64_t size, uint64_t n,
		  uint64_t total_cycles);

/*
 * Report the median of @runs measurements: @run_cycles[i] is the total
 * for @n operations in run i.  For an even count, the mean of the two
 * middle runs.  Sorts @run_cycles in place.  @runs must not be 0.
 */
void bench_median_report(struct bench *b, const char *op, uint64_t size, uint64_t n,
			 uint64_t *run_cycles, size_t runs);

/*
 * The same with extra "key=value" @fields after the name (NULL: none),
 * e.g. "cpus=4": "BENCH name=@op @fields size=... n=... cycles_per_op=X.XX".
 */
void bench_median_report_fields(struct bench *b, const char *op, const char *fields, uint64_t size,
				uint64_t n, uint64_t *run_cycles, size_t runs);

/*
 * Mark the running case as failed (e.g. an allocation it needs returned
 * NULL), printing @reason; it should then return.  A failed case makes
 * the run end with the "fail" status.
 */
void bench_fail(struct bench *b, const char *reason);

/*
 * Runner entry: run every case whose name matches @glob ('*' and '?', a
 * comma-separated list as for ktest=; NULL or "" means all), with
 * interrupts off during each, between the header and closing lines.  A
 * malformed @glob, or one that selects nothing, runs nothing: the error
 * and the list of cases are printed.
 * Return: the number of failed cases; 1 for a rejected @glob.
 */
unsigned bench_run_all(const char *glob);

/* Number of cases compiled in. */
size_t bench_case_count(void);

/*
 * Format @total / @n rounded to two decimals ("12.35") into @buf of
 * @size bytes.  Return: what snprintf returns.  Pure.
 */
int bench_format_ratio(char *buf, size_t size, uint64_t total, uint64_t n);

#endif /* FERRITE_BENCH_H */
