/* SPDX-License-Identifier: MIT */
/*
 * Random numbers for hardening (the slab's free-pointer keys): each value
 * is a fresh draw from the CPU's random source, so no value follows from
 * another.  Not for cryptography.
 */
#ifndef FERRITE_RANDOM_H
#define FERRITE_RANDOM_H

#include <stdint.h>

/* How many values came from each source since boot. */
struct random_counts {
	uint64_t rdseed;        /* the CPU's entropy source */
	uint64_t rdrand;        /* the CPU's DRBG, when RDSEED has none to give */
	uint64_t entropy;       /* neither: the TSC, mixed (guessable by one who can time the boot) */
};

extern struct random_counts random_counts;

/*
 * 64 random bits: RDSEED, else RDRAND, else the TSC through a mixing
 * function with a running pool.  Return: the value.  Context: any; the
 * CPU's instructions are used only if CPUID reported them.  The pool and
 * the counts take no lock: CPUs drawing at once may lose a count.
 */
uint64_t get_random_u64(void);

#endif
