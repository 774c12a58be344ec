// SPDX-License-Identifier: MIT
/*
 * get_random_u64(): the CPU's random source through <asm/archrandom.h>,
 * and a last resort for CPUs without one.  The last resort reads the TSC
 * into a pool stirred by splitmix64's finalizer, so successive values
 * differ in every bit, but they are only as unpredictable as the moments
 * at which the TSC was read.
 */
#include <asm/archrandom.h>
#include <random.h>

struct random_counts random_counts;

static uint64_t pool = 0x9e3779b97f4a7c15ull;

/* splitmix64's output function: every input bit flips about half the output bits. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t get_random_u64(void)
{
	uint64_t value;

	if (arch_get_random_seed_u64(&value)) {
		random_counts.rdseed++;
		return value;
	}
	if (arch_get_random_u64(&value)) {
		random_counts.rdrand++;
		return value;
	}
	random_counts.entropy++;
	pool = mix64(pool ^ random_get_entropy()) + 0x9e3779b97f4a7c15ull;
	return mix64(pool ^ random_get_entropy());
}
