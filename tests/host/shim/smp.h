/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for the kernel's <smp.h> cross calls.  No thread can be
 * interrupted on the host, so on_each_cpu() runs the function for every
 * CPU number in turn on the calling thread, as that CPU (host_set_cpu),
 * with the pretend interrupts off.  That reads and writes other CPUs'
 * per-CPU data, so a threaded test calls it (shrink, destroy, statistics,
 * slab_check) only at quiet points, when the threads standing for the
 * other CPUs are parked or joined.
 */
#ifndef FERRITE_HOST_SMP_H
#define FERRITE_HOST_SMP_H

#include <stdbool.h>

#include <asm/cpu.h>
#include <percpu.h>

typedef void (*smp_call_func_t)(void *info);

/*
 * CPUs 0 .. host_online_cpus - 1 are the ones on_each_cpu() visits (all
 * NR_CPUS unless a test says fewer: a thread whose CPU number is beyond
 * them may then run while another calls on_each_cpu()).
 */
extern unsigned int host_online_cpus;

static inline void on_each_cpu(smp_call_func_t func, void *info, bool wait)
{
	unsigned int self = smp_processor_id();
	uint64_t flags = local_irq_save();

	(void)wait;
	for (unsigned int cpu = 0; cpu < host_online_cpus && cpu < NR_CPUS; cpu++) {
		host_set_cpu(cpu);
		func(info);
	}
	host_set_cpu(self);
	local_irq_restore(flags);
}

#endif
