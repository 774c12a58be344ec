// SPDX-License-Identifier: MIT
/*
 * The kernel's page allocator: one buddy instance over all RAM, the
 * Linux-named API on top of it, and the hand-over from the early
 * allocator.
 */
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <kernel.h>
#include <memblock.h>
#include <firmware_map.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>
#include <smp.h>
#include <symbols.h>

#include "buddy_internal.h"

#define MAX_ORDER_PAGES (1ull << MAX_ORDER)

struct buddy kernel_buddy;
static uint64_t reserved_at_handover;

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return buddy_alloc(&kernel_buddy, gfp, order, __builtin_return_address(0));
}

void __free_pages(struct page *page, unsigned int order)
{
	buddy_free(&kernel_buddy, page, order, __builtin_return_address(0));
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = buddy_alloc(&kernel_buddy, gfp, order, __builtin_return_address(0));

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	struct page *page = buddy_alloc(&kernel_buddy, gfp | __GFP_ZERO, 0,
					__builtin_return_address(0));

	return page ? (unsigned long)page_address(page) : 0;
}

void free_pages(unsigned long address, unsigned int order)
{
	struct page *page;

	if (!address)
		return;
	/* An address with no struct page (a hole, not RAM) is reported, not followed. */
	page = buddy_pfn_to_page(&kernel_buddy, __pa((void *)address) >> PAGE_SHIFT);
	buddy_free(&kernel_buddy, page, order, __builtin_return_address(0));
}

unsigned long alloc_pages_bulk(gfp_t gfp, unsigned long count, struct page **pages)
{
	return buddy_alloc_bulk(&kernel_buddy, gfp, count, pages);
}

void buddy_run_on_each_cpu(void (*fn)(void *arg), void *arg)
{
	on_each_cpu(fn, arg, true);
}

int page_count(struct page *page)
{
	return page_ref_count(compound_head(page));
}

void get_page(struct page *page)
{
	struct page *head = compound_head(page);
	char symbol[96];

	/* A reference is taken only on a page that has one: anything else is a use after free. */
	if (!page_ref_inc_unless_zero(head))
		pr_err("page allocator: get_page on pfn 0x%llx with no reference left (called from %s)\n",
		       (unsigned long long)page_to_pfn(head),
		       symbol_format((uint64_t)__builtin_return_address(0), symbol, sizeof(symbol)));
}

void put_page(struct page *page)
{
	struct page *head = compound_head(page);

	buddy_free(&kernel_buddy, head, (unsigned int)head->private, __builtin_return_address(0));
}

void free_reserved_page(struct page *page)
{
	uint64_t pfn = page_to_pfn(page);

	BUG_ON(!PageReserved(page));
	buddy_add_range(&kernel_buddy, pfn, pfn + 1);
	reserved_at_handover--;
}

static uint64_t table_page_alloc(void *context)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_NOWARN);

	if (!page)
		return 0;
	page->flags |= PG_table;
	return page_to_pfn(page) << PAGE_SHIFT;
}

/* Page-table pages from the early allocator are PG_reserved; later ones are the buddy's. */
static void table_page_free(void *context, uint64_t phys)
{
	struct page *page = pfn_to_page(phys >> PAGE_SHIFT);

	if (PageReserved(page)) {
		free_reserved_page(page);
	} else {
		page->flags &= ~PG_table;
		__free_page(page);
	}
}

static uint64_t top_pfn(const struct firmware_map *map)
{
	uint64_t top = 0;

	for (size_t i = 0; i < map->count; i++)
		if (mem_type_is_ram(map->ranges[i].type))
			top = MAX(top, ALIGN_UP(map->ranges[i].end, PAGE_SIZE) >> PAGE_SHIFT);
	return ALIGN_UP(top, MAX_ORDER_PAGES);
}

void page_alloc_init(struct memblock *mb, const struct firmware_map *map, bool poison)
{
	static const struct pagetable_page_source source = { table_page_alloc, table_page_free, NULL };
	uint64_t cursor = 0, base, end, added = 0;

	buddy_init(&kernel_buddy, vmemmap, 0, top_pfn(map), DIRECT_MAP_BASE);
	buddy_set_backed_blocks(&kernel_buddy, vmemmap_backed_blocks());
	kernel_buddy.poison = poison;
	reserved_at_handover = memblock_reserved_bytes(mb) >> PAGE_SHIFT;
	while (memblock_next_free(mb, &cursor, &base, &end))
		added += buddy_add_range(&kernel_buddy, base >> PAGE_SHIFT, end >> PAGE_SHIFT);
	buddy_setup_watermarks(&kernel_buddy);
	paging_set_page_source(&source);

	pr_info("page allocator: %llu pages (%llu MiB) from the early allocator, which keeps %llu "
		"pages; page poisoning %s\n", (unsigned long long)added,
		(unsigned long long)(added >> (20 - PAGE_SHIFT)),
		(unsigned long long)reserved_at_handover, poison ? "on" : "off");
	buddy_print_zones(&kernel_buddy);
}

void page_alloc_print_meminfo(void)
{
	uint64_t managed = buddy_managed_pages(&kernel_buddy);
	uint64_t free = buddy_free_pages(&kernel_buddy);

	pr_info("MemTotal:     %10llu kB\n", (unsigned long long)(managed + reserved_at_handover) * 4);
	pr_info("MemFree:      %10llu kB\n", (unsigned long long)free * 4);
	pr_info("MemManaged:   %10llu kB\n", (unsigned long long)managed * 4);
	pr_info("Reserved:     %10llu kB (early allocations: page tables, memmap)\n",
		(unsigned long long)reserved_at_handover * 4);
	pr_info("Memmap:       %10llu kB for %llu frames\n", (unsigned long long)(vmemmap_bytes() / 1024),
		(unsigned long long)vmemmap_frames());
	buddy_print_buddyinfo(&kernel_buddy);
}
