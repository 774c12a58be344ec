// SPDX-License-Identifier: MIT
/*
 * lockdep-lite: each report is provoked with locks of the test's own
 * classes, its text is checked (the lock names, and where symbols exist
 * the functions that took them), it comes once per pair, and the kernel
 * goes on: the locks are free afterwards and can be taken again.  Runs on
 * the host and in the kernel; the validator is turned on for each case
 * if the boot did not (lockdep=1 is on the test ISOs' command line).
 */
#include <hardirq.h>
#include <kernel.h>
#include <ktest.h>
#include <lockdep.h>
#include <printk.h>
#include <spinlock.h>

#include "report_text.h"

static char report[4096];
static bool lockdep_was_enabled;
static unsigned long reports_before;

/* Validator on, reports counted and captured from here. */
static void watch_begin(void)
{
	lockdep_was_enabled = lockdep_enabled;
	lockdep_enabled = true;
	reports_before = lock_report_count;
	printk_capture(report, sizeof(report));
}

/* Stop capturing; expect @count reports, which count as provoked on purpose. */
static void watch_end(struct ktest *t, unsigned long count)
{
	unsigned long seen = lock_report_count - reports_before;

	printk_capture(NULL, 0);
	lockdep_enabled = lockdep_was_enabled;
	KEXPECT_EQ(t, seen, count);
	lock_reports_expected += seen;
}

static DEFINE_SPINLOCK(lockdep_test_a);
static DEFINE_SPINLOCK(lockdep_test_b);

static __reported_function void take_a_then_b(void)
{
	uint64_t flags;

	spin_lock_irqsave(&lockdep_test_a, flags);
	spin_lock(&lockdep_test_b);
	spin_unlock(&lockdep_test_b);
	spin_unlock_irqrestore(&lockdep_test_a, flags);
}

static __reported_function void take_b_then_a(void)
{
	uint64_t flags;

	spin_lock_irqsave(&lockdep_test_b, flags);
	spin_lock(&lockdep_test_a);
	spin_unlock(&lockdep_test_a);
	spin_unlock_irqrestore(&lockdep_test_b, flags);
}

static void test_inversion_reported_once(struct ktest *t)
{
	unsigned int depth = spin_held_depth();

	watch_begin();
	take_a_then_b();
	KEXPECT_EQ(t, lock_report_count - reports_before, 0);
	take_b_then_a();
	KEXPECT_EQ(t, lock_report_count - reports_before, 1);
	take_b_then_a();
	take_a_then_b();
	watch_end(t, 1);
	KEXPECT_CONTAINS(t, report, "WARNING: possible circular locking dependency detected");
	KEXPECT_CONTAINS(t, report, "is taking 'lockdep_test_a'");
	KEXPECT_CONTAINS(t, report, "while holding 'lockdep_test_b'");
	KEXPECT_CONTAINS(t, report, "'lockdep_test_a' (taken at ");
	KEXPECT_CONTAINS(t, report, ") -> 'lockdep_test_b' (taken at ");
	KEXPECT_NAMES_FUNCTION(t, report, take_a_then_b);
	KEXPECT_NAMES_FUNCTION(t, report, take_b_then_a);
	/* The kernel went on: nothing is left held, and both orders still work. */
	KEXPECT_EQ(t, spin_held_depth(), depth);
	KEXPECT_FALSE(t, spin_is_locked(&lockdep_test_a));
	KEXPECT_FALSE(t, spin_is_locked(&lockdep_test_b));
}

static DEFINE_SPINLOCK(lockdep_chain_1);
static DEFINE_SPINLOCK(lockdep_chain_2);
static DEFINE_SPINLOCK(lockdep_chain_3);

static __reported_function void take_pair(spinlock_t *first, spinlock_t *second)
{
	uint64_t flags;

	spin_lock_irqsave(first, flags);
	spin_lock(second);
	spin_unlock(second);
	spin_unlock_irqrestore(first, flags);
}

