// SPDX-License-Identifier: MIT
/*
 * The buddy allocator's debugging side: reports of wrong use and of
 * allocation failure, page poisoning, the buddyinfo/zone dumps and the
 * buddy_check() validator.  Nothing here is on the fast path.
 */
#include <buddy.h>
#include <kernel.h>
#include <kstring.h>
#include <printk.h>
#include <symbols.h>

#include "buddy_internal.h"

static const char *caller_name(void *caller, char *buf, size_t size)
{
	if (!caller)
		return "?";
	return symbol_format((uint64_t)caller, buf, size);
}

static void describe_gfp(gfp_t gfp, char *buf, size_t size)
{
	static const struct {
		gfp_t bit;
		const char *name;
	} names[] = {
		{ __GFP_DMA, "DMA" }, { __GFP_DMA32, "DMA32" }, { __GFP_HIGH, "HIGH" },
		{ __GFP_IO, "IO" }, { __GFP_FS, "FS" }, { __GFP_ZERO, "ZERO" },
		{ __GFP_DIRECT_RECLAIM, "DIRECT_RECLAIM" }, { __GFP_KSWAPD_RECLAIM, "KSWAPD_RECLAIM" },
		{ __GFP_NOWARN, "NOWARN" }, { __GFP_RETRY_MAYFAIL, "RETRY_MAYFAIL" },
		{ __GFP_NOFAIL, "NOFAIL" }, { __GFP_NORETRY, "NORETRY" }, { __GFP_COMP, "COMP" },
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names) && used < size; i++)
		if (gfp & names[i].bit)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "|" : "",
						 names[i].name);
}

/* Is @pfn inside an allocated block that starts before it? Return: its first page or NULL. */
static struct page *allocated_block_covering(struct buddy *b, uint64_t pfn)
{
	for (unsigned int order = 1; order <= MAX_ORDER; order++) {
		struct page *head = buddy_pfn_to_page(b, pfn & ~((1ull << order) - 1));

		if (head && (head->flags & PG_head) && head->private >= order)
			return head;
	}
	return NULL;
}

void report_bad_free(struct buddy *b, struct page *page, unsigned int order, void *caller)
{
	char symbol[96];
	const char *problem;
	bool in_memmap = page >= b->memmap &&
			 page < b->memmap + (b->memmap_end_pfn - b->memmap_start_pfn);
	uint64_t pfn = in_memmap ? buddy_page_to_pfn(b, page) : 0;
	struct page *head = NULL;

	__atomic_fetch_add(&b->errors.bad_frees, 1, __ATOMIC_RELAXED);
	if (!page)
		problem = "free of an address with no struct page (not RAM)";
	else if (!in_memmap)
		problem = "page outside the memory map";
	else if (order > MAX_ORDER)
		problem = "order above MAX_ORDER";
	else if (page->flags & PG_reserved)
		problem = "free of a reserved page";
	else if (page->flags & (PG_buddy | PG_pcp))
		problem = "double free (the page is already free)";
	else if (page->flags & PG_tail)
		problem = "free of a tail page of a compound block";
	else if (page->flags & PG_head && page->private != order)
		problem = "free with the wrong order";
	else if (page->flags & PG_head)
		problem = "free of a page with no reference left";
	else if ((head = allocated_block_covering(b, pfn)) != NULL)
		problem = "free of a page inside a block (not its first page)";
	else
		problem = "free of a page that was never allocated";

	pr_err("page allocator: %s: pfn 0x%llx order %u (called from %s)\n", problem,
	       (unsigned long long)pfn, order, caller_name(caller, symbol, sizeof(symbol)));
	if (in_memmap && page->flags & PG_head)
		pr_err("page allocator:   the block was allocated with order %llu, refcount %d\n",
		       (unsigned long long)page->private, page_ref_count(page));
	if (head)
		pr_err("page allocator:   it lies in the order-%llu block at pfn 0x%llx\n",
		       (unsigned long long)head->private, (unsigned long long)buddy_page_to_pfn(b, head));
}

void report_bad_request(struct buddy *b, gfp_t gfp, unsigned int order, void *caller)
{
	char symbol[96];

	__atomic_fetch_add(&b->errors.failures, 1, __ATOMIC_RELAXED);
	if (!(gfp & __GFP_NOWARN))
		pr_err("page allocator: order %u is above MAX_ORDER %d (called from %s)\n", order,
		       MAX_ORDER, caller_name(caller, symbol, sizeof(symbol)));
}

