// SPDX-License-Identifier: MIT
/* What the buddy allocator's host suites share (contract in buddy_arena.h). */
#include <buddy.h>
#include <ktest.h>
#include <printk.h>

#include "../../mm/buddy_internal.h"

#include "buddy_arena.h"

/*
 * The buddy allocator's on_each_cpu (mm/buddy_internal.h): run @fn as
 * each CPU in turn, on this thread, with the pretend interrupts off.  The
 * host tests call it only at quiet points (no other thread in the
 * allocator), which is what makes borrowing another CPU's identity safe.
 */
void buddy_run_on_each_cpu(void (*fn)(void *arg), void *arg)
{
	unsigned int self = smp_processor_id();
	uint64_t flags = local_irq_save();

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		host_set_cpu(cpu);
		fn(arg);
	}
	host_set_cpu(self);
	local_irq_restore(flags);
}

struct page *page_of(struct arena *a, uint64_t pfn)
{
	return buddy_pfn_to_page(&a->buddy, pfn);
}

uint64_t pfn_of(struct arena *a, const struct page *page)
{
	return buddy_page_to_pfn(&a->buddy, page);
}

uint8_t *contents_of(struct arena *a, const struct page *page)
{
	return buddy_page_address(&a->buddy, page);
}

int zone_index(struct arena *a, const struct page *page)
{
	return (int)(buddy_page_zone(&a->buddy, page) - a->buddy.zones);
}

int expected_zone(uint64_t pfn)
{
	return pfn < 4096 ? ZONE_DMA : pfn < FOUR_GIB_PFN ? ZONE_DMA32 : ZONE_NORMAL;
}

struct page *arena_alloc(struct arena *a, gfp_t gfp, unsigned int order)
{
	return buddy_alloc(&a->buddy, gfp, order, __builtin_return_address(0));
}

bool arena_free(struct arena *a, struct page *page, unsigned int order)
{
	return buddy_free(&a->buddy, page, order, __builtin_return_address(0));
}

uint64_t free_page_count(struct arena *a)
{
	return buddy_free_pages(&a->buddy);
}

struct free_counts free_counts(struct arena *a)
{
	struct free_counts counts;

	for (int z = 0; z < NR_ZONES; z++)
		for (int o = 0; o < NR_ORDERS; o++)
			counts.blocks[z][o] = a->buddy.zones[z].free_area[o].count;
	return counts;
}

void expect_counts(struct ktest *t, struct arena *a, const struct free_counts *expected)
{
	struct free_counts now = free_counts(a);

	for (int z = 0; z < NR_ZONES; z++)
		for (int o = 0; o < NR_ORDERS; o++)
			if (now.blocks[z][o] != expected->blocks[z][o]) {
				printk("        # zone %d order %d:\n", z, o);
				KEXPECT_UEQ(t, now.blocks[z][o], expected->blocks[z][o]);
			}
}

unsigned int pcp_count(struct arena *a, int zone)
{
	return a->buddy.zones[zone].pcp[0].count;
}

void free_all(struct ktest *t, struct arena *a, struct page **pages, size_t count,
	      unsigned int order)
{
	for (size_t i = count; i-- > 0;)
		KASSERT_TRUE(t, arena_free(a, pages[i], order));
	buddy_drain_pcp(&a->buddy);
	CHECK(t, a);
}
