/* SPDX-License-Identifier: MIT */
/*
 * Object caches (kmem_cache) and kmalloc, with Linux's names, argument
 * order and edge cases:
 *
 *   kmalloc(0) returns ZERO_SIZE_PTR; kfree(NULL) and kfree(ZERO_SIZE_PTR)
 *   do nothing; kcalloc/kmalloc_array return NULL when n * size overflows;
 *   power-of-two sizes are aligned to their size; every kmalloc object is
 *   at least 8-byte aligned; ksize() is the usable size.
 *
 * kmalloc size classes: 8 16 32 64 96 128 192 256 512 1024 2048 4096 8192.
 * Larger requests get compound pages straight from the page allocator,
 * and kfree/ksize/krealloc recognise them through struct page.
 *
 * Wrong use -- a double free, a pointer no cache handed out, the wrong
 * cache, a pointer into the middle of an object, a corrupted free
 * pointer, destroying a cache that still has objects, a free racing the
 * destroy -- is reported with the caller and the cache, and survived,
 * on whichever CPU it happens.  The design is in mm/slub.c.
 *
 * Any CPU may free what any CPU allocated.  Allocation and free never
 * sleep; from an interrupt handler, allocate with GFP_ATOMIC or
 * GFP_NOWAIT.  Creating, destroying and shrinking caches and the
 * reporting calls (slabinfo_print, slab_check, slab_pages) wait for a
 * cross call to every CPU: not from an interrupt handler.
 */
#ifndef FERRITE_SLAB_H
#define FERRITE_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gfp.h>

typedef unsigned int slab_flags_t;

/* Cache flags (Linux's values). */
#define SLAB_CONSISTENCY_CHECKS 0x00000100u /* full checks on every free (slab_debug=F) */
#define SLAB_RED_ZONE 0x00000400u          /* guard bytes around each object (Z) */
#define SLAB_POISON 0x00000800u            /* free objects filled with a pattern (P) */
#define SLAB_HWCACHE_ALIGN 0x00002000u     /* objects start on a cache line */
#define SLAB_STORE_USER 0x00010000u        /* remember who allocated/freed each object (U) */
#define SLAB_PANIC 0x00040000u             /* panic if kmem_cache_create fails */

#define SLAB_DEBUG_FLAGS (SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

/* Poison patterns (Linux's): free object bytes, its last byte, red zones. */
#define POISON_FREE 0x6b
#define POISON_END 0xa5
#define SLUB_RED_INACTIVE 0xbb
#define SLUB_RED_ACTIVE 0xcc

#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((uintptr_t)(x) <= (uintptr_t)ZERO_SIZE_PTR)

#define KMALLOC_MAX_CACHE_SIZE 8192u
#define KMALLOC_MIN_ALIGN 8u

struct kmem_cache;

/*
 * Create a cache of @size-byte objects aligned to @align (0: the natural
 * word alignment; SLAB_HWCACHE_ALIGN raises it to a cache line for
 * objects bigger than half a line).  @ctor, if given, runs once on every
 * object when its slab is created, never on allocation.
 * Context: not in an interrupt handler.
 * Return: the cache, or NULL (panics instead with SLAB_PANIC).
 */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *object));

#define KMEM_CACHE(structure, flags)                                             \
	kmem_cache_create(#structure, sizeof(struct structure),                  \
			  _Alignof(struct structure), (flags), NULL)

/*
 * Allocate an object of @cache (zeroed by kmem_cache_zalloc or __GFP_ZERO).
 * Context: any CPU; an interrupt handler with GFP_ATOMIC or GFP_NOWAIT;
 * never sleeps.  Return: an object, or NULL.
 */
void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp);
void *kmem_cache_zalloc(struct kmem_cache *cache, gfp_t gfp);
/* Free @object of @cache, allocated on any CPU. Context: any, interrupt handlers too. */
void kmem_cache_free(struct kmem_cache *cache, void *object);

/*
 * Destroy @cache: every CPU's slab of it is taken back first.  If it
 * still has objects, the leak is reported with their count and the cache
 * is kept (as Linux does).  Context: not in an interrupt handler.
 */
