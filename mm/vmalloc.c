// SPDX-License-Identifier: MIT
/*
 * vmalloc and vmap (contract in include/vmalloc.h); kvmalloc, built on
 * both kmalloc and vmalloc, is in mm/util.c, and the fault-report
 * description, vmallocinfo and the vmalloc_check() validator in
 * mm/vmalloc_debug.c.
 *
 * Address space: the free part of the vmalloc area is a vmap_space
 * (mm/vmap_area.c: an address-ordered red-black tree of free ranges
 * augmented with the largest free size below each node, so the
 * lowest-addressed fit is O(log n)).  Each busy area is a struct vm_area
 * in a hash table keyed by its start address, so vfree finds it in O(1).
 * An area reserves one page more than it maps: the guard page.
 *
 * vmalloc takes order-0 pages in one alloc_pages_bulk() call, so it works
 * for sizes far above the largest buddy block and when memory is
 * fragmented, and maps them one by one.  On any failure everything done so far is undone
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
 * Lock order: vmap_lock first.  Under it, one of: a slab cache's lock
 * (tree nodes and area structs; a leaf), the page-table lock (which takes
 * a zone lock inside, for page-table pages), or a zone lock (pages and
 * page-table pages going back to the page allocator).
 *
 * Not from interrupt context (as in Linux): vmalloc allocates with
 * GFP_KERNEL, and a purge waits for every CPU to flush its TLB, which an
 * interrupt handler must not do.  Every entry point that allocates or
 * frees checks in_interrupt() and refuses, with a report, instead.
 */
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <asm/tlb.h>
#include <hardirq.h>
#include <kernel.h>
#include <mm.h>
#include <page_alloc.h>
#include <percpu.h>
#include <printk.h>
#include <slab.h>
#include <spinlock.h>
#include <symbols.h>
#include <vmalloc.h>
#include <vmap_area.h>

#include "vmalloc_internal.h"

#define LAZY_MAX_PAGES (32 * MiB / PAGE_SIZE)

DEFINE_SPINLOCK(vmap_lock);
/* vmap_lock must be held for all of these. */
struct vmap_space vmap_free_space;
struct vm_area *vmap_busy[VMAP_BUCKETS];
uint64_t vmap_transit_bytes;
struct vm_area *vmap_lazy_list;
struct vmalloc_stats vmap_stats;
static struct pagetable_deferred lazy_tables;
static uint64_t lazy_pages, lazy_start = UINT64_MAX, lazy_end;
static uint64_t lazy_held_pages;     /* pages of vfree'd areas waiting for the purge */

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
	if (vmap_space_init(&vmap_free_space, VMALLOC_START, VMALLOC_END, &nodes))
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


