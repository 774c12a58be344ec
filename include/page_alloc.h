/* SPDX-License-Identifier: MIT */
/*
 * The kernel's page allocator instance: set up from the early allocator,
 * and the dumps the boot log and tests use.  The allocation API itself is
 * in <gfp.h>.
 */
#ifndef FERRITE_PAGE_ALLOC_H
#define FERRITE_PAGE_ALLOC_H

#include <buddy.h>
#include <gfp.h>

struct memblock;
struct firmware_map;

extern struct buddy kernel_buddy;

/*
 * Hand every page the early allocator never gave out to the buddy
 * allocator, switch page-table allocation to it, compute watermarks and
 * print the zones.  @poison turns page poisoning on.  After this the
 * early allocator must not be used.  Context: boot, once.
 */
void page_alloc_init(struct memblock *mb, const struct firmware_map *map, bool poison);

/* Print totals like /proc/meminfo: total, free, reserved, memmap overhead. */
void page_alloc_print_meminfo(void);

/* Return a page the early allocator handed out (PG_reserved) to the page allocator. */
void free_reserved_page(struct page *page);

#endif
