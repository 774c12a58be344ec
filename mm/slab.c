// SPDX-License-Identifier: MIT
/*
 * SLAB: per-CPU object arrays in front of slabs (Bonwick's design, as
 * Linux's mm/slab.c had it; interface in mm/slab_backend.h, its part of
 * the instance structures in mm/slab_def.h, the fast paths that the
 * common entry points inline in mm/slab_inline.h).
 *
 * A slab is a block of 2^order pages cut into objects of one size.  Its
 * free objects are listed by number in an index array (freelist_idx_t):
 * index[inuse .. objects) are free, the most recently freed first, and
 * allocating from the slab takes index[inuse++].  No object holds a
 * free pointer.  The index array, with the slab's colour, is the slab's
 * management block (struct slab_freelist): on-slab at the end of the
 * slab, or off-slab as an object of a kmalloc cache when putting it on
 * the slab would cost an object (objects of 128 bytes or more, as in
 * Linux).  An off-slab block comes from a kmalloc cache whose own blocks
 * are on-slab, so making a slab nests at most one level; while the
 * kmalloc caches are being created, a cache whose block's kmalloc cache
 * does not exist yet stays on-slab.
 *
 * struct page of a slab's first page: PG_slab, slab_cache (the cache),
 * freelist (the management block), inuse (objects not free in the slab:
 * handed out or held in an array), objects (objects in the slab),
 * slab_list (the cache's full, partial or free list).
 *
 * Colouring: the leftover of a slab (what neither objects nor an on-slab
 * index array use) shifts the first object by colour * colour_off bytes
 * (colour_off: a cache line, or the alignment if larger), the colour
 * going round 0 .. colours - 1 from one new slab to the next, so objects
 * at the same index in different slabs use different cache lines.
 *
 * Objects move between three tiers:
 *   - each CPU's array (struct array_cache, a LIFO of object pointers of
 *     limit entries): allocation pops, free pushes, with interrupts off
 *     on that CPU and no lock -- the fast path.  Only its CPU touches it
 *     (others reach it through a cross call that runs there);
 *   - the cache's shared array (8 batches, for objects up to a page);
 *   - the slabs, on the cache's full, partial and free lists.
 * An empty CPU array is refilled with batchcount objects from the shared
 * array, else from partial slabs, then free ones, then a new slab; a full
 * one flushes its batchcount oldest objects to the shared array, else to
 * their slabs.  Array sizes follow Linux's enable_cpucache(): limit 120
 * for objects up to 256 bytes, 54 up to 1 KiB, 24 up to a page, 8 above;
 * batchcount (limit + 1) / 2.  Free slabs beyond free_limit objects
 * (2 * batchcount + objects per slab) go back to the page allocator.
 * A free from another CPU than the allocating one is no different: the
 * object goes into the freeing CPU's array.  There is no NUMA here, so
 * there are no per-node lists and no alien caches.
 *
 * A CPU's array is made (a kmalloc object) the first time that CPU takes
 * the allocation slow path of the cache; until then, and whenever making
 * it fails, the CPU allocates and frees straight on the slabs under the
 * lock.  While a CPU makes an array it makes no other
 * (allocator->backend.building_array), so making kmalloc-1024's array
 * from kmalloc-1024 itself does not recurse.  kmem_cache_shrink and
 * kmem_cache_destroy drain every CPU's array through a cross call and
 * free the arrays too, so a shrunk cache holds no memory until it is
 * used again; array objects and off-slab index arrays go back straight to
 * their slab, whose page is then freed if it is empty, so shrinking the
 * caches one after another gives every free page back, in any order.
 *
 * Reaping: slab_reap() runs one pass of this CPU over every cache (as
 * Linux's cache_reap, which runs every 2 s): an array not taken from
 * since the last pass gives a fifth of its limit back to the slabs, the
 * shared array likewise, and free slabs not used since go back to the
 * page allocator, a fifth of free_limit at a time.  Every CPU runs a pass
 * every second from its timer tick (slab_backend_tick), so arrays of
 * caches nobody uses any more drain by themselves; slab_reap is
 * interrupt-safe.
 *
 * Debug caches (any of SLAB_CONSISTENCY_CHECKS, RED_ZONE, POISON,
 * STORE_USER) have no arrays: every allocation and free works on the
 * slabs under the lock and runs the checks of mm/slab_debug.c, so every
 * free is checked.
 *
 * Double frees.  Each index array entry's top bit is one object's state
 * (OBJECT_FREE in index[i]: object i is free in the slab), set and
 * cleared under the cache lock as objects go back to and leave their
 * slab.  A double free is reported and dropped -- it never reaches the
 * index array -- when:
 *   - it is freed onto this CPU's array while on top of it (free x, x):
 *     the fast path's one compare;
 *   - it is freed straight to its slab (no array on this CPU: debug
 *     caches, or before the CPU's first slow path, or after a shrink)
 *     while free there: direct_free() tests the bit, naming the caller;
 *   - its second copy goes back to the slab (free_block(): a flush into
 *     the slabs, a reap, a drain by shrink or destroy), after one array
 *     held it twice or two arrays held it: reported without a caller.
 * Not caught (Linux's SLAB did not either): a copy handed out while the
 * other is still free -- free x, y, x, then three allocations on that CPU
 * give x twice; or one copy went back to its slab and was handed out from
 * there before the other came back, which then looks like a good free.
 * Seeing these would mean reading the object's slab on every free or
 * allocation, a cache miss on the lock-free paths.  slab_check() finds
 * both copies while they wait in arrays (mm/slab_debug.c).
 *
 * Locking: a CPU's array is guarded by interrupts being off on its CPU;
 * cache->backend.lock ("kmem_cache->lock") guards the slab lists, their
 * counts, every slab's index array and inuse count, and the shared
 * array.  allocator->backend.reap_lock ("slab->reap_lock") guards the
 * list of caches the reaper walks.  Lock order: the allocator's cache
 * list lock ("slab_allocator->lock"), then reap_lock, then a cache lock,
 * then the page allocator's zone lock.  No two cache locks are held
 * together: new slabs and their off-slab index arrays are allocated, and
 * dead slabs freed, after the cache lock is dropped.  Every path that
 * holds a cache lock or reap_lock has interrupts off; cross-call handlers
 * take a cache lock, so nothing waits for a cross call holding one.
 *
 * Interrupt context: allocation with GFP_ATOMIC/GFP_NOWAIT, free and
 * slab_reap may run in an interrupt handler.
 *
 * Differences from Linux's SLAB: no NUMA (no per-node lists, no alien
 * caches); no OBJFREELIST slabs (the index array is never kept in a free
 * object); arrays are made on first use and freed on shrink rather than
 * tuned through /proc/slabinfo; every distinct offset the leftover allows
 * is a colour (Linux uses leftover / colour_off of them); debug caches
 * bypass the arrays (Linux's debug SLAB keeps them and checks on flush);
 * an object's free state lives in the index array's spare bit (Linux's
 * SLAB kept a byte per object after the index array, and only with
 * CONFIG_DEBUG_SLAB_LEAK).
 */
