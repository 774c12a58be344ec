// SPDX-License-Identifier: MIT
/*
 * The kernel's slab layer and kmalloc on real memory, for any back-end
 * (through <slab.h>, mm/slab.h's common part and mm/slab_backend.h): the
 * Linux edge cases, kmalloc of 1 byte to 4 MiB, krealloc across classes
 * and into the page allocator, caches with ctor, alignment and bulk calls,
 * every kind of wrong use reported and survived, red zones and poisoning
 * on debug caches, and a seeded stress after which the page allocator has
 * every page back.  SLUB's internals: test_slub.c.
 */
#include <buddy.h>
#include <gfp.h>
#include <kernel.h>
#include <kstring.h>
#include <ktest.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>
#include <slab.h>
#include <xorshift.h>

#include "../../mm/slab.h"

#include "../common/byte_patterns.h"

extern char __text_start[];

/* Free pages once every cache gave back its empty slabs and the per-CPU lists are drained. */
static uint64_t settled_free_pages(void)
{
	kmem_cache_shrink_all();
	buddy_drain_pcp(&kernel_buddy);
	return buddy_free_pages(&kernel_buddy);
}

static bool is_power_of_two(uint64_t value)
{
	return value && !(value & (value - 1));
}

/* ---- kmalloc ------------------------------------------------------------ */

