// SPDX-License-Identifier: MIT
/*
 * crash_on_cpu=N: panic on CPU N once every CPU is up, to show (and let
 * the harness check) what a crash on a CPU other than the boot CPU does:
 * the others are stopped by NMI and each prints its CPU number, RIP and
 * backtrace, then the run ends as a crash.  A debugging aid; nothing else
 * uses it.
 */
#include <asm/cpu.h>
#include <asm/tsc.h>
#include <cmdline.h>
#include <crash_test.h>
#include <kernel.h>
#include <printk.h>
#include <smp.h>

/* How long the boot CPU waits for the crash before saying it never came. */
#define CRASH_WAIT_CYCLES_PER_KHZ 5000  /* 5 s */

static void crash_here(void *info)
{
	panic("crash_on_cpu=%u: crashing on purpose", smp_processor_id());
}

void crash_test_run(const char *value)
{
	uint64_t cpu, start;

	if (!value)
		return;
	if (!parse_uint(value, &cpu) || cpu == 0 || cpu >= NR_CPUS || !cpu_online((unsigned int)cpu)) {
		pr_err("crash_on_cpu=%s: expected the number of an online CPU other than 0; ignored\n",
		       value);
		return;
	}
	pr_info("crash_on_cpu=%llu: CPU %llu panics now\n", (unsigned long long)cpu,
		(unsigned long long)cpu);
	smp_call_function_single((unsigned int)cpu, crash_here, NULL, false);
	/* The crashing CPU stops this one by NMI; only a lost crash returns. */
	start = rdtsc();
	while (rdtsc() - start < tsc_khz * CRASH_WAIT_CYCLES_PER_KHZ)
		cpu_relax();
	pr_err("crash_on_cpu=%llu: CPU %llu did not crash\n", (unsigned long long)cpu,
	       (unsigned long long)cpu);
}
