/* SPDX-License-Identifier: MIT */
/* Building the kernel page tables at boot (arch/x86_64/paging_init.c). */
#ifndef FERRITE_ASM_PAGING_INIT_H
#define FERRITE_ASM_PAGING_INIT_H

struct memblock;
struct firmware_map;

/*
 * Build the kernel's own page tables and switch to them: the direct map
 * of every RAM range of @map (1 GiB pages where the CPU has them, else
 * 2 MiB, 4 KiB at unaligned edges), the kernel image with text RX, rodata
 * R+NX and data/bss RW+NX, and the ioremap()ed device memory.  Enables
 * global pages, SMEP and SMAP where the CPU has them.  Page-table pages
 * come from @mb.  Context: boot CPU, once; panics if memory runs out.
 */
void paging_init(struct memblock *mb, const struct firmware_map *map);

#endif
