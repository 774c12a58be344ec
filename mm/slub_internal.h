/* SPDX-License-Identifier: MIT */
/* Private to mm/slub*.c: what the SLUB core and its debug checks share. */
#ifndef FERRITE_MM_SLUB_INTERNAL_H
#define FERRITE_MM_SLUB_INTERNAL_H

#include "slab.h"

/* Layout helpers (mm/slub.c). */
struct page *slab_page_of(struct slab_allocator *a, const void *address);

/*
 * Free pointers are stored as next ^ cache key ^ byteswap(where stored),
 * Linux's CONFIG_SLAB_FREELIST_HARDENED encoding.
 */
static inline void *free_pointer_decode(const struct kmem_cache *s, const void *object)
{
	uintptr_t slot = (uintptr_t)object + s->free_offset;

	return (void *)(*(uintptr_t *)slot ^ s->random ^ __builtin_bswap64(slot));
}

static inline void free_pointer_encode(const struct kmem_cache *s, void *object, const void *next)
{
	uintptr_t slot = (uintptr_t)object + s->free_offset;

	*(uintptr_t *)slot = (uintptr_t)next ^ s->random ^ __builtin_bswap64(slot);
}

/*
 * The index of @object in @slab, or -1 if it is not an object's start.
 * The offset inside the slab comes from the address alone (slabs are
 * aligned to their size); the division by the stride is a multiplication
 * by its reciprocal, exact for offsets below 2^32 / stride.
 */
static inline long object_index(struct kmem_cache *s, const struct page *slab, const void *object)
{
	uintptr_t offset = ((uintptr_t)object - s->red_left) & s->slab_mask;
	uint64_t index = (offset * (uint64_t)s->stride_reciprocal) >> 32;

	(void)slab; /* every slab of a cache holds s->objects objects */
	if (index >= s->objects || index * s->stride != offset)
		return -1;
	return (long)index;
}

void *object_at(struct kmem_cache *s, const struct page *slab, unsigned int index);
void *debug_alloc(struct kmem_cache *s, gfp_t gfp, void *caller);

/* Debug checks (mm/slub_debug.c); each report names cache, object and caller. */
void debug_init_free_object(struct kmem_cache *s, void *object);
void debug_on_alloc(struct kmem_cache *s, struct page *slab, void *object, void *caller);
/* Return: false if the free must not go ahead (a double free). Caller holds s->lock. */
bool debug_on_free(struct kmem_cache *s, struct page *slab, void *object, void *caller);
void report_invalid_free(struct kmem_cache *s, struct page *slab, const void *object, void *caller);
void report_double_free(struct kmem_cache *s, struct page *slab, const void *object, void *caller);
void report_corrupted_free_pointer(struct kmem_cache *s, struct page *slab, const void *object,
				   const void *next);
/* Walk every slab of @s and check its counts and lists; takes s->lock itself. Return: NULL or what is broken. */
const char *slab_check_cache(struct kmem_cache *s);

#endif
