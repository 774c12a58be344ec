// SPDX-License-Identifier: MIT
/*
 * test_acpi.c: the ACPI table parser against built and broken tables.
 *
 * A builder lays out QEMU-like tables (RSDP v1 and v2, RSDT, XSDT, FACP,
 * MADT, HPET, MCFG) with correct checksums in a buffer that stands for
 * physical memory.  The mapper hands the parser an exact-size copy of each
 * range it asks for (AddressSanitizer catches a read past it) and counts
 * mappings, so every case also checks that all were given back with the
 * length they were made with.  Valid layouts check every decoded field and
 * the log lines; each malformed case in the flat table checks the report's
 * text and the result it leaves.
 */
#include <stdlib.h>

#include "acpi.h"
#include "acpi_tables.h"
#include "host_support.h"
#include "printk.h"
#include "ktest.h"

#define PHYS_BASE 0x7fe0000ull
#define PHYS_SIZE 0x10000u
#define ENTRIES_MAX 2048u
#define UNMAPPED_ADDRESS 0xdead0000ull
#define SKIP (-1)

/* ---- fake physical memory and its mapper -------------------------------- */

static uint8_t phys_mem[PHYS_SIZE];

struct fake_mapper {
	int outstanding;		/* mappings not yet given back */
	unsigned int bad_unmaps;	/* unmap with another length than the map */
	uint64_t change_on_full_map;	/* flip a length bit when this table is mapped whole */
};

struct mapping_header {
	size_t length;
	size_t pad;
};

static uint8_t *phys_ptr(uint64_t phys)
{
	return &phys_mem[phys - PHYS_BASE];
}

static const void *fake_map(void *context, uint64_t phys, size_t length)
{
	struct fake_mapper *m = context;
	struct mapping_header *h;

	if (phys < PHYS_BASE || phys - PHYS_BASE > PHYS_SIZE ||
	    length > PHYS_SIZE - (phys - PHYS_BASE))
		return NULL;
	if (phys == m->change_on_full_map && length > ACPI_HEADER_LENGTH)
		phys_ptr(phys)[4] ^= 0x10;
	h = malloc(sizeof(*h) + length);
	if (!h)
		abort();
	h->length = length;
	memcpy(h + 1, phys_ptr(phys), length);
	m->outstanding++;
	return h + 1;
}

static void fake_unmap(void *context, const void *virt, size_t length)
{
	struct fake_mapper *m = context;
	struct mapping_header *h = (struct mapping_header *)virt - 1;

	m->bad_unmaps += h->length != length;
	m->outstanding--;
	free(h);
}

/* ---- the table builder --------------------------------------------------- */

struct fixture {
	/* What to build: the MADT's entries and fixed part, and which tables exist. */
	uint8_t entries[ENTRIES_MAX];
	size_t entries_length;
	uint8_t madt_revision;
	uint32_t lapic_address, madt_flags;
	bool give_v1, give_v2;
	uint32_t boot_apic_id;
	/* Where layout() put them. */
	size_t used;
	uint64_t facp, madt, hpet, mcfg, rsdt, xsdt;
	uint8_t rsdp_v1[ACPI_RSDP_V1_LENGTH];
	uint8_t rsdp_v2[ACPI_RSDP_V2_LENGTH];
	/* The result. */
	struct fake_mapper mapper;
	struct acpi_info info;
	bool valid;
};

static struct fixture fixture;

