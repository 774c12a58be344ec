/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for the kernel's <asm/cpu.h>: user space may not touch
 * the interrupt flag, so each thread keeps a pretend one, enough for
 * local_irq_save/restore pairs and irqs_disabled() checks to mean the
 * same as in the kernel.
 */
#ifndef FERRITE_HOST_ASM_CPU_H
#define FERRITE_HOST_ASM_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define X86_RFLAGS_IF (1ULL << 9)

extern __thread uint64_t host_rflags;

static inline uint64_t local_irq_save(void)
{
	uint64_t flags = host_rflags;

	host_rflags &= ~X86_RFLAGS_IF;
	return flags;
}

static inline void local_irq_restore(uint64_t flags)
{
	if (flags & X86_RFLAGS_IF)
		host_rflags |= X86_RFLAGS_IF;
}

static inline bool irqs_disabled(void)
{
	return !(host_rflags & X86_RFLAGS_IF);
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
