/* SPDX-License-Identifier: MIT */
/*
 * acpi.h: what Ferrite reads from the firmware's ACPI tables.
 *
 * The tables are untrusted input: every table is checked by signature,
 * length and checksum before a field is read, and every MADT entry is
 * bounds-checked against its table.  What was wrong is reported, the bad
 * entry (or table) is skipped, and the boot goes on -- on one CPU if the
 * MADT cannot be trusted at all.
 *
 * The parser is pure code (kernel/acpi_tables.c): it works on tables
 * reached through a caller-supplied mapping function, so the host tests
 * and the fuzz target feed it crafted tables from a buffer.
 */
#ifndef FERRITE_ACPI_H
#define FERRITE_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <percpu.h>

#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_MCFG_REGIONS 8
#define ACPI_MAX_TABLES 64		/* tables remembered in acpi_info.tables[] */
#define ACPI_NO_APIC_ID 0xffffffffu
#define ACPI_NO_NMI_LINT 0xffu
#define ACPI_DEFAULT_LAPIC_ADDRESS 0xfee00000ull

/* One usable processor from the MADT (type 0 or 9 entry, Enabled or Online-capable). */
struct acpi_cpu {
	uint32_t apic_id;		/* local APIC ID (x2APIC ID for type 9) */
	uint32_t acpi_uid;		/* ACPI processor UID */
	bool online_capable;		/* listed as not enabled, but may be brought online */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t address;		/* physical MMIO base */
	uint32_t gsi_base;		/* first global system interrupt it serves */
};

/* An ISA IRQ routed to another GSI, or with other polarity/trigger (MADT type 2). */
struct acpi_irq_override {
	uint8_t isa_irq;
	uint32_t gsi;
	uint16_t flags;			/* MPS INTI flags: polarity bits 0-1, trigger bits 2-3 */
};

/*
 * What the MADT says.  When acpi_info.valid, cpus[0] is the boot CPU and the
 * others follow in table order (Linux numbers CPUs the same way); no APIC ID
 * appears twice and none is ACPI_NO_APIC_ID.
 */
struct acpi_madt_info {
	uint64_t lapic_address;		/* after the type-5 override, if any */
	bool pcat_compat;		/* legacy 8259 PICs present (MADT flags bit 0) */
	unsigned int cpu_count;
	struct acpi_cpu cpus[NR_CPUS];
	unsigned int cpus_dropped;	/* usable entries beyond NR_CPUS */
	unsigned int ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int override_count;
	struct acpi_irq_override overrides[ACPI_MAX_OVERRIDES];
	uint32_t nmi_lint;		/* LINT pin of the local APIC NMI entry (type 4), or 0xff */
	uint16_t nmi_flags;		/* its MPS INTI flags */
};

struct acpi_hpet_info {
	bool present;
	uint64_t address;
	uint8_t number;
	uint16_t min_tick;
};

struct acpi_mcfg_info {
	unsigned int count;
	struct {
		uint64_t base;
		uint16_t segment;
		uint8_t bus_start, bus_end;
	} regions[ACPI_MAX_MCFG_REGIONS];
};

/* A table listed by the RSDT/XSDT (or the RSDT/XSDT itself), as found. */
struct acpi_table_ref {
	char signature[5];		/* NUL-terminated; unprintable bytes shown as '?' */
	uint64_t address;		/* physical */
	uint32_t length;		/* from its header */
	bool parsed;			/* validated (length, checksum) and parsed */
};

/* Everything the boot needs from ACPI, filled in once by acpi_init(). */
struct acpi_info {
	bool valid;			/* a MADT was found and at least the boot CPU is listed */
	uint8_t revision;		/* RSDP revision: 0 (RSDT) or >= 2 (XSDT) */
	struct acpi_madt_info madt;
	struct acpi_hpet_info hpet;
	struct acpi_mcfg_info mcfg;
	unsigned int table_count;	/* entries of tables[]: the RSDT/XSDT, then what it lists */
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	unsigned int problems;		/* firmware mistakes reported while parsing */
};

/*
 * acpi_init - find and parse the ACPI tables from the boot information's RSDP.
 * Maps each table explicitly (never assumes the direct map covers it).
 * Context: boot CPU, after the page allocator and ioremap work, before SMP.
 * Return: the parsed tables; ->valid is false (one CPU, no I/O APIC) when
 * there was no RSDP or no usable MADT, with the reason printed.
 */
const struct acpi_info *acpi_init(void);

/* The result of acpi_init(); NULL before it ran. */
const struct acpi_info *acpi_get_info(void);

#endif /* FERRITE_ACPI_H */
