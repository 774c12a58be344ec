// SPDX-License-Identifier: MIT
/*
 * Slab stress: a seeded random run of kmalloc, caches, krealloc and bulk
 * calls against a shadow model of every byte.
 */
#include <string.h>

#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <slab.h>
#include <xorshift.h>

#include "slab_arena.h"

#include "../common/byte_patterns.h"

#define STRESS_OPERATIONS 100000
#define STRESS_CHECK_EVERY 2500
#define STRESS_MAX_LIVE 3000
#define STRESS_CACHES 7
#define STRESS_BULK 16

static uint64_t xorshift_state;

static uint64_t xorshift(void)
{
	return xorshift64(&xorshift_state);
}

static uint64_t random_below(uint64_t bound)
{
	return xorshift() % bound;
}

#define STRESS_CTOR_SIZE 24

static void stress_ctor(void *object)
{
	memset(object, 0x3c, STRESS_CTOR_SIZE);
}

struct live_object {
	uint8_t *address;
	size_t size;
	struct kmem_cache *cache;   /* NULL: from kmalloc */
	uint8_t seed;
};

struct stress {
	struct slab_arena *arena;
	struct kmem_cache *caches[STRESS_CACHES];
	struct live_object *live;
	size_t live_count;
	uint8_t *in_use;            /* per 8-byte granule of the arena: 1 if a live object covers it */
	uint64_t allocations, frees, reallocations, bulk_rounds, shrinks;
};

/* Claim (or, with !@claim, release) the granules of an object in the shadow map. */
static void shadow_mark(struct ktest *t, struct stress *s, const void *address, size_t size,
			bool claim)
{
	size_t first = ((uintptr_t)address - (uintptr_t)s->arena->mem.memory) / 8;
	size_t last = ((uintptr_t)address - (uintptr_t)s->arena->mem.memory + size - 1) / 8;

	KASSERT_TRUE(t, in_arena(s->arena, address));
	KASSERT_TRUE(t, in_arena(s->arena, (const uint8_t *)address + size - 1));
	for (size_t g = first; g <= last; g++) {
		if (s->in_use[g] == claim) {
			printk("        # object %p size %zu: granule %zu already %s\n", address, size,
			       g, claim ? "in use (handed out twice)" : "free");
			KASSERT_TRUE(t, false);
		}
		s->in_use[g] = claim;
	}
}

static void stress_track(struct ktest *t, struct stress *s, void *address, size_t size,
			 struct kmem_cache *cache)
{
	struct live_object *object = &s->live[s->live_count++];

	KASSERT_UEQ(t, (uintptr_t)address % KMALLOC_MIN_ALIGN, 0);
	shadow_mark(t, s, address, size, true);
	*object = (struct live_object){ address, size, cache, (uint8_t)xorshift() };
	fill(address, size, object->seed);
	s->allocations++;
}

static void stress_verify(struct ktest *t, struct live_object *object)
{
	if (!holds(object->address, object->size, object->seed)) {
		printk("        # live object %p (size %zu, cache %s) changed\n", object->address,
		       object->size, object->cache ? object->cache->name : "kmalloc");
		KASSERT_TRUE(t, false);
	}
}

static size_t stress_kmalloc_size(void)
{
	uint64_t roll = random_below(100);

	if (roll < 70)
		return 1 + random_below(512);
	if (roll < 95)
		return 513 + random_below(KMALLOC_MAX_CACHE_SIZE - 512);
	return KMALLOC_MAX_CACHE_SIZE + 1 + random_below(40000);
}

