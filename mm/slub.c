// SPDX-License-Identifier: MIT
/*
 * SLUB: the slab back-end (interface in mm/slab.h).
 *
 * A slab is a block of 2^order pages from the page allocator, cut into
 * objects of one size.  Its metadata lives in the struct page of its
 * first page (PG_slab): the cache, the object counts and the chain of its
 * free objects, linked through a free pointer stored in each free object.
 *
 * Every slab is in exactly one place:
 *   - this CPU's slab (cache->cpu_slab): its free objects are on the
 *     CPU's own freelist, and allocation and free of its objects touch
 *     only that list, with interrupts off and no lock (the fast path);
 *   - the cache's partial list: some objects free (including empty slabs,
 *     of which at most MAX_EMPTY_SLABS are kept; more go back to the page
 *     allocator, as do all of them on kmem_cache_shrink);
 *   - the cache's full list: no object free.
 * When the CPU's freelist runs out, the CPU slab goes to the full list
 * and a partial slab (or a new one) takes its place.  A free of an object
 * of another slab goes to that slab's own freelist under the cache lock.
 *
 * Free pointers are hardened as Linux's: stored as
 *     next ^ cache->random ^ byteswap(address of the stored pointer)
 * so an overwrite does not hand out an address of the attacker's choice,
 * and a decoded pointer outside its slab is reported as corrupted and not
 * followed (the rest of that freelist is given up).
 *
 * Debug caches (any of SLAB_CONSISTENCY_CHECKS, RED_ZONE, POISON,
 * STORE_USER, per cache or from slab_debug=) skip the CPU slab: every
 * allocation and free takes the cache lock, keeps exact counts, and runs
 * the checks of mm/slub_debug.c.  Only they detect every double free
 * (SLAB_CONSISTENCY_CHECKS looks the object up in its slab's freelist);
 * the fast path catches freeing the object that was just freed.
 *
 * Slab order: the smallest order 0..3 whose leftover tail is at most
 * 1/16 of the slab; failing that, the order with the least waste.
 *
 * Locking: cache->lock ("kmem_cache->lock") guards the cache's lists and
 * counts; the CPU slab is guarded by interrupts being off on its CPU.
 * Lock order: cache->lock is a leaf.  Nothing else is taken while it is
 * held: new slabs come from, and empty slabs go back to, the page
 * allocator (zone->lock) after it is dropped, and no two cache locks are
 * ever held together.  Callers may hold vmap_lock (mm/vmalloc.c) around
 * it.  Interrupts are off while a CPU slab is used.
 */
#include <asm/cpu.h>
#include <kernel.h>
#include <kstring.h>
#include <printk.h>

#include "slab.h"
#include "slub_internal.h"

#define CACHE_LINE 64u
#define MAX_SLAB_ORDER 3u
#define MAX_EMPTY_SLABS 2u
#define MAX_OBJECTS 65535u

/* ---- addresses and free pointers ---------------------------------------- */

static uintptr_t slab_base(struct kmem_cache *s, const struct page *slab)
{
	return (uintptr_t)buddy_page_address(s->allocator->buddy, slab);
}

static size_t slab_bytes(const struct kmem_cache *s)
{
	return PAGE_SIZE << s->order;
}

struct page *slab_page_of(struct slab_allocator *a, const void *address)
{
	return buddy_virt_to_head_page(a->buddy, address);
}

struct kmem_cache *slab_cache_of(struct slab_allocator *a, const void *object)
{
	struct page *page = slab_page_of(a, object);

	return page && (page->flags & PG_slab) ? page->slab_cache : NULL;
}

void *object_at(struct kmem_cache *s, const struct page *slab, unsigned int index)
{
	return (void *)(slab_base(s, slab) + (uintptr_t)index * s->stride + s->red_left);
}

/*
 * The next free object after @object, or NULL; reports and returns NULL if
 * the link is corrupted: outside the slab, or not at an object's start.
 * Slabs are aligned to their size (buddy blocks are, and the direct map
 * keeps that), so "in the same slab" is "equal above bit slab_shift".
 */
static inline void *next_free(struct kmem_cache *s, struct page *slab, void *object)
{
	void *next = free_pointer_decode(s, object);

	if (likely(!next || ((((uintptr_t)next ^ (uintptr_t)object) >> s->slab_shift) == 0 &&
			     object_index(s, slab, next) >= 0)))
		return next;
	report_corrupted_free_pointer(s, slab, object, next);
	return NULL;
}

/* ---- creating a cache --------------------------------------------------- */

