// SPDX-License-Identifier: MIT
/*
 * Memory-management bring-up: the early allocator over the sanitized map,
 * the kernel page tables, the memmap, the hand-over to the page
 * allocator, then the TLB ceiling and the page-table audit.
 */
#include <asm/paging.h>
#include <asm/paging_init.h>
#include <asm/smpboot.h>
#include <asm/tlb.h>
#include <boot.h>
#include <cmdline.h>
#include <kernel.h>
#include <memblock.h>
#include <firmware_map.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>
#include <random.h>
#include <slab.h>
#include <vmalloc.h>

#include "slab.h"

#define MEMORY_RANGES 1024
#define RESERVED_RANGES 256

static struct memblock_range memory_ranges[MEMORY_RANGES];
static struct memblock_range reserved_ranges[RESERVED_RANGES];
struct memblock boot_memblock;

/* The 328-byte object, the textbook case of internal fragmentation. */
static void print_example_layout(void)
{
	struct kmem_cache *cache = kmem_cache_create("example-328", 328, 0, SLAB_HWCACHE_ALIGN, NULL);
	struct slab_stats stats;
	unsigned int lost;

	if (!cache)
		return;
	slab_backend_stats(cache, &stats);
	lost = stats.stride - 328;
	pr_info("slab: a 328-byte SLAB_HWCACHE_ALIGN object takes a %u-byte slot (%u bytes or "
		"%u.%u%% lost to alignment), %u per %lu KiB slab\n", stats.stride, lost,
		lost * 100 / stats.stride, lost * 1000 / stats.stride % 10, stats.objects_per_slab,
		(PAGE_SIZE << stats.order) / 1024);
	kmem_cache_destroy(cache);
}

/*
 * The slab layer, its free-pointer keys drawn one per cache from the
 * CPU's random source, or from the stream of slab_seed=N for a run that
 * repeats exactly.  The boot log says which.
 */
static void slab_init(void)
{
	const char *seed_text = boot_cmdline_get("slab_seed");
	struct random_counts before = random_counts;
	char sources[96];
	uint64_t seed;

	pr_info("slab: back-end %s (make SLAB_BACKEND=%s)\n", slab_backend_name, slab_backend_name);
	if (seed_text && parse_uint(seed_text, &seed)) {
		slab_allocator_init(&kernel_slab, &kernel_buddy, seed, NULL);
		pr_info("slab: free-pointer keys from slab_seed=%s (repeatable, and not secret)\n",
			seed_text);
		return;
	}
	if (seed_text)
		pr_warn("slab_seed=%s: expected a decimal or 0x-hex number; keys are random\n",
			seed_text);
	slab_allocator_init(&kernel_slab, &kernel_buddy, 0, get_random_u64);
	pr_info("slab: free-pointer keys drawn per cache: %s%s\n",
		random_sources_since(&before, sources, sizeof(sources)),
		random_counts.counter != before.counter ? " (the CPU has no random source: guessable)"
							: "");
}

void mm_init(const struct firmware_map *map, bool page_poison, const char *slab_debug)
{
	/* The AP start-up pages, from low memory, before any allocator exists. */
	smp_reserve_trampoline(map);
	memblock_init(&boot_memblock, memory_ranges, MEMORY_RANGES, reserved_ranges, RESERVED_RANGES);
	if (memblock_add_firmware_map(&boot_memblock, map))
		panic("mm: the memory map does not fit the early allocator");

	paging_init(&boot_memblock, map);
	vmemmap_init(&boot_memblock, map);
	early_mem_dump(&boot_memblock);
	page_alloc_init(&boot_memblock, map, page_poison);
	page_alloc_print_meminfo();
	if (slab_debug && !slab_parse_debug(&kernel_slab, slab_debug))
		pr_warn("slab_debug=%s: expected letters F, Z, P, U, optionally ,cache-glob\n", slab_debug);
	slab_init();
	print_example_layout();
	slabinfo_print();
	vmalloc_init();
	tlb_measure_ceiling();

	pr_info("Kernel page tables:\n");
	ptdump_print();
	ptdump_check_wx();
}
