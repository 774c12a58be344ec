/* SPDX-License-Identifier: MIT */
/*
 * The CPU's own random numbers: RDSEED (fresh entropy from the hardware
 * source, meant for seeding) and RDRAND (the output of the CPU's DRBG,
 * reseeded from that source).  Each is used only after CPUID said it
 * exists (boot_cpu.rdseed, boot_cpu.rdrand); either may fail for a moment
 * when drawn from fast, so every retry loop is bounded.  Linux's names.
 */
#ifndef FERRITE_ASM_ARCHRANDOM_H
#define FERRITE_ASM_ARCHRANDOM_H

#include <stdbool.h>
#include <stdint.h>

#include <asm/cpu.h>

/* What the boot log calls the sources <random.h> counts. */
#define ARCH_RANDOM_SEED_NAME "RDSEED"
#define ARCH_RANDOM_NAME "RDRAND"
#define ARCH_ENTROPY_NAME "the TSC"

/*
 * One RDSEED value into *@value.
 * Return: false if the CPU has no RDSEED or it stayed empty for every
 * (bounded) retry.  Context: any.
 */
bool arch_get_random_seed_u64(uint64_t *value);

/*
 * One RDRAND value into *@value.
 * Return: false if the CPU has no RDRAND or it failed every (bounded)
 * retry.  Context: any.
 */
bool arch_get_random_u64(uint64_t *value);

/* A counter that changes every cycle (the TSC): what is left without RDRAND and RDSEED. */
static inline uint64_t random_get_entropy(void)
{
	return rdtsc();
}

#endif
