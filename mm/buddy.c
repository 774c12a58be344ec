// SPDX-License-Identifier: MIT
/*
 * The buddy page allocator (contract in include/buddy.h).
 *
 * Free memory is kept as blocks of 2^order pages, each aligned to its own
 * size, in one free list per order per zone.  A block's buddy is the
 * block it was split from, found by flipping bit @order of the frame
 * number:
 *
 *     buddy_pfn = pfn ^ (1 << order)      the order-1 buddy of #8 is #10,
 *                                         the order-0 buddy of #11 is #10
 *
 * Allocating takes the smallest free block that fits and splits it,
 * putting the upper halves back on the lower lists.  Freeing merges the
 * block with its buddy for as long as the buddy is free and whole, so a
 * free list never holds two buddies.  A buddy outside the zone, or in a
 * hole (no PG_buddy), stops the merge: blocks never cross a zone or a
 * hole.
 *
 * Order-0 pages, by far the most common request, go through per-CPU
 * lists: allocation and free touch only this CPU's list with interrupts
 * off and take no lock; the lists are refilled from and drained to the
 * zone in batches.
 *
 * Watermarks.  Each zone keeps a reserve that ordinary allocations do not
 * touch.  As in Linux, min_free_kbytes = sqrt(16 * RAM in KiB), clamped to
 * 128 KiB .. 256 MiB, split among zones by size; then for each zone
 *     low = min + min / 4,  high = min + min / 2.
 * An allocation first looks for a zone whose free pages stay above low
 * after it, in fallback order (NORMAL -> DMA32 -> DMA, never upward);
 * failing that, above min.  __GFP_HIGH lowers min by half, and by another
 * quarter of that when the caller cannot block (GFP_ATOMIC); __GFP_NOFAIL
 * ignores the watermarks.  The per-CPU list's high mark is the zone's
 * low watermark / 4, at most 6 batches.
 *
 * SMP.  Any CPU allocates and frees, interrupt handlers too; a page freed
 * on another CPU than the one that allocated it simply goes to the
 * freeing CPU's list (or its zone), there is no home CPU to return to.
 *   - zone->lock (irqsave) guards a zone's free lists and free_pages.
 *   - A CPU's per-CPU lists (zone->pcp[cpu]) are touched only by that CPU
 *     with its interrupts off: that is their whole protection, so the
 *     fast paths take no lock at all.  Another CPU that needs them --
 *     draining all lists, the validator -- asks the owner by a cross call
 *     (buddy_run_on_each_cpu), never reaches in.
 *   - Reference counts are atomic (include/mm.h): the check that a free
 *     is legal and the decrement are one compare-and-swap, so a put_page
 *     in an interrupt handler cannot lose a decrement, and two racing
 *     drops of the last reference free the block once and report once.
 *   - Event counts: allocations and frees per CPU in per_cpu_pages,
 *     counted by the owner with its interrupts off on the fast paths, or
 *     in one `inc` instruction (which an interrupt cannot split) on the
 *     others, and summed on read; the rare error counts are atomic
 *     additions.
 * Lock order: a per-CPU list is touched first (interrupts off), then the
 * zone lock.  zone->lock is a leaf: nothing is taken under it, and no
 * code holds two zone locks (one lock class: lockdep would report it).
 * Callers may hold vmap_lock, the page-table lock or a slab cache lock
 * around it.
 */
#include <buddy.h>
#include <kernel.h>
#include <kstring.h>
#include <lock_stat.h>

#include "buddy_internal.h"

#define PCP_BATCH_MAX 63u

struct shared_lock_count shared_lock_counts[NR_CPUS];

static struct page *page_at(const struct buddy *b, uint64_t pfn)
{
	return b->memmap + (pfn - b->memmap_start_pfn);
}

