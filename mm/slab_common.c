// SPDX-License-Identifier: MIT
/*
 * What every slab back-end shares: creating and destroying caches,
 * kmalloc's size classes and its large-object path, slab_debug=, and
 * slabinfo.  The Linux-named API (include/slab.h) wraps the kernel's
 * instance, kernel_slab.
 *
 * kmalloc classes: 8 16 32 64 96 128 192 256 512 1024 2048 4096 8192
 * (make KMALLOC_CLASSES=fine: four per power of two above 128, mm/slab.h).
 * A request goes to the smallest class that holds it (96 and 192 catch
 * the sizes just above 64 and 128, which power-of-two classes would waste
 * a third of).  Classes are aligned to their size when it is a power of
 * two; 96 and 192 to 32 and 64.  Above 8192 bytes, kmalloc returns
 * compound pages from the page allocator.
 *
 * Locking: the allocator's lock guards its cache list; every walk of the
 * list holds it.  Lock order: the allocator's lock, then a cache's lock
 * (mm/slub.c), then the page allocator's zone lock.  The allocator's lock
 * is taken with interrupts on (never from an interrupt handler): a walk
 * shrinks caches or reads their statistics, which waits for a cross call
 * to every CPU, and a CPU spinning for the lock must still take that call.
 */
#include <cmdline.h>
#include <kernel.h>
#include <kstring.h>
#include <printk.h>
#include <symbols.h>
#include <xorshift.h>

#include "slab.h"

struct slab_allocator kernel_slab;

/* The back-end built in, for the boot log and for gdb (scripts/gdb/ferrite/slabs.py). */
const char slab_backend_name[] = SLAB_BACKEND_NAME;

const unsigned int kmalloc_sizes[KMALLOC_NR_CLASSES] = {
#if CONFIG_KMALLOC_FINE_CLASSES
	8, 16, 32, 64, 96, 128,
	160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024,
	1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
#else
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
#endif
};

/*
 * kmalloc_index()'s table: the class of sizes 8 * i + 1 .. 8 * i + 8 at
 * [i].  Linux's classes: 1..192 in steps of 8 (96 and 192 included), then
 * powers of two, so (size - 1) / 8 of 257..512 is 32..63, kmalloc-512's
 * class 8.  Fine classes: a quarter of each power of two above 128, so
 * 129..160 is 16..19, kmalloc-160's class 6.
 */
const uint8_t kmalloc_size_index[KMALLOC_MAX_CACHE_SIZE / 8] = {
	[0] = 0,		/* 1..8 */
	[1] = 1,		/* 9..16 */
	[2 ... 3] = 2,		/* 17..32 */
	[4 ... 7] = 3,		/* 33..64 */
	[8 ... 11] = 4,		/* 65..96 */
	[12 ... 15] = 5,	/* 97..128 */
#if CONFIG_KMALLOC_FINE_CLASSES
	[16 ... 19] = 6,	/* 129..160 */
	[20 ... 23] = 7,	/* 161..192 */
	[24 ... 27] = 8,	/* 193..224 */
	[28 ... 31] = 9,	/* 225..256 */
	[32 ... 39] = 10,	/* 257..320 */
	[40 ... 47] = 11,	/* 321..384 */
	[48 ... 55] = 12,	/* 385..448 */
	[56 ... 63] = 13,	/* 449..512 */
	[64 ... 79] = 14,	/* 513..640 */
	[80 ... 95] = 15,	/* 641..768 */
	[96 ... 111] = 16,	/* 769..896 */
	[112 ... 127] = 17,	/* 897..1024 */
	[128 ... 159] = 18,	/* 1025..1280 */
	[160 ... 191] = 19,	/* 1281..1536 */
	[192 ... 223] = 20,	/* 1537..1792 */
	[224 ... 255] = 21,	/* 1793..2048 */
	[256 ... 319] = 22,	/* 2049..2560 */
	[320 ... 383] = 23,	/* 2561..3072 */
	[384 ... 447] = 24,	/* 3073..3584 */
	[448 ... 511] = 25,	/* 3585..4096 */
	[512 ... 639] = 26,	/* 4097..5120 */
	[640 ... 767] = 27,	/* 5121..6144 */
	[768 ... 895] = 28,	/* 6145..7168 */
	[896 ... 1023] = 29,	/* 7169..8192 */
#else
	[16 ... 23] = 6,	/* 129..192 */
	[24 ... 31] = 7,	/* 193..256 */
	[32 ... 63] = 8,	/* 257..512 */
	[64 ... 127] = 9,	/* 513..1024 */
	[128 ... 255] = 10,	/* 1025..2048 */
	[256 ... 511] = 11,	/* 2049..4096 */
	[512 ... 1023] = 12,	/* 4097..8192 */
#endif
};
_Static_assert(KMALLOC_MAX_CACHE_SIZE == 8192, "kmalloc_size_index lists the classes up to 8192");

