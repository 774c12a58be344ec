// SPDX-License-Identifier: MIT
/*
 * get_random_u64() on the running CPU: it draws from the source CPUID
 * reports (RDSEED, else RDRAND), falls back to the TSC without one, and
 * in every case gives values that are distinct, use every bit, and do not
 * follow from each other as a xorshift stream's do.
 */
#include <asm/cpufeature.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <random.h>
#include <xorshift.h>

#define DRAWS 64

/*
 * Draw DRAWS values and expect what a random source gives: no repeats,
 * no value the xorshift step of the one before, every bit both set and
 * clear somewhere (each fails by chance with odds below 2^-50).
 */
static void expect_random_values(struct ktest *t)
{
	uint64_t values[DRAWS], any_set = 0, all_set = ~0ull;
	unsigned int repeats = 0, stream_steps = 0;

	for (int i = 0; i < DRAWS; i++) {
		uint64_t previous = i ? values[i - 1] : 0;

		values[i] = get_random_u64();
		any_set |= values[i];
		all_set &= values[i];
		stream_steps += i && values[i] == xorshift64(&previous);
		for (int j = 0; j < i; j++)
			repeats += values[i] == values[j];
	}
	KEXPECT_EQ(t, repeats, 0);
	KEXPECT_EQ(t, stream_steps, 0);
	KEXPECT_UEQ(t, any_set, ~0ull);
	KEXPECT_UEQ(t, all_set, 0);
}

/* The values come from the strongest source CPUID reports. */
static void test_source_follows_cpuid(struct ktest *t)
{
	struct random_counts before = random_counts;
	char sources[96];

	expect_random_values(t);
	printk("        # CPU:%s%s; draws: %s\n", boot_cpu.rdseed ? " RDSEED" : "",
	       boot_cpu.rdrand ? " RDRAND" : " no RDRAND",
	       random_sources_since(&before, sources, sizeof(sources)));
	/* RDSEED may run dry for a moment; its draws then come from RDRAND, never from the TSC. */
	if (boot_cpu.rdseed)
		KEXPECT_UGT(t, random_counts.cpu_seed, before.cpu_seed);
	else
		KEXPECT_UEQ(t, random_counts.cpu_seed, before.cpu_seed);
	if (boot_cpu.rdseed || boot_cpu.rdrand)
		KEXPECT_UEQ(t, random_counts.counter, before.counter);
	else
		KEXPECT_UEQ(t, random_counts.counter, before.counter + DRAWS);
	if (!boot_cpu.rdrand)
		KEXPECT_UEQ(t, random_counts.cpu_random, before.cpu_random);
}

/* The boot log's summary of where draws came from. */
static void test_sources_summary(struct ktest *t)
{
	struct random_counts before = {
		random_counts.cpu_seed - 1, random_counts.cpu_random - 20, random_counts.counter - 300,
	};
	char sources[96];

	KEXPECT_STREQ(t, random_sources_since(&before, sources, sizeof(sources)),
		      "1 from RDSEED, 20 from RDRAND, 300 from the TSC");
	KEXPECT_STREQ(t, random_sources_since(&random_counts, sources, 8), "0 from ");
}

/* A CPU without RDRAND and RDSEED (as CPUID would say): the TSC fallback. */
static void test_fallback_without_cpu_source(struct ktest *t)
{
	bool had_rdseed = boot_cpu.rdseed, had_rdrand = boot_cpu.rdrand;
	struct random_counts before = random_counts;

	boot_cpu.rdseed = false;
	boot_cpu.rdrand = false;
	expect_random_values(t);
	boot_cpu.rdseed = had_rdseed;
	boot_cpu.rdrand = had_rdrand;
	KEXPECT_UEQ(t, random_counts.counter, before.counter + DRAWS);
	KEXPECT_UEQ(t, random_counts.cpu_seed, before.cpu_seed);
	KEXPECT_UEQ(t, random_counts.cpu_random, before.cpu_random);
}

KTEST_SUITE(random,
	    KTEST_CASE(test_source_follows_cpuid),
	    KTEST_CASE(test_sources_summary),
	    KTEST_CASE(test_fallback_without_cpu_source));
