// SPDX-License-Identifier: MIT
/*
 * test_slab.c: the slab layer (mm/slab_common.c, mm/slub.c,
 * mm/slub_debug.c), the same code the kernel runs, over simulated
 * physical memory.
 *
 * Every case builds a private instance (struct slab_arena): a buddy
 * allocator over 32 MiB of heap standing for frames [0, 8192), aligned to
 * 4 MiB so that a block of order N is as aligned in memory as it is in
 * frame numbers (as the kernel's direct map is), and a slab allocator
 * drawing its slabs from that buddy.  slab_check(), the layer's own
 * validator, runs after every step.
 *
 * Suites:
 *   slab_kmalloc  kmalloc's edge cases, classes, alignment, ksize, krealloc
 *   slab_cache    caches: alignment, SLAB_HWCACHE_ALIGN, ctor, zeroing,
 *                 bulk, shrink, destroy, statistics, slab_debug=
 *   slab_misuse   every kind of wrong use: each must be reported (counters
 *                 and text) and leave an allocator that still works
 *   slab_stress   a seeded random run against a shadow model
 */
#include <stdlib.h>
#include <string.h>

#include <asm/cpu.h>
#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <slab.h>
#include <xorshift.h>

#include "../../mm/slab.h"

#include "host_support.h"

#include "../common/byte_patterns.h"

#define ARENA_FRAMES 8192ull
#define ARENA_BYTES (ARENA_FRAMES * PAGE_SIZE)
#define ARENA_ALIGN (PAGE_SIZE << MAX_ORDER)
#define ARENA_SEED 0x5eed5eed12345678ull

/* The kmalloc classes, as include/slab.h lists them. */
static const unsigned int classes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

/* ---- private instances -------------------------------------------------- */

struct slab_arena {
	struct buddy buddy;
	struct slab_allocator slab;
	struct page *memmap;
	uint8_t *memory;
	uint64_t free_at_start;     /* buddy free pages once the instance is set up */
	void *scratch[2];           /* a case's work arrays, freed with the instance */
};

/* The live instance; one a case abandoned by a failed assertion is freed by the next. */
static struct slab_arena *live_arena;

static void arena_destroy(struct slab_arena *a)
{
	if (!a)
		return;
	if (a == live_arena)
		live_arena = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(a->scratch); i++)
		free(a->scratch[i]);
	free(a->memmap);
	free(a->memory);
	free(a);
}

static void destroy_leftover_arena(void)
{
	arena_destroy(live_arena);
	host_printk_capture(NULL, 0);
}

static bool is_power_of_two(uint64_t value)
{
	return value && !(value & (value - 1));
}

/* Every cache of @a, kmalloc's and the cache of caches included. */
#define for_each_cache(cache, a)                                                           \
	for (struct list_head *node_ = (a)->slab.caches.next;                              \
	     node_ != &(a)->slab.caches &&                                                 \
	     ((cache) = list_entry(node_, struct kmem_cache, list), true);                 \
	     node_ = node_->next)

static void shrink_all(struct slab_arena *a)
{
	struct kmem_cache *cache;

	for_each_cache(cache, a)
		slab_backend_shrink(cache);
}

/* Free pages of the buddy once every cache gave back its empty slabs. */
static uint64_t settled_free_pages(struct slab_arena *a)
{
	shrink_all(a);
	buddy_drain_pcp(&a->buddy);
	return buddy_free_pages(&a->buddy);
}

/*
 * A fresh instance; @debug, if not NULL, is a slab_debug= value applied
 * to the caches it names (all by default), as the command line does.
 */
static struct slab_arena *arena_create(struct ktest *t, const char *debug)
{
	struct slab_arena *a;

	arena_destroy(live_arena);
	a = calloc(1, sizeof(*a));
	KASSERT_NOT_NULL(t, a);
	live_arena = a;
	a->memmap = malloc(ARENA_FRAMES * sizeof(struct page));
	a->memory = aligned_alloc(ARENA_ALIGN, ARENA_BYTES);
	KASSERT_NOT_NULL(t, a->memmap);
	KASSERT_NOT_NULL(t, a->memory);
	for (uint64_t i = 0; i < ARENA_FRAMES; i++)
		a->memmap[i] = (struct page){ .flags = PG_reserved };
	buddy_init(&a->buddy, a->memmap, 0, ARENA_FRAMES, (uintptr_t)a->memory);
	KASSERT_UEQ(t, buddy_add_range(&a->buddy, 0, ARENA_FRAMES), ARENA_FRAMES);
	buddy_setup_watermarks(&a->buddy);
	if (debug)
		KASSERT_TRUE(t, slab_parse_debug(&a->slab, debug));
	slab_allocator_init(&a->slab, &a->buddy, ARENA_SEED, NULL);
	for (unsigned int i = 0; i < ARRAY_SIZE(classes); i++)
		KASSERT_NOT_NULL(t, a->slab.kmalloc_caches[i]);
	a->free_at_start = settled_free_pages(a);
	return a;
}

/* A zeroed work array of @count elements of @size, freed with @a. */
static void *arena_scratch(struct ktest *t, struct slab_arena *a, size_t count, size_t size)
{
	size_t slot = 0;

	while (slot < ARRAY_SIZE(a->scratch) && a->scratch[slot])
		slot++;
	if (slot == ARRAY_SIZE(a->scratch))
		ktest_abort("too many work arrays");
	a->scratch[slot] = calloc(count, size);
	KASSERT_NOT_NULL(t, a->scratch[slot]);
	return a->scratch[slot];
}

/* The first page of the block @address is in. */
static struct page *block_of(struct slab_arena *a, const void *address)
{
	struct page *page = buddy_pfn_to_page(&a->buddy,
					      ((uintptr_t)address - (uintptr_t)a->memory) >> PAGE_SHIFT);

	return page ? compound_head(page) : NULL;
}

static bool in_arena(struct slab_arena *a, const void *address)
{
	return (uintptr_t)address >= (uintptr_t)a->memory &&
	       (uintptr_t)address < (uintptr_t)a->memory + ARENA_BYTES;
}

#define CHECK(t, cache) KASSERT_STREQ(t, slab_check(cache), NULL)

/* slab_check() every cache of @a, and buddy_check() under them. */
static void check_all(struct ktest *t, struct slab_arena *a)
{
	struct kmem_cache *cache;

	for_each_cache(cache, a) {
		const char *broken = slab_check(cache);

		if (broken)
			printk("        # cache %s:\n", cache->name);
		KASSERT_STREQ(t, broken, NULL);
	}
	KASSERT_STREQ(t, buddy_check(&a->buddy), NULL);
}

/* Every cache checks out and the buddy holds what it held at the start. */
static void expect_all_returned(struct ktest *t, struct slab_arena *a)
{
	check_all(t, a);
	KEXPECT_UEQ(t, settled_free_pages(a), a->free_at_start);
}

static void *arena_kmalloc(struct slab_arena *a, size_t size, gfp_t gfp)
{
	return slab_kmalloc(&a->slab, size, gfp, __builtin_return_address(0));
}

static void arena_kfree(struct slab_arena *a, const void *object)
{
	slab_kfree(&a->slab, object, __builtin_return_address(0));
}

static struct kmem_cache *make_cache(struct ktest *t, struct slab_arena *a, const char *name,
				     unsigned int size, unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *object))
{
	struct kmem_cache *cache = slab_cache_create(&a->slab, name, size, align, flags, ctor);

	KASSERT_NOT_NULL(t, cache);
	return cache;
}

