// SPDX-License-Identifier: MIT
/*
 * The virtual memmap: struct page for every RAM frame at vmemmap + pfn.
 *
 * Only the parts of the array that describe RAM are backed, rounded out
 * to whole 4 MiB blocks of frames.  Where a whole
 * 2 MiB stretch of the array is needed (about 200 MiB of RAM at 40 bytes per
 * page) it is backed by one 2 MiB page; the edges by 4 KiB pages.
 */
#include <asm/paging.h>
#include <kernel.h>
#include <kstring.h>
#include <memblock.h>
#include <firmware_map.h>
#include <mm.h>
#include <printk.h>

#define LARGE_PAGE (2 * MiB)
#define MEMMAP_BLOCK_PAGES 1024ull   /* 2^MAX_ORDER frames */

struct page *const vmemmap = (struct page *)VMEMMAP_BASE;

static uint64_t backing_bytes;
static uint64_t frames;
static uint8_t *backed_blocks;   /* bit per MEMMAP_BLOCK_PAGES frames whose struct pages exist */

const uint8_t *vmemmap_backed_blocks(void)
{
	return backed_blocks;
}

uint64_t vmemmap_bytes(void)
{
	return backing_bytes;
}

uint64_t vmemmap_frames(void)
{
	return frames;
}

static bool is_backed(uint64_t va)
{
	struct page_walk walk;

	return walk_kernel_address(va, &walk);
}

/* Back [va, va + size) with one fresh zeroed block. Return: false if memory ran out. */
static bool back_with(struct memblock *mb, uint64_t va, uint64_t size)
{
	uint64_t phys = memblock_alloc(mb, size, size, 0, "memmap");

	if (!phys)
		return false;
	memset(__va(phys), 0, size);
	if (map_kernel_range(va, phys, size, PAGE_KERNEL)) {
		memblock_free(mb, phys, size);
		return false;
	}
	backing_bytes += size;
	return true;
}

/* Back the memmap entries of frames [first_pfn, end_pfn). */
static void populate(struct memblock *mb, uint64_t first_pfn, uint64_t end_pfn)
{
	uint64_t va = ALIGN_DOWN((uint64_t)pfn_to_page(first_pfn), PAGE_SIZE);
	uint64_t end = ALIGN_UP((uint64_t)pfn_to_page(end_pfn), PAGE_SIZE);

	while (va < end) {
		uint64_t step = PAGE_SIZE;

		if (IS_ALIGNED(va, LARGE_PAGE) && end - va >= LARGE_PAGE && !is_backed(va) &&
		    !is_backed(va + LARGE_PAGE - PAGE_SIZE) && back_with(mb, va, LARGE_PAGE)) {
			va += LARGE_PAGE;
			continue;
		}
		if (!is_backed(va) && !back_with(mb, va, step))
			panic("memmap: out of memory backing 0x%llx", (unsigned long long)va);
		va += step;
	}
}

void vmemmap_init(struct memblock *mb, const struct firmware_map *map)
{
	uint64_t ram = 0, top = 0, bitmap_bytes, bitmap_phys;

	for (size_t i = 0; i < map->count; i++)
		if (mem_type_is_ram(map->ranges[i].type))
			top = MAX(top, ALIGN_UP(map->ranges[i].end, PAGE_SIZE) >> PAGE_SHIFT);
	bitmap_bytes = ALIGN_UP(ALIGN_UP(top, MEMMAP_BLOCK_PAGES) / MEMMAP_BLOCK_PAGES, 8ull) / 8;
	bitmap_phys = memblock_alloc(mb, ALIGN_UP(bitmap_bytes, PAGE_SIZE), PAGE_SIZE, 0, "memmap map");
	if (!bitmap_phys)
		panic("memmap: no memory for the map of backed blocks");
	backed_blocks = __va(bitmap_phys);
	memset(backed_blocks, 0, bitmap_bytes);

	for (size_t i = 0; i < map->count; i++) {
		const struct mem_range *r = &map->ranges[i];
		uint64_t first = r->base >> PAGE_SHIFT, end = ALIGN_UP(r->end, PAGE_SIZE) >> PAGE_SHIFT;

		if (!mem_type_is_ram(r->type))
			continue;
		/*
		 * Whole MAX_ORDER blocks: the page allocator looks at the buddy of
		 * any block it frees, which lies in the same 4 MiB-aligned block.
		 */
		populate(mb, ALIGN_DOWN(first, MEMMAP_BLOCK_PAGES), ALIGN_UP(end, MEMMAP_BLOCK_PAGES));
		for (uint64_t block = first / MEMMAP_BLOCK_PAGES;
		     block < ALIGN_UP(end, MEMMAP_BLOCK_PAGES) / MEMMAP_BLOCK_PAGES; block++)
			backed_blocks[block / 8] |= (uint8_t)(1u << (block % 8));
		for (uint64_t pfn = first; pfn < end; pfn++)
			pfn_to_page(pfn)->flags = PG_reserved;
		frames += end - first;
		ram += (end - first) << PAGE_SHIFT;
	}
	pr_info("memmap: %llu frames, struct page %zu bytes, %llu KiB of memmap (%llu.%02llu%% of RAM)\n",
		(unsigned long long)frames, sizeof(struct page),
		(unsigned long long)(backing_bytes / KiB),
		(unsigned long long)(ram ? backing_bytes * 100 / ram : 0),
		(unsigned long long)(ram ? backing_bytes * 10000 / ram % 100 : 0));
}