static void put_le(uint8_t *p, uint64_t value, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Set the checksum byte (offset 9) of the table at @phys so that it sums to 0. */
static void fix_checksum(uint64_t phys)
{
	uint8_t *t = phys_ptr(phys);

	t[9] = 0;
	t[9] = (uint8_t)-acpi_checksum(t, get_le32(t + 4));
}

/* Change the 32-bit field at @offset of the table at @phys, keeping the checksum right. */
static void poke32(uint64_t phys, uint32_t offset, uint32_t value)
{
	put_le(phys_ptr(phys) + offset, value, 4);
	fix_checksum(phys);
}

/* Put a table with @signature and @body in memory, 16-byte aligned. Return: its address. */
static uint64_t place_table(struct fixture *f, const char *signature, uint8_t revision,
			    const uint8_t *body, size_t body_length)
{
	uint64_t phys;
	uint8_t *t;

	f->used = (f->used + 15) & ~(size_t)15;
	phys = PHYS_BASE + f->used;
	t = phys_ptr(phys);
	if (f->used + ACPI_HEADER_LENGTH + body_length > PHYS_SIZE)
		abort();
	memcpy(t, signature, 4);
	put_le(t + 4, ACPI_HEADER_LENGTH + body_length, 4);
	t[8] = revision;
	memcpy(t + 10, "FERRIT", 6);
	memcpy(t + 16, "TESTTBL ", 8);
	put_le(t + 24, 1, 4);
	memcpy(t + 28, "HOST", 4);
	put_le(t + 32, 1, 4);
	memcpy(t + ACPI_HEADER_LENGTH, body, body_length);
	f->used += ACPI_HEADER_LENGTH + body_length;
	fix_checksum(phys);
	return phys;
}

static void madt_add(struct fixture *f, const uint8_t *entry, size_t length)
{
	if (f->entries_length + length > ENTRIES_MAX)
		abort();
	memcpy(f->entries + f->entries_length, entry, length);
	f->entries_length += length;
}

static void madt_lapic(struct fixture *f, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	uint8_t e[8] = { ACPI_MADT_LOCAL_APIC, 8, uid, apic_id };

	put_le(e + 4, flags, 4);
	madt_add(f, e, sizeof(e));
}

static void madt_x2apic(struct fixture *f, uint32_t uid, uint32_t apic_id, uint32_t flags)
{
	uint8_t e[16] = { ACPI_MADT_LOCAL_X2APIC, 16 };

	put_le(e + 4, apic_id, 4);
	put_le(e + 8, flags, 4);
	put_le(e + 12, uid, 4);
	madt_add(f, e, sizeof(e));
}

static void madt_ioapic(struct fixture *f, uint8_t id, uint32_t address, uint32_t gsi_base)
{
	uint8_t e[12] = { ACPI_MADT_IO_APIC, 12, id };

	put_le(e + 4, address, 4);
	put_le(e + 8, gsi_base, 4);
	madt_add(f, e, sizeof(e));
}

static void madt_override(struct fixture *f, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint8_t e[10] = { ACPI_MADT_INTERRUPT_OVERRIDE, 10, bus, irq };

	put_le(e + 4, gsi, 4);
	put_le(e + 8, flags, 2);
	madt_add(f, e, sizeof(e));
}

static void madt_nmi(struct fixture *f, uint8_t uid, uint16_t flags, uint8_t lint)
{
	uint8_t e[6] = { ACPI_MADT_LOCAL_APIC_NMI, 6, uid };

	put_le(e + 3, flags, 2);
	e[5] = lint;
	madt_add(f, e, sizeof(e));
}

static void madt_x2apic_nmi(struct fixture *f, uint32_t uid, uint16_t flags, uint8_t lint)
{
	uint8_t e[12] = { ACPI_MADT_LOCAL_X2APIC_NMI, 12 };

	put_le(e + 2, flags, 2);
	put_le(e + 4, uid, 4);
	e[8] = lint;
	madt_add(f, e, sizeof(e));
}

static void madt_lapic_override(struct fixture *f, uint64_t address)
{
	uint8_t e[12] = { ACPI_MADT_LOCAL_APIC_OVERRIDE, 12 };

	put_le(e + 4, address, 8);
	madt_add(f, e, sizeof(e));
}

/* What QEMU's pc machine lists with -smp 4. */
static void fixture_defaults(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	memset(phys_mem, 0xcc, sizeof(phys_mem));
	f->madt_revision = 1;
	f->lapic_address = 0xfee00000;
	f->madt_flags = ACPI_MADT_PCAT_COMPAT;
	f->give_v1 = f->give_v2 = true;
	for (uint8_t i = 0; i < 4; i++)
		madt_lapic(f, i, i, ACPI_MADT_ENABLED);
	madt_ioapic(f, 0, 0xfec00000, 0);
	madt_override(f, 0, 0, 2, 0);
	madt_override(f, 0, 5, 5, 0xd);
	madt_override(f, 0, 9, 9, 0xd);
	madt_override(f, 0, 10, 10, 0xd);
	madt_override(f, 0, 11, 11, 0xd);
	madt_nmi(f, 0xff, 0, 1);
}

/* Lay the tables out in memory and make the RSDP copies. */
static void layout(struct fixture *f)
{
	uint8_t body[ENTRIES_MAX + 8] = { 0 }, hpet[20] = { 0 }, mcfg[24] = { 0 }, root[8 * 4];
	uint64_t listed[4];

	f->facp = place_table(f, "FACP", 1, body, 80);
	put_le(body, f->lapic_address, 4);
	put_le(body + 4, f->madt_flags, 4);
	memcpy(body + 8, f->entries, f->entries_length);
	f->madt = place_table(f, "APIC", f->madt_revision, body, 8 + f->entries_length);
	put_le(hpet, 0x8086a201, 4);
	hpet[5] = 64;	/* generic address: memory space 0, 64 bits wide */
	put_le(hpet + 8, 0xfed00000, 8);
	put_le(hpet + 17, 0x37ee, 2);
	f->hpet = place_table(f, "HPET", 1, hpet, sizeof(hpet));
	put_le(mcfg + 8, 0xb0000000, 8);
	mcfg[8 + 11] = 0xff;	/* buses 0-255 of segment 0 */
	f->mcfg = place_table(f, "MCFG", 1, mcfg, sizeof(mcfg));

	listed[0] = f->facp, listed[1] = f->madt, listed[2] = f->hpet, listed[3] = f->mcfg;
	for (int i = 0; i < 4; i++)
		put_le(root + 4 * i, listed[i], 4);
	f->rsdt = place_table(f, "RSDT", 1, root, 16);
	for (int i = 0; i < 4; i++)
		put_le(root + 8 * i, listed[i], 8);
	f->xsdt = place_table(f, "XSDT", 1, root, 32);

	memcpy(f->rsdp_v1, "RSD PTR ", 8);
	memcpy(f->rsdp_v1 + 9, "FERRIT", 6);
	put_le(f->rsdp_v1 + 16, f->rsdt, 4);
	f->rsdp_v1[8] = (uint8_t)-acpi_checksum(f->rsdp_v1, ACPI_RSDP_V1_LENGTH);
	memcpy(f->rsdp_v2, f->rsdp_v1, ACPI_RSDP_V1_LENGTH);
	f->rsdp_v2[8] = 0;
	f->rsdp_v2[15] = 2;
	put_le(f->rsdp_v2 + 20, ACPI_RSDP_V2_LENGTH, 4);
	put_le(f->rsdp_v2 + 24, f->xsdt, 8);
	f->rsdp_v2[8] = (uint8_t)-acpi_checksum(f->rsdp_v2, ACPI_RSDP_V1_LENGTH);
	f->rsdp_v2[32] = (uint8_t)-acpi_checksum(f->rsdp_v2, ACPI_RSDP_V2_LENGTH);
}

/* Recompute both RSDP v2 checksums after a change to the copy. */
static void fix_rsdp_v2(struct fixture *f)
{
	f->rsdp_v2[8] = 0;
	f->rsdp_v2[32] = 0;
	f->rsdp_v2[8] = (uint8_t)-acpi_checksum(f->rsdp_v2, ACPI_RSDP_V1_LENGTH);
	f->rsdp_v2[32] = (uint8_t)-acpi_checksum(f->rsdp_v2, ACPI_RSDP_V2_LENGTH);
}

/* Run the parser on what was laid out, capturing what it prints. */
static void parse(struct fixture *f)
{
	const struct acpi_table_mapper mapper = { fake_map, fake_unmap, &f->mapper };
	struct acpi_tables_input in = {
		.rsdp_v1 = f->give_v1 ? f->rsdp_v1 : NULL,
		.rsdp_v1_length = sizeof(f->rsdp_v1),
		.rsdp_v1_phys = 0x9fc40,
		.rsdp_v2 = f->give_v2 ? f->rsdp_v2 : NULL,
		.rsdp_v2_length = sizeof(f->rsdp_v2),
		.rsdp_v2_phys = 0x9fc80,
		.boot_apic_id = f->boot_apic_id,
	};

	capture_start();
	f->valid = acpi_tables_parse(&in, &mapper, &f->info);
	capture_stop();
}

/* Invariants every result keeps, whatever the tables held. */
static void check_invariants(struct ktest *t, struct fixture *f)
{
	const struct acpi_madt_info *madt = &f->info.madt;

	KEXPECT_EQ(t, f->mapper.outstanding, 0);
	KEXPECT_EQ(t, f->mapper.bad_unmaps, 0);
	KEXPECT_EQ(t, f->valid, f->info.valid);
	KASSERT_GE(t, madt->cpu_count, 1);
	KASSERT_LE(t, madt->cpu_count, NR_CPUS);
	KEXPECT_UEQ(t, madt->cpus[0].apic_id, f->boot_apic_id);
	for (unsigned int i = 0; i < madt->cpu_count; i++) {
		KEXPECT_UNE(t, madt->cpus[i].apic_id, ACPI_NO_APIC_ID);
		for (unsigned int k = i + 1; k < madt->cpu_count; k++)
			KEXPECT_UNE(t, madt->cpus[i].apic_id, madt->cpus[k].apic_id);
	}
	KEXPECT_LE(t, madt->ioapic_count, ACPI_MAX_IOAPICS);
	KEXPECT_LE(t, madt->override_count, ACPI_MAX_OVERRIDES);
	KEXPECT_UNE(t, madt->lapic_address, 0);
	KEXPECT_LE(t, f->info.table_count, ACPI_MAX_TABLES);
	if (!f->info.valid) {
		KEXPECT_EQ(t, madt->cpu_count, 1);
		KEXPECT_EQ(t, madt->ioapic_count, 0);
		KEXPECT_EQ(t, madt->override_count, 0);
	}
}

/* ---- valid tables -------------------------------------------------------- */

static void test_qemu_like_tables_via_xsdt(struct ktest *t)
{
	struct fixture *f = &fixture;
	const struct acpi_madt_info *madt = &f->info.madt;
	char line[128];

	fixture_defaults(f);
	layout(f);
	parse(f);
	check_invariants(t, f);
	KEXPECT_TRUE(t, f->valid);
	KEXPECT_EQ(t, f->info.problems, 0);
	KEXPECT_EQ(t, f->info.revision, 2);
	KEXPECT_EQ(t, madt->cpu_count, 4);
	for (unsigned int i = 0; i < 4; i++) {
		KEXPECT_UEQ(t, madt->cpus[i].apic_id, i);
		KEXPECT_UEQ(t, madt->cpus[i].acpi_uid, i);
		KEXPECT_FALSE(t, madt->cpus[i].online_capable);
	}
	KEXPECT_UEQ(t, madt->lapic_address, 0xfee00000);
	KEXPECT_TRUE(t, madt->pcat_compat);
	KASSERT_EQ(t, madt->ioapic_count, 1);
	KEXPECT_UEQ(t, madt->ioapics[0].address, 0xfec00000);
	KEXPECT_UEQ(t, madt->ioapics[0].gsi_base, 0);
	KASSERT_EQ(t, madt->override_count, 5);
	KEXPECT_UEQ(t, madt->overrides[0].isa_irq, 0);
	KEXPECT_UEQ(t, madt->overrides[0].gsi, 2);
	KEXPECT_UEQ(t, madt->overrides[1].isa_irq, 5);
	KEXPECT_UEQ(t, madt->overrides[1].flags, 0xd);
	KEXPECT_UEQ(t, madt->nmi_lint, 1);
	KEXPECT_TRUE(t, f->info.hpet.present);
	KEXPECT_UEQ(t, f->info.hpet.address, 0xfed00000);
	KEXPECT_UEQ(t, f->info.hpet.min_tick, 0x37ee);
	KASSERT_EQ(t, f->info.mcfg.count, 1);
	KEXPECT_UEQ(t, f->info.mcfg.regions[0].base, 0xb0000000);
	KEXPECT_UEQ(t, f->info.mcfg.regions[0].bus_end, 0xff);
	KASSERT_EQ(t, f->info.table_count, 5);
	KEXPECT_STREQ(t, f->info.tables[0].signature, "XSDT");
	KEXPECT_STREQ(t, f->info.tables[1].signature, "FACP");
	KEXPECT_FALSE(t, f->info.tables[1].parsed);
	KEXPECT_STREQ(t, f->info.tables[2].signature, "APIC");
	KEXPECT_TRUE(t, f->info.tables[2].parsed);
	KEXPECT_UEQ(t, f->info.tables[2].address, f->madt);

	KEXPECT_REPORTED(t, "ACPI: RSDP 0x000000000009FC80 000024 (v02 FERRIT)\n");
	snprintf(line, sizeof(line), "ACPI: XSDT 0x%016llX 000044 (v01 FERRIT TESTTBL  00000001 "
		 "HOST 00000001)\n", (unsigned long long)f->xsdt);
	KEXPECT_REPORTED(t, line);
	snprintf(line, sizeof(line), "ACPI: APIC 0x%016llX 000090 (v01 FERRIT",
		 (unsigned long long)f->madt);
	KEXPECT_REPORTED(t, line);
	KEXPECT_REPORTED(t, "ACPI: IOAPIC (id[0x00] address[0xfec00000] gsi_base[0])\n");
	KEXPECT_REPORTED(t, "ACPI: INT_SRC_OVR (bus 0 bus_irq 9 global_irq 9 high level)\n");
	KEXPECT_REPORTED(t, "ACPI: CPU 1 (APIC ID 1) enabled\n");
	KEXPECT_REPORTED(t, "ACPI: MADT: 4 CPUs, 1 IOAPIC, 5 overrides, LAPIC at 0xfee00000\n");
	KEXPECT_REPORTED(t, "ACPI: HPET id: 0x8086a201 base: 0xfed00000");
	KEXPECT_REPORTED(t, "ACPI: MCFG: PCI segment 0000 [bus 00-ff] at 0xb0000000-0xbfffffff\n");
	/* Every table is listed before the first MADT detail line. */
	KEXPECT_TRUE(t, strstr(capture_text(), "ACPI: MCFG 0x") < strstr(capture_text(), "IOAPIC"));
}

static void test_rsdt_only_like_seabios(struct ktest *t)
{
	struct fixture *f = &fixture;

	fixture_defaults(f);
	f->give_v2 = false;
	layout(f);
	parse(f);
	check_invariants(t, f);
	KEXPECT_TRUE(t, f->valid);
	KEXPECT_EQ(t, f->info.problems, 0);
	KEXPECT_EQ(t, f->info.revision, 0);
	KEXPECT_STREQ(t, f->info.tables[0].signature, "RSDT");
	KEXPECT_EQ(t, f->info.madt.cpu_count, 4);
	KEXPECT_REPORTED(t, "ACPI: RSDP 0x000000000009FC40 000014 (v00 FERRIT)\n");
}

static void test_boot_cpu_moves_first(struct ktest *t)
{
	struct fixture *f = &fixture;
	const struct acpi_madt_info *madt = &f->info.madt;

	fixture_defaults(f);
	f->boot_apic_id = 2;
	layout(f);
	parse(f);
	check_invariants(t, f);
	KASSERT_EQ(t, madt->cpu_count, 4);
	KEXPECT_UEQ(t, madt->cpus[0].apic_id, 2);
	KEXPECT_UEQ(t, madt->cpus[1].apic_id, 0);
	KEXPECT_UEQ(t, madt->cpus[2].apic_id, 1);
	KEXPECT_UEQ(t, madt->cpus[3].apic_id, 3);
	KEXPECT_REPORTED(t, "ACPI: CPU 0 (APIC ID 2) enabled\n");
}

static void test_x2apic_disabled_and_online_capable(struct ktest *t)
{
	struct fixture *f = &fixture;
	const struct acpi_madt_info *madt = &f->info.madt;

	fixture_defaults(f);
	f->entries_length = 0;
	f->madt_revision = 5;
	f->boot_apic_id = 300;
	madt_x2apic(f, 1, 300, ACPI_MADT_ENABLED);
	madt_x2apic(f, 2, 301, 0);				/* disabled: not usable */
	madt_x2apic(f, 3, 302, ACPI_MADT_ONLINE_CAPABLE);	/* may come online */
	madt_lapic(f, 4, 7, ACPI_MADT_ENABLED);
	madt_x2apic_nmi(f, 0xffffffff, 0, 1);
	madt_lapic_override(f, 0xfee10000);
	madt_ioapic(f, 3, 0xfec00000, 0);
	layout(f);
	parse(f);
	check_invariants(t, f);
	KEXPECT_TRUE(t, f->valid);
	KEXPECT_EQ(t, f->info.problems, 0);
	KASSERT_EQ(t, madt->cpu_count, 3);
	KEXPECT_UEQ(t, madt->cpus[0].apic_id, 300);
	KEXPECT_UEQ(t, madt->cpus[1].apic_id, 302);
	KEXPECT_TRUE(t, madt->cpus[1].online_capable);
	KEXPECT_UEQ(t, madt->cpus[1].acpi_uid, 3);
	KEXPECT_UEQ(t, madt->cpus[2].apic_id, 7);
	KEXPECT_UEQ(t, madt->nmi_lint, 1);
	KEXPECT_UEQ(t, madt->lapic_address, 0xfee10000);
	KEXPECT_REPORTED(t, "ACPI: CPU 1 (APIC ID 302) online-capable\n");
	KEXPECT_REPORTED(t, "local x2APIC (APIC ID 301, UID 2) disabled\n");
	KEXPECT_REPORTED(t, "LAPIC at 0xfee10000\n");
}

static void test_online_capable_needs_madt_revision_5(struct ktest *t)
{
	struct fixture *f = &fixture;

	fixture_defaults(f);
	f->entries_length = 0;
	f->madt_revision = 4;
	madt_lapic(f, 0, 0, ACPI_MADT_ENABLED);
	madt_lapic(f, 1, 1, ACPI_MADT_ONLINE_CAPABLE);	/* before ACPI 6.3 this bit is reserved */
	layout(f);
	parse(f);
	check_invariants(t, f);
	KEXPECT_EQ(t, f->info.madt.cpu_count, 1);
	KEXPECT_EQ(t, f->info.problems, 0);
}

/* ---- malformed tables: a flat table of cases ----------------------------- */

struct malformed_case {
	const char *name;
	void (*before)(struct fixture *f);	/* change what gets built; may be NULL */
	void (*after)(struct fixture *f);	/* break what was built; may be NULL */
	const char *report;			/* text the report must contain */
	bool valid;
	int cpus, ioapics, overrides;		/* expected counts, or SKIP */
};

static void madt_bad_checksum(struct fixture *f)
{
	phys_ptr(f->madt)[40] += 1;
}

static void madt_longer_than_memory(struct fixture *f)
{
	put_le(phys_ptr(f->madt) + 4, PHYS_SIZE, 4);
}

static void madt_shorter_than_header(struct fixture *f)
{
	put_le(phys_ptr(f->madt) + 4, 20, 4);
}

static void madt_over_limit(struct fixture *f)
{
	put_le(phys_ptr(f->madt) + 4, ACPI_MAX_TABLE_LENGTH + 1, 4);
}

static void madt_changes_between_maps(struct fixture *f)
{
	f->mapper.change_on_full_map = f->madt;
}

static void entry_length_zero(struct fixture *f)
{
	madt_add(f, (const uint8_t[]){ ACPI_MADT_IO_APIC, 0, 1, 0 }, 4);
	madt_lapic(f, 9, 9, ACPI_MADT_ENABLED);		/* never reached */
}

static void entry_length_one(struct fixture *f)
{
	madt_add(f, (const uint8_t[]){ ACPI_MADT_LOCAL_APIC, 1, 0, 0 }, 4);
}

static void entry_runs_past_end(struct fixture *f)
{
	madt_add(f, (const uint8_t[]){ ACPI_MADT_LOCAL_APIC, 200, 9, 9, 1, 0, 0, 0 }, 8);
}

/* An x2APIC entry whose last 8 bytes would lie past the table: reading them is a wild read. */
static void x2apic_cut_by_the_end(struct fixture *f)
{
	madt_add(f, (const uint8_t[]){ ACPI_MADT_LOCAL_X2APIC, 16, 0, 0, 9, 0, 0, 0 }, 8);
}

static void entry_header_cut(struct fixture *f)
{
	madt_add(f, (const uint8_t[]){ ACPI_MADT_LOCAL_APIC }, 1);
}

static void entry_too_short_for_type(struct fixture *f)
{
	f->entries_length = 0;
	madt_lapic(f, 0, 0, ACPI_MADT_ENABLED);
	madt_add(f, (const uint8_t[]){ ACPI_MADT_IO_APIC, 8, 1, 0, 0, 0, 0xc0, 0xfe }, 8);
	madt_override(f, 0, 0, 2, 0);
}

static void x2apic_too_short(struct fixture *f)
{
	madt_add(f, (const uint8_t[]){ ACPI_MADT_LOCAL_X2APIC, 8, 0, 0, 9, 0, 0, 0 }, 8);
}

static void duplicate_apic_id(struct fixture *f)
{
	madt_lapic(f, 4, 1, ACPI_MADT_ENABLED);
}

static void x2apic_duplicates_lapic(struct fixture *f)
{
	madt_x2apic(f, 8, 3, ACPI_MADT_ENABLED);
}

static void x2apic_invalid_id(struct fixture *f)
{
	madt_x2apic(f, 8, ACPI_NO_APIC_ID, ACPI_MADT_ENABLED);
}

static void lapic_invalid_id(struct fixture *f)
{
	madt_lapic(f, 8, 0xff, ACPI_MADT_ENABLED);
}

/* 70 usable CPUs, the boot CPU listed last. */
static void too_many_cpus(struct fixture *f)
{
	f->entries_length = 0;
	f->boot_apic_id = 69;
	for (uint32_t i = 0; i < 70; i++)
		madt_x2apic(f, i, i, ACPI_MADT_ENABLED);
}

static void boot_cpu_missing(struct fixture *f)
{
	f->boot_apic_id = 5;
}

static void no_usable_cpu(struct fixture *f)
{
	f->entries_length = 0;
	madt_lapic(f, 0, 0, 0);
	madt_ioapic(f, 0, 0xfec00000, 0);
}

static void too_many_ioapics(struct fixture *f)
{
	for (uint8_t i = 1; i <= ACPI_MAX_IOAPICS; i++)
		madt_ioapic(f, i, 0xfec00000 + i * 0x1000u, i * 24u);
}

static void duplicate_ioapic_id(struct fixture *f)
{
	madt_ioapic(f, 0, 0xfec01000, 24);
}

static void ioapic_at_zero(struct fixture *f)
{
	madt_ioapic(f, 1, 0, 24);
}

static void override_not_isa(struct fixture *f)
{
	madt_override(f, 0, 16, 16, 0);
	madt_override(f, 1, 3, 3, 0);
}

static void override_twice(struct fixture *f)
{
	madt_override(f, 0, 0, 0, 0);
}

static void nmi_bad_lint(struct fixture *f)
{
	f->entries_length = 0;
	madt_lapic(f, 0, 0, ACPI_MADT_ENABLED);
	madt_nmi(f, 0xff, 0, 2);
}

static void nmi_conflicting_lint(struct fixture *f)
{
	madt_nmi(f, 0, 0, 0);
}

static void lapic_override_zero(struct fixture *f)
{
	madt_lapic_override(f, 0);
}

static void lapic_address_zero(struct fixture *f)
{
	f->lapic_address = 0;
}

static void rsdt_length_not_multiple(struct fixture *f)
{
	f->give_v2 = false;
	poke32(f->rsdt, 4, ACPI_HEADER_LENGTH + 16 + 2);
}

static void xsdt_length_not_multiple(struct fixture *f)
{
	poke32(f->xsdt, 4, ACPI_HEADER_LENGTH + 32 - 4);
}

static void xsdt_points_nowhere(struct fixture *f)
{
	put_le(phys_ptr(f->xsdt) + ACPI_HEADER_LENGTH, UNMAPPED_ADDRESS, 8);
	fix_checksum(f->xsdt);
}

static void xsdt_null_entry(struct fixture *f)
{
	put_le(phys_ptr(f->xsdt) + ACPI_HEADER_LENGTH + 8, 0, 8);
	fix_checksum(f->xsdt);
}

static void xsdt_bad_checksum(struct fixture *f)
{
	phys_ptr(f->xsdt)[12] ^= 0x40;
}

static void xsdt_is_the_madt(struct fixture *f)
{
	put_le(f->rsdp_v2 + 24, f->madt, 8);
	fix_rsdp_v2(f);
}

static void xsdt_address_zero(struct fixture *f)
{
	put_le(f->rsdp_v2 + 24, 0, 8);
	fix_rsdp_v2(f);
}

static void rsdp_v2_bad_checksum(struct fixture *f)
{
	f->rsdp_v2[32] += 1;
}

static void rsdp_v2_long_length(struct fixture *f)
{
	put_le(f->rsdp_v2 + 20, 40, 4);
	fix_rsdp_v2(f);
}

static void rsdp_v2_old_revision(struct fixture *f)
{
	f->rsdp_v2[15] = 0;
	fix_rsdp_v2(f);
}

static void rsdp_v1_bad_signature(struct fixture *f)
{
	f->give_v2 = false;
	f->rsdp_v1[0] = 'X';
}

static void rsdp_v1_bad_checksum(struct fixture *f)
{
	f->give_v2 = false;
	f->rsdp_v1[8] += 1;
}

static void no_rsdp(struct fixture *f)
{
	f->give_v1 = f->give_v2 = false;
}

static void rsdt_points_to_unmapped_madt(struct fixture *f)
{
	f->give_v2 = false;
	put_le(phys_ptr(f->rsdt) + ACPI_HEADER_LENGTH + 4, UNMAPPED_ADDRESS, 4);
	fix_checksum(f->rsdt);
}

static void hpet_in_io_space(struct fixture *f)
{
	phys_ptr(f->hpet)[40] = 1;
	fix_checksum(f->hpet);
}

static void mcfg_partial_entry(struct fixture *f)
{
	poke32(f->mcfg, 4, get_le32(phys_ptr(f->mcfg) + 4) - 4);
}

static void mcfg_bus_range_backwards(struct fixture *f)
{
	phys_ptr(f->mcfg)[ACPI_MCFG_ENTRIES_OFFSET + 10] = 0x20;
	phys_ptr(f->mcfg)[ACPI_MCFG_ENTRIES_OFFSET + 11] = 0x10;
	fix_checksum(f->mcfg);
}

static const struct malformed_case malformed_cases[] = {
	{ "MADT bad checksum", NULL, madt_bad_checksum,
	  "APIC at 0x7fe0080: bad checksum (bytes sum to 0x01", false, 1, 0, 0 },
	{ "MADT longer than memory", NULL, madt_longer_than_memory,
	  "APIC at 0x7fe0080: cannot map its 0x10000 bytes; ignored", false, 1, 0, 0 },
	{ "MADT shorter than its header", NULL, madt_shorter_than_header,
	  "APIC at 0x7fe0080: length 20 is shorter than its fixed part (44)", false, 1, 0, 0 },
	{ "MADT over 1 MiB", NULL, madt_over_limit,
	  "APIC at 0x7fe0080: length 0x100001 is over the 0x100000 limit", false, 1, 0, 0 },
	{ "MADT header changes between maps", NULL, madt_changes_between_maps,
	  "APIC at 0x7fe0080: header changed while it was read", false, 1, 0, 0 },
	{ "entry length 0", entry_length_zero, NULL,
	  "APIC+0x90: entry type 1 has length 0 (at least 2 is needed to move on); the rest",
	  true, 4, 1, 5 },
	{ "entry length 1", entry_length_one, NULL,
	  "APIC+0x90: entry type 0 has length 1", true, 4, 1, 5 },
	{ "entry runs past the end", entry_runs_past_end, NULL,
	  "APIC+0x90: entry type 0 of length 200 runs past the table end (0x98)", true, 4, 1, 5 },
	{ "x2APIC entry cut by the end", x2apic_cut_by_the_end, NULL,
	  "APIC+0x90: entry type 9 of length 16 runs past the table end (0x98)", true, 4, 1, 5 },
	{ "entry header cut by the end", entry_header_cut, NULL,
	  "APIC+0x90: 1 byte left after the last entry", true, 4, 1, 5 },
	{ "I/O APIC entry too short", entry_too_short_for_type, NULL,
	  "APIC+0x34: entry type 1 has length 8, its type needs 12; skipped", true, 1, 0, 1 },
	{ "x2APIC entry too short", x2apic_too_short, NULL,
	  "APIC+0x90: entry type 9 has length 8, its type needs 16; skipped", true, 4, 1, 5 },
	{ "duplicate APIC ID", duplicate_apic_id, NULL,
	  "APIC+0x90: local APIC: APIC ID 1 listed twice (UIDs 1 and 4)", true, 4, 1, 5 },
	{ "x2APIC entry repeats a local APIC", x2apic_duplicates_lapic, NULL,
	  "APIC+0x90: local x2APIC: APIC ID 3 listed twice (UIDs 3 and 8)", true, 4, 1, 5 },
	{ "x2APIC ID 0xffffffff", x2apic_invalid_id, NULL,
	  "APIC+0x90: local x2APIC (UID 8) has the invalid APIC ID 0xffffffff; skipped",
	  true, 4, 1, 5 },
	{ "local APIC ID 0xff", lapic_invalid_id, NULL,
	  "APIC+0x90: local APIC (UID 8) has the invalid APIC ID 0xff; skipped", true, 4, 1, 5 },
	{ "more CPUs than NR_CPUS", too_many_cpus, NULL,
	  "APIC: 6 more usable CPUs than NR_CPUS (64); they stay offline", true, NR_CPUS, 0, 0 },
	{ "boot CPU not listed", boot_cpu_missing, NULL,
	  "APIC: the boot CPU (APIC ID 5) is not listed: running on it alone", false, 1, 0, 0 },
	{ "no usable CPU", no_usable_cpu, NULL,
	  "APIC: the boot CPU (APIC ID 0) is not listed", false, 1, 0, 0 },
	{ "too many I/O APICs", too_many_ioapics, NULL,
	  "more than 8 I/O APICs; ID 8 at 0xfec08000 skipped", true, 4, ACPI_MAX_IOAPICS, 5 },
	{ "duplicate I/O APIC ID", duplicate_ioapic_id, NULL,
	  "APIC+0x90: I/O APIC ID 0 listed twice; the second (0xfec01000) is skipped",
	  true, 4, 1, 5 },
	{ "I/O APIC at 0", ioapic_at_zero, NULL,
	  "APIC+0x90: I/O APIC 1 at address 0; skipped", true, 4, 1, 5 },
	{ "override for a non-ISA IRQ", override_not_isa, NULL,
	  "APIC+0x9a: interrupt override for bus 1 IRQ 3 (only ISA IRQs 0-15 exist)",
	  true, 4, 1, 5 },
	{ "second override for IRQ 0", override_twice, NULL,
	  "APIC+0x90: second override for ISA IRQ 0 (GSI 0, first 2); skipped", true, 4, 1, 5 },
	{ "NMI on LINT2", nmi_bad_lint, NULL,
	  "APIC+0x34: local APIC NMI on LINT2 (only LINT0 and LINT1 exist)", true, 1, 0, 0 },
	{ "NMI entries disagree", nmi_conflicting_lint, NULL,
	  "APIC+0x90: local APIC NMI on LINT0, but LINT1 before; skipped", true, 4, 1, 5 },
	{ "local APIC address override to 0", lapic_override_zero, NULL,
	  "APIC+0x90: local APIC address override to 0; skipped", true, 4, 1, 5 },
	{ "local APIC address 0", lapic_address_zero, NULL,
	  "APIC: local APIC address 0; using 0xfee00000", true, 4, 1, 5 },
	{ "RSDT length not a multiple of 4", NULL, rsdt_length_not_multiple,
	  "RSDT: length 54 leaves 2 bytes after its last 4-byte entry", true, 4, 1, 5 },
	{ "XSDT length not a multiple of 8", NULL, xsdt_length_not_multiple,
	  "XSDT: length 64 leaves 4 bytes after its last 8-byte entry", true, 4, 1, 5 },
	{ "XSDT entry that does not map", NULL, xsdt_points_nowhere,
	  "XSDT entry 0 at 0xdead0000: cannot map its header; ignored", true, 4, 1, 5 },
	{ "XSDT entry 0", NULL, xsdt_null_entry,
	  "XSDT entry 1: address 0; skipped", false, 1, 0, 0 },
	{ "XSDT bad checksum: RSDT used", NULL, xsdt_bad_checksum,
	  "XSDT unusable; trying the RSDT", true, 4, 1, 5 },
	{ "XSDT address names the MADT", NULL, xsdt_is_the_madt,
	  "XSDT at 0x7fe0080: signature is \"APIC\"; ignored", true, 4, 1, 5 },
	{ "XSDT address 0", NULL, xsdt_address_zero,
	  "RSDP: XSDT address is 0", true, 4, 1, 5 },
	{ "RSDP v2 bad checksum: v1 used", NULL, rsdp_v2_bad_checksum,
	  "RSDP v2 copy: bad checksum (first 20 bytes sum to 0x00, all 36 to 0x01)",
	  true, 4, 1, 5 },
	{ "RSDP v2 length beyond the copy", NULL, rsdp_v2_long_length,
	  "RSDP v2 copy: length field 40 outside 36..36", true, 4, 1, 5 },
	{ "RSDP v2 copy with revision 0", NULL, rsdp_v2_old_revision,
	  "RSDP v2 copy: revision 0, below 2", true, 4, 1, 5 },
	{ "RSDP v1 bad signature", NULL, rsdp_v1_bad_signature,
	  "RSDP v1 copy: no \"RSD PTR \" signature", false, 1, 0, 0 },
	{ "RSDP v1 bad checksum", NULL, rsdp_v1_bad_checksum,
	  "RSDP v1 copy: bad checksum (first 20 bytes sum to 0x01)", false, 1, 0, 0 },
	{ "no RSDP", NULL, no_rsdp,
	  "ACPI: the boot loader passed no RSDP", false, 1, 0, 0 },
	{ "RSDT entry for the MADT does not map", NULL, rsdt_points_to_unmapped_madt,
	  "RSDT entry 1 at 0xdead0000: cannot map its header", false, 1, 0, 0 },
	{ "HPET in I/O space", NULL, hpet_in_io_space,
	  "HPET: registers in address space 1, not memory (0); ignored", true, 4, 1, 5 },
	{ "MCFG partial entry", NULL, mcfg_partial_entry,
	  "MCFG: 12 bytes after its last whole entry; ignored", true, 4, 1, 5 },
	{ "MCFG bus range backwards", NULL, mcfg_bus_range_backwards,
	  "MCFG+0x2c: segment 0 buses 32-16 at 0xb0000000 is not a region; skipped",
	  true, 4, 1, 5 },
};

static void expect_count(struct ktest *t, const char *what, int expected, unsigned int actual)
{
	if (expected != SKIP && (unsigned int)expected != actual) {
		KEXPECT_EQ(t, actual, expected);
		printk("        # (%s)\n", what);
	}
}

static void test_malformed_tables(struct ktest *t)
{
	for (size_t i = 0; i < sizeof(malformed_cases) / sizeof(malformed_cases[0]); i++) {
		const struct malformed_case *c = &malformed_cases[i];
		struct fixture *f = &fixture;
		unsigned int failures = t->failures;

		fixture_defaults(f);
		if (c->before)
			c->before(f);
		layout(f);
		if (c->after)
			c->after(f);
		parse(f);
		check_invariants(t, f);
		KEXPECT_REPORTED(t, c->report);
		KEXPECT_GE(t, f->info.problems, 1);
		KEXPECT_EQ(t, f->valid, c->valid);
		expect_count(t, "CPUs", c->cpus, f->info.madt.cpu_count);
		expect_count(t, "I/O APICs", c->ioapics, f->info.madt.ioapic_count);
		expect_count(t, "overrides", c->overrides, f->info.madt.override_count);
		if (t->failures != failures)
			printk("        # in case \"%s\"\n", c->name);
	}
}

/* The results some malformed cases must keep beyond their counts. */
static void test_malformed_keeps_the_rest(struct ktest *t)
{
	struct fixture *f = &fixture;

	/* More CPUs than NR_CPUS with the boot CPU last: a slot was kept for it. */
	fixture_defaults(f);
	too_many_cpus(f);
	layout(f);
	parse(f);
	check_invariants(t, f);
	KEXPECT_EQ(t, f->info.madt.cpus_dropped, 6);
	KEXPECT_UEQ(t, f->info.madt.cpus[0].apic_id, 69);
	KEXPECT_UEQ(t, f->info.madt.cpus[NR_CPUS - 1].apic_id, NR_CPUS - 2);

	/* A bad XSDT falls back to the RSDT, which lists the same tables. */
	fixture_defaults(f);
	layout(f);
	xsdt_bad_checksum(f);
	parse(f);
	check_invariants(t, f);
	KEXPECT_STREQ(t, f->info.tables[0].signature, "RSDT");
	KEXPECT_TRUE(t, f->info.hpet.present);
	KEXPECT_EQ(t, f->info.mcfg.count, 1);

	/* A broken HPET or MCFG costs nothing else. */
	fixture_defaults(f);
	layout(f);
	hpet_in_io_space(f);
	parse(f);
	KEXPECT_FALSE(t, f->info.hpet.present);
	KEXPECT_EQ(t, f->info.mcfg.count, 1);
	KEXPECT_TRUE(t, f->valid);

	/* A second MADT is listed, not parsed, and not a problem. */
	fixture_defaults(f);
	layout(f);
	put_le(phys_ptr(f->xsdt) + ACPI_HEADER_LENGTH, f->madt, 8);	/* FACP entry -> MADT */
	fix_checksum(f->xsdt);
	parse(f);
	check_invariants(t, f);
	KEXPECT_EQ(t, f->info.problems, 0);
	KEXPECT_REPORTED(t, "ACPI: APIC at 0x7fe0080: a second one; the first is used\n");
	KEXPECT_EQ(t, f->info.madt.cpu_count, 4);
}

/* A MADT whose first copy is broken: the next one listed is used. */
static void test_second_madt_used_when_first_is_bad(struct ktest *t)
{
	struct fixture *f = &fixture;
	uint64_t good;

	fixture_defaults(f);
	layout(f);
	/* Copy the good MADT, then break the first. */
	good = PHYS_BASE + ((f->used + 15) & ~(size_t)15);
	memcpy(phys_ptr(good), phys_ptr(f->madt), get_le32(phys_ptr(f->madt) + 4));
	put_le(phys_ptr(f->xsdt) + ACPI_HEADER_LENGTH + 8 * 3, good, 8);	/* MCFG entry -> copy */
	fix_checksum(f->xsdt);
	madt_bad_checksum(f);
	parse(f);
	check_invariants(t, f);
	KEXPECT_TRUE(t, f->valid);
	KEXPECT_EQ(t, f->info.madt.cpu_count, 4);
	KEXPECT_REPORTED(t, "APIC at 0x7fe0080: bad checksum");
}

/* A root table listing more tables than acpi_info remembers: the MADT listed last still counts. */
static void test_more_tables_than_remembered(struct ktest *t)
{
	struct fixture *f = &fixture;
	uint8_t body[8 * (ACPI_MAX_TABLES + 6)];
	size_t count = sizeof(body) / 8;

	fixture_defaults(f);
	layout(f);
	for (size_t i = 0; i < count; i++)
		put_le(body + 8 * i, i + 1 < count ? f->facp : f->madt, 8);
	put_le(f->rsdp_v2 + 24, place_table(f, "XSDT", 1, body, sizeof(body)), 8);
	fix_rsdp_v2(f);
	parse(f);
	check_invariants(t, f);
	KEXPECT_TRUE(t, f->valid);
	KEXPECT_EQ(t, f->info.problems, 0);
	KEXPECT_EQ(t, f->info.table_count, ACPI_MAX_TABLES);
	KEXPECT_EQ(t, f->info.madt.cpu_count, 4);
	KEXPECT_REPORTED(t, "ACPI: APIC at 0x7fe0080: more than 64 tables, not remembered\n");
}

KTEST_SUITE(acpi_tables,
	    KTEST_CASE(test_qemu_like_tables_via_xsdt),
	    KTEST_CASE(test_rsdt_only_like_seabios),
	    KTEST_CASE(test_boot_cpu_moves_first),
	    KTEST_CASE(test_x2apic_disabled_and_online_capable),
	    KTEST_CASE(test_online_capable_needs_madt_revision_5),
	    KTEST_CASE(test_malformed_tables),
	    KTEST_CASE(test_malformed_keeps_the_rest),
	    KTEST_CASE(test_second_madt_used_when_first_is_bad),
	    KTEST_CASE(test_more_tables_than_remembered));
