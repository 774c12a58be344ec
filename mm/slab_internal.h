/* SPDX-License-Identifier: MIT */
/* Private to mm/slab*.c: what the SLAB core and its debug side share. */
#ifndef FERRITE_MM_SLAB_INTERNAL_H
#define FERRITE_MM_SLAB_INTERNAL_H

#include "slab.h"

/* Cross calls (on_each_cpu); the host tests' stand-in runs the function for every CPU in turn. */
#include <smp.h>

static inline uintptr_t slab_base(struct kmem_cache *s, const struct page *slab)
{
	return (uintptr_t)buddy_page_address(s->allocator->buddy, slab);
}

/* The start of object @index of @slab. */
static inline void *object_at(struct kmem_cache *s, const struct page *slab, unsigned int index)
{
	return (void *)(slab_base(s, slab) + slab_mgmt(slab)->first_object +
			(uintptr_t)index * s->backend.stride + s->backend.red_left);
}

/* The object number at position @pos of @slab's index array (the free part starts at inuse). */
static inline unsigned int index_at(const struct page *slab, unsigned int pos)
{
	return slab_mgmt(slab)->index[pos] & FREELIST_INDEX_MASK;
}

/*
 * Is object @index (below slab->objects) free in @slab, by its state bit
 * (struct slab_freelist)?  Caller holds the cache lock.
 */
static inline bool free_in_slab(const struct page *slab, unsigned int index)
{
	return slab_mgmt(slab)->index[index] & OBJECT_FREE;
}

static inline bool cache_is_debug(const struct kmem_cache *s)
{
	return s->flags & SLAB_DEBUG_FLAGS;
}

struct page *slab_page_of(struct slab_allocator *a, const void *address);

/* Debug checks (mm/slab_debug.c); each report names cache, object and caller. */
void debug_init_free_object(struct kmem_cache *s, void *object);
void debug_on_alloc(struct kmem_cache *s, struct page *slab, void *object, void *caller);
/* Return: false if the free must not go ahead (a double free). Caller holds s->backend.lock. */
bool debug_on_free(struct kmem_cache *s, struct page *slab, void *object, long index, void *caller);
void report_double_free(struct kmem_cache *s, const void *object, void *caller);
/* Walk every slab and array of @s and check its invariants. Return: NULL or what is broken. */
const char *slab_check_cache(struct kmem_cache *s);

#endif
