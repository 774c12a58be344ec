/* SPDX-License-Identifier: MIT */
/*
 * ktest: Ferrite's self-test framework, in the spirit of Linux's KUnit.
 *
 * A test file defines cases and registers one suite:
 *
 *     static void test_split(struct ktest *t)
 *     {
 *             KEXPECT_EQ(t, buddy_free_pages(b), 512);
 *             KASSERT_NOT_NULL(t, p);        // stops this case on failure
 *     }
 *     KTEST_SUITE(buddy, KTEST_CASE(test_split), KTEST_CASE(test_merge));
 *
 * Suites land in the "ktest_suites" linker section, so a file compiled
 * into the kernel (or into the host test binary) registers itself.  The
 * same test file builds for both.  tests/ktest.manifest lists every suite
 * and case, so the test harness notices one that stops running.
 *
 * KEXPECT_* records a failure and goes on; KASSERT_* records it and
 * abandons the case at once (the runner regains control through a saved
 * jump buffer, so this works from helper functions too).  Every failure
 * prints file:line and both values as KTAP diagnostic ("# ...") lines.
 */
#ifndef FERRITE_KTEST_H
#define FERRITE_KTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ktest;

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	size_t case_count;
	/* Optional; a non-zero return from init fails every case of the suite. */
	int (*init)(void);
	void (*exit)(void);
};

/* State of the case that is running; owned by the runner. */
struct ktest {
	const char *suite;
	const char *name;
	unsigned failures;   /* expectations that failed in this case */
	bool skipped;
	const char *skip_reason;
};

#define KTEST_CASE(fn) { #fn, fn }

#define KTEST_SUITE_FULL(ident, init_fn, exit_fn, ...)                        \
	static const struct ktest_case ident##_ktest_cases[] = { __VA_ARGS__ }; \
	static const struct ktest_suite ident##_ktest_suite = {                 \
		#ident, ident##_ktest_cases,                                    \
		sizeof(ident##_ktest_cases) / sizeof(ident##_ktest_cases[0]),   \
		init_fn, exit_fn,                                               \
	};                                                                      \
	static const struct ktest_suite *const ident##_ktest_entry             \
		__attribute__((used, section("ktest_suites"))) =               \
			&ident##_ktest_suite

#define KTEST_SUITE(ident, ...) KTEST_SUITE_FULL(ident, NULL, NULL, __VA_ARGS__)

/*
 * Runner entry: run every suite whose name matches @glob ('*' and '?'
 * wildcards; a comma-separated list, where a pattern starting with '-'
 * excludes: "*,-vmap_area"; NULL or "" means all), print KTAP version 1
 * with a comment line saying how many suites and cases are built in and
 * selected, then one line "N passed, N failed".  A @glob that
 * ktest_check_selection() rejects runs nothing.
 * Return: the number of failed cases; 1 for a rejected @glob.
 */
unsigned ktest_run_all(const char *glob);

/*
 * Check @glob against the suites built in (see glob_list_check()): a
 * malformed pattern, a pattern that matches no suite, or a list that
 * selects nothing is printed as an error with the suites that exist.
 * Return: true if @glob is usable.
 */
bool ktest_check_selection(const char *glob);

/* Number of suites compiled in (for a boot that selects none). */
size_t ktest_suite_count(void);

/* True while a case is running (fault handlers use it to fail the case). */
bool ktest_is_running(void);

/*
 * Fail the running case with a one-line @reason and return to the runner.
 * Used by KASSERT_*, by panic() and by unexpected exceptions during a test.
 * Does not return.  On a CPU other than 0 (a cross call, idle work) there is
 * no runner to return to: the run ends with a panic naming the CPU; so it
 * does inside an NMI handler, which must not be left without its IRETQ.
 */
__attribute__((noreturn)) void ktest_abort(const char *reason);

/*
 * Run case @c inside the running case, as the runner would, without
 * reporting it as a case of its own: for testing the framework's safety
 * net.  @result receives its state, @reason the abort reason (NULL if it
 * returned normally).  Return: the number of failures it recorded.
 */
unsigned ktest_run_nested(const struct ktest_case *c, struct ktest *result, const char **reason);

/* Mark the running case as skipped (a skip is reported, never counted as a pass). */
void ktest_skip(struct ktest *t, const char *reason);

/* Reporting back-ends used by the macros below; not for direct use. */
void ktest_fail_int(struct ktest *t, const char *file, int line, const char *op,
		    const char *left_text, const char *right_text,
		    long long left, long long right);
void ktest_fail_uint(struct ktest *t, const char *file, int line, const char *op,
		     const char *left_text, const char *right_text,
		     unsigned long long left, unsigned long long right);
void ktest_fail_str(struct ktest *t, const char *file, int line, const char *op,
		    const char *left_text, const char *right_text,
		    const char *left, const char *right);
void ktest_fail_bool(struct ktest *t, const char *file, int line, const char *cond_text,
		     bool expected);
bool ktest_streq(const char *a, const char *b);

#define KTEST__CMP(t, kind, type, a, op, b, on_fail)                            \
	do {                                                                    \
		type ktest_a_ = (type)(a), ktest_b_ = (type)(b);                \
		if (!(ktest_a_ op ktest_b_)) {                                  \
			ktest_fail_##kind(t, __FILE__, __LINE__, #op, #a, #b,    \
					  ktest_a_, ktest_b_);                  \
			on_fail;                                                \
		}                                                               \
	} while (0)

