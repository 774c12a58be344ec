// SPDX-License-Identifier: MIT
/*
 * fuzz_acpi.c: libFuzzer target for the ACPI table parser.
 *
 * Input layout: bytes 0-3 are the boot CPU's APIC ID (little endian); the
 * rest is physical memory from address 0.  Its first 36 bytes are handed
 * over as the RSDP copy the boot loader would pass: as the v2 copy if its
 * revision byte says 2 or more (and also as the v1 copy), else as the v1
 * copy only.  The mapper gives the parser an exact-size copy of each range
 * it asks for inside the image (AddressSanitizer catches any read past
 * it) and NULL outside.
 *
 * Whatever the input, the result must keep every invariant: all mappings
 * given back with their length, 1..NR_CPUS CPUs with the boot CPU first,
 * no APIC ID twice and none 0xffffffff, counts within their arrays, no
 * I/O APIC ID twice, overrides only for distinct ISA IRQs 0-15, an NMI
 * pin of 0, 1 or none, MCFG bus ranges that go upwards, one CPU and no
 * I/O APIC when the result is not valid.  Every printk is formatted, so
 * a format that does not match its arguments is caught too.  Any breach
 * stops the run with __builtin_trap().
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
 *            kernel/acpi_tables.c tests/host/fuzz_acpi.c
 * Run:   ./a.out -max_total_time=60 tests/host/fuzz_corpus/acpi
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_tables.h"

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond))                                                    \
			__builtin_trap();                                       \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int printk(const char *fmt, ...);

/* Format every message (checks the arguments under the sanitizers), print nothing. */
int printk(const char *fmt, ...)
{
	char line[512];
	va_list args;
	int length;

	if (fmt[0] == '\001' && fmt[1])
		fmt += 2;
	va_start(args, fmt);
	length = vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	CHECK(length >= 0);
	return length;
}

struct image {
	const uint8_t *bytes;
	size_t size;
	int outstanding;
	unsigned int bad_unmaps;
};

struct mapping_header {
	size_t length;
	size_t pad;
};

static const void *image_map(void *context, uint64_t phys, size_t length)
{
	struct image *image = context;
	struct mapping_header *h;

	CHECK(length > 0);
	if (phys >= image->size || length > image->size - phys)
		return NULL;
	h = malloc(sizeof(*h) + length);
	CHECK(h != NULL);
	h->length = length;
	memcpy(h + 1, image->bytes + phys, length);
	image->outstanding++;
	return h + 1;
}

static void image_unmap(void *context, const void *virt, size_t length)
{
	struct image *image = context;
	struct mapping_header *h = (struct mapping_header *)virt - 1;

	image->bad_unmaps += h->length != length;
	image->outstanding--;
	free(h);
}

static void check_result(const struct acpi_info *info, uint32_t boot_apic_id, bool valid)
{
	const struct acpi_madt_info *madt = &info->madt;

	CHECK(valid == info->valid);
	CHECK(madt->cpu_count >= 1 && madt->cpu_count <= NR_CPUS);
	CHECK(madt->cpus[0].apic_id == boot_apic_id);
	for (unsigned int i = 0; i < madt->cpu_count; i++) {
		CHECK(madt->cpus[i].apic_id != ACPI_NO_APIC_ID || boot_apic_id == ACPI_NO_APIC_ID);
		for (unsigned int k = i + 1; k < madt->cpu_count; k++)
			CHECK(madt->cpus[i].apic_id != madt->cpus[k].apic_id);
	}
	CHECK(madt->lapic_address != 0);
	CHECK(madt->ioapic_count <= ACPI_MAX_IOAPICS);
	for (unsigned int i = 0; i < madt->ioapic_count; i++) {
		CHECK(madt->ioapics[i].address != 0);
		for (unsigned int k = i + 1; k < madt->ioapic_count; k++)
			CHECK(madt->ioapics[i].id != madt->ioapics[k].id);
	}
	CHECK(madt->override_count <= ACPI_MAX_OVERRIDES);
	for (unsigned int i = 0; i < madt->override_count; i++) {
		CHECK(madt->overrides[i].isa_irq < 16);
		for (unsigned int k = i + 1; k < madt->override_count; k++)
			CHECK(madt->overrides[i].isa_irq != madt->overrides[k].isa_irq);
	}
	CHECK(madt->nmi_lint <= 1 || madt->nmi_lint == ACPI_NO_NMI_LINT);
	CHECK(!info->hpet.present || info->hpet.address != 0);
	CHECK(info->mcfg.count <= ACPI_MAX_MCFG_REGIONS);
	for (unsigned int i = 0; i < info->mcfg.count; i++)
		CHECK(info->mcfg.regions[i].bus_start <= info->mcfg.regions[i].bus_end &&
		      info->mcfg.regions[i].base != 0);
	CHECK(info->table_count <= ACPI_MAX_TABLES);
	if (!info->valid) {
		CHECK(madt->cpu_count == 1);
		CHECK(madt->ioapic_count == 0 && madt->override_count == 0);
		CHECK(info->problems > 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_info info;
	struct image image;
	struct acpi_tables_input in = { 0 };
	const struct acpi_table_mapper mapper = { image_map, image_unmap, &image };
	bool valid;

	if (size < 4 + ACPI_RSDP_V1_LENGTH)
		return 0;
	in.boot_apic_id = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
			  (uint32_t)data[3] << 24;
	image = (struct image){ data + 4, size - 4, 0, 0 };
	in.rsdp_v1 = image.bytes;
	in.rsdp_v1_length = ACPI_RSDP_V1_LENGTH;
	if (image.size >= ACPI_RSDP_V2_LENGTH && image.bytes[15] >= 2) {
		in.rsdp_v2 = image.bytes;
		in.rsdp_v2_length = ACPI_RSDP_V2_LENGTH;
	}

	valid = acpi_tables_parse(&in, &mapper, &info);
	CHECK(image.outstanding == 0);
	CHECK(image.bad_unmaps == 0);
	check_result(&info, in.boot_apic_id, valid);
	return 0;
}
