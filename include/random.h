/* SPDX-License-Identifier: MIT */
/*
 * Random numbers for hardening (the slab's free-pointer keys): each value
 * is a fresh draw from the CPU's random source, so no value follows from
 * another.  Not for cryptography.
 */
#ifndef FERRITE_RANDOM_H
#define FERRITE_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* How many values came from each source since boot. */
struct random_counts {
	uint64_t cpu_seed;      /* the CPU's entropy source (x86: RDSEED) */
	uint64_t cpu_random;    /* the CPU's generator (x86: RDRAND), when the first had none */
	uint64_t counter;       /* neither: a cycle counter, mixed (guessable from the boot's timing) */
};

extern struct random_counts random_counts;

/*
 * 64 random bits: the CPU's entropy source, else its generator, else a
 * cycle counter through a mixing function with a running pool.
 * Return: the value.  Context: any; the CPU's instructions are used only
 * if the CPU reported them.  The pool and the counts take no lock: CPUs
 * drawing at once may lose a count.
 */
uint64_t get_random_u64(void);

/*
 * Write into @buf (@size bytes) how many draws since @before came from
 * each source, e.g. "0 from RDSEED, 14 from RDRAND, 0 from the TSC".
 * Return: @buf.
 */
const char *random_sources_since(const struct random_counts *before, char *buf, size_t size);

#endif
