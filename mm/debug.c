// SPDX-License-Identifier: MIT
/*
 * dump_page: a struct page decoded, as Linux's mm/debug.c prints it --
 * its frame, flags by name, and what the fields mean for the page's
 * current owner (free block, allocated block, slab, page table).
 */
#include <buddy.h>
#include <kernel.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>

#include "slab.h"

static const struct {
	uint32_t flag;
	const char *name;
} page_flag_names[] = {
	{ PG_reserved, "reserved" }, { PG_buddy, "buddy" },   { PG_pcp, "pcp" },
	{ PG_head, "head" },         { PG_compound, "compound" }, { PG_tail, "tail" },
	{ PG_poisoned, "poisoned" }, { PG_slab, "slab" },     { PG_table, "table" },
};

void dump_page(struct page *page, const char *reason)
{
	uint64_t pfn = page_to_pfn(page);
	unsigned int zone = (page->flags & PAGE_ZONE_MASK) >> PAGE_ZONE_SHIFT;
	char names[128];
	size_t used = 0;

	names[0] = '\0';
	for (unsigned i = 0; i < sizeof(page_flag_names) / sizeof(page_flag_names[0]); i++)
		if ((page->flags & page_flag_names[i].flag) && used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 used ? "|" : "", page_flag_names[i].name);
	pr_info("page:%p pfn:%#llx phys:%#llx virt:%p%s%s\n", (void *)page, (unsigned long long)pfn,
		(unsigned long long)(pfn << PAGE_SHIFT), page_address(page), reason ? " " : "",
		reason ? reason : "");
	pr_info("flags: %#x(%s) zone:%s\n", page->flags, names,
		zone < NR_ZONES ? kernel_buddy.zones[zone].name : "?");
	if (page->flags & PG_reserved) {
		pr_info("not the page allocator's (kernel image, firmware, early allocation or hole)\n");
	} else if (page->flags & PG_buddy) {
		pr_info("free block of order %llu (%llu pages) on its zone's free list\n",
			(unsigned long long)page->private, 1ull << page->private);
	} else if (page->flags & PG_pcp) {
		pr_info("free page on a per-CPU list\n");
	} else if (page->flags & PG_tail) {
		pr_info("tail page of the compound block at pfn %#llx\n",
			(unsigned long long)page_to_pfn(page->compound_head));
	} else if ((page->flags & PG_slab) && page->slab_cache) {
		pr_info("slab of cache %s: %u of %u objects in use, freelist %p (encoded links)\n",
			page->slab_cache->name, page->inuse, page->objects, page->freelist);
	} else if (page->flags & PG_head) {
		pr_info("allocated block of order %llu (%llu pages), refcount %d%s\n",
			(unsigned long long)page->private, 1ull << page->private, page->refcount,
			page->flags & PG_table ? ", a page-table page" : "");
	} else {
		pr_info("inside an allocated block (not its first page), or never handed out\n");
	}
}
