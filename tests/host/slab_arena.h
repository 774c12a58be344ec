/* SPDX-License-Identifier: MIT */
/*
 * What the slab layer's host suites share (tests/host/slab_arena.c).
 *
 * A struct slab_arena is an arena (tests/host/arena.h) of 32 MiB, frames
 * [0, 8192), all given to its buddy allocator, and a slab allocator
 * drawing its slabs from that buddy.  slab_check(), the layer's own
 * validator, runs after every step (CHECK, check_all).
 */
#ifndef FERRITE_TESTS_HOST_SLAB_ARENA_H
#define FERRITE_TESTS_HOST_SLAB_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktest.h>
#include <slab.h>

#include "../../mm/slab.h"

#include "arena.h"

#define ARENA_FRAMES 8192ull
#define ARENA_BYTES (ARENA_FRAMES * PAGE_SIZE)
#define ARENA_SEED 0x5eed5eed12345678ull

/* Size of the object arrays the cache and misuse cases fill. */
#define MAX_TEST_OBJECTS 600

/* The kmalloc classes, as mm/slab.h lists them (make KMALLOC_CLASSES=linux or fine). */
#if CONFIG_KMALLOC_FINE_CLASSES
#define KMALLOC_CLASS_COUNT 30
#else
#define KMALLOC_CLASS_COUNT 13
#endif
extern const unsigned int kmalloc_classes[KMALLOC_CLASS_COUNT];

struct slab_arena {
	struct arena mem;           /* first: the arena functions free the whole */
	struct slab_allocator slab;
	uint64_t free_at_start;     /* buddy free pages once the instance is set up */
};

/*
 * slab_arena_create - a fresh instance; @debug, if not NULL, is a
 * slab_debug= value applied to the caches it names (all by default), as
 * the command line does.  Return: the instance; a failure fails the case.
 */
struct slab_arena *slab_arena_create(struct ktest *t, const char *debug);

static inline void slab_arena_destroy(struct slab_arena *a)
{
	arena_destroy(&a->mem);
}

/* Every cache of @a, kmalloc's and the cache of caches included. */
#define for_each_cache(cache, a)                                                           \
	for (struct list_head *node_ = (a)->slab.caches.next;                              \
	     node_ != &(a)->slab.caches &&                                                 \
	     ((cache) = list_entry(node_, struct kmem_cache, list), true);                 \
	     node_ = node_->next)

#define CHECK(t, cache) KASSERT_STREQ(t, slab_check(cache), NULL)

/* Free pages of the buddy once every cache gave back its empty slabs. */
uint64_t settled_free_pages(struct slab_arena *a);
/* The first page of the block @address is in. */
struct page *block_of(struct slab_arena *a, const void *address);
bool in_arena(struct slab_arena *a, const void *address);
/* slab_check() every cache of @a, and buddy_check() under them. */
void check_all(struct ktest *t, struct slab_arena *a);
/* Every cache checks out and the buddy holds what it held at the start. */
void expect_all_returned(struct ktest *t, struct slab_arena *a);
/* kmalloc() / kfree() on @a, with the test as the caller. */
void *arena_kmalloc(struct slab_arena *a, size_t size, gfp_t gfp);
void arena_kfree(struct slab_arena *a, const void *object);
/* kmem_cache_create() on @a; a failure fails the case. */
struct kmem_cache *make_cache(struct ktest *t, struct slab_arena *a, const char *name,
			      unsigned int size, unsigned int align, slab_flags_t flags,
			      void (*ctor)(void *object));
struct slab_stats stats_of(struct kmem_cache *cache);
/* The kmalloc cache of class @size (NULL without SLAB_BACKEND_KMALLOC_CACHES). */
struct kmem_cache *kmalloc_cache(struct slab_arena *a, unsigned int size);

#endif
