// SPDX-License-Identifier: MIT
/*
 * SLUB: per-CPU slabs, no queues (interface in mm/slab_backend.h; its
 * part of the instance structures is in mm/slub_def.h).
 *
 * A slab is a block of 2^order pages from the page allocator, cut into
 * objects of one size.  Its metadata lives in the struct page of its
 * first page (PG_slab): the cache, the object counts and the chain of its
 * free objects, linked through a free pointer stored in each free object.
 *
 * Every slab is in exactly one state:
 *   - frozen: some CPU's slab (cache->cpu_slab[cpu].slab).  Its free
 *     objects are on two chains: the CPU's own freelist, which only that
 *     CPU touches, with interrupts off and no lock (the fast path), and
 *     the slab's freelist, onto which other CPUs push the objects they
 *     free ("remote frees") with a compare-and-exchange, no lock either.
 *     The owner takes that whole chain in one exchange when its own runs
 *     out.  A frozen slab is on no list, and its inuse count means nothing
 *     until it is unfrozen;
 *   - on the cache's partial list: some objects free (including empty
 *     slabs, of which at most max_empty are kept; more go back to
 *     the page allocator, as do all of them on kmem_cache_shrink);
 *   - on the cache's full list: no object free.
 * The frozen state is bit 0 of page->freelist (SLAB_FROZEN; objects are
 * at least 8-byte aligned), so a remote free sees the state and pushes in
 * one atomic step: if the slab was unfrozen meanwhile, the exchange
 * fails, and the free goes to the slab's freelist under the cache lock.
 * A slab is frozen and unfrozen only under the cache lock (or, for a new
 * slab, before anyone else can see it).
 *
 * When a CPU's freelist runs out it first takes its slab's remote frees;
 * only if there are none does it unfreeze the slab (onto the full list)
 * and freeze a partial slab (or a new one) in its place.  A free of an
 * object of a slab that is not frozen goes to that slab's own freelist
 * under the cache lock.
 *
 * Other CPUs' slabs are reached only on their own CPU, through a cross
 * call (on_each_cpu): kmem_cache_shrink and kmem_cache_destroy unfreeze
 * every CPU's slab first; statistics and slab_check() read each CPU's
 * slab there.
 *
 * Free pointers are hardened as Linux's: stored as
 *     next ^ cache->random ^ byteswap(address of the stored pointer)
 * so an overwrite does not hand out an address of the attacker's choice,
 * and a decoded pointer outside its slab is reported as corrupted and not
 * followed (the rest of that freelist is given up).
 *
 * Debug caches (any of SLAB_CONSISTENCY_CHECKS, RED_ZONE, POISON,
 * STORE_USER, per cache or from slab_debug=) never freeze a slab: every
 * allocation and free takes the cache lock, keeps exact counts, and runs
 * the checks of mm/slub_debug.c.  Only they detect every double free
 * (SLAB_CONSISTENCY_CHECKS looks the object up in its slab's freelist);
 * the other paths catch freeing the object that was just freed (the head
 * of the CPU's freelist or of the slab's), and a free into a slab whose
 * objects are all free.
 *
 * Slab order, as Linux's calculate_order on one CPU: the smallest order
 * 0..3 that holds at least MIN_OBJECTS objects (or as many as order 3
 * holds) with a leftover tail of at most 1/16 of the slab; failing that,
 * the order with the least waste.  kmalloc-4096 thus has 8 objects in a
 * slab of 32 KiB, so that a run of frees mostly stays in slabs that are
 * not given back, and one slab of 8 is allocated and freed at a time.
 *
 * Locking: the CPU slab is guarded by interrupts being off on its CPU;
 * a frozen slab's remote chain by atomic exchanges; cache->lock
 * ("kmem_cache->lock") guards the lists, the counts and the frozen state.
 * Lock order: the allocator's cache-list lock ("slab_allocator->lock"),
 * then cache->lock, then the page allocator's zone lock.  No two cache
 * locks are ever held together, and new slabs are taken from, and empty
 * slabs given back to, the page allocator after cache->lock is dropped.
 * Callers may hold vmap_lock (mm/vmalloc.c) around it.
 *
 * Interrupt context: allocation with GFP_ATOMIC/GFP_NOWAIT and free may
 * run in an interrupt handler; every path that holds cache->lock has
 * interrupts off.  Cross-call handlers take cache->lock, so nothing waits
 * for a cross call while holding it.
 */
#include <asm/cpu.h>
#include <kernel.h>
#include <lock_stat.h>
#include <kstring.h>
#include <printk.h>

#include "slab.h"
#include "slub_internal.h"

#define CACHE_LINE 64u
#define MAX_SLAB_ORDER 3u
#define MIN_OBJECTS 8u
/*
 * Empty slabs kept per cache: log2(stride) / 2 within these bounds.
 * Linux keeps min_partial (the same formula within 5..10) on the node's
 * list and a few more slabs on each CPU's partial list; SLUB here keeps
 * them all on the one list.
 */
#define MIN_EMPTY_SLABS 8u
#define MAX_EMPTY_SLABS 12u
#define MAX_OBJECTS 65535u

/* ---- addresses and free pointers ---------------------------------------- */

static uintptr_t slab_base(struct kmem_cache *s, const struct page *slab)
{
	return (uintptr_t)buddy_page_address(s->allocator->buddy, slab);
}

static size_t slab_bytes(const struct kmem_cache *s)
{
	return PAGE_SIZE << s->backend.order;
}