#include <asm/cpu.h>
#include <kernel.h>
#include <kstring.h>
#include <lock_stat.h>
#include <printk.h>
#include <timer.h>

#include "slab.h"
#include "slab_internal.h"

#define CACHE_LINE 64u
#define MAX_SLAB_ORDER 3u
#define MAX_OBJECTS 4096u           /* a 32 KiB slab of 8-byte objects */
#define OFF_SLAB_MIN_SIZE 128u      /* smaller objects keep their index array on the slab */
#define SHARED_BATCHES 8u           /* the shared array holds this many batches */
#define REAP_FRACTION 5u            /* a reap gives back a fifth of what is idle */
#define REAP_INTERVAL (1u * HZ)     /* ticks between two reap passes of a CPU (1 s; Linux: 2 s) */

struct page *slab_page_of(struct slab_allocator *a, const void *address)
{
	return buddy_virt_to_head_page(a->buddy, address);
}

static size_t slab_bytes(const struct kmem_cache *s)
{
	return PAGE_SIZE << s->backend.order;
}

struct kmem_cache *slab_backend_cache_of(struct slab_allocator *a, struct page *slab,
					 const void *object)
{
	struct kmem_cache *s = slab_owner(slab);

	(void)a;
	/* object_index() reads the management block first: NULL if @s may be an order. */
	return s && object_index(s, slab, object) >= 0 ? s : NULL;
}

/* The kmalloc cache that holds @bytes, or NULL (too large, or not created yet). */
static struct kmem_cache *internal_cache(struct slab_allocator *a, size_t bytes)
{
	return bytes <= KMALLOC_MAX_CACHE_SIZE ? a->kmalloc_caches[kmalloc_index(bytes)] : NULL;
}

/* ---- creating a cache: layout, colours, array sizes ---------------------- */

_Static_assert(MAX_OBJECTS - 1 <= FREELIST_INDEX_MASK, "an object's number leaves the state bit free");

static unsigned int mgmt_bytes(unsigned int objects)
{
	return ALIGN_UP((unsigned int)(sizeof(struct slab_freelist) +
				       objects * sizeof(freelist_idx_t)), 8u);
}

/* Objects of @stride in @bytes, the index array on the slab or not; *left gets what is left over. */
static unsigned int estimate(size_t bytes, unsigned int stride, bool off_slab, unsigned int *left)
{
	unsigned int n = (unsigned int)MIN(bytes / stride, (size_t)MAX_OBJECTS);

	while (!off_slab && n && n * stride + mgmt_bytes(n) > bytes)
		n--;
	*left = (unsigned int)(bytes - n * stride - (off_slab ? 0 : mgmt_bytes(n)));
	return n;
}

/*
 * Where off-slab index arrays of @objects entries would come from: a
 * kmalloc cache that exists, is not @s, and keeps its own on the slab.
 */
static struct kmem_cache *off_slab_cache(struct kmem_cache *s, unsigned int objects)
{
	struct kmem_cache *k = internal_cache(s->allocator, mgmt_bytes(objects));

	return k && k != s && !k->backend.mgmt_cache ? k : NULL;
}

/*
 * Pick the order and the index array's place: the smallest order whose
 * leftover is at most 1/8 of the slab (Linux's calculate_slab_order),
 * else the order with the least waste.  Return: false if no order holds
 * an object.
 */
static bool choose_layout(struct kmem_cache *s)
{
	unsigned int stride = s->backend.stride, best_left = 0;
	size_t best_bytes = 0;
	bool found = false;

	for (unsigned int order = 0; order <= MAX_SLAB_ORDER; order++) {
		size_t bytes = PAGE_SIZE << order;
		unsigned int left, off_left, n = estimate(bytes, stride, false, &left);
		struct kmem_cache *mgmt_cache = NULL;

		if (stride >= OFF_SLAB_MIN_SIZE) {
			unsigned int off_n = estimate(bytes, stride, true, &off_left);

			mgmt_cache = off_n > n ? off_slab_cache(s, off_n) : NULL;
			if (mgmt_cache) {
				n = off_n;
				left = off_left;
			}
		}
		if (!n)
			continue;
		if (found && (uint64_t)left * best_bytes >= (uint64_t)best_left * bytes)
			continue;
		found = true;
		best_left = left;
		best_bytes = bytes;
		s->backend.order = order;
		s->backend.objects = n;
		s->backend.mgmt_cache = mgmt_cache;
		if ((uint64_t)left * 8 <= bytes)
			break;
	}
	if (!found)
		return false;
	s->backend.mgmt_size = mgmt_bytes(s->backend.objects);
	s->backend.colours = best_left / s->backend.colour_off + 1;
	return true;
}

