// SPDX-License-Identifier: MIT
/*
 * Kernel page tables and the TLB on the running machine: remapping is seen
 * at once, protections fault as they should, page-table pages come back,
 * the kernel image and the direct map are laid out as documented.
 *
 * Test mappings live in the self-test window of the memory layout
 * (KTEST_WINDOW_START, <asm/memlayout.h>), one 512 GiB PML4 slot that no
 * allocator hands out; test pages come from the page allocator.
 */
#include <asm/cpufeature.h>
#include <asm/extable.h>
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <asm/pgtable.h>
#include <asm/probe.h>
#include <asm/tlb.h>
#include <asm/traps.h>
#include <boot.h>
#include <errno.h>
#include <kernel.h>
#include <ktest.h>
#include <gfp.h>
#include <mm.h>

/* Single test pages at the start of the window; the page-table cases use the whole slot. */
#define TEST_WINDOW KTEST_WINDOW_START
#define EMPTY_SLOT KTEST_WINDOW_START

void kernel_main(uint32_t magic, uint32_t info_phys);
static const uint64_t read_only_cell = 0x5eed;

static uint64_t test_page(struct ktest *t, uint64_t fill)
{
	struct page *page = alloc_page(GFP_KERNEL);
	uint64_t phys, *words;

	KASSERT_NOT_NULL(t, page);
	phys = page_to_pfn(page) << PAGE_SHIFT;
	words = __va(phys);
	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		words[i] = fill + i;
	return phys;
}

static void free_test_page(uint64_t phys)
{
	__free_page(pfn_to_page(phys >> PAGE_SHIFT));
}

static uint64_t read_word(uint64_t va)
{
	return *(volatile uint64_t *)va;
}

/* The level-0 entry that maps @va (test code pokes it to test the TLB). */
static uint64_t *leaf_entry(uint64_t va)
{
	struct page_walk walk;

	if (!walk_kernel_address(va, &walk) || walk.leaf_level != 0)
		return NULL;
	return (uint64_t *)__va(entry_address(walk.entry[2])) + level_index(va, 0);
}

static void test_remap_sees_the_new_page(struct ktest *t)
{
	uint64_t a = test_page(t, 0xa000), b = test_page(t, 0xb000), va = TEST_WINDOW;

	KASSERT_EQ(t, map_kernel_range(va, a, PAGE_SIZE, PAGE_KERNEL), 0);
	KEXPECT_UEQ(t, read_word(va + 16), 0xa002);
	KEXPECT_EQ(t, unmap_kernel_range(va, PAGE_SIZE), PAGE_SIZE);
	KASSERT_EQ(t, map_kernel_range(va, b, PAGE_SIZE, PAGE_KERNEL), 0);
	KEXPECT_UEQ(t, read_word(va + 16), 0xb002);
	KEXPECT_EQ(t, unmap_kernel_range(va, PAGE_SIZE), PAGE_SIZE);
	free_test_page(a);
	free_test_page(b);
}

/*
 * A global entry survives CR3 loads on real hardware (and Bochs), so a
 * full flush must drop it: change the entry behind the TLB's back, then
 * flush_tlb_all() must make the new target visible.
 */
static void test_flush_all_drops_global_entries(struct ktest *t)
{
	uint64_t a = test_page(t, 0xa000), b = test_page(t, 0xb000), va = TEST_WINDOW + PAGE_SIZE;
	uint64_t *pte;

	KASSERT_EQ(t, map_kernel_range(va, a, PAGE_SIZE, PAGE_KERNEL), 0);
	pte = leaf_entry(va);
	KASSERT_NOT_NULL(t, pte);
	KEXPECT_EQ(t, (*pte & PTE_GLOBAL) != 0, boot_cpu.pge);
	KEXPECT_UEQ(t, read_word(va), 0xa000);          /* loads the TLB entry */
	*pte = (*pte & ~PTE_ADDRESS_MASK) | b;
	flush_tlb_all();
	KEXPECT_UEQ(t, read_word(va), 0xb000);
	*pte = (*pte & ~PTE_ADDRESS_MASK) | a;
	flush_tlb_one_kernel(va);
	KEXPECT_UEQ(t, read_word(va), 0xa000);
	*pte = (*pte & ~PTE_ADDRESS_MASK) | b;
	flush_tlb_kernel_range(va, va + PAGE_SIZE);
	KEXPECT_UEQ(t, read_word(va), 0xb000);
	KEXPECT_EQ(t, unmap_kernel_range(va, PAGE_SIZE), PAGE_SIZE);
	free_test_page(a);
	free_test_page(b);
}

