// SPDX-License-Identifier: MIT
/*
 * The test framework's own safety net: a failed assertion stops only its
 * case, expectations go on, panic() fails the case instead of stopping
 * everything, and a skip is not a pass.  Runs on the host and in the kernel.
 */
#include <asm/cpu.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <spinlock.h>

#include "report_text.h"

static int steps_after_assert;
static int steps_after_expect;

static void case_failing_assert(struct ktest *t)
{
	KASSERT_EQ(t, 1, 2);
	steps_after_assert++;
}

static void case_failing_expects(struct ktest *t)
{
	KEXPECT_EQ(t, 1, 2);
	KEXPECT_STREQ(t, "a", "b");
	steps_after_expect++;
}

static void case_panics(struct ktest *t)
{
	panic("deliberate panic from a nested test case");
}

static void case_passes(struct ktest *t)
{
	KEXPECT_EQ(t, 2 + 2, 4);
}

static void case_skips(struct ktest *t)
{
	ktest_skip(t, "nothing to test here");
}

static void test_assert_stops_the_case(struct ktest *t)
{
	static const struct ktest_case c = KTEST_CASE(case_failing_assert);
	struct ktest result;
	const char *reason;

	steps_after_assert = 0;
	KEXPECT_EQ(t, ktest_run_nested(&c, &result, &reason), 2);
	KEXPECT_EQ(t, steps_after_assert, 0);
	KEXPECT_NOT_NULL(t, reason);
}

static void test_expect_goes_on(struct ktest *t)
{
	static const struct ktest_case c = KTEST_CASE(case_failing_expects);
	struct ktest result;
	const char *reason;

	steps_after_expect = 0;
	KEXPECT_EQ(t, ktest_run_nested(&c, &result, &reason), 2);
	KEXPECT_EQ(t, steps_after_expect, 1);
	KEXPECT_NULL(t, reason);
}

static void test_panic_fails_only_the_case(struct ktest *t)
{
	static const struct ktest_case c = KTEST_CASE(case_panics);
	struct ktest result;
	const char *reason;

	KEXPECT_EQ(t, ktest_run_nested(&c, &result, &reason), 1);
	KEXPECT_STREQ(t, reason, "panic");
	/* The outer case still runs normally afterwards. */
	KEXPECT_TRUE(t, ktest_is_running());
}

static void test_pass_and_skip(struct ktest *t)
{
	static const struct ktest_case pass = KTEST_CASE(case_passes);
	static const struct ktest_case skip = KTEST_CASE(case_skips);
	struct ktest result;
	const char *reason;

	KEXPECT_EQ(t, ktest_run_nested(&pass, &result, &reason), 0);
	KEXPECT_FALSE(t, result.skipped);
	KEXPECT_EQ(t, ktest_run_nested(&skip, &result, &reason), 0);
	KEXPECT_TRUE(t, result.skipped);
	KEXPECT_STREQ(t, result.skip_reason, "nothing to test here");
}

/* WARN_ON reports and returns its condition, so it can guard a recovery path. */
static void test_warn_on_returns_its_condition(struct ktest *t)
{
	int recovered = 0;

	if (WARN_ON(1 + 1 == 2))
		recovered++;
	if (WARN_ON(1 + 1 == 3))
		recovered += 10;
	KEXPECT_EQ(t, recovered, 1);
}

/*
 * ktest=... that selects nothing is an error (printed with the suite
 * list), not an empty green run; this suite itself is always built in.
 */
static void test_selection_must_select_something(struct ktest *t)
{
	KEXPECT_TRUE(t, ktest_check_selection("ktest"));
	KEXPECT_TRUE(t, ktest_check_selection("*,-ktest"));
	KEXPECT_TRUE(t, ktest_check_selection(NULL));
	printk(KERN_RAW "        # the three selection errors below are expected\n");
	KEXPECT_FALSE(t, ktest_check_selection("nosuchsuite"));
	KEXPECT_FALSE(t, ktest_check_selection("["));
	KEXPECT_FALSE(t, ktest_check_selection("ktest,-ktest"));
}

static DEFINE_SPINLOCK(ktest_test_lock);
static char report[2048];

static __reported_function void case_aborts_holding_lock(struct ktest *t)
{
	spin_lock(&ktest_test_lock);
	KASSERT_EQ(t, 1, 2);
	spin_unlock(&ktest_test_lock);
}

