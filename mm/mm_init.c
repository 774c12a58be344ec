// SPDX-License-Identifier: MIT
/*
 * Memory-management bring-up: the early allocator over the sanitized map,
 * the kernel page tables, the memmap, the hand-over to the page
 * allocator, then the TLB ceiling and the page-table audit.
 */
#include <asm/paging.h>
#include <asm/paging_init.h>
#include <asm/tlb.h>
#include <kernel.h>
#include <memblock.h>
#include <memmap.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>

#define MEMORY_RANGES 1024
#define RESERVED_RANGES 256

static struct memblock_range memory_ranges[MEMORY_RANGES];
static struct memblock_range reserved_ranges[RESERVED_RANGES];
struct memblock boot_memblock;

void mm_init(const struct memmap *map, bool page_poison)
{
	memblock_init(&boot_memblock, memory_ranges, MEMORY_RANGES, reserved_ranges, RESERVED_RANGES);
	if (memblock_add_memmap(&boot_memblock, map))
		panic("mm: the memory map does not fit the early allocator");

	paging_init(&boot_memblock, map);
	vmemmap_init(&boot_memblock, map);
	early_mem_dump(&boot_memblock);
	page_alloc_init(&boot_memblock, map, page_poison);
	page_alloc_print_meminfo();
	tlb_measure_ceiling();

	pr_info("Kernel page tables:\n");
	ptdump_print();
	ptdump_check_wx();
}