/* Array sizes by object size, as Linux's enable_cpucache(); debug caches get none. */
static void choose_array_sizes(struct kmem_cache *s)
{
	unsigned int stride = s->backend.stride, limit;

	if (cache_is_debug(s)) {
		s->backend.limit = s->backend.batchcount = s->backend.shared_limit = 0;
		s->backend.free_limit = s->backend.objects;
		return;
	}
	if (stride > PAGE_SIZE)
		limit = 8;
	else if (stride > 1024)
		limit = 24;
	else if (stride > 256)
		limit = 54;
	else
		limit = 120;
	s->backend.limit = limit;
	s->backend.batchcount = (limit + 1) / 2;
	s->backend.shared_limit = (NR_CPUS > 1 && stride <= PAGE_SIZE)
					  ? SHARED_BATCHES * s->backend.batchcount : 0;
	s->backend.free_limit = 2 * s->backend.batchcount + s->backend.objects;
}

void slab_backend_init(struct slab_allocator *a)
{
	spin_lock_init(&a->backend.reap_lock, "slab->reap_lock");
	INIT_LIST_HEAD(&a->backend.reap_list);
}

int slab_backend_create(struct kmem_cache *s)
{
	struct kmem_cache_backend *b = &s->backend;
	unsigned int align = MAX(s->align, (unsigned int)sizeof(void *)), inuse;
	uint64_t flags;

	if (s->flags & SLAB_HWCACHE_ALIGN) {
		unsigned int line = CACHE_LINE;

		/* Linux's rule: the smallest power-of-two fraction of a line the object fills more than half of. */
		while (line > sizeof(void *) && s->object_size <= line / 2)
			line /= 2;
		align = MAX(align, line);
	}
	if (align & (align - 1))
		return -1;
	s->align = align;
	*b = (struct kmem_cache_backend){ 0 };
	b->red_left = (s->flags & SLAB_RED_ZONE) ? align : 0;
	inuse = ALIGN_UP(s->object_size, (unsigned int)sizeof(void *));
	if ((s->flags & SLAB_RED_ZONE) && inuse == s->object_size)
		inuse += sizeof(void *); /* at least one word of right red zone */
	if (s->flags & SLAB_STORE_USER) {
		b->track_offset = inuse;
		inuse += 2 * sizeof(struct slab_track);
	}
	b->stride = ALIGN_UP(b->red_left + inuse, align);
	if (b->stride == 0 || b->stride > (PAGE_SIZE << MAX_SLAB_ORDER))
		return -1;
	b->colour_off = MAX(CACHE_LINE, align);
	if (!choose_layout(s))
		return -1;
	b->stride_reciprocal = (uint32_t)((((uint64_t)1 << 32) + b->stride - 1) / b->stride);
	b->slab_mask = ((uintptr_t)PAGE_SIZE << b->order) - 1;
	choose_array_sizes(s);
	spin_lock_init(&b->lock, "kmem_cache->lock");
	INIT_LIST_HEAD(&b->slabs_full);
	INIT_LIST_HEAD(&b->slabs_partial);
	INIT_LIST_HEAD(&b->slabs_free);
	spin_lock_irqsave(&s->allocator->backend.reap_lock, flags);
	list_add_tail(&b->reap_node, &s->allocator->backend.reap_list);
	spin_unlock_irqrestore(&s->allocator->backend.reap_lock, flags);
	return 0;
}

/* ---- slabs ------------------------------------------------------------------ */

/* Take @slab off its list. Caller holds s->backend.lock. */
static void slab_unlist(struct kmem_cache *s, struct page *slab)
{
	list_del_init(&slab->slab_list);
	if (slab->inuse == 0)
		s->backend.free_slabs--;
	else if (slab->inuse < slab->objects)
		s->backend.partial_slabs--;
}

/* Put @slab, on no list, on the list its count calls for. Caller holds s->backend.lock. */
static void slab_list_add(struct kmem_cache *s, struct page *slab)
{
	if (slab->inuse == 0) {
		list_add(&slab->slab_list, &s->backend.slabs_free);
		s->backend.free_slabs++;
	} else if (slab->inuse == slab->objects) {
		list_add(&slab->slab_list, &s->backend.slabs_full);
	} else {
		list_add(&slab->slab_list, &s->backend.slabs_partial);
		s->backend.partial_slabs++;
	}
}

/*
 * Take the next free object of @slab (on no list, not full).  A corrupted
 * index (beyond the slab, or naming an object not marked free, which may
 * be in use) is reported, and the slab's other free objects are given
 * up: they count as in use for good.  Caller holds s->backend.lock.
 * Return: the object, or NULL.
 */
static void *slab_get_obj(struct kmem_cache *s, struct page *slab)
{
	unsigned int index = index_at(slab, slab->inuse);

	if (unlikely(index >= slab->objects || !free_in_slab(slab, index))) {
		slab_report(s, (void *)slab_base(s, slab), NULL,
			    "corrupted free index (the rest of this slab's free objects are dropped)");
		pr_err("slab:   index array entry %u is %u; the slab has %u objects%s\n", slab->inuse,
		       index, slab->objects,
		       index < slab->objects ? ", and that one is not marked free" : "");
		s->backend.free_objects -= slab->objects - slab->inuse;
		slab->inuse = slab->objects;
		for (unsigned int i = 0; i < slab->objects; i++)   /* none is free in the slab now */
			slab_mgmt(slab)->index[i] &= (freelist_idx_t)~OBJECT_FREE;
		return NULL;
	}
	slab->inuse++;
	s->backend.free_objects--;
	slab_mgmt(slab)->index[index] &= (freelist_idx_t)~OBJECT_FREE;
	return object_at(s, slab, index);
}

/*
 * Give object @index back to @slab (on no list), unless it is free there
 * already: a double free, which must not reach the index array (it would
 * count an object free twice, and the slab could go back to the page
 * allocator with objects in use).  Caller holds s->backend.lock.
 * Return: false if the object was free already (nothing changed).
 */
static bool slab_put_obj(struct kmem_cache *s, struct page *slab, unsigned int index)
{
	freelist_idx_t *entry;

	if (unlikely(free_in_slab(slab, index)))
		return false;
	/* The state bit first: when the entry written is index[index] itself, it keeps it. */
	slab_mgmt(slab)->index[index] |= OBJECT_FREE;
	entry = &slab_mgmt(slab)->index[--slab->inuse];
	*entry = (freelist_idx_t)((*entry & OBJECT_FREE) | index);
	s->backend.free_objects++;
	return true;
}

