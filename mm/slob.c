// SPDX-License-Identifier: MIT
/*
 * SLOB: a simple list of blocks (interface in mm/slab_backend.h; its part
 * of the instance structures is in mm/slob_def.h).  After Linux's
 * mm/slob.c (removed in 6.4): the allocator for machines where every
 * byte counts.
 *
 * Every cache shares the same pages.  A page is carved into blocks of
 * 8-byte units, each starting with an 8-byte header (mm/slob_internal.h);
 * the blocks tile the page, in use or free.  The free blocks of a page
 * form a chain sorted by address, linked by offsets in their headers;
 * no two free blocks touch (a freed block merges with free neighbours).
 * Worked example, one fresh page, kmalloc(20) then kmalloc(64):
 *
 *   kmalloc(20): 8-byte header + 24 bytes = 4 units at offset 0, object at +8;
 *                free: one block of 508 units at offset 32.
 *   kmalloc(64): the object must be 64-aligned, so the block starts at
 *                offset 56 (header at 56, object at 64): the free block at
 *                32 is split into 3 units of free space (32..55), the 9-unit
 *                block (56..127), and 492 free units from 128.
 *   kfree of the first: its 4 units merge with the 3 after them: one free
 *                block of 7 units at offset 0.
 *
 * Allocation is first fit: the pages with free space are on three lists,
 * by the size of the request that last used them (under 256 bytes, under
 * 1 KiB, larger, as Linux's), and the first page of the request's list
 * with a free block big enough (after aligning the object) gives its
 * first such block.  If none does, a new page is added.  As in Linux, the
 * list then starts at the page that gave the block ("next fit"), so that
 * pages whose free space is too small for the requests of the moment are
 * not walked on every allocation.  A page that becomes wholly free is
 * kept as the spare page, and the spare page before it goes back to the
 * page allocator (Linux's SLOB kept none; one spare page spares a loop of
 * kmalloc and kfree a page allocation each time, and keeps the header of
 * an object freed last readable); shrinking any cache gives it back.  A
 * request that finds no room on its own list takes the spare page onto
 * it before asking for a new page.  Objects too big for a page
 * (kmalloc above PAGE_SIZE - 8 bytes, up to KMALLOC_MAX_CACHE_SIZE, and
 * such caches' objects) get a block of pages of their own, marked PG_slab
 * with page->objects = SLOB_BIG and page->slab_cache = their cache.
 *
 * Caches are thin wrappers: an object size, an alignment, a constructor
 * -- run on every allocation, as Linux's SLOB does -- and counters.  kmalloc
 * objects belong to the pseudo cache "kmalloc-slob"; the free space of the
 * shared pages to the pseudo cache "slob-free".  Both are listed like
 * caches, so that slabinfo and slab_pages() account every page once: a
 * cache's bytes_used is the bytes of its blocks, "slob-free"'s is the rest
 * of the shared pages (see slab_backend_stats()).
 *
 * Wrong use.  Linux's SLOB checked nothing; this one reads the header in
 * front of every freed pointer.  The header's owner tag names the cache
 * (an index into the instance's table of caches), and its seal -- a keyed
 * hash of the header's address, length and tag -- tells a real header
 * from bytes that only look like one, so a pointer into the middle of an
 * object or outside any object is refused.  A freed block's header says
 * "free" (merging leaves it in place), so freeing an object again is a
 * double free as long as its memory was not handed out again.  Cost: the
 * header, 8 bytes per object, and the rounding of every object to 8 bytes.
 *
 * Debug caches (SLAB_CONSISTENCY_CHECKS, RED_ZONE, POISON, STORE_USER)
 * lay a block out as
 *   [header][red left 8][object, rounded to 8][red right 8][size 8][tracks 32]
 * (red zones with SLAB_RED_ZONE, tracks with SLAB_STORE_USER), and keep
 * their last SLOB_MAX_HELD freed objects "held" (tag | SLOB_TAG_HELD), not
 * merged, so that a double free of any of them is found, and a write
 * after free or into a red zone is found when the object is handed out
 * again (mm/slob_debug.c).  Objects with a block of pages of their own
 * have no red zones or poison.
 *
 * Locking: one lock per instance, allocator->backend.lock ("slob_lock"),
 * taken with interrupts off, guards every page, every header, the lists,
 * the table of caches and every cache's counters.  Lock order: the
 * allocator's cache-list lock ("slab_allocator->lock"), then slob_lock,
 * then the page allocator's zone lock -- but pages are taken from and
 * given back to the page allocator with slob_lock dropped.  Nothing here
 * waits for a cross call.
 */
#include <kernel.h>
#include <kstring.h>
#include <printk.h>
#include <xorshift.h>

#include "slab.h"
#include "slob_internal.h"

#define CACHE_LINE 64u
#define SLOB_BREAK1 256u
#define SLOB_BREAK2 1024u