static struct slab_stats stats_of(struct kmem_cache *cache)
{
	struct slab_stats stats;

	slab_backend_stats(cache, &stats);
	return stats;
}

/* The kmalloc cache of class @size. */
static struct kmem_cache *kmalloc_cache(struct slab_arena *a, unsigned int size)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(classes); i++)
		if (classes[i] == size)
			return a->slab.kmalloc_caches[i];
	return NULL;
}


/* ---- kmalloc ------------------------------------------------------------ */

static void test_kmalloc_zero_and_null(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, NULL);
	uint64_t reports = a->slab.reports;
	void *object;

	KEXPECT_PTR_EQ(t, arena_kmalloc(a, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	KEXPECT_PTR_EQ(t, arena_kmalloc(a, 0, GFP_KERNEL | __GFP_ZERO), ZERO_SIZE_PTR);
	KEXPECT_TRUE(t, ZERO_OR_NULL_PTR(ZERO_SIZE_PTR));
	KEXPECT_TRUE(t, ZERO_OR_NULL_PTR(NULL));
	arena_kfree(a, NULL);
	arena_kfree(a, ZERO_SIZE_PTR);
	KEXPECT_UEQ(t, slab_ksize(&a->slab, NULL), 0);
	KEXPECT_UEQ(t, slab_ksize(&a->slab, ZERO_SIZE_PTR), 0);
	KEXPECT_UEQ(t, a->slab.reports, reports);

	/* krealloc(NULL, n) is kmalloc(n); krealloc(p, 0) frees p. */
	object = slab_krealloc(&a->slab, NULL, 40, GFP_KERNEL, NULL);
	KASSERT_NOT_NULL(t, object);
	KEXPECT_UEQ(t, slab_ksize(&a->slab, object), 64);
	KEXPECT_PTR_EQ(t, slab_krealloc(&a->slab, object, 0, GFP_KERNEL, NULL), ZERO_SIZE_PTR);
	object = slab_krealloc(&a->slab, ZERO_SIZE_PTR, 8, GFP_KERNEL, NULL);
	KASSERT_NOT_NULL(t, object);
	KEXPECT_FALSE(t, ZERO_OR_NULL_PTR(object));
	arena_kfree(a, object);
	KEXPECT_UEQ(t, a->slab.reports, reports);
	expect_all_returned(t, a);
	arena_destroy(a);
}

/*
 * kcalloc and kmalloc_array are the kernel's instance's, but an overflow
 * is refused before any instance is touched, so it is tested here too.
 */
static void test_array_overflow_returns_null(struct ktest *t)
{
	KEXPECT_NULL(t, kcalloc(SIZE_MAX / 2 + 1, 2, GFP_KERNEL));
	KEXPECT_NULL(t, kcalloc(2, SIZE_MAX / 2 + 1, GFP_KERNEL));
	KEXPECT_NULL(t, kmalloc_array(SIZE_MAX, 8, GFP_KERNEL));
	KEXPECT_NULL(t, kmalloc_array(1ull << 32, 1ull << 32, GFP_KERNEL));
	KEXPECT_NULL(t, kcalloc(SIZE_MAX, SIZE_MAX, GFP_KERNEL));
}

/* Each boundary size and the class it must land in (0: the page allocator). */
static const struct {
	size_t size;
	unsigned int class_size;
	size_t ksize;
} boundaries[] = {
	{ 1, 8, 8 },         { 8, 8, 8 },         { 9, 16, 16 },       { 16, 16, 16 },
	{ 17, 32, 32 },      { 32, 32, 32 },      { 33, 64, 64 },      { 64, 64, 64 },
	{ 65, 96, 96 },      { 96, 96, 96 },      { 97, 128, 128 },    { 128, 128, 128 },
	{ 129, 192, 192 },   { 192, 192, 192 },   { 193, 256, 256 },   { 256, 256, 256 },
	{ 257, 512, 512 },   { 512, 512, 512 },   { 513, 1024, 1024 }, { 1024, 1024, 1024 },
	{ 1025, 2048, 2048 }, { 2048, 2048, 2048 }, { 2049, 4096, 4096 }, { 4096, 4096, 4096 },
	{ 4097, 8192, 8192 }, { 8192, 8192, 8192 }, { 8193, 0, 16384 }, { 16384, 0, 16384 },
	{ 16385, 0, 32768 },
};

static void test_class_of_each_boundary_size(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, NULL);

	for (size_t i = 0; i < ARRAY_SIZE(boundaries); i++) {
		void *object = arena_kmalloc(a, boundaries[i].size, GFP_KERNEL);
		struct kmem_cache *cache;

		printk("        # size %zu\n", boundaries[i].size);
		KASSERT_NOT_NULL(t, object);
		KEXPECT_TRUE(t, in_arena(a, object));
		cache = slab_cache_of(&a->slab, object);
		KEXPECT_UEQ(t, slab_ksize(&a->slab, object), boundaries[i].ksize);
		if (boundaries[i].class_size) {
			KASSERT_NOT_NULL(t, cache);
			KEXPECT_PTR_EQ(t, cache, kmalloc_cache(a, boundaries[i].class_size));
			KEXPECT_UEQ(t, cache->object_size, boundaries[i].class_size);
		} else {
			struct page *page = block_of(a, object);

			KEXPECT_NULL(t, cache);
			KASSERT_NOT_NULL(t, page);
			KEXPECT_TRUE(t, page->flags & PG_compound);
			KEXPECT_UEQ(t, (uintptr_t)object % PAGE_SIZE, 0);
		}
		arena_kfree(a, object);
	}
	KEXPECT_UEQ(t, a->slab.reports, 0);
	expect_all_returned(t, a);
	arena_destroy(a);
}

/* Smallest power of two a class guarantees: its size, or 32 and 64 for 96 and 192. */
static size_t class_alignment(size_t class_size)
{
	return is_power_of_two(class_size) ? class_size : class_size / 3;
}

/*
 * Every size 1..8192, three objects each (so objects past the first of a
 * slab count): ksize covers the request, every object is 8-byte aligned,
 * a power-of-two size is aligned to itself -- on a plain instance and on
 * instances with debugging forced on every cache, where red zones and
 * tracks move objects within their slots.
 */
static void test_every_size_alignment_and_ksize(struct ktest *t)
{
	static const char *const debug[] = { NULL, "FZPU", "Z", "U" };

	for (size_t d = 0; d < ARRAY_SIZE(debug); d++) {
		struct slab_arena *a = arena_create(t, debug[d]);

		printk("        # slab_debug=%s\n", debug[d] ? debug[d] : "(none)");
		for (size_t size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size++) {
			void *objects[3];

			for (int i = 0; i < 3; i++) {
				size_t usable;

				objects[i] = arena_kmalloc(a, size, GFP_KERNEL);
				KASSERT_NOT_NULL(t, objects[i]);
				usable = slab_ksize(&a->slab, objects[i]);
				if (usable < size || (uintptr_t)objects[i] % KMALLOC_MIN_ALIGN ||
				    (uintptr_t)objects[i] % class_alignment(usable) ||
				    (is_power_of_two(size) && (uintptr_t)objects[i] % size)) {
					printk("        # size %zu: object %p, ksize %zu\n", size,
					       objects[i], usable);
					KASSERT_TRUE(t, false);
				}
				memset(objects[i], 0x5a, usable);
			}
			for (int i = 0; i < 3; i++)
				arena_kfree(a, objects[i]);
		}
		KEXPECT_UEQ(t, a->slab.reports, 0);
		expect_all_returned(t, a);
		arena_destroy(a);
	}
}

