/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for the kernel's <asm/cpu.h>: user space may not touch
 * the interrupt flag, and the host tests are single-threaded.
 */
#ifndef FERRITE_HOST_ASM_CPU_H
#define FERRITE_HOST_ASM_CPU_H

#include <stdint.h>

static inline uint64_t local_irq_save(void)
{
	return 0;
}

static inline void local_irq_restore(uint64_t flags)
{
	(void)flags;
}

static inline void cpu_relax(void)
{
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
