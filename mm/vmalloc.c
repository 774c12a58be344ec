// SPDX-License-Identifier: MIT
/*
 * vmalloc and vmap (contract in include/vmalloc.h).
 *
 * Address space: the free part of the vmalloc area is a vmap_space
 * (mm/vmap_area.c: an address-ordered red-black tree of free ranges
 * augmented with the largest free size below each node, so the
 * lowest-addressed fit is O(log n)).  Each busy area is a struct vm_area
 * in a hash table keyed by its start address, so vfree finds it in O(1).
 * An area reserves one page more than it maps: the guard page.
 *
 * vmalloc takes order-0 pages (alloc_pages_bulk), so it works for sizes
 * far above the largest buddy block and when memory is fragmented, and
 * maps them one by one.  On any failure everything done so far is undone
 * (pages, mappings, page-table pages, the address range).
 *
 * Lazy purge: vfree and vunmap clear the page-table entries at once,
 * without a TLB flush, and put the area on the purge list, with the pages
 * a vmalloc area owned: another CPU may still hold the old translation,
 * so no page goes back to the page allocator before every CPU flushed it.
 * When the purge list holds more than LAZY_MAX_PAGES of address space or
 * lazy_max_held_pages() of memory, or when the address space runs out,
 * the page tables left empty are unlinked, one TLB shootdown covers the
 * whole batch, then the page-table pages and address ranges are released
 * and -- after vmap_lock is dropped, since freeing a large page array may
 * itself vfree -- the pages.
 *
 * Lock order: vmap_lock, then the slab cache lock (tree nodes and area
 * structs), then the page-table lock, then the zone lock.
 */
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <asm/tlb.h>
#include <errno.h>
#include <kernel.h>
#include <kstring.h>
#include <mm.h>
#include <page_alloc.h>
#include <percpu.h>
#include <printk.h>
#include <slab.h>
#include <spinlock.h>
#include <symbols.h>
#include <vmalloc.h>
#include <vmap_area.h>

#define HASH_BUCKETS 1024
#define LAZY_MAX_PAGES (32 * MiB / PAGE_SIZE)
#define GUARD_SIZE PAGE_SIZE

enum vm_kind { VM_KIND_VMALLOC, VM_KIND_VMAP };

struct vm_area {
	struct vm_area *next;        /* hash chain or purge list */
	uint64_t start;
	uint64_t size;               /* mapped bytes (the guard page follows) */
	struct page **pages;         /* vmalloc: the pages it owns */
	unsigned int page_count;
	enum vm_kind kind;
	void *caller;
};

static spinlock_t vmap_lock = SPINLOCK_INIT;
/* vmap_lock must be held for all of these. */
static struct vmap_space space;
static struct vm_area *busy[HASH_BUCKETS];
static struct vm_area *lazy_list;
static struct pagetable_deferred lazy_tables;
static uint64_t lazy_pages, lazy_start = UINT64_MAX, lazy_end;
static uint64_t lazy_held_pages;     /* pages of vfree'd areas waiting for the purge */
static struct vmalloc_stats stats;

static struct kmem_cache *area_cache, *node_cache;
static int fail_page_alloc_after = -1, fail_map_after = -1;

static void *node_alloc(void *context)
{
	return kmem_cache_alloc(node_cache, GFP_ATOMIC | __GFP_NOWARN);
}

static void node_free(void *context, void *node)
{
	kmem_cache_free(node_cache, node);
}

void vmalloc_init(void)
{
	static const struct vmap_node_allocator nodes = { node_alloc, node_free, NULL };

	node_cache = kmem_cache_create("vmap_free_range", sizeof(struct vmap_free_range), 0,
				       SLAB_PANIC, NULL);
	area_cache = kmem_cache_create("vm_area", sizeof(struct vm_area), 0, SLAB_PANIC, NULL);
	if (vmap_space_init(&space, VMALLOC_START, VMALLOC_END, &nodes))
		panic("vmalloc: cannot set up the vmalloc area");
	pr_info("vmalloc: area 0x%llx-0x%llx (%llu TiB), lazy purge above %llu pages\n",
		(unsigned long long)VMALLOC_START, (unsigned long long)VMALLOC_END,
		(unsigned long long)((VMALLOC_END - VMALLOC_START) >> 40),
		(unsigned long long)LAZY_MAX_PAGES);
}

