/* SPDX-License-Identifier: MIT */
/*
 * The kernel's virtual memory layout (4-level paging, Linux's places).
 *
 *   0x0000000000000000 - 0x00007fffffffffff  unused (no user space); page 0 never mapped
 *   0x0000800000000000 - 0xffff7fffffffffff  non-canonical
 *   0xffff800000000000 -                     kernel half (KERNEL_HALF_START)
 *   0xffff888000000000 - 0xffffc87fffffffff  direct map of physical memory (__va/__pa)
 *   0xffffc90000000000 - 0xffffe8ffffffffff  vmalloc / vmap area
 *   0xffffe98000000000 - 0xffffe9ffffffffff  self-test window (one 512 GiB PML4 slot)
 *   0xffffea0000000000 - 0xffffeaffffffffff  virtual memmap (struct page array)
 *   0xffffffff80000000 -                     kernel image (-mcmodel=kernel)
 *
 * The self-test window belongs to the paging and fault self-tests: no
 * allocator hands out addresses in it, so a test may map, remap and
 * unmap pages there, or fault on an address there, and disturb nothing.
 * Outside a test it is empty, down to its PML4 entry.
 *
 * Until the kernel page tables exist, the boot page tables map only the
 * first 4 GiB of physical memory in the direct map (BOOT_DIRECT_MAP_LIMIT).
 */
#ifndef FERRITE_ASM_MEMLAYOUT_H
#define FERRITE_ASM_MEMLAYOUT_H

#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ul << PAGE_SHIFT)

#define USER_HALF_END 0x0000800000000000ul	/* exclusive */
#define KERNEL_HALF_START 0xffff800000000000ul
#define DIRECT_MAP_BASE 0xffff888000000000ul
#define DIRECT_MAP_END (DIRECT_MAP_BASE + (64ul << 40))	/* exclusive; 64 TiB */
#define VMALLOC_START 0xffffc90000000000ul
#define VMALLOC_END 0xffffe90000000000ul
#define KTEST_WINDOW_START 0xffffe98000000000ul
#define KTEST_WINDOW_END 0xffffea0000000000ul
#define VMEMMAP_BASE 0xffffea0000000000ul
#define VMEMMAP_END (VMEMMAP_BASE + (1ul << 40))	/* exclusive; 1 TiB */
#define KERNEL_VMA 0xffffffff80000000ul

#define BOOT_DIRECT_MAP_LIMIT (4ul << 30)

_Static_assert(KTEST_WINDOW_START >= VMALLOC_END && KTEST_WINDOW_END <= VMEMMAP_BASE,
	       "the self-test window overlaps an allocator's range");
_Static_assert(KTEST_WINDOW_END - KTEST_WINDOW_START == 512ul << 30 &&
	       (KTEST_WINDOW_START & ((512ul << 30) - 1)) == 0,
	       "the self-test window is one whole PML4 slot");

/* Physical address -> its alias in the direct map. */
static inline void *__va(uint64_t phys)
{
	return (void *)(phys + DIRECT_MAP_BASE);
}

/* Direct-map or kernel-image address -> physical address. */
static inline uint64_t __pa(const void *virt)
{
	uint64_t v = (uint64_t)virt;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP_BASE;
}

/* Return: the name of the region of the layout that holds @address. */
static inline const char *address_region_name(uint64_t address)
{
	if (address < PAGE_SIZE)
		return "null page (never mapped)";
	if (address < USER_HALF_END)
		return "lower half (no user space: unmapped)";
	if (address < KERNEL_HALF_START)
		return "non-canonical";
	if (address >= KERNEL_VMA)
		return "kernel image";
	if (address >= VMEMMAP_BASE && address < VMEMMAP_END)
		return "memmap";
	if (address >= VMALLOC_START && address < VMALLOC_END)
		return "vmalloc";
	if (address >= KTEST_WINDOW_START && address < KTEST_WINDOW_END)
		return "self-test window";
	if (address >= DIRECT_MAP_BASE && address < DIRECT_MAP_END)
		return "direct map";
	return "unused kernel space";
}

#endif