/*
 * Take a free @slab off the cache's books, to be freed after unlocking:
 * a late free of one of its objects is then refused (PG_slab is gone).
 * Caller holds s->backend.lock; the slab is on no list.
 */
static void retire_slab(struct kmem_cache *s, struct page *slab, struct list_head *doomed)
{
	assert_spin_locked(&s->backend.lock);
	s->backend.total_slabs--;
	s->backend.free_objects -= slab->objects - slab->inuse;
	__atomic_and_fetch(&slab->flags, ~PG_slab, __ATOMIC_RELAXED);
	list_add(&slab->slab_list, doomed);
}

/* Retire free slabs, oldest first, while more than @keep objects sit free in slabs. Lock held. */
static void trim_free_slabs(struct kmem_cache *s, unsigned long keep, unsigned long most,
			    struct list_head *doomed)
{
	while (most && s->backend.free_objects > keep && !list_empty(&s->backend.slabs_free)) {
		struct page *slab = list_entry(s->backend.slabs_free.prev, struct page, slab_list);

		slab_unlist(s, slab);
		retire_slab(s, slab, doomed);
		most--;
	}
}

static void free_internal(struct slab_allocator *a, void *object);
static void *alloc_internal(struct kmem_cache *k, gfp_t gfp);

/* Give retired slabs (and off-slab index arrays) back. No cache lock held. */
static void destroy_slabs(struct kmem_cache *s, struct list_head *doomed)
{
	while (!list_empty(doomed)) {
		struct page *slab = list_first_entry(doomed, struct page, slab_list);
		void *mgmt = slab->freelist;

		list_del_init(&slab->slab_list);
		assert_spin_not_held(&s->backend.lock);
		/* A kfree that read slab_cache as the order below reads the block as NULL (slab_owner). */
		__atomic_store_n(&slab->freelist, NULL, __ATOMIC_RELAXED);
		if (s->backend.mgmt_cache)
			free_internal(s->allocator, mgmt);
		__atomic_store_n(&slab->private, s->backend.order, __ATOMIC_RELEASE);
		slab->refcount = 1;
		buddy_free(s->allocator->buddy, slab, s->backend.order, NULL);
	}
}

/*
 * A new slab: pages, its index array (every object free, in address
 * order), its colour, constructed objects.  Caller holds no cache lock.
 */
static struct page *new_slab(struct kmem_cache *s, gfp_t gfp)
{
	gfp_t page_gfp = (gfp & ~(__GFP_ZERO | __GFP_COMP)) | __GFP_NOWARN |
			 (s->backend.order ? __GFP_COMP : 0);
	struct slab_freelist *mgmt;
	struct page *slab;
	unsigned int colour;

	assert_spin_not_held(&s->backend.lock);
	slab = buddy_alloc(s->allocator->buddy, page_gfp, s->backend.order, NULL);
	if (!slab)
		return NULL;
	if (s->backend.mgmt_cache) {
		mgmt = alloc_internal(s->backend.mgmt_cache, gfp);
		if (!mgmt) {
			slab->private = s->backend.order;
			buddy_free(s->allocator->buddy, slab, s->backend.order, NULL);
			return NULL;
		}
	} else {
		mgmt = (void *)((uintptr_t)buddy_page_address(s->allocator->buddy, slab) +
				slab_bytes(s) - s->backend.mgmt_size);
	}
	colour = __atomic_fetch_add(&s->backend.colour_next, 1, __ATOMIC_RELAXED) % s->backend.colours;
	mgmt->first_object = colour * s->backend.colour_off;
	for (unsigned int i = 0; i < s->backend.objects; i++)
		mgmt->index[i] = (freelist_idx_t)(i | OBJECT_FREE);    /* every object free */
	slab->slab_cache = s;
	slab->freelist = mgmt;
	slab->objects = (uint16_t)s->backend.objects;
	slab->inuse = 0;
	INIT_LIST_HEAD(&slab->slab_list);
	for (unsigned int i = 0; i < s->backend.objects; i++) {
		void *object = object_at(s, slab, i);

		if (s->ctor)
			s->ctor(object);
		if (cache_is_debug(s))
			debug_init_free_object(s, object);
	}
	/* Last, with release: kfree reads PG_slab before slab_cache; the buddy merge reads it too. */
	__atomic_or_fetch(&slab->flags, PG_slab, __ATOMIC_RELEASE);
	return slab;
}

/* Count a new slab in and list it (free). Caller holds s->backend.lock. */
static void add_new_slab(struct kmem_cache *s, struct page *slab)
{
	s->backend.total_slabs++;
	s->backend.free_objects += slab->objects;
	slab_list_add(s, slab);
}

/*
 * Take up to @want objects from the slabs, partial ones first, into
 * @out.  Caller holds s->backend.lock.  Return: how many.
 */
static unsigned int take_from_slabs(struct kmem_cache *s, unsigned int want, void **out)
{
	unsigned int n = 0;

	while (n < want) {
		struct page *slab;

		if (!list_empty(&s->backend.slabs_partial)) {
			slab = list_first_entry(&s->backend.slabs_partial, struct page, slab_list);
		} else if (!list_empty(&s->backend.slabs_free)) {
			slab = list_first_entry(&s->backend.slabs_free, struct page, slab_list);
			s->backend.free_touched = true;
		} else {
			break;
		}
		slab_unlist(s, slab);
		while (n < want && slab->inuse < slab->objects) {
			void *object = slab_get_obj(s, slab);

			if (!object)
				break;
			out[n++] = object;
		}
		slab_list_add(s, slab);
	}
	return n;
}

/*
 * Give @count objects held in an array back to their slabs (Linux's
 * free_block), then retire free slabs beyond free_limit.  A double free
 * that the arrays hid (the object was in two arrays, or twice in one) is
 * found here by the slab's free map when its second copy comes back:
 * reported, without a caller (the free that made it happened earlier),
 * and dropped.  Caller holds s->backend.lock.
 */