/* ---- pages ------------------------------------------------------------------ */

/*
 * Is @page a block of pages of one object (else a shared page)?  Read
 * without the lock: page->slab_cache is set before the page is PG_slab and
 * not changed while it is (page->objects, which says SLOB_BIG too, is
 * rewritten under the lock by every allocation in a shared page).
 */
static bool is_big_block(const struct slab_allocator *a, const struct page *page)
{
	return page->slab_cache != a->backend.free_cache;
}

static struct list_head *free_list_for(struct slab_allocator *a, size_t bytes)
{
	return &a->backend.free_pages[bytes < SLOB_BREAK1 ? 0 : bytes < SLOB_BREAK2 ? 1 : 2];
}

static struct slob_header *block_at(uint8_t *base, unsigned int offset_units)
{
	return (struct slob_header *)(base + (size_t)offset_units * SLOB_UNIT);
}

static unsigned int units_from(const uint8_t *base, const struct slob_header *h)
{
	return (unsigned int)(((const uint8_t *)h - base) / SLOB_UNIT);
}

static void set_free(struct slob_header *h, unsigned int units, unsigned int next)
{
	h->units = (uint16_t)units;
	h->tag = SLOB_TAG_FREE;
	h->seal = next | (SLOB_FREE_MARK << 16);
}

static unsigned int next_offset(const struct slob_header *h)
{
	return h->seal & 0xffff;
}

static struct slob_header *next_free(uint8_t *base, const struct slob_header *h)
{
	return next_offset(h) == SLOB_NO_NEXT ? NULL : block_at(base, next_offset(h));
}

/* The page allocator's bookkeeping back in place, then the pages back. Lock not held. */
static void give_back(struct slab_allocator *a, struct page *page, unsigned int order)
{
	assert_spin_not_held(&a->backend.lock);
	page->private = order;
	page->refcount = 1;
	page->freelist = NULL;
	buddy_free(a->buddy, page, order, NULL);
}

/* A new shared page, one free block. Lock not held. */
static struct page *new_page(struct slab_allocator *a, gfp_t gfp)
{
	struct page *page = buddy_alloc(a->buddy, (gfp & ~(__GFP_ZERO | __GFP_COMP)) | __GFP_NOWARN, 0,
					NULL);
	uint8_t *base;

	if (!page)
		return NULL;
	base = page_base(a, page);
	set_free((struct slob_header *)base, SLOB_PAGE_UNITS, SLOB_NO_NEXT);
	page->slab_cache = a->backend.free_cache;
	page->objects = SLOB_PAGE_UNITS;    /* free units */
	page->inuse = 0;                    /* no search failed here yet (see search_hint_says_no()) */
	page->freelist = base;
	INIT_LIST_HEAD(&page->slab_list);
	__atomic_or_fetch(&page->flags, PG_slab, __ATOMIC_RELEASE);
	return page;
}

/*
 * A shared page's page->inuse remembers the smallest request a search
 * failed to place in it since it last gained free space: its units in
 * bits 0-9 and log2 of its alignment in bits 10-15 (0: none).  A request
 * at least as big and at least as aligned is not tried there (it cannot
 * fit, but for a different header offset), so pages whose free space is
 * cut too small -- two 1 KiB-aligned kmalloc blocks leave two 1016-byte
 * holes -- cost one comparison per search instead of a walk of their blocks.
 */
static bool search_hint_says_no(const struct page *page, unsigned int units, unsigned int align)
{
	unsigned int hint = page->inuse;

	return hint && units >= (hint & 0x3ff) && (unsigned int)__builtin_ctz(align) >= (hint >> 10);
}

static void note_failed_search(struct page *page, unsigned int units, unsigned int align)
{
	if (!page->inuse || units < (page->inuse & 0x3ffu))
		page->inuse = (uint16_t)(units | (unsigned int)__builtin_ctz(align) << 10);
}

/*
 * Carve @units units from @page's free blocks, first fit, so that the
 * object (@object_offset bytes into the block) is aligned to @align; an
 * aligning gap before the block stays a free block of its own.
 * Caller holds the lock.  Return: the block, or NULL if none fits.
 */
