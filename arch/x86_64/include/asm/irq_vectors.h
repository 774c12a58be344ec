/* SPDX-License-Identifier: MIT */
/*
 * The interrupt vector map.
 *
 *   0x00-0x1f  CPU exceptions (asm/traps.h)
 *   0x20-0x2f  ISA IRQs 0-15, routed through the I/O APIC (vector = 0x20 + irq)
 *   0x30-0x3f  the 8259 PICs, remapped here and masked: only their spurious
 *              IRQ 7/15 can still arrive, and is counted and ignored
 *   0x40-0x6f  IRQs 16-63 (PCI GSIs above the ISA range; vector = 0x40 + irq - 16)
 *   0x70-0xdf  free
 *   0xe0       self-test vector (the apic suite and the self-IPI benchmark)
 *   0xec       LOCAL_TIMER_VECTOR (the local APIC timer)
 *   0xfb-0xfd  IPIs for SMP (stop, call-function single, call-function)
 *   0xfe       ERROR_APIC_VECTOR (local APIC error interrupt)
 *   0xff       SPURIOUS_APIC_VECTOR (low 4 bits must be 1111 on P6-era APICs)
 *
 * The local APIC delivers the highest pending priority class (vector >> 4)
 * first, so system vectors sit at the top and device IRQs low.
 */
#ifndef FERRITE_ASM_IRQ_VECTORS_H
#define FERRITE_ASM_IRQ_VECTORS_H

#define FIRST_EXTERNAL_VECTOR 0x20
#define ISA_IRQ_VECTOR_BASE 0x20
#define NR_ISA_IRQS 16
#define PIC_MASTER_VECTOR_BASE 0x30
#define PIC_SLAVE_VECTOR_BASE 0x38
#define GSI_IRQ_VECTOR_BASE 0x40
#define NR_IRQS 64

#define IRQ_SELFTEST_VECTOR 0xe0
#define LOCAL_TIMER_VECTOR 0xec
#define REBOOT_VECTOR 0xfb
#define STOP_VECTOR REBOOT_VECTOR
#define CALL_FUNCTION_SINGLE_VECTOR 0xfc
#define CALL_FUNCTION_VECTOR 0xfd
#define ERROR_APIC_VECTOR 0xfe
#define SPURIOUS_APIC_VECTOR 0xff

/* First vector set_system_vector() accepts (everything above the device IRQs). */
#define FIRST_SYSTEM_VECTOR 0xe0

#define NR_VECTORS 256

/* Vector of legacy/GSI IRQ @irq (0 <= irq < NR_IRQS). */
static inline unsigned int irq_to_vector(unsigned int irq)
{
	return irq < NR_ISA_IRQS ? ISA_IRQ_VECTOR_BASE + irq : GSI_IRQ_VECTOR_BASE + irq - NR_ISA_IRQS;
}

#endif