struct page *slab_page_of(struct slab_allocator *a, const void *address)
{
	return buddy_virt_to_head_page(a->buddy, address);
}

struct kmem_cache *slab_backend_cache_of(struct slab_allocator *a, struct page *slab,
					 const void *object)
{
	struct kmem_cache *s = slab->slab_cache;

	(void)a;
	return s && object_index(s, slab, object) >= 0 ? s : NULL;
}

void *object_at(struct kmem_cache *s, const struct page *slab, unsigned int index)
{
	return (void *)(slab_base(s, slab) + (uintptr_t)index * s->backend.stride + s->backend.red_left);
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

	if (likely(!next || ((((uintptr_t)next ^ (uintptr_t)object) >> s->backend.slab_shift) == 0 &&
			     object_index(s, slab, next) >= 0)))
		return next;
	report_corrupted_free_pointer(s, slab, object, next);
	return NULL;
}

/* ---- creating a cache --------------------------------------------------- */

static unsigned int choose_order(unsigned int stride)
{
	uint64_t min_objects = MIN(MIN_OBJECTS, (PAGE_SIZE << MAX_SLAB_ORDER) / stride);
	uint64_t best_waste_per_mille = 1000;
	unsigned int best = 0;

	for (unsigned int order = 0; order <= MAX_SLAB_ORDER; order++) {
		uint64_t bytes = PAGE_SIZE << order, objects = bytes / stride;
		uint64_t waste = bytes - objects * stride;

		if (!objects)
			continue;
		if (objects >= min_objects && waste * 16 <= bytes)
			return order;
		if (waste * 1000 / bytes < best_waste_per_mille) {
			best = order;
			best_waste_per_mille = waste * 1000 / bytes;
		}
	}
	return best;
}

/*
 * The inverse of odd @d modulo 2^64 (slub_object_at): Newton's iteration
 * x = x * (2 - d * x) doubles the bits that are right, and x = d is right
 * in 3 (d * d == 1 modulo 8 for every odd d): 3, 6, 12, 24, 48, 96.
 */
static uint64_t odd_inverse(uint64_t d)
{
	uint64_t x = d;

	for (int i = 0; i < 5; i++)
		x *= 2 - d * x;
	return x;
}

void slab_backend_init(struct slab_allocator *a)
{
	(void)a; /* SLUB keeps nothing per instance */
}

int slab_backend_create(struct kmem_cache *s)
{
	unsigned int align = MAX(s->align, (unsigned int)sizeof(void *)), inuse;

	if ((s->flags & SLAB_HWCACHE_ALIGN) && s->object_size > CACHE_LINE / 2)
		align = MAX(align, CACHE_LINE);
	if (align & (align - 1))
		return -1;
	s->align = align;
	s->backend.red_left = (s->flags & SLAB_RED_ZONE) ? align : 0;
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
		s->backend.free_offset = inuse;
		inuse += sizeof(void *);
	} else {
		s->backend.free_offset = 0;
	}
	if (s->flags & SLAB_STORE_USER) {
		s->backend.track_offset = inuse;
		inuse += 2 * sizeof(struct slab_track);
	}
	s->backend.stride = ALIGN_UP(s->backend.red_left + inuse, align);
	if (s->backend.stride == 0 || s->backend.stride > (PAGE_SIZE << MAX_SLAB_ORDER))
		return -1;
	s->backend.order = choose_order(s->backend.stride);
	s->backend.objects = (unsigned int)MIN((PAGE_SIZE << s->backend.order) / s->backend.stride, (uint64_t)MAX_OBJECTS);
	s->backend.stride_reciprocal = (uint32_t)((((uint64_t)1 << 32) + s->backend.stride - 1) / s->backend.stride);
	s->backend.stride_shift = (unsigned int)__builtin_ctz(s->backend.stride);
	s->backend.stride_inverse = odd_inverse(s->backend.stride >> s->backend.stride_shift);
	s->backend.objects_bound = s->backend.objects;
	s->backend.max_empty = MIN(MAX((31u - (unsigned int)__builtin_clz(s->backend.stride)) / 2,
				       MIN_EMPTY_SLABS), MAX_EMPTY_SLABS);
	s->backend.slab_shift = PAGE_SHIFT + s->backend.order;
	s->backend.slab_mask = ((uintptr_t)1 << s->backend.slab_shift) - 1;
	spin_lock_init(&s->backend.lock, "kmem_cache->lock");
	INIT_LIST_HEAD(&s->backend.partial);
	INIT_LIST_HEAD(&s->backend.full);
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		s->backend.cpu_slab[cpu] = (struct kmem_cache_cpu){ .first = SLUB_NO_CPU_SLAB };
	return 0;
}


/* ---- slabs -------------------------------------------------------------- */

static bool cache_is_debug(const struct kmem_cache *s)
{
	return s->flags & SLAB_DEBUG_FLAGS;
}

/* Get a new slab from the page allocator and thread its objects. Caller does not hold s->backend.lock. */
static struct page *new_slab(struct kmem_cache *s, gfp_t gfp)
{
	gfp_t page_gfp = (gfp & ~(__GFP_ZERO | __GFP_COMP)) | __GFP_NOWARN | (s->backend.order ? __GFP_COMP : 0);
	struct page *slab;
	void *previous = NULL;

