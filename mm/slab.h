/* SPDX-License-Identifier: MIT */
/*
 * The slab layer's instance structures and the calls between the common
 * code (mm/slab_common.c: kmem_cache_*, kmalloc, reports) and the
 * back-end built into this kernel (mm/slab_backend.h lists what a
 * back-end provides; SLAB_BACKEND_DEF names its header, mm/NAME_def.h).
 *
 * The slab layer works on an instance (struct slab_allocator) that draws
 * its pages from a buddy allocator instance: the kernel has one over all
 * of RAM, host tests build their own over a simulated arena.
 */
#ifndef FERRITE_MM_SLAB_H
#define FERRITE_MM_SLAB_H

#include <buddy.h>
#include <list.h>
#include <slab.h>

#include "slab_backend.h"
#include SLAB_BACKEND_DEF

#if !SLAB_BACKEND_SMP_SAFE && NR_CPUS > 1
#error "this slab back-end is not SMP-safe: build with NR_CPUS=1 or choose another SLAB_BACKEND"
#endif

#define SLAB_NAME_LENGTH 32

/* How many kmalloc size classes (listed below, at kmalloc_index). */
#if CONFIG_KMALLOC_FINE_CLASSES
#define KMALLOC_NR_CLASSES 30
#else
#define KMALLOC_NR_CLASSES 13
#endif

/* Where an object was last allocated or freed (SLAB_STORE_USER). */
struct slab_track {
	void *caller;
	uint64_t when;          /* TSC at that moment; 0: never */
};

struct slab_allocator;

/*
 * A cache: the common part, set by mm/slab_common.c before
 * slab_backend_create() and constant afterwards (the back-end may raise
 * align and drop flags it cannot honour while creating), then the
 * back-end's part.
 */
struct kmem_cache {
	char name[SLAB_NAME_LENGTH];
	unsigned int object_size;   /* what the creator asked for */
	unsigned int align;
	slab_flags_t flags;
	void (*ctor)(void *object);
	uint64_t random;            /* a key for hardening free pointers, drawn per cache */
	struct slab_allocator *allocator;

	/* The allocator's lock must be held. */
	struct list_head list;      /* in the allocator's cache list */

	/* Wrong frees reported (atomic: counted by any CPU, lock held or not). */
	uint64_t bad_frees;

	/* Only the back-end reads or writes this. */
	struct kmem_cache_backend backend;
};

/* An instance of the slab layer. */
struct slab_allocator {
	struct buddy *buddy;
	spinlock_t lock;            /* guards caches (taken before any cache's lock) */
	struct list_head caches;
	slab_flags_t forced_debug;  /* slab_debug=: added to every new cache */
	const char *forced_debug_glob;  /* ... or only to caches matching it (NULL: all) */
	/* Free-pointer keys: one draw per cache, or (NULL) the xorshift stream of random_state. */
	uint64_t (*random_u64)(void);
	uint64_t random_state;
	struct kmem_cache cache_cache;  /* the cache struct kmem_cache objects come from */
	/* kmalloc-8 ... kmalloc-8192 (SLAB_BACKEND_KMALLOC_CACHES), else NULL. */
	struct kmem_cache *kmalloc_caches[KMALLOC_NR_CLASSES];
	uint64_t reports;           /* wrong-use reports printed (atomic) */

	/* Only the back-end reads or writes this. */
	struct slab_allocator_backend backend;
};

/* A cache's statistics, filled by slab_backend_stats(). */
struct slab_stats {
	unsigned long slabs;            /* blocks of pages held */
	unsigned long objects_total;    /* objects those blocks hold, in use or free */
	unsigned long objects_in_use;
	unsigned long partial, empty;   /* blocks with some, or all, objects free */
	unsigned long cpu_slabs;        /* blocks or objects some CPU holds for itself */
	unsigned int stride;            /* bytes an object takes, metadata included */
	unsigned int objects_per_slab;
	unsigned int order;             /* a block is PAGE_SIZE << order bytes */
	uint64_t bytes_used;            /* in all blocks; pages shared by caches are counted once, over
					   all caches, so slab_pages() sums these bytes before dividing */
	uint64_t bytes_in_objects;      /* in live objects, where sizes differ within the cache (a
					   back-end's pseudo cache of all kmallocs); 0: object_size
					   times objects_in_use */
	uint64_t allocations, frees, bad_frees;
};

/*
 * kmalloc's size classes (mm/slab_common.c): Linux's 8 16 32 64 96 128
 * 192 256 512 ... 8192, or with make KMALLOC_CLASSES=fine, four classes
 * per power of two above 128 (160 192 224 256 320 384 448 512 640 ...
 * 7168 8192), as modern user-space allocators have.
 */
