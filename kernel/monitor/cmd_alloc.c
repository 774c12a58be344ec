// SPDX-License-Identifier: MIT
/*
 * The monitor's allocation commands: they call the real allocators and
 * remember what they handed out (held.c), so a typed address is freed only
 * if this monitor allocated it with the matching call.
 *
 * --force passes an address the monitor did not hand out to the allocator
 * anyway, to show its own wrong-use report -- but only when the allocator
 * is certain to refuse it.  A typed address that names someone else's live
 * allocation (or a double free the allocator could not detect) is refused
 * even then: freeing it would corrupt the kernel, not teach anything.
 */
#include <asm/memlayout.h>
#include <kernel.h>
#include <kstring.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>
#include <slab.h>
#include <vmalloc.h>
#include <vmap_area.h>

#include "../../mm/slab.h"
#include "commands.h"
#include "held.h"

#define MAX_MONITOR_CACHES 8
#define KMALLOC_LIMIT (PAGE_SIZE << MAX_ORDER)  /* the largest kmalloc: one MAX_ORDER block */
#define VMALLOC_LIMIT (1ull << 30)

static struct held_list held;
static struct kmem_cache *monitor_caches[MAX_MONITOR_CACHES];

static const char *const force_note = "--force passes it to the allocator anyway";

/* Split a leading "--force" off the arguments. */
static bool take_force(int *argc, char ***argv)
{
	if (*argc > 0 && strcmp((*argv)[0], "--force") == 0) {
		(*argc)--;
		(*argv)++;
		return true;
	}
	return false;
}

static bool parse_gfp_argument(const char *command, int argc, char **argv, int index, gfp_t *gfp)
{
	*gfp = GFP_KERNEL;
	if (argc <= index)
		return true;
	if (!parse_gfp(argv[index], gfp)) {
		monitor_refuse(command, "'%s' is not a GFP flag combination (e.g. GFP_KERNEL|__GFP_ZERO)",
			       argv[index]);
		return false;
	}
	if (*gfp & __GFP_NOFAIL) {
		/* With no reclaim, a __GFP_NOFAIL request that cannot be met panics (see gfp.h). */
		monitor_refuse(command, "__GFP_NOFAIL is refused here: when memory runs out it panics");
		return false;
	}
	return true;
}

/* Remember @address, or give it back with @undo if the list is full. Return: false if full. */
static bool remember(const char *command, enum held_kind kind, uint64_t address, uint64_t size,
		     const void *cache, void (*undo)(uint64_t address, uint64_t size, const void *cache))
{
	if (held_add(&held, kind, address, size, cache))
		return true;
	undo(address, size, cache);
	monitor_refuse(command, "the monitor holds %u allocations already; free some first (held)",
		       HELD_MAX);
	return false;
}

/* Explain why @address is not freed by @command, naming the call that holds it if any. */
static void refuse_unknown(const char *command, uint64_t address, bool force_allowed)
{
	struct held_entry *other = held_find(&held, -1, address);

	if (other)
		monitor_refuse(command, "%#llx was handed out by %s; free it with the matching command",
			       (unsigned long long)address, held_kind_name(other->kind));
	else
		monitor_refuse(command, "%#llx was not handed out by this monitor (see held)%s%s",
			       (unsigned long long)address, force_allowed ? "; " : "",
			       force_allowed ? force_note : "");
}

/* ---- kmalloc / kfree ------------------------------------------------------ */

static void undo_kmalloc(uint64_t address, uint64_t size, const void *cache)
{
	kfree((void *)address);
}

COMMAND(kmalloc)
{
	uint64_t size;
	gfp_t gfp;
	void *object;
	struct kmem_cache *cache;
	char flags[96];

	if (!monitor_number("kmalloc", "SIZE", argv[0], 1, KMALLOC_LIMIT, &size) ||
	    !parse_gfp_argument("kmalloc", argc, argv, 1, &gfp))
		return;
	object = kmalloc(size, gfp);
	format_gfp(gfp, flags, sizeof(flags));
	if (!object) {
		monitor_refuse("kmalloc", "kmalloc(%llu, %s) failed: out of memory", (unsigned long long)size,
			       flags);
		return;
	}
	if (!remember("kmalloc", HELD_KMALLOC, (uint64_t)object, size, NULL, undo_kmalloc))
		return;
	cache = slab_cache_of(&kernel_slab, object);
	pr_info("kmalloc(%llu, %s) = %p (%s, %zu usable bytes)\n", (unsigned long long)size, flags,
		object, cache ? cache->name : "pages", ksize(object));
}