static __reported_function void case_returns_holding_lock(struct ktest *t)
{
	uint64_t flags;

	spin_lock_irqsave(&ktest_test_lock, flags);
	(void)flags;
	KEXPECT_TRUE(t, spin_is_locked(&ktest_test_lock));
}

/* Run @c nested, capturing what the runner printed about it. Return: its failures. */
static unsigned run_nested_captured(const struct ktest_case *c, const char **reason)
{
	struct ktest result;
	unsigned failures;

	printk_capture(report, sizeof(report));
	failures = ktest_run_nested(c, &result, reason);
	printk_capture(NULL, 0);
	return failures;
}

static void test_abort_holding_lock_fails_and_releases(struct ktest *t)
{
	static const struct ktest_case c = KTEST_CASE(case_aborts_holding_lock);
	unsigned int depth = spin_held_depth();
	bool irqs_were_off = irqs_disabled();
	const char *reason;

	/* The failed assertion and the lock left held. */
	KEXPECT_EQ(t, run_nested_captured(&c, &reason), 3);
	KEXPECT_STREQ(t, reason, "assertion failed");
	KEXPECT_CONTAINS(t, report, "case_aborts_holding_lock: lock 'ktest_test_lock' still held at "
			 "the end of the case (taken at ");
	KEXPECT_NAMES_FUNCTION(t, report, case_aborts_holding_lock);
	KEXPECT_FALSE(t, spin_is_locked(&ktest_test_lock));
	KEXPECT_EQ(t, spin_held_depth(), depth);
	KEXPECT_EQ(t, irqs_disabled(), irqs_were_off);
	/* What comes after can take the lock (on one CPU a leak would panic here). */
	spin_lock(&ktest_test_lock);
	spin_unlock(&ktest_test_lock);
}

static void test_return_holding_lock_fails_and_releases(struct ktest *t)
{
	static const struct ktest_case c = KTEST_CASE(case_returns_holding_lock);
	unsigned int depth = spin_held_depth();
	bool irqs_were_off = irqs_disabled();
	const char *reason;

	KEXPECT_EQ(t, run_nested_captured(&c, &reason), 1);
	KEXPECT_NULL(t, reason);
	KEXPECT_CONTAINS(t, report, "case_returns_holding_lock: lock 'ktest_test_lock' still held");
	KEXPECT_NAMES_FUNCTION(t, report, case_returns_holding_lock);
	KEXPECT_FALSE(t, spin_is_locked(&ktest_test_lock));
	KEXPECT_EQ(t, spin_held_depth(), depth);
	/* spin_lock_irqsave turned interrupts off; the runner turned them back as they were. */
	KEXPECT_EQ(t, irqs_disabled(), irqs_were_off);
	spin_lock(&ktest_test_lock);
	spin_unlock(&ktest_test_lock);
}

static void case_breaks_a_lock_contract(struct ktest *t)
{
	assert_spin_locked(&ktest_test_lock);   /* not held: a report the case did not expect */
}

static void test_unexpected_lock_report_fails_the_case(struct ktest *t)
{
	static const struct ktest_case c = KTEST_CASE(case_breaks_a_lock_contract);
	unsigned long reports = lock_report_count;
	const char *reason;

	KEXPECT_EQ(t, run_nested_captured(&c, &reason), 1);
	KEXPECT_NULL(t, reason);
	KEXPECT_EQ(t, lock_report_count - reports, 1);
	KEXPECT_CONTAINS(t, report, "assert_spin_locked(&ktest_test_lock) failed");
	KEXPECT_CONTAINS(t, report, "case_breaks_a_lock_contract: 1 unexpected lock-check report(s)");
	/* Here, in the outer case, the report was provoked on purpose. */
	lock_reports_expected += lock_report_count - reports;
}

KTEST_SUITE(ktest,
	    KTEST_CASE(test_assert_stops_the_case),
	    KTEST_CASE(test_expect_goes_on),
	    KTEST_CASE(test_panic_fails_only_the_case),
	    KTEST_CASE(test_pass_and_skip),
	    KTEST_CASE(test_warn_on_returns_its_condition),
	    KTEST_CASE(test_selection_must_select_something),
	    KTEST_CASE(test_abort_holding_lock_fails_and_releases),
	    KTEST_CASE(test_return_holding_lock_fails_and_releases),
	    KTEST_CASE(test_unexpected_lock_report_fails_the_case));