	assert_spin_not_held(&s->backend.lock);
	slab = buddy_alloc(s->allocator->buddy, page_gfp, s->backend.order, NULL);
	if (!slab)
		return NULL;
	/* Atomic: the buddy merge reads a neighbour's flags without a lock. */
	__atomic_or_fetch(&slab->flags, PG_slab, __ATOMIC_RELEASE);
	slab->slab_cache = s;
	slab->objects = (uint16_t)s->backend.objects;
	slab->inuse = 0;
	INIT_LIST_HEAD(&slab->slab_list);
	for (unsigned int i = s->backend.objects; i-- > 0;) {
		void *object = object_at(s, slab, i);

		if (s->ctor)
			s->ctor(object);
		if (cache_is_debug(s))
			debug_init_free_object(s, object);
		free_pointer_encode(s, object, previous);
		previous = object;
	}
	set_slab_freelist(slab, previous);
	return slab;
}

/*
 * Mark @slab as no longer the cache's, so that a late free of one of its
 * objects is refused (under the lock, or by its PG_slab test).  The slab
 * is on no list and uncounted.  Caller holds s->backend.lock.
 */
static void retire_slab(struct kmem_cache *s, struct page *slab)
{
	assert_spin_locked(&s->backend.lock);
	__atomic_and_fetch(&slab->flags, ~PG_slab, __ATOMIC_RELAXED);
	set_slab_freelist(slab, NULL);
}

/* Give a retired @slab back to the page allocator. The slab is on no list; s->backend.lock is not held. */
static void discard_slab(struct kmem_cache *s, struct page *slab)
{
	assert_spin_not_held(&s->backend.lock);
	slab->private = s->backend.order;
	slab->refcount = 1;
	buddy_free(s->allocator->buddy, slab, s->backend.order, NULL);
}

/*
 * Put a slab that is not frozen on the list its counts call for.  If it
 * is empty and enough empty slabs are kept already, and @may_discard,
 * retire it instead.  @slab is on no list.  Caller holds s->backend.lock.
 * Return: true if it was retired (the caller discards it after unlocking).
 */
static bool place_slab(struct kmem_cache *s, struct page *slab, bool may_discard)
{
	assert_spin_locked(&s->backend.lock);
	if (slab->inuse == 0) {
		if (may_discard && s->backend.empty_count >= s->backend.max_empty) {
			s->backend.slabs--;
			retire_slab(s, slab);
			return true;
		}
		s->backend.empty_count++;
	}
	if (slab->inuse == slab->objects) {
		list_add(&slab->slab_list, &s->backend.full);
	} else {
		list_add(&slab->slab_list, &s->backend.partial);
		s->backend.partial_count++;
	}
	return false;
}

/* Take @slab off the list it is on. Caller holds s->backend.lock. */
static inline void unlist_slab(struct kmem_cache *s, struct page *slab)
{
	assert_spin_locked(&s->backend.lock);
	list_del_init(&slab->slab_list);
	if (slab->inuse != slab->objects)
		s->backend.partial_count--;
	if (slab->inuse == 0)
		s->backend.empty_count--;
}

/*
 * Move the chain from @object onto the chain @*head; a corrupted link
 * ends the chain (reported; the rest stays in use for good).
 * Return: how many objects moved.
 */
static unsigned int move_chain(struct kmem_cache *s, struct page *slab, void *object, void **head)
{
	unsigned int moved = 0;

	while (object && moved < slab->objects) {
		void *next = next_free(s, slab, object);

		free_pointer_encode(s, object, *head);
		*head = object;
		object = next;
		moved++;
	}
	return moved;
}

/*
 * Unfreeze this CPU's slab: the objects on the CPU freelist and those
 * other CPUs pushed meanwhile return to the slab's freelist, and the slab
 * goes on a list.  Interrupts off, s->backend.lock held.
 * Return: a retired slab to discard after unlocking, or NULL.
 */
static struct page *deactivate_cpu_slab(struct kmem_cache *s, struct kmem_cache_cpu *c,
					bool may_discard)
{
	struct page *slab = c->slab;
	void *remote, *head = NULL;
	unsigned int free;

	assert_irqs_disabled();
	assert_spin_locked(&s->backend.lock);
	if (!slab)
		return NULL;
	/* From here on, remote frees find the slab unfrozen and wait for the lock. */
	remote = (void *)((uintptr_t)__atomic_exchange_n(&slab->freelist, NULL, __ATOMIC_ACQ_REL) &
			  ~SLAB_FROZEN);
	free = move_chain(s, slab, remote, &head);
	free += move_chain(s, slab, c->freelist, &head);
	c->slab = NULL;
	c->freelist = NULL;
	c->first = SLUB_NO_CPU_SLAB;
	set_slab_freelist(slab, head);
	slab->inuse = (uint16_t)(free < slab->objects ? slab->objects - free : 0);
	s->backend.frozen_count--;
	return place_slab(s, slab, may_discard) ? slab : NULL;
}

/* Freeze @slab as this CPU's: its free objects move to the CPU freelist. s->backend.lock held or @slab new. */
static void activate_cpu_slab(struct kmem_cache *s, struct kmem_cache_cpu *c, struct page *slab)
{
	c->slab = slab;
	c->freelist = slab_freelist(slab);
	c->first = slab_base(s, slab) + s->backend.red_left;
	slab->inuse = slab->objects;
	s->backend.frozen_count++;
	__atomic_store_n(&slab->freelist, (void *)SLAB_FROZEN, __ATOMIC_RELEASE);
}

