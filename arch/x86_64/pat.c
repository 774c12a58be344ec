// SPDX-License-Identifier: MIT
/*
 * Page Attribute Table setup and the framebuffer's write-combining mapping.
 * The table's layout and the page-table bits are described in asm/pat.h.
 *
 * Why: firmware covers the framebuffer with an uncached MTRR, so every
 * pixel store is a separate bus write and a console crawls on real
 * hardware.  With the PAT slot the mapping selects set to WC, stores are
 * buffered and sent in bursts (MTRR UC + PAT WC gives WC, SDM vol. 3
 * table 12-7).  QEMU's TCG emulates the MSR but has no caches to show a
 * difference; the code path is exercised all the same.
 */
#include <asm/cpu.h>
#include <asm/memlayout.h>
#include <asm/pat.h>
#include <kernel.h>

#define CPUID_1_EDX_PAT (1u << 16)

#define X86_CR0_NW (1ul << 29)
#define X86_CR0_CD (1ul << 30)

/*
 * Paging-structure entry bits used here (SDM vol. 3, 4.5): bit 0 present,
 * bit 7 page size in a PDPT or PD entry; bits 12..51 the next table or the
 * page frame (bits 21..51 for a 2 MiB page, whose bit 12 is its PAT bit).
 */
#define PTE_PRESENT (1ull << 0)
#define PTE_WRITABLE (1ull << 1)
#define PTE_USER (1ull << 2)
#define PTE_PAGE_SIZE (1ull << 7)
#define PTE_ADDRESS_MASK 0x000ffffffffff000ull
#define PTE_LARGE_ADDRESS_MASK 0x000fffffffe00000ull
#define PTE_ENTRIES 512

#define LARGE_PAGE_SIZE (2ull << 20)

/* One split per end of the framebuffer's range is all pat_set_framebuffer_wc() needs. */
#define SPLIT_TABLE_COUNT 2

static uint64_t split_tables[SPLIT_TABLE_COUNT][PTE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static unsigned split_tables_used;
static bool pat_ready;

static inline void write_cr0(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(value) : "memory");
}

static inline void wbinvd(void)
{
	__asm__ volatile("wbinvd" ::: "memory");
}

