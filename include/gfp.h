/* SPDX-License-Identifier: MIT */
/*
 * GFP ("get free pages") flags: how an allocation may be satisfied.
 * Values and meanings follow Linux's include/linux/gfp_types.h, so code
 * written against Linux's allocator API reads the same here.
 */
#ifndef FERRITE_GFP_H
#define FERRITE_GFP_H

typedef unsigned int gfp_t;

/* Raw bits: do not use directly, use the __GFP_* and GFP_* names below. */
#define ___GFP_DMA 0x01u
#define ___GFP_DMA32 0x04u
#define ___GFP_HIGH 0x20u
#define ___GFP_IO 0x40u
#define ___GFP_FS 0x80u
#define ___GFP_ZERO 0x100u
#define ___GFP_DIRECT_RECLAIM 0x400u
#define ___GFP_KSWAPD_RECLAIM 0x800u
#define ___GFP_NOWARN 0x2000u
#define ___GFP_RETRY_MAYFAIL 0x4000u
#define ___GFP_NOFAIL 0x8000u
#define ___GFP_NORETRY 0x10000u
#define ___GFP_COMP 0x40000u

/* Zone modifiers: where the memory may come from. */
#define __GFP_DMA ___GFP_DMA        /* below 16 MiB (ISA DMA) */
#define __GFP_DMA32 ___GFP_DMA32    /* below 4 GiB (32-bit DMA) */

/* Reserves: whether the watermark reserves may be used (see mm/buddy.c). */
#define __GFP_HIGH ___GFP_HIGH      /* may use half of the min reserve */

/* Reclaim: whether the caller may sleep or wait for memory. */
#define __GFP_IO ___GFP_IO
#define __GFP_FS ___GFP_FS
#define __GFP_DIRECT_RECLAIM ___GFP_DIRECT_RECLAIM /* the caller may block */
#define __GFP_KSWAPD_RECLAIM ___GFP_KSWAPD_RECLAIM
#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
/*
 * Ferrite has no reclaim yet, so there is nothing to retry: __GFP_NORETRY
 * and __GFP_RETRY_MAYFAIL are accepted and change nothing.  __GFP_NOFAIL
 * may use every reserve down to the last page, and panics with an OOM
 * report if even that is gone (waiting cannot help without reclaim).
 */
#define __GFP_RETRY_MAYFAIL ___GFP_RETRY_MAYFAIL
#define __GFP_NOFAIL ___GFP_NOFAIL
#define __GFP_NORETRY ___GFP_NORETRY

/* Action modifiers. */
#define __GFP_NOWARN ___GFP_NOWARN  /* no allocation-failure report */
#define __GFP_ZERO ___GFP_ZERO      /* return zeroed memory */
#define __GFP_COMP ___GFP_COMP      /* a compound page: tails know their head */

/* Common combinations. */
#define GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM)
#define GFP_DMA __GFP_DMA
#define GFP_DMA32 __GFP_DMA32

struct page;

/*
 * The page allocator's API (mm/page_alloc.c), Linux's names and meaning.
 * Orders 0..MAX_ORDER (10): 2^order contiguous pages.  Context: any; no
 * call sleeps.  Wrong frees are reported and ignored (include/buddy.h).
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order);
#define alloc_page(gfp) alloc_pages((gfp), 0)
void __free_pages(struct page *page, unsigned int order);
#define __free_page(page) __free_pages((page), 0)

/* The same, by direct-map address (0 on failure; free_pages(0, ...) does nothing). */
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
#define __get_free_page(gfp) __get_free_pages((gfp), 0)
unsigned long get_zeroed_page(gfp_t gfp);
void free_pages(unsigned long address, unsigned int order);
#define free_page(address) free_pages((address), 0)

/*
 * Fill the NULL slots of @pages[0..@count) with order-0 pages.
 * Return: the number of populated slots (fewer than @count if memory ran out).
 */
unsigned long alloc_pages_bulk(gfp_t gfp, unsigned long count, struct page **pages);

/* References to an allocated page (a compound page counts on its head). */
int page_count(struct page *page);
void get_page(struct page *page);
/* Drop a reference; the block is freed when the last one goes. */
void put_page(struct page *page);

#endif