static struct slob_header *page_alloc_block(struct slab_allocator *a, struct page *page,
					     unsigned int units, unsigned int align,
					     unsigned int object_offset)
{
	uint8_t *base = page_base(a, page);
	struct slob_header *prev = NULL, *cur;

	for (cur = page->freelist; cur; prev = cur, cur = next_free(base, cur)) {
		uintptr_t start = (uintptr_t)cur;
		uintptr_t aligned = ALIGN_UP(start + object_offset, (uintptr_t)align) - object_offset;
		unsigned int delta = (unsigned int)((aligned - start) / SLOB_UNIT);
		unsigned int avail = cur->units, next;

		if (avail < units + delta)
			continue;
		if (delta) {
			struct slob_header *split = (struct slob_header *)aligned;

			set_free(split, avail - delta, next_offset(cur));
			set_free(cur, delta, units_from(base, split));
			prev = cur;
			cur = split;
			avail -= delta;
		}
		next = next_offset(cur);
		if (avail > units) {
			struct slob_header *rest = block_at(base, units_from(base, cur) + units);

			set_free(rest, avail - units, next);
			next = units_from(base, rest);
		}
		if (prev)
			set_free(prev, prev->units, next);
		else
			page->freelist = next == SLOB_NO_NEXT ? NULL : block_at(base, next);
		page->objects = (uint16_t)(page->objects - units);
		if (a->backend.spare == page)
			a->backend.spare = NULL;
		return cur;
	}
	return NULL;
}

/*
 * Return the block @b of @units units to @page's free chain, merged with
 * the free blocks right before and after it.  Caller holds the lock.
 * Return: true if the page is now wholly free (the caller gives it back).
 */
static bool page_free_block(struct slab_allocator *a, struct page *page, struct slob_header *b,
			    unsigned int units)
{
	uint8_t *base = page_base(a, page);
	struct slob_header *first = page->freelist, *prev, *next;

	page->inuse = 0;    /* more room: searches that failed here may not fail now */
	page->objects = (uint16_t)(page->objects + units);
	if (page->objects == SLOB_PAGE_UNITS) {
		set_free(b, units, SLOB_NO_NEXT);   /* a late double free still reads "free" */
		return true;
	}
	if (!first || b < first) {
		if (first && (uint8_t *)b + units * SLOB_UNIT == (uint8_t *)first)
			set_free(b, units + first->units, next_offset(first));
		else
			set_free(b, units, first ? units_from(base, first) : SLOB_NO_NEXT);
		page->freelist = b;
		return false;
	}
	for (prev = first, next = next_free(base, prev); next && next < b;
	     prev = next, next = next_free(base, prev))
		;
	if (next && (uint8_t *)b + units * SLOB_UNIT == (uint8_t *)next)
		set_free(b, units + next->units, next_offset(next));
	else
		set_free(b, units, next ? units_from(base, next) : SLOB_NO_NEXT);
	if ((uint8_t *)prev + prev->units * SLOB_UNIT == (uint8_t *)b)
		set_free(prev, prev->units + b->units, next_offset(b));
	else
		set_free(prev, prev->units, units_from(base, b));
	return false;
}

/* ---- creating a cache ------------------------------------------------------- */

void slab_backend_init(struct slab_allocator *a)
{
	spin_lock_init(&a->backend.lock, "slob_lock");
	a->backend.key = a->random_u64 ? a->random_u64() : xorshift64(&a->random_state);
	for (int i = 0; i < 3; i++)
		INIT_LIST_HEAD(&a->backend.free_pages[i]);
	INIT_LIST_HEAD(&a->backend.full_pages);
	INIT_LIST_HEAD(&a->backend.big_blocks);
}

/* Does a @size-byte object of @s, aligned to @align, fit a shared page? */
static bool fits_a_page(const struct kmem_cache *s, size_t size, unsigned int align)
{
	size_t gap = ALIGN_UP(header_offset(s), align) - header_offset(s);

	return size <= PAGE_SIZE && gap + (size_t)block_units(s, size) * SLOB_UNIT <= PAGE_SIZE;
}

