// SPDX-License-Identifier: MIT
/* The per-CPU areas and the GS base that reaches them (see percpu.h). */
#include <asm/cpu.h>
#include <percpu.h>

#define MSR_GS_BASE 0xc0000101u

struct percpu_area percpu_areas[NR_CPUS];

void percpu_init_cpu(unsigned int cpu)
{
	struct percpu_area *area = &percpu_areas[cpu];

	area->self = area;
	area->cpu_number = cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)area);
	/* No read of %gs (raw_smp_processor_id()) moves above this point. */
	__asm__ volatile("" : : : "memory");
}
