/* SPDX-License-Identifier: MIT */
/*
 * x86_64 4-level page-table format (Intel SDM vol. 3, 4.5).
 *
 * A virtual address splits into four 9-bit table indexes and an offset:
 *
 *   63    48 47    39 38    30 29    21 20    12 11         0
 *   [ sign ][ PML4  ][ PDPT  ][  PD   ][  PT   ][  offset   ]
 *
 * Level 3 is the PML4 (each entry covers 512 GiB), level 2 the PDPT
 * (1 GiB), level 1 the page directory (2 MiB), level 0 the page table
 * (4 KiB).  An entry at level 2 or 1 with PS (bit 7) set maps a 1 GiB or
 * 2 MiB page directly instead of pointing to a table.
 *
 * Entry bits used:
 *    0 P     present                     5 A    accessed (set by the CPU)
 *    1 RW    writable                    6 D    dirty (set by the CPU)
 *    2 US    user-accessible (never)     7 PS   large page (levels 2, 1);
 *    3 PWT   } memory type: PAT slot            PAT bit of a 4 KiB PTE
 *    4 PCD   } = PAT*4 + PCD*2 + PWT     8 G    global (kept across CR3 loads)
 *   12 PAT   PAT bit of a large page    63 XD   execute disable (needs EFER.NXE)
 *   51:12    physical address of the page or the next table
 */
#ifndef FERRITE_ASM_PGTABLE_H
#define FERRITE_ASM_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_PRESENT (1ull << 0)
#define PTE_WRITABLE (1ull << 1)
#define PTE_USER (1ull << 2)
#define PTE_WRITE_THROUGH (1ull << 3)
#define PTE_CACHE_DISABLE (1ull << 4)
#define PTE_ACCESSED (1ull << 5)
#define PTE_DIRTY (1ull << 6)
#define PTE_LARGE (1ull << 7)       /* levels 2 and 1 only */
#define PTE_PAT_SMALL (1ull << 7)   /* level 0 only */
#define PTE_GLOBAL (1ull << 8)
#define PTE_PAT_LARGE (1ull << 12)  /* levels 2 and 1 with PTE_LARGE */
#define PTE_NO_EXECUTE (1ull << 63)
#define PTE_ADDRESS_MASK 0x000ffffffffff000ull

#define PT_LEVELS 4
#define PT_ENTRIES 512
#define PML4_LEVEL 3

/* Bytes one entry at @level covers: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
static inline uint64_t level_size(int level)
{
	return 1ull << (12 + 9 * level);
}

static inline unsigned level_index(uint64_t va, int level)
{
	return (va >> (12 + 9 * level)) & (PT_ENTRIES - 1);
}

static inline bool entry_is_leaf(uint64_t entry, int level)
{
	return level == 0 || (entry & PTE_LARGE);
}

static inline uint64_t entry_address(uint64_t entry)
{
	return entry & PTE_ADDRESS_MASK;
}

/* Bit 47 copied into bits 48-63. */
static inline uint64_t canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16);
}

#endif
