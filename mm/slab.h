/* SPDX-License-Identifier: MIT */
/*
 * The slab layer's internal interface: what a back-end implements and
 * what the common code (mm/slab_common.c: kmem_cache_* and kmalloc)
 * calls.  A back-end is chosen when the kernel is built (SLAB_BACKEND_SRCS
 * in the Makefile; SLUB in mm/slub.c is the only one today), the way Linux
 * kept SLUB, SLAB and SLOB side by side: callers never change, and the
 * calls are direct, so the choice costs nothing on the fast path.
 *
 * The back-end works on an instance (struct slab_allocator) that draws
 * slab pages from a buddy allocator instance: the kernel has one over all
 * of RAM, host tests build their own over a simulated arena.
 *
 * A back-end implements:
 *   slab_backend_create(a, cache)        lay out objects, choose the slab order
 *   slab_backend_alloc(cache, gfp, caller)
 *   slab_backend_free(cache, object, caller)     reports wrong frees
 *   slab_backend_destroy(cache)          Return: objects still in use (0: freed)
 *   slab_backend_shrink(cache)           free the empty slabs
 *   slab_backend_ksize(cache, object)
 *   slab_backend_is_object(cache, slab, object)
 *   slab_backend_stats(cache, stats)
 *   slab_backend_check(cache)            the validator
 */
#ifndef FERRITE_MM_SLAB_H
#define FERRITE_MM_SLAB_H

#include <buddy.h>
#include <list.h>
#include <percpu.h>
#include <slab.h>
#include <spinlock.h>

#define SLAB_NAME_LENGTH 32

/* Where an object was last allocated or freed (SLAB_STORE_USER). */
struct slab_track {
	void *caller;
	uint64_t when;          /* TSC at that moment; 0: never */
};

/* This CPU's slab: objects are taken from and returned to freelist with no lock. */
struct kmem_cache_cpu {
	void *freelist;         /* encoded chain of free objects of slab */
	struct page *slab;      /* the slab those objects belong to, or NULL */
};

struct slab_allocator;

/*
 * Object layout in a slab (offsets from the start of each stride):
 *
 *   [red_left][ object_size ][ red zone / padding ][ free pointer ][ tracks ]
 *   0         red_left      +object_size           free_offset     track_offset  stride
 *
 * The free pointer overlays the object's first word unless the object
 * must keep its contents while free (a constructor, or poisoning), then
 * it sits after the object.  Red zones and tracks exist only with
 * SLAB_RED_ZONE and SLAB_STORE_USER.
 */
struct kmem_cache {
	/* This CPU's slab (this_cpu_ptr, interrupts off). */
	struct kmem_cache_cpu cpu_slab[NR_CPUS];

	/* Set at creation, then constant. */
	slab_flags_t flags;
	unsigned int object_size;   /* what the creator asked for */
	unsigned int stride;        /* bytes from one object to the next */
	unsigned int align;
	unsigned int red_left;      /* left red zone (SLAB_RED_ZONE) */
	unsigned int free_offset;   /* where the free pointer is, from the object start */
	unsigned int track_offset;  /* where the two tracks are (SLAB_STORE_USER) */
	unsigned int order;         /* slab size: PAGE_SIZE << order */
	unsigned int objects;       /* objects per slab */
	uint64_t random;            /* free-pointer hardening key */
	uint32_t stride_reciprocal; /* offset / stride == (offset * reciprocal) >> 32 */
	unsigned int slab_shift;    /* log2 of the slab size: PAGE_SHIFT + order */
	uintptr_t slab_mask;        /* slab size - 1: an address's offset in its slab */
	void (*ctor)(void *object);
	char name[SLAB_NAME_LENGTH];
	struct slab_allocator *allocator;
	struct list_head list;      /* in the allocator's cache list */

	/* lock must be held. */
	spinlock_t lock;
	struct list_head partial;   /* slabs with free objects (not the CPU slab) */
	struct list_head full;      /* no free object: all in use, or given up (corrupted link) */
	unsigned long partial_count;
	unsigned long empty_count;  /* partial slabs with no object in use */
	unsigned long slabs;        /* all slabs of the cache */

	/* Counters (lock held or interrupts off). */
	uint64_t allocations, frees, bad_frees;
};

/* An instance of the slab layer. */
struct slab_allocator {
	struct buddy *buddy;
	spinlock_t lock;            /* guards caches */
	struct list_head caches;
	slab_flags_t forced_debug;  /* slab_debug=: added to every new cache */
	const char *forced_debug_glob;  /* ... or only to caches matching it (NULL: all) */
	/* Free-pointer keys: one draw per cache, or (NULL) the xorshift stream of random_state. */
	uint64_t (*random_u64)(void);
	uint64_t random_state;
	struct kmem_cache cache_cache;  /* the cache struct kmem_cache objects come from */
	struct kmem_cache *kmalloc_caches[16];
	uint64_t reports;           /* wrong-use reports printed */
};

