/* SPDX-License-Identifier: MIT */
/*
 * acpi_tables.h: the ACPI table parser (kernel/acpi_tables.c), pure code.
 *
 * The parser never touches physical memory itself: it asks a mapper for
 * every range it reads, header first (36 bytes, to learn the length), then
 * the whole table, and gives each mapping back before it returns.  The
 * kernel's mapper is memremap(); the host tests and the fuzz target map
 * from a buffer, one exact-size copy per request, so a read past what was
 * asked for is caught.
 *
 * Formats (ACPI 6.5, chapter 5.2; all fields little endian, unaligned):
 *
 *   RSDP  0 "RSD PTR "  8 checksum (bytes 0-19)  9 OEM ID[6]  15 revision
 *         16 RSDT address (u32) -- 20 bytes in revision 0; from revision 2:
 *         20 length  24 XSDT address (u64)  32 extended checksum (all bytes)
 *   header of every other table, 36 bytes:
 *         0 signature[4]  4 length  8 revision  9 checksum (all bytes)
 *         10 OEM ID[6]  16 OEM table ID[8]  24 OEM revision  28 creator ID[4]
 *         32 creator revision
 *   RSDT  header, then u32 table addresses;  XSDT: header, then u64 addresses
 *   MADT  ("APIC") header, 36 local APIC address (u32), 40 flags, 44 entries:
 *         each starts with type (u8) and length (u8, the whole entry)
 *   HPET  header, 36 event timer block ID, 40 base address (generic address:
 *         space ID, bit width, bit offset, access size, u64 address),
 *         52 HPET number, 53 minimum tick (u16), 55 page protection
 *   MCFG  header, 8 reserved, then 16-byte entries: u64 base, u16 segment,
 *         u8 first bus, u8 last bus, u32 reserved
 */
#ifndef FERRITE_ACPI_TABLES_H
#define FERRITE_ACPI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"

#define ACPI_RSDP_V1_LENGTH 20u
#define ACPI_RSDP_V2_LENGTH 36u
#define ACPI_HEADER_LENGTH 36u
#define ACPI_MADT_ENTRIES_OFFSET 44u
#define ACPI_HPET_LENGTH 56u
#define ACPI_MCFG_ENTRIES_OFFSET 44u
#define ACPI_MCFG_ENTRY_LENGTH 16u
/* Longer tables are refused: no table the parser reads comes near it. */
#define ACPI_MAX_TABLE_LENGTH (1u << 20)
/* RSDT/XSDT entries beyond this are ignored (and reported). */
#define ACPI_MAX_ROOT_ENTRIES 256u

/* MADT entry types and the length each needs. */
enum acpi_madt_type {
	ACPI_MADT_LOCAL_APIC = 0,		/* 8 */
	ACPI_MADT_IO_APIC = 1,			/* 12 */
	ACPI_MADT_INTERRUPT_OVERRIDE = 2,	/* 10 */
	ACPI_MADT_LOCAL_APIC_NMI = 4,		/* 6 */
	ACPI_MADT_LOCAL_APIC_OVERRIDE = 5,	/* 12 */
	ACPI_MADT_LOCAL_X2APIC = 9,		/* 16 */
	ACPI_MADT_LOCAL_X2APIC_NMI = 10,	/* 12 */
};

/* Local APIC flags (types 0 and 9). Online-capable counts from MADT revision 5 (ACPI 6.3). */
#define ACPI_MADT_ENABLED (1u << 0)
#define ACPI_MADT_ONLINE_CAPABLE (1u << 1)
/* MADT flags: the PC has 8259 PICs. */
#define ACPI_MADT_PCAT_COMPAT (1u << 0)

/* How the parser reaches physical memory. */
struct acpi_table_mapper {
	/* Map [@phys, @phys + @length) for reading. Return: its address, or NULL. */
	const void *(*map)(void *context, uint64_t phys, size_t length);
	/* Give back a mapping map() returned, with the same @length. */
	void (*unmap)(void *context, const void *virt, size_t length);
	void *context;
};

/* What the boot loader handed over, and who is asking. */
struct acpi_tables_input {
	const void *rsdp_v1;		/* copy of the ACPI 1.0 RSDP, or NULL */
	size_t rsdp_v1_length;		/* bytes readable at rsdp_v1 */
	uint64_t rsdp_v1_phys;		/* where that copy lies (printed only) */
	const void *rsdp_v2;		/* copy of the ACPI 2.0+ RSDP, or NULL */
	size_t rsdp_v2_length;
	uint64_t rsdp_v2_phys;
	uint32_t boot_apic_id;		/* APIC ID of the CPU running the boot */
};

/*
 * acpi_tables_parse - find, check and parse the ACPI tables.
 * @in:     the RSDP copies (v2 preferred when it checks out) and the boot CPU
 * @mapper: how to reach the tables; every mapping is given back on return
 * @out:    result; cleared first
 *
 * Every table is checked (signature, length, checksum) before a field is
 * read, and every MADT entry against the table's end.  Each problem is
 * printed with the table, offset and value, and counted in @out->problems;
 * the bad entry or table is skipped.  Without a usable MADT listing the
 * boot CPU, @out->madt describes the boot CPU alone (no I/O APIC).
 * Prints the tables found the way Linux does, a MADT summary, and one
 * debug line per CPU.
 *
 * Return: @out->valid.
 * Context: any; pure function of its arguments (and the mapper's memory).
 */
bool acpi_tables_parse(const struct acpi_tables_input *in, const struct acpi_table_mapper *mapper,
		       struct acpi_info *out);

/* Return: the 8-bit sum of @length bytes at @data (0 for a valid ACPI checksum). Context: any. */
uint8_t acpi_checksum(const void *data, size_t length);

#endif /* FERRITE_ACPI_TABLES_H */
