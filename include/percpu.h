/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data.  One CPU runs today; data that will be per-CPU is already
 * an array of NR_CPUS reached through this_cpu_ptr(), so that SMP changes
 * the accessor, not its users.  A this_cpu_ptr() result is stable only
 * while interrupts are off (no preemption exists).
 */
#ifndef FERRITE_PERCPU_H
#define FERRITE_PERCPU_H

#define NR_CPUS 64

static inline unsigned int smp_processor_id(void)
{
	return 0;
}

#define this_cpu_ptr(array) (&(array)[smp_processor_id()])

#endif
