/* SPDX-License-Identifier: MIT */
/*
 * SLAB's fast paths, inline in the common entry points (kmalloc, kfree,
 * kmem_cache_alloc, kmem_cache_free; mm/slab_backend.h, "Inline fast
 * paths"): a pop from, or a push onto, this CPU's array with interrupts
 * off and no lock.  Everything else -- no array, an empty or full one, a
 * debug cache, a doubtful free -- goes to the out-of-line functions of
 * mm/slab.c, which refill, flush, check and report.  The design is in
 * mm/slab.c.
 */
#ifndef FERRITE_MM_SLAB_INLINE_H
#define FERRITE_MM_SLAB_INLINE_H

#include <asm/cpu.h>
#include <kernel.h>
#include <kstring.h>

static inline struct slab_freelist *slab_mgmt(const struct page *slab)
{
	return slab->freelist;
}

/*
 * The cache of @slab, a slab when the caller looked, read before its
 * management block (object_index()): if the slab is being given back
 * meanwhile, this is its order, not a cache, and the block reads NULL.
 */
static inline struct kmem_cache *slab_owner(const struct page *slab)
{
	return __atomic_load_n(&slab->slab_cache, __ATOMIC_ACQUIRE);
}

/*
 * The index of @object in @slab, or -1 if it is not an object's start.
 * Slabs are aligned to their size, so the offset in the slab comes from
 * the address alone; the division by the stride is a multiplication by
 * its reciprocal, exact for offsets below 2^32 / stride.
 */
static inline long object_index(struct kmem_cache *s, const struct page *slab, const void *object)
{
	/*
	 * The management block before anything of @s: it is NULL once the
	 * slab is being given back (a free racing its release), and @s, read
	 * from slab_cache, may then be the slab's order (private shares its
	 * storage; destroy_slabs() writes it after the NULL).  No object then.
	 */
	const struct slab_freelist *mgmt = __atomic_load_n(&slab->freelist, __ATOMIC_ACQUIRE);
	uintptr_t offset, start;
	uint64_t index;

	if (unlikely(!mgmt))
		return -1;
	offset = (uintptr_t)object & s->backend.slab_mask;
	start = mgmt->first_object + s->backend.red_left;
	if (unlikely(offset < start))
		return -1;
	offset -= start;
	index = (offset * (uint64_t)s->backend.stride_reciprocal) >> 32;
	if (unlikely(index >= s->backend.objects || index * s->backend.stride != offset))
		return -1;
	return (long)index;
}

/* The out-of-line half (mm/slab.c): refill this CPU's array, or a debug cache's locked path. */
void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfp, void *caller);

/* slab_backend_alloc(), its fast path inline: pop this CPU's array. */
static inline __attribute__((always_inline)) void *slab_backend_alloc_inline(struct kmem_cache *s,
									      gfp_t gfp, void *caller)
{
	uint64_t flags = local_irq_save();
	struct array_cache *ac = *this_cpu_ptr(s->backend.cpu_array);
	void *object;

	/* A debug cache never has an array: all its allocations take the slow path. */
	if (unlikely(!ac || !ac->avail)) {
		local_irq_restore(flags);
		return slab_alloc_slow(s, gfp, caller);
	}
	object = ac->entry[--ac->avail];
	ac->touched = 1;
	ac->allocations++;
	local_irq_restore(flags);
	if (unlikely(gfp & __GFP_ZERO))
		memset(object, 0, s->object_size);
	return object;
}

static inline __attribute__((always_inline)) void *slab_backend_kmalloc_inline(
	struct slab_allocator *a, size_t size, gfp_t gfp, void *caller)
{
	return slab_backend_alloc_inline(kmalloc_slab(a, size), gfp, caller);
}

/*
 * Push @object, an object's start in @slab of @s, onto this CPU's array
 * if it has room and the object is not the one freed last (an immediate
 * double free).  Return: false if the slow path must decide.
 */
static inline __attribute__((always_inline)) bool slab_free_fast(struct kmem_cache *s,
								  const struct page *slab, void *object)
{
	struct array_cache *ac;
	uint64_t flags;

	if (unlikely(object_index(s, slab, object) < 0))
		return false;
	flags = local_irq_save();
	ac = *this_cpu_ptr(s->backend.cpu_array);
	if (likely(ac && ac->avail < ac->limit && (!ac->avail || ac->entry[ac->avail - 1] != object))) {
		ac->entry[ac->avail++] = object;
		ac->frees++;
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
	struct page *slab = buddy_virt_to_head_page(s->allocator->buddy, object);

	if (likely(slab && (slab->flags & PG_slab) && slab->slab_cache == s) &&
	    slab_free_fast(s, slab, object))
		return;
	slab_backend_free(s, object, caller);
}

/* slab_backend_kfree(), its fast path inline. */
static inline __attribute__((always_inline)) void slab_backend_kfree_inline(
	struct slab_allocator *a, struct page *slab, void *object, void *caller)
{
	if (!slab_free_fast(slab_owner(slab), slab, object))
		slab_backend_kfree(a, slab, object, caller);
}

#endif
