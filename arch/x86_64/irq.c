// SPDX-License-Identifier: MIT
/*
 * Interrupt dispatch: what runs between an interrupt stub (irq_entry.asm)
 * and a handler, and the registration of handlers.
 *
 * irq_dispatch(frame), with interrupts off:
 *   1. count the vector for this CPU and enter hard-IRQ context
 *      (irq_context[cpu].hardirq_depth, <hardirq.h>);
 *   2. from task context, switch to this CPU's interrupt stack;
 *   3. run the vector's handler: a device IRQ's (request_irq), a system
 *      vector's (set_system_vector), or the report for a vector nobody owns;
 *   4. EOI the local APIC -- except for its spurious vector, which sets no
 *      in-service bit, and the 8259's vectors, which do not come through it;
 *   5. leave hard-IRQ context.
 *
 * free_irq() against a handler running on another CPU: free_irq clears
 * the handler first, then waits for the IRQ's in_progress count to drop to
 * zero; dispatch raises in_progress before it reads the handler.  Both are
 * sequentially consistent, so dispatch either sees NULL or is waited for.
 *
 * Lock order: irq_desc_lock, then ioapic_lock (io_apic.c).
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/i8259.h>
#include <asm/io_apic.h>
#include <asm/irq_vectors.h>
#include <asm/tss.h>
#include <errno.h>
#include <hardirq.h>
#include <irq.h>
#include <kernel.h>
#include <percpu.h>
#include <printk.h>
#include <smp.h>
#include <spinlock.h>
#include <timer.h>

/* Reports of the same unexpected thing are printed this many times per CPU, then only counted. */
#define REPORT_LIMIT 5

struct irq_desc {
	irq_handler_t handler;  /* NULL: free */
	void *dev;
	const char *name;
	int in_progress;        /* CPUs running the handler now */
	uint64_t count;
	uint64_t unhandled;     /* times the handler said IRQ_NONE */
};

struct irq_cpu_stats irq_stats[NR_CPUS];
static struct irq_desc irq_descs[NR_IRQS];
static DEFINE_SPINLOCK(irq_desc_lock);
static void (*system_vectors[NR_VECTORS])(struct trap_frame *frame);

void call_on_stack(void *arg, void (*fn)(void *arg), uint64_t stack_top);

/* Return: the IRQ number that vector @vector carries, or -1. */
static int vector_to_irq(unsigned int vector)
{
	if (vector >= ISA_IRQ_VECTOR_BASE && vector < ISA_IRQ_VECTOR_BASE + NR_ISA_IRQS)
		return (int)(vector - ISA_IRQ_VECTOR_BASE);
	if (vector >= GSI_IRQ_VECTOR_BASE && vector < GSI_IRQ_VECTOR_BASE + NR_IRQS - NR_ISA_IRQS)
		return (int)(vector - GSI_IRQ_VECTOR_BASE + NR_ISA_IRQS);
	return -1;
}

static void report_unexpected(struct irq_cpu_stats *stats, unsigned int vector, const char *why)
{
	if (++stats->unexpected <= REPORT_LIMIT)
		pr_warn("irq: unexpected interrupt on vector %#x on CPU %u (%s)\n", vector,
			smp_processor_id(), why);
}

static void handle_device_irq(int irq, unsigned int vector, struct irq_cpu_stats *stats)
{
	struct irq_desc *desc = &irq_descs[irq];
	irq_handler_t handler;

	__atomic_add_fetch(&desc->in_progress, 1, __ATOMIC_SEQ_CST);
	handler = __atomic_load_n(&desc->handler, __ATOMIC_SEQ_CST);
	if (handler) {
		__atomic_add_fetch(&desc->count, 1, __ATOMIC_RELAXED);
		if (handler(irq, desc->dev) == IRQ_NONE)
			__atomic_add_fetch(&desc->unhandled, 1, __ATOMIC_RELAXED);
	} else {
		report_unexpected(stats, vector, "IRQ with no handler");
	}
	__atomic_sub_fetch(&desc->in_progress, 1, __ATOMIC_SEQ_CST);
}

static void handle_pic_vector(unsigned int vector, struct irq_cpu_stats *stats)
{
	unsigned int pic_irq = vector - PIC_MASTER_VECTOR_BASE;

	if (legacy_pic_irq_is_real(pic_irq)) {
		legacy_pic_eoi(pic_irq);
		report_unexpected(stats, vector, "8259 IRQ while the 8259 is masked");
	} else {
		stats->pic_spurious++;
	}
}

/* Steps 3 and 4 above; called on the interrupt stack. */
static void handle_vector(void *arg)
{
	struct trap_frame *frame = arg;
	unsigned int vector = (unsigned int)frame->vector;
	struct irq_cpu_stats *stats = this_cpu_ptr(irq_stats);
	void (*system_handler)(struct trap_frame *) = system_vectors[vector];
	int irq = vector_to_irq(vector);

	if (vector == SPURIOUS_APIC_VECTOR) {
		stats->spurious++;
		return;
	}
	if (vector >= PIC_MASTER_VECTOR_BASE && vector < PIC_MASTER_VECTOR_BASE + 16) {
		handle_pic_vector(vector, stats);
		return;
	}
	if (system_handler)
		system_handler(frame);
	else if (irq >= 0)
		handle_device_irq(irq, vector, stats);
	else
		report_unexpected(stats, vector, "no handler for this vector");
	lapic_eoi();
}