static void free_block(struct kmem_cache *s, void **objects, unsigned int count,
		       struct list_head *doomed)
{
	assert_spin_locked(&s->backend.lock);
	for (unsigned int i = 0; i < count; i++) {
		void *object = objects[i];
		struct page *slab = slab_page_of(s->allocator, object);
		long index;
		bool put;

		/* Not a live slab of @s: its slab was retired, so the object was free already. */
		if (!slab || !(__atomic_load_n(&slab->flags, __ATOMIC_RELAXED) & PG_slab) ||
		    slab->slab_cache != s || (index = object_index(s, slab, object)) < 0) {
			report_double_free(s, object, NULL);
			continue;
		}
		slab_unlist(s, slab);
		put = slab_put_obj(s, slab, (unsigned int)index);
		slab_list_add(s, slab);
		if (unlikely(!put))
			report_double_free(s, object, NULL);
	}
	trim_free_slabs(s, s->backend.free_limit, ~0ul, doomed);
}

/* ---- slabs without arrays: debug caches, and CPUs without an array ------ */

/*
 * Allocate straight from the slabs, under the lock; a debug cache's checks
 * run here.  A new slab is listed and taken from in one hold of the lock,
 * so other CPUs growing the cache at the same time cannot empty it first
 * (which could fail an allocation while pages were free).
 */
static void *direct_alloc(struct kmem_cache *s, gfp_t gfp, void *caller)
{
	struct page *slab = NULL;

	for (;;) {
		void *object = NULL;
		uint64_t flags;

		spin_lock_irqsave(&s->backend.lock, flags);
		count_shared_lock();
		if (slab)
			add_new_slab(s, slab);
		if (take_from_slabs(s, 1, &object)) {
			s->backend.allocations++;
			/*
			 * Marked in use (red zones) in the hold of the lock that took
			 * it: the validator, under the lock, never sees it taken
			 * from its slab but still marked free.
			 */
			if (cache_is_debug(s))
				debug_on_alloc(s, slab_page_of(s->allocator, object), object, caller);
		}
		spin_unlock_irqrestore(&s->backend.lock, flags);
		if (object) {
			if (gfp & __GFP_ZERO)
				memset(object, 0, s->object_size);
			return object;
		}
		if (slab)
			return NULL;    /* a new slab gave nothing: cannot happen */
		slab = new_slab(s, gfp);
		if (!slab)
			return NULL;
	}
}

/*
 * Free @object (object @index of @slab, which was a slab of @s when the
 * caller looked) straight to its slab, under the lock.  @release: give the
 * slab back at once if it is left empty.
 */
static void direct_free(struct kmem_cache *s, struct page *slab, void *object, long index,
			void *caller, bool release)
{
	LIST_HEAD(doomed);
	uint64_t flags;

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
			report_double_free(s, object, caller);
		return;
	}
	/* Checked and freed under one hold of the lock, so two frees cannot both pass. */
	if (free_in_slab(slab, (unsigned int)index)) {
		spin_unlock_irqrestore(&s->backend.lock, flags);
		report_double_free(s, object, caller);
		return;
	}
	if (cache_is_debug(s) && !debug_on_free(s, slab, object, index, caller)) {
		spin_unlock_irqrestore(&s->backend.lock, flags);
		return; /* reported */
	}
	slab_unlist(s, slab);
	slab_put_obj(s, slab, (unsigned int)index);     /* cannot refuse: checked above */
	slab_list_add(s, slab);
	s->backend.frees++;
	if (release && slab->inuse == 0) {
		slab_unlist(s, slab);
		retire_slab(s, slab, &doomed);
	}
	trim_free_slabs(s, s->backend.free_limit, ~0ul, &doomed);
	spin_unlock_irqrestore(&s->backend.lock, flags);
	destroy_slabs(s, &doomed);
}

/*
 * Free the slab layer's own objects (arrays, off-slab index arrays):
 * straight to their slab, whose pages go back at once if it is left
 * empty, so that shrinking caches in any order frees every free page.
 */
static void free_internal(struct slab_allocator *a, void *object)
{
	struct page *slab = slab_page_of(a, object);
	struct kmem_cache *s = slab->slab_cache;

	__atomic_fetch_add(&s->backend.internal_frees, 1, __ATOMIC_RELAXED);
	direct_free(s, slab, object, object_index(s, slab, object), NULL, true);
}

/* Allocate one of the slab layer's own objects from kmalloc cache @k (free_internal frees it). */
static void *alloc_internal(struct kmem_cache *k, gfp_t gfp)
{
	void *object = slab_backend_alloc(k, gfp & ~__GFP_ZERO, NULL);

	if (object)
		__atomic_fetch_add(&k->backend.internal_allocations, 1, __ATOMIC_RELAXED);
	return object;
}

/* ---- arrays ------------------------------------------------------------------ */

static struct array_cache *alloc_array(struct kmem_cache *s, unsigned int limit, gfp_t gfp)
{
	struct kmem_cache *k = internal_cache(s->allocator,
					      sizeof(struct array_cache) + limit * sizeof(void *));
	struct array_cache *ac;

	if (!k)
		return NULL;
	ac = alloc_internal(k, gfp);
	if (ac)
		*ac = (struct array_cache){ .limit = limit,
					    .batchcount = (uint16_t)s->backend.batchcount };
	return ac;
}

/*
 * Give this CPU an array for @s (and @s a shared array if it has none).
 * Interrupts are off on entry and exit, on while the arrays are
 * allocated.  Return: this CPU's array, or NULL (the caller works on the
 * slabs directly).
 */
static struct array_cache *setup_cpu_array(struct kmem_cache *s, gfp_t gfp, uint64_t *irq_flags)
{
	unsigned int cpu = smp_processor_id();
	unsigned int *building = &s->allocator->backend.building_array[cpu];
	bool need_shared = s->backend.shared_limit &&
			   !__atomic_load_n(&s->backend.shared, __ATOMIC_RELAXED);
	struct array_cache *ac = NULL, *shared = NULL;

