/* SPDX-License-Identifier: MIT */
/*
 * The local APIC: one per CPU, in xAPIC mode (registers in a 4 KiB MMIO
 * page, mapped uncached) or x2APIC mode (the same registers as MSRs
 * 0x800 + offset / 16), chosen once on the boot CPU from CPUID.  It
 * receives the interrupts for its CPU, sends IPIs, and has a timer.
 *
 * Register offsets (Intel SDM vol. 3, table 11-1); x2APIC has the same
 * registers at MSR 0x800 + (offset >> 4), except that the 64-bit ICR is one
 * MSR (0x830) and DFR does not exist.
 */
#ifndef FERRITE_ASM_APIC_H
#define FERRITE_ASM_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_ID 0x020
#define APIC_VERSION 0x030
#define APIC_TPR 0x080      /* task priority: 0 accepts every vector */
#define APIC_EOI 0x0b0
#define APIC_LDR 0x0d0
#define APIC_SVR 0x0f0      /* spurious vector; bit 8 enables the APIC */
#define APIC_ISR 0x100      /* in-service, 8 registers 0x10 apart */
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310 /* xAPIC: destination in bits 24-31 */
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PERF 0x340
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0

#define APIC_SVR_ENABLE (1u << 8)

/* LVT entry bits. */
#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_DM_NMI (4u << 8)
#define APIC_LVT_TIMER_ONESHOT (0u << 17)
#define APIC_LVT_TIMER_PERIODIC (1u << 17)

/* ICR low bits. */
#define APIC_DM_FIXED (0u << 8)
#define APIC_DM_NMI (4u << 8)
#define APIC_DM_INIT (5u << 8)
#define APIC_DM_STARTUP (6u << 8)
#define APIC_DELIVERY_PENDING (1u << 12) /* xAPIC only */
#define APIC_INT_ASSERT (1u << 14)
#define APIC_INT_LEVELTRIG (1u << 15)
#define APIC_DEST_SELF (1u << 18)
#define APIC_DEST_ALLBUT (3u << 18)

enum apic_mode { APIC_MODE_NONE, APIC_MODE_XAPIC, APIC_MODE_X2APIC };

/* The mode the boot CPU chose; APIC_MODE_NONE if the CPU has no local APIC. */
extern enum apic_mode apic_mode;

/*
 * lapic_init - enable this CPU's local APIC.
 * On the boot CPU (first call) it checks CPUID for an APIC, chooses the
 * mode (x2APIC when CPUID has it or the firmware already enabled it),
 * finds the base (MADT, else IA32_APIC_BASE) and maps it uncached.  On
 * every CPU: enable through IA32_APIC_BASE, spurious vector, error LVT,
 * LINT0 masked, LINT1 as NMI if the MADT says so (or no MADT exists),
 * stale in-service bits acknowledged, ESR cleared.
 * Context: boot CPU once after mm_init, then each AP early in its start-up;
 * interrupts off.
 */
void lapic_init(void);

/* Return: this CPU's APIC ID (the full 32-bit x2APIC ID in x2APIC mode). Context: any. */
uint32_t lapic_id(void);

/* Signal end of interrupt for the highest in-service vector. Context: interrupt handler. */
void lapic_eoi(void);

/* Raw register access (offsets above). Context: any, lapic_init() done on this CPU. */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t value);

/* Fixed-delivery IPI with @vector to the CPU whose APIC ID is @apic_id (physical). Context: any. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);

/* Fixed IPI with @vector to every other CPU (shorthand "all excluding self"). Context: any. */
void lapic_send_ipi_all_but_self(uint8_t vector);

/* An NMI to @apic_id (may be this CPU). Context: any, including NMI. */
void lapic_send_nmi(uint32_t apic_id);

/* INIT IPI, level-triggered assert, to @apic_id. Context: boot CPU bringing up an AP. */
void lapic_send_init(uint32_t apic_id);

/* INIT de-assert (only pre-Pentium 4 CPUs need it; others ignore it). */
void lapic_send_init_deassert(uint32_t apic_id);

/* Start-up IPI: @apic_id starts in real mode at physical @page << 12. */
void lapic_send_sipi(uint32_t apic_id, uint8_t page);

/*
 * lapic_wait_icr_idle - wait until the previous IPI left the ICR (xAPIC's
 * delivery-status bit); x2APIC has no such bit and returns true at once.
 * Context: any.  Return: false if it was still pending after @timeout_us.
 */
bool lapic_wait_icr_idle(uint64_t timeout_us);

/*
 * lapic_read_esr - the error status, after the write that latches it
 * (SDM 11.5.3: a write to ESR loads the errors since the last write).
 * Return: the ESR bits (send/receive checksum, accept, illegal vector...).
 */
uint32_t lapic_read_esr(void);

/* Return: true if vector @vector's bit is set in the in-service register. */
bool lapic_vector_in_service(uint8_t vector);

/* Return: true if vector @vector's bit is set in the interrupt request register. */
bool lapic_vector_pending(uint8_t vector);

#endif
