// SPDX-License-Identifier: MIT
/*
 * acpi_tables.c: find the ACPI tables from the RSDP and parse the MADT,
 * HPET and MCFG (contract and formats in include/acpi_tables.h).
 *
 * Firmware tables are untrusted input.  The order of checks for a table:
 * map its 36-byte header, check the signature and that the length covers
 * the header and the fixed part, refuse lengths above 1 MiB, unmap; map
 * the whole length, check the checksum; only then read fields.  MADT
 * entries are walked with the table's end as the bound: an entry header
 * that does not fit, a length of 0 or 1 (which would never advance) or a
 * length running past the end stops the walk; an entry shorter than its
 * type needs is skipped.  Every such problem is printed ("ACPI: APIC+0x2c:
 * ...", table and offset first) and counted.
 *
 * CPU slots: NR_CPUS entries, one of them kept for the boot CPU until it
 * has been seen, so that a MADT listing more CPUs than NR_CPUS with the
 * boot CPU last still yields a valid result.  Afterwards the boot CPU is
 * moved to cpus[0].
 */
#include "acpi_tables.h"
#include "printk.h"

/* A firmware mistake: printed and counted. */
#define report(p, fmt, ...) \
	((p)->info->problems++, printk(KERN_WARNING "ACPI: " fmt, ##__VA_ARGS__))

struct acpi_parser {
	const struct acpi_table_mapper *mapper;
	struct acpi_info *info;
	uint32_t boot_apic_id;
	bool boot_cpu_seen;
	bool madt_parsed;
	bool hpet_seen, mcfg_seen;
	uint8_t madt_revision;
};

/* A mapped table: its bytes and how many of them may be read. */
struct table_view {
	const uint8_t *bytes;
	uint32_t length;
	uint64_t phys;
	char signature[5];
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

uint8_t acpi_checksum(const void *data, size_t length)
{
	const uint8_t *bytes = data;
	uint8_t sum = 0;

	for (size_t i = 0; i < length; i++)
		sum = (uint8_t)(sum + bytes[i]);
	return sum;
}

static bool same_bytes(const uint8_t *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != (uint8_t)b[i])
			return false;
	return true;
}

/* Copy @n firmware characters to @out for printing: unprintable ones become '?'. */
static void printable(char *out, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? (char)in[i] : '?';
	out[n] = '\0';
}

static const void *map(struct acpi_parser *p, uint64_t phys, size_t length)
{
	if (!phys || phys > UINT64_MAX - length)
		return NULL;
	return p->mapper->map(p->mapper->context, phys, length);
}

static void unmap(struct acpi_parser *p, const void *virt, size_t length)
{
	p->mapper->unmap(p->mapper->context, virt, length);
}

static void unmap_table(struct acpi_parser *p, struct table_view *t)
{
	unmap(p, t->bytes, t->length);
	t->bytes = NULL;
}

/* Remember a table for acpi_info.tables[]. Return: its slot, or NULL when full. */
static struct acpi_table_ref *remember_table(struct acpi_parser *p, const char *signature,
					     uint64_t phys, uint32_t length)
{
	struct acpi_info *info = p->info;
	struct acpi_table_ref *ref;

	if (info->table_count == ACPI_MAX_TABLES) {
		printk(KERN_INFO "ACPI: %s at 0x%llx: more than %u tables, not remembered\n",
		       signature, (unsigned long long)phys, ACPI_MAX_TABLES);
		return NULL;
	}
	ref = &info->tables[info->table_count++];
	for (int i = 0; i < 5; i++)
		ref->signature[i] = signature[i];
	ref->address = phys;
	ref->length = length;
	return ref;
}

/* "ACPI: APIC 0x000000000FFE193E 000078 (v01 BOCHS  BXPC     00000001 BXPC 00000001)" */
static void print_header(const char *signature, uint64_t phys, const uint8_t *h)
{
	char oem[7], oem_table[9], creator[5];

	printable(oem, h + 10, 6);
	printable(oem_table, h + 16, 8);
	printable(creator, h + 28, 4);
	printk(KERN_INFO "ACPI: %.4s 0x%016llX %06X (v%02u %-6s %-8s %08X %-4s %08X)\n", signature,
	       (unsigned long long)phys, get32(h + 4), h[8], oem, oem_table, get32(h + 24), creator,
	       get32(h + 32));
}

/*
 * Map the header at @phys and read its signature and length; print its
 * line if @print.  A header that does not map is reported when @what
 * names the table.  Return: true with @t->signature, @t->length filled
 * (nothing stays mapped).
 */
static bool peek_header(struct acpi_parser *p, uint64_t phys, const char *what, bool print,
			struct table_view *t)
{
	const uint8_t *h = map(p, phys, ACPI_HEADER_LENGTH);

	t->phys = phys;
	t->bytes = NULL;
	if (!h) {
		if (what)
			report(p, "%s at 0x%llx: cannot map its header; ignored\n", what,
				(unsigned long long)phys);
		return false;
	}
	printable(t->signature, h, 4);
	t->length = get32(h + 4);
	if (print)
		print_header(t->signature, phys, h);
	unmap(p, h, ACPI_HEADER_LENGTH);
	return true;
}

/*
 * Map the whole table described by @t (after peek_header) and check it.
 * @min_length: the header plus the fixed part its type needs.
 * Return: true with @t->bytes mapped (unmap_table when done), or false (reported).
 */
static bool map_checked(struct acpi_parser *p, struct table_view *t, uint32_t min_length)
{
	uint8_t sum;

	if (t->length < min_length) {
		report(p, "%s at 0x%llx: length %u is shorter than its fixed part (%u); ignored\n",
		       t->signature, (unsigned long long)t->phys, t->length, min_length);
		return false;
	}
	if (t->length > ACPI_MAX_TABLE_LENGTH) {
		report(p, "%s at 0x%llx: length 0x%x is over the 0x%x limit; ignored\n",
		       t->signature, (unsigned long long)t->phys, t->length, ACPI_MAX_TABLE_LENGTH);
		return false;
	}
	t->bytes = map(p, t->phys, t->length);
	if (!t->bytes) {
		report(p, "%s at 0x%llx: cannot map its 0x%x bytes; ignored\n", t->signature,
		       (unsigned long long)t->phys, t->length);
		return false;
	}
	/* The header may have changed between the two mappings: check again. */
	if (!same_bytes(t->bytes, t->signature, 4) || get32(t->bytes + 4) != t->length) {
		report(p, "%s at 0x%llx: header changed while it was read; ignored\n",
		       t->signature, (unsigned long long)t->phys);
		unmap_table(p, t);
		return false;
	}
	sum = acpi_checksum(t->bytes, t->length);
	if (sum) {
		report(p, "%s at 0x%llx: bad checksum (bytes sum to 0x%02x, checksum byte 0x%02x); "
		       "ignored\n", t->signature, (unsigned long long)t->phys, sum, t->bytes[9]);
		unmap_table(p, t);
		return false;
	}
	return true;
}

/* ---- MADT ---------------------------------------------------------------- */

static void add_cpu(struct acpi_parser *p, const char *kind, uint32_t offset, uint32_t apic_id,
		    uint32_t uid, uint32_t flags, uint32_t invalid_id)
{
	struct acpi_madt_info *madt = &p->info->madt;
	bool enabled = flags & ACPI_MADT_ENABLED;
	bool online_capable = !enabled && p->madt_revision >= 5 && (flags & ACPI_MADT_ONLINE_CAPABLE);
	bool is_boot = apic_id == p->boot_apic_id;
	unsigned int room;

	if (!enabled && !online_capable) {
		printk(KERN_DEBUG "ACPI: APIC+0x%x: %s (APIC ID %u, UID %u) disabled\n", offset, kind,
		       apic_id, uid);
		return;
	}
	if (apic_id == invalid_id || apic_id == ACPI_NO_APIC_ID) {
		report(p, "APIC+0x%x: %s (UID %u) has the invalid APIC ID 0x%x; skipped\n", offset,
		       kind, uid, apic_id);
		return;
	}
	for (unsigned int i = 0; i < madt->cpu_count; i++) {
		if (madt->cpus[i].apic_id == apic_id) {
			report(p, "APIC+0x%x: %s: APIC ID %u listed twice (UIDs %u and %u); the "
			       "second is skipped\n", offset, kind, apic_id, madt->cpus[i].acpi_uid,
			       uid);
			return;
		}
	}
	room = p->boot_cpu_seen || is_boot ? NR_CPUS : NR_CPUS - 1;
	if (madt->cpu_count >= room) {
		madt->cpus_dropped++;
		return;
	}
	p->boot_cpu_seen |= is_boot;
	madt->cpus[madt->cpu_count++] = (struct acpi_cpu){ apic_id, uid, online_capable };
}

static void add_ioapic(struct acpi_parser *p, const uint8_t *e, uint32_t offset)
{
	struct acpi_madt_info *madt = &p->info->madt;
	struct acpi_ioapic io = { e[2], get32(e + 4), get32(e + 8) };

	if (!io.address) {
		report(p, "APIC+0x%x: I/O APIC %u at address 0; skipped\n", offset, io.id);
		return;
	}
	for (unsigned int i = 0; i < madt->ioapic_count; i++) {
		if (madt->ioapics[i].id == io.id) {
			report(p, "APIC+0x%x: I/O APIC ID %u listed twice; the second (0x%x) is "
			       "skipped\n", offset, io.id, io.address);
			return;
		}
	}
	if (madt->ioapic_count == ACPI_MAX_IOAPICS) {
		report(p, "APIC+0x%x: more than %u I/O APICs; ID %u at 0x%x skipped\n", offset,
		       ACPI_MAX_IOAPICS, io.id, io.address);
		return;
	}
	madt->ioapics[madt->ioapic_count++] = io;
	printk(KERN_INFO "ACPI: IOAPIC (id[0x%02x] address[0x%08x] gsi_base[%u])\n", io.id,
	       io.address, io.gsi_base);
}

static const char *const polarity_names[4] = { "dfl", "high", "res", "low" };
static const char *const trigger_names[4] = { "dfl", "edge", "res", "level" };

static void add_override(struct acpi_parser *p, const uint8_t *e, uint32_t offset)
{
	struct acpi_madt_info *madt = &p->info->madt;
	uint8_t bus = e[2];
	struct acpi_irq_override o = { e[3], get32(e + 4), get16(e + 8) };

	if (bus != 0 || o.isa_irq >= 16) {
		report(p, "APIC+0x%x: interrupt override for bus %u IRQ %u (only ISA IRQs 0-15 "
		       "exist); skipped\n", offset, bus, o.isa_irq);
		return;
	}
	for (unsigned int i = 0; i < madt->override_count; i++) {
		if (madt->overrides[i].isa_irq == o.isa_irq) {
			report(p, "APIC+0x%x: second override for ISA IRQ %u (GSI %u, first %u); "
			       "skipped\n", offset, o.isa_irq, o.gsi, madt->overrides[i].gsi);
			return;
		}
	}
	if (madt->override_count == ACPI_MAX_OVERRIDES) {
		report(p, "APIC+0x%x: more than %u interrupt overrides; ISA IRQ %u skipped\n", offset,
		       ACPI_MAX_OVERRIDES, o.isa_irq);
		return;
	}
	madt->overrides[madt->override_count++] = o;
	printk(KERN_INFO "ACPI: INT_SRC_OVR (bus 0 bus_irq %u global_irq %u %s %s)\n", o.isa_irq,
	       o.gsi, polarity_names[o.flags & 3], trigger_names[(o.flags >> 2) & 3]);
}

static void add_nmi(struct acpi_parser *p, uint32_t offset, uint32_t uid, uint16_t flags,
		    uint8_t lint)
{
	struct acpi_madt_info *madt = &p->info->madt;

	if (lint > 1) {
		report(p, "APIC+0x%x: local APIC NMI on LINT%u (only LINT0 and LINT1 exist); "
		       "skipped\n", offset, lint);
		return;
	}
	if (madt->nmi_lint != ACPI_NO_NMI_LINT && madt->nmi_lint != lint) {
		report(p, "APIC+0x%x: local APIC NMI on LINT%u, but LINT%u before; skipped\n",
		       offset, lint, madt->nmi_lint);
		return;
	}
	madt->nmi_lint = lint;
	madt->nmi_flags = flags;
	printk(KERN_DEBUG "ACPI: LAPIC_NMI (acpi_id[0x%02x] %s %s lint[0x%x])\n", uid,
	       polarity_names[flags & 3], trigger_names[(flags >> 2) & 3], lint);
}

/* Bytes each entry type needs; 0 for types the parser does not read. */
static uint8_t madt_entry_min_length(uint8_t type)
{
	switch (type) {
	case ACPI_MADT_LOCAL_APIC:
		return 8;
	case ACPI_MADT_IO_APIC:
		return 12;
	case ACPI_MADT_INTERRUPT_OVERRIDE:
		return 10;
	case ACPI_MADT_LOCAL_APIC_NMI:
		return 6;
	case ACPI_MADT_LOCAL_APIC_OVERRIDE:
		return 12;
	case ACPI_MADT_LOCAL_X2APIC:
		return 16;
	case ACPI_MADT_LOCAL_X2APIC_NMI:
		return 12;
	default:
		return 0;
	}
}

static void parse_madt_entry(struct acpi_parser *p, const uint8_t *e, uint32_t offset)
{
	struct acpi_madt_info *madt = &p->info->madt;

	switch (e[0]) {
	case ACPI_MADT_LOCAL_APIC:
		add_cpu(p, "local APIC", offset, e[3], e[2], get32(e + 4), 0xff);
		break;
	case ACPI_MADT_LOCAL_X2APIC:
		add_cpu(p, "local x2APIC", offset, get32(e + 4), get32(e + 12), get32(e + 8),
			ACPI_NO_APIC_ID);
		break;
	case ACPI_MADT_IO_APIC:
		add_ioapic(p, e, offset);
		break;
	case ACPI_MADT_INTERRUPT_OVERRIDE:
		add_override(p, e, offset);
		break;
	case ACPI_MADT_LOCAL_APIC_NMI:
		add_nmi(p, offset, e[2], get16(e + 3), e[5]);
		break;
	case ACPI_MADT_LOCAL_X2APIC_NMI:
		add_nmi(p, offset, get32(e + 4), get16(e + 2), e[8]);
		break;
	case ACPI_MADT_LOCAL_APIC_OVERRIDE:
		if (!get64(e + 4)) {
			report(p, "APIC+0x%x: local APIC address override to 0; skipped\n", offset);
			break;
		}
		madt->lapic_address = get64(e + 4);
		printk(KERN_INFO "ACPI: LAPIC_ADDR_OVR (address[0x%llx])\n",
		       (unsigned long long)madt->lapic_address);
		break;
	}
}

static void parse_madt(struct acpi_parser *p, const struct table_view *t)
{
	struct acpi_madt_info *madt = &p->info->madt;
	uint32_t offset = ACPI_MADT_ENTRIES_OFFSET;

	p->madt_revision = t->bytes[8];
	madt->lapic_address = get32(t->bytes + 36);
	madt->pcat_compat = get32(t->bytes + 40) & ACPI_MADT_PCAT_COMPAT;
	while (offset < t->length) {
		const uint8_t *e = t->bytes + offset;
		uint32_t left = t->length - offset;
		uint8_t need;

		if (left < 2) {
			report(p, "APIC+0x%x: %u byte left after the last entry, too few for an "
			       "entry header; ignored\n", offset, left);
			break;
		}
		if (e[1] < 2) {
			report(p, "APIC+0x%x: entry type %u has length %u (at least 2 is needed to "
			       "move on); the rest of the table is ignored\n", offset, e[0], e[1]);
			break;
		}
		if (e[1] > left) {
			report(p, "APIC+0x%x: entry type %u of length %u runs past the table end "
			       "(0x%x); the rest of the table is ignored\n", offset, e[0], e[1],
			       t->length);
			break;
		}
		need = madt_entry_min_length(e[0]);
		if (e[1] < need)
			report(p, "APIC+0x%x: entry type %u has length %u, its type needs %u; "
			       "skipped\n", offset, e[0], e[1], need);
		else
			parse_madt_entry(p, e, offset);
		offset += e[1];
	}
	if (!madt->lapic_address) {
		report(p, "APIC: local APIC address 0; using 0x%llx\n", ACPI_DEFAULT_LAPIC_ADDRESS);
		madt->lapic_address = ACPI_DEFAULT_LAPIC_ADDRESS;
	}
	if (madt->cpus_dropped)
		report(p, "APIC: %u more usable CPUs than NR_CPUS (%u); they stay offline\n",
		       madt->cpus_dropped, NR_CPUS);
	p->madt_parsed = true;
}

/* ---- HPET and MCFG ------------------------------------------------------- */

static void parse_hpet(struct acpi_parser *p, const struct table_view *t)
{
	struct acpi_hpet_info *hpet = &p->info->hpet;
	const uint8_t *gas = t->bytes + 40;
	uint64_t address = get64(gas + 4);

	if (gas[0] != 0) {
		report(p, "HPET: registers in address space %u, not memory (0); ignored\n", gas[0]);
		return;
	}
	if (!address) {
		report(p, "HPET: base address 0; ignored\n");
		return;
	}
	*hpet = (struct acpi_hpet_info){ true, address, t->bytes[52], get16(t->bytes + 53) };
	printk(KERN_INFO "ACPI: HPET id: 0x%x base: 0x%llx number %u min tick %u\n",
	       get32(t->bytes + 36), (unsigned long long)address, hpet->number, hpet->min_tick);
}

static void parse_mcfg(struct acpi_parser *p, const struct table_view *t)
{
	struct acpi_mcfg_info *mcfg = &p->info->mcfg;
	uint32_t body = t->length - ACPI_MCFG_ENTRIES_OFFSET;

	if (body % ACPI_MCFG_ENTRY_LENGTH)
		report(p, "MCFG: %u bytes after its last whole entry; ignored\n",
		       body % ACPI_MCFG_ENTRY_LENGTH);
	for (uint32_t i = 0; i < body / ACPI_MCFG_ENTRY_LENGTH; i++) {
		uint32_t offset = ACPI_MCFG_ENTRIES_OFFSET + i * ACPI_MCFG_ENTRY_LENGTH;
		const uint8_t *e = t->bytes + offset;
		uint64_t base = get64(e);
		uint16_t segment = get16(e + 8);
		uint8_t first = e[10], last = e[11];

		if (last < first || !base) {
			report(p, "MCFG+0x%x: segment %u buses %u-%u at 0x%llx is not a region; "
			       "skipped\n", offset, segment, first, last, (unsigned long long)base);
			continue;
		}
		if (mcfg->count == ACPI_MAX_MCFG_REGIONS) {
			report(p, "MCFG+0x%x: more than %u regions; the rest are ignored\n", offset,
			       ACPI_MAX_MCFG_REGIONS);
			break;
		}
		mcfg->regions[mcfg->count].base = base;
		mcfg->regions[mcfg->count].segment = segment;
		mcfg->regions[mcfg->count].bus_start = first;
		mcfg->regions[mcfg->count].bus_end = last;
		mcfg->count++;
		printk(KERN_INFO "ACPI: MCFG: PCI segment %04x [bus %02x-%02x] at 0x%llx-0x%llx\n",
		       segment, first, last, (unsigned long long)(base + ((uint64_t)first << 20)),
		       (unsigned long long)(base + ((uint64_t)(last + 1) << 20) - 1));
	}
}

/* ---- the root table and what it lists ------------------------------------ */

struct table_kind {
	char signature[5];
	uint32_t min_length;
	void (*parse)(struct acpi_parser *p, const struct table_view *t);
};

static const struct table_kind parsed_tables[] = {
	{ "APIC", ACPI_MADT_ENTRIES_OFFSET, parse_madt },
	{ "HPET", ACPI_HPET_LENGTH, parse_hpet },
	{ "MCFG", ACPI_MCFG_ENTRIES_OFFSET, parse_mcfg },
};

/* Return: the flag saying a table of @kind has been parsed already. */
static bool *kind_done(struct acpi_parser *p, const struct table_kind *kind)
{
	if (kind->parse == parse_madt)
		return &p->madt_parsed;
	return kind->parse == parse_hpet ? &p->hpet_seen : &p->mcfg_seen;
}

/* First pass over the root table: print and remember what it lists. */
static void list_table(struct acpi_parser *p, uint64_t phys, const char *root, unsigned int index)
{
	struct table_view t;
	char what[24];

	snprintf(what, sizeof(what), "%s entry %u", root, index);
	if (peek_header(p, phys, what, true, &t))
		remember_table(p, t.signature, phys, t.length);
}

/* Return: the remembered entry for the table at @phys, or NULL. */
static struct acpi_table_ref *find_ref(struct acpi_parser *p, uint64_t phys)
{
	for (unsigned int i = 1; i < p->info->table_count; i++)
		if (p->info->tables[i].address == phys)
			return &p->info->tables[i];
	return NULL;
}

/* Second pass: check and parse the table at @phys if it is one the parser reads. */
static void parse_table(struct acpi_parser *p, uint64_t phys)
{
	struct table_view t;
	struct acpi_table_ref *ref;

	/* A header that does not map was reported by the first pass. */
	if (!peek_header(p, phys, NULL, false, &t))
		return;
	for (size_t k = 0; k < sizeof(parsed_tables) / sizeof(parsed_tables[0]); k++) {
		const struct table_kind *kind = &parsed_tables[k];
		bool *done = kind_done(p, kind);

		if (!same_bytes((const uint8_t *)t.signature, kind->signature, 4))
			continue;
		if (*done) {
			printk(KERN_INFO "ACPI: %s at 0x%llx: a second one; the first is used\n",
			       kind->signature, (unsigned long long)phys);
			return;
		}
		if (!map_checked(p, &t, kind->min_length))
			return;
		kind->parse(p, &t);
		/* HPET and MCFG count as seen once one checked out, even if it said nothing usable. */
		*done = true;
		ref = find_ref(p, phys);
		if (ref)
			ref->parsed = true;
		unmap_table(p, &t);
		return;
	}
}

/* Walk the RSDT (4-byte entries) or XSDT (8-byte entries) at @phys. Return: true if it checked out. */
static bool walk_root(struct acpi_parser *p, uint64_t phys, bool xsdt)
{
	const char *expected = xsdt ? "XSDT" : "RSDT";
	unsigned int entry_size = xsdt ? 8 : 4;
	struct table_view t;
	struct acpi_table_ref *ref;
	uint32_t body, count;

	if (!phys) {
		report(p, "RSDP: %s address is 0\n", expected);
		return false;
	}
	if (!peek_header(p, phys, expected, true, &t))
		return false;
	if (!same_bytes((const uint8_t *)t.signature, expected, 4)) {
		report(p, "%s at 0x%llx: signature is \"%s\"; ignored\n", expected,
		       (unsigned long long)phys, t.signature);
		return false;
	}
	if (!map_checked(p, &t, ACPI_HEADER_LENGTH))
		return false;
	ref = remember_table(p, t.signature, phys, t.length);
	if (ref)
		ref->parsed = true;
	body = t.length - ACPI_HEADER_LENGTH;
	count = body / entry_size;
	if (body % entry_size)
		report(p, "%s: length %u leaves %u bytes after its last %u-byte entry; ignored\n",
		       expected, t.length, body % entry_size, entry_size);
	if (count > ACPI_MAX_ROOT_ENTRIES) {
		report(p, "%s: %u entries, only the first %u are read\n", expected, count,
		       ACPI_MAX_ROOT_ENTRIES);
		count = ACPI_MAX_ROOT_ENTRIES;
	}
	/* As Linux: every table is listed before any is parsed. */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < count; i++) {
			const uint8_t *entry = t.bytes + ACPI_HEADER_LENGTH + i * entry_size;
			uint64_t address = xsdt ? get64(entry) : get32(entry);

			if (!address) {
				if (pass == 0)
					report(p, "%s entry %u: address 0; skipped\n", expected, i);
			} else if (pass == 0) {
				list_table(p, address, expected, i);
			} else {
				parse_table(p, address);
			}
		}
	}
	unmap_table(p, &t);
	return true;
}

