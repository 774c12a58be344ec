// SPDX-License-Identifier: MIT
/*
 * SLUB's debugging side: red zones, poisoning, owner tracking, the
 * reports of wrong use and the slab_check() validator.  Used by debug
 * caches on every allocation and free, and by every cache when wrong use
 * is found.  Nothing here is on the fast path.
 *
 * Red zones are filled with SLUB_RED_INACTIVE (0xbb) while the object is
 * free and SLUB_RED_ACTIVE (0xcc) while it is allocated; poisoned free
 * objects hold POISON_FREE (0x6b) with POISON_END (0xa5) as last byte.
 */
#include <asm/cpu.h>
#include <kernel.h>
#include <kstring.h>
#include <printk.h>
#include <symbols.h>

#include "slab.h"
#include "slub_internal.h"

#define MAX_CHECKED_OBJECTS 4096u /* = 32 KiB slab / 8-byte objects */

static struct slab_track *tracks_of(struct kmem_cache *s, void *object)
{
	return (struct slab_track *)((uint8_t *)object + s->backend.track_offset);
}

/* The tracks of a debug cache's @object, or NULL if it keeps none. */
static struct slab_track *tracks_or_null(struct kmem_cache *s, void *object)
{
	return (s->flags & SLAB_STORE_USER) ? tracks_of(s, object) : NULL;
}

static void print_tracks(struct kmem_cache *s, void *object)
{
	slab_print_tracks(tracks_or_null(s, object));
}

void report_double_free(struct kmem_cache *s, struct page *slab, const void *object, void *caller)
{
	(void)slab;
	slab_report_double_free(s, object, caller);
	print_tracks(s, (void *)object);
}

/* The right red zone: from the object's end to the free pointer or tracks (or the stride's end). */
static size_t right_red_zone(struct kmem_cache *s)
{
	return (s->backend.free_offset > s->object_size ? s->backend.free_offset
		: s->flags & SLAB_STORE_USER ? s->backend.track_offset
		: s->backend.stride - s->backend.red_left) - s->object_size;
}

static void fill_red_zones(struct kmem_cache *s, void *object, uint8_t value)
{
	slab_fill_red_zones(object, s->backend.red_left, s->object_size, right_red_zone(s), value);
}

/* Return: the first byte of a red zone of @object that is not @value, or NULL. */
static const uint8_t *check_red_zones(struct kmem_cache *s, void *object, uint8_t value)
{
	return slab_check_red_zones(object, s->backend.red_left, s->object_size, right_red_zone(s),
				    value);
}

void report_corrupted_free_pointer(struct kmem_cache *s, struct page *slab, const void *object,
				   const void *next)
{
	slab_report(s, object, NULL, "corrupted free pointer (the rest of this slab's free list is dropped)");
	pr_err("slab:   it decodes to %p, outside the slab at %p\n", next,
	       object_at(s, slab, 0));
	/*
	 * The dropped objects count as in use for good; their red zones say
	 * so too, or the validator would take them for overwritten.  @object
	 * itself is being handed out (debug_on_alloc marks it).
	 */
	if (!(s->flags & SLAB_RED_ZONE))
		return;
	for (unsigned int i = 0; i < s->backend.objects; i++) {
		void *dropped = object_at(s, slab, i);

		if (dropped != object && !check_red_zones(s, dropped, SLUB_RED_INACTIVE))
			fill_red_zones(s, dropped, SLUB_RED_ACTIVE);
	}
}

static void poison_object(struct kmem_cache *s, void *object)
{
	slab_poison_object(object, s->object_size);
}

/* Return: the offset of the first byte that is not poison, or -1. */
static long check_poison(struct kmem_cache *s, const void *object)
{
	return slab_check_poison(object, s->object_size);
}

void debug_init_free_object(struct kmem_cache *s, void *object)
{
	slab_debug_object_init(s, object, s->backend.red_left, right_red_zone(s),
			       tracks_or_null(s, object));
}

static void report_red_zone(struct kmem_cache *s, void *object, const uint8_t *bad, uint8_t expected,
			    void *caller, const char *when)
{
	slab_report_red_zone(s, object, bad, expected, caller, when, tracks_or_null(s, object));
}

