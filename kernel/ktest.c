// SPDX-License-Identifier: MIT
/*
 * ktest runner: runs the registered suites and prints KTAP version 1.
 *
 *     KTAP version 1
 *     # ktest built in: 2 suites, 5 cases; selected: 2 suites, 5 cases
 *     1..2
 *         KTAP version 1
 *         # Subtest: printk
 *         1..3
 *         ok 1 test_width
 *         not ok 2 test_precision
 *         ok 3 test_null # SKIP no framebuffer
 *     # printk: pass:1 fail:1 skip:1 total:3
 *     not ok 1 printk
 *     ...
 *     # Totals: pass:N fail:N skip:N total:N
 *     N passed, N failed
 *
 * Each case runs under a saved jump buffer: a failed KASSERT, a panic or
 * an unexpected exception jumps back here, fails that case and the runner
 * continues with the next.  A case that ends holding a spinlock (it
 * aborted inside a critical section, or forgot an unlock) fails with the
 * lock's name and where it was taken; the runner releases the lock so the
 * later cases can take it.  A lock-check report during a case (lockdep,
 * assert_spin_locked, ...) that the case did not provoke on purpose fails
 * it too.  The same file runs the host tests.
 */
#include <asm/cpu.h>
#include <asm/jump.h>
#include <cmdline.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <hardirq.h>
#include <smp.h>
#include <spinlock.h>
#include <symbols.h>

extern const struct ktest_suite *const __start_ktest_suites[];
extern const struct ktest_suite *const __stop_ktest_suites[];

struct ktest_totals {
	unsigned passed, failed, skipped;
};

static struct ktest *current_test;
static struct jump_buffer case_exit;
static const char *abort_reason;

#define ktap(fmt, ...) printk(KERN_RAW fmt, ##__VA_ARGS__)

bool ktest_is_running(void)
{
	return current_test != NULL;
}

size_t ktest_suite_count(void)
{
	return (size_t)(__stop_ktest_suites - __start_ktest_suites);
}

void ktest_abort(const char *reason)
{
	if (!current_test) {
		ktap("# ktest_abort outside a test: %s\n", reason);
		panic("ktest_abort outside a test: %s", reason);
	}
	/* case_exit is on the boot CPU's stack: another CPU cannot return there. */
	if (smp_processor_id() != 0)
		panic("ktest_abort on CPU %u (cases run on CPU 0): %s", smp_processor_id(), reason);
	/*
	 * Jumping out of an NMI handler skips its IRETQ: NMIs would stay
	 * blocked and the handler would count as running forever.
	 */
	if (in_nmi())
		panic("ktest_abort inside an NMI handler: %s", reason);
	abort_reason = reason;
	jump_to(&case_exit, 1);
}

void ktest_skip(struct ktest *t, const char *reason)
{
	t->skipped = true;
	t->skip_reason = reason;
}

bool ktest_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static void fail_header(struct ktest *t, const char *file, int line, const char *kind)
{
	t->failures++;
	ktap("        # %s: %s FAILED at %s:%d\n", t->name, kind, file, line);
}

void ktest_fail_int(struct ktest *t, const char *file, int line, const char *op,
		    const char *left_text, const char *right_text, long long left, long long right)
{
	fail_header(t, file, line, "EXPECTATION");
	ktap("        # Expected %s %s %s, but\n", left_text, op, right_text);
	ktap("        #     %s == %lld (0x%llx)\n", left_text, left, (unsigned long long)left);
	ktap("        #     %s == %lld (0x%llx)\n", right_text, right, (unsigned long long)right);
}

void ktest_fail_uint(struct ktest *t, const char *file, int line, const char *op,
		     const char *left_text, const char *right_text,
		     unsigned long long left, unsigned long long right)
{
	fail_header(t, file, line, "EXPECTATION");
	ktap("        # Expected %s %s %s, but\n", left_text, op, right_text);
	ktap("        #     %s == %llu (0x%llx)\n", left_text, left, left);
	ktap("        #     %s == %llu (0x%llx)\n", right_text, right, right);
}