void kmem_cache_destroy(struct kmem_cache *cache);

/*
 * Give the cache's empty slabs, those of every CPU included, back to the
 * page allocator.  Context: not in an interrupt handler.  Return: 0.
 */
int kmem_cache_shrink(struct kmem_cache *cache);

/* The object size the cache was created with. Context: any. */
unsigned int kmem_cache_size(struct kmem_cache *cache);

/*
 * Allocate @count objects into @objects.  Context: as kmem_cache_alloc.
 * Return: @count, or 0 (none kept).
 */
int kmem_cache_alloc_bulk(struct kmem_cache *cache, gfp_t gfp, size_t count, void **objects);
/* Free @count objects of @cache. Context: as kmem_cache_free. */
void kmem_cache_free_bulk(struct kmem_cache *cache, size_t count, void **objects);

/*
 * kmalloc and its variants: @size bytes (see the classes above).
 * Context: any CPU; an interrupt handler with GFP_ATOMIC or GFP_NOWAIT
 * (above KMALLOC_MAX_CACHE_SIZE the page allocator's rules apply).
 * Return: the object, ZERO_SIZE_PTR for size 0, or NULL.
 */
void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void *kmalloc_array(size_t count, size_t size, gfp_t gfp);
void *kcalloc(size_t count, size_t size, gfp_t gfp);
/* Resize keeping the contents; krealloc(NULL, ...) is kmalloc; size 0 frees. Context: as kmalloc. */
void *krealloc(const void *object, size_t new_size, gfp_t gfp);
/* Free what kmalloc returned, on any CPU. Context: any, interrupt handlers too. */
void kfree(const void *object);
/* Zero the whole usable size, then free (for keys and passwords). */
void kfree_sensitive(const void *object);
/* The usable size of a kmalloc'd object (at least what was asked for). Context: any. */
size_t ksize(const void *object);

/* Shrink every cache (Ferrite's; Linux does this for memory hot-unplug). Context: as kmem_cache_shrink. */
void kmem_cache_shrink_all(void);

/* Pages held by all caches' slabs, in use or not. Context: not in an interrupt handler. */
uint64_t slab_pages(void);

/* What every cache's slabs hold, summed over the caches (slab_usage()). */
struct slab_usage {
	uint64_t pages;		/* slab pages, in use or not: slab_pages() */
	uint64_t object_bytes;	/* bytes of the slots live objects take: a cache's object size,
				   a kmalloc object's class size; no metadata, no free slots */
	uint64_t empty_pages;	/* pages of the slabs that hold no live object (0 on SLOB) */
};

/*
 * slab_usage - every cache's pages, live object bytes and empty slab pages,
 * read from the back-end's statistics in one pass (the same walk as slab_pages()).
 * @usage: filled in
 * Context: not in an interrupt handler (asks every CPU).
 */
void slab_usage(struct slab_usage *usage);

/*
 * slab_tick - the slab layer's periodic work on this CPU: SLAB reaps its
 * per-CPU arrays every second (mm/slab.c); other back-ends have none.
 * Context: the timer interrupt, every tick of every CPU.
 */
void slab_tick(unsigned int cpu);

/* Print every cache like /proc/slabinfo, every CPU's slabs counted. Context: not in an interrupt handler. */
void slabinfo_print(void);

/*
 * slab_memory_print - the memory each cache holds, for comparing slab
 * back-ends: one line per cache, "slabmem: NAME OBJSIZE ACTIVE TOTAL SLABS
 * BYTES_HELD BYTES_ACTIVE WASTE" (waste: bytes held but not in live
 * objects), then a "slabmem: total" line (sums; its waste is the caches'
 * waste added up); a "slabmem: back-end NAME" line
 * and a "slabmem: cache ..." header come first.
 * Context: not in an interrupt handler.
 */
void slab_memory_print(void);

/*
 * Walk every slab of @cache, every CPU's included (each CPU checks its
 * own), and verify free lists, counts, red zones and poison.  May run
 * while other CPUs allocate and free.  Context: not in an interrupt
 * handler.  Return: NULL, or a string naming the first broken invariant.
 */
const char *slab_check(struct kmem_cache *cache);

#endif