static void test_unmapped_address_faults(struct ktest *t)
{
	uint64_t value;

	KEXPECT_EQ(t, probe_read_u64((void *)(TEST_WINDOW + 7 * PAGE_SIZE), &value), -1);
	KEXPECT_UEQ(t, last_exception_fixup.vector, X86_PF);
	KEXPECT_UEQ(t, last_exception_fixup.error_code & PF_PRESENT, 0);
	KEXPECT_EQ(t, probe_read_u64((void *)0x1000, &value), -1);
}

static void test_read_only_write_faults(struct ktest *t)
{
	uint64_t a = test_page(t, 0x1000), va = TEST_WINDOW + 2 * PAGE_SIZE, value = 0;

	KASSERT_EQ(t, map_kernel_range(va, a, PAGE_SIZE, PAGE_KERNEL_RO), 0);
	KEXPECT_EQ(t, probe_read_u64((void *)va, &value), 0);
	KEXPECT_UEQ(t, value, 0x1000);
	KEXPECT_EQ(t, probe_write_u64((void *)va, 1), -1);
	KEXPECT_UEQ(t, last_exception_fixup.vector, X86_PF);
	KEXPECT_UEQ(t, last_exception_fixup.error_code & (PF_PRESENT | PF_WRITE), PF_PRESENT | PF_WRITE);
	KEXPECT_UEQ(t, last_exception_fixup.cr2, va);
	KEXPECT_UEQ(t, read_word(va), 0x1000);
	unmap_kernel_range(va, PAGE_SIZE);
	free_test_page(a);
}

static void test_protect_changes_permissions(struct ktest *t)
{
	uint64_t a = test_page(t, 0), va = TEST_WINDOW + 3 * PAGE_SIZE;

	KASSERT_EQ(t, map_kernel_range(va, a, PAGE_SIZE, PAGE_KERNEL), 0);
	KEXPECT_EQ(t, probe_write_u64((void *)va, 11), 0);
	KEXPECT_EQ(t, protect_kernel_range(va, PAGE_SIZE, PAGE_KERNEL_RO), 0);
	KEXPECT_EQ(t, probe_write_u64((void *)va, 12), -1);
	KEXPECT_UEQ(t, read_word(va), 11);
	KEXPECT_EQ(t, protect_kernel_range(va, PAGE_SIZE, PAGE_KERNEL), 0);
	KEXPECT_EQ(t, probe_write_u64((void *)va, 13), 0);
	KEXPECT_UEQ(t, read_word(va), 13);
	KEXPECT_EQ(t, protect_kernel_range(va + PAGE_SIZE, PAGE_SIZE, PAGE_KERNEL), -ENOENT);
	unmap_kernel_range(va, PAGE_SIZE);
	free_test_page(a);
}

/*
 * Without NX nothing can be made non-executable, and bit 63 of an entry
 * is reserved (setting it faults every access): the mapping must be
 * executable and leave that bit clear.  The NX checks are then skipped.
 */
static void expect_executable_without_nx(struct ktest *t, uint64_t va)
{
	struct page_walk walk;

	KASSERT_TRUE(t, walk_kernel_address(va, &walk));
	KEXPECT_UEQ(t, walk.entry[walk.levels - 1] & PTE_NO_EXECUTE, 0);
	KEXPECT_EQ(t, probe_execute((void *)va), 0);
	ktest_skip(t, "CPU has no NX (CPUID 0x80000001 EDX[20]): checked only that pages stay executable");
}

static void test_no_execute(struct ktest *t)
{
	uint64_t a = test_page(t, 0), va = TEST_WINDOW + 4 * PAGE_SIZE;

	*(uint8_t *)__va(a) = 0xc3; /* ret */
	KASSERT_EQ(t, map_kernel_range(va, a, PAGE_SIZE, PAGE_KERNEL_RX), 0);
	KEXPECT_EQ(t, probe_execute((void *)va), 0);
	unmap_kernel_range(va, PAGE_SIZE);
	KASSERT_EQ(t, map_kernel_range(va, a, PAGE_SIZE, PAGE_KERNEL_RO), 0);
	if (boot_cpu.nx) {
		KEXPECT_EQ(t, probe_execute((void *)va), -1);
		KEXPECT_UEQ(t, last_exception_fixup.error_code & (PF_PRESENT | PF_INSTR),
			    PF_PRESENT | PF_INSTR);
		/* Kernel data is not executable either. */
		*(uint8_t *)__va(a) = 0xc3;
		KEXPECT_EQ(t, probe_execute(__va(a)), -1);
	} else {
		expect_executable_without_nx(t, va);
	}
	unmap_kernel_range(va, PAGE_SIZE);
	free_test_page(a);
}