/* A new cache's free-pointer key. */
static uint64_t next_random(struct slab_allocator *a)
{
	return a->random_u64 ? a->random_u64() : xorshift64(&a->random_state);
}

static void copy_name(char *dst, const char *name)
{
	size_t i = 0;

	for (; name && name[i] && i < SLAB_NAME_LENGTH - 1; i++)
		dst[i] = name[i];
	dst[i] = '\0';
}

/* Set up @cache in place (used for the static cache of caches too). */
static bool cache_setup(struct slab_allocator *a, struct kmem_cache *cache, const char *name,
			unsigned int size, unsigned int align, slab_flags_t flags,
			void (*ctor)(void *object))
{
	memset(cache, 0, sizeof(*cache));
	copy_name(cache->name, name);
	if (!a->forced_debug_glob || glob_match(a->forced_debug_glob, cache->name))
		flags |= a->forced_debug;
	if (ctor)
		flags &= ~SLAB_POISON; /* a constructed object must keep its state while free */
	cache->flags = flags;
	cache->object_size = size;
	cache->align = align;
	cache->ctor = ctor;
	cache->random = next_random(a);
	cache->allocator = a;
	return slab_backend_create(cache) == 0;
}

void slab_allocator_init(struct slab_allocator *a, struct buddy *buddy, uint64_t seed,
			 uint64_t (*random_u64)(void))
{
	slab_flags_t forced = a->forced_debug;
	const char *forced_glob = a->forced_debug_glob;

	memset(a, 0, sizeof(*a));
	a->forced_debug = forced;
	a->forced_debug_glob = forced_glob;
	a->buddy = buddy;
	spin_lock_init(&a->lock, "slab_allocator->lock");
	/* Shrink, statistics and checks walk the caches under it and flush every CPU's slab. */
	spin_lock_allow_cross_calls(&a->lock);
	a->random_u64 = random_u64;
	a->random_state = seed | 1;
	INIT_LIST_HEAD(&a->caches);
	slab_backend_init(a);
	cache_setup(a, &a->cache_cache, "kmem_cache", sizeof(struct kmem_cache), 0, SLAB_HWCACHE_ALIGN,
		    NULL);
	list_add_tail(&a->cache_cache.list, &a->caches);
	for (unsigned int i = 0; SLAB_BACKEND_KMALLOC_CACHES && i < KMALLOC_NR_CLASSES; i++) {
		char name[SLAB_NAME_LENGTH];
		unsigned int size = kmalloc_sizes[i];
		/* The largest power of two dividing the size: the size itself for powers of two. */
		unsigned int align = size & -size;

		snprintf(name, sizeof(name), "kmalloc-%u", size);
		a->kmalloc_caches[i] = slab_cache_create(a, name, size, align, 0, NULL);
	}
}

struct kmem_cache *slab_cache_create(struct slab_allocator *a, const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *object))
{
	struct kmem_cache *cache;

	/* Objects and alignments up to the largest slab (32 KiB); align a power of two. */
	if (size == 0 || size > KMALLOC_MAX_CACHE_SIZE * 4 || (align & (align - 1)) ||
	    align > KMALLOC_MAX_CACHE_SIZE * 4)
		goto fail;
	cache = slab_backend_alloc(&a->cache_cache, GFP_KERNEL, __builtin_return_address(0));
	if (!cache)
		goto fail;
	if (!cache_setup(a, cache, name, size, align, flags, ctor)) {
		slab_backend_free(&a->cache_cache, cache, NULL);
		goto fail;
	}
	spin_lock(&a->lock);
	list_add_tail(&cache->list, &a->caches);
	spin_unlock(&a->lock);
	return cache;
fail:
	if (flags & SLAB_PANIC)
		panic("kmem_cache_create: cannot create cache %s (size %u, align %u)", name, size, align);
	pr_err("kmem_cache_create: cannot create cache %s (size %u, align %u)\n", name, size, align);
	return NULL;
}