static unsigned int order_for(size_t bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/* The first cache of an instance is the cache of caches: SLOB's two pseudo caches follow it. */
static void create_pseudo_caches(struct slab_allocator *a)
{
	struct list_head *node;
	uint64_t flags;

	slab_cache_create(a, "kmalloc-slob", KMALLOC_MAX_CACHE_SIZE, KMALLOC_MIN_ALIGN, SLAB_PANIC, NULL);
	slab_cache_create(a, "slob-free", PAGE_SIZE, KMALLOC_MIN_ALIGN, SLAB_PANIC, NULL);
	/* The page their structs came from was made before "slob-free" existed. */
	spin_lock_irqsave(&a->backend.lock, flags);
	for (int i = 0; i <= 3; i++)
		list_for_each(node, i < 3 ? &a->backend.free_pages[i] : &a->backend.full_pages)
			list_entry(node, struct page, slab_list)->slab_cache = a->backend.free_cache;
	spin_unlock_irqrestore(&a->backend.lock, flags);
}

int slab_backend_create(struct kmem_cache *s)
{
	struct slab_allocator *a = s->allocator;
	unsigned int align = MAX(s->align, KMALLOC_MIN_ALIGN);
	uint64_t flags;
	int id;

	if ((s->flags & SLAB_HWCACHE_ALIGN) && s->object_size > CACHE_LINE / 2)
		align = MAX(align, CACHE_LINE);
	if (align & (align - 1))
		return -1;
	s->align = align;
	if (s != &a->cache_cache && !a->backend.kmalloc_cache) {
		s->backend.kind = SLOB_KMALLOC;
		a->backend.kmalloc_cache = s;
	} else if (s != &a->cache_cache && !a->backend.free_cache) {
		s->backend.kind = SLOB_FREE_SPACE;
		s->flags &= ~SLAB_DEBUG_FLAGS;  /* it holds no objects */
		a->backend.free_cache = s;
	} else {
		s->backend.kind = SLOB_OBJECTS;
	}
	s->backend.red_left = (s->flags & SLAB_RED_ZONE) ? SLOB_UNIT : 0;
	if (s->backend.kind == SLOB_OBJECTS && !fits_a_page(s, s->object_size, align)) {
		s->backend.big = true;
		s->backend.big_order = order_for(s->object_size);
		if (align > (PAGE_SIZE << s->backend.big_order) || s->backend.big_order > MAX_ORDER)
			return -1;
	}
	s->backend.held_oldest = 0;
	spin_lock_irqsave(&a->backend.lock, flags);
	for (id = 1; id < SLOB_MAX_CACHES && a->backend.caches[id]; id++)
		;
	if (id < SLOB_MAX_CACHES)
		a->backend.caches[id] = s;
	spin_unlock_irqrestore(&a->backend.lock, flags);
	if (id == SLOB_MAX_CACHES)
		return -1;
	s->backend.id = (uint16_t)id;
	if (s == &a->cache_cache)
		create_pseudo_caches(a);
	return 0;
}

/* ---- allocation ------------------------------------------------------------- */

/* ---- the held objects of a debug cache: a ring in the cache, newest last ---- */

static struct slob_header *held_newest(struct kmem_cache *s)
{
	return s->backend.held_ring[(s->backend.held_oldest + s->backend.held - 1) % SLOB_MAX_HELD];
}

/* Hold @h, freed; the ring must have room. Lock held. */
static void held_push(struct kmem_cache *s, struct slob_header *h)
{
	s->backend.held_ring[(s->backend.held_oldest + s->backend.held) % SLOB_MAX_HELD] = h;
	s->backend.held++;
}

/* Take the newest held block off the ring (it is handed out again). Lock held. */
static struct slob_header *held_pop_newest(struct kmem_cache *s)
{
	struct slob_header *h = held_newest(s);

	s->backend.held--;
	return h;
}

/* Take the oldest held block off the ring (it is released). Lock held. */
static struct slob_header *held_pop_oldest(struct kmem_cache *s)
{
	struct slob_header *h = s->backend.held_ring[s->backend.held_oldest];

	s->backend.held_oldest = (s->backend.held_oldest + 1) % SLOB_MAX_HELD;
	s->backend.held--;
	return h;
}

/* Count a new block of @s. Caller holds the lock. */
static void count_block(struct kmem_cache *s, unsigned int bytes, bool shared)
{
	s->backend.live++;
	s->backend.allocations++;
	s->backend.bytes += bytes;
	if (shared)
		s->allocator->backend.block_bytes += bytes;
}

/*
 * A block for a @size-byte object of @s, aligned to @align, from the
 * shared pages (a new page if none has room).  Debug caches are checked
 * and marked before the lock drops.  Return: the object, or NULL.
 */
static void *alloc_shared(struct kmem_cache *s, size_t size, unsigned int align, gfp_t gfp,
			  void *caller)
{
	struct slab_allocator *a = s->allocator;
	unsigned int units = block_units(s, size), offset = header_offset(s);
	struct list_head *list = free_list_for(a, (size_t)units * SLOB_UNIT), *node;
	struct slob_header *h = NULL;
	struct page *page = NULL;
	bool spare_tried = false;
	uint64_t flags;

	spin_lock_irqsave(&a->backend.lock, flags);
	if (cache_is_debug(s) && s->backend.held) {
		/* The newest held object, if it suits: what was freed last is handed out first. */
		struct slob_header *held = held_newest(s);

		if (meta_of(s, held)->size == size && (uintptr_t)object_of(s, held) % align == 0) {
			held_pop_newest(s);
			s->backend.live++;
			s->backend.allocations++;
			seal_header(a, held, held->units, s->backend.id);
			debug_on_alloc(s, held, size, true, caller);
			spin_unlock_irqrestore(&a->backend.lock, flags);
			return object_of(s, held);
		}
	}
	for (;;) {
		list_for_each(node, list) {
			page = list_entry(node, struct page, slab_list);
			if (page->objects < units || search_hint_says_no(page, units, align))
				continue;
			h = page_alloc_block(a, page, units, align, offset);
			if (h)
				break;
			note_failed_search(page, units, align);
		}
		if (h)
			break;
		if (a->backend.spare && !spare_tried) {
			/* The spare page stays on the list of the size that emptied it: use it here first. */
			spare_tried = true;
			list_del(&a->backend.spare->slab_list);
			list_add(&a->backend.spare->slab_list, list);
			continue;
		}
		spin_unlock_irqrestore(&a->backend.lock, flags);
		page = new_page(a, gfp);
		if (!page)
			return NULL;
		spin_lock_irqsave(&a->backend.lock, flags);
		a->backend.pages++;
		list_add(&page->slab_list, list);
		h = page_alloc_block(a, page, units, align, offset);
		if (unlikely(!h)) { /* cannot happen: fits_a_page() said a fresh page holds it */
			list_del_init(&page->slab_list);
			a->backend.pages--;
			__atomic_and_fetch(&page->flags, ~PG_slab, __ATOMIC_RELEASE);
			spin_unlock_irqrestore(&a->backend.lock, flags);
			give_back(a, page, 0);
			return NULL;
		}
		break;
	}
	if (list->next != &page->slab_list) {
		/* Next fit, as Linux's: the next search of this list starts at this page. */
		list_del(list);
		list_add_tail(list, &page->slab_list);
	}
	if (!page->freelist) {
		list_del(&page->slab_list);
		list_add(&page->slab_list, &a->backend.full_pages);
	}
	seal_header(a, h, units, s->backend.id);
	count_block(s, units * SLOB_UNIT, true);
	if (cache_is_debug(s))
		debug_on_alloc(s, h, size, false, caller);
	spin_unlock_irqrestore(&a->backend.lock, flags);
	return object_of(s, h);
}

/* A block of pages for one object of @s. Return: the object (the first page's address), or NULL. */
static void *alloc_big(struct kmem_cache *s, size_t size, gfp_t gfp)
{
	struct slab_allocator *a = s->allocator;
	unsigned int order = order_for(size);
	struct page *page;
	uint64_t flags;

	if (order > MAX_ORDER)
		return NULL;
	page = buddy_alloc(a->buddy, (gfp & ~(__GFP_ZERO | __GFP_COMP)) | __GFP_NOWARN |
				     (order ? __GFP_COMP : 0), order, NULL);
	if (!page)
		return NULL;
	page->slab_cache = s;
	page->objects = SLOB_BIG;
	page->inuse = (uint16_t)order;
	page->freelist = NULL;
	__atomic_or_fetch(&page->flags, PG_slab, __ATOMIC_RELEASE);
	spin_lock_irqsave(&a->backend.lock, flags);
	list_add(&page->slab_list, &a->backend.big_blocks);
	s->backend.big_blocks++;
	s->backend.big_bytes += PAGE_SIZE << order;
	count_block(s, PAGE_SIZE << order, false);
	spin_unlock_irqrestore(&a->backend.lock, flags);
	return page_base(a, page);
}

void *slab_backend_alloc(struct kmem_cache *s, gfp_t gfp, void *caller)
{
	void *object = s->backend.big ? alloc_big(s, s->object_size, gfp)
				      : alloc_shared(s, s->object_size, s->align, gfp, caller);

	if (unlikely(!object))
		return NULL;
	if (s->ctor)
		s->ctor(object);
	if (unlikely(gfp & __GFP_ZERO))
		memset(object, 0, s->object_size);
	return object;
}

/* kmalloc's alignment: power-of-two sizes to their size, others to 8 bytes. */
static unsigned int kmalloc_align(size_t size)
{
	return (size & (size - 1)) ? KMALLOC_MIN_ALIGN : (unsigned int)MAX(size, KMALLOC_MIN_ALIGN);
}

void *slab_backend_kmalloc(struct slab_allocator *a, size_t size, gfp_t gfp, void *caller)
{
	struct kmem_cache *s = a->backend.kmalloc_cache;
	unsigned int align = kmalloc_align(size);
	void *object = fits_a_page(s, size, align) ? alloc_shared(s, size, align, gfp, caller)
						   : alloc_big(s, size, gfp);

	if (object && (gfp & __GFP_ZERO))
		memset(object, 0, size);
	return object;
}

int slab_backend_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t count, void **objects,
			    void *caller)
{
	for (size_t i = 0; i < count; i++) {
		objects[i] = slab_backend_alloc(s, gfp, caller);
		if (!objects[i]) {
			slab_backend_free_bulk(s, i, objects, caller);
			return 0;
		}
	}
	return (int)count;
}