static void test_kmalloc_edge_cases(struct ktest *t)
{
	uint64_t reports = kernel_slab.reports;
	uint8_t *object;

	KEXPECT_PTR_EQ(t, kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	KEXPECT_PTR_EQ(t, kzalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	KEXPECT_PTR_EQ(t, kcalloc(0, 8, GFP_KERNEL), ZERO_SIZE_PTR);
	kfree(NULL);
	kfree(ZERO_SIZE_PTR);
	kfree_sensitive(NULL);
	kfree_sensitive(ZERO_SIZE_PTR);
	KEXPECT_UEQ(t, ksize(NULL), 0);
	KEXPECT_UEQ(t, ksize(ZERO_SIZE_PTR), 0);

	KEXPECT_NULL(t, kcalloc(SIZE_MAX / 2 + 1, 2, GFP_KERNEL));
	KEXPECT_NULL(t, kcalloc(2, SIZE_MAX / 2 + 1, GFP_KERNEL));
	KEXPECT_NULL(t, kmalloc_array(SIZE_MAX, 8, GFP_KERNEL));
	KEXPECT_NULL(t, kmalloc_array(1ull << 32, 1ull << 32, GFP_KERNEL));

	object = kmalloc_array(10, 10, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	KEXPECT_UGE(t, ksize(object), 100);
	memset(object, 0xff, 100);
	kfree(object);
	object = kcalloc(10, 10, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	KEXPECT_TRUE(t, all_bytes(object, 100, 0));
	kfree(object);
	KEXPECT_UEQ(t, kernel_slab.reports, reports);
}

/*
 * Each boundary size and the usable size it gets: exactly, above
 * KMALLOC_MAX_CACHE_SIZE (the page allocator) or from the common kmalloc
 * caches; at least the size asked for from a back-end that sizes kmalloc
 * itself.
 */
static const struct {
	size_t size, ksize;
} boundaries[] = {
	{ 1, 8 },       { 8, 8 },       { 9, 16 },      { 16, 16 },     { 17, 32 },
	{ 32, 32 },     { 33, 64 },     { 64, 64 },     { 65, 96 },     { 96, 96 },
	{ 97, 128 },    { 128, 128 },   { 129, 192 },   { 192, 192 },   { 193, 256 },
	{ 256, 256 },   { 257, 512 },   { 512, 512 },   { 513, 1024 },  { 2049, 4096 },
	{ 4096, 4096 }, { 4097, 8192 }, { 8192, 8192 }, { 8193, 16384 },
};

static void test_classes_and_alignment(struct ktest *t)
{
	void *previous = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(boundaries); i++) {
		void *object = kmalloc(boundaries[i].size, GFP_KERNEL);
		struct kmem_cache *cache;

		KASSERT_NOT_NULL(t, object);
		KEXPECT_UGE(t, ksize(object), boundaries[i].size);
		cache = slab_cache_of(&kernel_slab, object);
		if (boundaries[i].size <= KMALLOC_MAX_CACHE_SIZE) {
#if SLAB_BACKEND_KMALLOC_CACHES
			KEXPECT_UEQ(t, ksize(object), boundaries[i].ksize);
			KASSERT_NOT_NULL(t, cache);
			KEXPECT_UEQ(t, cache->object_size, boundaries[i].ksize);
#endif
		} else {
			KEXPECT_UEQ(t, ksize(object), boundaries[i].ksize);
			KEXPECT_NULL(t, cache);
			KEXPECT_TRUE(t, virt_to_page(object)->flags & PG_compound);
		}
		kfree(object);
	}
	/* Every size: 8-byte aligned, a power of two aligned to itself, ksize covers it. */
	for (size_t size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size++) {
		void *object = kmalloc(size, GFP_KERNEL);

		KASSERT_NOT_NULL(t, object);
		if (ksize(object) < size || (uintptr_t)object % KMALLOC_MIN_ALIGN ||
		    (is_power_of_two(size) && (uintptr_t)object % size)) {
			printk("        # size %zu: object %p, ksize %zu\n", size, object, ksize(object));
			KASSERT_TRUE(t, false);
		}
		memset(object, 0x5a, ksize(object));
		/* Keep one object alive at a time besides this one, so indices vary. */
		kfree(previous);
		previous = object;
	}
	kfree(previous);
}

/* kmalloc of 1 byte to 4 MiB: two objects of each size, both keep their contents. */
static void test_kmalloc_1_byte_to_4_mib(struct ktest *t)
{
	uint64_t reports = kernel_slab.reports;
	unsigned int step = 0;

	for (size_t size = 1; size <= 4 * MiB; size = size < 16 ? size + 1 : size * 2 - (step % 3)) {
		uint8_t *first = kmalloc(size, GFP_KERNEL);
		uint8_t *second = kmalloc(size, GFP_KERNEL);

		step++;
		KASSERT_NOT_NULL(t, first);
		KASSERT_NOT_NULL(t, second);
		KEXPECT_UGE(t, ksize(first), size);
		KEXPECT_UEQ(t, (uintptr_t)first % KMALLOC_MIN_ALIGN, 0);
		fill(first, size, (uint8_t)step);
		fill(second, size, (uint8_t)(step + 100));
		if (!holds(first, size, (uint8_t)step) || !holds(second, size, (uint8_t)(step + 100))) {
			printk("        # size %zu: contents changed\n", size);
			KEXPECT_TRUE(t, false);
		}
		kfree(first);
		kfree(second);
	}
	{
		uint8_t *largest = kmalloc(4 * MiB, GFP_KERNEL);

		KASSERT_NOT_NULL(t, largest);
		KEXPECT_UEQ(t, ksize(largest), 4 * MiB);
		largest[0] = 1;
		largest[4 * MiB - 1] = 2;
		kfree(largest);
	}
	KEXPECT_NULL(t, kmalloc(4 * MiB + 1, GFP_KERNEL | __GFP_NOWARN));
	KEXPECT_UEQ(t, kernel_slab.reports, reports);
}

/* krealloc growing through the class boundaries into the page allocator, then shrinking. */
static void test_krealloc_across_boundaries(struct ktest *t)
{
	static const size_t growth[] = {
		1, 8, 9, 64, 65, 96, 97, 192, 193, 256, 257, 4096, 4097, 8192, 8193, 65536, 1 << 20,
	};
	static const size_t shrinking[] = { 100000, 8193, 8192, 4097, 97, 9, 1 };
	uint8_t *object = NULL;
	size_t size = 0;

	for (size_t i = 0; i < ARRAY_SIZE(growth); i++) {
		uint8_t *grown = krealloc(object, growth[i], GFP_KERNEL);

		KASSERT_NOT_NULL(t, grown);
		KEXPECT_UGE(t, ksize(grown), growth[i]);
		KEXPECT_TRUE(t, holds(grown, size, 0x44));
		object = grown;
		size = growth[i];
		fill(object, size, 0x44);
	}
	for (size_t i = 0; i < ARRAY_SIZE(shrinking); i++) {
		uint8_t *shrunk = krealloc(object, shrinking[i], GFP_KERNEL);

		KASSERT_NOT_NULL(t, shrunk);
		KEXPECT_PTR_EQ(t, shrunk, object);
		size = shrinking[i];
		KEXPECT_TRUE(t, holds(shrunk, size, 0x44));
	}
	/* A small object grown past 8 KiB moves to pages and back down keeps its bytes. */
	object = krealloc(object, 40, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	fill(object, 40, 0x55);
	object = krealloc(object, 30000, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	KEXPECT_NULL(t, slab_cache_of(&kernel_slab, object));
	KEXPECT_TRUE(t, holds(object, 40, 0x55));
	KEXPECT_PTR_EQ(t, krealloc(object, 0, GFP_KERNEL), ZERO_SIZE_PTR);
}

/*
 * kzalloc zeroes; kfree_sensitive clears the whole usable size before the
 * free: the object, free now, holds zeroes -- or on a SLAB_POISON cache
 * (slab_debug=P) the poison written over them -- but for its first word,
 * where the back-end may keep a free-list link.
 */
static void test_kzalloc_and_kfree_sensitive(struct ktest *t)
{
	uint8_t *object = kmalloc(64, GFP_KERNEL);
	struct kmem_cache *cache;
	unsigned int wrong = 0;
	bool poisoned;

	KASSERT_NOT_NULL(t, object);
	memset(object, 0xff, 64);
	kfree(object);
	object = kzalloc(64, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	KEXPECT_TRUE(t, all_bytes(object, 64, 0));

	memset(object, 0xff, 64);
	cache = slab_cache_of(&kernel_slab, object);
	poisoned = cache && (cache->flags & SLAB_POISON);
	kfree_sensitive(object);
	/* Nothing on this CPU allocates in between; the bytes are still mapped. */
	for (unsigned int i = sizeof(void *); i < 64; i++) {
		uint8_t expected = !poisoned ? 0 : i == 63 ? POISON_END : POISON_FREE;

		wrong += object[i] != expected;
	}
	KEXPECT_EQ(t, wrong, 0);

	object = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	memset(object, 0xff, 3 * PAGE_SIZE);
	kfree_sensitive(object);
	object = kzalloc(20000, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	KEXPECT_TRUE(t, all_bytes(object, 20000, 0));
	kfree(object);
}

/* ---- caches ------------------------------------------------------------- */

struct ktest_record {
	uint64_t id;
	char name[20];
	_Alignas(32) uint8_t key[32];
};

static void test_cache_api(struct ktest *t)
{
	struct kmem_cache *cache = kmem_cache_create("ktest-328", 328, 0, SLAB_HWCACHE_ALIGN, NULL);
	struct kmem_cache *records = KMEM_CACHE(ktest_record, 0);
	void *objects[32];

	KASSERT_NOT_NULL(t, cache);
	KASSERT_NOT_NULL(t, records);
	KEXPECT_EQ(t, kmem_cache_size(cache), 328);
	KEXPECT_EQ(t, kmem_cache_size(records), sizeof(struct ktest_record));
	for (int i = 0; i < 32; i++) {
		objects[i] = kmem_cache_alloc(i % 2 ? records : cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		KEXPECT_UEQ(t, (uintptr_t)objects[i] % (i % 2 ? 32 : 64), 0);
		fill(objects[i], i % 2 ? sizeof(struct ktest_record) : 328, (uint8_t)i);
	}
	for (int i = 0; i < 32; i++) {
		KEXPECT_TRUE(t, holds(objects[i], i % 2 ? sizeof(struct ktest_record) : 328, (uint8_t)i));
		kmem_cache_free(i % 2 ? records : cache, objects[i]);
	}
	objects[0] = kmem_cache_zalloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, objects[0]);
	KEXPECT_TRUE(t, all_bytes(objects[0], 328, 0));
	kmem_cache_free(cache, objects[0]);
	KEXPECT_NULL(t, slab_check(cache));
	KEXPECT_NULL(t, slab_check(records));
	KEXPECT_EQ(t, kmem_cache_shrink(cache), 0);
	kmem_cache_destroy(cache);
	kmem_cache_destroy(records);
	kmem_cache_destroy(NULL);
}

static unsigned long ctor_calls;

static void record_ctor(void *object)
{
	struct ktest_record *record = object;

	memset(record, 0, sizeof(*record));
	record->id = 0x600d;
	ctor_calls++;
}

/*
 * Every object handed out is in its constructed state if its last user
 * left it so, whether the back-end constructs objects once when their
 * slab is made (SLUB, SLAB) or on every allocation (SLOB may).
 */
static void test_ctor_state_on_every_allocation(struct ktest *t)
{
	static struct ktest_record *records[100];
	struct kmem_cache *cache = kmem_cache_create("ktest-ctor", sizeof(struct ktest_record), 0, 0,
						     record_ctor);

	KASSERT_NOT_NULL(t, cache);
	ctor_calls = 0;
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < ARRAY_SIZE(records); i++) {
			records[i] = kmem_cache_alloc(cache, GFP_KERNEL);
			KASSERT_NOT_NULL(t, records[i]);
			KASSERT_UEQ(t, records[i]->id, 0x600d);
			KASSERT_TRUE(t, all_bytes(records[i]->key, sizeof(records[i]->key), 0));
		}
		for (size_t i = 0; i < ARRAY_SIZE(records); i++)
			kmem_cache_free(cache, records[round ? ARRAY_SIZE(records) - 1 - i : i]);
		KEXPECT_NULL(t, slab_check(cache));
	}
	KEXPECT_UGE(t, ctor_calls, ARRAY_SIZE(records));
	kmem_cache_destroy(cache);
}
static void test_bulk_alloc_and_free(struct ktest *t)
{
	struct kmem_cache *cache = kmem_cache_create("ktest-bulk", 328, 0, SLAB_HWCACHE_ALIGN, NULL);
	void *objects[64];

	KASSERT_NOT_NULL(t, cache);
	KASSERT_EQ(t, kmem_cache_alloc_bulk(cache, GFP_KERNEL, 64, objects), 64);
	for (int i = 0; i < 64; i++) {
		KASSERT_NOT_NULL(t, objects[i]);
		for (int j = 0; j < i; j++)
			KASSERT_TRUE(t, objects[i] != objects[j]);
		fill(objects[i], 328, (uint8_t)i);
	}
	for (int i = 0; i < 64; i++)
		KEXPECT_TRUE(t, holds(objects[i], 328, (uint8_t)i));
	KEXPECT_NULL(t, slab_check(cache));
	kmem_cache_free_bulk(cache, 64, objects);
	KEXPECT_NULL(t, slab_check(cache));
	kmem_cache_destroy(cache);
}

/* ---- wrong use on real memory ------------------------------------------- */

/* The cache checks out and still hands out working objects. */
static void expect_still_works(struct ktest *t, struct kmem_cache *cache)
{
	void *objects[20];

	KEXPECT_NULL(t, slab_check(cache));
	for (int i = 0; i < 20; i++) {
		objects[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objects[i]);
		fill(objects[i], cache->object_size, (uint8_t)i);
	}
	for (int i = 0; i < 20; i++) {
		KEXPECT_TRUE(t, holds(objects[i], cache->object_size, (uint8_t)i));
		kmem_cache_free(cache, objects[i]);
	}
	KEXPECT_NULL(t, slab_check(cache));
}

static void test_red_zone_detection(struct ktest *t)
{
	struct kmem_cache *cache = kmem_cache_create("ktest-redzone", 100, 0, SLAB_RED_ZONE, NULL);
	uint64_t reports = kernel_slab.reports;
	uint8_t *object;

	KASSERT_NOT_NULL(t, cache);
	object = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	object[100] = 0x41;                           /* overflow by one byte */
	KEXPECT_NOT_NULL(t, slab_check(cache));
	kmem_cache_free(cache, object);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 1);
	KEXPECT_NULL(t, slab_check(cache));
	object = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	object[-1] = 0x42;                            /* underflow */
	kmem_cache_free(cache, object);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 2);
	/* A red zone double free, too. */
	kmem_cache_free(cache, object);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 3);
	KEXPECT_UEQ(t, cache->bad_frees, 1);
	expect_still_works(t, cache);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 3);
	kmem_cache_destroy(cache);
}

/*
 * SLAB_POISON: a free object holds POISON_FREE and ends in POISON_END but
 * for its first word (a back-end's free-list link may be there); a write
 * after free is found by the validator and reported when the object is
 * allocated again, once.
 */
static void test_poison_detection(struct ktest *t)
{
	static uint8_t *others[256];
	struct kmem_cache *cache = kmem_cache_create("ktest-poison", 200, 0,
						     SLAB_POISON | SLAB_STORE_USER, NULL);
	uint64_t reports = kernel_slab.reports;
	uint8_t *object, *again = NULL;
	size_t count = 0;

	KASSERT_NOT_NULL(t, cache);
	object = kmem_cache_alloc(cache, GFP_KERNEL);
	KASSERT_NOT_NULL(t, object);
	kmem_cache_free(cache, object);
	KEXPECT_TRUE(t, all_bytes(object + 8, 191, POISON_FREE));
	KEXPECT_EQ(t, object[199], POISON_END);
	object[150] = 0;                              /* write after free */
	KEXPECT_NOT_NULL(t, slab_check(cache));
	/* A back-end need not hand the object freed last out first. */
	while (count < ARRAY_SIZE(others) && again != object) {
		again = kmem_cache_alloc(cache, GFP_KERNEL);
		KASSERT_NOT_NULL(t, again);
		if (again != object)
			others[count++] = again;
	}
	KEXPECT_PTR_EQ(t, again, object);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 1);
	KEXPECT_NULL(t, slab_check(cache));
	while (count)
		kmem_cache_free(cache, others[--count]);
	kmem_cache_free(cache, again);
	expect_still_works(t, cache);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 1);
	kmem_cache_destroy(cache);
}
static void test_bad_frees_reported(struct ktest *t)
{
	struct kmem_cache *checked = kmem_cache_create("ktest-checked", 64, 0, SLAB_CONSISTENCY_CHECKS,
						       NULL);
	struct kmem_cache *other = kmem_cache_create("ktest-other", 64, 0, 0, NULL);
	uint64_t reports = kernel_slab.reports;
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	uint8_t *first, *second, *large;
	uint64_t on_stack = 0;

	KASSERT_NOT_NULL(t, checked);
	KASSERT_NOT_NULL(t, other);
	KASSERT_NOT_NULL(t, page);
	first = kmem_cache_alloc(checked, GFP_KERNEL);
	second = kmem_cache_alloc(checked, GFP_KERNEL);
	large = kmalloc(5 * PAGE_SIZE, GFP_KERNEL);
	KASSERT_NOT_NULL(t, second);
	KASSERT_NOT_NULL(t, large);

	kmem_cache_free(checked, first);
	kmem_cache_free(checked, second);
	kmem_cache_free(checked, first);              /* double free, not the latest */
	KEXPECT_UEQ(t, checked->bad_frees, 1);
	first = kmem_cache_alloc(checked, GFP_KERNEL);
	second = kmem_cache_alloc(checked, GFP_KERNEL);
	KASSERT_NOT_NULL(t, second);
	KEXPECT_PTR_NE(t, first, second);

	kmem_cache_free(other, first);                /* wrong cache */
	kmem_cache_free(checked, first + 8);          /* into the middle */
	kmem_cache_free(checked, &on_stack);          /* not from any cache */
	kmem_cache_free(checked, __text_start);
	kmem_cache_free(checked, page_address(page));
	KEXPECT_UEQ(t, other->bad_frees, 1);
	KEXPECT_UEQ(t, checked->bad_frees, 5);
	kfree(&on_stack);
	kfree(page_address(page));
	kfree(large + PAGE_SIZE);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 9);
	/* Everything wrongly freed is still there and frees normally. */
	kfree(large);
	__free_pages(page, 0);
	kmem_cache_free(checked, first);
	kmem_cache_free(checked, second);
	/* The naive double free on a cache without debugging. */
	first = kmem_cache_alloc(other, GFP_KERNEL);
	KASSERT_NOT_NULL(t, first);
	kmem_cache_free(other, first);
	kmem_cache_free(other, first);
	KEXPECT_UEQ(t, other->bad_frees, 2);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 10);
	expect_still_works(t, checked);
	expect_still_works(t, other);

	/* Destroy with a live object: reported, cache kept; destroy again once it is freed. */
	first = kmem_cache_alloc(other, GFP_KERNEL);
	KASSERT_NOT_NULL(t, first);
	kmem_cache_destroy(other);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 11);
	KEXPECT_NULL(t, slab_check(other));
	kmem_cache_free(other, first);
	kmem_cache_destroy(other);
	kmem_cache_destroy(checked);
	KEXPECT_UEQ(t, kernel_slab.reports, reports + 11);
	KEXPECT_NULL(t, buddy_check(&kernel_buddy));
}

