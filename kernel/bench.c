// SPDX-License-Identifier: MIT
/*
 * bench runner: runs the registered benchmark cases and prints their
 * figures, one machine-readable line each (see include/bench.h).  Cases
 * run in link order; "#" lines are comments for people.  Under
 * -icount shift=0 a run looks like this:
 *
 *     BENCH start cases=2 tsc_khz=999931
 *     # bench rdtsc
 *     # rdtsc size=0: 5 runs, cycles_per_op from 8.00 to 8.00
 *     BENCH name=rdtsc size=0 n=100000 cycles_per_op=8.00
 *     # bench empty_loop
 *     # empty_loop size=0: 5 runs, cycles_per_op from 2.00 to 2.00
 *     BENCH name=empty_loop size=0 n=1000000 cycles_per_op=2.00
 *     BENCH done n=2 failed=0
 */
#include <asm/cpu.h>
#include <asm/tsc.h>
#include <bench.h>
#include <cmdline.h>
#include <printk.h>

extern const struct bench_case *const __start_bench_cases[];
extern const struct bench_case *const __stop_bench_cases[];

#define bench_print(fmt, ...) printk(KERN_RAW fmt, ##__VA_ARGS__)

size_t bench_case_count(void)
{
	return (size_t)(__stop_bench_cases - __start_bench_cases);
}

int bench_format_ratio(char *buf, size_t size, uint64_t total, uint64_t n)
{
	uint64_t whole, remainder, hundredths;

	if (n == 0)
		return snprintf(buf, size, "nan");
	whole = total / n;
	remainder = total % n;
	/* remainder * 100 + n / 2 must not overflow: scale both down (n is never near this). */
	while (n > UINT64_MAX / 200) {
		n >>= 1;
		remainder >>= 1;
	}
	hundredths = (remainder * 100 + n / 2) / n;
	if (hundredths == 100) {
		whole++;
		hundredths = 0;
	}
	return snprintf(buf, size, "%llu.%02llu", (unsigned long long)whole,
			(unsigned long long)hundredths);
}

/* Print one figure for @total cycles over @divisor operations, labelled n=@n. */
static void report_line(struct bench *b, const char *op, const char *fields, uint64_t size,
			uint64_t n, uint64_t total, uint64_t divisor)
{
	char ratio[32];

	bench_format_ratio(ratio, sizeof(ratio), total, divisor);
	bench_print("BENCH name=%s%s%s size=%llu n=%llu cycles_per_op=%s\n", op, fields ? " " : "",
		    fields ? fields : "", (unsigned long long)size, (unsigned long long)n, ratio);
	b->reported++;
}

void bench_report(struct bench *b, const char *op, uint64_t size, uint64_t n, uint64_t total_cycles)
{
	if (n == 0) {
		bench_fail(b, "bench_report with n=0");
		return;
	}
	report_line(b, op, NULL, size, n, total_cycles, n);
}

void bench_median_report(struct bench *b, const char *op, uint64_t size, uint64_t n,
			 uint64_t *run_cycles, size_t runs)
{
	bench_median_report_fields(b, op, NULL, size, n, run_cycles, runs);
}

void bench_median_report_fields(struct bench *b, const char *op, const char *fields, uint64_t size,
				uint64_t n, uint64_t *run_cycles, size_t runs)
{
	char low[32], high[32];

	if (runs == 0 || n == 0) {
		bench_fail(b, "bench_median_report with no runs or n=0");
		return;
	}
	/* Insertion sort: a handful of runs. */
	for (size_t i = 1; i < runs; i++) {
		uint64_t value = run_cycles[i];
		size_t j = i;

		for (; j > 0 && run_cycles[j - 1] > value; j--)
			run_cycles[j] = run_cycles[j - 1];
		run_cycles[j] = value;
	}
	bench_format_ratio(low, sizeof(low), run_cycles[0], n);
	bench_format_ratio(high, sizeof(high), run_cycles[runs - 1], n);
	bench_print("# %s size=%llu: %zu runs, cycles_per_op from %s to %s\n", op,
		    (unsigned long long)size, runs, low, high);
	if (runs % 2)
		report_line(b, op, fields, size, n, run_cycles[runs / 2], n);
	else
		report_line(b, op, fields, size, n, run_cycles[runs / 2 - 1] + run_cycles[runs / 2],
			    2 * n);
}

void bench_fail(struct bench *b, const char *reason)
{
	if (!b->failed)
		b->fail_reason = reason;
	b->failed = true;
	bench_print("# bench %s: FAILED: %s\n", b->name, reason);
}

static const char *case_name_at(size_t index, const void *set)
{
	return __start_bench_cases[index]->name;
}

/* Check @glob (see glob_list_check()); print what is wrong and the cases that exist. */
static bool selection_usable(const char *glob)
{
	struct glob_list_error err;
	size_t count = bench_case_count();

	if (glob_list_check(glob, case_name_at, NULL, count, &err))
		return true;
	pr_err("bench=%s: %s: \"%.*s\"\n", glob ? glob : "", err.message, (int)err.length,
	       err.pattern);
	pr_err("bench: the %zu benchmarks built in:", count);
	for (size_t i = 0; i < count; i++)
		pr_cont(" %s", case_name_at(i, NULL));
	pr_cont("\n");
	return false;
}

unsigned bench_run_all(const char *glob)
{
	unsigned count = 0, figures = 0, failed = 0;

	if (!selection_usable(glob))
		return 1;
	for (const struct bench_case *const *c = __start_bench_cases; c < __stop_bench_cases; c++)
		count += glob_list_match(glob, (*c)->name);

	bench_print("BENCH start cases=%u tsc_khz=%llu\n", count, (unsigned long long)tsc_khz);
	for (const struct bench_case *const *c = __start_bench_cases; c < __stop_bench_cases; c++) {
		struct bench b = { .name = (*c)->name };
		uint64_t flags;

		if (!glob_list_match(glob, (*c)->name))
			continue;
		bench_print("# bench %s\n", b.name);
		flags = local_irq_save();
		(*c)->run(&b);
		local_irq_restore(flags);
		if (!b.failed && b.reported == 0)
			bench_fail(&b, "reported no figure");
		figures += b.reported;
		failed += b.failed;
	}
	bench_print("BENCH done n=%u failed=%u\n", figures, failed);
	return failed;
}
