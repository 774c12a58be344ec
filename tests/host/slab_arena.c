// SPDX-License-Identifier: MIT
/* What the slab layer's host suites share (contract in slab_arena.h). */
#include <buddy.h>
#include <kernel.h>
#include <printk.h>

#include "slab_arena.h"

const unsigned int kmalloc_classes[KMALLOC_CLASS_COUNT] = {
#if CONFIG_KMALLOC_FINE_CLASSES
	8, 16, 32, 64, 96, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024,
	1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
#else
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
#endif
};

static void shrink_all(struct slab_arena *a)
{
	struct kmem_cache *cache;

	for_each_cache(cache, a)
		slab_backend_shrink(cache);
}

uint64_t settled_free_pages(struct slab_arena *a)
{
	shrink_all(a);
	buddy_drain_pcp(&a->mem.buddy);
	return buddy_free_pages(&a->mem.buddy);
}

struct slab_arena *slab_arena_create(struct ktest *t, const char *debug)
{
	struct slab_arena *a = arena_create_embedded(t, sizeof(*a), 0, ARENA_FRAMES, false);

	KASSERT_UEQ(t, buddy_add_range(&a->mem.buddy, 0, ARENA_FRAMES), ARENA_FRAMES);
	buddy_setup_watermarks(&a->mem.buddy);
	if (debug)
		KASSERT_TRUE(t, slab_parse_debug(&a->slab, debug));
	slab_allocator_init(&a->slab, &a->mem.buddy, ARENA_SEED, NULL);
	for (unsigned int i = 0; i < ARRAY_SIZE(kmalloc_classes); i++)
		KASSERT_TRUE(t, !a->slab.kmalloc_caches[i] == !SLAB_BACKEND_KMALLOC_CACHES);
	a->free_at_start = settled_free_pages(a);
	return a;
}

struct page *block_of(struct slab_arena *a, const void *address)
{
	uint64_t pfn = ((uintptr_t)address - (uintptr_t)a->mem.memory) >> PAGE_SHIFT;
	struct page *page = buddy_pfn_to_page(&a->mem.buddy, pfn);

	return page ? compound_head(page) : NULL;
}

bool in_arena(struct slab_arena *a, const void *address)
{
	return (uintptr_t)address >= (uintptr_t)a->mem.memory &&
	       (uintptr_t)address < (uintptr_t)a->mem.memory + ARENA_BYTES;
}

void check_all(struct ktest *t, struct slab_arena *a)
{
	struct kmem_cache *cache;

	for_each_cache(cache, a) {
		const char *broken = slab_check(cache);

		if (broken)
			printk("        # cache %s:\n", cache->name);
		KASSERT_STREQ(t, broken, NULL);
	}
	KASSERT_STREQ(t, buddy_check(&a->mem.buddy), NULL);
}

void expect_all_returned(struct ktest *t, struct slab_arena *a)
{
	check_all(t, a);
	KEXPECT_UEQ(t, settled_free_pages(a), a->free_at_start);
}

void *arena_kmalloc(struct slab_arena *a, size_t size, gfp_t gfp)
{
	return slab_kmalloc(&a->slab, size, gfp, __builtin_return_address(0));
}

void arena_kfree(struct slab_arena *a, const void *object)
{
	slab_kfree(&a->slab, object, __builtin_return_address(0));
}

struct kmem_cache *make_cache(struct ktest *t, struct slab_arena *a, const char *name,
			      unsigned int size, unsigned int align, slab_flags_t flags,
			      void (*ctor)(void *object))
{
	struct kmem_cache *cache = slab_cache_create(&a->slab, name, size, align, flags, ctor);

	KASSERT_NOT_NULL(t, cache);
	return cache;
}

struct slab_stats stats_of(struct kmem_cache *cache)
{
	struct slab_stats stats;

	slab_backend_stats(cache, &stats);
	return stats;
}

struct kmem_cache *kmalloc_cache(struct slab_arena *a, unsigned int size)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(kmalloc_classes); i++)
		if (kmalloc_classes[i] == size)
			return a->slab.kmalloc_caches[i];
	return NULL;
}
