// SPDX-License-Identifier: MIT
/*
 * SLAB's debugging side: red zones, poisoning, owner tracking, the
 * slab_check() validator and what the monitor asks of a back-end.  Used
 * by debug caches (which have no arrays) on every allocation and free,
 * and by every cache when wrong use is found.  Nothing here is on the
 * fast path.  The reports are the same texts as SLUB's (the conformance
 * tests match them).
 *
 * Red zones are filled with SLUB_RED_INACTIVE (0xbb) while the object is
 * free and SLUB_RED_ACTIVE (0xcc) while it is allocated; poisoned free
 * objects hold POISON_FREE (0x6b) with POISON_END (0xa5) as last byte.
 */
#include <asm/cpu.h>
#include <kernel.h>
#include <kstring.h>
#include <printk.h>

#include "slab.h"
#include "slab_internal.h"

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

void report_double_free(struct kmem_cache *s, const void *object, void *caller)
{
	slab_report_double_free(s, object, caller);
	print_tracks(s, (void *)object);
}

/* The right red zone: from the object's end to the tracks, or to the stride's end. */
static size_t right_red_zone(struct kmem_cache *s)
{
	return ((s->flags & SLAB_STORE_USER) ? s->backend.track_offset
					     : s->backend.stride - s->backend.red_left) -
	       s->object_size;
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

bool debug_on_free(struct kmem_cache *s, struct page *slab, void *object, long index, void *caller)
{
	assert_spin_locked(&s->backend.lock);
	if ((s->flags & SLAB_CONSISTENCY_CHECKS) && free_in_slab(slab, (unsigned int)index)) {
		report_double_free(s, object, caller);
		return false;
	}
	if (s->flags & SLAB_RED_ZONE) {
		const uint8_t *bad = check_red_zones(s, object, SLUB_RED_ACTIVE);

		if (bad == NULL) {
			/* fine */
		} else if (*bad == SLUB_RED_INACTIVE && !(s->flags & SLAB_CONSISTENCY_CHECKS)) {
			report_double_free(s, object, caller);
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

/* ---- the validator ------------------------------------------------------------ */

/*
 * Verify one listed slab: owner, counts, colour, the place of its index
 * array, the free indices (in range, no duplicates) and, for a debug
 * cache, each object's red zones and poison.  Lock held.
 */
static const char *check_slab(struct kmem_cache *s, struct page *slab)
{
	uint64_t free_bits[MAX_CHECKED_OBJECTS / 64] = { 0 };
	const struct slab_freelist *mgmt = slab_mgmt(slab);
	uintptr_t base;

	if (!(slab->flags & PG_slab) || slab->slab_cache != s || !mgmt)
		return "slab on a cache's list is not a slab of that cache";
	if (slab->objects != s->backend.objects || slab->inuse > slab->objects)
		return "slab object counts are wrong";
	base = slab_base(s, slab);
	if (!s->backend.mgmt_cache &&
	    (uintptr_t)mgmt != base + (PAGE_SIZE << s->backend.order) - s->backend.mgmt_size)
		return "on-slab index array is not at the end of its slab";
	if (s->backend.mgmt_cache &&
	    slab_cache_of(s->allocator, mgmt) != s->backend.mgmt_cache)
		return "off-slab index array is not an object of its kmalloc cache";
	if (mgmt->first_object % s->backend.colour_off ||
	    mgmt->first_object / s->backend.colour_off >= s->backend.colours)
		return "slab colour out of range";
	for (unsigned int i = slab->inuse; i < slab->objects; i++) {
		unsigned int index = index_at(slab, i);

		if (index >= slab->objects)
			return "index array holds an index beyond the slab";
		if (free_bits[index / 64] & (1ull << (index % 64)))
			return "object free twice in its slab's index array";
		free_bits[index / 64] |= 1ull << (index % 64);
	}
	for (unsigned int i = 0; i < slab->objects; i++)
		if (free_in_slab(slab, i) != !!(free_bits[i / 64] & (1ull << (i % 64))))
			return "object's free state does not match the index array";
	for (unsigned int i = 0; cache_is_debug(s) && i < slab->objects; i++) {
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

/* Walk one slab list; @want: how the list's slabs must be filled (0 empty, 1 partial, 2 full). */
static const char *check_list(struct kmem_cache *s, struct list_head *list, int want,
			      unsigned long *slabs, unsigned long *free_objects)
{
	struct list_head *node;
	unsigned long n = 0;

	list_for_each(node, list) {
		struct page *slab = list_entry(node, struct page, slab_list);
		const char *broken = check_slab(s, slab);
		int fill = slab->inuse == 0 ? 0 : slab->inuse == slab->objects ? 2 : 1;

		if (broken)
			return broken;
		if (fill != want)
			return want == 0 ? "slab in use on the free list"
			       : want == 1 ? "full or empty slab on the partial list"
					   : "slab with free objects on the full list";
		if (++n > s->backend.total_slabs)
			return "slab list longer than the slab count (a loop?)";
		*free_objects += slab->objects - slab->inuse;
	}
	*slabs += n;
	return NULL;
}

/*
 * Each object an array holds must be the start of an object of the
 * cache, not free in its slab, and in the array once.  Lock held.
 */
static const char *check_array(struct kmem_cache *s, const struct array_cache *ac)
{
	if (ac->avail > ac->limit)
		return "array holds more objects than its limit";
	for (unsigned int i = 0; i < ac->avail; i++) {
		void *object = ac->entry[i];
		struct page *slab = slab_page_of(s->allocator, object);
		long index;

		if (!slab || !(slab->flags & PG_slab) || slab->slab_cache != s ||
		    (index = object_index(s, slab, object)) < 0)
			return "array holds an object that is not the cache's";
		if (free_in_slab(slab, (unsigned int)index))
			return "array holds an object that is free in its slab";
		for (unsigned int j = 0; j < i; j++)
			if (ac->entry[j] == object)
				return "array holds an object twice";
	}
	return NULL;
}

static bool array_holds(const struct array_cache *ac, const void *object)
{
	for (unsigned int i = 0; ac && i < ac->avail; i++)
		if (ac->entry[i] == object)
			return true;
	return false;
}

/* A CPU's array as the validator saw it in that CPU's cross call. */
struct array_snapshot {
	const struct array_cache *ac;   /* NULL: the CPU had none */
	uint64_t changes;               /* array_changes() then */
	unsigned int avail;
};

/*
 * Grows with every change of the array's contents: each allocation and
 * free, each batch moved by a refill, flush or reap.  (Draining frees the
 * array: the cache's drains count says so.)
 */
static uint64_t array_changes(const struct array_cache *ac)
{
	return ac->allocations + ac->frees + ac->moves;
}

struct cpu_array_check {
	struct kmem_cache *cache;
	const char *broken;         /* the first CPU's finding (set once) */
	bool changed;               /* an array changed between its snapshot and the confirmation */
	struct array_snapshot snap[NR_CPUS];
};

static void set_broken(struct cpu_array_check *check, const char *broken)
{
	const char *none = NULL;

	__atomic_compare_exchange_n(&check->broken, &none, broken, false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
}

/*
 * Check this CPU's array of the cache (a cross call: only this CPU touches
 * it) under the cache lock, which holds the shared array and the slabs
 * still: its limits, its objects (see check_array), none of them in the
 * shared array too.  Take its snapshot for the check across CPUs.
 */
static void check_cpu_array(void *info)
{
	struct cpu_array_check *check = info;
	struct kmem_cache *s = check->cache;
	struct array_cache *ac = *this_cpu_ptr(s->backend.cpu_array);
	const char *broken = NULL;

	check->snap[smp_processor_id()] = (struct array_snapshot){ NULL, 0, 0 };
	if (!ac)
		return;
	spin_lock(&s->backend.lock);
	if (cache_is_debug(s))
		broken = "debug cache with a CPU array";
	else if (ac->limit != s->backend.limit || ac->batchcount != s->backend.batchcount)
		broken = "CPU array limit or batch count is not the cache's";
	else
		broken = check_array(s, ac);
	for (unsigned int i = 0; !broken && i < ac->avail; i++)
		if (array_holds(s->backend.shared, ac->entry[i]))
			broken = "object in two arrays";
	check->snap[smp_processor_id()] =
		(struct array_snapshot){ ac, array_changes(ac), MIN(ac->avail, s->backend.limit) };
	spin_unlock(&s->backend.lock);
	if (broken)
		set_broken(check, broken);
}

/* Has this CPU's array changed since its snapshot (a cross call)? */
static void confirm_cpu_array(void *info)
{
	struct cpu_array_check *check = info;
	const struct array_snapshot *snap = &check->snap[smp_processor_id()];
	struct array_cache *ac = *this_cpu_ptr(check->cache->backend.cpu_array);

	if (ac != snap->ac || (ac && array_changes(ac) != snap->changes))
		__atomic_store_n(&check->changed, true, __ATOMIC_RELAXED);
}

/*
 * Does an object sit in two CPUs' arrays?  The arrays are read here, off
 * their CPUs, while their owners may change them, so a match counts only
 * if confirm_cpu_array() then finds every array as its snapshot had it:
 * each held the object from its snapshot to the confirmation, so both
 * held it at once.  Return: false if not, or if that cannot be told (an
 * array changed meanwhile: only a quiet cache is checked).
 */
static bool object_in_two_cpu_arrays(struct cpu_array_check *check)
{
	bool found = false;

	for (int a = 0; a < NR_CPUS && !found; a++) {
		const struct array_snapshot *sa = &check->snap[a];

		for (unsigned int i = 0; sa->ac && i < sa->avail && !found; i++) {
			void *object = __atomic_load_n(&sa->ac->entry[i], __ATOMIC_RELAXED);

			for (int b = a + 1; b < NR_CPUS && !found; b++) {
				const struct array_snapshot *sb = &check->snap[b];

				for (unsigned int j = 0; sb->ac && j < sb->avail && !found; j++)
					found = __atomic_load_n(&sb->ac->entry[j], __ATOMIC_RELAXED) ==
						object;
			}
		}
	}
	if (!found)
		return false;
	on_each_cpu(confirm_cpu_array, check, true);
	return !__atomic_load_n(&check->changed, __ATOMIC_RELAXED);
}

const char *slab_check_cache(struct kmem_cache *s)
{
	struct cpu_array_check check = { .cache = s, .broken = NULL };
	unsigned long slabs = 0, free_objects = 0, drains;
	const char *broken;
	uint64_t flags;

	if (s->backend.objects > MAX_CHECKED_OBJECTS)
		return "too many objects per slab to check";
	spin_lock_irqsave(&s->backend.lock, flags);
	broken = check_list(s, &s->backend.slabs_free, 0, &slabs, &free_objects);
	if (!broken && slabs != s->backend.free_slabs)
		broken = "free slab count does not match the free list";
	if (!broken) {
		unsigned long before = slabs;

		broken = check_list(s, &s->backend.slabs_partial, 1, &slabs, &free_objects);
		if (!broken && slabs - before != s->backend.partial_slabs)
			broken = "partial slab count does not match the partial list";
	}
	if (!broken)
		broken = check_list(s, &s->backend.slabs_full, 2, &slabs, &free_objects);
	if (!broken && slabs != s->backend.total_slabs)
		broken = "slab count does not match the lists";
	if (!broken && free_objects != s->backend.free_objects)
		broken = "free object count does not match the slabs";
	if (!broken && s->backend.shared) {
		if (s->backend.shared->limit != s->backend.shared_limit)
			broken = "shared array limit is not the cache's";
		else
			broken = check_array(s, s->backend.shared);
	}
	drains = s->backend.drains;
	spin_unlock_irqrestore(&s->backend.lock, flags);
	if (broken)
		return broken;
	/* Each CPU checks its own array, under the lock (its objects' slabs may change). */
	on_each_cpu(check_cpu_array, &check, true);
	if (check.broken)
		return check.broken;
	if (object_in_two_cpu_arrays(&check)) {
		bool drained;

		/* No array was drained (and freed, and maybe made anew) meanwhile. */
		spin_lock_irqsave(&s->backend.lock, flags);
		drained = s->backend.drains != drains;
		spin_unlock_irqrestore(&s->backend.lock, flags);
		if (!drained)
			return "object in two arrays";
	}
	return NULL;
}

/* ---- what the monitor asks ------------------------------------------------- */

bool slab_backend_object_is_free(struct kmem_cache *s, struct page *slab, const void *object)
{
	long index = object_index(s, slab, object);
	uint64_t flags;
	bool found;

	if (index < 0)
		return false;
	spin_lock_irqsave(&s->backend.lock, flags);
	found = free_in_slab(slab, (unsigned int)index) || array_holds(s->backend.shared, object);
	for (int cpu = 0; cpu < NR_CPUS && !found; cpu++)
		found = array_holds(s->backend.cpu_array[cpu], object);
	spin_unlock_irqrestore(&s->backend.lock, flags);
	return found;
}

bool slab_backend_free_is_refused(struct kmem_cache *s, const void *object)
{
	struct page *slab = slab_page_of(s->allocator, object);
	struct array_cache *ac;
	long index;

	if (!slab || !(slab->flags & PG_slab) || slab->slab_cache != s ||
	    (index = object_index(s, slab, object)) < 0)
		return true;                    /* slab_report_invalid_free() */
	if (!slab_backend_object_is_free(s, slab, object))
		return false;                   /* a live object: the free would go ahead */
	if (cache_is_debug(s))
		return true;                    /* no arrays: direct_free() finds every double free */
	ac = *this_cpu_ptr(s->backend.cpu_array);
	if (ac)                         /* the top of this CPU's array */
		return ac->avail && ac->entry[ac->avail - 1] == object;
	return free_in_slab(slab, (unsigned int)index);     /* direct_free()'s check */
}

/* How many objects of @slab the arrays (CPUs' and shared) hold. Lock held. */
static unsigned int held_in_arrays(struct kmem_cache *s, const struct page *slab)
{
	uintptr_t base = slab_base(s, slab), end = base + (PAGE_SIZE << s->backend.order);
	unsigned int held = 0;

	for (int cpu = -1; cpu < NR_CPUS; cpu++) {
		const struct array_cache *ac = cpu < 0 ? s->backend.shared : s->backend.cpu_array[cpu];

		for (unsigned int i = 0; ac && i < ac->avail; i++)
			held += (uintptr_t)ac->entry[i] >= base && (uintptr_t)ac->entry[i] < end;
	}
	return held;
}

/*
 * One slab: objects handed out (inuse less those waiting in arrays, which
 * the slab counts as taken), its list, colour, index array, free indices.
 */
static void print_one_slab(struct kmem_cache *s, struct page *slab, const char *list)
{
	const struct slab_freelist *mgmt = slab_mgmt(slab);
	unsigned int held = held_in_arrays(s, slab);

	pr_info("  slab %p  inuse %3u/%-3u (+%u in arrays)  %-7s colour %u (first object %p)  "
		"index array %s %p", (void *)slab_base(s, slab), slab->inuse - MIN(held, slab->inuse),
		slab->objects, held, list, mgmt->first_object / s->backend.colour_off,
		object_at(s, slab, 0), s->backend.mgmt_cache ? "off-slab" : "on-slab", (void *)mgmt);
	if (slab->inuse < slab->objects) {
		pr_cont("  free:");
		for (unsigned int i = slab->inuse; i < slab->objects && i < slab->inuse + 8u; i++)
			pr_cont(" %u", index_at(slab, i));
		if (slab->objects - slab->inuse > 8)
			pr_cont(" ...");
	}
	pr_cont("\n");
}

static void print_array(const char *what, int cpu, const struct array_cache *ac)
{
	pr_info("  %s", what);
	if (cpu >= 0)
		pr_cont(" %d", cpu);
	pr_cont(": %u/%u objects, batch %u%s", ac->avail, ac->limit, ac->batchcount,
		ac->touched ? ", touched" : "");
	if (ac->avail)
		pr_cont(", next %p", ac->entry[ac->avail - 1]);
	pr_cont("\n");
}

void slab_backend_print_cache(struct kmem_cache *s)
{
	static const char *const names[3] = { "free", "partial", "full" };
	struct list_head *lists[3] = { &s->backend.slabs_free, &s->backend.slabs_partial,
				       &s->backend.slabs_full };
	struct slab_stats stats;
	uint64_t flags;

	slab_backend_stats(s, &stats);
	pr_info("cache %s: object %u bytes, stride %u, align %u, %u objects per slab of %lu KiB "
		"(order %u), index array %s (%u bytes), %u colours of %u bytes, flags %#x%s\n",
		s->name, s->object_size, s->backend.stride, s->align, s->backend.objects,
		(PAGE_SIZE << s->backend.order) / 1024, s->backend.order,
		s->backend.mgmt_cache ? "off-slab" : "on-slab", s->backend.mgmt_size,
		s->backend.colours, s->backend.colour_off, s->flags,
		cache_is_debug(s) ? " (debug: no arrays)" : "");
	pr_info("  arrays: limit %u, batch %u, shared %u; free_limit %u objects\n", s->backend.limit,
		s->backend.batchcount, s->backend.shared_limit, s->backend.free_limit);
	pr_info("  %lu slabs, %lu partial, %lu free; %lu objects in use, %lu in CPU arrays; "
		"%llu allocations, %llu frees, %llu refused frees\n", stats.slabs, stats.partial,
		stats.empty, stats.objects_in_use, stats.cpu_slabs,
		(unsigned long long)stats.allocations, (unsigned long long)stats.frees,
		(unsigned long long)stats.bad_frees);
	spin_lock_irqsave(&s->backend.lock, flags);
	for (int l = 0; l < 3; l++) {
		struct list_head *node;

		list_for_each(node, lists[l])
			print_one_slab(s, list_entry(node, struct page, slab_list), names[l]);
	}
	if (!s->backend.total_slabs)
		pr_info("  (no slabs)\n");
	if (s->backend.shared)
		print_array("shared array", -1, s->backend.shared);
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		if (s->backend.cpu_array[cpu])
			print_array("cpu", cpu, s->backend.cpu_array[cpu]);
	spin_unlock_irqrestore(&s->backend.lock, flags);
}