void ktest_fail_str(struct ktest *t, const char *file, int line, const char *op,
		    const char *left_text, const char *right_text, const char *left,
		    const char *right)
{
	fail_header(t, file, line, "EXPECTATION");
	ktap("        # Expected %s %s %s, but\n", left_text, op, right_text);
	ktap("        #     %s == \"%s\"\n", left_text, left);
	ktap("        #     %s == \"%s\"\n", right_text, right);
}

void ktest_fail_bool(struct ktest *t, const char *file, int line, const char *cond_text,
		     bool expected)
{
	fail_header(t, file, line, "EXPECTATION");
	ktap("        # Expected %s to be %s\n", cond_text, expected ? "true" : "false");
}

/*
 * Locks the case took and still holds (above @base on this CPU's held-lock
 * stack): each fails the case with its name and where it was taken, and
 * is released, newest first, so that the cases after it can take it.
 */
static void release_leaked_locks(struct ktest *t, unsigned int base)
{
	char taken_at[96];

	while (spin_held_depth() > base) {
		const struct held_lock *held = spin_held_top();
		spinlock_t *lock = held->lock;

		t->failures++;
		ktap("        # %s: lock '%s' still held at the end of the case (taken at %s); "
		     "released\n", t->name, lock->name ? lock->name : "(unnamed)",
		     symbol_format(lock->owner_ip, taken_at, sizeof(taken_at)));
		spin_unlock(lock);
	}
}

/*
 * Lock-check reports (assert_spin_locked, lockups, lockdep) printed during
 * the case and not provoked on purpose (lock_reports_expected) fail it.
 */
static void check_lock_reports(struct ktest *t, unsigned long reports, unsigned long expected)
{
	unsigned long unexpected = (lock_report_count - reports) - (lock_reports_expected - expected);

	if (unexpected) {
		t->failures++;
		ktap("        # %s: %lu unexpected lock-check report(s) above\n", t->name, unexpected);
	}
}

/*
 * A case aborted from inside an interrupt handler leaves interrupt context
 * behind; the interrupt code (<irq.h>) provides the real clean-up.
 */
__attribute__((weak)) void irq_abort_cleanup(void)
{
}

/* Run one case under the jump buffer. Return: its outcome in @t. */
static void run_case(const struct ktest_suite *suite, const struct ktest_case *c, struct ktest *t)
{
	unsigned int held_base = spin_held_depth();
	unsigned long reports = lock_report_count, expected = lock_reports_expected;
	bool irqs_were_on = !irqs_disabled();

	*t = (struct ktest){ .suite = suite->name, .name = c->name };
	abort_reason = NULL;
	current_test = t;
	if (jump_save(&case_exit) == 0) {
		c->run(t);
	} else {
		irq_abort_cleanup();
		ktap("        # %s: aborted: %s\n", c->name, abort_reason);
	}
	current_test = NULL;
	if (abort_reason)
		t->failures++;
	release_leaked_locks(t, held_base);
	/* An abort from an exception handler or a lock's irqsave leaves interrupts off. */
	if (irqs_were_on && irqs_disabled())
		local_irq_restore(X86_RFLAGS_IF);
	check_lock_reports(t, reports, expected);
}

unsigned ktest_run_nested(const struct ktest_case *c, struct ktest *result, const char **reason)
{
	static const struct ktest_suite nested = { .name = "nested" };
	struct ktest *outer = current_test;
	struct jump_buffer outer_exit = case_exit;
	const char *outer_reason = abort_reason;

	ktap("        # running nested case %s; its failures below are expected\n", c->name);
	run_case(&nested, c, result);
	*reason = abort_reason;
	current_test = outer;
	case_exit = outer_exit;
	abort_reason = outer_reason;
	ktap("        # nested case %s done: %u failures\n", c->name, result->failures);
	return result->failures;
}