/* May kfree(@address) be forced: will the allocator surely refuse it? */
static bool kfree_force_is_safe(uint64_t address, const char **why)
{
	struct page *page = buddy_virt_to_head_page(&kernel_buddy, (void *)address);

	*why = NULL;
	if (ZERO_OR_NULL_PTR((void *)address) || !page)
		return true;
	if (page->flags & PG_slab) {
		if (slab_backend_free_is_refused(page->slab_cache, (void *)address))
			return true;
		*why = slab_backend_object_is_free(page->slab_cache, page, (void *)address)
			? "is a free object whose double free this cache cannot detect (no F or Z "
			  "debug flag): it would corrupt the freelist"
			: "is a live object the kernel holds";
		return false;
	}
	if ((page->flags & PG_compound) && (page->flags & PG_head) &&
	    page_address(page) == (void *)address) {
		*why = "is a live large allocation the kernel holds";
		return false;
	}
	return true;
}

COMMAND(kfree)
{
	bool force = take_force(&argc, &argv);
	struct held_entry *entry;
	const char *why = NULL;
	uint64_t address;

	if (argc != 1) {
		monitor_refuse("kfree", "usage: kfree [--force] ADDR");
		return;
	}
	if (!monitor_number("kfree", "ADDR", argv[0], 0, UINT64_MAX, &address))
		return;
	entry = held_find(&held, HELD_KMALLOC, address);
	if (entry) {
		kfree((void *)address);
		held_remove(&held, entry);
		pr_info("kfree(%#llx) done\n", (unsigned long long)address);
		return;
	}
	if (!force) {
		refuse_unknown("kfree", address, true);
		return;
	}
	if (held_find(&held, -1, address) || !kfree_force_is_safe(address, &why)) {
		monitor_refuse("kfree", "refused even with --force: %#llx %s", (unsigned long long)address,
			       why ? why : "is held by this monitor under another call");
		return;
	}
	if (ZERO_OR_NULL_PTR((void *)address)) {
		pr_info("kfree(%#llx): kfree of NULL or ZERO_SIZE_PTR does nothing\n",
			(unsigned long long)address);
		return;
	}
	pr_info("kfree(%#llx) forced; the allocator says:\n", (unsigned long long)address);
	kfree((void *)address);
}

/* ---- caches --------------------------------------------------------------- */

static struct kmem_cache **monitor_cache_slot(struct kmem_cache *cache)
{
	for (int i = 0; i < MAX_MONITOR_CACHES; i++)
		if (monitor_caches[i] == cache)
			return &monitor_caches[i];
	return NULL;
}

static bool parse_cache_flags(const char *text, slab_flags_t *flags)
{
	*flags = 0;
	if (strcmp(text, "-") == 0 || strcmp(text, "0") == 0)
		return true;
	for (const char *p = text; *p; p++) {
		switch (*p) {
		case 'F': case 'f': *flags |= SLAB_CONSISTENCY_CHECKS; break;
		case 'Z': case 'z': *flags |= SLAB_RED_ZONE; break;
		case 'P': case 'p': *flags |= SLAB_POISON; break;
		case 'U': case 'u': *flags |= SLAB_STORE_USER; break;
		case 'H': case 'h': *flags |= SLAB_HWCACHE_ALIGN; break;
		default: return false;
		}
	}
	return true;
}

