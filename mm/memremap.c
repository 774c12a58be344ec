// SPDX-License-Identifier: MIT
/*
 * memremap: cached mappings of physical ranges (contract in include/io.h),
 * built on vmap_pfn(): the range's page frames, listed one by one, mapped
 * into a fresh vmalloc-area range followed by a guard page.
 */
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <io.h>
#include <kernel.h>
#include <printk.h>
#include <slab.h>
#include <vmalloc.h>

/* Physical addresses have at most 52 bits (the page-table entry format). */
#define PHYS_ADDRESS_LIMIT (1ull << 52)
/* Frames listed on the stack up to this many; larger requests use kmalloc. */
#define ON_STACK_FRAMES 16

void *memremap(uint64_t phys, size_t size, unsigned long flags)
{
	unsigned long stack_frames[ON_STACK_FRAMES], *frames = stack_frames;
	uint64_t first, end, count;
	pgprot_t prot;
	void *base;

	if (!size || size > PHYS_ADDRESS_LIMIT || phys > PHYS_ADDRESS_LIMIT - size ||
	    !(flags & MEMREMAP_WB) || (flags & ~(MEMREMAP_WB | MEMREMAP_RO)))
		return NULL;
	prot = flags & MEMREMAP_RO ? PAGE_KERNEL_RO : PAGE_KERNEL;
	first = phys >> PAGE_SHIFT;
	end = ALIGN_UP(phys + size, PAGE_SIZE) >> PAGE_SHIFT;
	count = end - first;
	if (count > UINT32_MAX)
		return NULL;
	if (count > ON_STACK_FRAMES) {
		frames = kmalloc_array(count, sizeof(*frames), GFP_KERNEL);
		if (!frames)
			return NULL;
	}
	for (uint64_t i = 0; i < count; i++)
		frames[i] = first + i;
	base = vmap_pfn(frames, (unsigned int)count, prot);
	if (frames != stack_frames)
		kfree(frames);
	return base ? (char *)base + (phys & (PAGE_SIZE - 1)) : NULL;
}

void memunmap(void *addr)
{
	if (addr)
		vunmap((void *)ALIGN_DOWN((uint64_t)addr, PAGE_SIZE));
}
