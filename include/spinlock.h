/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks that know themselves.
 *
 * Every lock has a name (DEFINE_SPINLOCK(x), SPINLOCK_INIT("name"),
 * spin_lock_init(lock, "name")) and, while held, records its owner CPU and
 * the caller's address where it was taken.  That buys three checks, all
 * always on because they cost a few stores on the lock path and nothing
 * on the allocators' per-CPU fast paths, which take no lock:
 *
 *   - a spin that lasts far too long (spin_lockup_cycles: 10 s once the TSC is calibrated)
 *     prints the lock's name, the CPU holding it and where that CPU took
 *     it, then goes on waiting, instead of hanging silently;
 *   - taking a lock this CPU already holds is a certain deadlock: it is
 *     reported and panics (which fails only the running self-test case);
 *   - assert_spin_locked(lock), assert_spin_not_held(lock) and
 *     assert_irqs_disabled() turn "caller holds X", "caller does not hold
 *     X" and "interrupts off" contracts into checks that report.
 *
 * Each CPU keeps the locks it holds on a small stack (held_locks[]): the
 * self-test runner releases what an aborted case left held, and the lock
 * validator (<lockdep.h>, boot option lockdep=1) reads it to learn the
 * order in which locks are taken.
 *
 * Use spin_lock_irqsave() for data an interrupt or exception path may
 * also touch, spin_lock() where interrupts are known to be off or the
 * data is never touched from interrupt context.  A trylock never waits.
 *
 * arch_spinlock_t is the bare lock underneath, with none of the above:
 * only for the lock validator's own state (which must not validate itself).
 */
#ifndef FERRITE_SPINLOCK_H
#define FERRITE_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include <asm/cpu.h>
#include <kernel.h>
#include <percpu.h>

/* ---- the bare lock ------------------------------------------------------ */

typedef struct {
	volatile uint32_t locked;
} arch_spinlock_t;

#define ARCH_SPINLOCK_INIT { 0 }