bool slab_cache_destroy(struct slab_allocator *a, struct kmem_cache *cache)
{
	unsigned long in_use;

	if (!cache)
		return true;
	in_use = slab_backend_destroy(cache);
	if (in_use) {
		pr_err("kmem_cache_destroy %s: %lu objects still in use; the cache is kept\n", cache->name,
		       in_use);
		__atomic_fetch_add(&a->reports, 1, __ATOMIC_RELAXED);
		return false;
	}
	spin_lock(&a->lock);
	list_del_init(&cache->list);
	spin_unlock(&a->lock);
	slab_backend_free(&a->cache_cache, cache, NULL);
	return true;
}

/* Sizes above the largest class: compound pages, order from the size. */
static __attribute__((noinline)) void *kmalloc_large(struct slab_allocator *a, size_t size, gfp_t gfp, void *caller)
{
	unsigned int order = 0;
	struct page *page;

	while ((PAGE_SIZE << order) < size)
		if (++order > MAX_ORDER)
			return NULL;
	page = buddy_alloc(a->buddy, gfp | __GFP_COMP, order, caller);
	return page ? buddy_page_address(a->buddy, page) : NULL;
}

static inline __attribute__((always_inline)) void *kmalloc_common(struct slab_allocator *a,
								    size_t size, gfp_t gfp,
								    void *caller)
{
	/* One comparison for both: 0 wraps to the largest size_t. */
	if (unlikely(size - 1 >= KMALLOC_MAX_CACHE_SIZE))
		return size ? kmalloc_large(a, size, gfp, caller) : ZERO_SIZE_PTR;
	return slab_backend_kmalloc_inline(a, size, gfp, caller);
}

void *slab_kmalloc(struct slab_allocator *a, size_t size, gfp_t gfp, void *caller)
{
	return kmalloc_common(a, size, gfp, caller);
}

static struct page *page_of(struct slab_allocator *a, const void *object)
{
	return buddy_virt_to_head_page(a->buddy, object);
}

struct kmem_cache *slab_cache_of(struct slab_allocator *a, const void *object)
{
	struct page *page = page_of(a, object);

	return page && (page->flags & PG_slab) ? slab_backend_cache_of(a, page, object) : NULL;
}

/*
 * kfree of NULL or ZERO_SIZE_PTR (nothing to do), of an object outside
 * the memmap's backed prefix or in a tail page of a slab, of a large
 * kmalloc block, or a wrong free (reported).
 */
static __attribute__((noinline)) void kfree_slow(struct slab_allocator *a, const void *object,
						 void *caller)
{
	struct page *page;

	if (ZERO_OR_NULL_PTR(object))
		return;
	page = page_of(a, object);

	if (page && (page->flags & PG_slab)) {
		slab_backend_kfree(a, page, (void *)object, caller);
		return;
	}
	if (page && (page->flags & PG_compound) &&
	    buddy_page_address(a->buddy, page) == object) {
		buddy_free(a->buddy, page, (unsigned int)page->private, caller);
		return;
	}
	__atomic_fetch_add(&a->reports, 1, __ATOMIC_RELAXED);
	pr_err("kfree: %p was not allocated by kmalloc (called from %p)\n", object, caller);
}

static inline __attribute__((always_inline)) void kfree_common(struct slab_allocator *a,
								 const void *object, void *caller)
{
	struct page *page;

	/*
	 * The first page of a slab (PG_slab is only ever there): the
	 * back-end's fast path.  Anything else -- NULL and ZERO_SIZE_PTR
	 * too, never in the prefix -- is sorted out by kfree_slow().
	 */
	if (likely(buddy_virt_in_prefix(a->buddy, object, &page) && (page->flags & PG_slab))) {
		slab_backend_kfree_inline(a, page, (void *)object, caller);
		return;
	}
	kfree_slow(a, object, caller);
}

void slab_kfree(struct slab_allocator *a, const void *object, void *caller)
{
	kfree_common(a, object, caller);
}