COMMAND(cache_create)
{
	uint64_t size, align = 0;
	slab_flags_t flags = 0;
	struct kmem_cache **slot, *cache;
	struct slab_stats stats;

	if (strlen(argv[0]) >= SLAB_NAME_LENGTH) {
		monitor_refuse("cache create", "NAME is longer than %d characters", SLAB_NAME_LENGTH - 1);
		return;
	}
	if (slab_cache_find(&kernel_slab, argv[0])) {
		monitor_refuse("cache create", "a cache called '%s' exists already", argv[0]);
		return;
	}
	if (!monitor_number("cache create", "SIZE", argv[1], 1, KMALLOC_MAX_CACHE_SIZE, &size) ||
	    (argc > 2 && !monitor_number("cache create", "ALIGN", argv[2], 0, PAGE_SIZE, &align)))
		return;
	if (align & (align - 1)) {
		monitor_refuse("cache create", "ALIGN %llu is not a power of two", (unsigned long long)align);
		return;
	}
	if (argc > 3 && !parse_cache_flags(argv[3], &flags)) {
		monitor_refuse("cache create", "FLAGS '%s': use letters F Z P U H, or -", argv[3]);
		return;
	}
	slot = monitor_cache_slot(NULL);
	if (!slot) {
		monitor_refuse("cache create", "the monitor made %d caches already; destroy one first",
			       MAX_MONITOR_CACHES);
		return;
	}
	cache = kmem_cache_create(argv[0], (unsigned int)size, (unsigned int)align, flags, NULL);
	if (!cache) {
		monitor_refuse("cache create", "kmem_cache_create failed (see the report above)");
		return;
	}
	*slot = cache;
	slab_backend_stats(cache, &stats);
	pr_info("cache %s: object %u bytes, stride %u, %u objects per slab (order %u)\n", cache->name,
		cache->object_size, stats.stride, stats.objects_per_slab, stats.order);
}

static struct kmem_cache *find_cache(const char *command, const char *name)
{
	struct kmem_cache *cache = slab_cache_find(&kernel_slab, name);

	if (!cache)
		monitor_refuse(command, "no cache called '%s' (see slabinfo)", name);
	return cache;
}

static void undo_cache_alloc(uint64_t address, uint64_t size, const void *cache)
{
	kmem_cache_free((struct kmem_cache *)cache, (void *)address);
}

COMMAND(cache_alloc)
{
	struct kmem_cache *cache = find_cache("cache alloc", argv[0]);
	void *object;

	if (!cache)
		return;
	object = kmem_cache_alloc(cache, GFP_KERNEL);
	if (!object) {
		monitor_refuse("cache alloc", "kmem_cache_alloc(%s) failed: out of memory", cache->name);
		return;
	}
	if (remember("cache alloc", HELD_CACHE_OBJECT, (uint64_t)object, cache->object_size, cache,
		     undo_cache_alloc))
		pr_info("kmem_cache_alloc(%s) = %p\n", cache->name, object);
}

COMMAND(cache_free)
{
	bool force = take_force(&argc, &argv);
	struct kmem_cache *cache;
	struct held_entry *entry;
	uint64_t address;

	if (argc != 2) {
		monitor_refuse("cache free", "usage: cache free [--force] NAME ADDR");
		return;
	}
	cache = find_cache("cache free", argv[0]);
	if (!cache || !monitor_number("cache free", "ADDR", argv[1], 0, UINT64_MAX, &address))
		return;
	entry = held_find(&held, HELD_CACHE_OBJECT, address);
	if (entry && entry->cache == cache) {
		kmem_cache_free(cache, (void *)address);
		held_remove(&held, entry);
		pr_info("kmem_cache_free(%s, %#llx) done\n", cache->name, (unsigned long long)address);
		return;
	}
	if (!force) {
		if (entry)
			monitor_refuse("cache free", "%#llx came from cache %s, not %s; %s",
				       (unsigned long long)address,
				       ((const struct kmem_cache *)entry->cache)->name, cache->name, force_note);
		else
			refuse_unknown("cache free", address, true);
		return;
	}
	if (!slab_backend_free_is_refused(cache, (void *)address)) {
		monitor_refuse("cache free", "refused even with --force: %#llx is %s",
			       (unsigned long long)address,
			       held_find(&held, -1, address) ? "held by this monitor under another call"
			       : "an object this cache would free (someone else's, or a double free "
				 "it cannot detect)");
		return;
	}
	pr_info("kmem_cache_free(%s, %#llx) forced; the allocator says:\n", cache->name,
		(unsigned long long)address);
	kmem_cache_free(cache, (void *)address);
}

