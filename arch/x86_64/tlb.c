// SPDX-License-Identifier: MIT
/* TLB flushing and the range-flush ceiling (see asm/tlb.h). */
#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <asm/memlayout.h>
#include <asm/tlb.h>
#include <printk.h>

#define INVPCID_ALL_INCLUDING_GLOBAL 2
#define CEILING_MIN 8
#define CEILING_MAX 512

struct tlb_stats tlb_stats;
/* Linux's default until measured (tlb_single_page_flush_ceiling). */
unsigned long tlb_flush_ceiling = 33;

static void invpcid_all(void)
{
	struct {
		uint64_t pcid, address;
	} descriptor = { 0, 0 };

	__asm__ volatile("invpcid %0, %1"
			 : : "m"(descriptor), "r"((uint64_t)INVPCID_ALL_INCLUDING_GLOBAL)
			 : "memory");
}

static void flush_everything(void)
{
	uint64_t flags = local_irq_save();
	uint64_t cr4 = read_cr4();

	if (boot_cpu.invpcid) {
		invpcid_all();
	} else if (cr4 & X86_CR4_PGE) {
		write_cr4(cr4 & ~X86_CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
	local_irq_restore(flags);
}

void flush_tlb_one_kernel(uint64_t va)
{
	tlb_stats.single++;
	invlpg(va);
}

void flush_tlb_all(void)
{
	tlb_stats.full++;
	flush_everything();
}

void flush_tlb_kernel_range(uint64_t start, uint64_t end)
{
	uint64_t pages;

	start &= ~(PAGE_SIZE - 1);
	if (end == start)
		return;
	/* Unsigned arithmetic: a range ending at the top of the address space has end == 0. */
	pages = (end - start + PAGE_SIZE - 1) / PAGE_SIZE;
	if (pages > tlb_flush_ceiling) {
		flush_tlb_all();
		return;
	}
	tlb_stats.range++;
	for (uint64_t i = 0; i < pages; i++)
		invlpg(start + i * PAGE_SIZE);
}

#define MEASURE_PAGES 64

void tlb_measure_ceiling(void)
{
	/* The kernel's own data: mapped, and touching it is harmless. */
	static volatile uint8_t probe[MEASURE_PAGES][PAGE_SIZE] __attribute__((aligned(4096)));
	uint64_t start, invlpg_cycles, full_cycles, ceiling;

	for (int i = 0; i < MEASURE_PAGES; i++)
		(void)probe[i][0];
	start = rdtsc();
	for (int i = 0; i < MEASURE_PAGES; i++)
		invlpg((uint64_t)&probe[i][0]);
	invlpg_cycles = (rdtsc() - start) / MEASURE_PAGES;

	/* A full flush costs the flush itself plus refilling the working set. */
	start = rdtsc();
	flush_everything();
	for (int i = 0; i < MEASURE_PAGES; i++)
		(void)probe[i][0];
	full_cycles = rdtsc() - start;

	ceiling = invlpg_cycles ? full_cycles / invlpg_cycles : CEILING_MAX;
	if (ceiling < CEILING_MIN)
		ceiling = CEILING_MIN;
	if (ceiling > CEILING_MAX)
		ceiling = CEILING_MAX;
	tlb_flush_ceiling = ceiling;
	pr_info("TLB: invlpg %llu cycles/page, full flush + refill of %d pages %llu cycles; "
		"range flush ceiling %lu pages\n", (unsigned long long)invlpg_cycles, MEASURE_PAGES,
		(unsigned long long)full_cycles, tlb_flush_ceiling);
}