/* ---- free ------------------------------------------------------------------- */

enum slob_verdict slob_classify(struct kmem_cache *s, struct page *page, const void *object,
				struct slob_header **header)
{
	struct slab_allocator *a = s->allocator;
	uint8_t *base = page_base(a, page);
	struct slob_header *h;

	if ((uintptr_t)object % SLOB_UNIT || (const uint8_t *)object < base + header_offset(s))
		return SLOB_NOT_OURS;
	h = header_of(s, object);
	*header = h;
	if (header_free(h))
		return SLOB_ALREADY_FREE;
	if (!header_sealed(a, h) || (h->tag & ~SLOB_TAG_HELD) != s->backend.id ||
	    (uint8_t *)h + h->units * SLOB_UNIT > base + PAGE_SIZE)
		return SLOB_NOT_OURS;
	return (h->tag & SLOB_TAG_HELD) ? SLOB_ALREADY_FREE : SLOB_LIVE;
}

/* Take the wholly free @page off its list, no longer PG_slab. Lock held. Return: @page, to give back. */
static struct page *retire_page(struct slab_allocator *a, struct page *page)
{
	list_del_init(&page->slab_list);
	a->backend.pages--;
	if (a->backend.spare == page)
		a->backend.spare = NULL;
	__atomic_and_fetch(&page->flags, ~PG_slab, __ATOMIC_RELEASE);
	return page;
}

