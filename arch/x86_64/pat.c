// SPDX-License-Identifier: MIT
/*
 * Page Attribute Table setup.  The table's layout and the page-table bits
 * that select a slot are described in asm/pat.h.
 *
 * Why: firmware covers the framebuffer with an uncached MTRR, so every
 * pixel store is a separate bus write and a console crawls on real
 * hardware.  With the PAT slot the mapping selects set to WC, stores are
 * buffered and sent in bursts (MTRR UC + PAT WC gives WC, SDM vol. 3
 * table 12-7).  ioremap(..., PAGE_KERNEL_WC) selects that slot.  QEMU's
 * TCG emulates the MSR but has no caches to show a difference.
 */
#include <asm/cpu.h>
#include <asm/paging.h>
#include <asm/pat.h>
#include <asm/pgtable.h>
#include <asm/tlb.h>
#include <kernel.h>
#include <spinlock.h>

#define CPUID_1_EDX_PAT (1u << 16)

#define X86_CR0_NW (1ul << 29)
#define X86_CR0_CD (1ul << 30)

static bool pat_ready;

static inline void write_cr0(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(value) : "memory");
}

static inline void wbinvd(void)
{
	__asm__ volatile("wbinvd" ::: "memory");
}

bool pat_init(void)
{
	uint64_t flags, cr0;

	assert_irqs_disabled();
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

int pat_memory_type_index(uint64_t virt)
{
	struct page_walk walk;
	uint64_t leaf;

	if (!walk_kernel_address(virt, &walk))
		return -1;
	leaf = walk.entry[walk.levels - 1];
	return (leaf & (walk.leaf_level ? PTE_PAT_LARGE : PTE_PAT_SMALL) ? 4 : 0) +
	       (leaf & PTE_CACHE_DISABLE ? 2 : 0) + (leaf & PTE_WRITE_THROUGH ? 1 : 0);
}
