// SPDX-License-Identifier: MIT
/*
 * The firmware's ACPI tables as the boot read them, checked against the
 * machine: the boot CPU (by CPUID) is in the MADT, QEMU's I/O APIC and its
 * IRQ 0 -> GSI 2 override are there, and every table the parser used
 * still checksums to zero when mapped again here.  The MADT is also walked
 * a second time, independently, to count the usable CPUs.  memremap(),
 * which reaches the tables, is checked against the direct map.
 */
#include <acpi.h>
#include <acpi_tables.h>
#include <asm/cpu.h>
#include <asm/memlayout.h>
#include <gfp.h>
#include <io.h>
#include <ktest.h>
#include <vmalloc.h>

/* CPUID's view of this CPU's APIC ID (leaf 0xB when present, else leaf 1). */
static uint32_t cpuid_apic_id(void)
{
	if (cpuid(0, 0).eax >= 0xb && cpuid(0xb, 0).ebx)
		return cpuid(0xb, 0).edx;
	return cpuid(1, 0).ebx >> 24;
}

static const struct acpi_info *info_or_abort(struct ktest *t)
{
	const struct acpi_info *info = acpi_get_info();

	KASSERT_NOT_NULL(t, info);
	return info;
}

static void test_madt_lists_the_boot_cpu(struct ktest *t)
{
	const struct acpi_info *info = info_or_abort(t);
	uint32_t boot = cpuid_apic_id();
	unsigned int found = 0;

	KEXPECT_TRUE(t, info->valid);
	KASSERT_GE(t, info->madt.cpu_count, 1);
	KEXPECT_LE(t, info->madt.cpu_count, NR_CPUS);
	KEXPECT_UEQ(t, info->madt.cpus[0].apic_id, boot);
	for (unsigned int i = 0; i < info->madt.cpu_count; i++) {
		found += info->madt.cpus[i].apic_id == boot;
		KEXPECT_UNE(t, info->madt.cpus[i].apic_id, ACPI_NO_APIC_ID);
		for (unsigned int k = i + 1; k < info->madt.cpu_count; k++)
			KEXPECT_UNE(t, info->madt.cpus[i].apic_id, info->madt.cpus[k].apic_id);
	}
	KEXPECT_EQ(t, found, 1);
}

static void test_madt_ioapic_and_irq0_override(struct ktest *t)
{
	const struct acpi_info *info = info_or_abort(t);
	const struct acpi_irq_override *irq0 = NULL;

	KASSERT_GE(t, info->madt.ioapic_count, 1);
	KEXPECT_UNE(t, info->madt.ioapics[0].address, 0);
	KEXPECT_UEQ(t, info->madt.lapic_address, ACPI_DEFAULT_LAPIC_ADDRESS);
	for (unsigned int i = 0; i < info->madt.override_count; i++)
		if (info->madt.overrides[i].isa_irq == 0)
			irq0 = &info->madt.overrides[i];
	/* QEMU's pc and q35 both route the PIT (ISA IRQ 0) to GSI 2. */
	KASSERT_NOT_NULL(t, irq0);
	KEXPECT_UEQ(t, irq0->gsi, 2);
}

static void test_no_firmware_problems(struct ktest *t)
{
	const struct acpi_info *info = info_or_abort(t);

	/* A CPU beyond NR_CPUS (make NR_CPUS=1 on a multi-CPU machine) is reported, once. */
	KEXPECT_EQ(t, info->problems, info->madt.cpus_dropped ? 1 : 0);
	if (info->madt.cpu_count < NR_CPUS)
		KEXPECT_EQ(t, info->madt.cpus_dropped, 0);
	KASSERT_GE(t, info->table_count, 2);
	/* tables[0] is the root table: the XSDT under UEFI (RSDP v2), the RSDT under SeaBIOS. */
	KEXPECT_STREQ(t, info->tables[0].signature, info->revision >= 2 ? "XSDT" : "RSDT");
}

