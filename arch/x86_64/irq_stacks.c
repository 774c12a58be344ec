// SPDX-License-Identifier: MIT
/* Per-CPU IST and interrupt stacks (the map is in asm/tss.h). */
#include <asm/tss.h>
#include <errno.h>
#include <kernel.h>
#include <percpu.h>
#include <printk.h>
#include <vmalloc.h>

struct cpu_stacks {
	uint64_t ist_top[IST_COUNT];
	uint64_t irq_top;
};

static struct cpu_stacks cpu_stacks[NR_CPUS];

static uint8_t boot_ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t boot_irq_stack[IRQ_STACK_SIZE] __attribute__((aligned(16)));

int irq_stacks_alloc(unsigned int cpu)
{
	struct cpu_stacks *s;

	if (cpu == 0 || cpu >= NR_CPUS)
		return cpu == 0 ? 0 : -EINVAL;
	s = &cpu_stacks[cpu];
	for (int i = 0; i < IST_COUNT; i++) {
		uint8_t *stack;

		if (s->ist_top[i])
			continue;
		stack = vmalloc(IST_STACK_SIZE);
		if (!stack)
			return -ENOMEM;
		s->ist_top[i] = (uint64_t)stack + IST_STACK_SIZE;
	}
	if (!s->irq_top) {
		uint8_t *stack = vmalloc(IRQ_STACK_SIZE);

		if (!stack)
			return -ENOMEM;
		s->irq_top = (uint64_t)stack + IRQ_STACK_SIZE;
	}
	return 0;
}

void tss_setup_ist(struct tss *tss, unsigned int cpu)
{
	struct cpu_stacks *s = &cpu_stacks[cpu];

	if (cpu == 0) {
		for (int i = 0; i < IST_COUNT; i++)
			s->ist_top[i] = (uint64_t)&boot_ist_stacks[i][IST_STACK_SIZE];
		s->irq_top = (uint64_t)&boot_irq_stack[IRQ_STACK_SIZE];
	}
	if (!s->ist_top[0])
		pr_err("tss_setup_ist: CPU %u has no IST stacks (irq_stacks_alloc not called)\n", cpu);
	for (int i = 0; i < IST_COUNT; i++)
		tss->ist[i] = s->ist_top[i];
}

uint64_t irq_stack_top(unsigned int cpu)
{
	return cpu < NR_CPUS ? cpu_stacks[cpu].irq_top : 0;
}
