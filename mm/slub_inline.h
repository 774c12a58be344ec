/* SPDX-License-Identifier: MIT */
/*
 * SLUB's fast paths, inline in the common entry points (kmalloc, kfree,
 * kmem_cache_alloc, kmem_cache_free; mm/slab_backend.h, "Inline fast
 * paths").  Each one works on this CPU's slab alone, with interrupts off
 * and no lock, and hands everything else to the out-of-line functions of
 * mm/slub.c, which check and report it.  The design is in mm/slub.c.
 *
 * One test does the work of three on both paths: is the address an
 * object's start in this CPU's slab (slub_object_at)?  On allocation it
 * vets the next free pointer before it is followed (a corrupted one is
 * reported); on free it says the object may go straight onto the CPU
 * freelist (anything else -- another slab, a foreign pointer, an interior
 * one -- takes the slow path, which sorts it out).
 */
#ifndef FERRITE_MM_SLUB_INLINE_H
#define FERRITE_MM_SLUB_INLINE_H

#include <asm/cpu.h>
#include <kernel.h>

/*
 * Free pointers are stored as next ^ cache key ^ byteswap(where stored),
 * Linux's CONFIG_SLAB_FREELIST_HARDENED encoding.
 */
static inline void *free_pointer_decode(const struct kmem_cache *s, const void *object)
{
	uintptr_t slot = (uintptr_t)object + s->backend.free_offset;

	return (void *)(*(uintptr_t *)slot ^ s->random ^ __builtin_bswap64(slot));
}

static inline void free_pointer_encode(const struct kmem_cache *s, void *object, const void *next)
{
	uintptr_t slot = (uintptr_t)object + s->backend.free_offset;

	*(uintptr_t *)slot = (uintptr_t)next ^ s->random ^ __builtin_bswap64(slot);
}

/*
 * Is @address the start of one of the objects of the slab whose first
 * object is at @first?  That is: address - first == index * stride with
 * index < objects, tested without a division (Granlund and Montgomery's
 * test): the stride is odd * 2^shift; multiplying the offset by the odd
 * part's inverse modulo 2^64 and rotating the product right by shift
 * gives the index when the stride divides the offset, and a number above
 * 2^64 / stride (more than any slab holds) when it does not.  Worked
 * example, stride 384 = 3 * 2^7, inverse of 3 = 0xaaaaaaaaaaaaaaab:
 * offset 768 gives 256 -> rotated 2 (object 2); offset 100 gives a
 * product whose low 7 bits are not 0 -> rotated into the top: huge.  An
 * address below @first wraps to a huge offset, so one comparison bounds
 * both sides.
 */
static inline __attribute__((always_inline)) bool slub_object_at(const struct kmem_cache *s,
								  uintptr_t first, const void *address)
{
	uint64_t product = ((uintptr_t)address - first) * s->backend.stride_inverse;
	unsigned int shift = s->backend.stride_shift;

	return ((product >> shift) | (product << ((64 - shift) & 63))) < s->backend.objects_bound;
}

/* The out-of-line halves (mm/slub.c). */
void *slub_alloc_slow(struct kmem_cache *s, gfp_t gfp, void *caller);
void *slub_zero_object(struct kmem_cache *s, void *object, uint64_t irq_flags);
void *slub_alloc_chain_end(struct kmem_cache *s, struct kmem_cache_cpu *c, void *object, void *next,
			   uint64_t irq_flags, gfp_t gfp);

/* slab_backend_alloc(), its fast path inline. */
static inline __attribute__((always_inline)) void *slab_backend_alloc_inline(struct kmem_cache *s,
									      gfp_t gfp, void *caller)
{
	uint64_t flags = local_irq_save();
	struct kmem_cache_cpu *c = this_cpu_ptr(s->backend.cpu_slab);
	void *object = c->freelist, *next;

	/* A debug cache never has a CPU slab: its allocations all take the slow path. */
	if (unlikely(!object)) {
		local_irq_restore(flags);
		return slub_alloc_slow(s, gfp, caller);
	}
	next = free_pointer_decode(s, object);
	/* The end of the chain (NULL) and a corrupted link both fail the test. */
	if (unlikely(!slub_object_at(s, c->first, next)))
		return slub_alloc_chain_end(s, c, object, next, flags, gfp);
	c->freelist = next;
	if (unlikely(gfp & __GFP_ZERO))
		return slub_zero_object(s, object, flags);
	local_irq_restore(flags);
	return object;
}

static inline __attribute__((always_inline)) void *slab_backend_kmalloc_inline(
	struct slab_allocator *a, size_t size, gfp_t gfp, void *caller)
{
	return slab_backend_alloc_inline(kmalloc_slab(a, size), gfp, caller);
}

/*
 * Push @object onto this CPU's freelist if it is an object of the CPU
 * slab and not the one freed last (an immediate double free).
 * Return: false if the slow path must decide.
 */
static inline __attribute__((always_inline)) bool slub_free_fast(struct kmem_cache *s, void *object)
{
	uint64_t flags = local_irq_save();
	struct kmem_cache_cpu *c = this_cpu_ptr(s->backend.cpu_slab);
	void *first_free = c->freelist;

	if (likely(slub_object_at(s, c->first, object) && object != first_free)) {
		free_pointer_encode(s, object, first_free);
		c->freelist = object;
		c->frees++;
		local_irq_restore(flags);
		return true;
	}
	local_irq_restore(flags);
	return false;
}

/* slab_backend_free(), its fast path inline. */
static inline __attribute__((always_inline)) void slab_backend_free_inline(struct kmem_cache *s,
									    void *object, void *caller)
{
	if (!slub_free_fast(s, object))
		slab_backend_free(s, object, caller);
}

/* slab_backend_kfree(), its fast path inline. */
static inline __attribute__((always_inline)) void slab_backend_kfree_inline(
	struct slab_allocator *a, struct page *slab, void *object, void *caller)
{
	if (!slub_free_fast(slab->slab_cache, object))
		slab_backend_kfree(a, slab, object, caller);
}

#endif