COMMAND(cache_destroy)
{
	struct kmem_cache *cache = find_cache("cache destroy", argv[0]);
	struct kmem_cache **slot;
	unsigned int objects;

	if (!cache)
		return;
	slot = monitor_cache_slot(cache);
	if (!slot) {
		monitor_refuse("cache destroy", "%s was not made by cache create; the kernel uses it",
			       cache->name);
		return;
	}
	objects = held_count_cache(&held, cache);
	if (objects) {
		monitor_refuse("cache destroy", "%u objects of %s are held; free them first (held)",
			       objects, cache->name);
		return;
	}
	*slot = NULL;
	pr_info("kmem_cache_destroy(%s)\n", cache->name);
	kmem_cache_destroy(cache);
}

/* ---- pages ---------------------------------------------------------------- */

static void undo_alloc_pages(uint64_t address, uint64_t order, const void *cache)
{
	free_pages(address, (unsigned int)order);
}

COMMAND(alloc_pages)
{
	uint64_t order;
	gfp_t gfp;
	unsigned long address;
	char flags[96];

	if (!monitor_number("alloc_pages", "ORDER", argv[0], 0, MAX_ORDER, &order) ||
	    !parse_gfp_argument("alloc_pages", argc, argv, 1, &gfp))
		return;
	format_gfp(gfp, flags, sizeof(flags));
	address = __get_free_pages(gfp, (unsigned int)order);
	if (!address) {
		monitor_refuse("alloc_pages", "alloc_pages(%s, %llu) failed: out of memory", flags,
			       (unsigned long long)order);
		return;
	}
	if (remember("alloc_pages", HELD_PAGES, address, order, NULL, undo_alloc_pages))
		pr_info("alloc_pages(%s, %llu) = %#lx (pfn %#llx, %llu KiB)\n", flags,
			(unsigned long long)order, address,
			(unsigned long long)(__pa((void *)address) >> PAGE_SHIFT),
			(unsigned long long)((PAGE_SIZE << order) / 1024));
}

/* May free_pages(@address, @order) be forced: will the page allocator surely refuse it? */
static bool free_pages_force_is_safe(uint64_t address, uint64_t order)
{
	struct page *page;

	if (!address || address < DIRECT_MAP_BASE || address >= DIRECT_MAP_END)
		return true;    /* free_pages(0) does nothing; other addresses have no page */
	page = buddy_pfn_to_page(&kernel_buddy, (address - DIRECT_MAP_BASE) >> PAGE_SHIFT);
	return !page || (page->flags & (PG_head | PG_reserved | PG_buddy | PG_pcp | PG_tail)) != PG_head ||
	       page->private != order || page_ref_count(page) <= 0;
}

COMMAND(free_pages)
{
	bool force = take_force(&argc, &argv);
	struct held_entry *entry;
	uint64_t address, order;

	if (argc != 2) {
		monitor_refuse("free_pages", "usage: free_pages [--force] ADDR ORDER");
		return;
	}
	if (!monitor_number("free_pages", "ADDR", argv[0], 0, UINT64_MAX, &address) ||
	    !monitor_number("free_pages", "ORDER", argv[1], 0, 63, &order))
		return;
	entry = held_find(&held, HELD_PAGES, address);
	if (entry && entry->size == order) {
		free_pages(address, (unsigned int)order);
		held_remove(&held, entry);
		pr_info("free_pages(%#llx, %llu) done\n", (unsigned long long)address,
			(unsigned long long)order);
		return;
	}
	if (!force) {
		if (entry)
			monitor_refuse("free_pages", "%#llx is a block of order %llu, not %llu; %s",
				       (unsigned long long)address, (unsigned long long)entry->size,
				       (unsigned long long)order, force_note);
		else
			refuse_unknown("free_pages", address, true);
		return;
	}
	if (order > MAX_ORDER + 1)
		order = MAX_ORDER + 1;  /* any order above MAX_ORDER is refused alike */
	if (!free_pages_force_is_safe(address, order)) {
		monitor_refuse("free_pages", "refused even with --force: that would free a block the "
			       "kernel holds");
		return;
	}
	pr_info("free_pages(%#llx, %llu) forced; the allocator says:\n", (unsigned long long)address,
		(unsigned long long)order);
	free_pages(address, (unsigned int)order);
}

/* ---- vmalloc -------------------------------------------------------------- */