/* 1 -> 2 and 2 -> 3 recorded; 3 -> 1 closes a cycle through all three. */
static void test_longer_cycle_reported(struct ktest *t)
{
	watch_begin();
	take_pair(&lockdep_chain_1, &lockdep_chain_2);
	take_pair(&lockdep_chain_2, &lockdep_chain_3);
	take_pair(&lockdep_chain_3, &lockdep_chain_1);
	take_pair(&lockdep_chain_3, &lockdep_chain_1);
	watch_end(t, 1);
	KEXPECT_CONTAINS(t, report, "possible circular locking dependency");
	KEXPECT_CONTAINS(t, report, "is taking 'lockdep_chain_1'");
	KEXPECT_CONTAINS(t, report, "while holding 'lockdep_chain_3'");
	KEXPECT_CONTAINS(t, report, "'lockdep_chain_1' (taken at ");
	KEXPECT_CONTAINS(t, report, "-> 'lockdep_chain_2' (taken at ");
	KEXPECT_CONTAINS(t, report, "'lockdep_chain_2' (taken at ");
	KEXPECT_CONTAINS(t, report, "-> 'lockdep_chain_3' (taken at ");
	KEXPECT_NAMES_FUNCTION(t, report, take_pair);
}

/* Two locks of one class (one name) nested: the validator cannot order them. */
static void test_recursive_class_reported(struct ktest *t)
{
	spinlock_t first, second;

	spin_lock_init(&first, "lockdep_test_same_class");
	spin_lock_init(&second, "lockdep_test_same_class");
	watch_begin();
	take_pair(&first, &second);
	take_pair(&second, &first);
	watch_end(t, 1);
	KEXPECT_CONTAINS(t, report, "WARNING: possible recursive locking detected");
	KEXPECT_CONTAINS(t, report, "is taking 'lockdep_test_same_class'");
	KEXPECT_NAMES_FUNCTION(t, report, take_pair);
	KEXPECT_FALSE(t, spin_is_locked(&first));
	KEXPECT_FALSE(t, spin_is_locked(&second));
}

static DEFINE_SPINLOCK(lockdep_irq_first);
static DEFINE_SPINLOCK(lockdep_irq_later);

/* Take @lock as an interrupt handler would: in_irq() true, interrupts off. */
static __reported_function void take_in_interrupt(spinlock_t *lock)
{
	uint64_t flags = local_irq_save();

	irq_context[smp_processor_id()].hardirq_depth++;
	spin_lock(lock);
	spin_unlock(lock);
	irq_context[smp_processor_id()].hardirq_depth--;
	local_irq_restore(flags);
}

static __reported_function void take_with_irqs_on(spinlock_t *lock)
{
	spin_lock(lock);
	spin_unlock(lock);
}

static void test_irq_inconsistent_reported(struct ktest *t)
{
	if (irqs_disabled()) {
		/* Taking a lock in an interrupt with interrupts off is fine on its own. */
		watch_begin();
		take_in_interrupt(&lockdep_irq_first);
		watch_end(t, 0);
		ktest_skip(t, "interrupts are off here: no lock can be taken with them on");
		return;
	}
	watch_begin();
	take_in_interrupt(&lockdep_irq_first);
	KEXPECT_EQ(t, lock_report_count - reports_before, 0);
	take_with_irqs_on(&lockdep_irq_first);
	take_with_irqs_on(&lockdep_irq_first);
	/* The other order: first with interrupts on, then in an interrupt. */
	take_with_irqs_on(&lockdep_irq_later);
	KEXPECT_EQ(t, lock_report_count - reports_before, 1);
	take_in_interrupt(&lockdep_irq_later);
	watch_end(t, 2);
	KEXPECT_CONTAINS(t, report, "WARNING: inconsistent lock state");
	KEXPECT_CONTAINS(t, report, "'lockdep_irq_first' taken in interrupt context at ");
	KEXPECT_CONTAINS(t, report, "'lockdep_irq_later' taken in interrupt context at ");
	KEXPECT_CONTAINS(t, report, "and with interrupts enabled at ");
	KEXPECT_NAMES_FUNCTION(t, report, take_in_interrupt);
	KEXPECT_NAMES_FUNCTION(t, report, take_with_irqs_on);
	KEXPECT_FALSE(t, in_irq());
}