static void test_large_sizes_go_to_pages(struct ktest *t)
{
	static const size_t sizes[] = {
		8193, 12288, 12289, 16384, 65536, 65537, 1 << 20, (1 << 20) + 1, 4 << 20,
	};
	struct slab_arena *a = arena_create(t, NULL);

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint8_t *object = arena_kmalloc(a, sizes[i], GFP_KERNEL);
		size_t usable;

		printk("        # size %zu\n", sizes[i]);
		KASSERT_NOT_NULL(t, object);
		usable = slab_ksize(&a->slab, object);
		KEXPECT_UGE(t, usable, sizes[i]);
		KEXPECT_TRUE(t, is_power_of_two(usable));
		KEXPECT_ULT(t, usable / 2, MAX(sizes[i], PAGE_SIZE));
		KEXPECT_UEQ(t, (uintptr_t)object % PAGE_SIZE, 0);
		KEXPECT_NULL(t, slab_cache_of(&a->slab, object));
		fill(object, usable, (uint8_t)i);
		KEXPECT_TRUE(t, holds(object, usable, (uint8_t)i));
		arena_kfree(a, object);
	}
	/* Above the largest block: NULL, quietly with __GFP_NOWARN. */
	KEXPECT_NULL(t, arena_kmalloc(a, (4 << 20) + 1, GFP_KERNEL | __GFP_NOWARN));
	KEXPECT_NULL(t, arena_kmalloc(a, SIZE_MAX, GFP_KERNEL | __GFP_NOWARN));
	/* __GFP_ZERO reaches the page allocator. */
	{
		uint8_t *object = arena_kmalloc(a, 20000, GFP_KERNEL);

		KASSERT_NOT_NULL(t, object);
		memset(object, 0xee, 20000);
		arena_kfree(a, object);
		object = arena_kmalloc(a, 20000, GFP_KERNEL | __GFP_ZERO);
		KASSERT_NOT_NULL(t, object);
		KEXPECT_TRUE(t, all_bytes(object, 20000, 0));
		arena_kfree(a, object);
	}
	KEXPECT_UEQ(t, a->slab.reports, 0);
	expect_all_returned(t, a);
	arena_destroy(a);
}

static void test_kzalloc_zeroes(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, NULL);

	for (unsigned int i = 0; i < ARRAY_SIZE(classes); i++) {
		uint8_t *object = arena_kmalloc(a, classes[i], GFP_KERNEL);

		KASSERT_NOT_NULL(t, object);
		memset(object, 0x77, classes[i]);
		arena_kfree(a, object);
		/* The object just freed comes back first; it must be cleared. */
		object = arena_kmalloc(a, classes[i], GFP_KERNEL | __GFP_ZERO);
		KASSERT_NOT_NULL(t, object);
		KEXPECT_TRUE(t, all_bytes(object, classes[i], 0));
		arena_kfree(a, object);
	}
	expect_all_returned(t, a);
	arena_destroy(a);
}

/* krealloc up through every class boundary into the page allocator, and back down. */
static void test_krealloc_keeps_contents(struct ktest *t)
{
	static const size_t growth[] = {
		1, 8, 9, 16, 17, 64, 65, 96, 97, 128, 129, 192, 193, 256, 257, 512, 513,
		4096, 4097, 8192, 8193, 20000, 100000,
	};
	static const size_t shrinking[] = { 50000, 8192, 8191, 200, 65, 64, 9, 1 };
	struct slab_arena *a = arena_create(t, NULL);
	uint8_t *object = NULL;
	size_t size = 0;

	for (size_t i = 0; i < ARRAY_SIZE(growth); i++) {
		uint8_t *grown = slab_krealloc(&a->slab, object, growth[i], GFP_KERNEL, NULL);

		printk("        # grow %zu -> %zu\n", size, growth[i]);
		KASSERT_NOT_NULL(t, grown);
		KEXPECT_UGE(t, slab_ksize(&a->slab, grown), growth[i]);
		KEXPECT_TRUE(t, holds(grown, size, 0x21));
		object = grown;
		size = growth[i];
		fill(object, size, 0x21);
	}
	for (size_t i = 0; i < ARRAY_SIZE(shrinking); i++) {
		uint8_t *shrunk = slab_krealloc(&a->slab, object, shrinking[i], GFP_KERNEL, NULL);

		printk("        # shrink %zu -> %zu\n", size, shrinking[i]);
		KASSERT_NOT_NULL(t, shrunk);
		/* A smaller size fits where the object is: it stays. */
		KEXPECT_PTR_EQ(t, shrunk, object);
		size = shrinking[i];
		KEXPECT_TRUE(t, holds(shrunk, size, 0x21));
	}
	/* Shrinking with __GFP_ZERO clears what is cut off. */
	object = slab_krealloc(&a->slab, object, 64, GFP_KERNEL, NULL);
	KASSERT_NOT_NULL(t, object);
	fill(object, 64, 0x33);
	object = slab_krealloc(&a->slab, object, 10, GFP_KERNEL | __GFP_ZERO, NULL);
	KASSERT_NOT_NULL(t, object);
	KEXPECT_TRUE(t, holds(object, 10, 0x33));
	KEXPECT_TRUE(t, all_bytes(object + 10, 54, 0));
	arena_kfree(a, object);
	KEXPECT_UEQ(t, a->slab.reports, 0);
	expect_all_returned(t, a);
	arena_destroy(a);
}

/* ---- caches ------------------------------------------------------------- */

#define MAX_TEST_OBJECTS 600

/*
 * Explicit alignments 8..4096, several sizes, with and without red zones
 * and tracks (which move the object within its slot): every object of
 * more than two slabs is aligned and the cache checks out.
 */
static void test_explicit_alignment(struct ktest *t)
{
	static const unsigned int sizes[] = { 1, 24, 100, 328, 1000 };
	static const slab_flags_t flag_sets[] = {
		0, SLAB_RED_ZONE, SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_CONSISTENCY_CHECKS,
	};
	static void *objects[MAX_TEST_OBJECTS];
	struct slab_arena *a = arena_create(t, NULL);

	for (unsigned int align = 8; align <= 4096; align *= 2)
		for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
			for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
				struct kmem_cache *cache = make_cache(t, a, "aligned", sizes[s], align,
								      flag_sets[f], NULL);
				size_t count = MIN(2 * (size_t)cache->objects + 1, MAX_TEST_OBJECTS);

				printk("        # size %u align %u flags %#x\n", sizes[s], align,
				       flag_sets[f]);
				KEXPECT_UEQ(t, kmem_cache_size(cache), sizes[s]);
				for (size_t i = 0; i < count; i++) {
					objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
					KASSERT_NOT_NULL(t, objects[i]);
					KASSERT_UEQ(t, (uintptr_t)objects[i] % align, 0);
					fill(objects[i], sizes[s], (uint8_t)i);
				}
				CHECK(t, cache);
				for (size_t i = 0; i < count; i++) {
					KASSERT_TRUE(t, holds(objects[i], sizes[s], (uint8_t)i));
					kmem_cache_free(cache, objects[i]);
				}
				CHECK(t, cache);
				KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
			}
	KEXPECT_UEQ(t, a->slab.reports, 0);
	expect_all_returned(t, a);
	arena_destroy(a);
}

