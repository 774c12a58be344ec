// SPDX-License-Identifier: MIT
/*
 * The monitor's inspection commands: they print what the allocators,
 * page tables, CPUs and interrupts hold, in Linux's formats where one
 * exists, through the dump functions of the code that owns the data.
 * None of them changes anything.
 */
#include <asm/apic.h>
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <asm/tlb.h>
#include <irq.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>
#include <slab.h>
#include <timer.h>
#include <vmalloc.h>

#include "../../mm/slab.h"
#include "commands.h"

/*
 * Provided by the SMP code when it is built in (weak: NULL otherwise):
 * the online CPUs' bitmap (struct cpumask is one 64-bit word), each CPU's
 * APIC ID, and the shootdown statistics dump.
 */
extern const uint64_t cpu_online_mask __attribute__((weak));
extern const uint32_t cpu_apic_id[] __attribute__((weak));
void tlb_stats_print(void) __attribute__((weak));

/* CPUs worth a column: online ones if known, else those whose timer ticked (CPU 0 always). */
static bool cpu_shown(int cpu)
{
	if (&cpu_online_mask)
		return (cpu_online_mask >> cpu) & 1;
	return cpu == 0 || timer_ticks[cpu];
}

COMMAND(meminfo)
{
	struct vmalloc_stats vm;

	vmalloc_get_stats(&vm);
	page_alloc_print_meminfo();
	pr_info("Slab:         %10llu kB\n", (unsigned long long)slab_pages() * 4);
	pr_info("PageTables:   %10llu kB\n", (unsigned long long)pagetable_pages_in_use() * 4);
	pr_info("VmallocUsed:  %10llu kB in %llu areas\n", (unsigned long long)vm.pages * 4,
		(unsigned long long)vm.areas);
}

COMMAND(buddyinfo)
{
	buddy_print_buddyinfo(&kernel_buddy);
}

COMMAND(zoneinfo)
{
	buddy_print_zoneinfo(&kernel_buddy);
}

COMMAND(slabinfo)
{
	slab_print_proc_slabinfo(&kernel_slab);
}

COMMAND(slab)
{
	struct kmem_cache *cache = slab_cache_find(&kernel_slab, argv[0]);

	if (!cache) {
		monitor_refuse("slab", "no cache called '%s' (see slabinfo)", argv[0]);
		return;
	}
	slab_backend_print_cache(cache);
}

COMMAND(vmallocinfo)
{
	vmallocinfo_print();
}

static bool is_canonical(uint64_t va)
{
	return va < USER_HALF_END || va >= KERNEL_HALF_START;
}

COMMAND(ptdump)
{
	uint64_t start, end;

	if (argc == 0) {
		ptdump_print();
		return;
	}
	if (argc != 2) {
		monitor_refuse("ptdump", "give both START and END, or neither");
		return;
	}
	if (!monitor_number("ptdump", "START", argv[0], 0, UINT64_MAX, &start) ||
	    !monitor_number("ptdump", "END", argv[1], 0, UINT64_MAX, &end))
		return;
	if (end <= start) {
		monitor_refuse("ptdump", "END must be above START");
		return;
	}
	ptdump_print_range(start, end);
}

COMMAND(pt)
{
	uint64_t va;

	if (!monitor_number("pt", "VA", argv[0], 0, UINT64_MAX, &va))
		return;
	if (!is_canonical(va)) {
		monitor_refuse("pt", "%#llx is not a canonical address", (unsigned long long)va);
		return;
	}
	pr_info("page walk of %#llx:\n", (unsigned long long)va);
	print_page_walk(va);
	if (!walk_kernel_address(va, &(struct page_walk){ 0 }))
		pr_info("  -> not mapped\n");
}

COMMAND(page)
{
	struct page_walk walk;
	struct page *page;
	uint64_t value, pfn;

	if (!monitor_number("page", "PFN or VA", argv[0], 0, UINT64_MAX, &value))
		return;
	if (value < kernel_buddy.memmap_end_pfn) {
		pfn = value;
	} else if (is_canonical(value) && value >= KERNEL_HALF_START &&
		   walk_kernel_address(value, &walk)) {
		pfn = walk.phys >> PAGE_SHIFT;
	} else {
		monitor_refuse("page", "%s is neither a frame number below %#llx nor a mapped kernel "
			       "address", argv[0], (unsigned long long)kernel_buddy.memmap_end_pfn);
		return;
	}
	page = buddy_pfn_to_page(&kernel_buddy, pfn);
	if (!page) {
		monitor_refuse("page", "frame %#llx has no struct page (a hole, or not RAM)",
			       (unsigned long long)pfn);
		return;
	}
	dump_page(page, NULL);
}

