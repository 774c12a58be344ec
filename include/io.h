/* SPDX-License-Identifier: MIT */
/*
 * io.h: memremap() -- a cached mapping of physical memory that may or may
 * not be RAM the direct map covers (firmware tables, memory the firmware
 * reserved).  Linux's names and meaning; device registers use ioremap()
 * (<asm/paging.h>) instead.
 */
#ifndef FERRITE_IO_H
#define FERRITE_IO_H

#include <stddef.h>
#include <stdint.h>

#define MEMREMAP_WB (1ul << 0)		/* write-back cached, like RAM */
/* Ferrite's own: map read-only (a stray write to firmware data faults). */
#define MEMREMAP_RO (1ul << 8)

/*
 * memremap - map [@phys, @phys + @size) with the memory type @flags names.
 * Always a new mapping in the vmalloc area: nothing is assumed about the
 * direct map.  @phys need not be page aligned; the result points at @phys.
 * Return: the address, or NULL (bad flags, @size 0, overflow, no memory).
 * Context: after vmalloc_init(); may take the page-table lock.
 */
void *memremap(uint64_t phys, size_t size, unsigned long flags);

/* memunmap - undo memremap(); @addr is what it returned. NULL is a no-op. Context: as memremap. */
void memunmap(void *addr);

#endif /* FERRITE_IO_H */