#define KTEST__BOOL(t, cond, expected, on_fail)                                  \
	do {                                                                    \
		if ((bool)(cond) != (expected)) {                                 \
			ktest_fail_bool(t, __FILE__, __LINE__, #cond, expected); \
			on_fail;                                                \
		}                                                               \
	} while (0)

#define KTEST__STR(t, a, op, b, on_fail)                                         \
	do {                                                                    \
		const char *ktest_a_ = (a), *ktest_b_ = (b);                    \
		if (!(ktest_streq(ktest_a_, ktest_b_) op true)) {               \
			ktest_fail_str(t, __FILE__, __LINE__, #op, #a, #b,       \
				       ktest_a_, ktest_b_);                     \
			on_fail;                                                \
		}                                                               \
	} while (0)

#define KTEST__GO_ON (void)0
#define KTEST__STOP ktest_abort("assertion failed")

/* Expectations: record a failure and continue. Integers compare as signed. */
#define KEXPECT_EQ(t, a, b) KTEST__CMP(t, int, long long, a, ==, b, KTEST__GO_ON)
#define KEXPECT_NE(t, a, b) KTEST__CMP(t, int, long long, a, !=, b, KTEST__GO_ON)
#define KEXPECT_LT(t, a, b) KTEST__CMP(t, int, long long, a, <, b, KTEST__GO_ON)
#define KEXPECT_LE(t, a, b) KTEST__CMP(t, int, long long, a, <=, b, KTEST__GO_ON)
#define KEXPECT_GT(t, a, b) KTEST__CMP(t, int, long long, a, >, b, KTEST__GO_ON)
#define KEXPECT_GE(t, a, b) KTEST__CMP(t, int, long long, a, >=, b, KTEST__GO_ON)
/* Unsigned 64-bit comparisons, printed in hex too (addresses, sizes). */
#define KEXPECT_UEQ(t, a, b) KTEST__CMP(t, uint, unsigned long long, a, ==, b, KTEST__GO_ON)
#define KEXPECT_UNE(t, a, b) KTEST__CMP(t, uint, unsigned long long, a, !=, b, KTEST__GO_ON)
#define KEXPECT_ULT(t, a, b) KTEST__CMP(t, uint, unsigned long long, a, <, b, KTEST__GO_ON)
#define KEXPECT_ULE(t, a, b) KTEST__CMP(t, uint, unsigned long long, a, <=, b, KTEST__GO_ON)
#define KEXPECT_UGT(t, a, b) KTEST__CMP(t, uint, unsigned long long, a, >, b, KTEST__GO_ON)
#define KEXPECT_UGE(t, a, b) KTEST__CMP(t, uint, unsigned long long, a, >=, b, KTEST__GO_ON)
#define KEXPECT_PTR_EQ(t, a, b) KEXPECT_UEQ(t, (uintptr_t)(a), (uintptr_t)(b))
#define KEXPECT_PTR_NE(t, a, b) KEXPECT_UNE(t, (uintptr_t)(a), (uintptr_t)(b))
#define KEXPECT_NULL(t, p) KEXPECT_UEQ(t, (uintptr_t)(p), 0)
#define KEXPECT_NOT_NULL(t, p) KEXPECT_UNE(t, (uintptr_t)(p), 0)
#define KEXPECT_TRUE(t, c) KTEST__BOOL(t, c, true, KTEST__GO_ON)
#define KEXPECT_FALSE(t, c) KTEST__BOOL(t, c, false, KTEST__GO_ON)
#define KEXPECT_STREQ(t, a, b) KTEST__STR(t, a, ==, b, KTEST__GO_ON)
#define KEXPECT_STRNE(t, a, b) KTEST__STR(t, a, !=, b, KTEST__GO_ON)

/* Assertions: record a failure and abandon the case. */
#define KASSERT_EQ(t, a, b) KTEST__CMP(t, int, long long, a, ==, b, KTEST__STOP)
#define KASSERT_NE(t, a, b) KTEST__CMP(t, int, long long, a, !=, b, KTEST__STOP)
#define KASSERT_LT(t, a, b) KTEST__CMP(t, int, long long, a, <, b, KTEST__STOP)
#define KASSERT_LE(t, a, b) KTEST__CMP(t, int, long long, a, <=, b, KTEST__STOP)
#define KASSERT_GT(t, a, b) KTEST__CMP(t, int, long long, a, >, b, KTEST__STOP)
#define KASSERT_GE(t, a, b) KTEST__CMP(t, int, long long, a, >=, b, KTEST__STOP)
#define KASSERT_UEQ(t, a, b) KTEST__CMP(t, uint, unsigned long long, a, ==, b, KTEST__STOP)
#define KASSERT_ULT(t, a, b) KTEST__CMP(t, uint, unsigned long long, a, <, b, KTEST__STOP)
#define KASSERT_ULE(t, a, b) KTEST__CMP(t, uint, unsigned long long, a, <=, b, KTEST__STOP)
#define KASSERT_NULL(t, p) KTEST__CMP(t, uint, unsigned long long, (uintptr_t)(p), ==, 0, KTEST__STOP)
#define KASSERT_NOT_NULL(t, p) KTEST__CMP(t, uint, unsigned long long, (uintptr_t)(p), !=, 0, KTEST__STOP)
#define KASSERT_TRUE(t, c) KTEST__BOOL(t, c, true, KTEST__STOP)
#define KASSERT_FALSE(t, c) KTEST__BOOL(t, c, false, KTEST__STOP)
#define KASSERT_STREQ(t, a, b) KTEST__STR(t, a, ==, b, KTEST__STOP)

#endif /* FERRITE_KTEST_H */