/* ---- no leak after a stress --------------------------------------------- */

#define STRESS_OPERATIONS 20000
#define STRESS_MAX_LIVE 1500
#define STRESS_CACHES 4

struct live_object {
	uint8_t *address;
	size_t size;
	struct kmem_cache *cache;   /* NULL: kmalloc */
	uint64_t serial;            /* also in the object's first word, when it has one */
	uint8_t seed;
};

static struct live_object live[STRESS_MAX_LIVE];
static uint64_t xorshift_state;

static uint64_t random_below(uint64_t bound)
{
	return xorshift64(&xorshift_state) % bound;
}

static void stress_fill(struct live_object *object)
{
	fill(object->address, object->size, object->seed);
	if (object->size >= sizeof(uint64_t))
		memcpy(object->address, &object->serial, sizeof(uint64_t));
}

static bool stress_intact(const struct live_object *object)
{
	if (object->size < sizeof(uint64_t))
		return holds(object->address, object->size, object->seed);
	return !memcmp(object->address, &object->serial, sizeof(uint64_t)) &&
	       holds_from(object->address, sizeof(uint64_t), object->size, object->seed);
}

/*
 * Seeded random allocations and frees over kmalloc (1 byte to 24 KiB) and
 * four caches (one with every debug flag); then everything is freed, the
 * caches destroyed and every cache shrunk: the page allocator must have
 * exactly the free pages it had before.
 */
