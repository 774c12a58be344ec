// SPDX-License-Identifier: MIT
/*
 * SLOB's debugging side: red zones, poisoning and owner tracking of debug
 * caches, the reports of wrong use, the slab_check() validator and the
 * monitor's views.  Red zones hold SLUB_RED_ACTIVE (0xcc) while the object
 * is in use and SLUB_RED_INACTIVE (0xbb) while it is held; held poisoned
 * objects hold POISON_FREE (0x6b) with POISON_END (0xa5) as last byte.
 * Everything here runs with the allocator's backend.lock held, except
 * where a function says it takes it.
 */
#include <asm/cpu.h>
#include <kernel.h>
#include <kstring.h>
#include <printk.h>

#include "slab.h"
#include "slob_internal.h"

/* ---- red zones, poison, tracks --------------------------------------------- */

static void print_tracks(struct kmem_cache *s, struct slob_header *h)
{
	slab_print_tracks((s->flags & SLAB_STORE_USER) ? tracks_of(s, h) : NULL);
}

void slob_report_double_free(struct kmem_cache *s, struct slob_header *h, const void *object,
			     void *caller)
{
	slab_report_double_free(s, object, caller);
	/* A held object still has its tracks; merged free space may not. */
	if (h && h->tag == (s->backend.id | SLOB_TAG_HELD))
		print_tracks(s, h);
}

/* The right red zone: from the object's end to the debug meta. */
static size_t red_right_bytes(struct kmem_cache *s, struct slob_header *h, size_t size)
{
	return (size_t)((uint8_t *)meta_of(s, h) - ((uint8_t *)object_of(s, h) + size));
}

static void fill_red_zones(struct kmem_cache *s, struct slob_header *h, size_t size, uint8_t value)
{
	slab_fill_red_zones(object_of(s, h), s->backend.red_left, size, red_right_bytes(s, h, size),
			    value);
}

/* Return: the first red-zone byte of the object at @h that is not @value, or NULL. */
static const uint8_t *check_red_zones(struct kmem_cache *s, struct slob_header *h, size_t size,
				      uint8_t value)
{
	return slab_check_red_zones(object_of(s, h), s->backend.red_left, size,
				    red_right_bytes(s, h, size), value);
}

static void report_red_zone(struct kmem_cache *s, struct slob_header *h, const uint8_t *bad,
			    uint8_t expected, void *caller, const char *when)
{
	slab_report_red_zone(s, object_of(s, h), bad, expected, caller, when,
			     (s->flags & SLAB_STORE_USER) ? tracks_of(s, h) : NULL);
}

void debug_on_alloc(struct kmem_cache *s, struct slob_header *h, size_t size, bool was_held,
		    void *caller)
{
	struct slob_debug_meta *meta = meta_of(s, h);
	uint8_t *object = object_of(s, h);

	if (was_held && (s->flags & SLAB_POISON)) {
		long offset = slab_check_poison(object, size);

		if (offset >= 0) {
			slab_report(s, object, NULL, "write after free");
			pr_err("slab:   byte at offset %ld is 0x%02x, expected 0x%02x\n", offset,
			       object[offset], (size_t)offset + 1 == size ? POISON_END : POISON_FREE);
			print_tracks(s, h);
		}
	}
	if (s->flags & SLAB_RED_ZONE) {
		const uint8_t *bad = was_held ? check_red_zones(s, h, size, SLUB_RED_INACTIVE) : NULL;

		if (bad)
			report_red_zone(s, h, bad, SLUB_RED_INACTIVE, NULL, "overwritten while free");
		fill_red_zones(s, h, size, SLUB_RED_ACTIVE);
	}
	if (!was_held) {
		meta->size = size;
		if (s->flags & SLAB_STORE_USER)
			tracks_of(s, h)[1] = (struct slab_track){ NULL, 0 };
	}
	if (s->flags & SLAB_STORE_USER)
		tracks_of(s, h)[0] = (struct slab_track){ caller, rdtsc() };
}

/*
 * The object size kept in @h's debug meta, checked first: an overflow
 * past the object (and its red zone) reaches the meta, and a size read
 * from there would make the red-zone check, the fill and the poison run
 * past the block.  A size the block cannot hold is reported and replaced
 * by what it holds (for kmalloc, its size rounded up to 8 bytes).
 */