static void undo_vmalloc(uint64_t address, uint64_t size, const void *cache)
{
	vfree((void *)address);
}

COMMAND(vmalloc)
{
	uint64_t size;
	void *address;

	if (!monitor_number("vmalloc", "SIZE", argv[0], 1, VMALLOC_LIMIT, &size))
		return;
	address = vmalloc(size);
	if (!address) {
		monitor_refuse("vmalloc", "vmalloc(%llu) failed: out of memory", (unsigned long long)size);
		return;
	}
	if (remember("vmalloc", HELD_VMALLOC, (uint64_t)address, size, NULL, undo_vmalloc))
		pr_info("vmalloc(%llu) = %p (%llu pages)\n", (unsigned long long)size, address,
			(unsigned long long)((size + PAGE_SIZE - 1) >> PAGE_SHIFT));
}

COMMAND(vfree)
{
	bool force = take_force(&argc, &argv);
	struct held_entry *entry;
	uint64_t address;

	if (argc != 1) {
		monitor_refuse("vfree", "usage: vfree [--force] ADDR");
		return;
	}
	if (!monitor_number("vfree", "ADDR", argv[0], 0, UINT64_MAX, &address))
		return;
	entry = held_find(&held, HELD_VMALLOC, address);
	if (entry) {
		vfree((void *)address);
		held_remove(&held, entry);
		pr_info("vfree(%#llx) done\n", (unsigned long long)address);
		return;
	}
	if (!force) {
		refuse_unknown("vfree", address, true);
		return;
	}
	if (held_find(&held, -1, address) || vmalloc_is_area_start((void *)address)) {
		monitor_refuse("vfree", "refused even with --force: %#llx is a live area the kernel "
			       "holds", (unsigned long long)address);
		return;
	}
	pr_info("vfree(%#llx) forced; the allocator says:\n", (unsigned long long)address);
	vfree((void *)address);
}

/* ---- held, verify --------------------------------------------------------- */

COMMAND(held)
{
	const struct held_entry *e = NULL;

	if (!held.count) {
		pr_info("held: nothing (the monitor holds no allocation)\n");
		return;
	}
	pr_info("  #  call         address             size\n");
	while ((e = held_next(&held, e))) {
		char size[64];

		switch (e->kind) {
		case HELD_PAGES:
			snprintf(size, sizeof(size), "order %llu (%llu KiB)", (unsigned long long)e->size,
				 (unsigned long long)((PAGE_SIZE << e->size) / 1024));
			break;
		case HELD_CACHE_OBJECT:
			snprintf(size, sizeof(size), "%llu bytes from %s", (unsigned long long)e->size,
				 ((const struct kmem_cache *)e->cache)->name);
			break;
		default:
			snprintf(size, sizeof(size), "%llu bytes", (unsigned long long)e->size);
			break;
		}
		pr_info("%3llu  %-11s  %#018llx  %s\n", (unsigned long long)e->sequence,
			held_kind_name(e->kind), (unsigned long long)e->address, size);
	}
	pr_info("held: %u allocations\n", held.count);
}

static void verdict(const char *what, const char *broken, unsigned int *failures)
{
	pr_info("verify: %-24s %s%s\n", what, broken ? "BROKEN: " : "ok", broken ? broken : "");
	if (broken)
		(*failures)++;
}

COMMAND(verify)
{
	unsigned int failures = 0, caches = 0;
	const char *broken = NULL, *first_cache = NULL;
	struct list_head *node;
	char what[64];

	verdict("buddy_check", buddy_check(&kernel_buddy), &failures);
	list_for_each(node, &kernel_slab.caches) {
		struct kmem_cache *cache = list_entry(node, struct kmem_cache, list);
		const char *result = slab_check(cache);

		caches++;
		if (result && !broken) {
			broken = result;
			first_cache = cache->name;
		}
	}
	if (broken)
		snprintf(what, sizeof(what), "slab_check (%s)", first_cache);
	else
		snprintf(what, sizeof(what), "slab_check (%u caches)", caches);
	verdict(what, broken, &failures);
	verdict("vmalloc_check", vmalloc_check(), &failures);
	pr_info("verify: %s\n", failures ? "FAILED" : "all clean");
}
