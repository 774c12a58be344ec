// SPDX-License-Identifier: MIT
/*
 * I/O APIC driver.
 *
 * Registers are reached indirectly: write the register number to IOREGSEL
 * (offset 0x00), then read or write IOWIN (offset 0x10).  Register 0x00 is
 * the ID (bits 24-27), 0x01 the version (bits 0-7) and the highest pin
 * number (bits 16-23), and pin n's 64-bit redirection entry is registers
 * 0x10 + 2n (low) and 0x11 + 2n (high) (82093AA datasheet):
 *   bits 0-7 vector, 8-10 delivery mode (0 fixed), 11 destination mode
 *   (0 physical), 12 delivery status, 13 polarity (1 active low), 14 remote
 *   IRR, 15 trigger (1 level), 16 mask, 56-63 destination APIC ID.
 *
 * ISA IRQs default to edge-triggered, active high; an interrupt source
 * override can move one to another GSI (QEMU and most PCs: IRQ 0 -> GSI 2)
 * or change its flags (MPS INTI flags: polarity bits 0-1, 01 high, 11 low;
 * trigger bits 2-3, 01 edge, 11 level; 00 means "as the bus says").
 * GSIs above 15 are PCI lines: level-triggered, active low.
 *
 * Lock order: ioapic_lock is a leaf (taken with interrupts off).
 */
#include <acpi.h>
#include <asm/io_apic.h>
#include <asm/irq_vectors.h>
#include <asm/paging.h>
#include <kernel.h>
#include <printk.h>
#include <spinlock.h>

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_TABLE 0x10

#define IOAPIC_ENTRY_ACTIVE_LOW (1ull << 13)
#define IOAPIC_ENTRY_LEVEL (1ull << 15)
#define IOAPIC_ENTRY_MASKED (1ull << 16)

#define IOAPIC_DEFAULT_ADDRESS 0xfec00000u
#define ISA_CASCADE_IRQ 2

struct ioapic {
	volatile uint32_t *mmio;
	uint8_t id;
	uint32_t gsi_base;
	unsigned int pins;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned int ioapic_count;
/* ISA IRQ -> GSI and MPS flags, after the overrides; gsi -1: no such line. */
static int isa_gsi[NR_ISA_IRQS];
static uint16_t isa_flags[NR_ISA_IRQS];
static DEFINE_SPINLOCK(ioapic_lock);

static uint32_t ioapic_read(const struct ioapic *io, uint32_t reg)
{
	io->mmio[IOAPIC_REGSEL / 4] = reg;
	return io->mmio[IOAPIC_WINDOW / 4];
}

static void ioapic_write(const struct ioapic *io, uint32_t reg, uint32_t value)
{
	io->mmio[IOAPIC_REGSEL / 4] = reg;
	io->mmio[IOAPIC_WINDOW / 4] = value;
}

static struct ioapic *ioapic_for_gsi(uint32_t gsi, unsigned int *pin)
{
	for (unsigned int i = 0; i < ioapic_count; i++) {
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].pins) {
			*pin = gsi - ioapics[i].gsi_base;
			return &ioapics[i];
		}
	}
	return NULL;
}

static uint64_t read_pin(const struct ioapic *io, unsigned int pin)
{
	uint64_t low = ioapic_read(io, IOAPIC_REG_TABLE + 2 * pin);

	return low | (uint64_t)ioapic_read(io, IOAPIC_REG_TABLE + 2 * pin + 1) << 32;
}

/* Write a pin's entry; the low half (with the mask bit) last when unmasking, first when masking. */
static void write_pin(const struct ioapic *io, unsigned int pin, uint64_t entry)
{
	if (entry & IOAPIC_ENTRY_MASKED) {
		ioapic_write(io, IOAPIC_REG_TABLE + 2 * pin, (uint32_t)entry);
		ioapic_write(io, IOAPIC_REG_TABLE + 2 * pin + 1, entry >> 32);
	} else {
		ioapic_write(io, IOAPIC_REG_TABLE + 2 * pin + 1, entry >> 32);
		ioapic_write(io, IOAPIC_REG_TABLE + 2 * pin, (uint32_t)entry);
	}
}