static void test_bad_requests_refused(struct ktest *t)
{
	uint64_t a = test_page(t, 0x7000), va = TEST_WINDOW + 6 * PAGE_SIZE, value;

	KEXPECT_EQ(t, map_kernel_range(va, a, PAGE_SIZE, PROT_WRITE | PROT_EXEC), -EINVAL);
	KEXPECT_EQ(t, map_kernel_range(va + 1, a, PAGE_SIZE, PAGE_KERNEL), -EINVAL);
	KEXPECT_EQ(t, map_kernel_range(0x1000, a, PAGE_SIZE, PAGE_KERNEL), -EINVAL);
	KASSERT_EQ(t, map_kernel_range(va, a, PAGE_SIZE, PAGE_KERNEL), 0);
	/* Overlapping the existing page: refused, and nothing else mapped. */
	KEXPECT_EQ(t, map_kernel_range(va - PAGE_SIZE, a, 3 * PAGE_SIZE, PAGE_KERNEL), -EEXIST);
	KEXPECT_UEQ(t, read_word(va), 0x7000);
	KEXPECT_EQ(t, probe_read_u64((void *)(va - PAGE_SIZE), &value), -1);
	KEXPECT_EQ(t, unmap_kernel_range(va - PAGE_SIZE, 3 * PAGE_SIZE), PAGE_SIZE);
	free_test_page(a);
}

/* The very last page of the address space: flushes must not wrap to an empty range. */
static void test_last_page_of_address_space(struct ktest *t)
{
	uint64_t a = test_page(t, 0xe000), va = 0xfffffffffffff000ull, value;

	KASSERT_EQ(t, map_kernel_range(va, a, PAGE_SIZE, PAGE_KERNEL), 0);
	KEXPECT_UEQ(t, read_word(va), 0xe000);
	KEXPECT_EQ(t, protect_kernel_range(va, PAGE_SIZE, PAGE_KERNEL_RO), 0);
	KEXPECT_EQ(t, probe_write_u64((void *)va, 1), -1);
	KEXPECT_EQ(t, unmap_kernel_range(va, PAGE_SIZE), PAGE_SIZE);
	KEXPECT_EQ(t, probe_read_u64((void *)va, &value), -1);
	free_test_page(a);
}

static void test_pagetable_pages_come_back(struct ktest *t)
{
	uint64_t a = test_page(t, 0), before = pagetable_pages_in_use();
	struct page_walk walk;

	/* The window's slot is empty (no PDPT): one PDPT, one PD and one PT are needed. */
	KASSERT_FALSE(t, walk_kernel_address(EMPTY_SLOT, &walk));
	KASSERT_EQ(t, walk.levels, 1);
	KASSERT_EQ(t, map_kernel_range(EMPTY_SLOT, a, PAGE_SIZE, PAGE_KERNEL), 0);
	KEXPECT_EQ(t, pagetable_pages_in_use(), before + 3);
	KEXPECT_EQ(t, map_kernel_range(EMPTY_SLOT + GiB, a, PAGE_SIZE, PAGE_KERNEL), 0);
	KEXPECT_EQ(t, pagetable_pages_in_use(), before + 5);
	KEXPECT_EQ(t, unmap_kernel_range(EMPTY_SLOT, 2 * GiB), 2 * PAGE_SIZE);
	KEXPECT_EQ(t, pagetable_pages_in_use(), before);
	KEXPECT_FALSE(t, walk_kernel_address(EMPTY_SLOT, &walk));
	KEXPECT_EQ(t, walk.levels, 1);
	free_test_page(a);
}

static void test_large_pages_split_on_partial_unmap(struct ktest *t)
{
	struct page *block = alloc_pages(GFP_KERNEL, 10);
	uint64_t phys, va = EMPTY_SLOT + 2 * MiB, before = pagetable_pages_in_use();
	struct page_walk walk;

	KASSERT_NOT_NULL(t, block);
	phys = page_to_pfn(block) << PAGE_SHIFT;
	*(volatile uint64_t *)__va(phys + 2 * MiB + 5 * PAGE_SIZE) = 0x5a5a;
	KASSERT_EQ(t, map_kernel_range(va, phys, 4 * MiB, PAGE_KERNEL), 0);
	KASSERT_TRUE(t, walk_kernel_address(va + 2 * MiB, &walk));
	KEXPECT_EQ(t, walk.leaf_level, 1);
	KEXPECT_EQ(t, pagetable_pages_in_use(), before + 2);
	/* Unmapping one 4 KiB page splits its 2 MiB page; its neighbours stay. */
	KEXPECT_EQ(t, unmap_kernel_range(va + 2 * MiB + 4 * PAGE_SIZE, PAGE_SIZE), PAGE_SIZE);
	KASSERT_TRUE(t, walk_kernel_address(va + 2 * MiB + 5 * PAGE_SIZE, &walk));
	KEXPECT_EQ(t, walk.leaf_level, 0);
	KEXPECT_UEQ(t, walk.phys, phys + 2 * MiB + 5 * PAGE_SIZE);
	KEXPECT_UEQ(t, read_word(va + 2 * MiB + 5 * PAGE_SIZE), 0x5a5a);
	KEXPECT_FALSE(t, walk_kernel_address(va + 2 * MiB + 4 * PAGE_SIZE, &walk));
	KEXPECT_EQ(t, unmap_kernel_range(va, 4 * MiB), 4 * MiB - PAGE_SIZE);
	KEXPECT_EQ(t, pagetable_pages_in_use(), before);
	__free_pages(block, 10);
}

