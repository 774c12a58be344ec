/* SPDX-License-Identifier: MIT */
/*
 * Simulated physical memory for the host tests (tests/host/arena.c).
 *
 * An arena is a private buddy allocator over frames [start_pfn, end_pfn):
 * a heap block standing for the frames, aligned to a MAX_ORDER block so
 * that a block of order N is as aligned in memory as it is in frame
 * numbers (as the kernel's direct map is), and a struct page array that
 * starts all PG_reserved, as the kernel's memmap does.  No frame is given
 * to the buddy yet: the test adds the ranges that are RAM.
 *
 * A case that fails an assertion never reaches its arena_destroy(); its
 * arenas are freed when another case creates one, or by arena_suite_exit()
 * (the exit function of every suite that uses arenas).
 */
#ifndef FERRITE_TESTS_HOST_ARENA_H
#define FERRITE_TESTS_HOST_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <buddy.h>
#include <ktest.h>

#define ARENA_SCRATCH 4

struct arena {
	struct buddy buddy;
	struct page *memmap;            /* struct page of frame start_pfn */
	uint8_t *memory;                /* contents of frame start_pfn */
	uint64_t start_pfn, end_pfn;
	const char *owner;              /* name of the case that made it */
	void *scratch[ARENA_SCRATCH];   /* the case's work arrays, freed with the arena */
};

/*
 * arena_create_embedded - a fresh arena as the first member of a zeroed
 * struct of @size bytes (at least sizeof(struct arena)), for tests that
 * keep more state beside it; @poison sets page poisoning before any range
 * is added, as the kernel does.  Frees the arenas other cases left behind.
 * Return: the struct; a failed allocation fails the case.
 */
void *arena_create_embedded(struct ktest *t, size_t size, uint64_t start_pfn, uint64_t end_pfn,
			    bool poison);

/* arena_create - arena_create_embedded() of a bare struct arena. */
struct arena *arena_create(struct ktest *t, uint64_t start_pfn, uint64_t end_pfn, bool poison);

/* arena_create_full - an arena with every frame of [@start_pfn, @end_pfn) added. */
struct arena *arena_create_full(struct ktest *t, uint64_t start_pfn, uint64_t end_pfn);

/* arena_destroy - free @a, its memory and its work arrays. */
void arena_destroy(struct arena *a);

/*
 * arena_scratch - a zeroed work array of @count elements of @size, freed
 * with @a.  Return: the array; a failed allocation fails the case.
 */
void *arena_scratch(struct ktest *t, struct arena *a, size_t count, size_t size);

/*
 * arena_suite_exit - free the arenas failed cases left behind and end a
 * printk capture a failed case left running.  Suite exit function.
 */
void arena_suite_exit(void);

#endif