static void test_stress_leaves_no_leak(struct ktest *t)
{
	static const slab_flags_t flags[STRESS_CACHES] = {
		SLAB_HWCACHE_ALIGN, 0, SLAB_DEBUG_FLAGS, SLAB_RED_ZONE,
	};
	static const unsigned int sizes[STRESS_CACHES] = { 328, 24, 100, 1500 };
	static const char *const names[STRESS_CACHES] = {
		"ktest-stress-328", "ktest-stress-24", "ktest-stress-100-FZPU", "ktest-stress-1500-Z",
	};
	struct kmem_cache *caches[STRESS_CACHES];
	uint64_t free_before = settled_free_pages();
	uint64_t reports = kernel_slab.reports, serial = 0;
	size_t live_count = 0;

	for (int c = 0; c < STRESS_CACHES; c++) {
		caches[c] = kmem_cache_create(names[c], sizes[c], 0, flags[c], NULL);
		KASSERT_NOT_NULL(t, caches[c]);
	}
	xorshift_state = 0x853c49e6748fea9bull;
	for (int step = 0; step < STRESS_OPERATIONS; step++) {
		bool filling = (step / 4000) % 2 == 0;

		if (live_count == 0 ||
		    (live_count < STRESS_MAX_LIVE && random_below(100) < (filling ? 65u : 40u))) {
			struct live_object *object = &live[live_count];
			unsigned int which = (unsigned int)random_below(STRESS_CACHES + 2);

			object->cache = which < STRESS_CACHES ? caches[which] : NULL;
			object->size = object->cache ? object->cache->object_size
				: 1 + random_below(random_below(4) ? 1024 : 3 * KMALLOC_MAX_CACHE_SIZE);
			object->address = object->cache ? kmem_cache_alloc(object->cache, GFP_KERNEL)
				: kmalloc(object->size, GFP_KERNEL);
			KASSERT_NOT_NULL(t, object->address);
			object->serial = ++serial;
			object->seed = (uint8_t)random_below(256);
			stress_fill(object);
			live_count++;
		} else {
			size_t index = random_below(live_count);
			struct live_object *object = &live[index];

			if (!stress_intact(object)) {
				printk("        # object %p (size %zu) changed while live\n", object->address,
				       object->size);
				KASSERT_TRUE(t, false);
			}
			if (object->cache)
				kmem_cache_free(object->cache, object->address);
			else
				kfree(object->address);
			*object = live[--live_count];
		}
		if (step % 5000 == 4999)
			for (int c = 0; c < STRESS_CACHES; c++)
				KASSERT_STREQ(t, slab_check(caches[c]), NULL);
	}
	while (live_count) {
		struct live_object *object = &live[--live_count];

		KASSERT_TRUE(t, stress_intact(object));
		if (object->cache)
			kmem_cache_free(object->cache, object->address);
		else
			kfree(object->address);
	}
	for (int c = 0; c < STRESS_CACHES; c++) {
		struct slab_stats stats;

		KEXPECT_NULL(t, slab_check(caches[c]));
		slab_backend_stats(caches[c], &stats);
		KEXPECT_UEQ(t, stats.allocations, stats.frees);
		kmem_cache_destroy(caches[c]);
	}
	KEXPECT_UEQ(t, kernel_slab.reports, reports);
	KEXPECT_UEQ(t, settled_free_pages(), free_before);
	KEXPECT_NULL(t, buddy_check(&kernel_buddy));
}