/*
 * Take the objects other CPUs freed into this CPU's slab onto the CPU
 * freelist, leaving the slab frozen.  Interrupts off.
 * Return: true if there were any.
 */
static inline bool take_remote_frees(struct kmem_cache_cpu *c)
{
	uintptr_t chain;

	if (!c->slab)
		return false;
	/* A plain load first: no exchange (a write to a shared line) when nothing came. */
	if (slab_freelist_word(c->slab) == SLAB_FROZEN)
		return false;
	chain = (uintptr_t)__atomic_exchange_n(&c->slab->freelist, (void *)SLAB_FROZEN,
					       __ATOMIC_ACQUIRE);
	c->freelist = (void *)(chain & ~SLAB_FROZEN);
	return c->freelist != NULL;
}

/* ---- allocation ---------------------------------------------------------- */

/* Pop the CPU freelist's first object. Interrupts off; the freelist is not empty. */
static inline void *take_cpu_object(struct kmem_cache *s, struct kmem_cache_cpu *c)
{
	void *object = c->freelist;

	c->freelist = next_free(s, c->slab, object);
	return object;
}

/*
 * Refill this CPU's freelist, then allocate: remote frees into its slab
 * first, then a partial slab, then a new one.  Interrupts are off on
 * entry and exit (on while a new slab is allocated).
 */
static void *alloc_refill(struct kmem_cache *s, gfp_t gfp, uint64_t *irq_flags)
{
	struct kmem_cache_cpu *c = this_cpu_ptr(s->backend.cpu_slab);
	struct page *slab, *discard;

	assert_irqs_disabled();
	if (c->freelist || take_remote_frees(c))
		return take_cpu_object(s, c);
	spin_lock(&s->backend.lock);
	count_shared_lock();
	discard = deactivate_cpu_slab(s, c, true);
	if (!list_empty(&s->backend.partial)) {
		slab = list_first_entry(&s->backend.partial, struct page, slab_list);
		unlist_slab(s, slab);
		activate_cpu_slab(s, c, slab);
		spin_unlock(&s->backend.lock);
	} else {
		spin_unlock(&s->backend.lock);
		local_irq_restore(*irq_flags);
		if (discard)
			discard_slab(s, discard);
		discard = NULL;
		slab = new_slab(s, gfp);
		*irq_flags = local_irq_save();
		if (!slab)
			return NULL;
		c = this_cpu_ptr(s->backend.cpu_slab);
		spin_lock(&s->backend.lock);
		count_shared_lock();
		s->backend.slabs++;
		if (c->slab) {
			/* An interrupt handler refilled this CPU meanwhile: list the new slab. */
			if (place_slab(s, slab, true))
				discard = slab;
		} else {
			activate_cpu_slab(s, c, slab);
		}
		spin_unlock(&s->backend.lock);
	}
	if (discard) {
		local_irq_restore(*irq_flags);
		discard_slab(s, discard);
		*irq_flags = local_irq_save();
		c = this_cpu_ptr(s->backend.cpu_slab);
	}
	return c->freelist ? take_cpu_object(s, c) : NULL;
}

/* Allocate when this CPU's freelist is empty, or for a debug cache. Interrupts on or off. */
__attribute__((noinline)) void *slub_alloc_slow(struct kmem_cache *s, gfp_t gfp, void *caller)
{
	uint64_t flags;
	void *object;

	if (cache_is_debug(s))
		return debug_alloc(s, gfp, caller);
	flags = local_irq_save();
	object = alloc_refill(s, gfp, &flags);
	/*
	 * An interrupt may have refilled and emptied this CPU's slab while a
	 * new slab was being allocated (that slab then went on the partial
	 * list): one more try finds it.
	 */
	if (!object)
		object = alloc_refill(s, gfp, &flags);
	local_irq_restore(flags);
	if (object && (gfp & __GFP_ZERO))
		memset(object, 0, s->object_size);
	return object;
}

/* __GFP_ZERO for an object the fast path took: interrupts back as @irq_flags say, then zero. */
__attribute__((noinline)) void *slub_zero_object(struct kmem_cache *s, void *object,
						 uint64_t irq_flags)
{
	local_irq_restore(irq_flags);
	memset(object, 0, s->object_size);
	return object;
}

/*
 * The end of the fast path when the next free pointer @next, read from
 * @object, is not an object of this CPU's slab: the end of the chain
 * (NULL), or a corrupted link, reported and not followed (the rest of the
 * chain is given up).  Interrupts are off on entry, as @irq_flags say on
 * return.  Return: @object, zeroed for __GFP_ZERO.
 */
__attribute__((noinline)) void *slub_alloc_chain_end(struct kmem_cache *s, struct kmem_cache_cpu *c,
						     void *object, void *next, uint64_t irq_flags,
						     gfp_t gfp)
{
	if (next)
		report_corrupted_free_pointer(s, c->slab, object, next);
	c->freelist = NULL;
	local_irq_restore(irq_flags);
	if (gfp & __GFP_ZERO)
		memset(object, 0, s->object_size);
	return object;
}

void *slab_backend_alloc(struct kmem_cache *s, gfp_t gfp, void *caller)
{
	return slab_backend_alloc_inline(s, gfp, caller);
}

/* Count frees on this CPU (slow paths, interrupts on or off). */
static void count_cpu_frees(struct kmem_cache *s, unsigned int frees)
{
	uint64_t flags = local_irq_save();

	this_cpu_ptr(s->backend.cpu_slab)->frees += frees;
	local_irq_restore(flags);
}