static unsigned int choose_order(unsigned int stride)
{
	unsigned int best = 0;
	uint64_t best_waste_per_mille = 1000;

	for (unsigned int order = 0; order <= MAX_SLAB_ORDER; order++) {
		uint64_t bytes = PAGE_SIZE << order, objects = bytes / stride;
		uint64_t waste = bytes - objects * stride;

		if (!objects)
			continue;
		if (waste * 16 <= bytes)
			return order;
		if (waste * 1000 / bytes < best_waste_per_mille) {
			best = order;
			best_waste_per_mille = waste * 1000 / bytes;
		}
	}
	return best;
}

int slab_backend_create(struct slab_allocator *a, struct kmem_cache *s)
{
	unsigned int align = MAX(s->align, (unsigned int)sizeof(void *)), inuse;

	if (s->ctor)
		s->flags &= ~SLAB_POISON; /* a constructed object must keep its state while free */
	if ((s->flags & SLAB_HWCACHE_ALIGN) && s->object_size > CACHE_LINE / 2)
		align = MAX(align, CACHE_LINE);
	if (align & (align - 1))
		return -1;
	s->align = align;
	s->red_left = (s->flags & SLAB_RED_ZONE) ? align : 0;
	inuse = ALIGN_UP(MAX(s->object_size, (unsigned int)sizeof(void *)), (unsigned int)sizeof(void *));
	if ((s->flags & SLAB_RED_ZONE) && inuse == s->object_size)
		inuse += sizeof(void *); /* at least one word of right red zone */
	/*
	 * The free pointer goes after the object if the object must keep its
	 * contents while free, or is smaller than the pointer and red-zoned
	 * (the pointer would overwrite the red zone right after it).
	 */
	if (s->ctor || (s->flags & SLAB_POISON) ||
	    ((s->flags & SLAB_RED_ZONE) && s->object_size < sizeof(void *))) {
		s->free_offset = inuse;
		inuse += sizeof(void *);
	} else {
		s->free_offset = 0;
	}
	if (s->flags & SLAB_STORE_USER) {
		s->track_offset = inuse;
		inuse += 2 * sizeof(struct slab_track);
	}
	s->stride = ALIGN_UP(s->red_left + inuse, align);
	if (s->stride == 0 || s->stride > (PAGE_SIZE << MAX_SLAB_ORDER))
		return -1;
	s->order = choose_order(s->stride);
	s->objects = (unsigned int)MIN((PAGE_SIZE << s->order) / s->stride, (uint64_t)MAX_OBJECTS);
	s->stride_reciprocal = (uint32_t)((((uint64_t)1 << 32) + s->stride - 1) / s->stride);
	s->slab_shift = PAGE_SHIFT + s->order;
	s->slab_mask = ((uintptr_t)1 << s->slab_shift) - 1;
	s->allocator = a;
	spin_lock_init(&s->lock, "kmem_cache->lock");
	INIT_LIST_HEAD(&s->partial);
	INIT_LIST_HEAD(&s->full);
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		s->cpu_slab[cpu] = (struct kmem_cache_cpu){ NULL, NULL };
	return 0;
}

/* ---- slabs -------------------------------------------------------------- */

static bool cache_is_debug(const struct kmem_cache *s)
{
	return s->flags & SLAB_DEBUG_FLAGS;
}

/* Get a new slab from the page allocator and thread its objects. Caller does not hold s->lock. */
static struct page *new_slab(struct kmem_cache *s, gfp_t gfp)
{
	gfp_t page_gfp = (gfp & ~(__GFP_ZERO | __GFP_COMP)) | __GFP_NOWARN | (s->order ? __GFP_COMP : 0);
	struct page *slab;
	void *previous = NULL;

	assert_spin_not_held(&s->lock);
	slab = buddy_alloc(s->allocator->buddy, page_gfp, s->order, NULL);
	if (!slab)
		return NULL;
	slab->flags |= PG_slab;
	slab->slab_cache = s;
	slab->objects = (uint16_t)s->objects;
	slab->inuse = 0;
	INIT_LIST_HEAD(&slab->slab_list);
	for (unsigned int i = s->objects; i-- > 0;) {
		void *object = object_at(s, slab, i);

		if (s->ctor)
			s->ctor(object);
		if (cache_is_debug(s))
			debug_init_free_object(s, object);
		free_pointer_encode(s, object, previous);
		previous = object;
	}
	slab->freelist = previous;
	return slab;
}

/* Give @slab back to the page allocator. The slab is on no list; s->lock is not held. */
static void discard_slab(struct kmem_cache *s, struct page *slab)
{
	assert_spin_not_held(&s->lock);
	slab->flags &= ~PG_slab;
	slab->private = s->order;
	slab->refcount = 1;
	slab->freelist = NULL;
	buddy_free(s->allocator->buddy, slab, s->order, NULL);
}