static void print_failure_header(struct buddy *b, gfp_t gfp, unsigned int order, void *caller,
				 const char *what)
{
	char symbol[96], flags[160];

	describe_gfp(gfp, flags, sizeof(flags));
	pr_warn("%s: order:%u, mode:0x%x(%s), caller %s\n", what, order, gfp, flags,
		caller_name(caller, symbol, sizeof(symbol)));
	buddy_print_buddyinfo(b);
	pr_warn("free %llu pages of %llu managed\n", (unsigned long long)buddy_free_pages(b),
		(unsigned long long)buddy_managed_pages(b));
}

void report_allocation_failure(struct buddy *b, gfp_t gfp, unsigned int order, void *caller)
{
	print_failure_header(b, gfp, order, caller, "page allocation failure");
}

void report_nofail_exhausted(struct buddy *b, gfp_t gfp, unsigned int order, void *caller)
{
	print_failure_header(b, gfp, order, caller, "__GFP_NOFAIL allocation impossible");
	panic("out of memory: a __GFP_NOFAIL allocation of order %u cannot be satisfied", order);
}

void poison_block(struct buddy *b, struct page *page, unsigned int order)
{
	memset(buddy_page_address(b, page), PAGE_POISON, PAGE_SIZE << order);
	for (uint64_t i = 0; i < (1ull << order); i++)
		page_flags_write(&page[i], page[i].flags | PG_poisoned);
}

void poison_verify_block(struct buddy *b, struct page *page, unsigned int order)
{
	for (uint64_t i = 0; i < (1ull << order); i++) {
		const uint8_t *bytes = buddy_page_address(b, &page[i]);

		if (!(page[i].flags & PG_poisoned))
			continue;
		page_flags_write(&page[i], page[i].flags & ~PG_poisoned);
		for (size_t offset = 0; offset < PAGE_SIZE; offset++) {
			if (bytes[offset] == PAGE_POISON)
				continue;
			__atomic_fetch_add(&b->errors.poison_errors, 1, __ATOMIC_RELAXED);
			pr_err("page poison: free page at %p (pfn 0x%llx) was written at offset 0x%zx: "
			       "found 0x%02x, expected 0x%02x\n", (void *)bytes,
			       (unsigned long long)buddy_page_to_pfn(b, &page[i]), offset, bytes[offset],
			       PAGE_POISON);
			break;
		}
	}
}

void buddy_print_buddyinfo(const struct buddy *b)
{
	for (int z = 0; z < NR_ZONES; z++) {
		const struct zone *zone = &b->zones[z];
		char line[256];
		size_t used = 0;

		if (!zone->managed_pages)
			continue;
		for (int o = 0; o < NR_ORDERS && used < sizeof(line); o++)
			used += (size_t)snprintf(line + used, sizeof(line) - used, " %6llu",
						 (unsigned long long)zone->free_area[o].count);
		pr_info("Node 0, zone %8s%s\n", zone->name, line);
	}
}

void buddy_print_zones(const struct buddy *b)
{
	for (int z = 0; z < NR_ZONES; z++) {
		const struct zone *zone = &b->zones[z];

		if (!zone->managed_pages)
			continue;
		pr_info("zone %-6s pfn 0x%llx-0x%llx: %llu pages (%llu MiB), watermarks min %llu low %llu "
			"high %llu, per-CPU batch %u high %u\n", zone->name,
			(unsigned long long)zone->start_pfn, (unsigned long long)zone->end_pfn,
			(unsigned long long)zone->managed_pages,
			(unsigned long long)(zone->managed_pages >> (20 - PAGE_SHIFT)),
			(unsigned long long)zone->watermark_min, (unsigned long long)zone->watermark_low,
			(unsigned long long)zone->watermark_high, zone->pcp[0].batch, zone->pcp[0].high);
	}
}

static const char *check_block(struct buddy *b, struct zone *zone, struct page *page,
			       unsigned int order)
{
	uint64_t pfn = buddy_page_to_pfn(b, page), buddy_pfn = pfn ^ (1ull << order);
	struct page *buddy;

	if (pfn & ((1ull << order) - 1))
		return "free block not aligned to its order";
	if (pfn < zone->start_pfn || pfn + (1ull << order) > zone->end_pfn)
		return "free block outside its zone";
	if (!(page->flags & PG_buddy) || page->private != order)
		return "free block not marked free with its order";
	if (buddy_page_zone(b, page) != zone)
		return "free block's page says another zone";
	for (uint64_t i = 1; i < (1ull << order); i++)
		if (page[i].flags & (PG_buddy | PG_pcp | PG_head | PG_tail | PG_reserved))
			return "page inside a free block is marked as something else (overlap)";
	buddy = buddy_pfn_to_page(b, buddy_pfn);
	if (order < MAX_ORDER && buddy_pfn >= zone->start_pfn && buddy_pfn < zone->end_pfn &&
	    buddy && (page_flags_read(buddy) & PG_buddy) && buddy->private == order)
		return "two free buddies were not merged";
	return NULL;
}