/* Allocate for a debug cache: locked, exact counts, checks (slub_debug.c). */
void *debug_alloc(struct kmem_cache *s, gfp_t gfp, void *caller)
{
	struct page *slab = NULL;
	void *object = NULL;
	uint64_t flags;

	spin_lock_irqsave(&s->backend.lock, flags);
	count_shared_lock();
	while (!list_empty(&s->backend.partial) && !object) {
		slab = list_first_entry(&s->backend.partial, struct page, slab_list);
		unlist_slab(s, slab);
		object = slab_freelist(slab);
		if (object) {
			set_slab_freelist(slab, next_free(s, slab, object));
			/* No next object: the slab is full, or the rest of its list was given up. */
			slab->inuse = slab_freelist(slab) ? slab->inuse + 1 : slab->objects;
		} else {
			/* A corrupted freelist was given up: the slab counts as full. */
			slab->inuse = slab->objects;
		}
		place_slab(s, slab, false);
	}
	/* Marked in use under the lock that took it: the validator never sees it half-way. */
	if (object)
		debug_on_alloc(s, slab, object, caller);
	spin_unlock_irqrestore(&s->backend.lock, flags);
	if (!object) {
		slab = new_slab(s, gfp);
		if (!slab)
			return NULL;
		spin_lock_irqsave(&s->backend.lock, flags);
		count_shared_lock();
		s->backend.slabs++;
		object = slab_freelist(slab);
		set_slab_freelist(slab, next_free(s, slab, object));
		slab->inuse++;
		place_slab(s, slab, false);
		debug_on_alloc(s, slab, object, caller);
		spin_unlock_irqrestore(&s->backend.lock, flags);
	}
	if (gfp & __GFP_ZERO)
		memset(object, 0, s->object_size);
	return object;
}

/* ---- free ------------------------------------------------------------------ */

/*
 * Push @object onto the remote chain of @slab if the slab is frozen (some
 * CPU's, maybe this one's).  Lock-free: only pushes and the owner's
 * take-all touch the chain, so the exchange has no ABA problem.
 * Return: false if the slab is not frozen (the caller takes the lock).
 */
static bool free_to_frozen(struct kmem_cache *s, struct page *slab, void *object, void *caller)
{
	uintptr_t word = slab_freelist_word(slab);

	do {
		void *first = (void *)(word & ~SLAB_FROZEN);

		if (!(word & SLAB_FROZEN))
			return false;
		if (unlikely(object == first)) {
			report_double_free(s, slab, object, caller);
			return true;
		}
		free_pointer_encode(s, object, first);
	} while (!__atomic_compare_exchange_n(&slab->freelist, (void **)&word,
					      (void *)((uintptr_t)object | SLAB_FROZEN), true,
					      __ATOMIC_RELEASE, __ATOMIC_ACQUIRE));
	count_cpu_frees(s, 1);
	return true;
}

/*
 * Free to a slab that is not this CPU's: onto its remote chain if it is
 * frozen, else onto its freelist under the cache lock.  Interrupts may be on.
 */
static __attribute__((noinline)) void free_slow(struct kmem_cache *s, struct page *slab,
						void *object, void *caller)
{
	struct page *discard = NULL;
	uint64_t flags;
	uintptr_t word;
	void *first;

	if ((slab_freelist_word(slab) & SLAB_FROZEN) && free_to_frozen(s, slab, object, caller))
		return;
	spin_lock_irqsave(&s->backend.lock, flags);
	count_shared_lock();
	/* A destroy retires every slab in the hold of the lock that marks the cache dying. */
	if (unlikely(!(__atomic_load_n(&slab->flags, __ATOMIC_RELAXED) & PG_slab) ||
		     slab->slab_cache != s)) {
		bool dying = s->backend.dying;

		spin_unlock_irqrestore(&s->backend.lock, flags);
		if (dying)
			slab_report_destroyed_cache_free(s, object, caller);
		else /* its slab was given back meanwhile: every object of it was free */
			report_double_free(s, slab, object, caller);
		return;
	}
	word = slab_freelist_word(slab);
	if (word & SLAB_FROZEN) {
		/* Frozen meanwhile (a slab is frozen only under the lock): push it there. */
		spin_unlock_irqrestore(&s->backend.lock, flags);
		if (!free_to_frozen(s, slab, object, caller))
			free_slow(s, slab, object, caller);
		return;
	}
	/* Checked and freed under one hold of the lock, so two frees cannot both pass. */
	if (cache_is_debug(s) && !debug_on_free(s, slab, object, caller)) {
		spin_unlock_irqrestore(&s->backend.lock, flags);
		return;
	}
	first = (void *)word;
	if (unlikely(object == first || slab->inuse == 0)) {
		/* Already free: first on its slab's free list, or no object of the slab is in use. */
		spin_unlock_irqrestore(&s->backend.lock, flags);
		report_double_free(s, slab, object, caller);
		return;
	}
	free_pointer_encode(s, object, first);
	set_slab_freelist(slab, object);
	if (slab->inuse == slab->objects || slab->inuse == 1) {
		/* From the full list, or now empty: it changes lists. */
		unlist_slab(s, slab);
		slab->inuse--;
		if (place_slab(s, slab, true))
			discard = slab;
	} else {
		slab->inuse--;  /* a partial slab stays partial */
	}
	this_cpu_ptr(s->backend.cpu_slab)->frees++;
	spin_unlock_irqrestore(&s->backend.lock, flags);
	if (discard)
		discard_slab(s, discard);
}

