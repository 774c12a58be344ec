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

#include <stdint.h>

#include <asm/memlayout.h>
#include <list.h>

/*
 * 32 bytes, so 0.78% of RAM goes to the memmap.  Fields by owner:
 *   flags     PG_* below; always valid
 *   refcount  users of an allocated page (page allocator)
 *   private   buddy: order of a free block's first page
 *   lru       buddy: link in a free list
 */
struct page {
	uint32_t flags;
	int32_t refcount;
	uint64_t private;
	struct list_head lru;
};

_Static_assert(sizeof(struct page) == 32, "struct page grew: update the memmap overhead notes");

/* Page flags. */
#define PG_reserved (1u << 0)   /* not the page allocator's (kernel, firmware, hole, early use) */

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
struct memmap;

/*
 * Back the memmap for every RAM range of @map with pages from @mb, zero it
 * and mark every page PG_reserved; report its memory overhead.
 * Context: boot, after the kernel page tables are live.
 */
void vmemmap_init(struct memblock *mb, const struct memmap *map);

/* Bytes of RAM used by the memmap, and frames it describes. */
uint64_t vmemmap_bytes(void);
uint64_t vmemmap_frames(void);

/*
 * Bring up memory management on the sanitized map: the early allocator,
 * the kernel page tables, the memmap.  Context: boot CPU, once.
 */
void mm_init(const struct memmap *map);

/* The early allocator instance (before the page allocator takes over). */
extern struct memblock boot_memblock;

#endif
