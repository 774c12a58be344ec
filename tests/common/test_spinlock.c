// SPDX-License-Identifier: MIT
/*
 * Spinlocks that know themselves: the owner and the taker's address are
 * recorded, the held-lock stack follows take and release in any order,
 * and each check reports with the lock's name: a spin that lasts too long
 * (the holder is played by a pretend CPU#1 that lets go when the report
 * comes), taking a lock this CPU holds, an unlock of a free lock, and
 * assert_spin_locked / assert_irqs_disabled.  Runs on the host and in
 * the kernel.
 */
#include <kernel.h>
#include <ktest.h>
#include <lockdep.h>
#include <printk.h>
#include <spinlock.h>

#include "report_text.h"

static char report[4096];
static unsigned long reports_before;

static void watch_begin(void)
{
	reports_before = lock_report_count;
	printk_capture(report, sizeof(report));
}

/* Stop capturing; expect @count reports, which count as provoked on purpose. */
static void watch_end(struct ktest *t, unsigned long count)
{
	unsigned long seen = lock_report_count - reports_before;

	printk_capture(NULL, 0);
	KEXPECT_EQ(t, seen, count);
	lock_reports_expected += seen;
}

static DEFINE_SPINLOCK(spinlock_test_lock);

static __reported_function uintptr_t take_and_return_ip(spinlock_t *lock)
{
	spin_lock(lock);
	return lock->owner_ip;
}

static void test_owner_recorded(struct ktest *t)
{
	uintptr_t ip;
	uint64_t flags;

	KEXPECT_STREQ(t, spinlock_test_lock.name, "spinlock_test_lock");
	KEXPECT_EQ(t, spin_owner_cpu(&spinlock_test_lock), -1);
	ip = take_and_return_ip(&spinlock_test_lock);
	KEXPECT_EQ(t, spin_owner_cpu(&spinlock_test_lock), smp_processor_id());
	KEXPECT_UGE(t, ip, (uintptr_t)take_and_return_ip);
	KEXPECT_ULT(t, ip, (uintptr_t)take_and_return_ip + 64);
	KEXPECT_TRUE(t, spin_is_held_by_this_cpu(&spinlock_test_lock));
	spin_unlock(&spinlock_test_lock);
	KEXPECT_EQ(t, spin_owner_cpu(&spinlock_test_lock), -1);
	KEXPECT_FALSE(t, spin_is_locked(&spinlock_test_lock));

	spin_lock_irqsave(&spinlock_test_lock, flags);
	KEXPECT_TRUE(t, irqs_disabled());
	KEXPECT_TRUE(t, spin_is_held_by_this_cpu(&spinlock_test_lock));
	spin_unlock_irqrestore(&spinlock_test_lock, flags);
	KEXPECT_TRUE(t, spin_trylock(&spinlock_test_lock));
	KEXPECT_FALSE(t, spin_trylock(&spinlock_test_lock));
	spin_unlock(&spinlock_test_lock);
}

static void test_held_stack_follows_any_order(struct ktest *t)
{
	spinlock_t a, b, c;
	unsigned int depth = spin_held_depth();
	bool was = lockdep_enabled;

	spin_lock_init(&a, "spinlock_test_held_a");
	spin_lock_init(&b, "spinlock_test_held_b");
	spin_lock_init(&c, "spinlock_test_held_c");
	lockdep_enabled = false;   /* these take no part in the order checks */
	spin_lock(&a);
	spin_lock(&b);
	spin_lock(&c);
	KEXPECT_EQ(t, spin_held_depth(), depth + 3);
	KEXPECT_PTR_EQ(t, spin_held_top()->lock, &c);
	spin_unlock(&b);   /* out of order */
	KEXPECT_EQ(t, spin_held_depth(), depth + 2);
	KEXPECT_PTR_EQ(t, spin_held_top()->lock, &c);
	spin_unlock(&c);
	KEXPECT_PTR_EQ(t, spin_held_top()->lock, &a);
	spin_unlock(&a);
	KEXPECT_EQ(t, spin_held_depth(), depth);
	lockdep_enabled = was;
}