void vmalloc_inject_failure(int page_alloc_after, int map_after)
{
	fail_page_alloc_after = page_alloc_after;
	fail_map_after = map_after;
}

static bool injected(int *counter)
{
	if (*counter < 0)
		return false;
	return (*counter)-- == 0;
}

static unsigned int bucket_of(uint64_t start)
{
	return (unsigned int)((start >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ull >> 54) % HASH_BUCKETS;
}

/* Unlink and return the area starting exactly at @start. vmap_lock held. */
static struct vm_area *busy_remove(uint64_t start)
{
	for (struct vm_area **link = &busy[bucket_of(start)]; *link; link = &(*link)->next) {
		struct vm_area *area = *link;

		if (area->start == start) {
			*link = area->next;
			stats.areas--;
			return area;
		}
	}
	return NULL;
}

static struct vm_area *busy_find_exact(uint64_t start)
{
	for (struct vm_area *area = busy[bucket_of(start)]; area; area = area->next)
		if (area->start == start)
			return area;
	return NULL;
}

/*
 * The busy area whose range (guard page included) holds @address.  A scan
 * of every bucket: only wrong-use reports and fault reports need it.
 * vmap_lock held.
 */
static struct vm_area *busy_find_containing(uint64_t address)
{
	for (unsigned int b = 0; b < HASH_BUCKETS; b++)
		for (struct vm_area *area = busy[b]; area; area = area->next)
			if (address >= area->start && address < area->start + area->size + GUARD_SIZE)
				return area;
	return NULL;
}

/* Memory the purge list may hold back: 1/32 of the page allocator's, at least 64 pages. */
static uint64_t lazy_max_held_pages(void)
{
	return MAX(buddy_managed_pages(&kernel_buddy) / 32, 64);
}

/*
 * Flush once for the whole purge list, then release its tables and
 * ranges.  vmap_lock held.  Return: the purged areas, for
 * free_purged_areas() to free (with their pages) once vmap_lock is dropped.
 */
static struct vm_area *purge_locked(void)
{
	struct vm_area *area = lazy_list, *purged = lazy_list;

	if (!area)
		return NULL;
	pagetable_collect_empty(lazy_start, lazy_end - lazy_start, &lazy_tables);
	flush_tlb_kernel_range(lazy_start, lazy_end);
	pagetable_release_deferred(&lazy_tables);
	while (area) {
		struct vm_area *next = area->next;

		if (vmap_space_free(&space, area->start, area->size + GUARD_SIZE))
			pr_err("vmalloc: purge could not free [0x%llx-0x%llx]\n",
			       (unsigned long long)area->start,
			       (unsigned long long)(area->start + area->size));
		area = next;
	}
	lazy_list = NULL;
	lazy_pages = 0;
	lazy_held_pages = 0;
	lazy_start = UINT64_MAX;
	lazy_end = 0;
	stats.lazy_areas = stats.lazy_pages = 0;
	stats.purges++;
	return purged;
}

static void free_page_array(struct page **pages, unsigned int count);

/* Free what purge_locked() returned: every CPU has flushed these mappings. vmap_lock not held. */
static void free_purged_areas(struct vm_area *area)
{
	while (area) {
		struct vm_area *next = area->next;

		if (area->kind == VM_KIND_VMALLOC)
			free_page_array(area->pages, area->page_count);
		kmem_cache_free(area_cache, area);
		area = next;
	}
}

void vmalloc_purge(void)
{
	uint64_t flags;

	struct vm_area *purged;

	spin_lock_irqsave(&vmap_lock, flags);
	purged = purge_locked();
	spin_unlock_irqrestore(&vmap_lock, flags);
	free_purged_areas(purged);
}

/* Reserve address space for @size mapped bytes plus the guard page. Return: start or 0. */
static struct vm_area *reserve_area(uint64_t size, enum vm_kind kind, void *caller)
{
	struct vm_area *area, *purged = NULL;
	uint64_t flags, start;

	allocator_assert_boot_cpu("vmalloc");
	area = kmem_cache_zalloc(area_cache, GFP_KERNEL);
	if (!area)
		return NULL;
	spin_lock_irqsave(&vmap_lock, flags);
	start = vmap_space_alloc(&space, size + GUARD_SIZE, PAGE_SIZE);
	if (!start && lazy_list) {
		purged = purge_locked();
		start = vmap_space_alloc(&space, size + GUARD_SIZE, PAGE_SIZE);
	}
	spin_unlock_irqrestore(&vmap_lock, flags);
	free_purged_areas(purged);
	if (!start) {
		kmem_cache_free(area_cache, area);
		return NULL;
	}
	*area = (struct vm_area){ .start = start, .size = size, .kind = kind, .caller = caller };
	return area;
}

static void publish_area(struct vm_area *area)
{
	uint64_t flags;
	unsigned int bucket = bucket_of(area->start);

	spin_lock_irqsave(&vmap_lock, flags);
	area->next = busy[bucket];
	busy[bucket] = area;
	stats.areas++;
	stats.pages += area->kind == VM_KIND_VMALLOC ? area->page_count : 0;
	spin_unlock_irqrestore(&vmap_lock, flags);
}

/* Unmap an area that was never published, free its range at once (nothing was flushed into use). */
static void abandon_area(struct vm_area *area, uint64_t mapped)
{
	uint64_t flags;

	if (mapped)
		unmap_kernel_range(area->start, mapped);
	spin_lock_irqsave(&vmap_lock, flags);
	vmap_space_free(&space, area->start, area->size + GUARD_SIZE);
	spin_unlock_irqrestore(&vmap_lock, flags);
	kmem_cache_free(area_cache, area);
}

static uint64_t frame_of_page(void *pages, size_t index)
{
	return page_to_pfn(((struct page **)pages)[index]);
}

/*
 * Map @count pages at the area's start.  An injected failure maps a part
 * first, so that the undo path has mappings to remove.
 * Return: bytes mapped (all of them on success).
 */
static uint64_t map_pages(struct vm_area *area, struct page **pages, unsigned int count,
			  pgprot_t prot)
{
	int fail_at = fail_map_after;

	if (fail_at >= 0) {
		fail_map_after = -1;
		if ((unsigned int)fail_at < count) {
			if (fail_at && map_kernel_frames(area->start, (size_t)fail_at, frame_of_page,
							 pages, prot))
				return 0;
			return (uint64_t)fail_at * PAGE_SIZE;
		}
	}
	if (map_kernel_frames(area->start, count, frame_of_page, pages, prot))
		return 0;
	return (uint64_t)count * PAGE_SIZE;
}

static void free_page_array(struct page **pages, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++)
		if (pages[i])
			__free_pages(pages[i], 0);
	kvfree(pages);
}

