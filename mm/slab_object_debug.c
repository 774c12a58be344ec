// SPDX-License-Identifier: MIT
/*
 * What every back-end's debug caches do to an object, whatever the
 * layout around it: red zones filled and checked, poison written and
 * checked, the two tracks printed.  The back-end says where things are
 * (left and right red-zone lengths, where the tracks are); the patterns
 * and the report texts are Linux's and the same for every back-end.
 *
 * Red zones hold SLUB_RED_INACTIVE (0xbb) while the object is free and
 * SLUB_RED_ACTIVE (0xcc) while it is allocated; a poisoned free object
 * holds POISON_FREE (0x6b) with POISON_END (0xa5) as its last byte.
 */
#include <asm/cpu.h>
#include <kstring.h>
#include <printk.h>

#include "slab.h"

static void print_track(const char *what, const struct slab_track *track, uint64_t now)
{
	char symbol[96];

	if (!track->when) {
		pr_err("slab:   last %s by ? (never)\n", what);
		return;
	}
	pr_err("slab:   last %s by %s, %llu TSC cycles ago\n", what,
	       slab_caller_name(track->caller, symbol, sizeof(symbol)),
	       (unsigned long long)(now - track->when));
}

void slab_print_tracks(const struct slab_track *tracks)
{
	uint64_t now = rdtsc();

	if (!tracks)
		return;
	print_track("allocated", &tracks[0], now);
	print_track("freed", &tracks[1], now);
}

void slab_fill_red_zones(uint8_t *object, size_t left, size_t size, size_t right, uint8_t value)
{
	memset(object - left, value, left);
	memset(object + size, value, right);
}

const uint8_t *slab_check_red_zones(const uint8_t *object, size_t left, size_t size, size_t right,
				    uint8_t value)
{
	for (size_t i = left; i > 0; i--)
		if (object[-(long)i] != value)
			return &object[-(long)i];
	for (size_t i = 0; i < right; i++)
		if (object[size + i] != value)
			return &object[size + i];
	return NULL;
}

void slab_report_red_zone(struct kmem_cache *cache, const void *object, const uint8_t *bad,
			  uint8_t expected, void *caller, const char *when,
			  const struct slab_track *tracks)
{
	char problem[96];
	long offset = bad - (const uint8_t *)object;

	snprintf(problem, sizeof(problem), "red zone %s %s", offset < 0 ? "before" : "after", when);
	slab_report(cache, object, caller, problem);
	pr_err("slab:   byte at offset %ld is 0x%02x, expected 0x%02x\n", offset, *bad, expected);
	slab_print_tracks(tracks);
}

void slab_poison_object(uint8_t *object, size_t size)
{
	memset(object, POISON_FREE, size - 1);
	object[size - 1] = POISON_END;
}

long slab_check_poison(const uint8_t *object, size_t size)
{
	for (size_t i = 0; i + 1 < size; i++)
		if (object[i] != POISON_FREE)
			return (long)i;
	return object[size - 1] == POISON_END ? -1 : (long)size - 1;
}

void slab_debug_object_init(struct kmem_cache *cache, uint8_t *object, size_t left, size_t right,
			    struct slab_track *tracks)
{
	if (cache->flags & SLAB_RED_ZONE)
		slab_fill_red_zones(object, left, cache->object_size, right, SLUB_RED_INACTIVE);
	if (cache->flags & SLAB_POISON)
		slab_poison_object(object, cache->object_size);
	if (tracks)
		memset(tracks, 0, 2 * sizeof(struct slab_track));
}

void slab_debug_object_alloc(struct kmem_cache *cache, uint8_t *object, size_t left, size_t right,
			     struct slab_track *tracks, void *caller)
{
	if (cache->flags & SLAB_POISON) {
		long offset = slab_check_poison(object, cache->object_size);

		if (offset >= 0) {
			slab_report(cache, object, NULL, "write after free");
			pr_err("slab:   byte at offset %ld is 0x%02x, expected 0x%02x\n", offset,
			       object[offset],
			       (size_t)offset + 1 == cache->object_size ? POISON_END : POISON_FREE);
			slab_print_tracks(tracks);
		}
	}
	if (cache->flags & SLAB_RED_ZONE) {
		const uint8_t *bad = slab_check_red_zones(object, left, cache->object_size, right,
							  SLUB_RED_INACTIVE);

		if (bad)
			slab_report_red_zone(cache, object, bad, SLUB_RED_INACTIVE, NULL,
					     "overwritten while free", tracks);
		slab_fill_red_zones(object, left, cache->object_size, right, SLUB_RED_ACTIVE);
	}
	if (tracks)
		tracks[0] = (struct slab_track){ caller, rdtsc() };
}