/*
 * Put a slab that is not the CPU slab on the list its counts call for,
 * discarding it if it is empty and enough empty slabs are kept.  @slab is
 * on no list.  Caller holds s->lock; Return: true if it was discarded.
 */
static bool place_slab(struct kmem_cache *s, struct page *slab)
{
	assert_spin_locked(&s->lock);
	if (slab->inuse == 0) {
		if (s->empty_count >= MAX_EMPTY_SLABS)
			return true;
		s->empty_count++;
	}
	if (slab->inuse == slab->objects) {
		list_add(&slab->slab_list, &s->full);
	} else {
		list_add(&slab->slab_list, &s->partial);
		s->partial_count++;
	}
	return false;
}

/* Take @slab off the list it is on. Caller holds s->lock. */
static inline void unlist_slab(struct kmem_cache *s, struct page *slab)
{
	assert_spin_locked(&s->lock);
	list_del_init(&slab->slab_list);
	if (slab->inuse != slab->objects)
		s->partial_count--;
	if (slab->inuse == 0)
		s->empty_count--;
}

/*
 * Give this CPU's slab back to the lists: objects still on the CPU
 * freelist return to the slab's freelist.  Interrupts off, s->lock held.
 * Return: a slab to discard (free after dropping the lock), or NULL.
 */
static struct page *deactivate_cpu_slab(struct kmem_cache *s, struct kmem_cache_cpu *c)
{
	struct page *slab = c->slab;
	void *object = c->freelist;

	assert_irqs_disabled();
	assert_spin_locked(&s->lock);
	if (!slab)
		return NULL;
	while (object) {
		void *next = next_free(s, slab, object);

		free_pointer_encode(s, object, slab->freelist);
		slab->freelist = object;
		slab->inuse--;
		object = next;
	}
	c->slab = NULL;
	c->freelist = NULL;
	if (!place_slab(s, slab))
		return NULL;
	s->slabs--;
	return slab;
}

/* Make @slab this CPU's slab: its free objects move to the CPU freelist. */
static void activate_cpu_slab(struct kmem_cache_cpu *c, struct page *slab)
{
	c->slab = slab;
	c->freelist = slab->freelist;
	slab->freelist = NULL;
	slab->inuse = slab->objects;
}

/* ---- allocation ---------------------------------------------------------- */

/* Refill this CPU's freelist, then allocate. Interrupts are off on entry and exit. */
static void *alloc_refill(struct kmem_cache *s, struct kmem_cache_cpu *c, gfp_t gfp,
			  uint64_t *irq_flags)
{
	struct page *slab, *discard;
	void *object;

	assert_irqs_disabled();
	allocator_assert_boot_cpu("slab allocation");
	spin_lock(&s->lock);
	discard = deactivate_cpu_slab(s, c);
	if (!list_empty(&s->partial)) {
		slab = list_first_entry(&s->partial, struct page, slab_list);
		unlist_slab(s, slab);
		activate_cpu_slab(c, slab);
		spin_unlock(&s->lock);
	} else {
		spin_unlock(&s->lock);
		local_irq_restore(*irq_flags);
		if (discard)
			discard_slab(s, discard);
		discard = NULL;
		slab = new_slab(s, gfp);
		*irq_flags = local_irq_save();
		if (!slab)
			return NULL;
		spin_lock(&s->lock);
		s->slabs++;
		spin_unlock(&s->lock);
		c = this_cpu_ptr(s->cpu_slab);
		if (c->slab) {
			/* Another path refilled this CPU meanwhile: keep the new slab on the list. */
			spin_lock(&s->lock);
			if (place_slab(s, slab)) {
				s->slabs--;
				discard = slab;
			}
			spin_unlock(&s->lock);
		} else {
			activate_cpu_slab(c, slab);
		}
	}
	if (discard) {
		local_irq_restore(*irq_flags);
		discard_slab(s, discard);
		*irq_flags = local_irq_save();
		c = this_cpu_ptr(s->cpu_slab);
	}
	object = c->freelist;
	if (object)
		c->freelist = next_free(s, c->slab, object);
	return object;
}