static void *vmalloc_caller(size_t size, gfp_t gfp, void *caller)
{
	unsigned int count;
	struct vm_area *area;
	struct page **pages;
	uint64_t mapped;

	/* The page count must fit the area and an unsigned int (vm_area.page_count). */
	if (!size || size > VMALLOC_END - VMALLOC_START - GUARD_SIZE ||
	    ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE > UINT32_MAX)
		return NULL;
	count = (unsigned int)(ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE);
	pages = kvzalloc((size_t)count * sizeof(*pages), gfp);
	if (!pages)
		return NULL;
	for (unsigned int i = 0; i < count; i++) {
		pages[i] = injected(&fail_page_alloc_after) ? NULL
							     : alloc_pages(gfp | __GFP_NOWARN, 0);
		if (!pages[i]) {
			free_page_array(pages, i);
			return NULL;
		}
	}
	area = reserve_area((uint64_t)count * PAGE_SIZE, VM_KIND_VMALLOC, caller);
	if (!area) {
		free_page_array(pages, count);
		return NULL;
	}
	mapped = map_pages(area, pages, count, PAGE_KERNEL);
	if (mapped != (uint64_t)count * PAGE_SIZE) {
		abandon_area(area, mapped);
		free_page_array(pages, count);
		return NULL;
	}
	area->pages = pages;
	area->page_count = count;
	publish_area(area);
	return (void *)area->start;
}