static size_t checked_size(struct kmem_cache *s, struct slob_header *h, void *caller)
{
	struct slob_debug_meta *meta = meta_of(s, h);
	uint64_t size = meta->size;

	if (debug_size_fits(s, h, size))
		return size;
	slab_report(s, object_of(s, h), caller, "debug data after the object overwritten (overflow)");
	meta->size = slob_object_size(s, h);
	pr_err("slab:   the object's size there reads %#llx; the block holds %llu bytes\n",
	       (unsigned long long)size, (unsigned long long)meta->size);
	print_tracks(s, h);
	return meta->size;
}

void debug_on_free(struct kmem_cache *s, struct slob_header *h, void *caller)
{
	size_t size = checked_size(s, h, caller);

	if (s->flags & SLAB_RED_ZONE) {
		const uint8_t *bad = check_red_zones(s, h, size, SLUB_RED_ACTIVE);

		if (bad)
			report_red_zone(s, h, bad, SLUB_RED_ACTIVE, caller, "overwritten (overflow)");
		fill_red_zones(s, h, size, SLUB_RED_INACTIVE);
	}
	if (s->flags & SLAB_STORE_USER)
		tracks_of(s, h)[1] = (struct slab_track){ caller, rdtsc() };
	if (s->flags & SLAB_POISON)
		slab_poison_object(object_of(s, h), size);
}

/* ---- the validator ------------------------------------------------------------ */

struct slob_census {
	struct kmem_cache *cache;       /* the cache checked */
	unsigned long live, held;       /* its blocks found */
	unsigned long pages;
	uint64_t block_bytes;
};

/* The debug contents of @h, a block of the cache checked. */
static const char *check_debug_block(struct kmem_cache *s, struct slob_header *h, bool held)
{
	size_t size = slob_object_size(s, h);

	if (!debug_size_fits(s, h, meta_of(s, h)->size))
		return "debug data after an object overwritten";
	if ((s->flags & SLAB_RED_ZONE) &&
	    check_red_zones(s, h, size, held ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE))
		return "red zone overwritten";
	if ((s->flags & SLAB_POISON) && held && slab_check_poison(object_of(s, h), size) >= 0)
		return "free object's poison overwritten";
	return NULL;
}

/* Walk one shared page block by block: tiling, headers, free chain, merging, counts. */
static const char *check_page(struct slab_allocator *a, struct page *page, bool listed_full,
			      struct slob_census *census)
{
	uint8_t *base = page_base(a, page);
	struct slob_header *expected_free = page->freelist;
	unsigned int offset = 0, free_units = 0;
	bool previous_free = false;

	if (!(page->flags & PG_slab) || page->slab_cache != a->backend.free_cache ||
	    page->objects == SLOB_BIG)
		return "page on a SLOB list is not a shared SLOB page";
	if (page->objects > SLOB_PAGE_UNITS || listed_full != (page->freelist == NULL))
		return "page on the wrong list for its free space";
	if (expected_free && ((uint8_t *)expected_free < base ||
			      (uint8_t *)expected_free >= base + PAGE_SIZE))
		return "page's free chain starts outside the page";
	while (offset < SLOB_PAGE_UNITS) {
		struct slob_header *h = (struct slob_header *)(base + offset * SLOB_UNIT);

		if (h->units == 0 || offset + h->units > SLOB_PAGE_UNITS)
			return "block runs outside its page";
		if (h->tag == SLOB_TAG_FREE) {
			if (!header_free(h))
				return "free block's header corrupted";
			if (h != expected_free)
				return "free block missing from its page's free chain, or chain out of order";
			if (previous_free)
				return "two free blocks touch (not merged)";
			expected_free = (h->seal & 0xffff) == SLOB_NO_NEXT ? NULL
					: (struct slob_header *)(base + (h->seal & 0xffff) * SLOB_UNIT);
			if (expected_free && (uint8_t *)expected_free <= (uint8_t *)h)
				return "free chain goes backwards";
			free_units += h->units;
			previous_free = true;
		} else {
			struct kmem_cache *owner;
			bool held = h->tag & SLOB_TAG_HELD;

			if (!header_sealed(a, h))
				return "block header corrupted";
			owner = a->backend.caches[(h->tag & ~SLOB_TAG_HELD) % SLOB_MAX_CACHES];
			if (!owner)
				return "block of no cache";
			if (held && !cache_is_debug(owner))
				return "held block of a cache without debugging";
			if (owner == census->cache) {
				const char *broken = cache_is_debug(owner) ? check_debug_block(owner, h, held)
									   : NULL;

				if (broken)
					return broken;
				if (held)
					census->held++;
				else
					census->live++;
			}
			previous_free = false;
		}
		offset += h->units;
	}
	if (expected_free)
		return "free chain points outside the page's blocks";
	if (free_units != page->objects)
		return "page's free units miscounted";
	if (page->inuse && ((page->inuse & 0x3ff) == 0 || (page->inuse & 0x3ff) > SLOB_PAGE_UNITS))
		return "page's search hint impossible";
	census->pages++;
	census->block_bytes += (uint64_t)(SLOB_PAGE_UNITS - free_units) * SLOB_UNIT;
	return NULL;
}