void debug_on_alloc(struct kmem_cache *s, struct page *slab, void *object, void *caller)
{
	(void)slab;
	slab_debug_object_alloc(s, object, s->backend.red_left, right_red_zone(s),
				tracks_or_null(s, object), caller);
}

static bool on_freelist(struct kmem_cache *s, struct page *slab, const void *object)
{
	unsigned int steps = 0;

	for (void *free = slab_freelist(slab); free && steps <= slab->objects; steps++) {
		if (free == object)
			return true;
		free = free_pointer_decode(s, free);
		if (object_index(s, slab, free) < 0)
			break;
	}
	return false;
}

bool debug_on_free(struct kmem_cache *s, struct page *slab, void *object, void *caller)
{
	assert_spin_locked(&s->backend.lock);
	if (s->flags & SLAB_CONSISTENCY_CHECKS) {
		if (on_freelist(s, slab, object)) {
			report_double_free(s, slab, object, caller);
			return false;
		}
	}
	if (s->flags & SLAB_RED_ZONE) {
		const uint8_t *bad = check_red_zones(s, object, SLUB_RED_ACTIVE);

		if (bad == NULL) {
			/* fine */
		} else if (*bad == SLUB_RED_INACTIVE && !(s->flags & SLAB_CONSISTENCY_CHECKS)) {
			report_double_free(s, slab, object, caller);
			return false;
		} else {
			report_red_zone(s, object, bad, SLUB_RED_ACTIVE, caller, "overwritten (overflow)");
		}
		fill_red_zones(s, object, SLUB_RED_INACTIVE);
	}
	if (s->flags & SLAB_STORE_USER)
		tracks_of(s, object)[1] = (struct slab_track){ caller, rdtsc() };
	if (s->flags & SLAB_POISON)
		poison_object(s, object);
	return true;
}

/*
 * Verify one slab: its freelist (and, for a CPU slab, the CPU's), its
 * count, and each object's red zones and poison.
 */
static const char *check_slab(struct kmem_cache *s, struct page *slab, void *cpu_freelist,
			      bool cpu_slab)
{
	uint64_t free_bits[MAX_CHECKED_OBJECTS / 64] = { 0 };
	unsigned int free_count = 0;
	void *lists[2] = { slab_freelist(slab), cpu_freelist };

	if (!(slab->flags & PG_slab) || slab->slab_cache != s)
		return "slab on a cache's list is not a slab of that cache";
	if (slab->objects != s->backend.objects || slab->inuse > slab->objects)
		return "slab object counts are wrong";
	if (slab_frozen(slab) != cpu_slab)
		return cpu_slab ? "CPU slab is not frozen" : "listed slab is frozen";
	for (int l = 0; l < 2; l++) {
		for (void *object = lists[l]; object; object = free_pointer_decode(s, object)) {
			long index = object_index(s, slab, object);

			if (index < 0)
				return "free list points outside the slab or between objects";
			if (free_bits[index / 64] & (1ull << (index % 64)))
				return "object on a free list twice (loop or double free)";
			free_bits[index / 64] |= 1ull << (index % 64);
			free_count++;
		}
	}
	if (!cpu_slab && free_count + slab->inuse != slab->objects)
		return "free objects + objects in use != objects in the slab";
	for (unsigned int i = 0; i < slab->objects; i++) {
		void *object = object_at(s, slab, i);
		bool is_free = free_bits[i / 64] & (1ull << (i % 64));

		if ((s->flags & SLAB_RED_ZONE) &&
		    check_red_zones(s, object, is_free ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE))
			return "red zone overwritten";
		if ((s->flags & SLAB_POISON) && is_free && check_poison(s, object) >= 0)
			return "free object's poison overwritten";
	}
	return NULL;
}

struct cpu_slab_check {
	struct kmem_cache *cache;
	const char *broken;         /* the first CPU's finding (set once) */
};

