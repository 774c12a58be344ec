/* SPDX-License-Identifier: MIT */
/*
 * Private to mm/slob*.c: the block header, the layout of a block and the
 * calls between the SLOB core (mm/slob.c) and its debug side
 * (mm/slob_debug.c).  The design is in mm/slob.c.
 */
#ifndef FERRITE_MM_SLOB_INTERNAL_H
#define FERRITE_MM_SLOB_INTERNAL_H

#include <kernel.h>

#include "slab.h"

#define SLOB_UNIT 8u                               /* blocks are counted in 8-byte units */
#define SLOB_PAGE_UNITS (PAGE_SIZE / SLOB_UNIT)    /* 512 */
#define SLOB_TAG_FREE 0u                           /* header tag of free space */
#define SLOB_TAG_HELD 0x8000u                      /* owner tag | this: freed, held by its debug cache */
#define SLOB_FREE_MARK 0xf4eeu                     /* high half of a free block's seal word */
#define SLOB_NO_NEXT 0xffffu                       /* last free block of its page */
#define SLOB_BIG 0xffffu                           /* page->objects of a block of pages of one object */

/*
 * The 8 bytes in front of every block of a shared page (worked example in
 * mm/slob.c).  In use or held:
 *   units  block length in units, this header included
 *   tag    the owner cache's id (| SLOB_TAG_HELD while held)
 *   seal   slob_seal() of the header's address, units and tag
 * Free space:
 *   units  as above; tag SLOB_TAG_FREE
 *   seal   next free block's offset in units (SLOB_NO_NEXT: none) | SLOB_FREE_MARK << 16
 */
struct slob_header {
	uint16_t units;
	uint16_t tag;
	uint32_t seal;
};

/* Debug caches keep this after the object (and its right red zone), before the tracks. */
struct slob_debug_meta {
	uint64_t size;              /* the object's size (kmalloc's objects differ) */
};

static inline bool cache_is_debug(const struct kmem_cache *s)
{
	return s->flags & SLAB_DEBUG_FLAGS;
}

/* Bytes from a block's start to its object: the header, then the left red zone. */
static inline unsigned int header_offset(const struct kmem_cache *s)
{
	return SLOB_UNIT + s->backend.red_left;
}

/* Debug trailer bytes at the end of a block: meta, then the two tracks. */
static inline unsigned int trailer_bytes(const struct kmem_cache *s)
{
	if (!cache_is_debug(s))
		return 0;
	return sizeof(struct slob_debug_meta) +
	       ((s->flags & SLAB_STORE_USER) ? 2 * sizeof(struct slab_track) : 0);
}

/* The units of a block holding a @size-byte object of @s. */
static inline unsigned int block_units(const struct kmem_cache *s, size_t size)
{
	size_t bytes = header_offset(s) + ALIGN_UP(size, SLOB_UNIT) +
		       ((s->flags & SLAB_RED_ZONE) ? SLOB_UNIT : 0) + trailer_bytes(s);

	return (unsigned int)(bytes / SLOB_UNIT);
}

static inline struct slob_header *header_of(const struct kmem_cache *s, const void *object)
{
	return (struct slob_header *)((uintptr_t)object - header_offset(s));
}

static inline void *object_of(const struct kmem_cache *s, struct slob_header *h)
{
	return (uint8_t *)h + header_offset(s);
}

static inline struct slob_debug_meta *meta_of(const struct kmem_cache *s, struct slob_header *h)
{
	return (struct slob_debug_meta *)((uint8_t *)h + h->units * SLOB_UNIT - trailer_bytes(s));
}

static inline struct slab_track *tracks_of(const struct kmem_cache *s, struct slob_header *h)
{
	return (struct slab_track *)(meta_of(s, h) + 1);
}

/* The largest object, rounded to 8 bytes, that the debug block at @h holds. */
static inline size_t debug_capacity(const struct kmem_cache *s, const struct slob_header *h)
{
	return (size_t)h->units * SLOB_UNIT - header_offset(s) -
	       ((s->flags & SLAB_RED_ZONE) ? SLOB_UNIT : 0) - trailer_bytes(s);
}

/*
 * Can @size, read from the debug meta of the block at @h, be its object's
 * size?  The meta follows the object (and its right red zone), so an
 * overflow may have overwritten it: a size the block does not hold must
 * never be followed.
 */
static inline bool debug_size_fits(const struct kmem_cache *s, const struct slob_header *h,
				   uint64_t size)
{
	if (s->backend.kind != SLOB_KMALLOC)
		return size == s->object_size;
	return size >= 1 && ALIGN_UP(size, (uint64_t)SLOB_UNIT) == debug_capacity(s, h);
}

/* The seal of a header in use or held: a stray write or a wrong pointer cannot fake one. */
static inline uint32_t slob_seal(const struct slab_allocator *a, const struct slob_header *h,
				 unsigned int units, unsigned int tag)
{
	uint64_t x = ((uintptr_t)h ^ a->backend.key) * 0x9e3779b97f4a7c15ull;

	x = (x ^ (x >> 29) ^ units ^ ((uint64_t)tag << 16)) * 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(x >> 32);
}

static inline void seal_header(const struct slab_allocator *a, struct slob_header *h,
			       unsigned int units, unsigned int tag)
{
	h->units = (uint16_t)units;
	h->tag = (uint16_t)tag;
	h->seal = slob_seal(a, h, units, tag);
}

/* Is @h a header in use or held, sealed by this instance? */
static inline bool header_sealed(const struct slab_allocator *a, const struct slob_header *h)
{
	return h->tag != SLOB_TAG_FREE && h->units >= 2 && h->seal == slob_seal(a, h, h->units, h->tag);
}

static inline bool header_free(const struct slob_header *h)
{
	return h->tag == SLOB_TAG_FREE && (h->seal >> 16) == SLOB_FREE_MARK;
}

static inline uint8_t *page_base(const struct slab_allocator *a, const struct page *page)
{
	return buddy_page_address(a->buddy, page);
}

/* What a free of @object into a cache finds. */
enum slob_verdict {
	SLOB_LIVE,          /* a live object of the cache: the free goes ahead */
	SLOB_ALREADY_FREE,  /* its header says freed: a double free */
	SLOB_NOT_OURS,      /* not the start of a live object of the cache */
};

enum slob_verdict slob_classify(struct kmem_cache *s, struct page *page, const void *object,
				struct slob_header **header);

/* Debug side (mm/slob_debug.c).  Caller holds the allocator's backend.lock. */
void debug_on_alloc(struct kmem_cache *s, struct slob_header *h, size_t size, bool was_held,
		    void *caller);
void debug_on_free(struct kmem_cache *s, struct slob_header *h, void *caller);
void slob_report_double_free(struct kmem_cache *s, struct slob_header *h, const void *object,
			     void *caller);
/* The object size of the block at @h of @s (kmalloc's: from its header or debug meta). */
size_t slob_object_size(const struct kmem_cache *s, struct slob_header *h);

#endif
