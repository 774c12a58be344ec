// SPDX-License-Identifier: MIT
/* The boot page tables' last edit, and building the kernel's own (see asm/paging_init.h). */
#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <asm/paging_init.h>
#include <asm/tlb.h>
#include <kernel.h>
#include <memblock.h>
#include <firmware_map.h>
#include <printk.h>

#define X86_CR4_MCE (1ul << 6)
#define X86_CR4_SMEP (1ul << 20)
#define X86_CR4_SMAP (1ul << 21)

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __kernel_end[], kernel_stack_guard[];
extern uint64_t boot_pml4[512];

void drop_identity_map(void)
{
	uint64_t *pml4 = __va((uint64_t)boot_pml4);

	pml4[0] = 0;
	write_cr3(read_cr3());
}

/* While the boot tables are live only the low 4 GiB can be written through __va. */
static uint64_t alloc_limit = BOOT_DIRECT_MAP_LIMIT;

static uint64_t early_table_alloc(void *context)
{
	return memblock_alloc(context, PAGE_SIZE, PAGE_SIZE, alloc_limit, "page tables");
}

static void early_table_free(void *context, uint64_t phys)
{
	memblock_free(context, phys, PAGE_SIZE);
}

static void map_or_panic(const char *what, uint64_t va, uint64_t phys, uint64_t size, pgprot_t prot)
{
	int err = map_kernel_range(va, phys, size, prot);

	if (err)
		panic("paging: cannot map %s [0x%llx-0x%llx]: error %d", what,
		      (unsigned long long)va, (unsigned long long)(va + size), err);
}

static void map_kernel_section(const char *what, const char *start, const char *end, pgprot_t prot)
{
	uint64_t va = (uint64_t)start, size = ALIGN_UP((uint64_t)end, PAGE_SIZE) - va;

	map_or_panic(what, va, va - KERNEL_VMA, size, prot);
}

/* Map each run of touching RAM ranges as one piece, so large pages can span them. */
static void map_direct_map(const struct firmware_map *map)
{
	uint64_t run_start = 0, run_end = 0, mapped = 0;

	for (size_t i = 0; i <= map->count; i++) {
		const struct mem_range *r = i < map->count ? &map->ranges[i] : NULL;
		uint64_t base = r ? ALIGN_DOWN(r->base, PAGE_SIZE) : 0;
		uint64_t end = r ? ALIGN_UP(r->end, PAGE_SIZE) : 0;

		if (r && !mem_type_is_ram(r->type))
			continue;
		if (r && base <= run_end && run_end != run_start) {
			run_end = MAX(run_end, end);
			continue;
		}
		if (run_end > run_start) {
			map_or_panic("the direct map", (uint64_t)__va(run_start), run_start,
				     run_end - run_start, PAGE_KERNEL);
			mapped += run_end - run_start;
		}
		run_start = base;
		run_end = end;
	}
	pr_info("paging: direct map of %llu MiB of RAM at 0x%llx\n",
		(unsigned long long)(mapped / MiB), (unsigned long long)DIRECT_MAP_BASE);
}

static void enable_cpu_protections(void)
{
	uint64_t cr4 = read_cr4();

	if (boot_cpu.pge)
		cr4 |= X86_CR4_PGE;
	/* The 32-bit entry cleared CR4; without MCE a machine check shuts the CPU down unreported. */
	if (boot_cpu.mce)
		cr4 |= X86_CR4_MCE;
	if (boot_cpu.smep)
		cr4 |= X86_CR4_SMEP;
	if (boot_cpu.smap)
		cr4 |= X86_CR4_SMAP;
	write_cr4(cr4);
	if (boot_cpu.nx && !(rdmsr(MSR_EFER) & EFER_NXE))
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	BUG_ON(!(read_cr0() & X86_CR0_WP));
}

void paging_init(struct memblock *mb, const struct firmware_map *map)
{
	struct pagetable_page_source source = { early_table_alloc, early_table_free, mb };

	paging_set_page_source(&source);
	if (!paging_new_root())
		panic("paging: no page for the top-level table");

	map_kernel_section("kernel text", __text_start, __text_end, PAGE_KERNEL_RX);
	map_kernel_section("kernel rodata", __rodata_start, __rodata_end, PAGE_KERNEL_RO);
	/* Data and bss, less the page below the boot stack: an overflow faults. */
	map_kernel_section("kernel data", __data_start, kernel_stack_guard, PAGE_KERNEL);
	map_kernel_section("kernel bss", kernel_stack_guard + PAGE_SIZE, __kernel_end, PAGE_KERNEL);
	map_direct_map(map);
	if (ioremap_replay())
		panic("paging: cannot map device memory");

	paging_activate();
	enable_cpu_protections();
	flush_tlb_all();
	/* All RAM is reachable through the direct map now. */
	alloc_limit = 0;
	pr_info("paging: kernel page tables live, %llu table pages; global pages %s, NX %s\n",
		(unsigned long long)pagetable_pages_in_use() + 1, boot_cpu.pge ? "on" : "off",
		boot_cpu.nx ? "on" : "off");
}