/* Verify one zone's free lists and free_pages.  Caller holds zone->lock. */
static const char *check_zone_locked(struct buddy *b, struct zone *zone)
{
	uint64_t pages = 0;
	struct list_head *node;

	for (unsigned int order = 0; order < NR_ORDERS; order++) {
		uint64_t blocks = 0;

		list_for_each(node, &zone->free_area[order].list) {
			const char *broken = check_block(b, zone, list_entry(node, struct page, lru), order);

			if (broken)
				return broken;
			if (++blocks > zone->managed_pages)
				return "free list loops";
			pages += 1ull << order;
		}
		if (blocks != zone->free_area[order].count)
			return "free list count does not match its length";
	}
	if (pages != zone->free_pages)
		return "zone free_pages does not match its free lists";
	if (pages > zone->managed_pages)
		return "more free pages than the zone manages";
	return NULL;
}

/* Verify this CPU's per-CPU list of @zone.  Interrupts are off. */
static const char *check_local_pcp(struct buddy *b, struct zone *zone)
{
	struct per_cpu_pages *pcp = this_cpu_ptr(zone->pcp);
	uint64_t count = 0;
	struct list_head *node;

	list_for_each(node, &pcp->list) {
		struct page *page = list_entry(node, struct page, lru);

		if ((page->flags & (PG_pcp | PG_buddy | PG_head | PG_tail)) != PG_pcp)
			return "per-CPU page not marked as such";
		if (buddy_page_zone(b, page) != zone)
			return "per-CPU page in the wrong zone's list";
		if (++count > zone->managed_pages)
			return "per-CPU list loops";
	}
	if (count != pcp->count)
		return "per-CPU count does not match its list";
	return NULL;
}

struct pcp_check {
	struct buddy *b;
	const char *broken[NR_CPUS];
};

/* Cross-call function: each CPU checks its own lists. */
static void check_local_pcp_call(void *arg)
{
	struct pcp_check *check = arg;

	for (int z = 0; z < NR_ZONES && !check->broken[smp_processor_id()]; z++)
		check->broken[smp_processor_id()] = check_local_pcp(check->b, &check->b->zones[z]);
}

const char *buddy_check(struct buddy *b)
{
	struct pcp_check check = { .b = b };
	const char *broken = NULL;
	uint64_t flags;

	for (int z = 0; z < NR_ZONES && !broken; z++) {
		struct zone *zone = &b->zones[z];

		spin_lock_irqsave(&zone->lock, flags);
		broken = check_zone_locked(b, zone);
		spin_unlock_irqrestore(&zone->lock, flags);
	}
	if (broken)
		return broken;
	buddy_run_on_each_cpu(check_local_pcp_call, &check);
	for (int cpu = 0; cpu < NR_CPUS && !broken; cpu++)
		broken = check.broken[cpu];
	return broken;
}

void buddy_print_zoneinfo(const struct buddy *b)
{
	for (int z = 0; z < NR_ZONES; z++) {
		const struct zone *zone = &b->zones[z];
		uint64_t pcp_pages = 0;

		if (!zone->managed_pages)
			continue;
		for (int cpu = 0; cpu < NR_CPUS; cpu++)
			pcp_pages += zone->pcp[cpu].count;
		pr_info("Node 0, zone %8s\n", zone->name);
		pr_info("  pages free     %llu\n", (unsigned long long)(zone->free_pages + pcp_pages));
		pr_info("        min      %llu\n", (unsigned long long)zone->watermark_min);
		pr_info("        low      %llu\n", (unsigned long long)zone->watermark_low);
		pr_info("        high     %llu\n", (unsigned long long)zone->watermark_high);
		pr_info("        spanned  %llu\n", (unsigned long long)(zone->end_pfn - zone->start_pfn));
		pr_info("        managed  %llu\n", (unsigned long long)zone->managed_pages);
		pr_info("        nr_free_pages %llu (free lists) + %llu (per-CPU lists)\n",
			(unsigned long long)zone->free_pages, (unsigned long long)pcp_pages);
		pr_info("  pagesets\n");
		for (int cpu = 0; cpu < NR_CPUS; cpu++) {
			const struct per_cpu_pages *pcp = &zone->pcp[cpu];

			if (cpu && !pcp->count)
				continue;
			pr_info("    cpu: %d\n", cpu);
			pr_info("              count: %u\n", pcp->count);
			pr_info("              high:  %u\n", pcp->high);
			pr_info("              batch: %u\n", pcp->batch);
		}
		pr_info("  start_pfn:           %llu\n", (unsigned long long)zone->start_pfn);
	}
}