void *vmalloc(size_t size)
{
	return vmalloc_caller(size, GFP_KERNEL, __builtin_return_address(0));
}

void *vzalloc(size_t size)
{
	return vmalloc_caller(size, GFP_KERNEL | __GFP_ZERO, __builtin_return_address(0));
}

void *vmalloc_array(size_t count, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(count, size, &bytes))
		return NULL;
	return vmalloc_caller(bytes, GFP_KERNEL, __builtin_return_address(0));
}

void *vcalloc(size_t count, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(count, size, &bytes))
		return NULL;
	return vmalloc_caller(bytes, GFP_KERNEL | __GFP_ZERO, __builtin_return_address(0));
}

void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot)
{
	struct vm_area *area;
	uint64_t mapped;

	(void)flags;
	if (!count)
		return NULL;
	area = reserve_area((uint64_t)count * PAGE_SIZE, VM_KIND_VMAP, __builtin_return_address(0));
	if (!area)
		return NULL;
	mapped = map_pages(area, pages, count, prot);
	if (mapped != (uint64_t)count * PAGE_SIZE) {
		abandon_area(area, mapped);
		return NULL;
	}
	area->page_count = count;
	publish_area(area);
	return (void *)area->start;
}

static uint64_t frame_of_pfn(void *pfns, size_t index)
{
	return ((unsigned long *)pfns)[index];
}

void *vmap_pfn(unsigned long *pfns, unsigned int count, pgprot_t prot)
{
	struct vm_area *area;

	if (!count)
		return NULL;
	area = reserve_area((uint64_t)count * PAGE_SIZE, VM_KIND_VMAP, __builtin_return_address(0));
	if (!area)
		return NULL;
	if (map_kernel_frames(area->start, count, frame_of_pfn, pfns, prot)) {
		abandon_area(area, 0);
		return NULL;
	}
	publish_area(area);
	return (void *)area->start;
}

static void report(const char *what, const void *address, void *caller)
{
	char symbol[96];

	stats.reports++;
	pr_err("vmalloc: %s: %p (called from %s)\n", what, address,
	       symbol_format((uint64_t)caller, symbol, sizeof(symbol)));
}

/* Remove the area at @address if it has @kind; report wrong use. Return: the area or NULL. */
static struct vm_area *take_area(const void *address, enum vm_kind kind, void *caller)
{
	uint64_t flags, start = (uint64_t)address;
	struct vm_area *area, *around;

	spin_lock_irqsave(&vmap_lock, flags);
	area = busy_find_exact(start);
	if (area && area->kind == kind) {
		busy_remove(start);
		spin_unlock_irqrestore(&vmap_lock, flags);
		return area;
	}
	around = area ? NULL : busy_find_containing(start);
	spin_unlock_irqrestore(&vmap_lock, flags);
	if (area)
		report(kind == VM_KIND_VMAP ? "vunmap of a vmalloc area (use vfree)"
					    : "vfree of a vmap area (use vunmap)", address, caller);
	else if (around)
		report("not the start of a vmalloc area", address, caller);
	else if (is_vmalloc_addr(address))
		report("double free, or an address never handed out", address, caller);
	else
		report("not a vmalloc address", address, caller);
	return NULL;
}

