/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for the kernel's <percpu.h>.  Each host thread is a CPU
 * of its own choosing: smp_processor_id() is a per-thread number that a
 * threaded test sets with host_set_cpu() (0 unless set), so per-CPU data
 * (the slab's CPU slabs, the page allocator's per-CPU lists) is private to
 * the thread, as it is to a CPU in the kernel.  Two threads must not use
 * the same number at once.
 */
#ifndef FERRITE_PERCPU_H
#define FERRITE_PERCPU_H

#define NR_CPUS 64

/* This thread's CPU number (tests/host/host_support.c). */
extern __thread unsigned int host_cpu_id;

static inline unsigned int smp_processor_id(void)
{
	return host_cpu_id;
}

static inline unsigned long raw_smp_processor_id(void)
{
	return host_cpu_id;
}

/* Make this thread CPU @cpu (below NR_CPUS) from now on. */
static inline void host_set_cpu(unsigned int cpu)
{
	host_cpu_id = cpu;
}

#define this_cpu_ptr(array) (&(array)[smp_processor_id()])

#endif
