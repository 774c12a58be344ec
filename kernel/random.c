// SPDX-License-Identifier: MIT
/*
 * get_random_u64(): the CPU's random source through <asm/archrandom.h>,
 * and a last resort for CPUs without one.  The last resort reads the TSC
 * into a pool stirred by splitmix64's finalizer, so successive values
 * differ in every bit, but they are only as unpredictable as the moments
 * at which the TSC was read.
 */
#include <asm/archrandom.h>
#include <printk.h>
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
		random_counts.cpu_seed++;
		return value;
	}
	if (arch_get_random_u64(&value)) {
		random_counts.cpu_random++;
		return value;
	}
	random_counts.counter++;
	pool = mix64(pool ^ random_get_entropy()) + 0x9e3779b97f4a7c15ull;
	return mix64(pool ^ random_get_entropy());
}

const char *random_sources_since(const struct random_counts *before, char *buf, size_t size)
{
	snprintf(buf, size, "%llu from " ARCH_RANDOM_SEED_NAME ", %llu from " ARCH_RANDOM_NAME
		 ", %llu from " ARCH_ENTROPY_NAME,
		 (unsigned long long)(random_counts.cpu_seed - before->cpu_seed),
		 (unsigned long long)(random_counts.cpu_random - before->cpu_random),
		 (unsigned long long)(random_counts.counter - before->counter));
	return buf;
}
