// SPDX-License-Identifier: MIT
/*
 * acpi.c: the kernel side of the ACPI table parser (include/acpi.h).
 *
 * Supplies what the pure parser (kernel/acpi_tables.c) cannot know: the
 * RSDP copies from the multiboot2 information, the boot CPU's APIC ID
 * (CPUID), and a mapper that reaches each table through memremap(), read
 * only, and unmaps it when the parser is done with it.
 */
#include <acpi.h>
#include <acpi_tables.h>
#include <asm/cpu.h>
#include <asm/memlayout.h>
#include <boot.h>
#include <io.h>
#include <printk.h>

static struct acpi_info acpi_info;
static bool acpi_done;

static const void *acpi_map(void *context, uint64_t phys, size_t length)
{
	return memremap(phys, length, MEMREMAP_WB | MEMREMAP_RO);
}

static void acpi_unmap(void *context, const void *virt, size_t length)
{
	memunmap((void *)virt);
}

/* The running CPU's APIC ID: CPUID leaf 0xB (the full x2APIC ID) if it exists, else leaf 1. */
static uint32_t this_cpu_apic_id(void)
{
	if (cpuid(0, 0).eax >= 0xb) {
		struct cpuid_regs topology = cpuid(0xb, 0);

		if (topology.ebx)
			return topology.edx;
	}
	return cpuid(1, 0).ebx >> 24;
}

const struct acpi_info *acpi_init(void)
{
	static const struct acpi_table_mapper mapper = { acpi_map, acpi_unmap, NULL };
	const struct boot_info *bi = boot_get_info();
	struct acpi_tables_input in = {
		.rsdp_v1 = bi->rsdp_v1,
		.rsdp_v1_length = bi->rsdp_v1_length,
		.rsdp_v1_phys = bi->rsdp_v1 ? __pa(bi->rsdp_v1) : 0,
		.rsdp_v2 = bi->rsdp_v2,
		.rsdp_v2_length = bi->rsdp_v2_length,
		.rsdp_v2_phys = bi->rsdp_v2 ? __pa(bi->rsdp_v2) : 0,
		.boot_apic_id = this_cpu_apic_id(),
	};

	acpi_tables_parse(&in, &mapper, &acpi_info);
	acpi_done = true;
	return &acpi_info;
}

const struct acpi_info *acpi_get_info(void)
{
	return acpi_done ? &acpi_info : NULL;
}