static void test_bad_create_arguments(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, NULL);

	struct kmem_cache *created[4];

	capture_start();
	created[0] = slab_cache_create(&a->slab, "zero", 0, 0, 0, NULL);
	created[1] = slab_cache_create(&a->slab, "align-3", 64, 3, 0, NULL);
	created[2] = slab_cache_create(&a->slab, "align-48", 64, 48, 0, NULL);
	created[3] = slab_cache_create(&a->slab, "huge", 1u << 20, 0, 0, NULL);
	capture_stop();
	for (int i = 0; i < 4; i++)
		KEXPECT_NULL(t, created[i]);
	KEXPECT_REPORTED(t, "cannot create cache align-3");
	expect_all_returned(t, a);
	arena_destroy(a);
}

/* SLAB_HWCACHE_ALIGN: the textbook 328-byte object takes the smallest 64-byte-aligned slot. */
static void test_hwcache_align(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "hwcache-328", 328, 0, SLAB_HWCACHE_ALIGN, NULL);
	struct kmem_cache *small = make_cache(t, a, "hwcache-33", 33, 0, SLAB_HWCACHE_ALIGN, NULL);
	void *objects[40];

	KEXPECT_EQ(t, cache->stride, 384);
	KEXPECT_EQ(t, cache->order, 0);
	KEXPECT_EQ(t, cache->objects, 10);
	KEXPECT_EQ(t, small->stride, 64);
	for (int i = 0; i < 40; i++) {
		objects[i] = kmem_cache_alloc(i % 2 ? small : cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		KEXPECT_UEQ(t, (uintptr_t)objects[i] % 64, 0);
	}
	for (int i = 0; i < 40; i++)
		kmem_cache_free(i % 2 ? small : cache, objects[i]);
	CHECK(t, cache);
	CHECK(t, small);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, small));
	expect_all_returned(t, a);
	arena_destroy(a);
}

#define CTOR_SIZE 48
#define CTOR_BYTE 0xc7
static unsigned long ctor_calls;

static void test_ctor(void *object)
{
	memset(object, CTOR_BYTE, CTOR_SIZE);
	ctor_calls++;
}

/*
 * The constructor runs on every object of a slab when the slab is made,
 * never on allocation or reuse; a free object keeps its constructed
 * state (the free pointer sits outside it), so a reused object needs no
 * new constructor call.
 */
static void test_ctor_runs_once_per_object(struct ktest *t)
{
	static void *objects[MAX_TEST_OBJECTS];
	struct slab_arena *a = arena_create(t, NULL);
	struct kmem_cache *cache;
	unsigned int per_slab;

	ctor_calls = 0;
	cache = make_cache(t, a, "ctor", CTOR_SIZE, 0, SLAB_POISON, test_ctor);
	per_slab = cache->objects;
	KEXPECT_EQ(t, ctor_calls, 0);
	/* A constructed object must keep its state while free: no poisoning. */
	KEXPECT_FALSE(t, cache->flags & SLAB_POISON);
	KEXPECT_UGE(t, cache->free_offset, CTOR_SIZE);

	objects[0] = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, objects[0]);
	KEXPECT_UEQ(t, ctor_calls, per_slab);
	for (unsigned int i = 1; i < per_slab; i++)
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
	KEXPECT_UEQ(t, ctor_calls, per_slab);
	for (unsigned int i = 0; i < per_slab; i++) {
		KASSERT_NOT_NULL(t, objects[i]);
		KEXPECT_TRUE(t, all_bytes(objects[i], CTOR_SIZE, CTOR_BYTE));
	}
	/* Reuse: free every object and allocate them again. */
	for (unsigned int i = 0; i < per_slab; i++)
		kmem_cache_free(cache, objects[i]);
	for (unsigned int i = 0; i < per_slab; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		KEXPECT_TRUE(t, all_bytes(objects[i], CTOR_SIZE, CTOR_BYTE));
	}
	KEXPECT_UEQ(t, ctor_calls, per_slab);
	/* One more object needs a second slab: per_slab more calls. */
	objects[per_slab] = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, objects[per_slab]);
	KEXPECT_UEQ(t, ctor_calls, 2 * per_slab);
	for (unsigned int i = 0; i <= per_slab; i++)
		kmem_cache_free(cache, objects[i]);
	CHECK(t, cache);
	/* Slabs given back and made again are constructed again. */
	kmem_cache_shrink(cache);
	KEXPECT_EQ(t, stats_of(cache).slabs, 0);
	objects[0] = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, objects[0]);
	KEXPECT_UEQ(t, ctor_calls, 3 * per_slab);
	kmem_cache_free(cache, objects[0]);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	arena_destroy(a);
}

static void test_zalloc_and_size(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "zalloc", 200, 0, 0, NULL);
	uint8_t *object = kmem_cache_alloc(cache, GFP_KERNEL);

	KASSERT_NOT_NULL(t, object);
	KEXPECT_EQ(t, kmem_cache_size(cache), 200);
	KEXPECT_UEQ(t, slab_ksize(&a->slab, object), 200);
	memset(object, 0xab, 200);
	kmem_cache_free(cache, object);
	object = kmem_cache_zalloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	KEXPECT_TRUE(t, all_bytes(object, 200, 0));
	/* A kmem_cache object can be freed by kfree, as in Linux. */
	arena_kfree(a, object);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	arena_destroy(a);
}

static void test_bulk_alloc_and_free(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "bulk", 328, 0, SLAB_HWCACHE_ALIGN, NULL);
	void *objects[64];

	KEXPECT_EQ(t, kmem_cache_alloc_bulk(cache, GFP_KERNEL, 0, objects), 0);
	KASSERT_EQ(t, kmem_cache_alloc_bulk(cache, GFP_KERNEL, 64, objects), 64);
	for (int i = 0; i < 64; i++) {
		KASSERT_NOT_NULL(t, objects[i]);
		for (int j = 0; j < i; j++)
			KASSERT_TRUE(t, objects[i] != objects[j]);
		fill(objects[i], 328, (uint8_t)i);
	}
	for (int i = 0; i < 64; i++)
		KEXPECT_TRUE(t, holds(objects[i], 328, (uint8_t)i));
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 64);
	CHECK(t, cache);
	kmem_cache_free_bulk(cache, 64, objects);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	arena_destroy(a);
}

/*
 * Frees keep at most two empty slabs besides the CPU's; shrink gives every
 * empty slab back to the buddy, whichever list it sits on.  Objects are
 * freed slab by slab, oldest first, so the CPU slab empties last, while
 * two empty slabs already wait on the partial list.
 */
