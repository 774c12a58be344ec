/* SPDX-License-Identifier: MIT */
/*
 * lockdep-lite: a lock-order validator in the spirit of Linux's lockdep.
 *
 * Locks are grouped into classes by name (every zone->lock is one class,
 * as in Linux, where the class is the init site); a lock without a name
 * (zeroed, never initialised) is not validated.  Whenever a lock of
 * class B is taken while this CPU holds one of class A, the dependency
 * A -> B is recorded, with where A and B were taken.  Reported, once per
 * pair of classes, with the addresses of both acquisitions:
 *
 *   - a circular dependency: B -> ... -> A was seen before and now A is
 *     held while B is taken (two CPUs doing both can deadlock);
 *   - recursive locking: a class taken while a lock of the same class is
 *     held (the same lock would deadlock; two locks of one class need an
 *     order the validator cannot see);
 *   - an inconsistent interrupt state, once per class: taken in interrupt
 *     context (in_irq()) and elsewhere with interrupts enabled (the
 *     interrupt may arrive while that holder has it: a deadlock on one CPU).
 *
 * After a report the kernel goes on; the offending dependency is not
 * recorded, so the graph stays acyclic and later reports stay meaningful.
 * A trylock never waits, so it closes no cycle: locks taken under it are
 * recorded, the trylock itself is not.
 *
 * Off unless the command line says lockdep=1 (the test ISOs do, the
 * benchmark ISO does not); when off, taking a lock pays one predicted
 * branch.  The graph is guarded by its own bare lock (arch_spinlock_t),
 * which the validator does not track.  Pure code: the host tests use it.
 */
#ifndef FERRITE_LOCKDEP_H
#define FERRITE_LOCKDEP_H

#include <stdbool.h>
#include <stdint.h>

#include <spinlock.h>

/* Classes and recorded dependencies the validator can hold; more are reported once. */
#define LOCKDEP_MAX_CLASSES 64
#define LOCKDEP_MAX_DEPENDENCIES 256

/* True while the validator runs (lockdep=1, or a test turning it on). */
extern bool lockdep_enabled;

/*
 * Validate taking @lock at @ip against the locks this CPU holds
 * (held_locks[]), then record the new dependencies.  Called by the
 * spinlock code before @lock goes on the held-lock stack.  Context: any.
 */
void lockdep_acquire(spinlock_t *lock, uintptr_t ip, bool trylock);

/*
 * debug_locks_off - turn the validator off for good (as Linux does on a
 * crash): a CPU stopped by NMI may halt holding graph_lock, and every lock
 * the crashing CPU takes afterwards (printk's among them) would spin on it.
 * Context: any; smp_send_stop() calls it first.
 */
void debug_locks_off(void);

/*
 * Apply the lockdep= boot option: NULL leaves the validator off; "1",
 * "on", "y" turn it on, "0", "off", "n" off; anything else is reported.
 * Return: false if @value was not understood.  Context: boot.
 */
bool lockdep_boot_option(const char *value);

/* Print every class and recorded dependency (printk). Context: any. */
void lockdep_print_dependencies(void);

/* Return: the number of lock classes seen so far. */
unsigned int lockdep_class_count(void);

/* Return: the number of dependencies recorded with their addresses. */
unsigned int lockdep_dependency_count(void);

/*
 * Use only @classes classes and @dependencies dependencies of the tables
 * (0: all), and report a full table again: for tests of those reports.
 * Context: any.
 */
void lockdep_set_limits(unsigned int classes, unsigned int dependencies);

#endif /* FERRITE_LOCKDEP_H */
