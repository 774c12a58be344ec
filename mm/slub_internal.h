/* SPDX-License-Identifier: MIT */
/* Private to mm/slub*.c: what the SLUB core and its debug checks share. */
#ifndef FERRITE_MM_SLUB_INTERNAL_H
#define FERRITE_MM_SLUB_INTERNAL_H

#include "slab.h"

/* Cross calls (on_each_cpu); the host tests' stand-in runs the function for every CPU in turn. */
#include <smp.h>

/*
 * page->freelist of a slab: the first free object, or'ed with SLAB_FROZEN
 * while the slab is some CPU's (objects are at least 8-byte aligned, so
 * bit 0 is free).  Read and written atomically: other CPUs read it
 * without the cache lock to push a remote free onto a frozen slab.
 */
#define SLAB_FROZEN ((uintptr_t)1)

static inline uintptr_t slab_freelist_word(const struct page *slab)
{
	return (uintptr_t)__atomic_load_n(&slab->freelist, __ATOMIC_ACQUIRE);
}

static inline bool slab_frozen(const struct page *slab)
{
	return slab_freelist_word(slab) & SLAB_FROZEN;
}

/* The first free object on the slab's own chain (frozen or not). */
static inline void *slab_freelist(const struct page *slab)
{
	return (void *)(slab_freelist_word(slab) & ~SLAB_FROZEN);
}

/* Set the chain of a slab that is not frozen. Caller holds the cache lock. */
static inline void set_slab_freelist(struct page *slab, void *first)
{
	__atomic_store_n(&slab->freelist, first, __ATOMIC_RELEASE);
}

/* Layout helpers (mm/slub.c). */
struct page *slab_page_of(struct slab_allocator *a, const void *address);

/*
 * The index of @object in @slab, or -1 if it is not an object's start.
 * The offset inside the slab comes from the address alone (slabs are
 * aligned to their size); the division by the stride is a multiplication
 * by its reciprocal, exact for offsets below 2^32 / stride.
 */
static inline long object_index(struct kmem_cache *s, const struct page *slab, const void *object)
{
	uintptr_t offset = ((uintptr_t)object - s->backend.red_left) & s->backend.slab_mask;
	uint64_t index = (offset * (uint64_t)s->backend.stride_reciprocal) >> 32;

	(void)slab; /* every slab of a cache holds s->backend.objects objects */
	if (index >= s->backend.objects || index * s->backend.stride != offset)
		return -1;
	return (long)index;
}

void *object_at(struct kmem_cache *s, const struct page *slab, unsigned int index);
void *debug_alloc(struct kmem_cache *s, gfp_t gfp, void *caller);

/* Debug checks (mm/slub_debug.c); each report names cache, object and caller. */
void debug_init_free_object(struct kmem_cache *s, void *object);
void debug_on_alloc(struct kmem_cache *s, struct page *slab, void *object, void *caller);
/* Return: false if the free must not go ahead (a double free). Caller holds s->backend.lock. */
bool debug_on_free(struct kmem_cache *s, struct page *slab, void *object, void *caller);
void report_double_free(struct kmem_cache *s, struct page *slab, const void *object, void *caller);
void report_corrupted_free_pointer(struct kmem_cache *s, struct page *slab, const void *object,
				   const void *next);
/* Walk every slab of @s and check its counts and lists; takes s->backend.lock itself. Return: NULL or what is broken. */
const char *slab_check_cache(struct kmem_cache *s);

#endif