static void test_shrink_returns_empty_slabs(struct ktest *t)
{
	enum { SLABS = 5 };
	static void *objects[MAX_TEST_OBJECTS];
	struct slab_arena *a = arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "shrink", 256, 0, 0, NULL);
	uint64_t before = settled_free_pages(a);
	unsigned int count = SLABS * 16;
	struct slab_stats stats;

	KASSERT_EQ(t, cache->objects, 16);
	KASSERT_EQ(t, cache->order, 0);
	for (unsigned int i = 0; i < count; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
	}
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.slabs, SLABS);
	KEXPECT_EQ(t, stats.objects_in_use, count);
	KEXPECT_EQ(t, stats.objects_total, count);
	KEXPECT_UEQ(t, buddy_free_pages(&a->buddy), before - SLABS);
	CHECK(t, cache);
	for (unsigned int i = 0; i < count; i++) {
		kmem_cache_free(cache, objects[i]);
		if (i % 16 == 15)
			CHECK(t, cache);
	}
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.objects_in_use, 0);
	KEXPECT_EQ(t, stats.empty, 2);
	KEXPECT_EQ(t, stats.slabs, 3); /* two empty ones kept, and the CPU's */
	kmem_cache_shrink(cache);
	CHECK(t, cache);
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.slabs, 0);
	KEXPECT_EQ(t, stats.empty, 0);
	KEXPECT_EQ(t, stats.partial, 0);
	KEXPECT_UEQ(t, buddy_free_pages(&a->buddy), before);
	/* Still usable after a shrink. */
	objects[0] = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, objects[0]);
	KEXPECT_EQ(t, stats_of(cache).slabs, 1);
	kmem_cache_free(cache, objects[0]);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	arena_destroy(a);
}

/* Statistics follow allocations and frees, and slabinfo shows every cache. */
static void test_statistics_and_slabinfo(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "stats-328", 328, 0, SLAB_HWCACHE_ALIGN, NULL);
	void *objects[25];
	struct slab_stats stats;

	for (int i = 0; i < 25; i++)
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
	for (int i = 0; i < 10; i++)
		kmem_cache_free(cache, objects[i]);
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.objects_in_use, 15);
	KEXPECT_EQ(t, stats.objects_per_slab, 10);
	KEXPECT_EQ(t, stats.stride, 384);
	KEXPECT_EQ(t, stats.slabs, 3);
	KEXPECT_UEQ(t, stats.bytes_used, 3 * PAGE_SIZE);
	KEXPECT_UEQ(t, stats.allocations, 25);
	KEXPECT_UEQ(t, stats.frees, 10);
	KEXPECT_UEQ(t, stats.bad_frees, 0);
	capture_start();
	slab_print_info(&a->slab);
	capture_stop();
	KEXPECT_REPORTED(t, "stats-328");
	KEXPECT_REPORTED(t, "kmalloc-96");
	KEXPECT_REPORTED(t, "kmalloc-8192");
	KEXPECT_REPORTED(t, "kmem_cache");
	for (int i = 10; i < 25; i++)
		kmem_cache_free(cache, objects[i]);
	CHECK(t, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	arena_destroy(a);
}

/* slab_debug=: letters, "-", a cache glob, and malformed values. */
static void test_slab_debug_parameter(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, "ZP,kmalloc-6*");
	struct kmem_cache *mine;

	KEXPECT_UEQ(t, kmalloc_cache(a, 64)->flags & SLAB_DEBUG_FLAGS, SLAB_RED_ZONE | SLAB_POISON);
	KEXPECT_UEQ(t, kmalloc_cache(a, 32)->flags & SLAB_DEBUG_FLAGS, 0);
	mine = make_cache(t, a, "mine", 64, 0, SLAB_STORE_USER, NULL);
	KEXPECT_UEQ(t, mine->flags & SLAB_DEBUG_FLAGS, SLAB_STORE_USER);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, mine));
	arena_destroy(a);

	a = arena_create(t, "");
	KEXPECT_UEQ(t, kmalloc_cache(a, 8)->flags & SLAB_DEBUG_FLAGS, SLAB_DEBUG_FLAGS);
	KEXPECT_UEQ(t, a->slab.cache_cache.flags & SLAB_DEBUG_FLAGS, SLAB_DEBUG_FLAGS);
	KEXPECT_TRUE(t, slab_parse_debug(&a->slab, "-"));
	KEXPECT_UEQ(t, a->slab.forced_debug, 0);
	KEXPECT_TRUE(t, slab_parse_debug(&a->slab, "fu"));
	KEXPECT_UEQ(t, a->slab.forced_debug, SLAB_CONSISTENCY_CHECKS | SLAB_STORE_USER);
	KEXPECT_NULL(t, a->slab.forced_debug_glob);
	KEXPECT_FALSE(t, slab_parse_debug(&a->slab, "FX"));
	KEXPECT_FALSE(t, slab_parse_debug(&a->slab, "1"));
	arena_destroy(a);
}

/* ---- wrong use ---------------------------------------------------------- */

/* What must hold after every reported misuse: the cache checks out and still works. */
static void expect_still_works(struct ktest *t, struct slab_arena *a, struct kmem_cache *cache)
{
	void *objects[40];

	CHECK(t, cache);
	for (int i = 0; i < 40; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		fill(objects[i], cache->object_size, (uint8_t)i);
	}
	for (int i = 0; i < 40; i++) {
		KEXPECT_TRUE(t, holds(objects[i], cache->object_size, (uint8_t)i));
		kmem_cache_free(cache, objects[i]);
	}
	check_all(t, a);
}

/* SLAB_CONSISTENCY_CHECKS finds any double free, not only the latest; so does a red zone. */
static void test_double_free_on_debug_caches(struct ktest *t)
{
	static const slab_flags_t flag_sets[] = {
		SLAB_CONSISTENCY_CHECKS, SLAB_RED_ZONE,
		SLAB_CONSISTENCY_CHECKS | SLAB_STORE_USER | SLAB_POISON | SLAB_RED_ZONE,
	};
	struct slab_arena *a = arena_create(t, NULL);

	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
		struct kmem_cache *cache = make_cache(t, a, "debug-double", 64, 0, flag_sets[f], NULL);
		void *first = kmem_cache_alloc(cache, GFP_KERNEL);
		void *second = kmem_cache_alloc(cache, GFP_KERNEL);
		void *third = kmem_cache_alloc(cache, GFP_KERNEL);
		uint64_t reports = a->slab.reports;

		printk("        # flags %#x\n", flag_sets[f]);
		KASSERT_NOT_NULL(t, first);
		KASSERT_NOT_NULL(t, third);
		kmem_cache_free(cache, first);
		kmem_cache_free(cache, second);
		/* first is not the most recently freed object any more. */
		capture_start();
		kmem_cache_free(cache, first);
		capture_stop();
		KEXPECT_REPORTED(t, "double free: cache debug-double");
		if (flag_sets[f] & SLAB_STORE_USER) {
			const struct slab_track *tracks =
				(const void *)((uint8_t *)first + cache->track_offset);

			KEXPECT_REPORTED(t, "last allocated by 0x");
			KEXPECT_REPORTED(t, "last freed by 0x");
			KEXPECT_REPORTED(t, "TSC cycles ago");
			/* Real times: allocated, then freed, both before now. */
			KEXPECT_UGT(t, tracks[0].when, 0);
			KEXPECT_ULE(t, tracks[0].when, tracks[1].when);
			KEXPECT_ULE(t, tracks[1].when, rdtsc());
		}
		KEXPECT_UEQ(t, cache->bad_frees, 1);
		KEXPECT_UEQ(t, a->slab.reports, reports + 1);
		KEXPECT_EQ(t, stats_of(cache).objects_in_use, 1);
		/* Neither object is handed out twice. */
		{
			void *again = kmem_cache_alloc(cache, GFP_KERNEL);
			void *more = kmem_cache_alloc(cache, GFP_KERNEL);
			void *yet = kmem_cache_alloc(cache, GFP_KERNEL);

			KASSERT_NOT_NULL(t, yet);
			KEXPECT_PTR_NE(t, again, more);
			KEXPECT_PTR_NE(t, yet, more);
			KEXPECT_PTR_NE(t, yet, again);
			KEXPECT_PTR_NE(t, yet, third);
			kmem_cache_free(cache, again);
			kmem_cache_free(cache, more);
			kmem_cache_free(cache, yet);
		}
		kmem_cache_free(cache, third);
		expect_still_works(t, a, cache);
		KEXPECT_UEQ(t, a->slab.reports, reports + 1);
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	}
	expect_all_returned(t, a);
	arena_destroy(a);
}