COMMAND(cpus)
{
	const uint32_t *apic_ids = cpu_apic_id;

	/* A weak array's address may be NULL; hide it from the compiler's "never NULL". */
	__asm__("" : "+r"(apic_ids));
	pr_info("CPU  APIC-ID  timer-ticks  interrupts  NMIs\n");
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		const struct irq_cpu_stats *stats = &irq_stats[cpu];
		uint64_t interrupts = 0;
		char apic[16];

		if (!cpu_shown(cpu))
			continue;
		for (int v = 0; v < NR_VECTORS; v++)
			interrupts += stats->vector_count[v];
		if (apic_ids)
			snprintf(apic, sizeof(apic), "%u", apic_ids[cpu]);
		else if ((unsigned int)cpu == smp_processor_id())
			snprintf(apic, sizeof(apic), "%u", lapic_id());
		else
			snprintf(apic, sizeof(apic), "?");
		pr_info("%3d  %7s  %11llu  %10llu  %4llu\n", cpu, apic,
			(unsigned long long)timer_ticks[cpu], (unsigned long long)interrupts,
			(unsigned long long)stats->nmi);
	}
	if (!&cpu_online_mask)
		pr_info("(uniprocessor kernel: CPUs are listed when their timer ticks)\n");
	pr_info("timer: %u Hz, jiffies %llu\n", HZ, (unsigned long long)jiffies);
}

/* What an irqs row counts: a vector, or one of the per-CPU counters. */
enum irq_row_kind { ROW_VECTOR, ROW_NMI, ROW_SPURIOUS, ROW_APIC_ERROR };

static uint64_t row_value(int cpu, enum irq_row_kind kind, unsigned int vector)
{
	switch (kind) {
	case ROW_NMI: return irq_stats[cpu].nmi;
	case ROW_SPURIOUS: return irq_stats[cpu].spurious;
	case ROW_APIC_ERROR: return irq_stats[cpu].apic_errors;
	default: return irq_stats[cpu].vector_count[vector];
	}
}

static void irq_row(const char *label, const char *description, unsigned int vector,
		    enum irq_row_kind kind)
{
	char line[256];
	size_t used = (size_t)snprintf(line, sizeof(line), "%4s:", label);

	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_shown(cpu) && used < sizeof(line))
			used += (size_t)snprintf(line + used, sizeof(line) - used, " %10llu",
						 (unsigned long long)row_value(cpu, kind, vector));
	pr_info("%s   %s\n", line, description);
}

COMMAND(irqs)
{
	char header[256];
	size_t used = (size_t)snprintf(header, sizeof(header), "     ");

	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_shown(cpu) && used < sizeof(header))
			used += (size_t)snprintf(header + used, sizeof(header) - used, "       CPU%-2d", cpu);
	pr_info("%s\n", header);
	for (unsigned int irq = 0; irq < NR_IRQS; irq++) {
		const char *name = irq_name(irq);
		char label[8], description[64];

		if (!name && !irq_count(irq))
			continue;
		snprintf(label, sizeof(label), "%u", irq);
		snprintf(description, sizeof(description), "IO-APIC %3u-edge      %s", irq,
			 name ? name : "(no handler)");
		irq_row(label, description, irq_to_vector(irq), ROW_VECTOR);
	}
	irq_row("NMI", "Non-maskable interrupts", 0, ROW_NMI);
	irq_row("LOC", "Local timer interrupts", LOCAL_TIMER_VECTOR, ROW_VECTOR);
	irq_row("CAL", "Function call interrupts", CALL_FUNCTION_VECTOR, ROW_VECTOR);
	irq_row("SPU", "Spurious interrupts", 0, ROW_SPURIOUS);
	irq_row("ERR", "APIC error interrupts", 0, ROW_APIC_ERROR);
}

COMMAND(tlb)
{
	if (tlb_stats_print) {
		tlb_stats_print();
		return;
	}
	pr_info("tlb: %llu single-page flushes, %llu range flushes, %llu full flushes; range "
		"ceiling %lu pages\n", (unsigned long long)tlb_stats.single,
		(unsigned long long)tlb_stats.range, (unsigned long long)tlb_stats.full,
		tlb_flush_ceiling);
	pr_info("tlb: no shootdowns: one CPU runs, every flush is local\n");
}

COMMAND(dmesg)
{
	dmesg_print();
}

COMMAND(fragmap)
{
	buddy_print_fragmap(&kernel_buddy, 64);
}
