/* SPDX-License-Identifier: MIT */
/* Starting the other CPUs: the low-memory trampoline (arch/x86_64/smpboot.c). */
#ifndef FERRITE_ASM_SMPBOOT_H
#define FERRITE_ASM_SMPBOOT_H

struct firmware_map;

/*
 * smp_reserve_trampoline - take the pages the AP start-up code needs below
 * 1 MiB from the memory map's low RAM (MEM_LOW, which no allocator hands
 * out), before any allocator runs.  If there are not enough, the boot goes
 * on and smp_init() stays on one CPU, saying why.
 * Context: boot CPU, once, before mm_init() builds the allocators.
 */
void smp_reserve_trampoline(const struct firmware_map *map);

#endif