static DEFINE_SPINLOCK(lockdep_trylock_outer);
static DEFINE_SPINLOCK(lockdep_trylock_inner);

/* A trylock cannot wait, so taking it in the other order closes no cycle. */
static void test_trylock_closes_no_cycle(struct ktest *t)
{
	uint64_t flags;

	watch_begin();
	take_pair(&lockdep_trylock_outer, &lockdep_trylock_inner);
	spin_lock_irqsave(&lockdep_trylock_inner, flags);
	KEXPECT_TRUE(t, spin_trylock(&lockdep_trylock_outer));
	spin_unlock(&lockdep_trylock_outer);
	spin_unlock_irqrestore(&lockdep_trylock_inner, flags);
	watch_end(t, 0);
}

/* Full tables are reported once each; what did not fit is not validated, the rest is. */
static void test_full_tables_reported(struct ktest *t)
{
	spinlock_t x, y, w, z;
	unsigned int classes, dependencies;

	spin_lock_init(&x, "lockdep_test_full_x");
	spin_lock_init(&y, "lockdep_test_full_y");
	spin_lock_init(&w, "lockdep_test_full_w");
	spin_lock_init(&z, "lockdep_test_full_z");
	watch_begin();
	classes = lockdep_class_count();
	dependencies = lockdep_dependency_count();
	lockdep_set_limits(classes + 3, dependencies + 1);
	take_pair(&x, &y);          /* two classes, one dependency: they fit */
	take_pair(&y, &w);          /* one class more; its dependency does not fit */
	take_pair(&w, &z);          /* z's class does not fit */
	take_pair(&w, &z);
	KEXPECT_EQ(t, lockdep_class_count(), classes + 3);
	KEXPECT_EQ(t, lockdep_dependency_count(), dependencies + 1);
	/* y -> w is still known without its addresses: w -> y is an inversion. */
	take_pair(&w, &y);
	lockdep_set_limits(0, 0);
	watch_end(t, 3);
	KEXPECT_CONTAINS(t, report, "lockdep: more than ");
	KEXPECT_CONTAINS(t, report, " dependencies; later ones are validated but printed without "
			 "addresses");
	KEXPECT_CONTAINS(t, report, " lock classes; 'lockdep_test_full_z' and later new classes "
			 "are not validated");
	KEXPECT_CONTAINS(t, report, "'lockdep_test_full_y' (taken at (not recorded)) -> "
			 "'lockdep_test_full_w' (taken at (not recorded))");
	KEXPECT_FALSE(t, spin_is_locked(&z));
}

static void test_boot_option(struct ktest *t)
{
	bool was = lockdep_enabled;

	KEXPECT_TRUE(t, lockdep_boot_option(NULL));
	KEXPECT_EQ(t, lockdep_enabled, was);
	KEXPECT_TRUE(t, lockdep_boot_option("0"));
	KEXPECT_FALSE(t, lockdep_enabled);
	printk_capture(report, sizeof(report));
	KEXPECT_FALSE(t, lockdep_boot_option("banana"));
	KEXPECT_TRUE(t, lockdep_boot_option("1"));
	printk_capture(NULL, 0);
	KEXPECT_TRUE(t, lockdep_enabled);
	KEXPECT_CONTAINS(t, report, "lockdep=banana: expected 1 (on) or 0 (off); the validator stays off");
	KEXPECT_CONTAINS(t, report, "lockdep: lock dependency validator on");
	lockdep_enabled = was;
}

KTEST_SUITE(lockdep,
	    KTEST_CASE(test_inversion_reported_once),
	    KTEST_CASE(test_longer_cycle_reported),
	    KTEST_CASE(test_recursive_class_reported),
	    KTEST_CASE(test_irq_inconsistent_reported),
	    KTEST_CASE(test_trylock_closes_no_cycle),
	    KTEST_CASE(test_full_tables_reported),
	    KTEST_CASE(test_boot_option));
