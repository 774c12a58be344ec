// SPDX-License-Identifier: MIT
/* Simulated physical memory for the host tests (contract in arena.h). */
#include <stdlib.h>

#include <kernel.h>

#include "arena.h"
#include "host_support.h"

#define ARENA_ALIGN (PAGE_SIZE << MAX_ORDER)

/* Live arenas: the ones a case abandoned by a failed assertion are freed later. */
#define MAX_ARENAS 4
static struct arena *arenas[MAX_ARENAS];

void arena_destroy(struct arena *a)
{
	for (int i = 0; i < MAX_ARENAS; i++)
		if (arenas[i] == a)
			arenas[i] = NULL;
	for (int i = 0; i < ARENA_SCRATCH; i++)
		free(a->scratch[i]);
	free(a->memmap);
	free(a->memory);
	free(a);
}

void arena_suite_exit(void)
{
	for (int i = 0; i < MAX_ARENAS; i++)
		if (arenas[i])
			arena_destroy(arenas[i]);
	host_printk_capture(NULL, 0);
}

void *arena_create_embedded(struct ktest *t, size_t size, uint64_t start_pfn, uint64_t end_pfn,
			    bool poison)
{
	uint64_t frames = end_pfn - start_pfn;
	struct arena *a;
	int slot = 0;

	for (int i = 0; i < MAX_ARENAS; i++)
		if (arenas[i] && arenas[i]->owner != t->name)
			arena_destroy(arenas[i]);
	a = calloc(1, MAX(size, sizeof(*a)));
	KASSERT_NOT_NULL(t, a);
	while (slot < MAX_ARENAS && arenas[slot])
		slot++;
	if (slot == MAX_ARENAS) {
		free(a);
		ktest_abort("too many arenas alive");
	}
	arenas[slot] = a;
	a->owner = t->name;
	a->start_pfn = start_pfn;
	a->end_pfn = end_pfn;
	a->memmap = malloc(frames * sizeof(struct page));
	a->memory = aligned_alloc(ARENA_ALIGN, ALIGN_UP(frames * PAGE_SIZE, ARENA_ALIGN));
	KASSERT_NOT_NULL(t, a->memmap);
	KASSERT_NOT_NULL(t, a->memory);
	for (uint64_t i = 0; i < frames; i++)
		a->memmap[i] = (struct page){ .flags = PG_reserved };
	buddy_init(&a->buddy, a->memmap, start_pfn, end_pfn,
		   (uintptr_t)a->memory - start_pfn * PAGE_SIZE);
	a->buddy.poison = poison;
	return a;
}

struct arena *arena_create(struct ktest *t, uint64_t start_pfn, uint64_t end_pfn, bool poison)
{
	return arena_create_embedded(t, sizeof(struct arena), start_pfn, end_pfn, poison);
}

struct arena *arena_create_full(struct ktest *t, uint64_t start_pfn, uint64_t end_pfn)
{
	struct arena *a = arena_create(t, start_pfn, end_pfn, false);

	KASSERT_UEQ(t, buddy_add_range(&a->buddy, start_pfn, end_pfn), end_pfn - start_pfn);
	return a;
}

void *arena_scratch(struct ktest *t, struct arena *a, size_t count, size_t size)
{
	int slot = 0;

	while (slot < ARENA_SCRATCH && a->scratch[slot])
		slot++;
	if (slot == ARENA_SCRATCH)
		ktest_abort("too many work arrays");
	a->scratch[slot] = calloc(count, size);
	KASSERT_NOT_NULL(t, a->scratch[slot]);
	return a->scratch[slot];
}
