/* SPDX-License-Identifier: MIT */
/* The boot page tables' last edit, and building the kernel's own (arch/x86_64/paging_init.c). */
#ifndef FERRITE_ASM_PAGING_INIT_H
#define FERRITE_ASM_PAGING_INIT_H

struct memblock;
struct firmware_map;

/*
 * drop_identity_map - remove the boot page tables' identity map of the low
 * 4 GiB (PML4 slot 0), which was needed only while boot/entry.asm jumped to
 * the kernel window, and reload CR3; from then on page 0 faults.
 * Context: boot CPU, once, while the boot page tables are live.
 */
void drop_identity_map(void);

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
