// SPDX-License-Identifier: MIT
/*
 * The slab layer (mm/slab_common.c and the back-end built in), the same
 * code the kernel runs, over simulated physical memory
 * (tests/host/slab_arena.h): kmalloc's edge cases, classes, alignment,
 * ksize, krealloc.  A back-end with the common kmalloc caches
 * (SLAB_BACKEND_KMALLOC_CACHES) must put each size in its class; any
 * back-end must give at least the size asked for, aligned as Linux
 * promises.  The other slab suites: test_slab_cache.c,
 * test_slab_misuse.c, test_slab_stress.c.
 */
#include <string.h>

#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <slab.h>

#include "slab_arena.h"

#include "../common/byte_patterns.h"

static bool is_power_of_two(uint64_t value)
{
	return value && !(value & (value - 1));
}

static void test_kmalloc_zero_and_null(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
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
	KEXPECT_UGE(t, slab_ksize(&a->slab, object), 40);
	KEXPECT_PTR_EQ(t, slab_krealloc(&a->slab, object, 0, GFP_KERNEL, NULL), ZERO_SIZE_PTR);
	object = slab_krealloc(&a->slab, ZERO_SIZE_PTR, 8, GFP_KERNEL, NULL);
	KASSERT_NOT_NULL(t, object);
	KEXPECT_FALSE(t, ZERO_OR_NULL_PTR(object));
	arena_kfree(a, object);
	KEXPECT_UEQ(t, a->slab.reports, reports);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
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

/* Sizes past the largest class and the page block they must get. */
static const struct {
	size_t size;
	size_t ksize;
} large_sizes[] = {
	{ 8193, 16384 }, { 16384, 16384 }, { 16385, 32768 },
};

/* Every class's first and last size lands in it (the first just above the class below). */
static void expect_class_boundaries(struct ktest *t, struct slab_arena *a)
{
	for (size_t i = 0; i < ARRAY_SIZE(kmalloc_classes); i++) {
		size_t edges[2] = { i ? kmalloc_classes[i - 1] + 1 : 1, kmalloc_classes[i] };

		for (int e = 0; e < 2; e++) {
			void *object = arena_kmalloc(a, edges[e], GFP_KERNEL);
			struct kmem_cache *cache;

			printk("        # size %zu\n", edges[e]);
			KASSERT_NOT_NULL(t, object);
			KEXPECT_TRUE(t, in_arena(a, object));
			KEXPECT_UGE(t, slab_ksize(&a->slab, object), edges[e]);
#if SLAB_BACKEND_KMALLOC_CACHES
			cache = slab_cache_of(&a->slab, object);
			KEXPECT_UEQ(t, slab_ksize(&a->slab, object), kmalloc_classes[i]);
			KASSERT_NOT_NULL(t, cache);
			KEXPECT_PTR_EQ(t, cache, kmalloc_cache(a, kmalloc_classes[i]));
			KEXPECT_UEQ(t, cache->object_size, kmalloc_classes[i]);
#else
			(void)cache;
#endif
			arena_kfree(a, object);
		}
	}
}

static void test_class_of_each_boundary_size(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);

	expect_class_boundaries(t, a);
	for (size_t i = 0; i < ARRAY_SIZE(large_sizes); i++) {
		void *object = arena_kmalloc(a, large_sizes[i].size, GFP_KERNEL);
		struct page *page;

		printk("        # size %zu\n", large_sizes[i].size);
		KASSERT_NOT_NULL(t, object);
		KEXPECT_TRUE(t, in_arena(a, object));
		KEXPECT_UEQ(t, slab_ksize(&a->slab, object), large_sizes[i].ksize);
		KEXPECT_NULL(t, slab_cache_of(&a->slab, object));
		page = block_of(a, object);
		KASSERT_NOT_NULL(t, page);
		KEXPECT_TRUE(t, page->flags & PG_compound);
		KEXPECT_UEQ(t, (uintptr_t)object % PAGE_SIZE, 0);
		arena_kfree(a, object);
	}
	KEXPECT_UEQ(t, a->slab.reports, 0);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * Smallest power of two a kmalloc cache's objects are aligned to: the
 * largest power of two dividing its size (the size itself for powers of
 * two, 32 and 64 for 96 and 192).  A back-end that sizes kmalloc itself
 * promises only KMALLOC_MIN_ALIGN, and a power of two's own alignment.
 */
static size_t class_alignment(size_t usable)
{
	if (!SLAB_BACKEND_KMALLOC_CACHES)
		return KMALLOC_MIN_ALIGN;
	return usable & -usable;
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
		struct slab_arena *a = slab_arena_create(t, debug[d]);

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
		slab_arena_destroy(a);
	}
}

static void test_large_sizes_go_to_pages(struct ktest *t)
{
	static const size_t sizes[] = {
		8193, 12288, 12289, 16384, 65536, 65537, 1 << 20, (1 << 20) + 1, 4 << 20,
	};
	struct slab_arena *a = slab_arena_create(t, NULL);

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
	slab_arena_destroy(a);
}

static void test_kzalloc_zeroes(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);

	for (unsigned int i = 0; i < ARRAY_SIZE(kmalloc_classes); i++) {
		uint8_t *object = arena_kmalloc(a, kmalloc_classes[i], GFP_KERNEL);

		KASSERT_NOT_NULL(t, object);
		memset(object, 0x77, kmalloc_classes[i]);
		arena_kfree(a, object);
		/* The object just freed comes back first; it must be cleared. */
		object = arena_kmalloc(a, kmalloc_classes[i], GFP_KERNEL | __GFP_ZERO);
		KASSERT_NOT_NULL(t, object);
		KEXPECT_TRUE(t, all_bytes(object, kmalloc_classes[i], 0));
		arena_kfree(a, object);
	}
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* krealloc up through every class boundary into the page allocator, and back down. */
static void test_krealloc_keeps_contents(struct ktest *t)
{
	static const size_t growth[] = {
		1, 8, 9, 16, 17, 64, 65, 96, 97, 128, 129, 192, 193, 256, 257, 512, 513,
		4096, 4097, 8192, 8193, 20000, 100000,
	};
	static const size_t shrinking[] = { 50000, 8192, 8191, 200, 65, 64, 9, 1 };
	struct slab_arena *a = slab_arena_create(t, NULL);
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
	slab_arena_destroy(a);
}

KTEST_SUITE_FULL(slab_kmalloc, NULL, arena_suite_exit,
		 KTEST_CASE(test_kmalloc_zero_and_null),
		 KTEST_CASE(test_array_overflow_returns_null),
		 KTEST_CASE(test_class_of_each_boundary_size),
		 KTEST_CASE(test_every_size_alignment_and_ksize),
		 KTEST_CASE(test_large_sizes_go_to_pages),
		 KTEST_CASE(test_kzalloc_zeroes),
		 KTEST_CASE(test_krealloc_keeps_contents));
