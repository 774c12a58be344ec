/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for the kernel's <percpu.h>: the host tests run the
 * allocators as CPU 0, the one whose per-CPU entries they check.
 */
#ifndef FERRITE_PERCPU_H
#define FERRITE_PERCPU_H

#define NR_CPUS 64

static inline unsigned int smp_processor_id(void)
{
	return 0;
}

#define this_cpu_ptr(array) (&(array)[smp_processor_id()])

/* Host threads stand for the boot CPU: allocator calls are always allowed. */
#define allocator_assert_boot_cpu(what) ((void)(what))

#endif