/*
 * Free-pointer keys: with the CPU's random source, one key gives nothing
 * of another (no key is the xorshift step of the one before, no two are
 * equal); booted with slab_seed=, they are that stream, run after run.
 */
static void test_hardening_keys_are_independent(struct ktest *t)
{
	struct kmem_cache *first = kmem_cache_create("ktest-key-1", 40, 0, 0, NULL);
	struct kmem_cache *second = kmem_cache_create("ktest-key-2", 40, 0, 0, NULL);
	uint64_t key;
	unsigned int stream_steps = 0, repeats = 0;
	size_t classes = 0;

	while (classes < ARRAY_SIZE(kernel_slab.kmalloc_caches) && kernel_slab.kmalloc_caches[classes])
		classes++;
	KEXPECT_EQ(t, classes, SLAB_BACKEND_KMALLOC_CACHES ? KMALLOC_NR_CLASSES : 0);

	KASSERT_NOT_NULL(t, first);
	KASSERT_NOT_NULL(t, second);
	key = first->random;
	if (!kernel_slab.random_u64) {
		KEXPECT_UEQ(t, second->random, xorshift64(&key));
		kmem_cache_destroy(first);
		kmem_cache_destroy(second);
		ktest_skip(t, "booted with slab_seed=: keys are the seeded stream by request");
		return;
	}
	stream_steps += second->random == xorshift64(&key);
	repeats += second->random == first->random;
	/* The kmalloc caches, created one after the other at boot. */
	for (size_t i = 0; i + 1 < classes; i++) {
		uint64_t previous = kernel_slab.kmalloc_caches[i]->random;

		stream_steps += kernel_slab.kmalloc_caches[i + 1]->random == xorshift64(&previous);
		for (size_t j = i + 1; j < classes; j++)
			repeats += kernel_slab.kmalloc_caches[j]->random ==
				   kernel_slab.kmalloc_caches[i]->random;
	}
	KEXPECT_EQ(t, stream_steps, 0);
	KEXPECT_EQ(t, repeats, 0);
	kmem_cache_destroy(first);
	kmem_cache_destroy(second);
}

