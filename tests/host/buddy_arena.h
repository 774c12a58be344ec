/* SPDX-License-Identifier: MIT */
/*
 * What the buddy allocator's host suites share (tests/host/buddy_arena.c):
 * the frame layouts, the zone each frame belongs to, and shorthands for
 * allocating, freeing and counting on an arena (tests/host/arena.h).
 *
 * Two layouts exercise the zones:
 *
 *     LOW     frames [0, 8192)            DMA [0, 4096) | DMA32 [4096, 8192)
 *     WINDOW  frames 4 GiB -/+ 8 MiB      DMA32 [0xff800, 0x100000) | NORMAL [0x100000, 0x100800)
 *
 * buddy_check(), the allocator's own validator, runs after every step (CHECK).
 */
#ifndef FERRITE_TESTS_HOST_BUDDY_ARENA_H
#define FERRITE_TESTS_HOST_BUDDY_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <buddy.h>
#include <ktest.h>

#include "arena.h"

#define LOW_START 0ull
#define LOW_END 8192ull
#define FOUR_GIB_PFN 0x100000ull
#define WINDOW_START (FOUR_GIB_PFN - 2048)
#define WINDOW_END (FOUR_GIB_PFN + 2048)
#define MAX_BLOCK_PAGES (1ull << MAX_ORDER)

/* Frames [start, end). */
struct pfn_range {
	uint64_t start, end;
};

#define CHECK(t, a) KASSERT_STREQ(t, buddy_check(&(a)->buddy), NULL)

struct page *page_of(struct arena *a, uint64_t pfn);
uint64_t pfn_of(struct arena *a, const struct page *page);
/* The bytes of the frame @page stands for. */
uint8_t *contents_of(struct arena *a, const struct page *page);
int zone_index(struct arena *a, const struct page *page);

/* The zone of frame @pfn by the documented boundaries (16 MiB, 4 GiB). */
int expected_zone(uint64_t pfn);

/* buddy_alloc() / buddy_free() on @a, with the test as the caller. */
struct page *arena_alloc(struct arena *a, gfp_t gfp, unsigned int order);
bool arena_free(struct arena *a, struct page *page, unsigned int order);
uint64_t free_page_count(struct arena *a);

/* Free blocks per zone per order, as /proc/buddyinfo shows them. */
struct free_counts {
	uint64_t blocks[NR_ZONES][NR_ORDERS];
};

struct free_counts free_counts(struct arena *a);
/* Expect the free lists of @a to hold @expected; names each zone and order that differs. */
void expect_counts(struct ktest *t, struct arena *a, const struct free_counts *expected);
/* Pages on the per-CPU list of @zone (CPU 0). */
unsigned int pcp_count(struct arena *a, int zone);

/* Free every block of @pages (all of @order), empty the per-CPU lists and CHECK. */
void free_all(struct ktest *t, struct arena *a, struct page **pages, size_t count,
	      unsigned int order);

#endif
