/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for the kernel's <percpu.h>: each host thread pretends to
 * be one CPU, host_cpu_id (0 unless the thread sets it), so threaded tests
 * run the allocators' per-CPU paths the way several CPUs would.  A thread
 * sets it once, before its first allocator call, and keeps it.
 */
#ifndef FERRITE_PERCPU_H
#define FERRITE_PERCPU_H

#define NR_CPUS 64

extern __thread unsigned int host_cpu_id;

static inline unsigned int smp_processor_id(void)
{
	return host_cpu_id;
}

#define this_cpu_ptr(array) (&(array)[smp_processor_id()])

/* Host threads stand for the boot CPU: allocator calls are always allowed. */
#define allocator_assert_boot_cpu(what) ((void)(what))

#endif