/* Drop every TLB entry, global ones included (toggling CR4.PGE does that; MOV CR3 alone does not). */
static void flush_tlb_all(void)
{
	uint64_t cr4 = read_cr4();

	if (cr4 & X86_CR4_PGE) {
		write_cr4(cr4 & ~X86_CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}

bool pat_init(void)
{
	uint64_t flags, cr0;

	if (!(cpuid(1, 0).edx & CPUID_1_EDX_PAT))
		return false;

	/*
	 * SDM vol. 3, 12.12.4 asks for the MTRR-change procedure of 12.11.8:
	 * no-fill cache mode, caches and TLBs flushed before and after the
	 * write, so no line or translation of the old type survives.
	 */
	flags = local_irq_save();
	cr0 = read_cr0();
	write_cr0((cr0 | X86_CR0_CD) & ~X86_CR0_NW);
	wbinvd();
	flush_tlb_all();
	wrmsr(MSR_IA32_PAT, PAT_FERRITE_VALUE);
	wbinvd();
	flush_tlb_all();
	write_cr0(cr0);
	local_irq_restore(flags);

	pat_ready = rdmsr(MSR_IA32_PAT) == PAT_FERRITE_VALUE;
	return pat_ready;
}

bool pat_enabled(void)
{
	return pat_ready;
}

static uint64_t *table_at(uint64_t entry)
{
	return __va(entry & PTE_ADDRESS_MASK);
}

/* Return: the page-directory entry mapping @virt, or NULL if a level above is missing or a 1 GiB page. */
static uint64_t *find_pde(uint64_t virt)
{
	uint64_t *pml4 = table_at(read_cr3());
	uint64_t pml4e = pml4[(virt >> 39) & 511];
	uint64_t *pdpt, pdpte;

	if (!(pml4e & PTE_PRESENT))
		return NULL;
	pdpt = table_at(pml4e);
	pdpte = pdpt[(virt >> 30) & 511];
	if (!(pdpte & PTE_PRESENT) || (pdpte & PTE_PAGE_SIZE))
		return NULL;
	return &table_at(pdpte)[(virt >> 21) & 511];
}

int pat_memory_type_index(uint64_t virt)
{
	uint64_t *pml4 = table_at(read_cr3());
	uint64_t entry = pml4[(virt >> 39) & 511];
	bool large;

	if (!(entry & PTE_PRESENT))
		return -1;
	entry = table_at(entry)[(virt >> 30) & 511];
	large = entry & PTE_PAGE_SIZE;
	if ((entry & PTE_PRESENT) && !large) {
		entry = table_at(entry)[(virt >> 21) & 511];
		large = entry & PTE_PAGE_SIZE;
		if ((entry & PTE_PRESENT) && !large)
			entry = table_at(entry)[(virt >> 12) & 511];
	}
	if (!(entry & PTE_PRESENT))
		return -1;
	return (entry & (large ? PTE_PAT_LARGE : PTE_PAT_4K) ? 4 : 0) +
	       (entry & PTE_PCD ? 2 : 0) + (entry & PTE_PWT ? 1 : 0);
}

/*
 * Replace the 2 MiB page *@pde by a table of 512 4 KiB pages with the same
 * frames and the same attributes (the PAT bit moves from bit 12 to bit 7).
 * Since both translations are equivalent, the entry is rewritten in place
 * (as Linux's split_large_page() does) instead of going through a
 * non-present entry, which would fault if the page held running code.
 * Return: false if the static pool is used up.
 */
static bool split_large_page(uint64_t *pde)
{
	uint64_t large = *pde, small_flags;
	uint64_t *table;

	if (split_tables_used == SPLIT_TABLE_COUNT)
		return false;
	table = split_tables[split_tables_used++];
	/* Attribute bits 0..11 and 52..63 (NX, protection key) carry over; PS does not. */
	small_flags = large & ~(PTE_LARGE_ADDRESS_MASK | PTE_PAGE_SIZE | PTE_PAT_LARGE);
	if (large & PTE_PAT_LARGE)
		small_flags |= PTE_PAT_4K;
	for (unsigned i = 0; i < PTE_ENTRIES; i++)
		table[i] = (large & PTE_LARGE_ADDRESS_MASK) + i * PAGE_SIZE + small_flags;
	*pde = __pa(table) | (large & (PTE_PRESENT | PTE_WRITABLE | PTE_USER));
	flush_tlb_all();
	return true;
}

static void set_wc(uint64_t *entry, uint64_t select_mask, uint64_t wc_bits, uint64_t virt)
{
	*entry = (*entry & ~select_mask) | wc_bits;
	invlpg(virt);
}

bool pat_set_framebuffer_wc(uint64_t phys, uint64_t size)
{
	uint64_t start, end, flags;
	bool ok = true;

	if (!pat_ready || size == 0 || phys + size < phys)
		return false;
	start = ALIGN_DOWN(phys, PAGE_SIZE);
	end = ALIGN_UP(phys + size, PAGE_SIZE);
	if (end > BOOT_DIRECT_MAP_LIMIT)
		return false;

	flags = local_irq_save();
	for (uint64_t block = ALIGN_DOWN(start, LARGE_PAGE_SIZE); ok && block < end;
	     block += LARGE_PAGE_SIZE) {
		uint64_t *pde = find_pde(DIRECT_MAP_BASE + block);
		uint64_t first = MAX(block, start), last = MIN(block + LARGE_PAGE_SIZE, end);
		uint64_t *table;

		if (!pde || !(*pde & PTE_PRESENT)) {
			ok = false;
			break;
		}
		if (*pde & PTE_PAGE_SIZE) {
			if (first == block && last == block + LARGE_PAGE_SIZE) {
				set_wc(pde, PAT_SELECT_MASK_LARGE, PAT_WC_BITS_LARGE,
				       DIRECT_MAP_BASE + block);
				continue;
			}
			if (!split_large_page(pde)) {
				ok = false;
				break;
			}
		}
		table = table_at(*pde);
		for (uint64_t page = first; page < last; page += PAGE_SIZE) {
			uint64_t *pte = &table[(page >> PAGE_SHIFT) & 511];

			if (!(*pte & PTE_PRESENT)) {
				ok = false;
				break;
			}
			set_wc(pte, PAT_SELECT_MASK_4K, PAT_WC_BITS_4K, DIRECT_MAP_BASE + page);
		}
	}
	/*
	 * The invlpg calls cover the direct-map alias; the boot tables map the
	 * same entries at other addresses too (identity map, kernel window), so
	 * flush everything.  No cache flush is needed for the usual framebuffer:
	 * its MTRR type is UC, so no cache line of it can exist (SDM vol. 3,
	 * 12.12.4 asks for WBINVD only when cacheable memory changes type).  A
	 * framebuffer that firmware placed in ordinary write-back RAM may have
	 * lines cached, though, and one WBINVD at boot is cheap: flush after the
	 * TLB, so no new line can be filled through a stale translation.
	 */
	flush_tlb_all();
	wbinvd();
	local_irq_restore(flags);
	return ok;
}
