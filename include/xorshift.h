/* SPDX-License-Identifier: MIT */
/*
 * xorshift64 (Marsaglia): a tiny, fast, reproducible pseudo-random
 * sequence for seeded tests and for slab hardening keys when a seed is
 * asked for (slab_seed=, host tests).  Each value gives away all that
 * follow it: not for keys that must stay secret (see <random.h>).
 */
#ifndef FERRITE_XORSHIFT_H
#define FERRITE_XORSHIFT_H

#include <stdint.h>

/* Advance *@state (never 0) and return the new value. */
static inline uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

#endif