static __attribute__((noinline)) void *alloc_slow(struct kmem_cache *s, gfp_t gfp, void *caller)
{
	uint64_t flags;
	void *object;

	if (cache_is_debug(s))
		return debug_alloc(s, gfp, caller);
	flags = local_irq_save();
	object = alloc_refill(s, this_cpu_ptr(s->cpu_slab), gfp, &flags);
	/*
	 * An interrupt may have refilled and emptied this CPU's slab while a
	 * new slab was being allocated (that slab then went on the partial
	 * list): one more try finds it.
	 */
	if (!object)
		object = alloc_refill(s, this_cpu_ptr(s->cpu_slab), gfp, &flags);
	local_irq_restore(flags);
	if (object) {
		s->allocations++;
		if (gfp & __GFP_ZERO)
			memset(object, 0, s->object_size);
	}
	return object;
}

static __attribute__((noinline)) void *zero_object(struct kmem_cache *s, void *object)
{
	memset(object, 0, s->object_size);
	return object;
}

void *slab_backend_alloc(struct kmem_cache *s, gfp_t gfp, void *caller)
{
	struct kmem_cache_cpu *c;
	uint64_t flags;
	void *object;

	if (unlikely(cache_is_debug(s)))
		return alloc_slow(s, gfp, caller);
	flags = local_irq_save();
	c = this_cpu_ptr(s->cpu_slab);
	object = c->freelist;
	if (unlikely(!object)) {
		local_irq_restore(flags);
		return alloc_slow(s, gfp, caller);
	}
	c->freelist = next_free(s, c->slab, object);
	local_irq_restore(flags);
	s->allocations++;
	if (unlikely(gfp & __GFP_ZERO))
		return zero_object(s, object);
	return object;
}

/* Allocate for a debug cache: locked, exact counts, checks (slub_debug.c). */
void *debug_alloc(struct kmem_cache *s, gfp_t gfp, void *caller)
{
	struct page *slab = NULL;
	void *object = NULL;
	uint64_t flags;

	spin_lock_irqsave(&s->lock, flags);
	while (!list_empty(&s->partial) && !object) {
		slab = list_first_entry(&s->partial, struct page, slab_list);
		unlist_slab(s, slab);
		object = slab->freelist;
		if (object) {
			slab->freelist = next_free(s, slab, object);
			/* No next object: the slab is full, or the rest of its list was given up. */
			slab->inuse = slab->freelist ? slab->inuse + 1 : slab->objects;
		} else {
			/* A corrupted freelist was given up: the slab counts as full. */
			slab->inuse = slab->objects;
		}
		place_slab(s, slab);
	}
	spin_unlock_irqrestore(&s->lock, flags);
	if (!object) {
		slab = new_slab(s, gfp);
		if (!slab)
			return NULL;
		spin_lock_irqsave(&s->lock, flags);
		s->slabs++;
		object = slab->freelist;
		slab->freelist = next_free(s, slab, object);
		slab->inuse++;
		place_slab(s, slab);
		spin_unlock_irqrestore(&s->lock, flags);
	}
	debug_on_alloc(s, slab, object, caller);
	s->allocations++;
	if (gfp & __GFP_ZERO)
		memset(object, 0, s->object_size);
	return object;
}

/* ---- free ------------------------------------------------------------------ */

/* Free to a slab that is not this CPU's. Interrupts may be on. */
static __attribute__((noinline)) void free_slow(struct kmem_cache *s, struct page *slab,
						void *object, void *caller)
{
	struct page *discard = NULL;
	uint64_t flags;

	allocator_assert_boot_cpu("slab free");
	spin_lock_irqsave(&s->lock, flags);
	/* Checked and freed under one hold of the lock, so two frees cannot both pass. */
	if (cache_is_debug(s) && !debug_on_free(s, slab, object, caller)) {
		spin_unlock_irqrestore(&s->lock, flags);
		return;
	}
	if (slab == this_cpu_ptr(s->cpu_slab)->slab) {
		/* Became the CPU slab meanwhile. */
		struct kmem_cache_cpu *c = this_cpu_ptr(s->cpu_slab);
		free_pointer_encode(s, object, c->freelist);
		c->freelist = object;
	} else if (unlikely(object == slab->freelist || slab->inuse == 0)) {
		/* Already free: first on its slab's free list, or no object of the slab is in use. */
		spin_unlock_irqrestore(&s->lock, flags);
		report_double_free(s, slab, object, caller);
		return;
	} else {
		unlist_slab(s, slab);
		free_pointer_encode(s, object, slab->freelist);
		slab->freelist = object;
		slab->inuse--;
		if (place_slab(s, slab)) {
			s->slabs--;
			discard = slab;
		}
	}
	s->frees++;
	spin_unlock_irqrestore(&s->lock, flags);
	if (discard)
		discard_slab(s, discard);
}

void slab_free(struct kmem_cache *s, struct page *slab, void *object, void *caller)
{
	if (unlikely(!slab || !(slab->flags & PG_slab) || slab->slab_cache != s)) {
		report_invalid_free(s, slab, object, caller);
		return;
	}
	slab_free_in(s, slab, object, caller);
}