int ioapic_irq_to_gsi(unsigned int irq)
{
	unsigned int pin = 0;

	if (irq < NR_ISA_IRQS)
		return ioapic_count ? isa_gsi[irq] : -1;
	if (irq >= NR_IRQS || !ioapic_for_gsi(irq, &pin))
		return -1;
	return (int)irq;
}

/* Add one I/O APIC at @phys serving GSIs from @gsi_base.  Return: true if it answered. */
static bool add_ioapic(uint64_t phys, uint32_t gsi_base)
{
	struct ioapic *io = &ioapics[ioapic_count];
	uint32_t version;

	io->mmio = ioremap(phys, 0x20, PAGE_KERNEL_IO);
	if (!io->mmio) {
		pr_err("IOAPIC: cannot map %#llx; skipped\n", (unsigned long long)phys);
		return false;
	}
	version = ioapic_read(io, IOAPIC_REG_VERSION);
	if (version == 0xffffffffu || (version & 0xff) < 0x10 || ((version >> 16) & 0xff) == 0) {
		pr_err("IOAPIC: nothing that answers like an I/O APIC at %#llx (version register %#x); skipped\n",
		       (unsigned long long)phys, version);
		return false;
	}
	io->id = (ioapic_read(io, IOAPIC_REG_ID) >> 24) & 0x0f;
	io->gsi_base = gsi_base;
	io->pins = ((version >> 16) & 0xff) + 1;
	for (unsigned int i = 0; i < ioapic_count; i++) {
		if (io->gsi_base < ioapics[i].gsi_base + ioapics[i].pins &&
		    ioapics[i].gsi_base < io->gsi_base + io->pins) {
			pr_err("IOAPIC: GSI %u-%u at %#llx overlap IOAPIC[%u]'s; skipped\n", io->gsi_base,
			       io->gsi_base + io->pins - 1, (unsigned long long)phys, i);
			return false;
		}
	}
	pr_info("IOAPIC[%u]: apic_id %u, version %#x, address %#llx, GSI %u-%u\n", ioapic_count, io->id,
		version & 0xff, (unsigned long long)phys, io->gsi_base, io->gsi_base + io->pins - 1);
	for (unsigned int pin = 0; pin < io->pins; pin++)
		write_pin(io, pin, IOAPIC_ENTRY_MASKED);
	ioapic_count++;
	return true;
}

/* ISA IRQ -> GSI table: identity, then the overrides; IRQ 2 (the 8259 cascade) is never a device. */
static void apply_isa_overrides(const struct acpi_info *acpi)
{
	bool gsi_taken[NR_ISA_IRQS] = { false };

	for (unsigned int irq = 0; irq < NR_ISA_IRQS; irq++) {
		isa_gsi[irq] = (int)irq;
		isa_flags[irq] = 0;
	}
	if (acpi && acpi->valid) {
		for (unsigned int i = 0; i < acpi->madt.override_count && i < ACPI_MAX_OVERRIDES; i++) {
			const struct acpi_irq_override *o = &acpi->madt.overrides[i];

			if (o->isa_irq >= NR_ISA_IRQS) {
				pr_warn("IOAPIC: override for ISA IRQ %u (no such IRQ); ignored\n", o->isa_irq);
				continue;
			}
			isa_gsi[o->isa_irq] = (int)o->gsi;
			isa_flags[o->isa_irq] = o->flags;
			pr_info("IOAPIC: ISA IRQ %u -> GSI %u%s%s\n", o->isa_irq, o->gsi,
				(o->flags & 3) == 3 ? ", active low" : "",
				((o->flags >> 2) & 3) == 3 ? ", level" : "");
		}
	}
	/* A GSI an override took from its own ISA IRQ is no longer that IRQ's. */
	for (unsigned int irq = 0; irq < NR_ISA_IRQS; irq++)
		if (isa_gsi[irq] != (int)irq && isa_gsi[irq] < NR_ISA_IRQS)
			gsi_taken[isa_gsi[irq]] = true;
	for (unsigned int irq = 0; irq < NR_ISA_IRQS; irq++) {
		unsigned int pin = 0;

		if (irq == ISA_CASCADE_IRQ || (isa_gsi[irq] == (int)irq && gsi_taken[irq]) ||
		    isa_gsi[irq] < 0 || !ioapic_for_gsi((uint32_t)isa_gsi[irq], &pin))
			isa_gsi[irq] = -1;
	}
}