unsigned int vmap_bucket_of(uint64_t start)
{
	return (unsigned int)((start >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ull >> 54) % VMAP_BUCKETS;
}

/* Unlink and return the area starting exactly at @start. vmap_lock held. */
static struct vm_area *busy_remove(uint64_t start)
{
	assert_spin_locked(&vmap_lock);
	for (struct vm_area **link = &vmap_busy[vmap_bucket_of(start)]; *link; link = &(*link)->next) {
		struct vm_area *area = *link;

		if (area->start == start) {
			*link = area->next;
			vmap_stats.areas--;
			return area;
		}
	}
	return NULL;
}

static struct vm_area *busy_find_exact(uint64_t start)
{
	for (struct vm_area *area = vmap_busy[vmap_bucket_of(start)]; area; area = area->next)
		if (area->start == start)
			return area;
	return NULL;
}

/*
 * The busy area whose range (guard page included) holds @address.  A scan
 * of every bucket: only wrong-use reports and fault reports need it.
 * vmap_lock held.
 */
struct vm_area *vmap_busy_find_containing(uint64_t address)
{
	assert_spin_locked(&vmap_lock);
	for (unsigned int b = 0; b < VMAP_BUCKETS; b++)
		for (struct vm_area *area = vmap_busy[b]; area; area = area->next)
			if (address >= area->start && address < area->start + area->size + VMAP_GUARD_SIZE)
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
	struct vm_area *area = vmap_lazy_list, *purged = vmap_lazy_list;

	assert_spin_locked(&vmap_lock);
	if (!area)
		return NULL;
	pagetable_collect_empty(lazy_start, lazy_end - lazy_start, &lazy_tables);
	flush_tlb_kernel_range(lazy_start, lazy_end);
	pagetable_release_deferred(&lazy_tables);
	while (area) {
		struct vm_area *next = area->next;

		if (vmap_space_free(&vmap_free_space, area->start, area->size + VMAP_GUARD_SIZE))
			pr_err("vmalloc: purge could not free [0x%llx-0x%llx]\n",
			       (unsigned long long)area->start,
			       (unsigned long long)(area->start + area->size));
		area = next;
	}
	vmap_lazy_list = NULL;
	lazy_pages = 0;
	lazy_held_pages = 0;
	lazy_start = UINT64_MAX;
	lazy_end = 0;
	vmap_stats.lazy_areas = vmap_stats.lazy_pages = 0;
	vmap_stats.purges++;
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

static void report(const char *what, const void *address, void *caller);

/* True (with a report) if called from an interrupt handler, where vmalloc may not run. */
static bool refused_in_interrupt(const char *what, const void *address, void *caller)
{
	if (likely(!in_interrupt()))
		return false;
	report(what, address, caller);
	return true;
}

/* Reserve address space for @size mapped bytes plus the guard page. Return: start or 0. */
static struct vm_area *reserve_area(uint64_t size, enum vm_kind kind, void *caller)
{
	struct vm_area *area, *purged = NULL;
	uint64_t flags, start;

	if (refused_in_interrupt("vmalloc/vmap called from interrupt context", NULL, caller))
		return NULL;
	area = kmem_cache_zalloc(area_cache, GFP_KERNEL);
	if (!area)
		return NULL;
	spin_lock_irqsave(&vmap_lock, flags);
	start = vmap_space_alloc(&vmap_free_space, size + VMAP_GUARD_SIZE, PAGE_SIZE);
	if (!start && vmap_lazy_list) {
		purged = purge_locked();
		start = vmap_space_alloc(&vmap_free_space, size + VMAP_GUARD_SIZE, PAGE_SIZE);
	}
	if (start)
		vmap_transit_bytes += size + VMAP_GUARD_SIZE;
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
	unsigned int bucket = vmap_bucket_of(area->start);

	spin_lock_irqsave(&vmap_lock, flags);
	area->next = vmap_busy[bucket];
	vmap_busy[bucket] = area;
	vmap_transit_bytes -= area->size + VMAP_GUARD_SIZE;
	vmap_stats.areas++;
	vmap_stats.pages += area->kind == VM_KIND_VMALLOC ? area->page_count : 0;
	spin_unlock_irqrestore(&vmap_lock, flags);
}

/* Unmap an area that was never published, free its range at once (nothing was flushed into use). */
static void abandon_area(struct vm_area *area, uint64_t mapped)
{
	uint64_t flags;

	if (mapped)
		unmap_kernel_range(area->start, mapped);
	spin_lock_irqsave(&vmap_lock, flags);
	vmap_space_free(&vmap_free_space, area->start, area->size + VMAP_GUARD_SIZE);
	vmap_transit_bytes -= area->size + VMAP_GUARD_SIZE;
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

/*
 * Fill the zeroed array @pages with @count order-0 pages in one bulk call.
 * An injected failure (vmalloc_inject_failure) stops the fill at the page
 * it names, so that the undo path has pages to give back.
 * Return: true if every slot was filled.
 */
static bool alloc_page_array(struct page **pages, unsigned int count, gfp_t gfp)
{
	unsigned long want = count;

	if (fail_page_alloc_after >= 0) {
		if ((unsigned int)fail_page_alloc_after < count) {
			want = (unsigned long)fail_page_alloc_after;
			fail_page_alloc_after = -1;
		} else {
			fail_page_alloc_after -= (int)count;
		}
	}
	return alloc_pages_bulk(gfp | __GFP_NOWARN, want, pages) == count;
}

/* Free the pages in the non-NULL slots of @pages[0..@count), then the array. */
static void free_page_array(struct page **pages, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++)
		if (pages[i])
			__free_pages(pages[i], 0);
	kvfree(pages);
}

void *__vmalloc_caller(size_t size, gfp_t gfp, void *caller)
{
	unsigned int count;
	struct vm_area *area;
	struct page **pages;
	uint64_t mapped;

	/* The page count must fit the area and an unsigned int (vm_area.page_count). */
	if (!size || size > VMALLOC_END - VMALLOC_START - VMAP_GUARD_SIZE ||
	    ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE > UINT32_MAX)
		return NULL;
	count = (unsigned int)(ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE);
	pages = kvzalloc((size_t)count * sizeof(*pages), gfp);
	if (!pages)
		return NULL;
	if (!alloc_page_array(pages, count, gfp)) {
		free_page_array(pages, count);
		if (!(gfp & __GFP_NOWARN))
			pr_warn("vmalloc error: size %zu, page order 0, failed to allocate pages (%u "
				"wanted, %llu free)\n", size, count,
				(unsigned long long)buddy_free_pages(&kernel_buddy));
		return NULL;
	}
	area = reserve_area((uint64_t)count * PAGE_SIZE, VM_KIND_VMALLOC, caller);
	if (!area) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("vmalloc error: size %zu, no free range of the vmalloc area fits\n", size);
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
	return __vmalloc_caller(size, GFP_KERNEL, __builtin_return_address(0));
}

void *vzalloc(size_t size)
{
	return __vmalloc_caller(size, GFP_KERNEL | __GFP_ZERO, __builtin_return_address(0));
}

void *vmalloc_array(size_t count, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(count, size, &bytes))
		return NULL;
	return __vmalloc_caller(bytes, GFP_KERNEL, __builtin_return_address(0));
}

void *vcalloc(size_t count, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(count, size, &bytes))
		return NULL;
	return __vmalloc_caller(bytes, GFP_KERNEL | __GFP_ZERO, __builtin_return_address(0));
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

	vmap_stats.reports++;
	pr_err("vmalloc: %s: %p (called from %s)\n", what, address,
	       symbol_format((uint64_t)caller, symbol, sizeof(symbol)));
}