/* Map @ref again and check its signature and checksum. Return: the mapping (memunmap it) or NULL. */
static const uint8_t *map_and_check(struct ktest *t, const struct acpi_table_ref *ref)
{
	const uint8_t *table = memremap(ref->address, ref->length, MEMREMAP_WB | MEMREMAP_RO);

	KASSERT_NOT_NULL(t, table);
	KEXPECT_TRUE(t, table[0] == (uint8_t)ref->signature[0] &&
			table[1] == (uint8_t)ref->signature[1] &&
			table[2] == (uint8_t)ref->signature[2] &&
			table[3] == (uint8_t)ref->signature[3]);
	KEXPECT_EQ(t, acpi_checksum(table, ref->length), 0);
	return table;
}

static uint32_t read32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Usable processor entries of the MADT at @madt, counted without the parser. */
static unsigned int count_usable_cpus(const uint8_t *madt, uint32_t length)
{
	unsigned int count = 0;

	for (uint32_t offset = ACPI_MADT_ENTRIES_OFFSET; offset + 2 <= length && madt[offset + 1] >= 2;
	     offset += madt[offset + 1]) {
		const uint8_t *e = madt + offset;

		if (e[0] == ACPI_MADT_LOCAL_APIC && e[1] >= 8 && (read32(e + 4) & ACPI_MADT_ENABLED))
			count++;
		if (e[0] == ACPI_MADT_LOCAL_X2APIC && e[1] >= 16 && (read32(e + 8) & ACPI_MADT_ENABLED))
			count++;
	}
	return count;
}

static void test_tables_checksum_again(struct ktest *t)
{
	const struct acpi_info *info = info_or_abort(t);
	unsigned int parsed = 0, madts = 0;

	for (unsigned int i = 0; i < info->table_count; i++) {
		const struct acpi_table_ref *ref = &info->tables[i];
		const uint8_t *table;

		if (!ref->parsed)
			continue;
		parsed++;
		table = map_and_check(t, ref);
		if (ktest_streq(ref->signature, "APIC")) {
			madts++;
			KEXPECT_EQ(t, count_usable_cpus(table, ref->length),
				   info->madt.cpu_count + info->madt.cpus_dropped);
		}
		memunmap((void *)table);
	}
	/* The root table and the MADT at least. */
	KEXPECT_GE(t, parsed, 2);
	KEXPECT_EQ(t, madts, 1);
}

static void test_memremap_reads_physical_memory(struct ktest *t)
{
	unsigned long page = get_zeroed_page(GFP_KERNEL);
	uint8_t *direct = (uint8_t *)page;
	const uint8_t *mapped;

	KASSERT_NOT_NULL(t, page);
	for (unsigned int i = 0; i < PAGE_SIZE; i++)
		direct[i] = (uint8_t)(i * 7 + 3);
	/* Not page aligned: the result must point at the byte asked for. */
	mapped = memremap(__pa(direct) + 100, 200, MEMREMAP_WB | MEMREMAP_RO);
	KASSERT_NOT_NULL(t, mapped);
	KEXPECT_TRUE(t, is_vmalloc_addr(mapped));
	KEXPECT_UEQ(t, (uint64_t)mapped & (PAGE_SIZE - 1), 100);
	KEXPECT_EQ(t, mapped[0], direct[100]);
	KEXPECT_EQ(t, mapped[199], direct[299]);
	memunmap((void *)mapped);
	KEXPECT_NULL(t, memremap(__pa(direct), 0, MEMREMAP_WB));
	KEXPECT_NULL(t, memremap(__pa(direct), 16, 0));
	KEXPECT_NULL(t, memremap(UINT64_MAX - 8, 16, MEMREMAP_WB));
	free_page(page);
}

KTEST_SUITE(acpi,
	    KTEST_CASE(test_madt_lists_the_boot_cpu),
	    KTEST_CASE(test_madt_ioapic_and_irq0_override),
	    KTEST_CASE(test_no_firmware_problems),
	    KTEST_CASE(test_tables_checksum_again),
	    KTEST_CASE(test_memremap_reads_physical_memory));