/*
 * A cache without debugging catches the naive double free -- the object
 * freed twice in a row -- whether its slab is the CPU's or another one.
 */
static void test_naive_double_free(struct ktest *t)
{
	static void *objects[MAX_TEST_OBJECTS];
	struct slab_arena *a = arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "plain", 128, 0, 0, NULL);
	uint64_t reports = a->slab.reports;
	unsigned int per_slab = cache->objects;
	void *object = kmem_cache_alloc(cache, GFP_KERNEL);

	/* On the CPU slab. */
	KASSERT_NOT_NULL(t, object);
	kmem_cache_free(cache, object);
	capture_start();
	kmem_cache_free(cache, object);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache plain");
	KEXPECT_UEQ(t, cache->bad_frees, 1);
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	expect_still_works(t, a, cache);

	/* On a slab that is not the CPU's: fill one slab, start a second. */
	for (unsigned int i = 0; i <= per_slab; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
	}
	KASSERT_TRUE(t, block_of(a, objects[0]) != block_of(a, objects[per_slab]));
	kmem_cache_free(cache, objects[0]);
	capture_start();
	kmem_cache_free(cache, objects[0]);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache plain");
	KEXPECT_UEQ(t, cache->bad_frees, 2);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, per_slab);
	/* Empty that slab; an object of an empty slab freed again is a double free too. */
	for (unsigned int i = 1; i < per_slab; i++)
		kmem_cache_free(cache, objects[i]);
	CHECK(t, cache);
	capture_start();
	kmem_cache_free(cache, objects[1]);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache plain");
	KEXPECT_UEQ(t, cache->bad_frees, 3);
	KEXPECT_UEQ(t, a->slab.reports, reports + 3);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 1);
	kmem_cache_free(cache, objects[per_slab]);
	expect_still_works(t, a, cache);
	KEXPECT_UEQ(t, a->slab.reports, reports + 3);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	arena_destroy(a);
}

/* Pointers no cache handed out: outside the arena, in a free page, in a large kmalloc block. */
static void test_free_of_foreign_pointers(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "victim", 64, 0, SLAB_CONSISTENCY_CHECKS, NULL);
	void *live = kmem_cache_alloc(cache, GFP_KERNEL);
	uint8_t *large = arena_kmalloc(a, 3 * PAGE_SIZE, GFP_KERNEL);
	struct page *free_page = buddy_alloc(&a->buddy, GFP_KERNEL, 0, NULL);
	uint8_t *free_memory;
	uint64_t on_stack = 0;
	uint64_t reports = a->slab.reports;

	KASSERT_NOT_NULL(t, live);
	KASSERT_NOT_NULL(t, large);
	KASSERT_NOT_NULL(t, free_page);
	free_memory = buddy_page_address(&a->buddy, free_page);
	KASSERT_TRUE(t, buddy_free(&a->buddy, free_page, 0, NULL));

	capture_start();
	kmem_cache_free(cache, &on_stack);
	kmem_cache_free(cache, free_memory + 64);
	kmem_cache_free(cache, large);
	kmem_cache_free(cache, a->memory + ARENA_BYTES + 4096);
	capture_stop();
	KEXPECT_REPORTED(t, "free of a pointer no cache handed out: cache victim");
	KEXPECT_UEQ(t, cache->bad_frees, 4);
	KEXPECT_UEQ(t, a->slab.reports, reports + 4);

	/* kfree of the same. */
	capture_start();
	arena_kfree(a, &on_stack);
	arena_kfree(a, free_memory);
	arena_kfree(a, large + PAGE_SIZE);     /* inside a large block, not its start */
	arena_kfree(a, large + 8);
	capture_stop();
	KEXPECT_REPORTED(t, "was not allocated by kmalloc");
	KEXPECT_UEQ(t, a->slab.reports, reports + 8);
	/* The large block is intact and frees normally, once. */
	KEXPECT_UEQ(t, slab_ksize(&a->slab, large), 4 * PAGE_SIZE);
	arena_kfree(a, large);
	capture_start();
	arena_kfree(a, large);
	capture_stop();
	KEXPECT_UEQ(t, a->slab.reports, reports + 9);

	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 1);
	kmem_cache_free(cache, live);
	expect_still_works(t, a, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	expect_all_returned(t, a);
	arena_destroy(a);
}

static void test_free_into_wrong_cache(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, NULL);
	struct kmem_cache *owner = make_cache(t, a, "owner", 64, 0, 0, NULL);
	struct kmem_cache *other = make_cache(t, a, "other", 64, 0, 0, NULL);
	void *object = kmem_cache_alloc(owner, GFP_KERNEL);
	void *kmalloc_object = arena_kmalloc(a, 64, GFP_KERNEL);
	uint64_t reports = a->slab.reports;

	KASSERT_NOT_NULL(t, object);
	KASSERT_NOT_NULL(t, kmalloc_object);
	fill(object, 64, 9);
	capture_start();
	kmem_cache_free(other, object);
	capture_stop();
	KEXPECT_REPORTED(t, "free into the wrong cache: cache other");
	KEXPECT_REPORTED(t, "the object belongs to cache owner");
	capture_start();
	kmem_cache_free(other, kmalloc_object);
	capture_stop();
	KEXPECT_REPORTED(t, "the object belongs to cache kmalloc-64");
	KEXPECT_UEQ(t, other->bad_frees, 2);
	KEXPECT_UEQ(t, owner->bad_frees, 0);
	KEXPECT_UEQ(t, a->slab.reports, reports + 2);
	/* Nothing moved: the object is still live in its own cache, contents intact. */
	KEXPECT_EQ(t, stats_of(owner).objects_in_use, 1);
	KEXPECT_EQ(t, stats_of(other).objects_in_use, 0);
	KEXPECT_TRUE(t, holds(object, 64, 9));
	kmem_cache_free(owner, object);
	arena_kfree(a, kmalloc_object);
	expect_still_works(t, a, owner);
	expect_still_works(t, a, other);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, owner));
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, other));
	expect_all_returned(t, a);
	arena_destroy(a);
}

static void test_free_of_pointer_into_object(struct ktest *t)
{
	static const slab_flags_t flag_sets[] = { 0, SLAB_RED_ZONE | SLAB_POISON };
	struct slab_arena *a = arena_create(t, NULL);

	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
		struct kmem_cache *cache = make_cache(t, a, "middle", 96, 0, flag_sets[f], NULL);
		uint8_t *neighbour = kmem_cache_alloc(cache, GFP_KERNEL);
		uint8_t *object = kmem_cache_alloc(cache, GFP_KERNEL);
		uint8_t *kmalloc_object = arena_kmalloc(a, 100, GFP_KERNEL);
		uint64_t reports = a->slab.reports;

		KASSERT_NOT_NULL(t, neighbour);
		KASSERT_NOT_NULL(t, object);
		KASSERT_NOT_NULL(t, kmalloc_object);
		capture_start();
		kmem_cache_free(cache, object + 1);
		kmem_cache_free(cache, object + 8);
		kmem_cache_free(cache, object + 95);
		kmem_cache_free(cache, object - 8);   /* in a red zone, or the neighbour's slot */
		arena_kfree(a, kmalloc_object + 64);
		capture_stop();
		KEXPECT_REPORTED(t, "free of a pointer into the middle of an object: cache middle");
		KEXPECT_REPORTED(t, "into the middle of an object: cache kmalloc-128");
		KEXPECT_UEQ(t, cache->bad_frees, 4);
		KEXPECT_UEQ(t, a->slab.reports, reports + 5);
		KEXPECT_EQ(t, stats_of(cache).objects_in_use, 2);
		kmem_cache_free(cache, object);
		kmem_cache_free(cache, neighbour);
		arena_kfree(a, kmalloc_object);
		expect_still_works(t, a, cache);
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	}
	expect_all_returned(t, a);
	arena_destroy(a);
}

