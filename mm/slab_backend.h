/* SPDX-License-Identifier: MIT */
/*
 * What a slab back-end provides.  mm/slab_common.c owns everything a user
 * of <slab.h> sees -- kmem_cache_create's argument checks, the cache list,
 * kmalloc's size classes and its large-object path, kfree's page lookup,
 * krealloc, kfree_sensitive, slab_debug=, slabinfo -- and calls the
 * functions below for the rest.  One back-end is built into a kernel
 * (make SLAB_BACKEND=slub|slab|slob; the Makefile lists each one's
 * sources), and the calls are direct: choosing costs nothing at run time.
 *
 * A back-end called NAME consists of:
 *   mm/NAME_def.h  its part of the two instance structures
 *                  (struct kmem_cache_backend, struct slab_allocator_backend)
 *                  and three definitions:
 *                    SLAB_BACKEND_NAME            "NAME", printed at boot
 *                    SLAB_BACKEND_SMP_SAFE        1, or 0: the kernel then
 *                                                 refuses to build with NR_CPUS > 1
 *                    SLAB_BACKEND_KMALLOC_CACHES  1: the common code creates the
 *                                                 kmalloc-8 ... kmalloc-8192 caches
 *                                                 (kmalloc_slab() picks one);
 *                                                 0: the back-end sizes kmalloc
 *                                                 requests itself
 *  mm/NAME*.c      the functions below.
 *
 * Inline fast paths (optional): mm/NAME_def.h may also define
 * SLAB_BACKEND_INLINE_H, a header that mm/slab.h includes after the
 * instance structures.  It defines, as static inline functions,
 * slab_backend_alloc_inline(), slab_backend_free_inline(),
 * slab_backend_kmalloc_inline() and slab_backend_kfree_inline(), with the
 * arguments, contracts and results of the functions below without
 * "_inline" (which it usually calls for everything but the fast path).
 * The common kmalloc, kfree, kmem_cache_alloc and kmem_cache_free call
 * these, so the fast path costs no call of its own; their @caller is a
 * return address, to be read only where it is used (slow paths, reports).
 * Without SLAB_BACKEND_INLINE_H the names stand for the functions below.
 *
 * Common fields a back-end reads (struct kmem_cache in mm/slab.h): name,
 * object_size, align (the back-end may raise it at creation), flags (it
 * may drop a debug flag it cannot honour; SLAB_POISON is already gone
 * from a cache with a constructor), ctor, random (a key for hardening free pointers) and
 * allocator (the instance, whose buddy the slab pages come from).  Its own
 * fields are cache->backend and allocator->backend.
 *
 * Pages: a back-end takes its pages from allocator->buddy, marks the
 * first page of each block PG_slab (kfree sends every address in such a
 * block to slab_backend_kfree) and may use the slab fields of struct page
 * (slab_cache, freelist, inuse, objects, slab_list) as it likes; it clears
 * PG_slab before giving a block back.
 *
 * Wrong use: every free that is not the start of a live object of the
 * right cache is reported and refused -- nothing is corrupted, the kernel
 * goes on -- through the common reports of mm/slab.h
 * (slab_report_invalid_free, slab_report_double_free,
 * slab_report_destroyed_cache_free, or slab_report for other problems),
 * which print the cache, the object and the caller and count the report.
 * Which double frees a back-end detects without debug flags is its own
 * business (its file comment says); with SLAB_CONSISTENCY_CHECKS or
 * SLAB_RED_ZONE it detects every one.  The debug flags: SLAB_RED_ZONE
 * guards each object on both sides and reports an overwrite on free and in
 * the validator; SLAB_POISON fills free objects with POISON_FREE and
 * reports a write after free on the next allocation; SLAB_STORE_USER
 * remembers who last allocated and freed each object and prints both in
 * reports; SLAB_CONSISTENCY_CHECKS checks every free fully.  The
 * conformance suites (tests/host/test_slab_*.c, tests/kernel/test_slab*.c,
 * test_mm_stress.c) check all of this against every back-end, and look
 * for these words in the reports: "red zone" in the problem of a red-zone
 * overwrite, "write after free" for a poison overwrite, and with
 * SLAB_STORE_USER the lines "last allocated by" and "last freed by".
 *
 * Context, unless a function says otherwise: any CPU, interrupts on or
 * off, an interrupt handler too; never sleeps.  A back-end that must
 * serialise takes its own spinlocks with interrupts off.  Calls marked
 * "not in an interrupt handler" may wait for cross calls (on_each_cpu).
 */
#ifndef FERRITE_MM_SLAB_BACKEND_H
#define FERRITE_MM_SLAB_BACKEND_H

#include <gfp.h>
#include <stdbool.h>
#include <stddef.h>

struct kmem_cache;
struct page;
struct slab_allocator;
struct slab_stats;

/*
 * slab_backend_init - set up allocator->backend.
 * Context: once, first thing in slab_allocator_init(), before any cache exists.
 */
void slab_backend_init(struct slab_allocator *a);