/*
 * Check this CPU's slab of the cache (a cross call, interrupts off): only
 * this CPU takes from its freelist and from its slab's remote chain, and
 * other CPUs only push onto that chain, so both hold still while read.
 */
static void check_cpu_slab(void *info)
{
	struct cpu_slab_check *check = info;
	struct kmem_cache *s = check->cache;
	struct kmem_cache_cpu *c = this_cpu_ptr(s->backend.cpu_slab);
	const char *broken = NULL, *none = NULL;

	if (c->slab)
		broken = check_slab(s, c->slab, c->freelist, true);
	else if (c->freelist)
		broken = "CPU freelist without a CPU slab";
	if (broken)
		__atomic_compare_exchange_n(&check->broken, &none, broken, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
}

const char *slab_check_cache(struct kmem_cache *s)
{
	struct cpu_slab_check check = { .cache = s, .broken = NULL };
	struct list_head *node;
	const char *broken = NULL;
	unsigned long partial = 0, empty = 0, slabs = 0;
	uint64_t flags;

	if (s->backend.objects > MAX_CHECKED_OBJECTS)
		return "too many objects per slab to check";
	spin_lock_irqsave(&s->backend.lock, flags);
	list_for_each(node, &s->backend.partial) {
		struct page *slab = list_entry(node, struct page, slab_list);

		if (!broken && (broken = check_slab(s, slab, NULL, false)) == NULL &&
		    slab->inuse == slab->objects)
			broken = "full slab on the partial list";
		partial++;
		empty += slab->inuse == 0;
		slabs++;
	}
	list_for_each(node, &s->backend.full) {
		struct page *slab = list_entry(node, struct page, slab_list);

		if (!broken && (broken = check_slab(s, slab, NULL, false)) == NULL &&
		    slab->inuse != slab->objects)
			broken = "slab with free objects on the full list";
		slabs++;
	}
	if (!broken && partial != s->backend.partial_count)
		broken = "partial count does not match the partial list";
	if (!broken && empty != s->backend.empty_count)
		broken = "empty count does not match the partial list";
	if (!broken && slabs + s->backend.frozen_count != s->backend.slabs)
		broken = "slab count does not match the lists and the CPU slabs";
	if (!broken && (s->flags & SLAB_DEBUG_FLAGS) && s->backend.frozen_count)
		broken = "debug cache with a CPU slab";
	spin_unlock_irqrestore(&s->backend.lock, flags);
	if (broken)
		return broken;
	/* Each CPU checks its own slab, taking no lock: it is on no list. */
	on_each_cpu(check_cpu_slab, &check, true);
	return check.broken;
}

/* Count the objects of the chain starting at @first that lie in @slab (stops at a bad link). */
static unsigned int count_chain(struct kmem_cache *s, const struct page *slab, void *first)
{
	unsigned int n = 0;

	for (void *object = first; object && n <= s->backend.objects && object_index(s, slab, object) >= 0;
	     object = free_pointer_decode(s, object))
		n++;
	return n;
}

static bool chain_holds(struct kmem_cache *s, const struct page *slab, void *first,
			const void *wanted)
{
	unsigned int n = 0;

	for (void *object = first; object && n <= s->backend.objects && object_index(s, slab, object) >= 0;
	     object = free_pointer_decode(s, object), n++)
		if (object == wanted)
			return true;
	return false;
}

bool slab_backend_object_is_free(struct kmem_cache *s, struct page *slab, const void *object)
{
	uint64_t flags;
	bool found;

	spin_lock_irqsave(&s->backend.lock, flags);
	found = chain_holds(s, slab, slab_freelist(slab), object);
	for (int cpu = 0; cpu < NR_CPUS && !found; cpu++)
		if (s->backend.cpu_slab[cpu].slab == slab)
			found = chain_holds(s, slab, s->backend.cpu_slab[cpu].freelist, object);
	spin_unlock_irqrestore(&s->backend.lock, flags);
	return found;
}

static void print_one_slab(struct kmem_cache *s, struct page *slab)
{
	int owner = -1;
	unsigned int cpu_free = 0;

	for (int cpu = 0; cpu < NR_CPUS && owner < 0; cpu++)
		if (s->backend.cpu_slab[cpu].slab == slab) {
			owner = cpu;
			cpu_free = count_chain(s, slab, s->backend.cpu_slab[cpu].freelist);
		}
	/* A CPU's (frozen) slab counts all its objects in use; the free ones are on its two chains. */
	if (owner >= 0)
		pr_info("  slab %p  inuse %3u/%-3u  freelist %p (%u free)  cpu %d slab: freelist %p "
			"(%u free)\n", buddy_page_address(s->allocator->buddy, slab),
			slab->inuse - cpu_free - count_chain(s, slab, slab_freelist(slab)), slab->objects,
			slab_freelist(slab), count_chain(s, slab, slab_freelist(slab)), owner,
			s->backend.cpu_slab[owner].freelist, cpu_free);
	else
		pr_info("  slab %p  inuse %3u/%-3u  freelist %p (%u free)\n",
			buddy_page_address(s->allocator->buddy, slab), slab->inuse, slab->objects,
			slab_freelist(slab), count_chain(s, slab, slab_freelist(slab)));
}

void slab_backend_print_cache(struct kmem_cache *s)
{
	struct buddy *b = s->allocator->buddy;
	unsigned long shown = 0;
	struct slab_stats stats;
	uint64_t flags;

	slab_backend_stats(s, &stats);
	pr_info("cache %s: object %u bytes, stride %u, align %u, %u objects per slab of %lu KiB "
		"(order %u), free pointer at +%u, flags %#x%s\n", s->name, s->object_size, s->backend.stride,
		s->align, s->backend.objects, (PAGE_SIZE << s->backend.order) / 1024, s->backend.order, s->backend.free_offset,
		s->flags, (s->flags & SLAB_DEBUG_FLAGS) ? " (debug)" : "");
	pr_info("  %lu slabs, %lu partial (%lu empty); %llu allocations, %llu frees, %llu refused "
		"frees\n", s->backend.slabs, s->backend.partial_count, s->backend.empty_count,
		(unsigned long long)stats.allocations, (unsigned long long)stats.frees,
		(unsigned long long)s->bad_frees);
	spin_lock_irqsave(&s->backend.lock, flags);
	for (uint64_t pfn = b->memmap_start_pfn; pfn < b->memmap_end_pfn;) {
		struct page *page = buddy_pfn_to_page(b, pfn);

		if (!page) {
			pfn = (pfn | ((1ull << MAX_ORDER) - 1)) + 1;
			continue;
		}
		if ((page->flags & PG_slab) && page->slab_cache == s) {
			print_one_slab(s, page);
			shown++;
			pfn += 1ull << s->backend.order;
		} else {
			pfn++;
		}
	}
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		if (s->backend.cpu_slab[cpu].slab || s->backend.cpu_slab[cpu].freelist)
			pr_info("  cpu %d: slab %p, freelist %p\n", cpu,
				s->backend.cpu_slab[cpu].slab ? buddy_page_address(b, s->backend.cpu_slab[cpu].slab) : NULL,
				s->backend.cpu_slab[cpu].freelist);
	spin_unlock_irqrestore(&s->backend.lock, flags);
	if (!shown)
		pr_info("  (no slabs)\n");
}

bool slab_backend_free_is_refused(struct kmem_cache *s, const void *object)
{
	struct page *slab = slab_page_of(s->allocator, object);
	struct kmem_cache_cpu *c;

	if (!slab || !(slab->flags & PG_slab) || slab->slab_cache != s ||
	    object_index(s, slab, object) < 0)
		return true;                    /* slab_report_invalid_free() */
	if (!slab_backend_object_is_free(s, slab, object))
		return false;                   /* a live object: the free would go ahead */
	if (s->flags & (SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE))
		return true;                    /* debug_on_free() finds every double free */
	c = this_cpu_ptr(s->backend.cpu_slab);
	if (slab == c->slab)
		return object == c->freelist;
	if (slab_frozen(slab))          /* another CPU's: its remote chain's head */
		return object == slab_freelist(slab);
	return object == slab_freelist(slab) || slab->inuse == 0;
}
