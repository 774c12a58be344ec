/* SPDX-License-Identifier: MIT */
/*
 * struct page and the conversions between physical frames, their struct
 * page and their direct-map address.
 *
 * Every page frame of RAM has a struct page in the virtual memmap: the
 * struct page of frame number (pfn) N is at vmemmap + N.  The array is
 * backed only where RAM is, so a hole in physical memory costs nothing.
 */
#ifndef FERRITE_MM_H
#define FERRITE_MM_H

#include <stdbool.h>
#include <stdint.h>

#include <asm/memlayout.h>
#include <list.h>

/*
 * 40 bytes, so 0.98% of RAM goes to the memmap.  Fields by owner:
 *   flags          PG_* below, and the zone in bits 24..25; always valid
 *   refcount       users of an allocated block's first page; atomic: read
 *                  and changed only through the page_ref_* helpers below
 *   private        the block's order: on a free block's first page
 *                  (PG_buddy) and on an allocated block's first page (PG_head)
 *   lru            link in a buddy free list or a per-CPU list
 *   compound_head  tail pages of a compound block (PG_tail): its first page
 * A slab (PG_slab, first page of the block) uses the same words:
 *   inuse, objects in place of refcount; slab_cache in place of private;
 *   slab_list (a cache's partial list) in place of lru; freelist.
 */
struct kmem_cache;

struct page {
	uint32_t flags;
	union {
		int32_t refcount;
		struct {
			uint16_t inuse;          /* slab: objects handed out */
			uint16_t objects;        /* slab: objects in the slab */
		};
	};
	union {
		uint64_t private;
		struct kmem_cache *slab_cache;
	};
	union {
		struct list_head lru;
		struct list_head slab_list;
		struct {
			struct page *compound_head;
			void *compound_unused;
		};
	};
	void *freelist;                          /* slab: first free object (encoded links) */
};

_Static_assert(sizeof(struct page) == 40, "struct page grew: update the memmap overhead notes");

/* Page flags. */
#define PG_reserved (1u << 0)   /* not the page allocator's (kernel, firmware, hole, early use) */
#define PG_buddy (1u << 1)      /* first page of a free block in a free list */
#define PG_pcp (1u << 2)        /* free order-0 page on a per-CPU list */
#define PG_head (1u << 3)       /* first page of an allocated block */
#define PG_compound (1u << 4)   /* with PG_head: the block was allocated with __GFP_COMP */
#define PG_tail (1u << 5)       /* other page of a compound block */
#define PG_poisoned (1u << 6)   /* free page filled with PAGE_POISON (page poisoning on) */
#define PG_slab (1u << 7)       /* with PG_head: the block is a slab of a kmem_cache */
#define PG_table (1u << 8)      /* with PG_head: a page-table page (Linux's PageTable) */

#define PAGE_ZONE_SHIFT 24
#define PAGE_ZONE_MASK (3u << PAGE_ZONE_SHIFT)

/*
 * Another CPU may read a page's flags without any lock while its owner
 * changes them (the buddy merge looks at a neighbour's PG_buddy, which
 * only the zone lock sets or clears), so the allocator writes flags with
 * one untorn store and such readers use one untorn load: plain moves on
 * x86, and no data race for the compiler or ThreadSanitizer.
 */
static inline uint32_t page_flags_read(const struct page *page)
{
	return __atomic_load_n(&page->flags, __ATOMIC_RELAXED);
}

static inline void page_flags_write(struct page *page, uint32_t flags)
{
	__atomic_store_n(&page->flags, flags, __ATOMIC_RELAXED);
}

static inline int PageReserved(const struct page *page)
{
	return page->flags & PG_reserved;
}

/* The first page of the compound block @page belongs to (or @page itself). */
static inline struct page *compound_head(struct page *page)
{
	return (page->flags & PG_tail) ? page->compound_head : page;
}

/*
 * Reference counts.  Any CPU, and an interrupt handler, may take or drop
 * a reference at any time, so every access is atomic (Linux's atomic_t
 * _refcount).  The decrement that reaches zero orders everything the
 * dropping CPU wrote before it (release) before the page's reuse by
 * whoever frees it (acquire).
 */
static inline int page_ref_count(const struct page *page)
{
	return __atomic_load_n(&page->refcount, __ATOMIC_RELAXED);
}

/* Context: the page is not shared yet (just allocated) or no longer (free). */
static inline void set_page_count(struct page *page, int count)
{
	__atomic_store_n(&page->refcount, count, __ATOMIC_RELAXED);
}

static inline void page_ref_inc(struct page *page)
{
	__atomic_fetch_add(&page->refcount, 1, __ATOMIC_RELAXED);
}

/* Return: true if this call dropped the last reference. */
static inline bool page_ref_dec_and_test(struct page *page)
{
	return __atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL) == 0;
}

/*
 * Drop one reference unless there is none: the check and the decrement
 * are one atomic step, so two racing drops of the last reference cannot
 * both pass it (one sees zero).  Return: the count before, 0 if none was
 * dropped.
 */
static inline int page_ref_dec_unless_zero(struct page *page)
{
	int old = __atomic_load_n(&page->refcount, __ATOMIC_RELAXED);

	do {
		if (old <= 0)
			return 0;
	} while (!__atomic_compare_exchange_n(&page->refcount, &old, old - 1, true,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return old;
}

/* Take a reference unless there is none.  Return: true if one was taken. */
static inline bool page_ref_inc_unless_zero(struct page *page)
{
	int old = __atomic_load_n(&page->refcount, __ATOMIC_RELAXED);

	do {
		if (old <= 0)
			return false;
	} while (!__atomic_compare_exchange_n(&page->refcount, &old, old + 1, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

extern struct page *const vmemmap;

static inline struct page *pfn_to_page(uint64_t pfn)
{
	return vmemmap + pfn;
}

static inline uint64_t page_to_pfn(const struct page *page)
{
	return (uint64_t)(page - vmemmap);
}

static inline void *page_address(const struct page *page)
{
	return __va(page_to_pfn(page) << PAGE_SHIFT);
}

/* @address: a direct-map or kernel-image address. */
static inline struct page *virt_to_page(const void *address)
{
	return pfn_to_page(__pa(address) >> PAGE_SHIFT);
}

struct memblock;
struct firmware_map;

/*
 * Back the memmap for every RAM range of @map with pages from @mb, zero it
 * and mark every page PG_reserved; report its memory overhead.
 * Context: boot, after the kernel page tables are live.
 */
void vmemmap_init(struct memblock *mb, const struct firmware_map *map);

/* Bit per 1024-frame block: set where the memmap is backed (see struct buddy). */
const uint8_t *vmemmap_backed_blocks(void);

/* Bytes of RAM used by the memmap, and frames it describes. */
uint64_t vmemmap_bytes(void);
uint64_t vmemmap_frames(void);

/*
 * Bring up memory management on the sanitized map: the early allocator,
 * the kernel page tables, the memmap, the page allocator (with page
 * poisoning if @page_poison), the slab layer (with the slab_debug= value
 * @slab_debug, or NULL).  Context: boot CPU, once.
 */
void mm_init(const struct firmware_map *map, bool page_poison, const char *slab_debug);

/*
 * dump_page - print @page decoded: frame, flags by name, zone, and what
 * its fields mean for its owner; @reason (or NULL) ends the first line.
 */
void dump_page(struct page *page, const char *reason);

/* The early allocator instance; retired once the page allocator runs. */
extern struct memblock boot_memblock;

#endif