void irq_dispatch(struct trap_frame *frame)
{
	unsigned int cpu = smp_processor_id();
	struct irq_context *context = &irq_context[cpu];
	uint64_t stack_top = irq_stack_top(cpu);

	irq_stats[cpu].vector_count[frame->vector & 0xff]++;
	if (context->hardirq_depth++ == 0 && context->nmi_depth == 0 && stack_top)
		call_on_stack(frame, handle_vector, stack_top);
	else
		handle_vector(frame);
	context->hardirq_depth--;
}

void irq_abort_cleanup(void)
{
	struct irq_context *context = this_cpu_ptr(irq_context);

	while (context->hardirq_depth) {
		context->hardirq_depth--;
		if (apic_mode != APIC_MODE_NONE)
			lapic_eoi();
	}
	context->nmi_depth = 0;
	smp_call_abort_cleanup();
}

void apic_esr_report(unsigned int cpu, uint32_t esr)
{
	static const char *const esr_bits[8] = {
		"send checksum", "receive checksum", "send accept", "receive accept",
		"redirectable IPI", "send illegal vector", "receive illegal vector", "illegal register address",
	};

	pr_err("APIC error on CPU %u: ESR %#x%s\n", cpu, esr, esr ? ":" : "");
	for (int bit = 0; bit < 8; bit++)
		if (esr & (1u << bit))
			pr_err("  %s error\n", esr_bits[bit]);
	if (esr & ~0xffu)
		pr_err("  reserved bits %#x set\n", esr & ~0xffu);
}

/* The local APIC error interrupt: what went wrong is in ESR (SDM 11.5.3). */
static void apic_error_interrupt(struct trap_frame *frame)
{
	struct irq_cpu_stats *stats = this_cpu_ptr(irq_stats);
	uint32_t esr = lapic_read_esr();

	stats->last_esr = esr;
	if (++stats->apic_errors > REPORT_LIMIT)
		return;
	apic_esr_report(smp_processor_id(), esr);
}

void set_system_vector(uint8_t vector, void (*handler)(struct trap_frame *frame))
{
	if (vector < FIRST_SYSTEM_VECTOR || vector == SPURIOUS_APIC_VECTOR) {
		pr_err("set_system_vector: vector %#x is not a system vector\n", vector);
		WARN_ON(1);
		return;
	}
	__atomic_store_n(&system_vectors[vector], handler, __ATOMIC_RELEASE);
}

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name,
		void *dev)
{
	struct irq_desc *desc;
	uint64_t irq_flags;

	if (irq >= NR_IRQS || !handler)
		return -EINVAL;
	if (ioapic_irq_to_gsi(irq) < 0)
		return -ENODEV;
	desc = &irq_descs[irq];
	spin_lock_irqsave(&irq_desc_lock, irq_flags);
	if (desc->handler) {
		spin_unlock_irqrestore(&irq_desc_lock, irq_flags);
		return -EBUSY;
	}
	desc->dev = dev;
	desc->name = name;
	__atomic_store_n(&desc->handler, handler, __ATOMIC_SEQ_CST);
	ioapic_unmask_irq(irq);
	spin_unlock_irqrestore(&irq_desc_lock, irq_flags);
	return 0;
}

void free_irq(unsigned int irq, void *dev)
{
	struct irq_desc *desc;
	uint64_t flags;

	if (irq >= NR_IRQS) {
		pr_err("free_irq: IRQ %u does not exist\n", irq);
		WARN_ON(1);
		return;
	}
	desc = &irq_descs[irq];
	spin_lock_irqsave(&irq_desc_lock, flags);
	if (!desc->handler || desc->dev != dev) {
		spin_unlock_irqrestore(&irq_desc_lock, flags);
		pr_err("free_irq: IRQ %u is not requested with dev %p\n", irq, dev);
		WARN_ON(1);
		return;
	}
	ioapic_mask_irq(irq);
	__atomic_store_n(&desc->handler, NULL, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&irq_desc_lock, flags);
	while (__atomic_load_n(&desc->in_progress, __ATOMIC_SEQ_CST))
		cpu_relax();
	desc->dev = NULL;
	desc->name = NULL;
}

void disable_irq(unsigned int irq)
{
	ioapic_mask_irq(irq);
}

void enable_irq(unsigned int irq)
{
	ioapic_unmask_irq(irq);
}

uint64_t irq_count(unsigned int irq)
{
	return irq < NR_IRQS ? __atomic_load_n(&irq_descs[irq].count, __ATOMIC_RELAXED) : 0;
}

const char *irq_name(unsigned int irq)
{
	return irq < NR_IRQS && irq_descs[irq].handler ? irq_descs[irq].name : NULL;
}

void irq_init(void)
{
	legacy_pic_disable();
	lapic_init();
	if (apic_mode == APIC_MODE_NONE)
		return;
	set_system_vector(ERROR_APIC_VECTOR, apic_error_interrupt);
	ioapic_init(lapic_id());
	apic_timer_calibrate();
	apic_timer_init_this_cpu();
}