void slab_free_in(struct kmem_cache *s, struct page *slab, void *object, void *caller)
{
	struct kmem_cache_cpu *c;
	uint64_t flags;

	if (unlikely(object_index(s, slab, object) < 0)) {
		report_invalid_free(s, slab, object, caller);
		return;
	}
	if (unlikely(cache_is_debug(s))) {
		free_slow(s, slab, object, caller);
		return;
	}
	flags = local_irq_save();
	c = this_cpu_ptr(s->cpu_slab);
	if (likely(slab == c->slab)) {
		if (unlikely(object == c->freelist)) {
			local_irq_restore(flags);
			report_double_free(s, slab, object, caller);
			return;
		}
		free_pointer_encode(s, object, c->freelist);
		c->freelist = object;
		local_irq_restore(flags);
		s->frees++;
		return;
	}
	local_irq_restore(flags);
	free_slow(s, slab, object, caller);
}

void slab_backend_free(struct kmem_cache *s, void *object, void *caller)
{
	slab_free(s, slab_page_of(s->allocator, object), object, caller);
}

/* ---- shrinking, destroying, statistics ---------------------------------- */

/* Flush this CPU's slab and free every empty slab. */
void slab_backend_shrink(struct kmem_cache *s)
{
	LIST_HEAD(empty);
	struct list_head *node, *next;
	struct page *discard;
	uint64_t flags;

	spin_lock_irqsave(&s->lock, flags);
	/* deactivate_cpu_slab() has already uncounted a slab it returns. */
	discard = deactivate_cpu_slab(s, this_cpu_ptr(s->cpu_slab));
	if (discard)
		list_add(&discard->slab_list, &empty);
	for (node = s->partial.next; node != &s->partial; node = next) {
		struct page *slab = list_entry(node, struct page, slab_list);

		next = node->next;
		if (slab->inuse == 0) {
			unlist_slab(s, slab);
			s->slabs--;
			list_add(&slab->slab_list, &empty);
		}
	}
	spin_unlock_irqrestore(&s->lock, flags);
	while (!list_empty(&empty)) {
		struct page *slab = list_first_entry(&empty, struct page, slab_list);

		list_del_init(&slab->slab_list);
		discard_slab(s, slab);
	}
}

static inline unsigned long objects_in_use_locked(struct kmem_cache *s)
{
	unsigned long in_use = 0;
	struct list_head *node;

	assert_spin_locked(&s->lock);
	list_for_each(node, &s->partial)
		in_use += list_entry(node, struct page, slab_list)->inuse;
	list_for_each(node, &s->full)
		in_use += list_entry(node, struct page, slab_list)->inuse;
	return in_use;
}

unsigned long slab_backend_destroy(struct kmem_cache *s)
{
	unsigned long in_use;
	uint64_t flags;

	slab_backend_shrink(s);
	spin_lock_irqsave(&s->lock, flags);
	in_use = objects_in_use_locked(s);
	spin_unlock_irqrestore(&s->lock, flags);
	return in_use;
}

bool slab_backend_is_object(struct kmem_cache *s, const struct page *slab, const void *object)
{
	return object_index(s, slab, object) >= 0;
}

size_t slab_backend_ksize(struct kmem_cache *s, const void *object)
{
	(void)object;
	return s->object_size;
}

void slab_backend_stats(struct kmem_cache *s, struct slab_stats *stats)
{
	struct kmem_cache_cpu *c;
	uint64_t flags;
	unsigned long cpu_free = 0;

	spin_lock_irqsave(&s->lock, flags);
	c = this_cpu_ptr(s->cpu_slab);
	for (void *object = c->freelist; object && cpu_free <= s->objects &&
	     object_index(s, c->slab, object) >= 0; object = free_pointer_decode(s, object))
		cpu_free++;
	*stats = (struct slab_stats){
		.slabs = s->slabs,
		.objects_total = s->slabs * s->objects,
		.objects_in_use = objects_in_use_locked(s) + (c->slab ? c->slab->inuse - cpu_free : 0),
		.partial = s->partial_count,
		.empty = s->empty_count,
		.stride = s->stride,
		.objects_per_slab = s->objects,
		.order = s->order,
		.bytes_used = (uint64_t)s->slabs * slab_bytes(s),
		.allocations = s->allocations,
		.frees = s->frees,
		.bad_frees = s->bad_frees,
	};
	spin_unlock_irqrestore(&s->lock, flags);
}

const char *slab_backend_check(struct kmem_cache *s)
{
	return slab_check_cache(s);
}