static void test_kernel_image_protections(struct ktest *t)
{
	uint64_t text = (uint64_t)&kernel_main, rodata = (uint64_t)&read_only_cell, value;
	static uint64_t data_cell;
	struct page_walk walk;

	KASSERT_TRUE(t, walk_kernel_address(text, &walk));
	KEXPECT_UEQ(t, walk.prot & (PROT_WRITE | PROT_EXEC), PROT_EXEC);
	KEXPECT_EQ(t, walk.global, boot_cpu.pge);
	KEXPECT_UEQ(t, walk.phys, text - KERNEL_VMA);
	/* Writing text faults (the value written is the one there, so a bug costs nothing). */
	KEXPECT_EQ(t, probe_read_u64((void *)text, &value), 0);
	KEXPECT_EQ(t, probe_write_u64((void *)text, value), -1);

	KASSERT_TRUE(t, walk_kernel_address(rodata, &walk));
	KEXPECT_UEQ(t, walk.prot & PROT_WRITE, 0);
	KEXPECT_EQ(t, probe_write_u64((void *)rodata, read_only_cell), -1);
	KEXPECT_UEQ(t, read_only_cell, 0x5eed);

	KASSERT_TRUE(t, walk_kernel_address((uint64_t)&data_cell, &walk));
	KEXPECT_UEQ(t, walk.prot & PROT_WRITE, PROT_WRITE);
	/* Data is NX where the CPU has NX; without it every page is executable. */
	KEXPECT_UEQ(t, walk.prot & PROT_EXEC, boot_cpu.nx ? 0 : PROT_EXEC);
}

static void test_no_writable_executable_mapping(struct ktest *t)
{
	KEXPECT_UEQ(t, ptdump_check_wx(), 0);
}

/* Map layout: RAM is in the direct map at the right address; other ranges are not. */
static void test_direct_map_matches_memory_map(struct ktest *t)
{
	const struct firmware_map *map = boot_get_firmware_map();
	const struct boot_framebuffer *fb = &boot_get_info()->framebuffer;
	struct page_walk walk;

	for (size_t i = 0; i < map->count; i++) {
		const struct mem_range *r = &map->ranges[i];
		uint64_t first = ALIGN_UP(r->base, PAGE_SIZE), last = ALIGN_DOWN(r->end - 1, PAGE_SIZE);

		if (first > last)
			continue;
		if (mem_type_is_ram(r->type)) {
			KEXPECT_TRUE(t, walk_kernel_address((uint64_t)__va(first), &walk));
			KEXPECT_UEQ(t, walk.phys, first);
			KEXPECT_UEQ(t, walk.prot & (PROT_WRITE | PROT_EXEC),
				    boot_cpu.nx ? PROT_WRITE : PROT_WRITE | PROT_EXEC);
			KEXPECT_TRUE(t, walk_kernel_address((uint64_t)__va(last), &walk));
			KEXPECT_UEQ(t, walk.phys, last);
		} else if (!(fb->present && fb->addr < r->end && r->base < fb->addr + (uint64_t)fb->pitch * fb->height) &&
			   r->base >= 1 * MiB) {
			KEXPECT_FALSE(t, walk_kernel_address((uint64_t)__va(first), &walk));
			KEXPECT_FALSE(t, walk_kernel_address((uint64_t)__va(last), &walk));
		}
	}
}

/*
 * Every usable page below 4 GiB reads and writes through __va.  Above
 * 4 GiB, the first and last page of each range and one page per GiB: a
 * 64 GiB guest must not have all of its memory touched (a host backing
 * guest RAM with 2 MiB transparent huge pages would commit all of it even
 * for a sparse stride).
 */