/* Return: the usable size, or 0 if @object is not the start of a live-looking allocation. */
size_t slab_ksize(struct slab_allocator *a, const void *object)
{
	struct page *page;

	if (ZERO_OR_NULL_PTR(object))
		return 0;
	page = page_of(a, object);
	if (page && (page->flags & PG_slab)) {
		struct kmem_cache *cache = slab_backend_cache_of(a, page, object);

		return cache ? slab_backend_ksize(cache, object) : 0;
	}
	if (page && (page->flags & PG_compound) && buddy_page_address(a->buddy, page) == object)
		return PAGE_SIZE << page->private;
	return 0;
}

void *slab_krealloc(struct slab_allocator *a, const void *object, size_t new_size, gfp_t gfp,
		    void *caller)
{
	size_t old_size;
	void *fresh;

	if (unlikely(!new_size)) {
		slab_kfree(a, object, caller);
		return ZERO_SIZE_PTR;
	}
	old_size = slab_ksize(a, object);
	if (object && !ZERO_OR_NULL_PTR(object) && new_size <= old_size) {
		/* Fits: keep it; zero what a __GFP_ZERO caller may rely on. */
		if (gfp & __GFP_ZERO)
			memset((uint8_t *)object + new_size, 0, old_size - new_size);
		return (void *)object;
	}
	fresh = slab_kmalloc(a, new_size, gfp, caller);
	if (!fresh)
		return NULL;
	if (!ZERO_OR_NULL_PTR(object)) {
		memcpy(fresh, object, MIN(old_size, new_size));
		slab_kfree(a, object, caller);
	}
	return fresh;
}

/* ---- reports of wrong use ---------------------------------------------------- */

const char *slab_caller_name(void *caller, char *buf, size_t size)
{
	return caller ? symbol_format((uint64_t)caller, buf, size) : "?";
}

void slab_report(struct kmem_cache *cache, const void *object, void *caller, const char *problem)
{
	char symbol[96];

	__atomic_fetch_add(&cache->allocator->reports, 1, __ATOMIC_RELAXED);
	pr_err("slab: %s: cache %s, object %p (called from %s)\n", problem, cache->name, object,
	       slab_caller_name(caller, symbol, sizeof(symbol)));
}

static void count_bad_free(struct kmem_cache *cache)
{
	__atomic_fetch_add(&cache->bad_frees, 1, __ATOMIC_RELAXED);
}

void slab_report_invalid_free(struct kmem_cache *cache, struct page *slab, const void *object,
			      void *caller)
{
	struct kmem_cache *owner = slab && (slab->flags & PG_slab)
					   ? slab_backend_cache_of(cache->allocator, slab, object)
					   : NULL;

	count_bad_free(cache);
	if (!slab || !(slab->flags & PG_slab))
		slab_report(cache, object, caller, "free of a pointer no cache handed out");
	else if (owner && owner != cache)
		slab_report(cache, object, caller, "free into the wrong cache");
	else
		slab_report(cache, object, caller, "free of a pointer into the middle of an object");
	if (owner && owner != cache)
		pr_err("slab:   the object belongs to cache %s\n", owner->name);
}

void slab_report_double_free(struct kmem_cache *cache, const void *object, void *caller)
{
	count_bad_free(cache);
	slab_report(cache, object, caller, "double free");
}

void slab_report_destroyed_cache_free(struct kmem_cache *cache, const void *object, void *caller)
{
	count_bad_free(cache);
	slab_report(cache, object, caller, "free into a cache being destroyed");
}

/* ---- slab_debug= and slabinfo ----------------------------------------------- */

bool slab_parse_debug(struct slab_allocator *a, const char *value)
{
	slab_flags_t flags = 0;
	const char *p = value;

	if (!*p || *p == ',') {
		flags = SLAB_DEBUG_FLAGS; /* slab_debug alone: everything, as Linux's slub_debug */
	} else if (*p == '-') {
		flags = 0;
		p++;
	}
	for (; *p && *p != ','; p++) {
		switch (*p) {
		case 'F': case 'f': flags |= SLAB_CONSISTENCY_CHECKS; break;
		case 'Z': case 'z': flags |= SLAB_RED_ZONE; break;
		case 'P': case 'p': flags |= SLAB_POISON; break;
		case 'U': case 'u': flags |= SLAB_STORE_USER; break;
		default: return false;
		}
	}
	a->forced_debug = flags;
	a->forced_debug_glob = *p == ',' ? p + 1 : NULL;
	return true;
}

static void print_waste(unsigned long per_mille, char *buf, size_t size)
{
	snprintf(buf, size, "%lu.%lu%%", per_mille / 10, per_mille % 10);
}

