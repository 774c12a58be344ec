/* SPDX-License-Identifier: MIT */
/*
 * Counts of lock acquisitions that cross CPUs.  The allocators count, at
 * each site where they take a lock shared between CPUs (a zone lock, a
 * slab cache's list lock), one event on this CPU's counter; the local
 * fast paths take no such lock and count nothing.  Benchmarks read the
 * sum before and after a steady-state loop (shared_locks_per_kop=).
 *
 * Cost: one `inc` instruction at a slow-path lock site, which already
 * spends tens of instructions on the lock itself; nothing elsewhere.
 */
#ifndef FERRITE_LOCK_STAT_H
#define FERRITE_LOCK_STAT_H

#include <stdint.h>

#include <percpu.h>

/* Per CPU, a cache line each; defined in mm/buddy.c. */
struct shared_lock_count {
	uint64_t acquisitions;
} __attribute__((aligned(64)));

extern struct shared_lock_count shared_lock_counts[NR_CPUS];

/* Count one acquisition of a shared lock on this CPU.  Context: any. */
static inline void count_shared_lock(void)
{
	/* One instruction: an interrupt on this CPU cannot split it. */
	__asm__ volatile("incq %0" : "+m"(this_cpu_ptr(shared_lock_counts)->acquisitions));
}

/* Acquisitions on every CPU so far (a snapshot while they run). */
static inline uint64_t shared_lock_acquisitions(void)
{
	uint64_t total = 0;

	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		total += __atomic_load_n(&shared_lock_counts[cpu].acquisitions, __ATOMIC_RELAXED);
	return total;
}

#endif