/* ---- the RSDP ------------------------------------------------------------ */

static void print_rsdp(const uint8_t *r, uint64_t phys, uint32_t length)
{
	char oem[7];

	printable(oem, r + 9, 6);
	printk(KERN_INFO "ACPI: RSDP 0x%016llX %06X (v%02u %-6s)\n", (unsigned long long)phys,
	       length, r[15], oem);
}

static bool rsdp_v1_ok(struct acpi_parser *p, const uint8_t *r, size_t length)
{
	if (length < ACPI_RSDP_V1_LENGTH) {
		report(p, "RSDP v1 copy: %zu bytes, fewer than %u\n", length, ACPI_RSDP_V1_LENGTH);
		return false;
	}
	if (!same_bytes(r, "RSD PTR ", 8)) {
		report(p, "RSDP v1 copy: no \"RSD PTR \" signature\n");
		return false;
	}
	if (acpi_checksum(r, ACPI_RSDP_V1_LENGTH)) {
		report(p, "RSDP v1 copy: bad checksum (first 20 bytes sum to 0x%02x)\n",
		       acpi_checksum(r, ACPI_RSDP_V1_LENGTH));
		return false;
	}
	return true;
}

static bool rsdp_v2_ok(struct acpi_parser *p, const uint8_t *r, size_t length)
{
	uint32_t declared;

	if (length < ACPI_RSDP_V2_LENGTH) {
		report(p, "RSDP v2 copy: %zu bytes, fewer than %u\n", length, ACPI_RSDP_V2_LENGTH);
		return false;
	}
	if (!same_bytes(r, "RSD PTR ", 8)) {
		report(p, "RSDP v2 copy: no \"RSD PTR \" signature\n");
		return false;
	}
	if (r[15] < 2) {
		report(p, "RSDP v2 copy: revision %u, below 2\n", r[15]);
		return false;
	}
	declared = get32(r + 20);
	if (declared < ACPI_RSDP_V2_LENGTH || declared > length) {
		report(p, "RSDP v2 copy: length field %u outside %u..%zu\n", declared,
		       ACPI_RSDP_V2_LENGTH, length);
		return false;
	}
	if (acpi_checksum(r, ACPI_RSDP_V1_LENGTH) || acpi_checksum(r, declared)) {
		report(p, "RSDP v2 copy: bad checksum (first 20 bytes sum to 0x%02x, all %u to "
		       "0x%02x)\n", acpi_checksum(r, ACPI_RSDP_V1_LENGTH), declared,
		       acpi_checksum(r, declared));
		return false;
	}
	return true;
}