	if (!s->backend.limit || *building || __atomic_load_n(&s->backend.dying, __ATOMIC_RELAXED) ||
	    (s->backend.cpu_array[cpu] && !need_shared))
		return s->backend.cpu_array[cpu];
	*building = 1;
	local_irq_restore(*irq_flags);
	if (!s->backend.cpu_array[cpu])
		ac = alloc_array(s, s->backend.limit, gfp);
	if (need_shared)
		shared = alloc_array(s, s->backend.shared_limit, gfp);
	*irq_flags = local_irq_save();
	*building = 0;
	if (shared) {
		spin_lock(&s->backend.lock);
		count_shared_lock();
		if (!s->backend.shared && !s->backend.dying) {
			__atomic_store_n(&s->backend.shared, shared, __ATOMIC_RELAXED);
			shared = NULL;
		}
		spin_unlock(&s->backend.lock);
	}
	/*
	 * A drain (cross call) may have run meanwhile; a destroy that found the
	 * cache empty set dying and drains once more, so an array is never
	 * installed into a destroyed cache.
	 */
	if (ac && !s->backend.cpu_array[cpu] && !__atomic_load_n(&s->backend.dying, __ATOMIC_RELAXED)) {
		s->backend.cpu_array[cpu] = ac;
		ac = NULL;
	}
	if (ac || shared) {
		local_irq_restore(*irq_flags);
		if (ac)
			free_internal(s->allocator, ac);
		if (shared)
			free_internal(s->allocator, shared);
		*irq_flags = local_irq_save();
	}
	return s->backend.cpu_array[smp_processor_id()];
}

/* Fill this CPU's empty array: from the shared array, else from the slabs. Lock held. */
static void refill_locked(struct kmem_cache *s, struct array_cache *ac)
{
	struct array_cache *shared = s->backend.shared;
	unsigned int want = MIN(ac->batchcount, ac->limit - ac->avail);

	ac->touched = 1;
	ac->moves++;
	if (shared && shared->avail) {
		unsigned int n = MIN(want, shared->avail);

		shared->avail -= n;
		memcpy(&ac->entry[ac->avail], &shared->entry[shared->avail], n * sizeof(void *));
		ac->avail += n;
		shared->touched = 1;
		return;
	}
	ac->avail += take_from_slabs(s, want, &ac->entry[ac->avail]);
}

/* Move the batchcount oldest objects of a full array to the shared array, else to their slabs. Lock held. */
static void flush_locked(struct kmem_cache *s, struct array_cache *ac, struct list_head *doomed)
{
	struct array_cache *shared = s->backend.shared;
	unsigned int n = MIN(ac->batchcount, ac->avail);

	ac->moves++;
	if (shared && shared->avail < shared->limit) {
		n = MIN(n, shared->limit - shared->avail);
		memcpy(&shared->entry[shared->avail], ac->entry, n * sizeof(void *));
		shared->avail += n;
	} else {
		free_block(s, ac->entry, n, doomed);
	}
	ac->avail -= n;
	memmove(ac->entry, &ac->entry[n], ac->avail * sizeof(void *));
}

/* ---- allocation ---------------------------------------------------------------- */

/*
 * This CPU's array is empty (or missing): refill it, growing the cache
 * if the slabs have nothing free, then allocate.  Debug caches allocate
 * here always, under the cache lock (direct_alloc()).
 * Context: any; takes the cache lock with interrupts off.
 * Return: the object, or NULL if no memory could be had.
 */
__attribute__((noinline)) void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfp, void *caller)
{
	uint64_t flags;

	if (cache_is_debug(s))
		return direct_alloc(s, gfp, caller);
	flags = local_irq_save();
	for (int attempt = 0; attempt < 4; attempt++) {
		struct array_cache *ac = *this_cpu_ptr(s->backend.cpu_array);
		struct page *slab;

		if (!ac || (s->backend.shared_limit &&
			    !__atomic_load_n(&s->backend.shared, __ATOMIC_RELAXED)))
			ac = setup_cpu_array(s, gfp, &flags);
		if (!ac) {
			local_irq_restore(flags);
			return direct_alloc(s, gfp, caller);
		}
		if (!ac->avail) {
			spin_lock(&s->backend.lock);
			count_shared_lock();
			refill_locked(s, ac);
			spin_unlock(&s->backend.lock);
		}
		if (ac->avail) {
			void *object = ac->entry[--ac->avail];

			ac->allocations++;
			local_irq_restore(flags);
			if (gfp & __GFP_ZERO)
				memset(object, 0, s->object_size);
			return object;
		}
		local_irq_restore(flags);
		slab = new_slab(s, gfp);
		flags = local_irq_save();
		if (!slab)
			break;
		spin_lock(&s->backend.lock);
		count_shared_lock();
		add_new_slab(s, slab);
		/* Refilled in the same hold: other CPUs cannot empty the new slab first. */
		ac = *this_cpu_ptr(s->backend.cpu_array);
		if (ac && !ac->avail)
			refill_locked(s, ac);
		spin_unlock(&s->backend.lock);
	}
	local_irq_restore(flags);
	return NULL;
}

void *slab_backend_alloc(struct kmem_cache *s, gfp_t gfp, void *caller)
{
	return slab_backend_alloc_inline(s, gfp, caller);
}

/* ---- free ---------------------------------------------------------------------- */

/* This CPU's array is full: flush a batch, then push @object. Interrupts off (restored here). */
static __attribute__((noinline)) void free_flush(struct kmem_cache *s, struct array_cache *ac,
						 void *object, uint64_t flags)
{
	LIST_HEAD(doomed);

	spin_lock(&s->backend.lock);
	count_shared_lock();
	flush_locked(s, ac, &doomed);
	spin_unlock(&s->backend.lock);
	ac->entry[ac->avail++] = object;
	ac->frees++;
	local_irq_restore(flags);
	destroy_slabs(s, &doomed);
}