/* Destroying a cache with live objects reports their count and keeps the cache. */
static void test_destroy_with_live_objects(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "leaky", 500, 0, 0, NULL);
	struct kmem_cache *listed;
	void *objects[3];
	bool found = false, destroyed;
	uint64_t reports = a->slab.reports;

	for (int i = 0; i < 3; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		fill(objects[i], 500, (uint8_t)i);
	}
	capture_start();
	destroyed = slab_cache_destroy(&a->slab, cache);
	capture_stop();
	KEXPECT_FALSE(t, destroyed);
	KEXPECT_REPORTED(t, "kmem_cache_destroy leaky: 3 objects still in use");
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	for_each_cache(listed, a)
		found |= listed == cache;
	KEXPECT_TRUE(t, found);
	CHECK(t, cache);
	for (int i = 0; i < 3; i++) {
		KEXPECT_TRUE(t, holds(objects[i], 500, (uint8_t)i));
		kmem_cache_free(cache, objects[i]);
	}
	expect_still_works(t, a, cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	found = false;
	for_each_cache(listed, a)
		found |= listed == cache;
	KEXPECT_FALSE(t, found);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, NULL));
	expect_all_returned(t, a);
	arena_destroy(a);
}

/*
 * A free pointer overwritten while its object is free (a write after
 * free) is found when the object is allocated: reported, and the rest of
 * that free list is given up rather than followed.  The objects given up
 * stay counted as in use, so destroy reports them.
 */
static void test_corrupted_free_pointer(struct ktest *t)
{
	static const slab_flags_t flag_sets[] = { 0, SLAB_CONSISTENCY_CHECKS, SLAB_POISON, SLAB_RED_ZONE,
						  SLAB_DEBUG_FLAGS };
	struct slab_arena *a = arena_create(t, NULL);

	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
		struct kmem_cache *cache = make_cache(t, a, "corrupt", 64, 0, flag_sets[f], NULL);
		uint8_t *first = kmem_cache_alloc(cache, GFP_KERNEL);
		uint8_t *second = kmem_cache_alloc(cache, GFP_KERNEL);
		uint8_t *third = kmem_cache_alloc(cache, GFP_KERNEL);
		uint64_t reports = a->slab.reports;
		void *again, *next;
		bool destroyed;

		printk("        # flags %#x\n", flag_sets[f]);
		KASSERT_NOT_NULL(t, third);
		kmem_cache_free(cache, third);
		kmem_cache_free(cache, second);
		/* second heads the free list; its free pointer leads to third. */
		*(uint64_t *)(second + cache->free_offset) = 0x4141414141414141ull;
		capture_start();
		again = kmem_cache_alloc(cache, GFP_KERNEL);
		capture_stop();
		KEXPECT_PTR_EQ(t, again, second);
		KEXPECT_REPORTED(t, "corrupted free pointer");
		KEXPECT_REPORTED(t, "cache corrupt");
		KEXPECT_UEQ(t, a->slab.reports, reports + 1);
		CHECK(t, cache);
		next = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, next);
		KEXPECT_PTR_NE(t, next, second);
		KEXPECT_PTR_NE(t, next, first);
		KEXPECT_TRUE(t, in_arena(a, next));
		CHECK(t, cache);
		kmem_cache_free(cache, next);
		kmem_cache_free(cache, again);
		kmem_cache_free(cache, first);
		expect_still_works(t, a, cache);
		KEXPECT_UEQ(t, a->slab.reports, reports + 1);
		/* The objects given up are a leak, reported by destroy. */
		capture_start();
		destroyed = slab_cache_destroy(&a->slab, cache);
		capture_stop();
		KEXPECT_FALSE(t, destroyed);
		KEXPECT_REPORTED(t, "objects still in use");
	}
	arena_destroy(a);
}

/* Red zones: an overflow or underflow is reported on free with the byte found. */
static void test_red_zone_overflow_and_underflow(struct ktest *t)
{
	static const unsigned int sizes[] = { 13, 40, 64, 100 };
	static const slab_flags_t flag_sets[] = {
		SLAB_RED_ZONE, SLAB_RED_ZONE | SLAB_POISON, SLAB_RED_ZONE | SLAB_STORE_USER,
		SLAB_RED_ZONE | SLAB_CONSISTENCY_CHECKS,
	};
	struct slab_arena *a = arena_create(t, NULL);

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
		for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
			struct kmem_cache *cache = make_cache(t, a, "zone", sizes[s], 0, flag_sets[f],
							      NULL);
			unsigned int size = sizes[s];
			uint8_t *object = kmem_cache_alloc(cache, GFP_KERNEL);
			uint64_t reports = a->slab.reports;
			char expected[96];
			void *again;

			printk("        # size %u flags %#x\n", size, flag_sets[f]);
			KASSERT_NOT_NULL(t, object);
			memset(object, 0x11, size);
			/* The validator sees an overwritten zone on a live object. */
			object[size] = 0x41;
			KEXPECT_STREQ(t, slab_check(cache), "red zone overwritten");
			capture_start();
			kmem_cache_free(cache, object);
			capture_stop();
			KEXPECT_REPORTED(t, "red zone after");
			KEXPECT_REPORTED(t, "cache zone");
			snprintf(expected, sizeof(expected), "byte at offset %u is 0x41, expected 0xcc", size);
			KEXPECT_REPORTED(t, expected);
			KEXPECT_UEQ(t, a->slab.reports, reports + 1);
			KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
			CHECK(t, cache);

			object = kmem_cache_alloc(cache, GFP_KERNEL);
			KASSERT_NOT_NULL(t, object);
			object[-1] = 0x42;
			capture_start();
			kmem_cache_free(cache, object);
			capture_stop();
			KEXPECT_REPORTED(t, "red zone before");
			KEXPECT_REPORTED(t, "byte at offset -1 is 0x42, expected 0xcc");
			KEXPECT_UEQ(t, a->slab.reports, reports + 2);
			CHECK(t, cache);

			/* Overwritten while free: found on the next allocation of the object. */
			object[size + 1] = 0x43;
			KEXPECT_STREQ(t, slab_check(cache), "red zone overwritten");
			capture_start();
			again = kmem_cache_alloc(cache, GFP_KERNEL);
			capture_stop();
			KEXPECT_PTR_EQ(t, again, object);
			KEXPECT_REPORTED(t, "red zone after overwritten while free");
			KEXPECT_REPORTED(t, "is 0x43, expected 0xbb");
			KEXPECT_UEQ(t, a->slab.reports, reports + 3);
			kmem_cache_free(cache, object);
			expect_still_works(t, a, cache);
			KEXPECT_UEQ(t, a->slab.reports, reports + 3);
			KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
		}
	expect_all_returned(t, a);
	arena_destroy(a);
}