/* More locks than the stack holds: reported once; the extra one is not tracked, all still work. */
static void test_held_stack_overflow_reported(struct ktest *t)
{
	static spinlock_t locks[HELD_LOCKS_MAX + 1];
	struct held_locks *h = &held_locks[smp_processor_id()];
	unsigned int depth = spin_held_depth();
	bool was = lockdep_enabled;

	lockdep_enabled = false;   /* one class nested 17 times is not what this tests */
	h->overflow_reported = false;
	watch_begin();
	for (unsigned int i = 0; i < HELD_LOCKS_MAX + 1 - depth; i++) {
		spin_lock_init(&locks[i], "spinlock_test_many");
		spin_lock(&locks[i]);
	}
	KEXPECT_EQ(t, spin_held_depth(), HELD_LOCKS_MAX);
	KEXPECT_TRUE(t, spin_is_held_by_this_cpu(&locks[HELD_LOCKS_MAX - depth]));
	for (unsigned int i = HELD_LOCKS_MAX + 1 - depth; i-- > 0;)
		spin_unlock(&locks[i]);
	watch_end(t, 1);
	lockdep_enabled = was;
	KEXPECT_EQ(t, spin_held_depth(), depth);
	KEXPECT_FALSE(t, spin_is_locked(&locks[0]));
	KEXPECT_FALSE(t, spin_is_locked(&locks[HELD_LOCKS_MAX - depth]));
	KEXPECT_CONTAINS(t, report, "BUG: CPU#0 holds more than 16 locks; 'spinlock_test_many' and "
			 "later ones are not tracked");
}

/* ---- a spin that lasts too long ------------------------------------------- */

static __reported_function void pretend_holder_took_it(void)
{
	__asm__ volatile("" ::: "memory");
}

static unsigned int lockup_notifications;

/* CPU#1 "lets go" when the lockup has been reported. */
static void pretend_holder_lets_go(spinlock_t *lock)
{
	lockup_notifications++;
	lock->owner = 0;
	lock->owner_ip = 0;
	arch_spin_unlock(&lock->raw);
}

static __reported_function void wait_for_lock(spinlock_t *lock)
{
	spin_lock(lock);
	__asm__ volatile("" ::: "memory");   /* not a tail call: this function is the waiter */
}

static void test_lockup_reported(struct ktest *t)
{
	spinlock_t lock;
	uint64_t saved_cycles = spin_lockup_cycles;

	spin_lock_init(&lock, "spinlock_test_lockup");
	/* Held by CPU#1 (pretend), taken in pretend_holder_took_it. */
	lock.raw.locked = 1;
	lock.owner = 1 + 1;   /* CPU#1 */
	lock.owner_ip = (uintptr_t)pretend_holder_took_it;
	spin_lockup_cycles = 200000;
	spin_lockup_notify = pretend_holder_lets_go;
	lockup_notifications = 0;
	watch_begin();
	wait_for_lock(&lock);
	watch_end(t, 1);
	spin_lockup_notify = NULL;
	spin_lockup_cycles = saved_cycles;
	KEXPECT_EQ(t, lockup_notifications, 1);
	KEXPECT_TRUE(t, spin_is_held_by_this_cpu(&lock));
	spin_unlock(&lock);
	KEXPECT_CONTAINS(t, report, "BUG: spinlock lockup suspected on CPU#0: 'spinlock_test_lockup'");
	KEXPECT_CONTAINS(t, report, "held by CPU#1, taken at ");
	KEXPECT_NAMES_FUNCTION(t, report, pretend_holder_took_it);
	KEXPECT_NAMES_FUNCTION(t, report, wait_for_lock);
}

/*
 * A lock whose holder may wait for cross calls, spun on with interrupts
 * off, is reported (the holder would wait for this CPU forever); with
 * interrupts on the same spin is fine.
 */
static void spin_on_cross_call_lock(spinlock_t *lock, bool irqs_off)
{
	uint64_t flags = 0;

	lock->raw.locked = 1;
	lock->owner = 1 + 1;   /* CPU#1 (pretend) */
	lock->owner_ip = (uintptr_t)pretend_holder_took_it;
	spin_lockup_cycles = 200000;
	spin_lockup_notify = pretend_holder_lets_go;
	if (irqs_off)
		flags = local_irq_save();
	wait_for_lock(lock);
	if (irqs_off)
		local_irq_restore(flags);
	spin_unlock(lock);
}