void slab_print_info(struct slab_allocator *a)
{
	struct list_head *node;

	pr_info("slabinfo: name                 active  total objsize stride per-slab order slabs "
		"waste\n");
	spin_lock(&a->lock);
	list_for_each(node, &a->caches) {
		struct kmem_cache *cache = list_entry(node, struct kmem_cache, list);
		struct slab_stats stats;
		uint64_t slab_size;
		char waste[16];

		slab_backend_stats(cache, &stats);
		slab_size = PAGE_SIZE << stats.order;
		/* Layout waste: the part of each slab not holding requested bytes. */
		print_waste((unsigned long)((slab_size -
					     MIN((uint64_t)cache->object_size * stats.objects_per_slab,
						 slab_size)) * 1000 / slab_size),
			    waste, sizeof(waste));
		pr_info("slabinfo: %-20s %6lu %6lu %7u %6u %8u %5u %5lu %5s%s\n", cache->name,
			stats.objects_in_use, stats.objects_total, cache->object_size, stats.stride,
			stats.objects_per_slab, stats.order, stats.slabs, waste,
			(cache->flags & SLAB_DEBUG_FLAGS) ? " debug" : "");
	}
	spin_unlock(&a->lock);
}

/* ---- the Linux-named API over the kernel's instance ------------------------ */

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *object))
{
	return slab_cache_create(&kernel_slab, name, size, align, flags, ctor);
}

void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp)
{
	return slab_backend_alloc_inline(cache, gfp, __builtin_return_address(0));
}

void *kmem_cache_zalloc(struct kmem_cache *cache, gfp_t gfp)
{
	return slab_backend_alloc(cache, gfp | __GFP_ZERO, __builtin_return_address(0));
}

void kmem_cache_free(struct kmem_cache *cache, void *object)
{
	slab_backend_free_inline(cache, object, __builtin_return_address(0));
}

void kmem_cache_destroy(struct kmem_cache *cache)
{
	slab_cache_destroy(&kernel_slab, cache);
}

int kmem_cache_shrink(struct kmem_cache *cache)
{
	slab_backend_shrink(cache);
	return 0;
}

unsigned int kmem_cache_size(struct kmem_cache *cache)
{
	return cache->object_size;
}

int kmem_cache_alloc_bulk(struct kmem_cache *cache, gfp_t gfp, size_t count, void **objects)
{
	return slab_backend_alloc_bulk(cache, gfp, count, objects, __builtin_return_address(0));
}

void kmem_cache_free_bulk(struct kmem_cache *cache, size_t count, void **objects)
{
	slab_backend_free_bulk(cache, count, objects, __builtin_return_address(0));
}

void *kmalloc(size_t size, gfp_t gfp)
{
	return kmalloc_common(&kernel_slab, size, gfp, __builtin_return_address(0));
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return slab_kmalloc(&kernel_slab, size, gfp | __GFP_ZERO, __builtin_return_address(0));
}

void *kmalloc_array(size_t count, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(count, size, &bytes))
		return NULL;
	return slab_kmalloc(&kernel_slab, bytes, gfp, __builtin_return_address(0));
}

void *kcalloc(size_t count, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(count, size, &bytes))
		return NULL;
	return slab_kmalloc(&kernel_slab, bytes, gfp | __GFP_ZERO, __builtin_return_address(0));
}

void *krealloc(const void *object, size_t new_size, gfp_t gfp)
{
	return slab_krealloc(&kernel_slab, object, new_size, gfp, __builtin_return_address(0));
}

void kfree(const void *object)
{
	kfree_common(&kernel_slab, object, __builtin_return_address(0));
}

void kfree_sensitive(const void *object)
{
	/* 0 for anything kfree will refuse: nothing is zeroed that is not the caller's. */
	size_t size = slab_ksize(&kernel_slab, object);

	if (size)
		memset((void *)object, 0, size);
	slab_kfree(&kernel_slab, object, __builtin_return_address(0));
}

size_t ksize(const void *object)
{
	return slab_ksize(&kernel_slab, object);
}

void slabinfo_print(void)
{
	slab_print_info(&kernel_slab);
}