static void test_every_usable_page_is_accessible(struct ktest *t)
{
	const struct firmware_map *map = boot_get_firmware_map();
	uint64_t pages = 0, failures = 0;

	for (size_t i = 0; i < map->count; i++) {
		const struct mem_range *r = &map->ranges[i];

		if (r->type != MEM_USABLE)
			continue;
		for (uint64_t phys = r->base; phys < r->end; phys += PAGE_SIZE) {
			volatile uint64_t *word = __va(phys + (phys >> 12) % 512 * 8);
			uint64_t saved;

			if (phys >= 4 * GiB && phys != r->base && phys != r->end - PAGE_SIZE &&
			    !IS_ALIGNED(phys, GiB)) {
				/* Jump to the next GiB boundary (or the range's last page). */
				phys = MIN(ALIGN_UP(phys + 1, GiB), r->end - PAGE_SIZE) - PAGE_SIZE;
				continue;
			}
			saved = *word;
			*word = phys ^ 0x5555aaaa5555aaaaull;
			failures += *word != (phys ^ 0x5555aaaa5555aaaaull);
			*word = saved;
			pages++;
		}
	}
	KEXPECT_UGT(t, pages, 1000);
	KEXPECT_UEQ(t, failures, 0);
}

static void test_memmap_describes_ram(struct ktest *t)
{
	const struct firmware_map *map = boot_get_firmware_map();
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned int carves = 0;

	KEXPECT_UGT(t, vmemmap_frames(), 0);
	/* One struct page per frame, plus whole 4 MiB blocks of frames at each range's ends. */
	KEXPECT_ULE(t, vmemmap_bytes(), vmemmap_frames() * sizeof(struct page) + map->count * 96 * KiB);
	/* The kernel's own ranges stay reserved; the page allocator's pages are not. */
	for (size_t i = 0; i < map->count; i++) {
		const struct mem_range *r = &map->ranges[i];

		if (!mem_type_is_carve(r->type))
			continue;
		carves++;
		KEXPECT_UEQ(t, pfn_to_page(r->base >> PAGE_SHIFT)->flags & PG_reserved, PG_reserved);
		KEXPECT_UEQ(t, pfn_to_page((r->end - 1) >> PAGE_SHIFT)->flags & PG_reserved, PG_reserved);
	}
	KEXPECT_UGT(t, carves, 0);  /* the kernel image at least */
	KASSERT_NOT_NULL(t, page);
	KEXPECT_UEQ(t, page->flags & PG_reserved, 0);
	KEXPECT_PTR_EQ(t, virt_to_page(page_address(page)), page);
	__free_page(page);
	KEXPECT_PTR_EQ(t, virt_to_page(__va(0x200000)), pfn_to_page(0x200));
	KEXPECT_PTR_EQ(t, page_address(pfn_to_page(0x345)), __va(0x345000));
}

static void test_tlb_ceiling_and_counts(struct ktest *t)
{
	struct tlb_stats before = tlb_stats;

	KEXPECT_GE(t, tlb_flush_ceiling, 8);
	KEXPECT_LE(t, tlb_flush_ceiling, 512);
	flush_tlb_kernel_range(TEST_WINDOW, TEST_WINDOW + 2 * PAGE_SIZE);
	KEXPECT_UEQ(t, tlb_stats.range, before.range + 1);
	flush_tlb_kernel_range(TEST_WINDOW, TEST_WINDOW + (tlb_flush_ceiling + 1) * PAGE_SIZE);
	KEXPECT_UEQ(t, tlb_stats.full, before.full + 1);
}

KTEST_SUITE(paging,
	    KTEST_CASE(test_remap_sees_the_new_page),
	    KTEST_CASE(test_flush_all_drops_global_entries),
	    KTEST_CASE(test_unmapped_address_faults),
	    KTEST_CASE(test_read_only_write_faults),
	    KTEST_CASE(test_protect_changes_permissions),
	    KTEST_CASE(test_no_execute),
	    KTEST_CASE(test_bad_requests_refused),
	    KTEST_CASE(test_last_page_of_address_space),
	    KTEST_CASE(test_pagetable_pages_come_back),
	    KTEST_CASE(test_large_pages_split_on_partial_unmap),
	    KTEST_CASE(test_kernel_image_protections),
	    KTEST_CASE(test_no_writable_executable_mapping),
	    KTEST_CASE(test_direct_map_matches_memory_map),
	    KTEST_CASE(test_every_usable_page_is_accessible),
	    KTEST_CASE(test_memmap_describes_ram),
	    KTEST_CASE(test_tlb_ceiling_and_counts));