/* Free @object of @slab, known to be a slab of @s. */
static inline void slab_free_in(struct kmem_cache *s, struct page *slab, void *object, void *caller)
{
	struct kmem_cache_cpu *c;
	uint64_t flags;

	if (unlikely(object_index(s, slab, object) < 0)) {
		slab_report_invalid_free(s, slab, object, caller);
		return;
	}
	flags = local_irq_save();
	c = this_cpu_ptr(s->backend.cpu_slab);
	if (likely(slab == c->slab)) {
		if (unlikely(object == c->freelist)) {
			local_irq_restore(flags);
			report_double_free(s, slab, object, caller);
			return;
		}
		free_pointer_encode(s, object, c->freelist);
		c->freelist = object;
		c->frees++;
		local_irq_restore(flags);
		return;
	}
	local_irq_restore(flags);
	free_slow(s, slab, object, caller);
}

/* Free @object, whose first page is @slab (maybe not a slab, or another cache's). */
static void slab_free(struct kmem_cache *s, struct page *slab, void *object, void *caller)
{
	if (unlikely(!slab || !(slab->flags & PG_slab) || slab->slab_cache != s)) {
		slab_report_invalid_free(s, slab, object, caller);
		return;
	}
	slab_free_in(s, slab, object, caller);
}

void slab_backend_free(struct kmem_cache *s, void *object, void *caller)
{
	slab_free(s, slab_page_of(s->allocator, object), object, caller);
}

void *slab_backend_kmalloc(struct slab_allocator *a, size_t size, gfp_t gfp, void *caller)
{
	return slab_backend_alloc(kmalloc_slab(a, size), gfp, caller);
}

void slab_backend_kfree(struct slab_allocator *a, struct page *slab, void *object, void *caller)
{
	(void)a;
	slab_free_in(slab->slab_cache, slab, object, caller);
}

/* ---- bulk ------------------------------------------------------------------- */

/*
 * Allocate @count objects with interrupts off once for as many as the CPU
 * freelist holds, refilling when it runs out.  Return: @count, or 0 (the
 * objects taken so far are freed again).
 */
/*
 * Take the free objects of whole partial slabs into @out, at most @want,
 * in one hold of the lock; each slab taken goes on the full list.  The
 * links are checked as the fast path checks them (a corrupted one is
 * reported and the rest of that chain given up).  Interrupts off.
 * Return: how many objects were taken.
 */
static size_t take_partial_slabs(struct kmem_cache *s, void **out, size_t want)
{
	size_t got = 0;

	spin_lock(&s->backend.lock);
	count_shared_lock();
	while (!list_empty(&s->backend.partial)) {
		struct page *slab = list_first_entry(&s->backend.partial, struct page, slab_list);
		unsigned int free = slab->objects - slab->inuse, taken = 0;
		uintptr_t first = slab_base(s, slab) + s->backend.red_left;
		void *object = slab_freelist(slab);

		if (free > want - got)
			break;
		unlist_slab(s, slab);
		while (object && taken < free) {
			void *next = free_pointer_decode(s, object);

			out[got + taken++] = object;
			if (unlikely(!slub_object_at(s, first, next))) {
				if (next)
					report_corrupted_free_pointer(s, slab, object, next);
				break;
			}
			object = next;
		}
		got += taken;
		/* All its objects are in use now (those of a chain given up, for good). */
		set_slab_freelist(slab, NULL);
		slab->inuse = slab->objects;
		place_slab(s, slab, false);
	}
	spin_unlock(&s->backend.lock);
	return got;
}

/*
 * Allocate @count objects with interrupts off throughout: each one the
 * fast path's way; when the CPU freelist runs out, the free objects of
 * whole partial slabs, as many as fit, in one hold of the lock; the rest
 * after a refill of the CPU slab.  Return: @count, or 0 (the objects
 * taken so far are freed again).
 */
int slab_backend_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t count, void **objects,
			    void *caller)
{
	bool took_partial = false;
	struct kmem_cache_cpu *c;
	uint64_t flags;
	size_t i = 0;

	if (cache_is_debug(s))
		goto one_by_one;
	flags = local_irq_save();
	c = this_cpu_ptr(s->backend.cpu_slab);
	while (i < count) {
		void *object = c->freelist, *next;

		if (unlikely(!object)) {
			/* Once: it stops only where the next partial slab holds more than is left. */
			if (!took_partial) {
				took_partial = true;
				i += take_partial_slabs(s, &objects[i], count - i);
				continue;
			}
			/* As slub_alloc_slow: an interrupt may have emptied the new slab; once more. */
			object = alloc_refill(s, gfp, &flags);
			if (!object)
				object = alloc_refill(s, gfp, &flags);
			if (!object) {
				local_irq_restore(flags);
				goto fail;
			}
			objects[i++] = object;
			continue;
		}
		next = free_pointer_decode(s, object);
		if (unlikely(!slub_object_at(s, c->first, next))) {
			if (next)
				report_corrupted_free_pointer(s, c->slab, object, next);
			next = NULL;
		}
		c->freelist = next;
		objects[i++] = object;
	}
	local_irq_restore(flags);
	goto zero;
one_by_one:
	for (; i < count; i++) {
		objects[i] = slub_alloc_slow(s, gfp, caller);
		if (!objects[i])
			goto fail;
	}
zero:
	if (unlikely(gfp & __GFP_ZERO))
		for (i = 0; i < count; i++)
			memset(objects[i], 0, s->object_size);
	return (int)count;
fail:
	slab_backend_free_bulk(s, i, objects, caller);
	return 0;
}