/* Unmap without a flush and queue the range (and a vmalloc area's pages) for the next purge. */
static void retire_area(struct vm_area *area)
{
	struct vm_area *purged = NULL;
	uint64_t flags;

	spin_lock_irqsave(&vmap_lock, flags);
	unmap_kernel_range_lazy(area->start, area->size);
	area->next = lazy_list;
	lazy_list = area;
	lazy_pages += area->size / PAGE_SIZE;
	lazy_start = MIN(lazy_start, area->start);
	lazy_end = MAX(lazy_end, area->start + area->size);
	stats.lazy_areas++;
	stats.lazy_pages = lazy_pages;
	if (area->kind == VM_KIND_VMALLOC) {
		stats.pages -= area->page_count;
		lazy_held_pages += area->page_count;
	}
	if (lazy_pages > LAZY_MAX_PAGES || lazy_held_pages > lazy_max_held_pages())
		purged = purge_locked();
	spin_unlock_irqrestore(&vmap_lock, flags);
	free_purged_areas(purged);
}

void vfree(const void *address)
{
	struct vm_area *area;

	if (!address)
		return;
	area = take_area(address, VM_KIND_VMALLOC, __builtin_return_address(0));
	if (area)
		retire_area(area);
}

void vunmap(const void *address)
{
	struct vm_area *area;

	if (!address)
		return;
	area = take_area(address, VM_KIND_VMAP, __builtin_return_address(0));
	if (area)
		retire_area(area);
}

bool is_vmalloc_addr(const void *address)
{
	return (uint64_t)address >= VMALLOC_START && (uint64_t)address < VMALLOC_END;
}

struct page *vmalloc_to_page(const void *address)
{
	struct page_walk walk;

	if (!is_vmalloc_addr(address) || !walk_kernel_address((uint64_t)address, &walk))
		return NULL;
	return pfn_to_page(walk.phys >> PAGE_SHIFT);
}

unsigned long vmalloc_to_pfn(const void *address)
{
	struct page *page = vmalloc_to_page(address);

	return page ? page_to_pfn(page) : 0;
}

void *kvmalloc(size_t size, gfp_t gfp)
{
	void *address;

	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return kmalloc(size, gfp);
	/* Contiguous only if it is there now: no warning, no reserves. */
	if (size <= (PAGE_SIZE << 3)) {
		address = kmalloc(size, (gfp & ~(__GFP_HIGH | __GFP_NOFAIL)) | __GFP_NOWARN |
				       __GFP_NORETRY);
		if (address)
			return address;
	}
	return vmalloc_caller(size, gfp, __builtin_return_address(0));
}

void *kvzalloc(size_t size, gfp_t gfp)
{
	return kvmalloc(size, gfp | __GFP_ZERO);
}

void *kvcalloc(size_t count, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(count, size, &bytes))
		return NULL;
	return kvmalloc(bytes, gfp | __GFP_ZERO);
}

static size_t kv_usable_size(const void *address)
{
	uint64_t flags;
	struct vm_area *area;
	size_t size = 0;

	if (!is_vmalloc_addr(address))
		return ksize(address);
	spin_lock_irqsave(&vmap_lock, flags);
	area = busy_find_exact((uint64_t)address);
	if (area)
		size = area->size;
	spin_unlock_irqrestore(&vmap_lock, flags);
	return size;
}

void *kvrealloc(const void *address, size_t new_size, gfp_t gfp)
{
	size_t old_size;
	void *fresh;

	if (!address || ZERO_OR_NULL_PTR(address))
		return kvmalloc(new_size, gfp);
	old_size = kv_usable_size(address);
	if (new_size && new_size <= old_size)
		return (void *)address;
	fresh = kvmalloc(new_size, gfp);
	if (!fresh)
		return NULL;
	memcpy(fresh, address, MIN(old_size, new_size));
	kvfree(address);
	return fresh;
}

void kvfree(const void *address)
{
	if (is_vmalloc_addr(address))
		vfree(address);
	else
		kfree(address);
}