/*
 * Give the block @h of @s back to its page's free space.  Caller holds the
 * lock.  Return: the page if it became wholly free (unlisted, no longer
 * PG_slab: the caller gives it back after unlocking), or NULL.
 */
static struct page *release_block(struct kmem_cache *s, struct page *page, struct slob_header *h)
{
	struct slab_allocator *a = s->allocator;
	unsigned int units = h->units;
	bool was_full = page->freelist == NULL;

	s->backend.bytes -= units * SLOB_UNIT;
	a->backend.block_bytes -= units * SLOB_UNIT;
	if (page_free_block(a, page, h, units)) {
		/* Wholly free: it becomes the spare page, and the spare before it goes back. */
		struct page *old = a->backend.spare;

		set_free((struct slob_header *)page_base(a, page), SLOB_PAGE_UNITS, SLOB_NO_NEXT);
		page->freelist = page_base(a, page);
		if (was_full) {
			list_del(&page->slab_list);
			list_add(&page->slab_list, free_list_for(a, units * SLOB_UNIT));
		}
		a->backend.spare = page;
		return old ? retire_page(a, old) : NULL;
	}
	if (was_full) {
		list_del(&page->slab_list);
		list_add(&page->slab_list, free_list_for(a, units * SLOB_UNIT));
	}
	return NULL;
}

/* Release the oldest held object of @s. Caller holds the lock. Return: as release_block(). */
static struct page *release_oldest_held(struct kmem_cache *s)
{
	struct slob_header *h = held_pop_oldest(s);

	return release_block(s, buddy_virt_to_head_page(s->allocator->buddy, h), h);
}

/* Report a free refused before its block was looked at: into a dying cache, or not a block of @s. */
static void report_refused_free(struct kmem_cache *s, struct page *page, void *object, void *caller,
				bool dying)
{
	if (dying)
		slab_report_destroyed_cache_free(s, object, caller);
	else
		slab_report_invalid_free(s, page, object, caller);
}

/* Free @object of @s in the shared page @page. */
static void free_shared(struct kmem_cache *s, struct page *page, void *object, void *caller)
{
	struct slab_allocator *a = s->allocator;
	struct slob_header *h = NULL;
	struct page *discard = NULL;
	enum slob_verdict verdict;
	uint64_t flags;

	spin_lock_irqsave(&a->backend.lock, flags);
	/* Checked and freed under one hold of the lock, so two frees cannot both pass. */
	if (unlikely(!(__atomic_load_n(&page->flags, __ATOMIC_ACQUIRE) & PG_slab) ||
		     page->objects == SLOB_BIG || s->backend.dying)) {
		bool dying = s->backend.dying;

		spin_unlock_irqrestore(&a->backend.lock, flags);
		report_refused_free(s, page, object, caller, dying);
		return;
	}
	verdict = slob_classify(s, page, object, &h);
	if (unlikely(verdict != SLOB_LIVE)) {
		spin_unlock_irqrestore(&a->backend.lock, flags);
		if (verdict == SLOB_ALREADY_FREE)
			slob_report_double_free(s, h, object, caller);
		else
			slab_report_invalid_free(s, page, object, caller);
		return;
	}
	s->backend.live--;
	s->backend.frees++;
	if (cache_is_debug(s)) {
		debug_on_free(s, h, caller);
		seal_header(a, h, h->units, s->backend.id | SLOB_TAG_HELD);
		if (s->backend.held == SLOB_MAX_HELD)
			discard = release_oldest_held(s);
		held_push(s, h);
	} else {
		discard = release_block(s, page, h);
	}
	spin_unlock_irqrestore(&a->backend.lock, flags);
	if (discard)
		give_back(a, discard, 0);
}