/* Poisoning: a write after free is found by the validator and on the next allocation. */
static void test_write_after_free_found_by_poison(struct ktest *t)
{
	static const slab_flags_t flag_sets[] = {
		SLAB_POISON, SLAB_POISON | SLAB_RED_ZONE, SLAB_POISON | SLAB_STORE_USER,
	};
	struct slab_arena *a = arena_create(t, NULL);

	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
		struct kmem_cache *cache = make_cache(t, a, "poisoned", 100, 0, flag_sets[f], NULL);
		uint8_t *object = kmem_cache_alloc(cache, GFP_KERNEL);
		uint64_t reports = a->slab.reports;
		void *again;

		printk("        # flags %#x\n", flag_sets[f]);
		KASSERT_NOT_NULL(t, object);
		memset(object, 0x11, 100);
		kmem_cache_free(cache, object);
		KEXPECT_TRUE(t, all_bytes(object, 99, POISON_FREE));
		KEXPECT_EQ(t, object[99], POISON_END);
		CHECK(t, cache);
		object[5] = 0x00;
		KEXPECT_STREQ(t, slab_check(cache), "free object's poison overwritten");
		capture_start();
		again = kmem_cache_alloc(cache, GFP_KERNEL);
		capture_stop();
		KEXPECT_PTR_EQ(t, again, object);
		KEXPECT_REPORTED(t, "write after free: cache poisoned");
		KEXPECT_REPORTED(t, "byte at offset 5 is 0x00, expected 0x6b");
		if (flag_sets[f] & SLAB_STORE_USER)
			KEXPECT_REPORTED(t, "last freed by 0x");
		KEXPECT_UEQ(t, a->slab.reports, reports + 1);
		CHECK(t, cache);

		/* The end marker is checked too. */
		kmem_cache_free(cache, object);
		object[99] = 0x6b;
		capture_start();
		again = kmem_cache_alloc(cache, GFP_KERNEL);
		capture_stop();
		KEXPECT_PTR_EQ(t, again, object);
		KEXPECT_REPORTED(t, "byte at offset 99 is 0x6b, expected 0xa5");
		KEXPECT_UEQ(t, a->slab.reports, reports + 2);
		kmem_cache_free(cache, object);
		expect_still_works(t, a, cache);
		KEXPECT_UEQ(t, a->slab.reports, reports + 2);
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	}
	expect_all_returned(t, a);
	arena_destroy(a);
}

/* slab_debug= on kmalloc: an overflow past a kmalloc class is caught on real frees. */
static void test_forced_debug_catches_kmalloc_overflow(struct ktest *t)
{
	struct slab_arena *a = arena_create(t, "FZPU");
	uint8_t *object = arena_kmalloc(a, 64, GFP_KERNEL);
	uint64_t reports = a->slab.reports;

	KASSERT_NOT_NULL(t, object);
	object[64] = 0;
	capture_start();
	arena_kfree(a, object);
	capture_stop();
	KEXPECT_REPORTED(t, "red zone after overwritten (overflow): cache kmalloc-64");
	KEXPECT_UEQ(t, a->slab.reports, reports + 1);
	capture_start();
	arena_kfree(a, object);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache kmalloc-64");
	KEXPECT_UEQ(t, a->slab.reports, reports + 2);
	expect_all_returned(t, a);
	arena_destroy(a);
}

/* ---- seeded random stress against a shadow model ---------------------- */

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
	size_t first = ((uintptr_t)address - (uintptr_t)s->arena->memory) / 8;
	size_t last = ((uintptr_t)address - (uintptr_t)s->arena->memory + size - 1) / 8;

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
	struct slab_arena *a = arena_create(t, NULL);
	struct stress s = { .arena = a };
	struct kmem_cache *cache;

	s.live = arena_scratch(t, a, STRESS_MAX_LIVE, sizeof(*s.live));
	s.in_use = arena_scratch(t, a, ARENA_BYTES / 8, 1);
	for (int c = 0; c < STRESS_CACHES; c++)
		s.caches[c] = make_cache(t, a, specs[c].name, specs[c].size, specs[c].align,
					 specs[c].flags, specs[c].ctor ? stress_ctor : NULL);

	xorshift_state = 0x2545f4914f6cdd1dull;
	for (int step = 1; step <= STRESS_OPERATIONS; step++) {
		uint64_t roll = random_below(1000);
		bool filling = (step / 10000) % 2 == 0;

		if (roll < 3) {
			size_t c = random_below(STRESS_CACHES + ARRAY_SIZE(classes));

			slab_backend_shrink(c < STRESS_CACHES ? s.caches[c]
				: a->slab.kmalloc_caches[c - STRESS_CACHES]);
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
	for_each_cache(cache, a) {
		KEXPECT_UEQ(t, cache->bad_frees, 0);
		KEXPECT_EQ(t, stats_of(cache).objects_in_use, cache == &a->slab.cache_cache ?
			   ARRAY_SIZE(classes) + STRESS_CACHES : 0);
	}
	for (int c = 0; c < STRESS_CACHES; c++) {
		KEXPECT_UEQ(t, s.caches[c]->allocations, s.caches[c]->frees);
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, s.caches[c]));
		s.caches[c] = NULL;
	}
	expect_all_returned(t, a);
	arena_destroy(a);
}

KTEST_SUITE_FULL(slab_kmalloc, NULL, destroy_leftover_arena,
		 KTEST_CASE(test_kmalloc_zero_and_null),
		 KTEST_CASE(test_array_overflow_returns_null),
		 KTEST_CASE(test_class_of_each_boundary_size),
		 KTEST_CASE(test_every_size_alignment_and_ksize),
		 KTEST_CASE(test_large_sizes_go_to_pages),
		 KTEST_CASE(test_kzalloc_zeroes),
		 KTEST_CASE(test_krealloc_keeps_contents));

KTEST_SUITE_FULL(slab_cache, NULL, destroy_leftover_arena,
		 KTEST_CASE(test_explicit_alignment),
		 KTEST_CASE(test_bad_create_arguments),
		 KTEST_CASE(test_hwcache_align),
		 KTEST_CASE(test_ctor_runs_once_per_object),
		 KTEST_CASE(test_zalloc_and_size),
		 KTEST_CASE(test_bulk_alloc_and_free),
		 KTEST_CASE(test_shrink_returns_empty_slabs),
		 KTEST_CASE(test_statistics_and_slabinfo),
		 KTEST_CASE(test_slab_debug_parameter));

KTEST_SUITE_FULL(slab_misuse, NULL, destroy_leftover_arena,
		 KTEST_CASE(test_double_free_on_debug_caches),
		 KTEST_CASE(test_naive_double_free),
		 KTEST_CASE(test_free_of_foreign_pointers),
		 KTEST_CASE(test_free_into_wrong_cache),
		 KTEST_CASE(test_free_of_pointer_into_object),
		 KTEST_CASE(test_destroy_with_live_objects),
		 KTEST_CASE(test_corrupted_free_pointer),
		 KTEST_CASE(test_red_zone_overflow_and_underflow),
		 KTEST_CASE(test_write_after_free_found_by_poison),
		 KTEST_CASE(test_forced_debug_catches_kmalloc_overflow));

KTEST_SUITE_FULL(slab_stress, NULL, destroy_leftover_arena,
		 KTEST_CASE(test_random_stress));
