/* SPDX-License-Identifier: MIT */
/*
 * The 64-bit task-state segment (Intel SDM vol. 3, 8.7) and the per-CPU
 * stacks that interrupts and the worst exceptions run on.
 *
 * Stacks per CPU:
 *   IST 1  #DF       a kernel stack overflow ends in a report, not a triple fault
 *   IST 2  NMI       an NMI may arrive anywhere, even on a nearly full stack
 *   IST 3  #MC
 *   irq stack        device interrupts, IPIs and the timer: irq_dispatch()
 *                    switches to it (call_on_stack) when entered from
 *                    task context; nested entry stays where it is
 * The boot CPU's are static; other CPUs' come from vmalloc, each with the
 * unmapped guard page vmalloc leaves between areas below it.
 */
#ifndef FERRITE_ASM_TSS_H
#define FERRITE_ASM_TSS_H

#include <stdint.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

/* IST slot numbers (1-based, as the IDT gate's IST field holds them). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define IST_COUNT 3

#define IST_STACK_SIZE 8192
#define IRQ_STACK_SIZE 16384

/*
 * irq_stacks_alloc - give CPU @cpu its IST and interrupt stacks (the boot
 * CPU, 0, has static ones and needs no call).
 * Context: boot CPU, before starting @cpu; may sleep in the allocator.
 * Return: 0, or -ENOMEM (the CPU must then not be started).
 */
int irq_stacks_alloc(unsigned int cpu);

/*
 * tss_setup_ist - point @tss's IST slots at CPU @cpu's stacks and record
 * @cpu's interrupt stack for irq_dispatch().
 * Context: on CPU @cpu (or the boot CPU for itself) before its TR is loaded.
 */
void tss_setup_ist(struct tss *tss, unsigned int cpu);

/* Top of CPU @cpu's interrupt stack, 0 if it has none (yet). */
uint64_t irq_stack_top(unsigned int cpu);

#endif