/* Find the root table from the RSDP copies, v2 (XSDT) first. Return: true if one was walked. */
static bool walk_from_rsdp(struct acpi_parser *p, const struct acpi_tables_input *in)
{
	const uint8_t *v2 = in->rsdp_v2, *v1 = in->rsdp_v1;

	if (v2 && rsdp_v2_ok(p, v2, in->rsdp_v2_length)) {
		print_rsdp(v2, in->rsdp_v2_phys, get32(v2 + 20));
		p->info->revision = v2[15];
		if (walk_root(p, get64(v2 + 24), true))
			return true;
		report(p, "XSDT unusable; trying the RSDT\n");
		return walk_root(p, get32(v2 + 16), false);
	}
	if (v1 && rsdp_v1_ok(p, v1, in->rsdp_v1_length)) {
		print_rsdp(v1, in->rsdp_v1_phys, ACPI_RSDP_V1_LENGTH);
		p->info->revision = v1[15];
		return walk_root(p, get32(v1 + 16), false);
	}
	if (!v1 && !v2)
		printk(KERN_WARNING "ACPI: the boot loader passed no RSDP\n");
	return false;
}

/* ---- result -------------------------------------------------------------- */

/* The MADT cannot be used: describe the boot CPU alone. */
static void fall_back_to_one_cpu(struct acpi_madt_info *madt, uint32_t boot_apic_id)
{
	uint64_t lapic_address = madt->lapic_address ? madt->lapic_address
						     : ACPI_DEFAULT_LAPIC_ADDRESS;

	*madt = (struct acpi_madt_info){ 0 };
	madt->lapic_address = lapic_address;
	madt->pcat_compat = true;
	madt->cpu_count = 1;
	madt->cpus[0] = (struct acpi_cpu){ boot_apic_id, 0, false };
	madt->nmi_lint = ACPI_NO_NMI_LINT;
}