static const char *check_locked(struct kmem_cache *s)
{
	struct slab_allocator *a = s->allocator;
	struct slob_census census = { .cache = s };
	struct list_head *node;
	unsigned long held = 0, big = 0;
	uint64_t big_bytes = 0;
	const char *broken;

	for (int i = 0; i <= 3; i++) {
		struct list_head *list = i < 3 ? &a->backend.free_pages[i] : &a->backend.full_pages;

		list_for_each(node, list)
			if ((broken = check_page(a, list_entry(node, struct page, slab_list), i == 3,
						 &census)))
				return broken;
	}
	list_for_each(node, &a->backend.big_blocks) {
		struct page *page = list_entry(node, struct page, slab_list);

		if (!(page->flags & PG_slab) || page->objects != SLOB_BIG)
			return "block of pages on the SLOB list is not a SLOB block";
		if (page->slab_cache == s) {
			big++;
			big_bytes += PAGE_SIZE << page->inuse;
			census.live++;
		}
	}
	for (unsigned long i = 0; i < s->backend.held && i < SLOB_MAX_HELD; i++) {
		const struct slob_header *h =
			s->backend.held_ring[(s->backend.held_oldest + i) % SLOB_MAX_HELD];

		if (h->tag != (s->backend.id | SLOB_TAG_HELD))
			return "held ring names a block the cache does not hold";
		held++;
	}
	if (census.pages != a->backend.pages)
		return "shared page count does not match the lists";
	if (census.block_bytes != a->backend.block_bytes)
		return "bytes in blocks do not match the pages";
	if (big != s->backend.big_blocks || big_bytes != s->backend.big_bytes)
		return "cache's blocks of pages do not match the list";
	if (census.live != s->backend.live)
		return "objects in use do not match the cache's count";
	if (census.held != s->backend.held || held != s->backend.held)
		return "held objects do not match the cache's count and ring";
	if (!cache_is_debug(s) && s->backend.held)
		return "cache without debugging holds freed objects";
	return NULL;
}

const char *slab_backend_check(struct kmem_cache *s)
{
	struct slab_allocator *a = s->allocator;
	const char *broken;
	uint64_t flags;

	spin_lock_irqsave(&a->backend.lock, flags);
	broken = check_locked(s);
	spin_unlock_irqrestore(&a->backend.lock, flags);
	return broken;
}

/* ---- the monitor's views ------------------------------------------------------ */

bool slab_backend_object_is_free(struct kmem_cache *s, struct page *slab, const void *object)
{
	struct slab_allocator *a = s->allocator;
	struct slob_header *h = NULL;
	uint64_t flags;
	bool free;

	spin_lock_irqsave(&a->backend.lock, flags);
	if (!(slab->flags & PG_slab))
		free = true;
	else if (slab->objects == SLOB_BIG)
		free = false;
	else
		free = slob_classify(s, slab, object, &h) == SLOB_ALREADY_FREE;
	spin_unlock_irqrestore(&a->backend.lock, flags);
	return free;
}