bool vmalloc_describe_address(uint64_t address, char *buf, size_t size)
{
	char symbol[96];
	struct vm_area *area;
	uint64_t flags;
	bool guard;

	if (!is_vmalloc_addr((void *)address))
		return false;
	/* Called from fault reports: never wait for a lock the faulting code may hold. */
	flags = local_irq_save();
	if (!spin_trylock(&vmap_lock)) {
		local_irq_restore(flags);
		return false;
	}
	area = busy_find_containing(address);
	if (area) {
		guard = address >= area->start + area->size;
		snprintf(buf, size, "%s of area [0x%llx-0x%llx] allocated by %s",
			 guard ? "vmalloc guard page" : "inside vmalloc area",
			 (unsigned long long)area->start, (unsigned long long)(area->start + area->size),
			 symbol_format((uint64_t)area->caller, symbol, sizeof(symbol)));
	}
	spin_unlock(&vmap_lock);
	local_irq_restore(flags);
	return area != NULL;
}

void vmalloc_get_stats(struct vmalloc_stats *out)
{
	uint64_t flags;

	spin_lock_irqsave(&vmap_lock, flags);
	*out = stats;
	spin_unlock_irqrestore(&vmap_lock, flags);
}

/* Areas in address order, for printing. vmap_lock held. */
static size_t collect_sorted(struct vm_area **out, size_t max)
{
	size_t count = 0;

	for (unsigned int b = 0; b < HASH_BUCKETS; b++)
		for (struct vm_area *area = busy[b]; area && count < max; area = area->next) {
			size_t i = count++;

			while (i && out[i - 1]->start > area->start) {
				out[i] = out[i - 1];
				i--;
			}
			out[i] = area;
		}
	return count;
}

void vmallocinfo_print(void)
{
	static struct vm_area *sorted[512];
	char symbol[96];
	uint64_t flags;
	size_t count;

	spin_lock_irqsave(&vmap_lock, flags);
	count = collect_sorted(sorted, sizeof(sorted) / sizeof(sorted[0]));
	for (size_t i = 0; i < count; i++) {
		struct vm_area *area = sorted[i];

		pr_info("0x%016llx-0x%016llx %10llu %s pages=%u %s\n", (unsigned long long)area->start,
			(unsigned long long)(area->start + area->size + GUARD_SIZE),
			(unsigned long long)(area->size + GUARD_SIZE),
			symbol_format((uint64_t)area->caller, symbol, sizeof(symbol)), area->page_count,
			area->kind == VM_KIND_VMALLOC ? "vmalloc" : "vmap");
	}
	pr_info("vmalloc: %llu areas, %llu pages, %llu areas (%llu pages) awaiting purge, %llu purges\n",
		(unsigned long long)stats.areas, (unsigned long long)stats.pages,
		(unsigned long long)stats.lazy_areas, (unsigned long long)stats.lazy_pages,
		(unsigned long long)stats.purges);
	spin_unlock_irqrestore(&vmap_lock, flags);
}

const char *vmalloc_check(void)
{
	const char *broken;
	uint64_t flags, busy_bytes = 0, lazy_bytes = 0;

	spin_lock_irqsave(&vmap_lock, flags);
	broken = vmap_space_check(&space);
	for (unsigned int b = 0; b < HASH_BUCKETS && !broken; b++)
		for (struct vm_area *area = busy[b]; area && !broken; area = area->next) {
			if (vmap_space_is_free(&space, area->start) ||
			    vmap_space_is_free(&space, area->start + area->size))
				broken = "a busy area overlaps free space";
			else if (bucket_of(area->start) != b)
				broken = "a busy area is in the wrong hash bucket";
			busy_bytes += area->size + GUARD_SIZE;
		}
	for (struct vm_area *area = lazy_list; area && !broken; area = area->next) {
		if (vmap_space_is_free(&space, area->start))
			broken = "a range awaiting purge is already free (it could be reused too early)";
		lazy_bytes += area->size + GUARD_SIZE;
	}
	if (!broken && vmap_space_free_bytes(&space) + busy_bytes + lazy_bytes != VMALLOC_END - VMALLOC_START)
		broken = "free + busy + lazy bytes do not add up to the vmalloc area";
	spin_unlock_irqrestore(&vmap_lock, flags);
	return broken;
}