static void run_suite(const struct ktest_suite *suite, unsigned number, struct ktest_totals *totals)
{
	struct ktest_totals mine = { 0, 0, 0 };
	bool init_failed = false;

	ktap("    KTAP version 1\n");
	ktap("    # Subtest: %s\n", suite->name);
	ktap("    1..%zu\n", suite->case_count);
	if (suite->init && suite->init() != 0) {
		ktap("    # %s: suite init failed\n", suite->name);
		init_failed = true;
	}
	for (size_t i = 0; i < suite->case_count; i++) {
		const struct ktest_case *c = &suite->cases[i];
		struct ktest t = { .suite = suite->name, .name = c->name };

		if (!init_failed)
			run_case(suite, c, &t);
		if (init_failed || t.failures) {
			mine.failed++;
			ktap("    not ok %zu %s\n", i + 1, c->name);
		} else if (t.skipped) {
			mine.skipped++;
			ktap("    ok %zu %s # SKIP %s\n", i + 1, c->name,
			     t.skip_reason ? t.skip_reason : "");
		} else {
			mine.passed++;
			ktap("    ok %zu %s\n", i + 1, c->name);
		}
	}
	if (suite->exit && !init_failed)
		suite->exit();
	ktap("# %s: pass:%u fail:%u skip:%u total:%zu\n", suite->name, mine.passed, mine.failed,
	     mine.skipped, suite->case_count);
	ktap("%s %u %s\n", mine.failed ? "not ok" : "ok", number, suite->name);
	totals->passed += mine.passed;
	totals->failed += mine.failed;
	totals->skipped += mine.skipped;
}

static const char *suite_name_at(size_t index, const void *set)
{
	return __start_ktest_suites[index]->name;
}

/* Print the suites built in, a few to a line, for a selection that failed. */
static void print_suite_names(void)
{
	size_t count = ktest_suite_count(), column = 0;

	pr_err("ktest: the %zu suites built in:", count);
	for (size_t i = 0; i < count; i++) {
		const char *name = suite_name_at(i, NULL);
		size_t length = 0;

		while (name[length])
			length++;
		if (column + length > 72) {
			pr_cont("\n");
			pr_err("ktest:  ");
			column = 0;
		}
		pr_cont(" %s", name);
		column += length + 1;
	}
	pr_cont("\n");
}

bool ktest_check_selection(const char *glob)
{
	struct glob_list_error err;

	if (glob_list_check(glob, suite_name_at, NULL, ktest_suite_count(), &err))
		return true;
	pr_err("ktest=%s: %s: \"%.*s\"\n", glob ? glob : "", err.message, (int)err.length,
	       err.pattern);
	print_suite_names();
	return false;
}

unsigned ktest_run_all(const char *glob)
{
	struct ktest_totals totals = { 0, 0, 0 };
	unsigned count = 0, number = 0;
	size_t cases = 0, cases_selected = 0;

	if (!ktest_check_selection(glob))
		return 1;
	for (const struct ktest_suite *const *s = __start_ktest_suites; s < __stop_ktest_suites; s++) {
		bool selected = glob_list_match(glob, (*s)->name);

		count += selected;
		cases += (*s)->case_count;
		cases_selected += selected ? (*s)->case_count : 0;
	}

	ktap("KTAP version 1\n");
	/* What this image holds, so a harness can tell a run that left cases out. */
	ktap("# ktest built in: %zu suites, %zu cases; selected: %u suites, %zu cases\n",
	     ktest_suite_count(), cases, count, cases_selected);
	ktap("1..%u\n", count);
	for (const struct ktest_suite *const *s = __start_ktest_suites; s < __stop_ktest_suites; s++)
		if (glob_list_match(glob, (*s)->name))
			run_suite(*s, ++number, &totals);
	ktap("# Totals: pass:%u fail:%u skip:%u total:%u\n", totals.passed, totals.failed,
	     totals.skipped, totals.passed + totals.failed + totals.skipped);
	ktap("%u passed, %u failed\n", totals.passed, totals.failed);
	return totals.failed;
}