/* Every double free SLOB refuses it finds: the header says so, until the memory is reused. */
bool slab_backend_free_is_refused(struct kmem_cache *s, const void *object)
{
	struct slab_allocator *a = s->allocator;
	struct page *page = buddy_virt_to_head_page(a->buddy, object);
	struct slob_header *h = NULL;
	uint64_t flags;
	bool refused;

	if (!page || !(page->flags & PG_slab))
		return true;
	if (s->backend.kind == SLOB_FREE_SPACE)
		s = a->backend.kmalloc_cache;  /* a shared page's pointer is freed with kfree */
	spin_lock_irqsave(&a->backend.lock, flags);
	if (s->backend.dying)
		refused = true;
	else if (page->objects == SLOB_BIG)
		refused = page->slab_cache != s || object != page_base(a, page);
	else
		refused = slob_classify(s, page, object, &h) != SLOB_LIVE;
	spin_unlock_irqrestore(&a->backend.lock, flags);
	return refused;
}

static const char *const kind_names[] = {
	[SLOB_OBJECTS] = "objects", [SLOB_KMALLOC] = "kmalloc objects",
	[SLOB_FREE_SPACE] = "free space of the shared pages",
};

/* One shared page: its counts, and this cache's blocks in it (all free blocks for "slob-free"). */
static void print_page(struct kmem_cache *s, struct page *page)
{
	struct slab_allocator *a = s->allocator;
	uint8_t *base = page_base(a, page);
	unsigned int mine = 0, mine_units = 0;

	for (unsigned int offset = 0; offset < SLOB_PAGE_UNITS;) {
		struct slob_header *h = (struct slob_header *)(base + offset * SLOB_UNIT);

		if (!h->units)
			break;
		if (h->tag != SLOB_TAG_FREE && (h->tag & ~SLOB_TAG_HELD) == s->backend.id) {
			mine++;
			mine_units += h->units;
		}
		offset += h->units;
	}
	if (s->backend.kind == SLOB_FREE_SPACE) {
		pr_info("  page %p  %3u free units:", base, page->objects);
		for (struct slob_header *h = page->freelist; h;) {
			pr_cont(" +%u(%u)", (unsigned int)((uint8_t *)h - base), h->units * SLOB_UNIT);
			h = (h->seal & 0xffff) == SLOB_NO_NEXT ? NULL
				: (struct slob_header *)(base + (h->seal & 0xffff) * SLOB_UNIT);
		}
		pr_cont("\n");
	} else if (mine) {
		pr_info("  page %p  %3u blocks of %s (%u bytes); %u free units\n", base, mine,
			s->name, mine_units * SLOB_UNIT, page->objects);
	}
}

void slab_backend_print_cache(struct kmem_cache *s)
{
	struct slab_allocator *a = s->allocator;
	struct list_head *node;
	uint64_t flags;

	pr_info("cache %s: %s, object %u bytes, align %u, header %u bytes%s, flags %#x%s\n", s->name,
		kind_names[s->backend.kind], s->object_size, s->align, header_offset(s),
		s->backend.big ? ", a block of pages each" : "", s->flags,
		cache_is_debug(s) ? " (debug)" : "");
	spin_lock_irqsave(&a->backend.lock, flags);
	pr_info("  %lu in use, %lu held, %llu bytes, %lu blocks of pages; %llu allocations, %llu frees, "
		"%llu refused frees\n", s->backend.live, s->backend.held,
		(unsigned long long)s->backend.bytes, s->backend.big_blocks,
		(unsigned long long)s->backend.allocations, (unsigned long long)s->backend.frees,
		(unsigned long long)s->bad_frees);
	if (s->backend.kind == SLOB_FREE_SPACE)
		pr_info("  %lu shared pages, %llu bytes in blocks\n", a->backend.pages,
			(unsigned long long)a->backend.block_bytes);
	for (int i = 0; i <= 3; i++)
		list_for_each(node, i < 3 ? &a->backend.free_pages[i] : &a->backend.full_pages)
			print_page(s, list_entry(node, struct page, slab_list));
	list_for_each(node, &a->backend.big_blocks) {
		struct page *page = list_entry(node, struct page, slab_list);

		if (page->slab_cache == s)
			pr_info("  pages %p  order %u\n", page_base(a, page), page->inuse);
	}
	spin_unlock_irqrestore(&a->backend.lock, flags);
}
