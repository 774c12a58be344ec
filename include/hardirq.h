/* SPDX-License-Identifier: MIT */
/*
 * hardirq.h: which context the CPU is running in.
 *
 * The interrupt entry code counts nesting per CPU: in_irq() is true inside
 * a device/IPI/timer interrupt handler, in_nmi() inside the NMI handler,
 * in_interrupt() inside either.  Exceptions are not interrupts here.
 */
#ifndef FERRITE_HARDIRQ_H
#define FERRITE_HARDIRQ_H

#include <stdbool.h>

#include <percpu.h>

/* Nesting depths of this CPU, kept by the interrupt entry/exit code. */
struct irq_context {
	unsigned int hardirq_depth;
	unsigned int nmi_depth;
};

extern struct irq_context irq_context[NR_CPUS];

static inline bool in_irq(void)
{
	return irq_context[smp_processor_id()].hardirq_depth != 0;
}

static inline bool in_nmi(void)
{
	return irq_context[smp_processor_id()].nmi_depth != 0;
}

static inline bool in_interrupt(void)
{
	return in_irq() || in_nmi();
}

#endif /* FERRITE_HARDIRQ_H */