static void test_cross_call_lock_spun_with_irqs_off_reported(struct ktest *t)
{
	uint64_t saved_cycles = spin_lockup_cycles;
	spinlock_t lock;

	spin_lock_init(&lock, "spinlock_test_cross_call");
	spin_lock_allow_cross_calls(&lock);
	watch_begin();
	spin_on_cross_call_lock(&lock, true);
	watch_end(t, 2);   /* this report, then the pretend holder's lockup */
	KEXPECT_CONTAINS(t, report, "BUG: CPU#0 spins on 'spinlock_test_cross_call' with interrupts "
			 "off at ");
	KEXPECT_NAMES_FUNCTION(t, report, wait_for_lock);
	if (irqs_disabled()) {
		ktest_skip(t, "interrupts are off here: the quiet case cannot be run");
	} else {
		watch_begin();
		spin_on_cross_call_lock(&lock, false);
		watch_end(t, 1);   /* only the pretend holder's lockup */
		KEXPECT_FALSE(t, text_contains(report, "with interrupts off"));
	}
	spin_lockup_notify = NULL;
	spin_lockup_cycles = saved_cycles;
}

/* ---- taking a lock this CPU holds ----------------------------------------- */

static DEFINE_SPINLOCK(spinlock_test_recursion);

static void case_takes_lock_twice(struct ktest *t)
{
	spin_lock(&spinlock_test_recursion);
	lock_reports_expected++;   /* the report this provokes */
	spin_lock(&spinlock_test_recursion);
	KEXPECT_TRUE(t, false);   /* never reached: the second take panics */
}

static void test_recursion_reported_and_fails_the_case(struct ktest *t)
{
	static const struct ktest_case c = KTEST_CASE(case_takes_lock_twice);
	bool was = lockdep_enabled;
	struct ktest result;
	const char *reason;
	unsigned int failures;

	lockdep_enabled = false;   /* lockdep would add its own report of the same bug */
	reports_before = lock_report_count;
	printk_capture(report, sizeof(report));
	failures = ktest_run_nested(&c, &result, &reason);
	printk_capture(NULL, 0);
	lockdep_enabled = was;
	KEXPECT_EQ(t, lock_report_count - reports_before, 1);
	/* The panic, and the lock left held (which the runner released). */
	KEXPECT_EQ(t, failures, 2);
	KEXPECT_STREQ(t, reason, "panic");
	KEXPECT_FALSE(t, spin_is_locked(&spinlock_test_recursion));
	KEXPECT_CONTAINS(t, report, "BUG: spinlock recursion on CPU#0: 'spinlock_test_recursion'");
	KEXPECT_CONTAINS(t, report, "is already held by this CPU, taken at ");
	KEXPECT_NAMES_FUNCTION(t, report, case_takes_lock_twice);
}

/* A zeroed lock (no initialiser) is free, owned by nobody, and works. */
static void test_zeroed_lock_is_free(struct ktest *t)
{
	static spinlock_t zeroed;
	bool was = lockdep_enabled;

	lockdep_enabled = true;   /* an unnamed lock is not validated, and not reported */
	watch_begin();
	KEXPECT_FALSE(t, spin_is_locked(&zeroed));
	KEXPECT_EQ(t, spin_owner_cpu(&zeroed), -1);
	KEXPECT_FALSE(t, spin_is_held_by_this_cpu(&zeroed));
	spin_lock(&zeroed);
	KEXPECT_TRUE(t, spin_is_held_by_this_cpu(&zeroed));
	spin_unlock(&zeroed);
	watch_end(t, 0);
	lockdep_enabled = was;
}

static void test_bad_unlock_reported(struct ktest *t)
{
	spinlock_t lock;
	unsigned int depth = spin_held_depth();

	spin_lock_init(&lock, "spinlock_test_unlock");
	watch_begin();
	spin_unlock(&lock);
	watch_end(t, 1);
	KEXPECT_CONTAINS(t, report, "BUG: spin_unlock of 'spinlock_test_unlock'");
	KEXPECT_CONTAINS(t, report, "the lock is not held");
	KEXPECT_FALSE(t, spin_is_locked(&lock));
	KEXPECT_EQ(t, spin_held_depth(), depth);
}