/* Free @object of @s, whose block of pages starts at @page. */
static void free_big(struct kmem_cache *s, struct page *page, void *object, void *caller)
{
	struct slab_allocator *a = s->allocator;
	unsigned int order;
	uint64_t flags;

	spin_lock_irqsave(&a->backend.lock, flags);
	if (unlikely(!(__atomic_load_n(&page->flags, __ATOMIC_ACQUIRE) & PG_slab) ||
		     page->objects != SLOB_BIG || page->slab_cache != s || s->backend.dying ||
		     object != page_base(a, page))) {
		bool dying = s->backend.dying;

		spin_unlock_irqrestore(&a->backend.lock, flags);
		report_refused_free(s, page, object, caller, dying);
		return;
	}
	order = page->inuse;
	list_del_init(&page->slab_list);
	__atomic_and_fetch(&page->flags, ~PG_slab, __ATOMIC_RELEASE);
	s->backend.big_blocks--;
	s->backend.live--;
	s->backend.frees++;
	s->backend.bytes -= PAGE_SIZE << order;
	s->backend.big_bytes -= PAGE_SIZE << order;
	spin_unlock_irqrestore(&a->backend.lock, flags);
	give_back(a, page, order);
}

static void slob_free(struct kmem_cache *s, struct page *page, void *object, void *caller)
{
	if (unlikely(!page || !(__atomic_load_n(&page->flags, __ATOMIC_ACQUIRE) & PG_slab))) {
		slab_report_invalid_free(s, page, object, caller);
		return;
	}
	if (is_big_block(s->allocator, page))
		free_big(s, page, object, caller);
	else
		free_shared(s, page, object, caller);
}

void slab_backend_free(struct kmem_cache *s, void *object, void *caller)
{
	slob_free(s, buddy_virt_to_head_page(s->allocator->buddy, object), object, caller);
}

void slab_backend_free_bulk(struct kmem_cache *s, size_t count, void **objects, void *caller)
{
	for (size_t i = 0; i < count; i++)
		slab_backend_free(s, objects[i], caller);
}

/* kfree also frees a kmem_cache_alloc() object, as Linux's does: into the cache its header names. */
void slab_backend_kfree(struct slab_allocator *a, struct page *slab, void *object, void *caller)
{
	struct kmem_cache *owner = slab_backend_cache_of(a, slab, object);

	slob_free(owner ? owner : a->backend.kmalloc_cache, slab, object, caller);
}

/* ---- lookups ------------------------------------------------------------------ */

struct kmem_cache *slab_backend_cache_of(struct slab_allocator *a, struct page *slab,
					 const void *object)
{
	uint8_t *base = page_base(a, slab);

	if (is_big_block(a, slab))
		return object == base ? slab->slab_cache : NULL;
	if ((uintptr_t)object % SLOB_UNIT)
		return NULL;
	/* The header is 8 bytes before the object, or 16 with a left red zone. */
	for (unsigned int offset = SLOB_UNIT; offset <= 2 * SLOB_UNIT; offset += SLOB_UNIT) {
		const struct slob_header *h = (const void *)((const uint8_t *)object - offset);
		struct kmem_cache *owner;

		if ((const uint8_t *)h < base || !header_sealed(a, h))
			continue;
		owner = a->backend.caches[(h->tag & ~SLOB_TAG_HELD) % SLOB_MAX_CACHES];
		if (owner && header_offset(owner) == offset)
			return owner;
	}
	return NULL;
}

size_t slob_object_size(const struct kmem_cache *s, struct slob_header *h)
{
	if (s->backend.kind != SLOB_KMALLOC)
		return s->object_size;
	if (cache_is_debug(s)) {
		uint64_t size = meta_of(s, h)->size;

		/* An overflow may have overwritten it: never more than the block holds. */
		return debug_size_fits(s, h, size) ? size : debug_capacity(s, h);
	}
	return h->units * SLOB_UNIT - header_offset(s);
}

size_t slab_backend_ksize(struct kmem_cache *s, const void *object)
{
	struct page *page = buddy_virt_to_head_page(s->allocator->buddy, object);

	if (page && is_big_block(s->allocator, page))
		return s->backend.kind == SLOB_KMALLOC ? PAGE_SIZE << page->inuse : s->object_size;
	return slob_object_size(s, header_of(s, object));
}

/* ---- shrinking, destroying, statistics ------------------------------------------ */

/* Release every held object of @s; pages that become free go on @discard. Lock held. */
static void release_all_held(struct kmem_cache *s, struct list_head *discard)
{
	while (s->backend.held) {
		struct page *page = release_oldest_held(s);

		if (page)
			list_add(&page->slab_list, discard);
	}
}

static void give_back_all(struct slab_allocator *a, struct list_head *discard)
{
	while (!list_empty(discard)) {
		struct page *page = list_first_entry(discard, struct page, slab_list);

		list_del_init(&page->slab_list);
		give_back(a, page, 0);
	}
}