/* kfree_sensitive of a pointer kfree would refuse zeroes nothing. */
static void test_kfree_sensitive_refused_pointer(struct ktest *t)
{
	uint8_t *object = kmalloc(64, GFP_KERNEL);
	uint64_t reports = kernel_slab.reports;

	KASSERT_NOT_NULL(t, object);
	memset(object, 0x5c, 64);
	kfree_sensitive(object + 8);
	KEXPECT_UGT(t, kernel_slab.reports, reports);
	KEXPECT_TRUE(t, all_bytes(object, 64, 0x5c));
	kfree(object);
}

KTEST_SUITE(slab,
	    KTEST_CASE(test_kmalloc_edge_cases),
	    KTEST_CASE(test_classes_and_alignment),
	    KTEST_CASE(test_kmalloc_1_byte_to_4_mib),
	    KTEST_CASE(test_krealloc_across_boundaries),
	    KTEST_CASE(test_kzalloc_and_kfree_sensitive),
	    KTEST_CASE(test_cache_api),
	    KTEST_CASE(test_ctor_state_on_every_allocation),
	    KTEST_CASE(test_bulk_alloc_and_free),
	    KTEST_CASE(test_red_zone_detection),
	    KTEST_CASE(test_poison_detection),
	    KTEST_CASE(test_bad_frees_reported),
	    KTEST_CASE(test_kfree_sensitive_refused_pointer),
	    KTEST_CASE(test_hardening_keys_are_independent),
	    KTEST_CASE(test_stress_leaves_no_leak));