static enum zone_type zone_of_pfn(uint64_t pfn)
{
	if (pfn < ZONE_DMA_END_PFN)
		return ZONE_DMA;
	if (pfn < ZONE_DMA32_END_PFN)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

struct zone *buddy_page_zone(struct buddy *b, const struct page *page)
{
	return &b->zones[(page->flags & PAGE_ZONE_MASK) >> PAGE_ZONE_SHIFT];
}

static void update_first_populated(struct buddy *b);

void buddy_set_backed_blocks(struct buddy *b, const uint8_t *bitmap)
{
	uint64_t pfn = b->memmap_start_pfn;

	b->backed_blocks = bitmap;
	/* The prefix ends at the first block without struct pages. */
	while (pfn < b->memmap_end_pfn && buddy_pfn_to_page(b, pfn))
		pfn = (pfn | ((1ull << MAX_ORDER) - 1)) + 1;
	b->backed_prefix_pages = MIN(pfn, b->memmap_end_pfn) - b->memmap_start_pfn;
	if (b->direct_map_start < PAGE_SIZE)
		b->backed_prefix_pages = 0; /* NULL must never be in the prefix (buddy_virt_in_prefix) */
}

void buddy_init(struct buddy *b, struct page *memmap, uint64_t start_pfn, uint64_t end_pfn,
		uintptr_t virt_offset)
{
	static const char *const names[NR_ZONES] = { "DMA", "DMA32", "Normal" };
	static const uint64_t zone_ends[NR_ZONES] = { ZONE_DMA_END_PFN, ZONE_DMA32_END_PFN, UINT64_MAX };

	memset(b, 0, sizeof(*b));
	b->memmap = memmap;
	b->memmap_start_pfn = start_pfn;
	b->memmap_end_pfn = end_pfn;
	b->memmap_end = memmap + (end_pfn - start_pfn);
	b->virt_offset = virt_offset;
	b->direct_map_start = virt_offset + (start_pfn << PAGE_SHIFT);
	/* NULL must never be in the prefix (buddy_virt_in_prefix): no fast path for a map at 0. */
	b->backed_prefix_pages = b->direct_map_start < PAGE_SIZE ? 0 : end_pfn - start_pfn;
	for (int z = 0; z < NR_ZONES; z++) {
		struct zone *zone = &b->zones[z];
		uint64_t zone_start = z ? zone_ends[z - 1] : 0;

		zone->name = names[z];
		zone->owner = b;
		zone->start_pfn = MAX(zone_start, start_pfn);
		zone->end_pfn = MIN(zone_ends[z], end_pfn);
		if (zone->end_pfn < zone->start_pfn)
			zone->end_pfn = zone->start_pfn;
		spin_lock_init(&zone->lock, "zone->lock");
		for (int o = 0; o < NR_ORDERS; o++)
			INIT_LIST_HEAD(&zone->free_area[o].list);
		for (int cpu = 0; cpu < NR_CPUS; cpu++) {
			INIT_LIST_HEAD(&zone->pcp[cpu].list);
			zone->pcp[cpu].batch = 1;
			zone->pcp[cpu].high = 0;
		}
	}
	update_first_populated(b);
}

/* Put the free block at @pfn of @order on its list. Caller holds zone->lock. */
static inline void free_list_add(struct zone *zone, struct page *page, unsigned int order)
{
	assert_spin_locked(&zone->lock);
	page_flags_write(page, (page->flags & (PAGE_ZONE_MASK | PG_poisoned)) | PG_buddy);
	page->private = order;
	list_add(&page->lru, &zone->free_area[order].list);
	zone->free_area[order].count++;
}

/* Take the free block @page of @order off its list. Caller holds zone->lock. */
static inline void free_list_del(struct zone *zone, struct page *page, unsigned int order)
{
	assert_spin_locked(&zone->lock);
	list_del_init(&page->lru);
	zone->free_area[order].count--;
	page_flags_write(page, page->flags & ~PG_buddy);
}

/*
 * Free the block at @pfn of @order into @zone, merging it with its free
 * buddies.  Caller holds zone->lock.
 */
static void __free_one_block(struct buddy *b, struct zone *zone, uint64_t pfn, unsigned int order)
{
	assert_spin_locked(&zone->lock);
	/* Atomic store: watermark checks read free_pages without the lock. */
	__atomic_store_n(&zone->free_pages, zone->free_pages + (1ull << order), __ATOMIC_RELAXED);
	while (order < MAX_ORDER) {
		uint64_t buddy_pfn = pfn ^ (1ull << order);
		struct page *buddy;

		if (buddy_pfn < zone->start_pfn || buddy_pfn >= zone->end_pfn)
			break;
		buddy = page_at(b, buddy_pfn);
		if (!(page_flags_read(buddy) & PG_buddy) || buddy->private != order)
			break;
		free_list_del(zone, buddy, order);
		pfn &= ~(1ull << order);
		order++;
	}
	free_list_add(zone, page_at(b, pfn), order);
}

/*
 * Take a block of exactly @order from @zone, splitting a larger one if
 * needed.  Caller holds zone->lock.  Return: its first page, or NULL.
 */
static struct page *__take_block(struct buddy *b, struct zone *zone, unsigned int order)
{
	assert_spin_locked(&zone->lock);
	for (unsigned int current = order; current < NR_ORDERS; current++) {
		struct free_area *area = &zone->free_area[current];
		struct page *page;
		uint64_t pfn;

		if (list_empty(&area->list))
			continue;
		page = list_first_entry(&area->list, struct page, lru);
		free_list_del(zone, page, current);
		pfn = buddy_page_to_pfn(b, page);
		/* Give back the upper halves: order current-1 down to order. */
		while (current > order) {
			current--;
			free_list_add(zone, page_at(b, pfn + (1ull << current)), current);
		}
		__atomic_store_n(&zone->free_pages, zone->free_pages - (1ull << order), __ATOMIC_RELAXED);
		return page;
	}
	return NULL;
}

/* The highest zone @gfp allows; fallback goes downward from it. */
static int highest_zone(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

/* For each combination of zone modifiers, the first zone with pages: where the order-0 fast path looks. */
static void update_first_populated(struct buddy *b)
{
	for (unsigned int modifiers = 0; modifiers < ARRAY_SIZE(b->first_populated); modifiers++) {
		int populated = highest_zone(modifiers);

		while (populated > 0 && !b->zones[populated].managed_pages)
			populated--;
		b->first_populated[modifiers] = &b->zones[populated];
	}
}

uint64_t buddy_add_range(struct buddy *b, uint64_t start_pfn, uint64_t end_pfn)
{
	uint64_t added = 0;

	start_pfn = MAX(start_pfn, b->memmap_start_pfn);
	end_pfn = MIN(end_pfn, b->memmap_end_pfn);
	for (uint64_t pfn = start_pfn; pfn < end_pfn; pfn++) {
		struct page *page = page_at(b, pfn);
		page_flags_write(page, (uint32_t)zone_of_pfn(pfn) << PAGE_ZONE_SHIFT);
		set_page_count(page, 0);
		page->private = 0;
	}
	while (start_pfn < end_pfn) {
		struct zone *zone = &b->zones[zone_of_pfn(start_pfn)];
		uint64_t limit = MIN(end_pfn, zone->end_pfn);
		unsigned int order = MAX_ORDER;
		uint64_t flags;

		/* The largest block aligned at start_pfn that fits before limit. */
		while (order && ((start_pfn & ((1ull << order) - 1)) || start_pfn + (1ull << order) > limit))
			order--;
		if (b->poison)
			poison_block(b, page_at(b, start_pfn), order);
		spin_lock_irqsave(&zone->lock, flags);
		zone->managed_pages += 1ull << order;
		__free_one_block(b, zone, start_pfn, order);
		spin_unlock_irqrestore(&zone->lock, flags);
		added += 1ull << order;
		start_pfn += 1ull << order;
	}
	update_first_populated(b);
	return added;
}

static uint64_t integer_sqrt(uint64_t n)
{
	uint64_t root = 0, bit = 1ull << 62;

	while (bit > n)
		bit >>= 2;
	while (bit) {
		if (n >= root + bit) {
			n -= root + bit;
			root = (root >> 1) + bit;
		} else {
			root >>= 1;
		}
		bit >>= 2;
	}
	return root;
}

/* The distance between a zone's min and low, and low and high watermarks. */
static uint64_t watermark_gap(const struct zone *zone)
{
	/* Linux's: a quarter of min, or 0.1% of the zone (watermark_scale_factor 10). */
	return MAX(zone->watermark_min / 4, zone->managed_pages / 1000);
}

void buddy_setup_watermarks(struct buddy *b)
{
	uint64_t total = buddy_managed_pages(b);
	uint64_t min_free_kib = integer_sqrt(total * (PAGE_SIZE / 1024) * 16);
	uint64_t min_free_pages;

	min_free_kib = MAX(min_free_kib, 128ull);
	min_free_kib = MIN(min_free_kib, 262144ull);
	min_free_pages = min_free_kib / (PAGE_SIZE / 1024);
	for (int z = 0; z < NR_ZONES; z++) {
		struct zone *zone = &b->zones[z];
		uint64_t min = total ? min_free_pages * zone->managed_pages / total : 0;
		unsigned int batch;

		zone->watermark_min = min;
		zone->watermark_low = min + watermark_gap(zone);
		zone->watermark_high = zone->watermark_low + watermark_gap(zone);
		/* Batches of about 1/1024 of the zone, 1..63 pages. */
		batch = (unsigned int)MIN(MAX(zone->managed_pages / 1024, 1ull), (uint64_t)PCP_BATCH_MAX);
		for (int cpu = 0; cpu < NR_CPUS; cpu++) {
			zone->pcp[cpu].batch = batch;
			zone->pcp[cpu].high = (unsigned int)MIN(MAX(zone->watermark_low / 4, (uint64_t)batch),
								 6ull * batch);
		}
	}
}

/* Lowest free-page count @zone may be left with by this request. */
static uint64_t watermark_floor(const struct zone *zone, gfp_t gfp, bool first_pass)
{
	uint64_t mark = first_pass ? zone->watermark_low : zone->watermark_min;

	if (gfp & __GFP_NOFAIL)
		return 0;
	if (!first_pass && (gfp & __GFP_HIGH)) {
		mark -= mark / 2;
		if (!(gfp & __GFP_DIRECT_RECLAIM))
			mark -= mark / 4;
	}
	return mark;
}

static bool watermark_ok(const struct zone *zone, unsigned int order, uint64_t floor)
{
	/* Read without the lock: a hint, taken again under it by __take_block(). */
	uint64_t free = __atomic_load_n(&zone->free_pages, __ATOMIC_RELAXED);

	return free >= (1ull << order) && free - (1ull << order) >= floor;
}


/* Move a batch of order-0 pages from the zone to @pcp. Interrupts are off. */
static unsigned int pcp_refill(struct buddy *b, struct zone *zone, struct per_cpu_pages *pcp)
{
	unsigned int moved = 0;

	assert_irqs_disabled();
	count_shared_lock();
	spin_lock(&zone->lock);
	while (moved < pcp->batch) {
		struct page *page = __take_block(b, zone, 0);
		if (!page)
			break;
		page_flags_write(page, page->flags | PG_pcp);
		list_add_tail(&page->lru, &pcp->list);
		moved++;
	}
	pcp->count += moved;
	spin_unlock(&zone->lock);
	return moved;
}

/* Give @count pages from the cold end of @pcp back to the zone. Interrupts are off. */
static void pcp_drain(struct buddy *b, struct zone *zone, struct per_cpu_pages *pcp,
		      unsigned int count)
{
	assert_irqs_disabled();
	count_shared_lock();
	spin_lock(&zone->lock);
	while (count-- && !list_empty(&pcp->list)) {
		struct page *page = list_entry(pcp->list.prev, struct page, lru);

		list_del_init(&page->lru);
		page_flags_write(page, page->flags & ~PG_pcp);
		pcp->count--;
		__free_one_block(b, zone, buddy_page_to_pfn(b, page), 0);
	}
	spin_unlock(&zone->lock);
}

void buddy_drain_local_pcp(struct buddy *b)
{
	uint64_t flags = local_irq_save();

	for (int z = 0; z < NR_ZONES; z++) {
		struct per_cpu_pages *pcp = this_cpu_ptr(b->zones[z].pcp);
		pcp_drain(b, &b->zones[z], pcp, pcp->count);
	}
	local_irq_restore(flags);
}

static void drain_local_call(void *b)
{
	buddy_drain_local_pcp(b);
}

void buddy_drain_pcp(struct buddy *b)
{
	buddy_run_on_each_cpu(drain_local_call, b);
}

void buddy_read_stats(const struct buddy *b, struct buddy_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	for (int z = 0; z < NR_ZONES; z++)
		for (int cpu = 0; cpu < NR_CPUS; cpu++) {
			const struct per_cpu_pages *pcp = &b->zones[z].pcp[cpu];

			stats->allocations += __atomic_load_n(&pcp->allocations, __ATOMIC_RELAXED);
			stats->frees += __atomic_load_n(&pcp->frees, __ATOMIC_RELAXED);
		}
	stats->failures = __atomic_load_n(&b->errors.failures, __ATOMIC_RELAXED);
	stats->bad_frees = __atomic_load_n(&b->errors.bad_frees, __ATOMIC_RELAXED);
	stats->poison_errors = __atomic_load_n(&b->errors.poison_errors, __ATOMIC_RELAXED);
}

static struct page *pcp_take(struct buddy *b, struct zone *zone)
{
	uint64_t flags = local_irq_save();
	struct per_cpu_pages *pcp = this_cpu_ptr(zone->pcp);
	struct page *page = NULL;

	if (pcp->count || pcp_refill(b, zone, pcp)) {
		page = list_first_entry(&pcp->list, struct page, lru);
		list_del(&page->lru);
		page_flags_write(page, page->flags & ~PG_pcp);
		pcp->count--;
	}
	local_irq_restore(flags);
	return page;
}

static struct page *zone_take(struct buddy *b, struct zone *zone, unsigned int order)
{
	uint64_t flags;
	struct page *page;

	count_shared_lock();
	spin_lock_irqsave(&zone->lock, flags);
	page = __take_block(b, zone, order);
	spin_unlock_irqrestore(&zone->lock, flags);
	return page;
}

/* Mark a block just taken as allocated and apply the gfp actions. */
static void prepare_allocated(struct buddy *b, struct page *page, unsigned int order, gfp_t gfp)
{
	if (unlikely(b->poison))
		poison_verify_block(b, page, order);
	page_flags_write(page, (page->flags & PAGE_ZONE_MASK) | PG_head);
	page->private = order;
	set_page_count(page, 1);
	if (gfp & __GFP_ZERO)
		memset(buddy_page_address(b, page), 0, PAGE_SIZE << order);
	if ((gfp & __GFP_COMP) && order) {
		page_flags_write(page, page->flags | PG_compound);
		for (uint64_t i = 1; i < (1ull << order); i++) {
			page_flags_write(&page[i], (page[i].flags & PAGE_ZONE_MASK) | PG_tail);
			page[i].compound_head = page;
		}
	}
}

/*
 * The common case: an order-0 page with no extra work (no zeroing, no
 * poisoning) from the first populated zone's per-CPU list.  Interrupts
 * off, no lock.  Return: NULL if the list is empty (the caller falls back).
 */
static inline struct page *pcp_fast_alloc(struct buddy *b, gfp_t gfp)
{
	struct zone *zone = b->first_populated[gfp & (__GFP_DMA | __GFP_DMA32)];
	struct per_cpu_pages *pcp;
	struct page *page = NULL;
	uint64_t flags;

	flags = local_irq_save();
	pcp = this_cpu_ptr(zone->pcp);
	if (likely(pcp->count)) {
		page = list_first_entry(&pcp->list, struct page, lru);
		list_del(&page->lru);
		pcp->count--;
		pcp->allocations++;     /* interrupts are off: no event of this CPU can interleave */
	}
	local_irq_restore(flags);
	if (page) {
		page_flags_write(page, (page->flags & PAGE_ZONE_MASK) | PG_head);
		page->private = 0;
		set_page_count(page, 1);
	}
	return page;
}

/* Everything but the per-CPU fast path: watermarks, zone fallback, failure. */
static __attribute__((noinline)) struct page *buddy_alloc_slow(struct buddy *b, gfp_t gfp,
							       unsigned int order, void *caller)
{
	int top = highest_zone(gfp);

	if (unlikely(order > MAX_ORDER)) {
		report_bad_request(b, gfp, order, caller);
		return NULL;
	}
	/* First pass above the low watermark, then above the (adjusted) min one. */
	for (int pass = 0; pass < 2; pass++) {
		for (int z = top; z >= 0; z--) {
			struct zone *zone = &b->zones[z];
			struct page *page;

			if (!watermark_ok(zone, order, watermark_floor(zone, gfp, pass == 0)) &&
			    !(order == 0 && pass == 0 && this_cpu_ptr(zone->pcp)->count))
				continue;
			page = order == 0 ? pcp_take(b, zone) : zone_take(b, zone, order);
			if (page) {
				prepare_allocated(b, page, order, gfp);
				buddy_count_event(&this_cpu_ptr(zone->pcp)->allocations);
				return page;
			}
		}
	}
	__atomic_fetch_add(&b->errors.failures, 1, __ATOMIC_RELAXED);
	if (gfp & __GFP_NOFAIL)
		report_nofail_exhausted(b, gfp, order, caller);
	if (!(gfp & __GFP_NOWARN))
		report_allocation_failure(b, gfp, order, caller);
	return NULL;
}

struct page *buddy_alloc(struct buddy *b, gfp_t gfp, unsigned int order, void *caller)
{
	if (likely(order == 0 && !(gfp & (__GFP_ZERO | __GFP_COMP)) && !b->poison)) {
		struct page *page = pcp_fast_alloc(b, gfp);
		if (page)
			return page;
	}
	return buddy_alloc_slow(b, gfp, order, caller);
}

/* Release an allocated block whose checks passed. */
static __attribute__((noinline)) void free_block(struct buddy *b, struct page *page, unsigned int order)
{
	struct zone *zone = buddy_page_zone(b, page);
	uint64_t flags;

	if (page->flags & PG_compound)
		for (uint64_t i = 1; i < (1ull << order); i++)
			page_flags_write(&page[i], page[i].flags & PAGE_ZONE_MASK);
	page_flags_write(page, page->flags & PAGE_ZONE_MASK);
	if (unlikely(b->poison))
		poison_block(b, page, order);
	buddy_count_event(&this_cpu_ptr(zone->pcp)->frees);
	if (order == 0) {
		struct per_cpu_pages *pcp;

		flags = local_irq_save();
		pcp = this_cpu_ptr(zone->pcp);
		page_flags_write(page, page->flags | PG_pcp);
		list_add(&page->lru, &pcp->list);
		if (++pcp->count > pcp->high)
			pcp_drain(b, zone, pcp, pcp->batch);
		local_irq_restore(flags);
		return;
	}
	count_shared_lock();
	spin_lock_irqsave(&zone->lock, flags);
	__free_one_block(b, zone, buddy_page_to_pfn(b, page), order);
	spin_unlock_irqrestore(&zone->lock, flags);
}

bool buddy_free(struct buddy *b, struct page *page, unsigned int order, void *caller)
{
	uint32_t flags;
	int references;

	if (unlikely(order > MAX_ORDER || page < b->memmap || page >= b->memmap_end)) {
		report_bad_free(b, page, order, caller);
		return false;
	}
	/* One test for the good case: a first page, allocated, with this order. */
	flags = page->flags;
	if (unlikely((flags & (PG_head | PG_reserved | PG_buddy | PG_pcp | PG_tail)) != PG_head ||
		     page->private != order)) {
		report_bad_free(b, page, order, caller);
		return false;
	}
	/* Checked and dropped in one step: of two racing last drops, one finds none left. */
	references = page_ref_dec_unless_zero(page);
	if (unlikely(references != 1)) {
		if (references > 1)
			return true;
		report_bad_free(b, page, order, caller);
		return false;
	}
	if (likely(order == 0 && !b->poison)) {
		/* The common case, as free_block() would do it, inline. */
		struct zone *zone = &b->zones[(flags & PAGE_ZONE_MASK) >> PAGE_ZONE_SHIFT];
		uint32_t pcp_flags = (flags & PAGE_ZONE_MASK) | PG_pcp;
		struct per_cpu_pages *pcp;
		uint64_t irq_flags = local_irq_save();

		pcp = this_cpu_ptr(zone->pcp);
		page_flags_write(page, pcp_flags);
		list_add(&page->lru, &pcp->list);
		pcp->frees++;           /* interrupts are off */
		if (unlikely(++pcp->count > pcp->high))
			pcp_drain(b, zone, pcp, pcp->batch);
		local_irq_restore(irq_flags);
		return true;
	}
	free_block(b, page, order);
	return true;
}

size_t buddy_alloc_bulk(struct buddy *b, gfp_t gfp, size_t count, struct page **pages)
{
	size_t filled = 0;

	for (size_t i = 0; i < count; i++) {
		if (!pages[i])
			pages[i] = buddy_alloc(b, gfp | __GFP_NOWARN, 0, NULL);
		if (!pages[i])
			break;
		filled++;
	}
	return filled;
}

uint64_t buddy_free_pages(const struct buddy *b)
{
	uint64_t free = 0;

	for (int z = 0; z < NR_ZONES; z++) {
		free += __atomic_load_n(&b->zones[z].free_pages, __ATOMIC_RELAXED);
		for (int cpu = 0; cpu < NR_CPUS; cpu++)
			free += __atomic_load_n(&b->zones[z].pcp[cpu].count, __ATOMIC_RELAXED);
	}
	return free;
}

uint64_t buddy_managed_pages(const struct buddy *b)
{
	uint64_t managed = 0;

	for (int z = 0; z < NR_ZONES; z++)
		managed += b->zones[z].managed_pages;
	return managed;
}
