/* SPDX-License-Identifier: MIT */
/*
 * The buddy page allocator, as an instance: the kernel runs one over all
 * of RAM (mm/page_alloc.c); host tests build their own over a simulated
 * arena.  The Linux-named API (alloc_pages, __free_pages, ...) in
 * <page_alloc.h> wraps the kernel's instance.
 *
 * Memory is split into zones by physical address -- DMA below 16 MiB,
 * DMA32 below 4 GiB, NORMAL above -- each with free lists of blocks of
 * 2^order pages, orders 0..MAX_ORDER (4 MiB blocks).  Order-0 pages also
 * sit on per-CPU lists, so the common allocation and free take no lock.
 * The design, the watermark formula and the lock order are in mm/buddy.c.
 */
#ifndef FERRITE_BUDDY_H
#define FERRITE_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gfp.h>
#include <list.h>
#include <mm.h>
#include <percpu.h>
#include <spinlock.h>

#define MAX_ORDER 10
#define NR_ORDERS (MAX_ORDER + 1)
#define PAGE_POISON 0xaa

enum zone_type { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, NR_ZONES };

#define ZONE_DMA_END_PFN ((16ull << 20) >> 12)
#define ZONE_DMA32_END_PFN ((4ull << 30) >> 12)

struct free_area {
	struct list_head list;
	uint64_t count;                 /* blocks in the list */
};

/*
 * Free order-0 pages of one zone kept by one CPU, and that CPU's event
 * counts for the zone.  Only the owning CPU touches the list and count,
 * with its interrupts off; others reach them by a cross call to it
 * (buddy_drain_pcp, buddy_check).  A cache line each, so CPUs never
 * share one.
 */
struct per_cpu_pages {
	struct list_head list;          /* most recently freed (cache-hot) first */
	unsigned int count;
	unsigned int high;              /* drain a batch when count exceeds this */
	unsigned int batch;             /* pages moved to/from the zone at once */
	/* Counted by the owner, interrupts off or in one `inc`; read by any CPU. */
	uint64_t allocations;           /* blocks of this zone allocated on this CPU */
	uint64_t frees;                 /* blocks of this zone freed on this CPU */
} __attribute__((aligned(64)));

struct buddy;

struct zone {
	/* Set at init, then constant. */
	const char *name;
	struct buddy *owner;
	uint64_t start_pfn, end_pfn;    /* span [start, end) */
	uint64_t managed_pages;         /* pages ever given to this zone */
	uint64_t watermark_min, watermark_low, watermark_high;

	/* lock must be held. */
	spinlock_t lock;
	uint64_t free_pages;            /* pages in free_area (per-CPU pages not counted) */
	struct free_area free_area[NR_ORDERS];

	/* Each CPU its own entry (this_cpu_ptr), interrupts off. */
	struct per_cpu_pages pcp[NR_CPUS];
};

/* A snapshot of the allocator's event counts (buddy_read_stats). */
struct buddy_stats {
	uint64_t allocations;
	uint64_t frees;
	uint64_t failures;              /* allocations that returned NULL */
	uint64_t bad_frees;             /* frees refused (double free, wrong order, ...) */
	uint64_t poison_errors;         /* writes to free pages found by page poisoning */
};

/* The rare events, counted with atomic additions by any CPU. */
struct buddy_error_counts {
	uint64_t failures;
	uint64_t bad_frees;
	uint64_t poison_errors;
};

struct buddy {
	struct zone zones[NR_ZONES];
	struct page *memmap;            /* struct page of frame memmap_start_pfn */
	uint64_t memmap_start_pfn, memmap_end_pfn;
	struct page *memmap_end;        /* memmap + (memmap_end_pfn - memmap_start_pfn) */
	/*
	 * Bit per MAX_ORDER block of frames: set where the memmap is backed
	 * (a hole in RAM has no struct page).  NULL: all of it is backed.
	 */
	const uint8_t *backed_blocks;
	uintptr_t virt_offset;          /* frame P is at virt_offset + P * 4096 */
	/*
	 * The lookup's fast path (buddy_virt_to_head_page): frames from
	 * memmap_start_pfn on, for backed_prefix_pages frames, all have a
	 * struct page; direct_map_start is the address of the first.
	 */
	uintptr_t direct_map_start;     /* virt_offset + memmap_start_pfn * 4096 */
	uint64_t backed_prefix_pages;
	bool poison;                    /* page poisoning on */
	/*
	 * The first zone with pages at or below the highest one a request's
	 * zone modifiers allow, indexed by gfp & (__GFP_DMA | __GFP_DMA32):
	 * the order-0 fast path's one load (kept by buddy_add_range).
	 */
	struct zone *first_populated[(__GFP_DMA | __GFP_DMA32) + 1];
	/* Allocations and frees are counted per CPU in the zones' per_cpu_pages. */
	struct buddy_error_counts errors;
};