/* Free @object of @slab, known to be a slab of @s. */
static inline void slab_free_in(struct kmem_cache *s, struct page *slab, void *object, void *caller)
{
	long index = object_index(s, slab, object);
	struct array_cache *ac;
	uint64_t flags;

	if (unlikely(index < 0)) {
		slab_report_invalid_free(s, slab, object, caller);
		return;
	}
	flags = local_irq_save();
	ac = *this_cpu_ptr(s->backend.cpu_array);
	if (likely(ac)) {
		if (unlikely(ac->avail && ac->entry[ac->avail - 1] == object)) {
			local_irq_restore(flags);
			report_double_free(s, object, caller);
			return;
		}
		if (likely(ac->avail < ac->limit)) {
			ac->entry[ac->avail++] = object;
			ac->frees++;
			local_irq_restore(flags);
			return;
		}
		free_flush(s, ac, object, flags);
		return;
	}
	local_irq_restore(flags);
	direct_free(s, slab, object, index, caller, false);
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
	struct kmem_cache *s = slab_owner(slab);

	/*
	 * The slab is being given back (every object of it was free): its
	 * management block is gone and slab_cache may hold its order already.
	 */
	if (unlikely(!__atomic_load_n(&slab->freelist, __ATOMIC_ACQUIRE))) {
		if ((uintptr_t)s >= PAGE_SIZE) {
			report_double_free(s, object, caller);
		} else {
			__atomic_fetch_add(&a->reports, 1, __ATOMIC_RELAXED);
			pr_err("slab: double free: object %p, its slab being given back (called from %p)\n",
			       object, caller);
		}
		return;
	}
	slab_free_in(s, slab, object, caller);
}

/* ---- bulk ---------------------------------------------------------------------- */

/*
 * Take as many objects as this CPU's array holds with interrupts off
 * once, refilling when it runs out.  Return: @count, or 0 (the objects
 * taken so far are freed again).
 */
int slab_backend_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t count, void **objects,
			    void *caller)
{
	size_t i = 0;

	while (i < count) {
		uint64_t flags = local_irq_save();
		struct array_cache *ac = *this_cpu_ptr(s->backend.cpu_array);

		if (ac && ac->avail) {
			size_t n = MIN((size_t)ac->avail, count - i);

			for (size_t j = 0; j < n; j++)
				objects[i++] = ac->entry[--ac->avail];
			ac->allocations += n;
			ac->touched = 1;
		}
		local_irq_restore(flags);
		if (i < count) {
			objects[i] = slab_alloc_slow(s, gfp & ~__GFP_ZERO, caller);
			if (!objects[i]) {
				slab_backend_free_bulk(s, i, objects, caller);
				return 0;
			}
			i++;
		}
	}
	if (unlikely(gfp & __GFP_ZERO))
		for (i = 0; i < count; i++)
			memset(objects[i], 0, s->object_size);
	return (int)count;
}

/*
 * As slab_backend_free() for each object: with interrupts off once, push
 * objects into this CPU's array while it has room and each is a good
 * free; a full array, a doubtful object or a debug cache (no array) goes
 * through slab_free() one by one, which flushes or reports.
 */
void slab_backend_free_bulk(struct kmem_cache *s, size_t count, void **objects, void *caller)
{
	size_t i = 0;

	while (i < count) {
		uint64_t flags = local_irq_save();
		struct array_cache *ac = *this_cpu_ptr(s->backend.cpu_array);

		for (; ac && i < count && ac->avail < ac->limit; i++) {
			void *object = objects[i];
			struct page *slab = slab_page_of(s->allocator, object);

			if (unlikely(!slab || !(slab->flags & PG_slab) || slab->slab_cache != s ||
				     object_index(s, slab, object) < 0 ||
				     (ac->avail && ac->entry[ac->avail - 1] == object)))
				break;
			ac->entry[ac->avail++] = object;
			ac->frees++;
		}
		local_irq_restore(flags);
		if (i < count) {
			slab_free(s, slab_page_of(s->allocator, objects[i]), objects[i], caller);
			i++;
		}
	}
}

/* ---- every CPU's array: draining, shrinking, destroying, statistics, reaping -- */

/* Empty this CPU's array of the cache @info into the slabs and free the array (a cross call). */
static void drain_cpu_array(void *info)
{
	struct kmem_cache *s = info;
	struct array_cache **slot = this_cpu_ptr(s->backend.cpu_array);
	struct array_cache *ac = *slot;
	LIST_HEAD(doomed);

	if (!ac)
		return;
	spin_lock(&s->backend.lock);
	count_shared_lock();
	free_block(s, ac->entry, ac->avail, &doomed);
	ac->avail = 0;
	s->backend.allocations += ac->allocations;
	s->backend.frees += ac->frees;
	s->backend.drains++;
	*slot = NULL;
	spin_unlock(&s->backend.lock);
	destroy_slabs(s, &doomed);
	free_internal(s->allocator, ac);
}

/*
 * Drain every CPU's array and the shared array, then retire every free
 * slab (all slabs, with @destroy, if none is in use: the cache is then
 * dying).  Return: objects in use.
 */
static unsigned long drain_all(struct kmem_cache *s, bool destroy)
{
	struct array_cache *shared;
	unsigned long in_use;
	LIST_HEAD(doomed);
	uint64_t flags;

	on_each_cpu(drain_cpu_array, s, true);
	spin_lock_irqsave(&s->backend.lock, flags);
	count_shared_lock();
	shared = s->backend.shared;
	__atomic_store_n(&s->backend.shared, NULL, __ATOMIC_RELAXED);
	if (shared)
		free_block(s, shared->entry, shared->avail, &doomed);
	in_use = s->backend.total_slabs * s->backend.objects - s->backend.free_objects;
	if (destroy && in_use == 0)
		__atomic_store_n(&s->backend.dying, true, __ATOMIC_RELAXED);
	trim_free_slabs(s, 0, ~0ul, &doomed);
	spin_unlock_irqrestore(&s->backend.lock, flags);
	if (shared)
		free_internal(s->allocator, shared);
	destroy_slabs(s, &doomed);
	return in_use;
}

void slab_backend_shrink(struct kmem_cache *s)
{
	drain_all(s, false);
}

