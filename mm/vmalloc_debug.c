// SPDX-License-Identifier: MIT
/*
 * vmalloc's debugging side: the description of a faulting address for
 * fault reports, the statistics and vmallocinfo, and the vmalloc_check()
 * validator.  Nothing here is on the allocation or free path.
 */
#include <asm/memlayout.h>
#include <kernel.h>
#include <printk.h>
#include <spinlock.h>
#include <symbols.h>
#include <vmalloc.h>
#include <vmap_area.h>

#include "vmalloc_internal.h"

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
	area = vmap_busy_find_containing(address);
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
	*out = vmap_stats;
	spin_unlock_irqrestore(&vmap_lock, flags);
}

/* Areas in address order, for printing. vmap_lock held. */
static size_t collect_sorted(struct vm_area **out, size_t max)
{
	size_t count = 0;

	assert_spin_locked(&vmap_lock);

	for (unsigned int b = 0; b < VMAP_BUCKETS; b++)
		for (struct vm_area *area = vmap_busy[b]; area && count < max; area = area->next) {
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
			(unsigned long long)(area->start + area->size + VMAP_GUARD_SIZE),
			(unsigned long long)(area->size + VMAP_GUARD_SIZE),
			symbol_format((uint64_t)area->caller, symbol, sizeof(symbol)), area->page_count,
			area->kind == VM_KIND_VMALLOC ? "vmalloc" : "vmap");
	}
	pr_info("vmalloc: %llu areas, %llu pages, %llu areas (%llu pages) awaiting purge, %llu purges\n",
		(unsigned long long)vmap_stats.areas, (unsigned long long)vmap_stats.pages,
		(unsigned long long)vmap_stats.lazy_areas, (unsigned long long)vmap_stats.lazy_pages,
		(unsigned long long)vmap_stats.purges);
	spin_unlock_irqrestore(&vmap_lock, flags);
}

const char *vmalloc_check(void)
{
	const char *broken;
	uint64_t flags, busy_bytes = 0, lazy_bytes = 0;

	spin_lock_irqsave(&vmap_lock, flags);
	broken = vmap_space_check(&vmap_free_space);
	for (unsigned int b = 0; b < VMAP_BUCKETS && !broken; b++)
		for (struct vm_area *area = vmap_busy[b]; area && !broken; area = area->next) {
			if (vmap_space_is_free(&vmap_free_space, area->start) ||
			    vmap_space_is_free(&vmap_free_space, area->start + area->size))
				broken = "a busy area overlaps free space";
			else if (vmap_bucket_of(area->start) != b)
				broken = "a busy area is in the wrong hash bucket";
			busy_bytes += area->size + VMAP_GUARD_SIZE;
		}
	for (struct vm_area *area = vmap_lazy_list; area && !broken; area = area->next) {
		if (vmap_space_is_free(&vmap_free_space, area->start))
			broken = "a range awaiting purge is already free (it could be reused too early)";
		lazy_bytes += area->size + VMAP_GUARD_SIZE;
	}
	if (!broken && vmap_space_free_bytes(&vmap_free_space) + busy_bytes + lazy_bytes +
			       vmap_transit_bytes != VMALLOC_END - VMALLOC_START)
		broken = "free + busy + lazy + in-transit bytes do not add up to the vmalloc area";
	spin_unlock_irqrestore(&vmap_lock, flags);
	return broken;
}

bool vmalloc_is_area_start(const void *address)
{
	struct vm_area *area;
	uint64_t flags;
	bool start;

	spin_lock_irqsave(&vmap_lock, flags);
	area = vmap_busy_find_containing((uint64_t)address);
	start = area && area->start == (uint64_t)address;
	spin_unlock_irqrestore(&vmap_lock, flags);
	return start;
}
