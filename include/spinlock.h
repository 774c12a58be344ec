/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks: spin_lock_irqsave() for data an exception or interrupt path
 * may also touch, spin_lock() otherwise.  A waiting CPU pauses and serves
 * TLB shootdowns on each turn (asm/spin_wait.h).
 */
#ifndef FERRITE_SPINLOCK_H
#define FERRITE_SPINLOCK_H

#include <stdbool.h>

#include <asm/cpu.h>
#include <asm/spin_wait.h>

typedef struct {
	volatile int locked;
} spinlock_t;

#define SPINLOCK_INIT { 0 }

static inline bool spin_trylock(spinlock_t *lock)
{
	return __atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void spin_lock(spinlock_t *lock)
{
	while (!spin_trylock(lock))
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			arch_spin_wait_relax();
}

static inline void spin_unlock(spinlock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED) != 0;
}

#define spin_lock_irqsave(lock, flags)           \
	do {                                     \
		(flags) = local_irq_save();      \
		spin_lock(lock);                 \
	} while (0)

#define spin_unlock_irqrestore(lock, flags)      \
	do {                                     \
		spin_unlock(lock);               \
		local_irq_restore(flags);        \
	} while (0)

#endif