/* Remove the area at @address if it has @kind; report wrong use. Return: the area or NULL. */
static struct vm_area *take_area(const void *address, enum vm_kind kind, void *caller)
{
	uint64_t flags, start = (uint64_t)address;
	struct vm_area *area, *around;

	if (refused_in_interrupt("vfree/vunmap called from interrupt context (the area is kept)",
				 address, caller))
		return NULL;
	spin_lock_irqsave(&vmap_lock, flags);
	area = busy_find_exact(start);
	if (area && area->kind == kind) {
		busy_remove(start);
		vmap_transit_bytes += area->size + VMAP_GUARD_SIZE;
		spin_unlock_irqrestore(&vmap_lock, flags);
		return area;
	}
	around = area ? NULL : vmap_busy_find_containing(start);
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
	vmap_transit_bytes -= area->size + VMAP_GUARD_SIZE;
	area->next = vmap_lazy_list;
	vmap_lazy_list = area;
	lazy_pages += area->size / PAGE_SIZE;
	lazy_start = MIN(lazy_start, area->start);
	lazy_end = MAX(lazy_end, area->start + area->size);
	vmap_stats.lazy_areas++;
	vmap_stats.lazy_pages = lazy_pages;
	if (area->kind == VM_KIND_VMALLOC) {
		vmap_stats.pages -= area->page_count;
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

size_t vmalloc_area_size(const void *address)
{
	uint64_t flags;
	struct vm_area *area;
	size_t size = 0;

	spin_lock_irqsave(&vmap_lock, flags);
	area = busy_find_exact((uint64_t)address);
	if (area)
		size = area->size;
	spin_unlock_irqrestore(&vmap_lock, flags);
	return size;
}