/* The redirection entry IRQ @irq gets: its vector, polarity and trigger, masked, to @dest. */
static uint64_t entry_for_irq(unsigned int irq, uint32_t dest)
{
	uint64_t entry = irq_to_vector(irq) | IOAPIC_ENTRY_MASKED | (uint64_t)(dest & 0xff) << 56;
	unsigned int polarity = 0, trigger = 0;

	if (irq < NR_ISA_IRQS) {
		polarity = isa_flags[irq] & 3;
		trigger = (isa_flags[irq] >> 2) & 3;
	} else {
		polarity = 3;
		trigger = 3;
	}
	if (polarity == 3)
		entry |= IOAPIC_ENTRY_ACTIVE_LOW;
	if (trigger == 3)
		entry |= IOAPIC_ENTRY_LEVEL;
	return entry;
}

static uint32_t route_dest;

unsigned int ioapic_init(uint32_t dest_apic_id)
{
	const struct acpi_info *acpi = acpi_get_info();
	unsigned int legacy = 0;

	if (acpi && acpi->valid) {
		for (unsigned int i = 0; i < acpi->madt.ioapic_count && i < ACPI_MAX_IOAPICS; i++)
			add_ioapic(acpi->madt.ioapics[i].address, acpi->madt.ioapics[i].gsi_base);
		if (!ioapic_count)
			pr_warn("IOAPIC: the MADT lists no usable I/O APIC; no device interrupts\n");
	} else {
		pr_info("IOAPIC: no MADT; trying the conventional I/O APIC at %#x\n", IOAPIC_DEFAULT_ADDRESS);
		if (!add_ioapic(IOAPIC_DEFAULT_ADDRESS, 0))
			pr_warn("IOAPIC: none found; no device interrupts\n");
	}
	if (!ioapic_count)
		return 0;
	if (dest_apic_id > 0xff)
		pr_warn("IOAPIC: boot CPU APIC ID %u does not fit a physical destination; IRQs go to ID %u\n",
			dest_apic_id, dest_apic_id & 0xff);
	route_dest = dest_apic_id;
	apply_isa_overrides(acpi);
	for (unsigned int irq = 0; irq < NR_ISA_IRQS; irq++) {
		unsigned int pin = 0;
		struct ioapic *io;

		if (isa_gsi[irq] < 0)
			continue;
		io = ioapic_for_gsi((uint32_t)isa_gsi[irq], &pin);
		write_pin(io, pin, entry_for_irq(irq, dest_apic_id));
		legacy++;
	}
	pr_info("IOAPIC: %u ISA IRQs routed to APIC ID %u, masked until requested\n", legacy, dest_apic_id);
	return ioapic_count;
}

/* Set or clear IRQ @irq's mask bit; a GSI above 15 gets its entry on first unmask. */
static void set_masked(unsigned int irq, bool masked)
{
	int gsi = ioapic_irq_to_gsi(irq);
	struct ioapic *io;
	unsigned int pin = 0;
	uint64_t flags, entry;

	if (gsi < 0)
		return;
	io = ioapic_for_gsi((uint32_t)gsi, &pin);
	spin_lock_irqsave(&ioapic_lock, flags);
	entry = read_pin(io, pin);
	if ((entry & 0xff) != irq_to_vector(irq))
		entry = entry_for_irq(irq, route_dest);
	if (masked)
		entry |= IOAPIC_ENTRY_MASKED;
	else
		entry &= ~IOAPIC_ENTRY_MASKED;
	write_pin(io, pin, entry);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

void ioapic_mask_irq(unsigned int irq)
{
	set_masked(irq, true);
}

void ioapic_unmask_irq(unsigned int irq)
{
	set_masked(irq, false);
}

uint64_t ioapic_read_entry(unsigned int irq)
{
	int gsi = ioapic_irq_to_gsi(irq);
	struct ioapic *io;
	unsigned int pin = 0;
	uint64_t flags, entry;

	if (gsi < 0)
		return 0;
	io = ioapic_for_gsi((uint32_t)gsi, &pin);
	spin_lock_irqsave(&ioapic_lock, flags);
	entry = read_pin(io, pin);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return entry;
}

bool ioapic_irq_masked(unsigned int irq)
{
	return ioapic_irq_to_gsi(irq) < 0 || (ioapic_read_entry(irq) & IOAPIC_ENTRY_MASKED);
}