void slab_memory_print(void)
{
	uint64_t held = 0, active = 0, waste = 0;
	struct list_head *node;

	pr_info("slabmem: back-end %s\n", slab_backend_name);
	pr_info("slabmem: cache                 objsize  active   total  slabs   bytes_held "
		"bytes_active        waste\n");
	spin_lock(&kernel_slab.lock);
	list_for_each(node, &kernel_slab.caches) {
		struct kmem_cache *cache = list_entry(node, struct kmem_cache, list);
		struct slab_stats stats;
		uint64_t in_objects, cache_waste;

		slab_backend_stats(cache, &stats);
		in_objects = stats.bytes_in_objects ? stats.bytes_in_objects
			: (uint64_t)stats.objects_in_use * cache->object_size;
		cache_waste = stats.bytes_used - MIN(in_objects, stats.bytes_used);
		pr_info("slabmem: %-20s %8u %7lu %7lu %6lu %12llu %12llu %12llu\n", cache->name,
			cache->object_size, stats.objects_in_use, stats.objects_total, stats.slabs,
			(unsigned long long)stats.bytes_used, (unsigned long long)in_objects,
			(unsigned long long)cache_waste);
		held += stats.bytes_used;
		active += in_objects;
		waste += cache_waste;
	}
	spin_unlock(&kernel_slab.lock);
	pr_info("slabmem: %-20s %8s %7s %7s %6s %12llu %12llu %12llu\n", "total", "-", "-", "-", "-",
		(unsigned long long)held, (unsigned long long)active, (unsigned long long)waste);
}

const char *slab_check(struct kmem_cache *cache)
{
	return slab_backend_check(cache);
}

void kmem_cache_shrink_all(void)
{
	struct list_head *node;

	spin_lock(&kernel_slab.lock);
	list_for_each(node, &kernel_slab.caches)
		slab_backend_shrink(list_entry(node, struct kmem_cache, list));
	spin_unlock(&kernel_slab.lock);
}

void slab_usage(struct slab_usage *usage)
{
	struct list_head *node;
	uint64_t bytes = 0;

	*usage = (struct slab_usage){ 0 };
	spin_lock(&kernel_slab.lock);
	list_for_each(node, &kernel_slab.caches) {
		struct kmem_cache *cache = list_entry(node, struct kmem_cache, list);
		struct slab_stats stats;

		slab_backend_stats(cache, &stats);
		/* Summed before dividing: a back-end may share pages between caches (SLOB). */
		bytes += stats.bytes_used;
		usage->object_bytes += stats.bytes_in_objects ? stats.bytes_in_objects :
					(uint64_t)cache->object_size * stats.objects_in_use;
		usage->empty_pages += (uint64_t)stats.empty << stats.order;
	}
	spin_unlock(&kernel_slab.lock);
	usage->pages = bytes / PAGE_SIZE;
}

uint64_t slab_pages(void)
{
	struct slab_usage usage;

	slab_usage(&usage);
	return usage.pages;
}

void slab_tick(unsigned int cpu)
{
#ifdef SLAB_BACKEND_TICK
	if (__atomic_load_n(&kernel_slab.buddy, __ATOMIC_ACQUIRE))
		slab_backend_tick(&kernel_slab, cpu);
#else
	(void)cpu;
#endif
}

struct kmem_cache *slab_cache_find(struct slab_allocator *a, const char *name)
{
	struct list_head *node;

	list_for_each(node, &a->caches) {
		struct kmem_cache *cache = list_entry(node, struct kmem_cache, list);

		if (strcmp(cache->name, name) == 0)
			return cache;
	}
	return NULL;
}

void slab_print_proc_slabinfo(struct slab_allocator *a)
{
	struct list_head *node;

	pr_info("slabinfo - version: 2.1\n");
	pr_info("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> "
		": tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> "
		"<num_slabs> <sharedavail>\n");
	spin_lock(&a->lock);
	list_for_each(node, &a->caches) {
		struct kmem_cache *cache = list_entry(node, struct kmem_cache, list);
		struct slab_stats stats;

		slab_backend_stats(cache, &stats);
		pr_info("%-17s %6lu %6lu %6u %4u %4u : tunables %4u %4u %4u : slabdata %6lu %6lu %6u\n",
			cache->name, stats.objects_in_use, stats.objects_total, stats.stride,
			stats.objects_per_slab, 1u << stats.order, 0u, 0u, 0u, stats.slabs - stats.empty,
			stats.slabs, 0u);
	}
	spin_unlock(&a->lock);
}