extern const unsigned int kmalloc_sizes[KMALLOC_NR_CLASSES];

/*
 * The class index of each size, by (size - 1) / 8 (every class is a
 * multiple of 8): kmalloc-8 is class 0 (mm/slab_common.c).  One load, no
 * branch, on kmalloc's fast path.
 */
extern const uint8_t kmalloc_size_index[KMALLOC_MAX_CACHE_SIZE / 8];

/* The smallest class index that holds @size (1 <= size <= KMALLOC_MAX_CACHE_SIZE). */
static inline unsigned int kmalloc_index(size_t size)
{
	return kmalloc_size_index[(size - 1) / 8];
}

/* The kmalloc cache for @size (SLAB_BACKEND_KMALLOC_CACHES back-ends). */
static inline struct kmem_cache *kmalloc_slab(struct slab_allocator *a, size_t size)
{
	return a->kmalloc_caches[kmalloc_index(size)];
}

/*
 * Reports of wrong use (mm/slab_common.c): each prints "slab: <problem>:
 * cache <name>, object <address> (called from <symbol>)" and counts it in
 * allocator->reports; the free reports count cache->bad_frees too.  The
 * conformance tests look for these texts.
 */
/* The symbol+offset of @caller in @buf, or "?". */
const char *slab_caller_name(void *caller, char *buf, size_t size);
void slab_report(struct kmem_cache *cache, const void *object, void *caller, const char *problem);
/* "free of a pointer no cache handed out", "... into the wrong cache", "... into the middle of an object". */
void slab_report_invalid_free(struct kmem_cache *cache, struct page *slab, const void *object,
			      void *caller);
void slab_report_double_free(struct kmem_cache *cache, const void *object, void *caller);
void slab_report_destroyed_cache_free(struct kmem_cache *cache, const void *object, void *caller);

/* Objects per slab of @cache (its statistics' figure). Context: as slab_backend_stats(). */
static inline unsigned int slab_objects_per_slab(struct kmem_cache *cache)
{
	struct slab_stats stats;

	slab_backend_stats(cache, &stats);
	return stats.objects_per_slab;
}

/*
 * Debug-object helpers every back-end uses (mm/slab_object_debug.c).  The
 * caller gives the layout: @left and @right red-zone bytes around the
 * @size bytes of @object, and the two tracks (allocated, freed), or NULL
 * when the cache keeps none.  Context: any; the object is the caller's.
 */
void slab_print_tracks(const struct slab_track *tracks);
void slab_fill_red_zones(uint8_t *object, size_t left, size_t size, size_t right, uint8_t value);
/* Return: the first red-zone byte that is not @value, or NULL. */
const uint8_t *slab_check_red_zones(const uint8_t *object, size_t left, size_t size, size_t right,
				    uint8_t value);
/* Report "red zone before|after <when>" at @bad, which should hold @expected, with the tracks. */
void slab_report_red_zone(struct kmem_cache *cache, const void *object, const uint8_t *bad,
			  uint8_t expected, void *caller, const char *when,
			  const struct slab_track *tracks);
/* POISON_FREE over @size bytes, POISON_END last. */
void slab_poison_object(uint8_t *object, size_t size);
/* Return: the offset of the first byte that is not poison, or -1. */
long slab_check_poison(const uint8_t *object, size_t size);
/*
 * A debug cache's object of cache->object_size bytes: set up free (red
 * zones inactive, poison, tracks cleared), and on allocation checked
 * (poison intact, red zones inactive: each damage reported), marked
 * allocated and its allocation track set to @caller.
 */
void slab_debug_object_init(struct kmem_cache *cache, uint8_t *object, size_t left, size_t right,
			    struct slab_track *tracks);
void slab_debug_object_alloc(struct kmem_cache *cache, uint8_t *object, size_t left, size_t right,
			     struct slab_track *tracks, void *caller);

/* The cache a slab object belongs to, or NULL if @object is not an object's start in a slab. */
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
extern struct slab_allocator kernel_slab;
extern const char slab_backend_name[];

/* The back-end's inline fast paths (mm/slab_backend.h), or its functions themselves. */
#ifdef SLAB_BACKEND_INLINE_H
#include SLAB_BACKEND_INLINE_H
#else
#define slab_backend_alloc_inline slab_backend_alloc
#define slab_backend_free_inline slab_backend_free
#define slab_backend_kmalloc_inline slab_backend_kmalloc
#define slab_backend_kfree_inline slab_backend_kfree
#endif

#endif