/*
 * Make @b an empty allocator over frames [@start_pfn, @end_pfn) described
 * by @memmap (the struct page of @start_pfn; every page must be zeroed or
 * PG_reserved), whose contents are at @virt_offset + pfn * 4096.
 * Context: before any other call on @b.
 */
void buddy_init(struct buddy *b, struct page *memmap, uint64_t start_pfn, uint64_t end_pfn,
		uintptr_t virt_offset);

/*
 * Tell @b which MAX_ORDER blocks of its memmap are backed (@bitmap, bit
 * per block; NULL: all), for buddy_pfn_to_page() and the lookups.
 * Context: right after buddy_init(), before any other call on @b.
 */
void buddy_set_backed_blocks(struct buddy *b, const uint8_t *bitmap);

/*
 * Give frames [@start_pfn, @end_pfn) to the allocator (their PG_reserved
 * is cleared).  Blocks are formed at the largest aligned orders; they
 * never cross a zone boundary.  Return: pages added.
 */
uint64_t buddy_add_range(struct buddy *b, uint64_t start_pfn, uint64_t end_pfn);

/*
 * Compute every zone's min/low/high watermarks from the managed pages
 * (formula in mm/buddy.c) and size the per-CPU lists.  Call after the
 * ranges are added.
 */
void buddy_setup_watermarks(struct buddy *b);

/*
 * Allocate 2^@order contiguous frames.  @caller is reported on failure.
 * Return: the first page (refcount 1), or NULL (with an OOM report
 * unless __GFP_NOWARN).  Context: any CPU, interrupt handlers included
 * (with GFP_ATOMIC or GFP_NOWAIT), interrupts on or off; never sleeps.
 */
struct page *buddy_alloc(struct buddy *b, gfp_t gfp, unsigned int order, void *caller);

/*
 * Drop a reference to the block at @page of @order, freeing it when the
 * last one goes (Linux's __free_pages).  Wrong use -- a double free, the
 * wrong order, a tail page, a reserved or never-allocated page, an order
 * above MAX_ORDER -- is reported with @caller and changes nothing; the
 * reference count is checked and dropped in one atomic step, so of two
 * racing drops of the last reference one is reported.  Any CPU may free
 * what another allocated; the pages go to this CPU's list or its zone.
 * Context: as buddy_alloc().
 * Return: true if the pages were freed or the reference dropped.
 */
bool buddy_free(struct buddy *b, struct page *page, unsigned int order, void *caller);

/*
 * Allocate up to @count order-0 pages into @pages (only NULL slots are
 * filled, as Linux's alloc_pages_bulk_array).  Return: pages now in the
 * array.  Never reports failure; the caller checks the count.
 */
size_t buddy_alloc_bulk(struct buddy *b, gfp_t gfp, size_t count, struct page **pages);

/*
 * Give this CPU's per-CPU pages back to their zones.
 * Context: any; interrupts on or off.
 */
void buddy_drain_local_pcp(struct buddy *b);

/*
 * Give every online CPU's per-CPU pages back to their zones: each CPU
 * drains its own lists, run there by a cross call (on_each_cpu), since
 * only the owner may touch them.  Pages freed meanwhile on other CPUs may
 * land on their lists again; a quiesced system is left with none.
 * Context: not an interrupt handler, interrupts on (it waits for the
 * other CPUs); no zone lock held.
 */
void buddy_drain_pcp(struct buddy *b);

