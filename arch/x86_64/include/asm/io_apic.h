/* SPDX-License-Identifier: MIT */
/*
 * The I/O APICs: each serves a range of global system interrupts (GSIs)
 * and turns a pin into a message to a local APIC.  The MADT lists them
 * and the interrupt source overrides that move ISA IRQs to other GSIs or
 * change their polarity and trigger mode.
 */
#ifndef FERRITE_ASM_IO_APIC_H
#define FERRITE_ASM_IO_APIC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * ioapic_init - map every I/O APIC the MADT lists (without a MADT, the
 * conventional one at 0xfec00000 if it answers like an I/O APIC), mask
 * every pin, then program the ISA IRQs that exist, still masked, to their
 * vectors on the CPU with APIC ID @dest_apic_id.
 * Context: boot CPU, once, interrupts off.  Return: the number of I/O APICs.
 */
unsigned int ioapic_init(uint32_t dest_apic_id);

/* Return: the GSI IRQ @irq arrives on (ISA overrides applied), or -1 if no I/O APIC serves it. */
int ioapic_irq_to_gsi(unsigned int irq);

/* Mask / unmask the pin of IRQ @irq (nothing if no I/O APIC serves it). Context: any. */
void ioapic_mask_irq(unsigned int irq);
void ioapic_unmask_irq(unsigned int irq);

/* Return: true if IRQ @irq's pin is masked (or does not exist). */
bool ioapic_irq_masked(unsigned int irq);

/* Return: the raw 64-bit redirection entry of IRQ @irq's pin, 0 if none. */
uint64_t ioapic_read_entry(unsigned int irq);

#endif