/*
 * slab_backend_create - lay out @cache's objects and set up
 * cache->backend.  The common fields are set; cache->allocator is the instance.
 * Context: not in an interrupt handler.
 * Return: 0, or -1 if the back-end cannot hold such objects (nothing to undo).
 */
int slab_backend_create(struct kmem_cache *cache);

/*
 * slab_backend_destroy - give every page of @cache back, if none of its
 * objects is in use; afterwards a free into @cache is reported, never
 * followed.  The cache struct itself is the common code's to free.
 * Context: not in an interrupt handler.
 * Return: the number of objects still in use (0: destroyed; otherwise the
 * cache is kept, working, and the common code reports the leak).
 */
unsigned long slab_backend_destroy(struct kmem_cache *cache);

/* slab_backend_shrink - give the pages of @cache that hold no object back. Context: not in an interrupt handler. */
void slab_backend_shrink(struct kmem_cache *cache);

/*
 * slab_backend_alloc - one object of @cache, honouring __GFP_ZERO; a
 * constructed cache's object is as its ctor (or the last user) left it.
 * @caller is the allocating code's address, for SLAB_STORE_USER.
 * Return: the object, aligned to cache->align, or NULL.
 */
void *slab_backend_alloc(struct kmem_cache *cache, gfp_t gfp, void *caller);

/* slab_backend_free - free @object into @cache; anything else is reported and refused. */
void slab_backend_free(struct kmem_cache *cache, void *object, void *caller);

/* slab_backend_alloc_bulk - @count objects into @objects. Return: @count, or 0 (none kept). */
int slab_backend_alloc_bulk(struct kmem_cache *cache, gfp_t gfp, size_t count, void **objects,
			    void *caller);
/* slab_backend_free_bulk - as slab_backend_free() for each of @objects. */
void slab_backend_free_bulk(struct kmem_cache *cache, size_t count, void **objects, void *caller);

/*
 * slab_backend_kmalloc - @size bytes, 1 <= @size <= KMALLOC_MAX_CACHE_SIZE,
 * aligned to @size if it is a power of two, else to KMALLOC_MIN_ALIGN.
 * With SLAB_BACKEND_KMALLOC_CACHES this is usually
 * slab_backend_alloc(kmalloc_slab(a, size), gfp, caller).
 * Return: the object, or NULL.
 */
void *slab_backend_kmalloc(struct slab_allocator *a, size_t size, gfp_t gfp, void *caller);

/*
 * slab_backend_kfree - free @object, an address inside the PG_slab block
 * whose first page is @slab (kfree looked it up); report and refuse
 * anything that is not a live kmalloc object.
 */
void slab_backend_kfree(struct slab_allocator *a, struct page *slab, void *object, void *caller);

/*
 * slab_backend_cache_of - the cache @object belongs to, @slab being the
 * first page of the PG_slab block that holds it.
 * Return: the cache, or NULL if @object is not the start of an object
 * (live or free).
 */
struct kmem_cache *slab_backend_cache_of(struct slab_allocator *a, struct page *slab,
					 const void *object);

/* slab_backend_ksize - the usable size of @object of @cache (at least cache->object_size). */
size_t slab_backend_ksize(struct kmem_cache *cache, const void *object);

/*
 * slab_backend_stats - fill @stats (mm/slab.h) for @cache: pages held,
 * objects, layout and counters, every CPU's share included.
 * Context: not in an interrupt handler.
 */
void slab_backend_stats(struct kmem_cache *cache, struct slab_stats *stats);

/*
 * slab_backend_check - the validator: walk every page of @cache and check
 * every invariant the back-end keeps (lists, counts, free chains, red
 * zones, poison).  May run while other CPUs allocate and free.
 * Context: not in an interrupt handler.
 * Return: NULL, or a string naming the first broken invariant.
 */
const char *slab_backend_check(struct kmem_cache *cache);

/*
 * slab_backend_tick - periodic work (optional: only a back-end whose
 * mm/NAME_def.h defines SLAB_BACKEND_TICK provides it), called from every
 * CPU's timer tick once the kernel's instance @a is set up.
 * Context: the timer interrupt on @cpu; must be short.
 */
void slab_backend_tick(struct slab_allocator *a, unsigned int cpu);

/*
 * slab_backend_print_cache - @cache in detail for the monitor: layout,
 * then every page it holds with the objects in use and free.
 * Context: not in an interrupt handler.
 */
void slab_backend_print_cache(struct kmem_cache *cache);

/*
 * slab_backend_object_is_free - is @object, the start of an object of
 * @cache in the block whose first page is @slab, free?
 * Context: the caller keeps other CPUs off @cache (one CPU, or its users stopped).
 */
bool slab_backend_object_is_free(struct kmem_cache *cache, struct page *slab, const void *object);

/*
 * slab_backend_free_is_refused - would freeing @object into @cache be
 * reported and refused, changing nothing?  True for a pointer that is not
 * an object's start and for every double free the back-end detects; false
 * for a live object, and for a double free it would not detect.  Lets the
 * monitor try wrong frees safely.
 * Context: as slab_backend_object_is_free().
 */
bool slab_backend_free_is_refused(struct kmem_cache *cache, const void *object);

#endif