struct slab_stats {
	unsigned long slabs, objects_total, objects_in_use, partial, empty;
	unsigned int stride, objects_per_slab, order;
	uint64_t bytes_used;        /* in slabs */
	uint64_t allocations, frees, bad_frees;
};

/* The back-end (mm/slub.c). */
int slab_backend_create(struct slab_allocator *a, struct kmem_cache *cache);
void *slab_backend_alloc(struct kmem_cache *cache, gfp_t gfp, void *caller);
void slab_backend_free(struct kmem_cache *cache, void *object, void *caller);
/* The same when the caller already looked up the object's first page @slab. */
void slab_free(struct kmem_cache *cache, struct page *slab, void *object, void *caller);
/* The same when @slab is known to be a slab of @cache (kfree found the cache through it). */
void slab_free_in(struct kmem_cache *cache, struct page *slab, void *object, void *caller);
unsigned long slab_backend_destroy(struct kmem_cache *cache);
void slab_backend_shrink(struct kmem_cache *cache);
size_t slab_backend_ksize(struct kmem_cache *cache, const void *object);
/* Is @object the start of an object of @slab? */
bool slab_backend_is_object(struct kmem_cache *cache, const struct page *slab, const void *object);
void slab_backend_stats(struct kmem_cache *cache, struct slab_stats *stats);
const char *slab_backend_check(struct kmem_cache *cache);

/* The cache a slab object belongs to, or NULL if @object is not in a slab. */
struct kmem_cache *slab_cache_of(struct slab_allocator *a, const void *object);

/* Instance API (mm/slab_common.c); the Linux-named functions wrap the kernel's instance. */

/*
 * Make @a an empty slab layer over @buddy, with the kmalloc caches.  Each
 * cache's free-pointer key is a fresh call of @random_u64 (the kernel's
 * CPU random source: no key follows from another), or, if it is NULL,
 * the next value of the xorshift stream of @seed, which repeats from run
 * to run (host tests, slab_seed=) and gives every key away with one.
 * Context: before any other call on @a; slab_parse_debug() may come first.
 */
void slab_allocator_init(struct slab_allocator *a, struct buddy *buddy, uint64_t seed,
			 uint64_t (*random_u64)(void));
struct kmem_cache *slab_cache_create(struct slab_allocator *a, const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *object));
bool slab_cache_destroy(struct slab_allocator *a, struct kmem_cache *cache);
void *slab_kmalloc(struct slab_allocator *a, size_t size, gfp_t gfp, void *caller);
void slab_kfree(struct slab_allocator *a, const void *object, void *caller);
size_t slab_ksize(struct slab_allocator *a, const void *object);
void *slab_krealloc(struct slab_allocator *a, const void *object, size_t new_size, gfp_t gfp,
		    void *caller);
/* Parse slab_debug= ("FZPU", optionally ",glob"). Return: false if malformed. */
bool slab_parse_debug(struct slab_allocator *a, const char *value);
void slab_print_info(struct slab_allocator *a);
/* The cache called @name, or NULL. Context: caches are not being created or destroyed. */
struct kmem_cache *slab_cache_find(struct slab_allocator *a, const char *name);
/* Print every cache in /proc/slabinfo's format (version 2.1; tunables are always 0). */
void slab_print_proc_slabinfo(struct slab_allocator *a);
/*
 * slab_print_cache - one cache in detail: its layout, then each of its
 * slabs (found by walking the memmap, so full slabs of non-debug caches
 * are shown too): address, objects in use, its freelist, and whether it
 * is a CPU's slab with that CPU's freelist.
 */
void slab_print_cache(struct kmem_cache *cache);
/*
 * slab_object_is_free - is @object (the start of an object of @slab, a
 * slab of @cache) on a freelist: the slab's own or a CPU's?
 * Context: the caller keeps other CPUs off @cache (one CPU, or its users stopped).
 */
bool slab_object_is_free(struct kmem_cache *cache, struct page *slab, const void *object);
/*
 * slab_free_is_refused - would freeing @object into @cache be reported
 * and refused (changing nothing)?  True for a pointer that is not the
 * start of one of @cache's objects, and for a double free the back-end
 * detects (every one with SLAB_CONSISTENCY_CHECKS or SLAB_RED_ZONE; the
 * fast path sees only the most recently freed object).  False for a live
 * object, and for a double free that would go undetected and corrupt a
 * freelist.  For tools that let a user try wrong frees safely.
 * Context: as slab_object_is_free().
 */
bool slab_free_is_refused(struct kmem_cache *cache, const void *object);

extern struct slab_allocator kernel_slab;

#endif