/* ---- contracts -------------------------------------------------------------- */

static __reported_function void needs_the_lock(spinlock_t *lock)
{
	assert_spin_locked(lock);
}

static __reported_function void must_not_hold(spinlock_t *lock)
{
	assert_spin_not_held(lock);
}

static __reported_function void needs_irqs_off(void)
{
	assert_irqs_disabled();
}

static void test_assert_spin_locked(struct ktest *t)
{
	spinlock_t lock;

	spin_lock_init(&lock, "spinlock_test_assert");
	spin_lock(&lock);
	watch_begin();
	needs_the_lock(&lock);
	watch_end(t, 0);
	spin_unlock(&lock);

	watch_begin();
	needs_the_lock(&lock);
	watch_end(t, 1);
	KEXPECT_CONTAINS(t, report, "BUG: assert_spin_locked(lock) failed at ");
	KEXPECT_CONTAINS(t, report, "lock 'spinlock_test_assert' is not held");
	KEXPECT_NAMES_FUNCTION(t, report, needs_the_lock);

	/* Held, but by another CPU (pretend): not good enough. */
	lock.raw.locked = 1;
	lock.owner = 1 + 1;   /* CPU#1 */
	lock.owner_ip = (uintptr_t)pretend_holder_took_it;
	watch_begin();
	needs_the_lock(&lock);
	watch_end(t, 1);
	KEXPECT_CONTAINS(t, report, "lock 'spinlock_test_assert' is held by CPU#1 (taken at ");
	KEXPECT_NAMES_FUNCTION(t, report, pretend_holder_took_it);
}

static void test_assert_spin_not_held(struct ktest *t)
{
	spinlock_t lock;

	spin_lock_init(&lock, "spinlock_test_not_held");
	watch_begin();
	must_not_hold(&lock);
	watch_end(t, 0);
	/* Held by another CPU (pretend): fine for this one. */
	lock.raw.locked = 1;
	lock.owner = 1 + 1;
	watch_begin();
	must_not_hold(&lock);
	watch_end(t, 0);
	lock.raw.locked = 0;
	lock.owner = 0;

	spin_lock(&lock);
	watch_begin();
	must_not_hold(&lock);
	watch_end(t, 1);
	spin_unlock(&lock);
	KEXPECT_CONTAINS(t, report, "BUG: assert_spin_not_held(lock) failed at ");
	KEXPECT_CONTAINS(t, report, "lock 'spinlock_test_not_held' is held by CPU#0 (taken at ");
	KEXPECT_NAMES_FUNCTION(t, report, must_not_hold);
	KEXPECT_NAMES_FUNCTION(t, report, test_assert_spin_not_held);
}

static void test_assert_irqs_disabled(struct ktest *t)
{
	uint64_t flags = local_irq_save();

	watch_begin();
	needs_irqs_off();
	watch_end(t, 0);
	local_irq_restore(flags);
	if (irqs_disabled()) {
		ktest_skip(t, "interrupts are off here: the report for 'on' cannot be provoked");
		return;
	}
	watch_begin();
	needs_irqs_off();
	watch_end(t, 1);
	KEXPECT_CONTAINS(t, report, "BUG: assert_irqs_disabled() failed at ");
	KEXPECT_CONTAINS(t, report, ": interrupts are on");
	KEXPECT_NAMES_FUNCTION(t, report, needs_irqs_off);
}

KTEST_SUITE(spinlock,
	    KTEST_CASE(test_owner_recorded),
	    KTEST_CASE(test_held_stack_follows_any_order),
	    KTEST_CASE(test_held_stack_overflow_reported),
	    KTEST_CASE(test_lockup_reported),
	    KTEST_CASE(test_cross_call_lock_spun_with_irqs_off_reported),
	    KTEST_CASE(test_recursion_reported_and_fails_the_case),
	    KTEST_CASE(test_zeroed_lock_is_free),
	    KTEST_CASE(test_bad_unlock_reported),
	    KTEST_CASE(test_assert_spin_locked),
	    KTEST_CASE(test_assert_spin_not_held),
	    KTEST_CASE(test_assert_irqs_disabled));