static void stress_alloc(struct ktest *t, struct stress *s)
{
	unsigned int which = (unsigned int)random_below(STRESS_CACHES + 3);
	void *address;

	if (which < STRESS_CACHES) {
		struct kmem_cache *cache = s->caches[which];
		bool zeroed = random_below(8) == 0;

		address = kmem_cache_alloc(cache, GFP_KERNEL | (zeroed ? __GFP_ZERO : 0));
		KASSERT_NOT_NULL(t, address);
		if (zeroed)
			KASSERT_TRUE(t, all_bytes(address, cache->object_size, 0));
		stress_track(t, s, address, cache->object_size, cache);
	} else {
		size_t size = stress_kmalloc_size();

		address = arena_kmalloc(s->arena, size, GFP_KERNEL);
		KASSERT_NOT_NULL(t, address);
		KASSERT_ULE(t, size, slab_ksize(&s->arena->slab, address));
		stress_track(t, s, address, size, NULL);
	}
}

static void stress_free(struct ktest *t, struct stress *s, size_t index)
{
	struct live_object *object = &s->live[index];

	stress_verify(t, object);
	shadow_mark(t, s, object->address, object->size, false);
	if (object->cache)
		kmem_cache_free(object->cache, object->address);
	else
		arena_kfree(s->arena, object->address);
	*object = s->live[--s->live_count];
	s->frees++;
}

/* krealloc a live kmalloc object: the common prefix must survive. */
static void stress_realloc(struct ktest *t, struct stress *s)
{
	struct live_object *object = &s->live[random_below(s->live_count)];
	size_t new_size = stress_kmalloc_size();
	uint8_t *moved;

	if (object->cache)
		return;
	stress_verify(t, object);
	shadow_mark(t, s, object->address, object->size, false);
	moved = slab_krealloc(&s->arena->slab, object->address, new_size, GFP_KERNEL, NULL);
	KASSERT_NOT_NULL(t, moved);
	KASSERT_TRUE(t, holds(moved, MIN(object->size, new_size), object->seed));
	KASSERT_ULE(t, new_size, slab_ksize(&s->arena->slab, moved));
	object->address = moved;
	object->size = new_size;
	shadow_mark(t, s, moved, new_size, true);
	fill(moved, new_size, object->seed);
	s->reallocations++;
}

static void stress_bulk(struct ktest *t, struct stress *s)
{
	struct kmem_cache *cache = s->caches[random_below(STRESS_CACHES)];
	void *objects[STRESS_BULK];
	size_t count = 1 + random_below(STRESS_BULK);

	if (s->live_count + count > STRESS_MAX_LIVE)
		return;
	KASSERT_EQ(t, kmem_cache_alloc_bulk(cache, GFP_KERNEL, count, objects), count);
	for (size_t i = 0; i < count; i++)
		stress_track(t, s, objects[i], cache->object_size, cache);
	if (random_below(2)) {
		/* Give them back in one call too. */
		for (size_t i = 0; i < count; i++) {
			struct live_object *object = &s->live[s->live_count - 1];

			stress_verify(t, object);
			shadow_mark(t, s, object->address, object->size, false);
			objects[i] = object->address;
			s->live_count--;
			s->frees++;
		}
		kmem_cache_free_bulk(cache, count, objects);
	}
	s->bulk_rounds++;
}

static void stress_cross_check(struct ktest *t, struct stress *s)
{
	for (size_t i = 0; i < s->live_count; i++)
		stress_verify(t, &s->live[i]);
	check_all(t, s->arena);
}

/*
 * 100000 seeded random operations over seven caches of different sizes
 * and flags (three with debugging) and kmalloc of every size up to 48 KiB:
 * allocations (some zeroed), frees in random order, krealloc, bulk
 * rounds, shrinks.  Phases fill up to 3000 live objects and drain again.
 * The shadow model owns every 8-byte granule of the arena, so an object
 * handed out twice or overlapping another is caught at once, and every
 * live object's contents are checked when it is freed and every 2500
 * steps, with slab_check() of every cache.
 */
