// SPDX-License-Identifier: MIT
/*
 * The out-of-line half of the spinlocks (include/spinlock.h): waiting
 * for a busy lock with the lockup and recursion reports, the lockdep
 * hooks, the held-lock stack's rare cases, and the reports of a bad
 * unlock, assert_spin_locked() and assert_irqs_disabled().  The
 * uncontended take and release are inline in the header.  Pure code: the
 * host tests build it too (its interrupt flag is the shim's pretend one).
 * A waiting CPU serves TLB shootdowns on each turn (asm/spin_wait.h).
 */
#include <spinlock.h>

#include <asm/spin_wait.h>
#include <kernel.h>
#include <lockdep.h>
#include <printk.h>
#include <symbols.h>

struct held_locks held_locks[NR_CPUS];

unsigned long lock_report_count;
unsigned long lock_reports_expected;

/* About 5 s at 2 GHz; the kernel sets 10 s from the calibrated TSC at boot. */
uint64_t spin_lockup_cycles = 10000000000ull;

void (*spin_lockup_notify)(spinlock_t *lock);

static const char *where(uintptr_t ip, char *buf, size_t size)
{
	if (!ip)
		return "(unknown)";
	return symbol_format(ip, buf, size);
}

static const char *lock_name(const spinlock_t *lock)
{
	return lock->name ? lock->name : "(unnamed)";
}

/* ---- the held-lock stack ------------------------------------------------ */

void held_lock_overflow(spinlock_t *lock)
{
	struct held_locks *h = &held_locks[smp_processor_id()];

	if (h->overflow_reported)
		return;
	h->overflow_reported = true;
	lock_report_counted();
	printk(KERN_ERR "BUG: CPU#%u holds more than %d locks; '%s' and later ones are not "
	       "tracked\n", smp_processor_id(), HELD_LOCKS_MAX, lock_name(lock));
}

/* Remove @lock from below the top of this CPU's stack (released out of order). */
void held_lock_remove(struct held_locks *h, spinlock_t *lock)
{
	for (unsigned int i = h->depth; i-- > 0;) {
		if (h->stack[i].lock != lock)
			continue;
		for (unsigned int j = i; j + 1 < h->depth; j++)
			h->stack[j] = h->stack[j + 1];
		h->depth--;
		return;
	}
	/* Not found: taken while the stack was full. */
}

/* ---- reports ------------------------------------------------------------ */

static void report_lockup(spinlock_t *lock, uintptr_t ip, uint64_t waited)
{
	char waiter[96], holder[96];
	int owner = spin_owner_cpu(lock);
	uintptr_t owner_ip = lock->owner_ip;

	lock_report_counted();
	printk(KERN_ERR "BUG: spinlock lockup suspected on CPU#%u: '%s' waited for %llu cycles "
	       "at %s\n", smp_processor_id(), lock_name(lock), (unsigned long long)waited,
	       where(ip, waiter, sizeof(waiter)));
	if (owner < 0)
		printk(KERN_ERR " lock: '%s' %p, held by an unknown owner\n", lock_name(lock),
		       (void *)lock);
	else
		printk(KERN_ERR " lock: '%s' %p, held by CPU#%d, taken at %s\n", lock_name(lock),
		       (void *)lock, owner, where(owner_ip, holder, sizeof(holder)));
}

static __noreturn void report_recursion(spinlock_t *lock, uintptr_t ip)
{
	char here[96], before[96];

	lock_report_counted();
	printk(KERN_ERR "BUG: spinlock recursion on CPU#%u: '%s' taken at %s is already held by "
	       "this CPU, taken at %s\n", smp_processor_id(), lock_name(lock),
	       where(ip, here, sizeof(here)), where(lock->owner_ip, before, sizeof(before)));
	panic("spinlock recursion on '%s'", lock_name(lock));
}

void spin_unlock_bad(spinlock_t *lock, uintptr_t ip)
{
	char here[96], holder[96];

	lock_report_counted();
	if (!spin_is_locked(lock))
		printk(KERN_ERR "BUG: spin_unlock of '%s' at %s: the lock is not held\n",
		       lock_name(lock), where(ip, here, sizeof(here)));
	else
		printk(KERN_ERR "BUG: spin_unlock of '%s' on CPU#%u at %s: held by CPU#%d, taken at "
		       "%s\n", lock_name(lock), smp_processor_id(), where(ip, here, sizeof(here)),
		       spin_owner_cpu(lock), where(lock->owner_ip, holder, sizeof(holder)));
}

void spin_assert_failed(const spinlock_t *lock, const struct lock_check_site *site,
			uintptr_t ip)
{
	char here[96], holder[96];

	lock_report_counted();
	printk(KERN_ERR "BUG: %s failed at %s:%d in %s\n", site->expression, site->file, site->line,
	       where(ip, here, sizeof(here)));
	if (spin_owner_cpu(lock) < 0)
		printk(KERN_ERR " lock '%s' is not held; this is CPU#%u\n", lock_name(lock),
		       smp_processor_id());
	else
		printk(KERN_ERR " lock '%s' is held by CPU#%d (taken at %s); this is CPU#%u\n",
		       lock_name(lock), spin_owner_cpu(lock),
		       where(lock->owner_ip, holder, sizeof(holder)), smp_processor_id());
}

void irqs_assert_failed(const struct lock_check_site *site, uintptr_t ip)
{
	char here[96];

	lock_report_counted();
	printk(KERN_ERR "BUG: %s failed at %s:%d in %s: interrupts are on\n", site->expression,
	       site->file, site->line, where(ip, here, sizeof(here)));
}

/* ---- taking ------------------------------------------------------------------ */

/* A lock whose holder may wait for cross calls, spun on with interrupts off: a deadlock in waiting. */
static void report_spin_with_irqs_off(spinlock_t *lock, uintptr_t ip)
{
	char here[96];

	lock_report_counted();
	printk(KERN_ERR "BUG: CPU#%u spins on '%s' with interrupts off at %s; its holder may be "
	       "waiting for this CPU to run a cross call\n", smp_processor_id(),
	       lock->name ? lock->name : "(unnamed)", where(ip, here, sizeof(here)));
}

/*
 * Validate (lockdep on), then spin until @lock is ours, reporting a
 * spin that lasts too long and panicking on a lock this CPU holds.
 */
void spin_lock_slowpath(spinlock_t *lock, uintptr_t ip)
{
	uint64_t start;

	if (lockdep_enabled) {
		lockdep_acquire(lock, ip, false);
		if (arch_spin_trylock(&lock->raw))
			return;
	}
	if (spin_is_held_by_this_cpu(lock))
		report_recursion(lock, ip);
	if (lock->cross_call_ok && irqs_disabled())
		report_spin_with_irqs_off(lock, ip);
	start = rdtsc();
	do {
		while (__atomic_load_n(&lock->raw.locked, __ATOMIC_RELAXED)) {
			uint64_t waited = rdtsc() - start;

			/* Pause, and serve a TLB shootdown the holder may be waiting for. */
			arch_spin_wait_relax();
			if (unlikely(waited > spin_lockup_cycles)) {
				report_lockup(lock, ip, waited);
				if (spin_lockup_notify)
					spin_lockup_notify(lock);
				start = rdtsc();
			}
		}
	} while (!arch_spin_trylock(&lock->raw));
}

void spin_trylock_validate(spinlock_t *lock, uintptr_t ip)
{
	lockdep_acquire(lock, ip, true);
}