static inline bool arch_spin_trylock(arch_spinlock_t *lock)
{
	return __atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void arch_spin_lock(arch_spinlock_t *lock)
{
	while (!arch_spin_trylock(lock))
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			cpu_relax();
}

static inline void arch_spin_unlock(arch_spinlock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

/* ---- spinlock_t ----------------------------------------------------------- */

typedef struct spinlock {
	arch_spinlock_t raw;
	uint16_t owner;         /* the holder's CPU number + 1; 0 while free (so a zeroed lock is free) */
	uint16_t lockdep_class; /* the validator's class + 1; 0 until it has seen the lock */
	bool cross_call_ok;     /* its holder may wait for cross calls: never spun on with interrupts off */
	const char *name;
	uintptr_t owner_ip;     /* where the owner took it; stale while free */
} spinlock_t;

#define SPINLOCK_INIT(lock_name)                                                          \
	{ .raw = ARCH_SPINLOCK_INIT, .owner = 0, .lockdep_class = 0, .cross_call_ok = false,  \
	  .name = (lock_name), .owner_ip = 0 }

/* Define and initialise a lock named after its variable: static DEFINE_SPINLOCK(vmap_lock); */
#define DEFINE_SPINLOCK(x) spinlock_t x = SPINLOCK_INIT(#x)

/*
 * Initialise @lock, free, with @name (a string that outlives the lock:
 * the validator groups locks of one name into one class).  Context: any;
 * the lock must not be in use.
 */
static inline void spin_lock_init(spinlock_t *lock, const char *name)
{
	*lock = (spinlock_t)SPINLOCK_INIT(name);
}

/*
 * Let @lock's holder wait for cross calls (on_each_cpu(..., true) and
 * friends), which is otherwise refused: a CPU spinning on the lock with
 * interrupts off would never run the call.  In exchange, no CPU may spin
 * on @lock with interrupts off: the spin reports it (a lock-check report).
 * Context: before the lock is first used.
 */
static inline void spin_lock_allow_cross_calls(spinlock_t *lock)
{
	lock->cross_call_ok = true;
}

/*
 * The address of the code where it is expanded (Linux's _THIS_IP_).  An
 * instruction, not a label address: GCC never inlines a function whose
 * label address is taken, and the checks below sit in small helpers.
 */
#define _THIS_IP_                                                                 \
	({                                                                        \
		uintptr_t this_ip_;                                               \
		__asm__ volatile("lea 0(%%rip), %0" : "=r"(this_ip_));            \
		this_ip_;                                                         \
	})

/* ---- what each CPU holds -------------------------------------------------- */

#define HELD_LOCKS_MAX 16

/* One entry of a held-lock stack; where it was taken is lock->owner_ip. */
struct held_lock {
	spinlock_t *lock;
};

struct held_locks {
	unsigned int depth;             /* entries in use in stack[] */
	bool overflow_reported;
	struct held_lock stack[HELD_LOCKS_MAX];
};

/* Per CPU, written only by that CPU: the locks it holds, oldest first. */
extern struct held_locks held_locks[NR_CPUS];

/* Return: the number of locks this CPU holds (as tracked). */
static inline unsigned int spin_held_depth(void)
{
	return held_locks[smp_processor_id()].depth;
}

/* Return: this CPU's most recently taken lock still held, or NULL. */
static inline const struct held_lock *spin_held_top(void)
{
	struct held_locks *h = &held_locks[smp_processor_id()];

	return h->depth ? &h->stack[h->depth - 1] : NULL;
}

/* ---- taking and releasing ---------------------------------------------------
 *
 * Inline, so that the uncontended path is a handful of instructions in
 * the caller: the atomic exchange, two stores into the lock and two
 * into this CPU's held-lock stack.  Everything else (waiting, lockdep,
 * a full stack, a bad unlock) is out of line in kernel/spinlock.c.
 */

/* Inlined even by a compiler that would rather not: _THIS_IP_ must be the caller's. */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Set by lockdep=1 (<lockdep.h>); when false the validator costs one branch. */
extern bool lockdep_enabled;

/* Out-of-line parts of the operations below; not for direct use. */
void spin_lock_slowpath(spinlock_t *lock, uintptr_t ip);
void spin_trylock_validate(spinlock_t *lock, uintptr_t ip);
void spin_unlock_bad(spinlock_t *lock, uintptr_t ip);
void held_lock_overflow(spinlock_t *lock);
void held_lock_remove(struct held_locks *h, spinlock_t *lock);

static __always_inline void spin_acquired(spinlock_t *lock, uintptr_t ip)
{
	unsigned int cpu = smp_processor_id();
	struct held_locks *h = &held_locks[cpu];
	unsigned int depth = h->depth;

	lock->owner = (uint16_t)(cpu + 1);
	lock->owner_ip = ip;
	if (unlikely(depth == HELD_LOCKS_MAX)) {
		held_lock_overflow(lock);
		return;
	}
	h->stack[depth].lock = lock;
	h->depth = depth + 1;
}

static __always_inline void spin_lock_at(spinlock_t *lock, uintptr_t ip)
{
	if (unlikely(lockdep_enabled) || unlikely(!arch_spin_trylock(&lock->raw)))
		spin_lock_slowpath(lock, ip);
	spin_acquired(lock, ip);
}

static __always_inline void spin_unlock_at(spinlock_t *lock, uintptr_t ip)
{
	struct held_locks *h = &held_locks[smp_processor_id()];
	unsigned int depth = h->depth;

	if (unlikely(lock->owner != smp_processor_id() + 1)) {
		spin_unlock_bad(lock, ip);
		return;
	}
	if (likely(depth && h->stack[depth - 1].lock == lock))
		h->depth = depth - 1;
	else
		held_lock_remove(h, lock);
	lock->owner = 0;   /* owner_ip is meaningful only while owner is set */
	arch_spin_unlock(&lock->raw);
}

/* Take @lock, spinning while another CPU holds it.  Context: any. */
static __always_inline void spin_lock(spinlock_t *lock)
{
	spin_lock_at(lock, _THIS_IP_);
}

/* Return: true if @lock was free and is now held; never waits.  Context: any. */
static __always_inline bool spin_trylock(spinlock_t *lock)
{
	uintptr_t ip = _THIS_IP_;

	if (!arch_spin_trylock(&lock->raw))
		return false;
	if (unlikely(lockdep_enabled))
		spin_trylock_validate(lock, ip);
	spin_acquired(lock, ip);
	return true;
}

/*
 * Release @lock; a lock this CPU does not hold is reported and left as it
 * is.  Context: the holder.
 */
static __always_inline void spin_unlock(spinlock_t *lock)
{
	spin_unlock_at(lock, _THIS_IP_);
}

/* Interrupts off, then spin_lock(); @flags receives what spin_unlock_irqrestore() needs. */
#define spin_lock_irqsave(lock, flags)                           \
	do {                                                     \
		(flags) = local_irq_save();                      \
		spin_lock_at((lock), _THIS_IP_);                 \
	} while (0)

/* spin_unlock(), then interrupts back as @flags say.  Context: the holder. */
static __always_inline void spin_unlock_irqrestore(spinlock_t *lock, uint64_t flags)
{
	spin_unlock_at(lock, _THIS_IP_);
	local_irq_restore(flags);
}

static inline bool spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->raw.locked, __ATOMIC_RELAXED) != 0;
}