/*
 * Every array is drained and freed and every free slab given back.  If no
 * object is in use, the cache is marked dying (a free that races the
 * destroy is reported and refused; no CPU makes an array any more), the
 * arrays a CPU made meanwhile are freed, and the reaper forgets it.
 */
unsigned long slab_backend_destroy(struct kmem_cache *s)
{
	unsigned long in_use = drain_all(s, true);
	uint64_t flags;

	if (in_use)
		return in_use;
	on_each_cpu(drain_cpu_array, s, true);
	spin_lock_irqsave(&s->allocator->backend.reap_lock, flags);
	list_del_init(&s->backend.reap_node);
	spin_unlock_irqrestore(&s->allocator->backend.reap_lock, flags);
	return 0;
}

size_t slab_backend_ksize(struct kmem_cache *s, const void *object)
{
	(void)object;
	return s->object_size;
}

struct array_census {
	struct kmem_cache *cache;
	unsigned long objects;          /* in CPU arrays */
	uint64_t allocations, frees;    /* counted in CPU arrays */
};

/* Add this CPU's array of the cache to the census (a cross call). */
static void census_cpu_array(void *info)
{
	struct array_census *census = info;
	struct array_cache *ac = *this_cpu_ptr(census->cache->backend.cpu_array);

	if (!ac)
		return;
	__atomic_fetch_add(&census->objects, ac->avail, __ATOMIC_RELAXED);
	__atomic_fetch_add(&census->allocations, ac->allocations, __ATOMIC_RELAXED);
	__atomic_fetch_add(&census->frees, ac->frees, __ATOMIC_RELAXED);
}

/*
 * Objects in CPU arrays count as free (cpu_slabs says how many); so do
 * those in the shared array.  Pages: the slabs only -- the arrays and
 * off-slab index arrays are kmalloc objects whose pages count in their
 * kmalloc caches; there they are not counted as objects in use, nor as
 * allocations and frees, which say what the cache's users did.
 */
void slab_backend_stats(struct kmem_cache *s, struct slab_stats *stats)
{
	struct array_census census = { .cache = s };
	uint64_t internal_frees = __atomic_load_n(&s->backend.internal_frees, __ATOMIC_RELAXED);
	uint64_t internal_allocations = __atomic_load_n(&s->backend.internal_allocations,
							__ATOMIC_RELAXED);
	unsigned long total, free;
	uint64_t flags;

	on_each_cpu(census_cpu_array, &census, true);
	spin_lock_irqsave(&s->backend.lock, flags);
	count_shared_lock();
	total = s->backend.total_slabs * s->backend.objects;
	free = s->backend.free_objects + census.objects +
	       (s->backend.shared ? s->backend.shared->avail : 0) +
	       (unsigned long)(internal_allocations - internal_frees);
	*stats = (struct slab_stats){
		.slabs = s->backend.total_slabs,
		.objects_total = total,
		.objects_in_use = free < total ? total - free : 0,
		.partial = s->backend.partial_slabs,
		.empty = s->backend.free_slabs,
		.cpu_slabs = census.objects,
		.stride = s->backend.stride,
		.objects_per_slab = s->backend.objects,
		.order = s->backend.order,
		.bytes_used = (uint64_t)s->backend.total_slabs * slab_bytes(s),
		.allocations = census.allocations + s->backend.allocations - internal_allocations,
		.frees = census.frees + s->backend.frees - internal_frees,
		.bad_frees = __atomic_load_n(&s->bad_frees, __ATOMIC_RELAXED),
	};
	spin_unlock_irqrestore(&s->backend.lock, flags);
}

/* Give the oldest (limit + 4) / 5 objects of an idle array back to the slabs. Lock held. */
static void reap_array(struct kmem_cache *s, struct array_cache *ac, struct list_head *doomed)
{
	unsigned int n;

	if (!ac)
		return;
	if (ac->touched) {
		ac->touched = 0;
		return;
	}
	n = MIN(ac->avail, (ac->limit + REAP_FRACTION - 1) / REAP_FRACTION);
	ac->moves++;
	free_block(s, ac->entry, n, doomed);
	ac->avail -= n;
	memmove(ac->entry, &ac->entry[n], ac->avail * sizeof(void *));
}

/* One cache's share of a reap pass on this CPU. Interrupts off. */
static void reap_cache(struct kmem_cache *s)
{
	unsigned long slabs;
	LIST_HEAD(doomed);

	spin_lock(&s->backend.lock);
	count_shared_lock();
	reap_array(s, *this_cpu_ptr(s->backend.cpu_array), &doomed);
	reap_array(s, s->backend.shared, &doomed);
	if (s->backend.free_touched) {
		s->backend.free_touched = false;
	} else {
		slabs = (s->backend.free_limit + REAP_FRACTION * s->backend.objects - 1) /
			(REAP_FRACTION * s->backend.objects);
		trim_free_slabs(s, 0, slabs, &doomed);
	}
	spin_unlock(&s->backend.lock);
	destroy_slabs(s, &doomed);
}

void slab_reap(struct slab_allocator *a)
{
	struct list_head *node;
	uint64_t flags;

	spin_lock_irqsave(&a->backend.reap_lock, flags);
	list_for_each(node, &a->backend.reap_list)
		reap_cache(list_entry(node, struct kmem_cache, backend.reap_node));
	spin_unlock_irqrestore(&a->backend.reap_lock, flags);
}

/*
 * Every REAP_INTERVAL ticks, staggered by CPU so that the CPUs do not
 * reap at once, a reap pass.  Cost: a pass takes each cache's lock once
 * (interrupts are off in the tick anyway), a few hundred instructions per
 * cache with nothing to give back, every second per CPU.
 */
void slab_backend_tick(struct slab_allocator *a, unsigned int cpu)
{
	if (++a->backend.ticks[cpu] % REAP_INTERVAL == (cpu * 7) % REAP_INTERVAL)
		slab_reap(a);
}

const char *slab_backend_check(struct kmem_cache *s)
{
	return slab_check_cache(s);
}