/* The spare page goes back, and a debug cache's held objects are released. */
void slab_backend_shrink(struct kmem_cache *s)
{
	struct slab_allocator *a = s->allocator;
	LIST_HEAD(discard);
	uint64_t flags;

	spin_lock_irqsave(&a->backend.lock, flags);
	release_all_held(s, &discard);
	if (a->backend.spare)
		list_add(&retire_page(a, a->backend.spare)->slab_list, &discard);
	spin_unlock_irqrestore(&a->backend.lock, flags);
	give_back_all(a, &discard);
}

unsigned long slab_backend_destroy(struct kmem_cache *s)
{
	struct slab_allocator *a = s->allocator;
	LIST_HEAD(discard);
	unsigned long in_use;
	uint64_t flags;

	spin_lock_irqsave(&a->backend.lock, flags);
	in_use = s->backend.live;
	if (!in_use) {
		release_all_held(s, &discard);
		s->backend.dying = true;
		a->backend.caches[s->backend.id] = NULL;
	}
	spin_unlock_irqrestore(&a->backend.lock, flags);
	give_back_all(a, &discard);
	return in_use;
}

/*
 * A cache's bytes_used is the bytes of its blocks (headers, debug metadata
 * and blocks of pages included); "slob-free"'s is what the shared pages
 * hold besides: their free space.  Summed over the caches: every page held,
 * once.  A cache's slabs are its blocks of pages and the shared pages its
 * other blocks would fill, rounded up (a figure, not pages of its own:
 * counting the pages its blocks lie on would walk every block, and
 * slab_pages() reads every cache's statistics); "slob-free"'s are all
 * shared pages (partial: those with free space).
 */
/*
 * The usable bytes of @s's live blocks (kmalloc-slob: each as long as its
 * kmalloc asked, rounded to 8 bytes -- exact with debug flags -- which
 * object_size times the count cannot give).  Lock held.
 */
static uint64_t live_object_bytes(struct kmem_cache *s)
{
	struct slab_allocator *a = s->allocator;
	struct list_head *node;
	uint64_t bytes = 0;

	for (int i = 0; i <= 3; i++)
		list_for_each(node, i < 3 ? &a->backend.free_pages[i] : &a->backend.full_pages) {
			uint8_t *base = page_base(a, list_entry(node, struct page, slab_list));

			for (unsigned int offset = 0; offset < SLOB_PAGE_UNITS;) {
				struct slob_header *h = (struct slob_header *)(base + offset * SLOB_UNIT);

				if (!h->units)
					break;
				if (h->tag == s->backend.id)  /* live: neither free nor held */
					bytes += slob_object_size(s, h);
				offset += h->units;
			}
		}
	list_for_each(node, &a->backend.big_blocks) {
		struct page *page = list_entry(node, struct page, slab_list);

		if (page->slab_cache == s)
			bytes += PAGE_SIZE << page->inuse;
	}
	return bytes;
}

void slab_backend_stats(struct kmem_cache *s, struct slab_stats *stats)
{
	struct slab_allocator *a = s->allocator;
	unsigned long blocks;
	uint64_t flags;

	spin_lock_irqsave(&a->backend.lock, flags);
	blocks = s->backend.live + s->backend.held;
	*stats = (struct slab_stats){
		.slabs = s->backend.big_blocks +
			 (s->backend.bytes - s->backend.big_bytes + PAGE_SIZE - 1) / PAGE_SIZE,
		.objects_total = blocks,
		.objects_in_use = s->backend.live,
		.stride = blocks ? (unsigned int)(s->backend.bytes / blocks) : 0,
		.order = s->backend.big ? s->backend.big_order : 0,
		.bytes_used = s->backend.bytes,
		.allocations = s->backend.allocations,
		.frees = s->backend.frees,
		.bad_frees = __atomic_load_n(&s->bad_frees, __ATOMIC_RELAXED),
	};
	if (s->backend.kind == SLOB_OBJECTS) {
		stats->stride = s->backend.big ? PAGE_SIZE << s->backend.big_order
					       : block_units(s, s->object_size) * SLOB_UNIT;
		stats->objects_per_slab = s->backend.big ? 1 : PAGE_SIZE / stats->stride;
	}
	if (s->backend.kind == SLOB_KMALLOC)
		stats->bytes_in_objects = live_object_bytes(s);
	if (s->backend.kind == SLOB_FREE_SPACE) {
		struct list_head *node;

		stats->slabs = a->backend.pages;
		for (int i = 0; i < 3; i++)
			list_for_each(node, &a->backend.free_pages[i])
				stats->partial++;
		stats->bytes_used = (uint64_t)a->backend.pages * PAGE_SIZE - a->backend.block_bytes;
	}
	spin_unlock_irqrestore(&a->backend.lock, flags);
}