enum frag_kind { FRAG_FREE, FRAG_ALLOCATED, FRAG_SLAB, FRAG_TABLE, FRAG_RESERVED, FRAG_HOLE, NR_FRAG };

static const char frag_char[NR_FRAG] = { '.', 'A', 'S', 'P', 'R', ' ' };
static const char *const frag_name[NR_FRAG] = {
	"free", "page allocator", "slab", "page tables", "reserved", "hole",
};

/* What frame @pfn is, and for how many frames from it the answer holds. */
static enum frag_kind classify_run(const struct buddy *b, uint64_t pfn, uint64_t *run)
{
	struct page *page = buddy_pfn_to_page(b, pfn);
	uint64_t block = 1;

	*run = 1;
	if (!page)
		return FRAG_HOLE;
	if (page->flags & PG_reserved)
		return FRAG_RESERVED;
	if (page->flags & PG_pcp)
		return FRAG_FREE;
	if (page->flags & (PG_buddy | PG_head))
		block = 1ull << (page->private <= MAX_ORDER ? page->private : 0);
	*run = block;
	if (page->flags & PG_buddy)
		return FRAG_FREE;
	if (page->flags & PG_slab)
		return FRAG_SLAB;
	if (page->flags & PG_table)
		return FRAG_TABLE;
	return FRAG_ALLOCATED;
}

void buddy_print_fragmap(const struct buddy *b, unsigned int columns)
{
	uint64_t start = b->memmap_start_pfn, end = b->memmap_end_pfn;
	uint64_t per_cell = 1, total[NR_FRAG] = { 0 };
	uint64_t run_left = 0, pfn = start;
	enum frag_kind run_kind = FRAG_HOLE;
	char row[160];

	if (columns == 0 || columns > sizeof(row) - 1)
		columns = 64;
	while ((end - start + per_cell - 1) / per_cell > (uint64_t)columns * 20)
		per_cell <<= 1;
	pr_info("fragmap: one cell = %llu KiB (%llu pages); physical address at the left\n",
		(unsigned long long)(per_cell * (PAGE_SIZE / 1024)), (unsigned long long)per_cell);
	while (pfn < end) {
		uint64_t row_start = pfn;
		unsigned int cells = 0;

		for (; cells < columns && pfn < end; cells++) {
			uint64_t count[NR_FRAG] = { 0 };
			uint64_t cell_end = MIN(pfn + per_cell, end);
			enum frag_kind best = FRAG_HOLE;

			for (; pfn < cell_end; pfn++) {
				if (!run_left)
					run_kind = classify_run(b, pfn, &run_left);
				count[run_kind]++;
				total[run_kind]++;
				run_left--;
			}
			/* The most common use that is not free; '.' only for an all-free cell. */
			for (int k = FRAG_ALLOCATED; k < NR_FRAG; k++)
				if (count[k] && (best == FRAG_HOLE || count[k] > count[best]))
					best = (enum frag_kind)k;
			if (!count[FRAG_ALLOCATED] && !count[FRAG_SLAB] && !count[FRAG_TABLE] &&
			    !count[FRAG_RESERVED] && count[FRAG_FREE])
				best = FRAG_FREE;
			row[cells] = frag_char[best];
			/* Lower case: the cell is in use but still has free pages. */
			if (best != FRAG_FREE && best != FRAG_HOLE && count[FRAG_FREE])
				row[cells] = (char)(row[cells] - 'A' + 'a');
		}
		row[cells] = '\0';
		pr_info("%#011llx %s\n", (unsigned long long)(row_start << PAGE_SHIFT), row);
	}
	pr_info("legend: '.' free  'A' page allocator  'S' slab  'P' page tables  'R' reserved  "
		"' ' hole; lower case: in use, with free pages\n");
	for (int k = 0; k < NR_FRAG; k++)
		pr_info("  %-15s %8llu pages (%llu MiB)\n", frag_name[k], (unsigned long long)total[k],
			(unsigned long long)(total[k] >> (20 - PAGE_SHIFT)));
}
