/* SPDX-License-Identifier: MIT */
/*
 * irq.h: interrupt handlers.
 *
 * Device interrupts are numbered as in Linux on a PC: IRQs 0-15 are the ISA
 * lines (1 = keyboard, 4 = COM1), routed through the I/O APIC to the GSI the
 * MADT's interrupt source overrides say (ISA IRQ 0 is GSI 2 on most PCs);
 * IRQs 16 and up are the GSIs of the same number.  request_irq() programs
 * and unmasks the I/O APIC pin; until then every pin is masked.
 *
 * System vectors (IPIs, the local APIC timer) have no IRQ number and no
 * I/O APIC pin: set_system_vector() installs their handler directly.
 *
 * Every handler runs with interrupts off, on the CPU's interrupt stack,
 * with in_irq() true; the local APIC's EOI is sent after it returns.
 */
#ifndef FERRITE_IRQ_H
#define FERRITE_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include <asm/irq_vectors.h>
#include <asm/traps.h>
#include <percpu.h>

typedef enum irqreturn {
	IRQ_NONE = 0,    /* not my device's interrupt */
	IRQ_HANDLED = 1,
} irqreturn_t;

typedef irqreturn_t (*irq_handler_t)(int irq, void *dev);

/*
 * request_irq - install @handler for IRQ @irq and unmask it.
 * @flags is reserved (0; a shared line is not supported); @name is shown in
 * reports; @dev is passed to @handler and identifies it to free_irq().
 * Context: task context, interrupts on or off.
 * Return: 0; -EINVAL for a bad @irq or no @handler; -EBUSY if @irq has a
 * handler already; -ENODEV if no I/O APIC serves @irq.
 */
int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name,
		void *dev);

/*
 * free_irq - mask IRQ @irq and remove the handler installed with @dev,
 * waiting until no CPU is still running it.  A wrong @irq or @dev is
 * reported and changes nothing.  Context: task context, never from the
 * handler itself.
 */
void free_irq(unsigned int irq, void *dev);

/* Mask / unmask IRQ @irq's I/O APIC pin without removing its handler. Context: any. */
void disable_irq(unsigned int irq);
void enable_irq(unsigned int irq);

/*
 * set_system_vector - run @handler for every interrupt on @vector
 * (FIRST_SYSTEM_VECTOR..0xfe: IPIs, the timer, the APIC error); NULL removes it.  The EOI
 * is sent after @handler returns.  Context: boot CPU during set-up, or any
 * time for a vector nothing sends yet.
 */
void set_system_vector(uint8_t vector, void (*handler)(struct trap_frame *frame));

/* Interrupt counts, per CPU (smp_processor_id() indexes them). */
struct irq_cpu_stats {
	uint32_t vector_count[NR_VECTORS]; /* every interrupt taken, by vector */
	uint64_t spurious;                 /* local APIC spurious vector (never EOI'd) */
	uint64_t pic_spurious;             /* 8259 spurious IRQ 7/15 */
	uint64_t apic_errors;              /* local APIC error interrupts */
	uint32_t last_esr;                 /* ESR read by the last of them */
	uint64_t unexpected;               /* vectors with no handler */
	uint64_t nmi;                      /* NMIs taken */
	uint64_t nmi_unknown;              /* NMIs no handler claimed */
};

extern struct irq_cpu_stats irq_stats[NR_CPUS];

/* Per-IRQ counts (all CPUs). */
uint64_t irq_count(unsigned int irq);

/* The name @irq's handler was requested with, or NULL if it has none. */
const char *irq_name(unsigned int irq);

/*
 * irq_init - the interrupt controllers: local APIC on the boot CPU, the
 * 8259s remapped and masked, the I/O APICs with every pin masked and the
 * ISA IRQs programmed, the spurious and error vectors, then the local APIC
 * timer calibrated and started.  Interrupts stay off; the caller enables
 * them.  Context: boot CPU, once, after mm_init (and acpi_init).
 */
void irq_init(void);

/*
 * apic_esr_report - print what local APIC error status @esr of CPU @cpu
 * means (SDM 11.5.3): "APIC error on CPU n: ESR 0x..", then one line per
 * error bit set, then any reserved bits (bits 8 and up).  The APIC error
 * interrupt's report.  Context: any.
 */
void apic_esr_report(unsigned int cpu, uint32_t esr);

/*
 * irq_abort_cleanup - a self-test case aborted (longjmp) from inside an
 * interrupt handler: leave interrupt context (depths back to zero, the
 * in-service vector EOI'd) so the next case starts clean.  (An abort inside
 * an NMI handler is refused: ktest_abort() panics the run instead.)
 */
void irq_abort_cleanup(void);

/* Enable / disable interrupts on this CPU. */
static inline void local_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void local_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

#endif /* FERRITE_IRQ_H */