/* Return: true if this CPU holds @lock (the owner is recorded only while held). */
static inline bool spin_is_held_by_this_cpu(const spinlock_t *lock)
{
	return lock->owner == smp_processor_id() + 1;
}

/* Return: the CPU holding @lock, or -1 if none is recorded (free). */
static inline int spin_owner_cpu(const spinlock_t *lock)
{
	return (int)lock->owner - 1;
}

/* ---- contracts that check themselves ------------------------------------ */

/* Where a check sits, for its report. */
struct lock_check_site {
	const char *expression;
	const char *file;
	int line;
};

/* Reports behind the macros below; @ip is the checking code. */
void spin_assert_failed(const spinlock_t *lock, const struct lock_check_site *site,
			uintptr_t ip);
void irqs_assert_failed(const struct lock_check_site *site, uintptr_t ip);

/*
 * The caller must hold @lock (this CPU, not merely someone): otherwise
 * a report names the lock, its holder and the function, and the caller
 * goes on.  Linux's assert_spin_locked() only checks "locked by anyone";
 * this is the stronger lockdep_assert_held() meaning.
 */
#define assert_spin_locked(lock)                                                          \
	do {                                                                              \
		if (unlikely(!spin_is_held_by_this_cpu(lock))) {                          \
			static const struct lock_check_site site_ = {                     \
				"assert_spin_locked(" #lock ")", __FILE__, __LINE__ };    \
			spin_assert_failed((lock), &site_, _THIS_IP_);                    \
		}                                                                         \
	} while (0)

/*
 * The caller must not hold @lock (it is about to call something that
 * takes other locks, or the lock itself): otherwise a report, and the
 * caller goes on.  Linux's lockdep_assert_not_held().
 */
#define assert_spin_not_held(lock)                                                        \
	do {                                                                              \
		if (unlikely(spin_is_held_by_this_cpu(lock))) {                           \
			static const struct lock_check_site site_ = {                     \
				"assert_spin_not_held(" #lock ")", __FILE__, __LINE__ };  \
			spin_assert_failed((lock), &site_, _THIS_IP_);                    \
		}                                                                         \
	} while (0)

/* Interrupts must be off on this CPU: otherwise a report names the function. */
#define assert_irqs_disabled()                                                            \
	do {                                                                              \
		if (unlikely(!irqs_disabled())) {                                         \
			static const struct lock_check_site site_ = {                     \
				"assert_irqs_disabled()", __FILE__, __LINE__ };           \
			irqs_assert_failed(&site_, _THIS_IP_);                            \
		}                                                                         \
	} while (0)

/* ---- reports ---------------------------------------------------------------- */

/*
 * Every report of the lock checks (here and in lockdep) counts in
 * lock_report_count.  The self-test runner fails a case during which the
 * count grew by more than lock_reports_expected did: a test that provokes
 * a report on purpose adds to lock_reports_expected.
 */
extern unsigned long lock_report_count;
extern unsigned long lock_reports_expected;

/* Count one report (any CPU). */
static inline void lock_report_counted(void)
{
	__atomic_fetch_add(&lock_report_count, 1, __ATOMIC_RELAXED);
}

/* TSC cycles a spin may last before it is reported (then again each period). */
extern uint64_t spin_lockup_cycles;

/*
 * Called after each lockup report with the lock waited for, when set.
 * Tests use it to play the holder on another CPU and release the lock.
 */
extern void (*spin_lockup_notify)(spinlock_t *lock);

#endif /* FERRITE_SPINLOCK_H */