static void test_random_stress(struct ktest *t)
{
	static const struct {
		const char *name;
		unsigned int size, align;
		slab_flags_t flags;
		bool ctor;
	} specs[STRESS_CACHES] = {
		{ "stress-328-hwcache", 328, 0, SLAB_HWCACHE_ALIGN, false },
		{ "stress-24-ctor", STRESS_CTOR_SIZE, 0, 0, true },
		{ "stress-100-FZPU", 100, 0, SLAB_DEBUG_FLAGS, false },
		{ "stress-200-P", 200, 0, SLAB_POISON, false },
		{ "stress-17-Z", 17, 16, SLAB_RED_ZONE, false },
		{ "stress-64-F", 64, 0, SLAB_CONSISTENCY_CHECKS, false },
		{ "stress-3000", 3000, 0, 0, false },
	};
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct stress s = { .arena = a };
	struct kmem_cache *cache;
	long listed = 0;

	s.live = arena_scratch(t, &a->mem, STRESS_MAX_LIVE, sizeof(*s.live));
	s.in_use = arena_scratch(t, &a->mem, ARENA_BYTES / 8, 1);
	for (int c = 0; c < STRESS_CACHES; c++)
		s.caches[c] = make_cache(t, a, specs[c].name, specs[c].size, specs[c].align,
					 specs[c].flags, specs[c].ctor ? stress_ctor : NULL);

	xorshift_state = 0x2545f4914f6cdd1dull;
	for (int step = 1; step <= STRESS_OPERATIONS; step++) {
		uint64_t roll = random_below(1000);
		bool filling = (step / 10000) % 2 == 0;

		if (roll < 3) {
			size_t c = random_below(STRESS_CACHES + ARRAY_SIZE(kmalloc_classes));

			struct kmem_cache *victim = c < STRESS_CACHES ? s.caches[c]
				: a->slab.kmalloc_caches[c - STRESS_CACHES];

			if (victim)     /* NULL: the back-end has no kmalloc caches */
				slab_backend_shrink(victim);
			s.shrinks++;
		} else if (roll < 13) {
			stress_bulk(t, &s);
		} else if (roll < 60 && s.live_count) {
			stress_realloc(t, &s);
		} else if (s.live_count == 0 ||
			   (s.live_count < STRESS_MAX_LIVE && roll < (filling ? 700u : 420u))) {
			stress_alloc(t, &s);
		} else {
			stress_free(t, &s, random_below(s.live_count));
		}
		if (step % STRESS_CHECK_EVERY == 0)
			stress_cross_check(t, &s);
	}
	printk("        # %llu allocations, %llu frees, %llu kreallocs, %llu bulk rounds, %llu shrinks; "
	       "%zu objects live at the end\n",
	       (unsigned long long)s.allocations, (unsigned long long)s.frees,
	       (unsigned long long)s.reallocations, (unsigned long long)s.bulk_rounds,
	       (unsigned long long)s.shrinks, s.live_count);
	/* Every kind of step ran (the seed could starve one silently). */
	KEXPECT_UGT(t, s.live_count, 0);
	KEXPECT_UGT(t, s.reallocations, 0);
	KEXPECT_UGT(t, s.bulk_rounds, 0);
	KEXPECT_UGT(t, s.shrinks, 0);

	while (s.live_count)
		stress_free(t, &s, s.live_count - 1);
	stress_cross_check(t, &s);
	KEXPECT_UEQ(t, a->slab.reports, 0);
	/* The cache of caches holds every other listed cache (kmalloc's, a back-end's own, the stress ones). */
	for_each_cache(cache, a)
		listed++;
	for_each_cache(cache, a) {
		KEXPECT_UEQ(t, cache->bad_frees, 0);
		KEXPECT_EQ(t, stats_of(cache).objects_in_use,
			   cache == &a->slab.cache_cache ? listed - 1 : 0);
	}
	for (int c = 0; c < STRESS_CACHES; c++) {
		KEXPECT_UEQ(t, stats_of(s.caches[c]).allocations, stats_of(s.caches[c]).frees);
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, s.caches[c]));
		s.caches[c] = NULL;
	}
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

KTEST_SUITE_FULL(slab_stress, NULL, arena_suite_exit,
		 KTEST_CASE(test_random_stress));
