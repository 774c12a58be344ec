/* SPDX-License-Identifier: MIT */
/*
 * The loop every "..._parallel" benchmark shares: each of N CPUs (1, 2, 4,
 * ... up to those online) runs its own loop of alloc/free pairs from a
 * common start.  cycles_per_op is the time from that start to the last
 * CPU's end over the pairs of all N CPUs (under -icount: instructions per
 * pair, whichever CPU ran them); shared_locks_per_kop= counts the locks
 * shared between CPUs taken per 1000 pairs in the steady state
 * (include/lock_stat.h); a line "# NAME cpus=N: P pairs/s" gives the
 * median run's throughput.
 */
#ifndef FERRITE_BENCH_PARALLEL_H
#define FERRITE_BENCH_PARALLEL_H

#include <stdbool.h>
#include <stdint.h>

#include <bench.h>

#define BENCH_PARALLEL_PAIRS_PER_CPU 20000

/* @pairs alloc/free pairs on this CPU.  Return: false if an allocation failed. */
typedef bool (*bench_pairs_fn)(unsigned int pairs);

/*
 * bench_parallel_pairs - run and report @name (size= @size) for every CPU
 * count, each CPU calling @pairs; @fail_message is the failure reported
 * when an allocation failed.
 * Context: the benchmark runner on CPU 0, the other CPUs idle.
 */
void bench_parallel_pairs(struct bench *b, const char *name, uint64_t size, bench_pairs_fn pairs,
			  const char *fail_message);

#endif /* FERRITE_BENCH_PARALLEL_H */