/*
 * Free a run of objects of one slab that is not this CPU's: chained
 * first, then pushed in one step (onto its remote chain if it is frozen,
 * else onto its freelist under one hold of the lock).  Anything doubtful
 * -- the slab's counts do not allow that many frees -- goes one by one
 * through free_slow, which reports it.
 */
static void free_run_to_slab(struct kmem_cache *s, struct page *slab, void **objects,
			     unsigned int n, void *caller)
{
	void *head = objects[0], *tail = objects[0];
	struct page *discard = NULL;
	uintptr_t word;
	uint64_t flags;

	if (n == 1) {
		free_slow(s, slab, head, caller);
		return;
	}
	for (unsigned int i = 1; i < n; i++) {
		free_pointer_encode(s, objects[i], head);
		head = objects[i];
	}
	word = slab_freelist_word(slab);
	while (word & SLAB_FROZEN) {
		free_pointer_encode(s, tail, (void *)(word & ~SLAB_FROZEN));
		if (__atomic_compare_exchange_n(&slab->freelist, (void **)&word,
						(void *)((uintptr_t)head | SLAB_FROZEN), true,
						__ATOMIC_RELEASE, __ATOMIC_ACQUIRE)) {
			count_cpu_frees(s, n);
			return;
		}
	}
	spin_lock_irqsave(&s->backend.lock, flags);
	count_shared_lock();
	if (unlikely(s->backend.dying || !(__atomic_load_n(&slab->flags, __ATOMIC_RELAXED) & PG_slab) ||
		     slab->slab_cache != s || slab_frozen(slab) || slab->inuse < n)) {
		spin_unlock_irqrestore(&s->backend.lock, flags);
		for (unsigned int i = 0; i < n; i++)
			free_slow(s, slab, objects[i], caller);
		return;
	}
	unlist_slab(s, slab);
	free_pointer_encode(s, tail, slab_freelist(slab));
	set_slab_freelist(slab, head);
	slab->inuse = (uint16_t)(slab->inuse - n);
	if (place_slab(s, slab, true))
		discard = slab;
	this_cpu_ptr(s->backend.cpu_slab)->frees += n;
	spin_unlock_irqrestore(&s->backend.lock, flags);
	if (discard)
		discard_slab(s, discard);
}

/*
 * Free @count objects: each run of consecutive objects of one slab is
 * freed in one step (the CPU's slab with interrupts off once; another
 * slab with one push or one hold of its lock).  Wrong frees are reported
 * one by one, as slab_free() does.
 */
void slab_backend_free_bulk(struct kmem_cache *s, size_t count, void **objects, void *caller)
{
	size_t i = 0;

	while (i < count) {
		struct page *slab = slab_page_of(s->allocator, objects[i]);
		uintptr_t slab_bits = (uintptr_t)objects[i] >> s->backend.slab_shift;
		struct kmem_cache_cpu *c;
		uint64_t flags;
		size_t run = 1;
		int direction = 1;

		if (unlikely(!slab || !(slab->flags & PG_slab) || slab->slab_cache != s ||
			     object_index(s, slab, objects[i]) < 0 || cache_is_debug(s))) {
			slab_free(s, slab, objects[i++], caller);
			continue;
		}
		/*
		 * The run: following objects of the same slab, at object starts,
		 * in strictly rising or strictly falling order -- so no object is
		 * in it twice (a double free would make its chain a loop).
		 */
		if (i + 1 < count)
			direction = objects[i + 1] > objects[i] ? 1 : -1;
		while (i + run < count && run < s->backend.objects &&
		       ((uintptr_t)objects[i + run] >> s->backend.slab_shift) == slab_bits &&
		       object_index(s, slab, objects[i + run]) >= 0 &&
		       (direction > 0 ? objects[i + run] > objects[i + run - 1]
				      : objects[i + run] < objects[i + run - 1]))
			run++;
		flags = local_irq_save();
		c = this_cpu_ptr(s->backend.cpu_slab);
		if (slab == c->slab) {
			size_t end = i + run;

			for (; i < end; i++) {
				if (unlikely(objects[i] == c->freelist)) {
					local_irq_restore(flags);
					report_double_free(s, slab, objects[i], caller);
					flags = local_irq_save();
					continue;
				}
				free_pointer_encode(s, objects[i], c->freelist);
				c->freelist = objects[i];
				c->frees++;
			}
			local_irq_restore(flags);
			continue;
		}
		local_irq_restore(flags);
		free_run_to_slab(s, slab, &objects[i], (unsigned int)run, caller);
		i += run;
	}
}

/* ---- every CPU's slab: flushing, shrinking, destroying, statistics ------ */

/* Unfreeze this CPU's slab of the cache @info (a cross call; keeps empty slabs listed). */
static void flush_cpu_slab(void *info)
{
	struct kmem_cache *s = info;

	spin_lock(&s->backend.lock);
	count_shared_lock();
	deactivate_cpu_slab(s, this_cpu_ptr(s->backend.cpu_slab), false);
	spin_unlock(&s->backend.lock);
}

/* Unfreeze every CPU's slab of @s. Caller does not hold s->backend.lock. */
static void flush_all_cpu_slabs(struct kmem_cache *s)
{
	on_each_cpu(flush_cpu_slab, s, true);
}