/* Move the boot CPU to cpus[0], keeping the others in table order. */
static void boot_cpu_first(struct acpi_madt_info *madt, uint32_t boot_apic_id)
{
	for (unsigned int i = 1; i < madt->cpu_count && i < NR_CPUS; i++) {
		if (madt->cpus[i].apic_id == boot_apic_id) {
			struct acpi_cpu boot = madt->cpus[i];

			for (unsigned int k = i; k > 0; k--)
				madt->cpus[k] = madt->cpus[k - 1];
			madt->cpus[0] = boot;
			return;
		}
	}
}

static void print_summary(const struct acpi_info *info)
{
	const struct acpi_madt_info *madt = &info->madt;

	for (unsigned int i = 0; i < madt->cpu_count; i++)
		printk(KERN_DEBUG "ACPI: CPU %u (APIC ID %u) %s\n", i, madt->cpus[i].apic_id,
		       madt->cpus[i].online_capable ? "online-capable" : "enabled");
	printk(KERN_INFO "ACPI: MADT: %u CPU%s, %u IOAPIC%s, %u override%s, LAPIC at 0x%llx%s\n",
	       madt->cpu_count, madt->cpu_count == 1 ? "" : "s", madt->ioapic_count,
	       madt->ioapic_count == 1 ? "" : "s", madt->override_count,
	       madt->override_count == 1 ? "" : "s", (unsigned long long)madt->lapic_address,
	       info->valid ? "" : " (no usable MADT: boot CPU only)");
}

bool acpi_tables_parse(const struct acpi_tables_input *in, const struct acpi_table_mapper *mapper,
		       struct acpi_info *out)
{
	struct acpi_parser p = { .mapper = mapper, .info = out, .boot_apic_id = in->boot_apic_id };

	*out = (struct acpi_info){ 0 };
	out->madt.nmi_lint = ACPI_NO_NMI_LINT;
	walk_from_rsdp(&p, in);

	if (!p.madt_parsed) {
		report(&p, "no usable MADT (APIC table): running on the boot CPU only\n");
	} else if (!p.boot_cpu_seen) {
		report(&p, "APIC: the boot CPU (APIC ID %u) is not listed: running on it alone\n",
		       in->boot_apic_id);
		p.madt_parsed = false;
	}
	out->valid = p.madt_parsed;
	if (out->valid)
		boot_cpu_first(&out->madt, in->boot_apic_id);
	else
		fall_back_to_one_cpu(&out->madt, in->boot_apic_id);
	print_summary(out);
	return out->valid;
}