/*
 * Sum the event counts of every CPU into @stats.  Counts still moving
 * on other CPUs are read as they are at that moment.  Context: any.
 */
void buddy_read_stats(const struct buddy *b, struct buddy_stats *stats);

/* The page of frame @pfn, or NULL if @pfn has no struct page (outside the memmap, or a hole). */
static inline struct page *buddy_pfn_to_page(const struct buddy *b, uint64_t pfn)
{
	uint64_t block = pfn >> MAX_ORDER;

	if (pfn < b->memmap_start_pfn || pfn >= b->memmap_end_pfn)
		return NULL;
	if (b->backed_blocks && !(b->backed_blocks[block / 8] & (1u << (block % 8))))
		return NULL;
	return b->memmap + (pfn - b->memmap_start_pfn);
}

static inline uint64_t buddy_page_to_pfn(const struct buddy *b, const struct page *page)
{
	return b->memmap_start_pfn + (uint64_t)(page - b->memmap);
}

static inline void *buddy_page_address(const struct buddy *b, const struct page *page)
{
	return (void *)(b->virt_offset + (buddy_page_to_pfn(b, page) << PAGE_SHIFT));
}

/*
 * kfree's lookup: if @address lies in the backed prefix of the memmap
 * (all of it unless RAM has holes), set *@page to the page holding it and
 * return true.  A subtraction, a shift and one unsigned comparison: an
 * address below direct_map_start wraps to a huge index.  An address
 * below PAGE_SIZE (NULL, ZERO_SIZE_PTR) is never in the prefix.
 */
static inline bool buddy_virt_in_prefix(const struct buddy *b, const void *address,
					struct page **page)
{
	uint64_t index = ((uintptr_t)address - b->direct_map_start) >> PAGE_SHIFT;

	*page = b->memmap + index;
	return index < b->backed_prefix_pages;
}

/* The page holding virtual address @address, or NULL. */
static inline struct page *buddy_virt_to_page(const struct buddy *b, const void *address)
{
	struct page *page;

	if (likely(buddy_virt_in_prefix(b, address, &page)))
		return page;
	if ((uintptr_t)address < b->virt_offset)
		return NULL;
	return buddy_pfn_to_page(b, ((uintptr_t)address - b->virt_offset) >> PAGE_SHIFT);
}

/* The page holding virtual address @address (first page of a compound block), or NULL. */
static inline struct page *buddy_virt_to_head_page(const struct buddy *b, const void *address)
{
	struct page *page = buddy_virt_to_page(b, address);

	return page ? compound_head(page) : NULL;
}

/* Free pages in all zones, per-CPU lists included (a snapshot while other CPUs work). */
uint64_t buddy_free_pages(const struct buddy *b);
uint64_t buddy_managed_pages(const struct buddy *b);

/* The zone @page belongs to. */
struct zone *buddy_page_zone(struct buddy *b, const struct page *page);

/*
 * Walk every free list and per-CPU list and verify: each block aligned to
 * its order, inside its zone, marked free with the right order, not
 * overlapping another, not mergeable with a free buddy, and the counts.
 * Each zone's lists are walked under its lock; each CPU's per-CPU lists
 * by that CPU, from a cross call, so the check may run while other CPUs
 * allocate and free.
 * Context: as buddy_drain_pcp().
 * Return: NULL, or a string naming the first broken invariant.
 */
const char *buddy_check(struct buddy *b);

/* Print free blocks per zone per order, like /proc/buddyinfo. */
void buddy_print_buddyinfo(const struct buddy *b);

/* Print zones with sizes and watermarks (the boot log shows this). */
void buddy_print_zones(const struct buddy *b);

/* Print each zone like /proc/zoneinfo: free pages, watermarks, span, per-CPU lists. */
void buddy_print_zoneinfo(const struct buddy *b);

/*
 * buddy_print_fragmap - a picture of physical memory, one character per
 * block of pages (a power of two chosen so the map fits @columns cells a
 * row and about 20 rows): free, page allocator, slab, page tables,
 * reserved or hole, with a legend.  Reads the memmap without locks: a
 * picture of a moving system may be off by the pages that moved.
 */
void buddy_print_fragmap(const struct buddy *b, unsigned int columns);

#endif