/* Take every empty slab off @s's partial list onto @empty, retired. Caller holds s->backend.lock. */
static void collect_empty_slabs(struct kmem_cache *s, struct list_head *empty)
{
	struct list_head *node, *next;

	for (node = s->backend.partial.next; node != &s->backend.partial; node = next) {
		struct page *slab = list_entry(node, struct page, slab_list);

		next = node->next;
		if (slab->inuse == 0) {
			unlist_slab(s, slab);
			s->backend.slabs--;
			retire_slab(s, slab);
			list_add(&slab->slab_list, empty);
		}
	}
}

static void discard_slabs(struct kmem_cache *s, struct list_head *slabs)
{
	while (!list_empty(slabs)) {
		struct page *slab = list_first_entry(slabs, struct page, slab_list);

		list_del_init(&slab->slab_list);
		discard_slab(s, slab);
	}
}

/* Unfreeze every CPU's slab and free every empty slab. */
void slab_backend_shrink(struct kmem_cache *s)
{
	LIST_HEAD(empty);
	uint64_t flags;

	flush_all_cpu_slabs(s);
	spin_lock_irqsave(&s->backend.lock, flags);
	count_shared_lock();
	collect_empty_slabs(s, &empty);
	spin_unlock_irqrestore(&s->backend.lock, flags);
	discard_slabs(s, &empty);
}

static inline unsigned long objects_in_use_locked(struct kmem_cache *s)
{
	unsigned long in_use = 0;
	struct list_head *node;

	assert_spin_locked(&s->backend.lock);
	list_for_each(node, &s->backend.partial)
		in_use += list_entry(node, struct page, slab_list)->inuse;
	list_for_each(node, &s->backend.full)
		in_use += list_entry(node, struct page, slab_list)->inuse;
	return in_use;
}

/*
 * Every CPU's slab is unfrozen first, and the empty slabs are freed.  If
 * no object is in use (and no CPU froze a slab again meanwhile), the
 * cache is marked dying: a free that races the destroy is reported and
 * refused.
 */
unsigned long slab_backend_destroy(struct kmem_cache *s)
{
	LIST_HEAD(empty);
	unsigned long in_use;
	uint64_t flags;

	flush_all_cpu_slabs(s);
	spin_lock_irqsave(&s->backend.lock, flags);
	count_shared_lock();
	/* A slab some CPU froze again holds at least the object that CPU took. */
	in_use = objects_in_use_locked(s) + s->backend.frozen_count;
	s->backend.dying = in_use == 0;
	collect_empty_slabs(s, &empty);
	spin_unlock_irqrestore(&s->backend.lock, flags);
	discard_slabs(s, &empty);
	return in_use;
}

size_t slab_backend_ksize(struct kmem_cache *s, const void *object)
{
	(void)object;
	return s->object_size;
}

/* Objects free on a chain, at most @limit, stopping at a bad link. */
static unsigned long count_chain(struct kmem_cache *s, struct page *slab, void *object,
				 unsigned long limit)
{
	unsigned long count = 0;

	for (; object && count < limit && object_index(s, slab, object) >= 0;
	     object = free_pointer_decode(s, object))
		count++;
	return count;
}

struct cpu_slab_census {
	struct kmem_cache *cache;
	uint64_t frees;               /* summed over the CPUs */
	unsigned long in_use;         /* objects in use in CPU slabs */
};

/* Add this CPU's counters and the objects in use in its slab (a cross call). */
static void census_cpu_slab(void *info)
{
	struct cpu_slab_census *census = info;
	struct kmem_cache *s = census->cache;
	struct kmem_cache_cpu *c = this_cpu_ptr(s->backend.cpu_slab);
	unsigned long free;

	__atomic_fetch_add(&census->frees, c->frees, __ATOMIC_RELAXED);
	if (!c->slab)
		return;
	free = count_chain(s, c->slab, c->freelist, s->backend.objects);
	free += count_chain(s, c->slab, slab_freelist(c->slab), s->backend.objects - free);
	__atomic_fetch_add(&census->in_use, s->backend.objects - free, __ATOMIC_RELAXED);
}

void slab_backend_stats(struct kmem_cache *s, struct slab_stats *stats)
{
	struct cpu_slab_census census = { .cache = s };
	unsigned long in_use;
	uint64_t flags;

	on_each_cpu(census_cpu_slab, &census, true);
	spin_lock_irqsave(&s->backend.lock, flags);
	count_shared_lock();
	in_use = objects_in_use_locked(s) + census.in_use;
	*stats = (struct slab_stats){
		.slabs = s->backend.slabs,
		.objects_total = s->backend.slabs * s->backend.objects,
		.objects_in_use = in_use,
		.partial = s->backend.partial_count,
		.empty = s->backend.empty_count,
		.cpu_slabs = s->backend.frozen_count,
		.stride = s->backend.stride,
		.objects_per_slab = s->backend.objects,
		.order = s->backend.order,
		.bytes_used = (uint64_t)s->backend.slabs * slab_bytes(s),
		/* Every object in use was allocated and not yet freed. */
		.allocations = census.frees + in_use,
		.frees = census.frees,
		.bad_frees = __atomic_load_n(&s->bad_frees, __ATOMIC_RELAXED),
	};
	spin_unlock_irqrestore(&s->backend.lock, flags);
}

const char *slab_backend_check(struct kmem_cache *s)
{
	return slab_check_cache(s);
}
