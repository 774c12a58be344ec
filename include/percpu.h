/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data.
 *
 * Each CPU has a struct percpu_area of its own, and its GS base register
 * (the IA32_GS_BASE MSR; no user space exists, so no SWAPGS) holds that
 * area's address.  smp_processor_id() is then one load, `mov %gs:8, %eax`,
 * whatever CPU runs it.  Data kept per CPU elsewhere (the slab's and the
 * page allocator's caches, interrupt depths) is an array of NR_CPUS
 * indexed through this_cpu_ptr().
 *
 * No preemption and no migration exist: code keeps running on the CPU it
 * started on, so a this_cpu_ptr() result stays this CPU's.  It is
 * private to this CPU only while interrupts are off (an interrupt
 * handler on the same CPU may use the same entry).
 *
 * The areas are set up by percpu_init_cpu() before anything reads them:
 * first thing in kernel_main() on the boot CPU, first thing in the
 * 64-bit start-up of each other CPU.
 */
#ifndef FERRITE_PERCPU_H
#define FERRITE_PERCPU_H

#include <stdint.h>

/* The most CPUs the kernel runs on (make NR_CPUS=N; 1 builds a uniprocessor kernel). */
#ifndef NR_CPUS
#define NR_CPUS 64
#endif

struct percpu_area {
	struct percpu_area *self;	/* offset 0: the area's own address */
	unsigned long cpu_number;	/* offset 8: smp_processor_id(), 64 bits wide so
					   that indexing needs no zero extension */
} __attribute__((aligned(64)));

#define PERCPU_CPU_NUMBER_OFFSET 8
_Static_assert(__builtin_offsetof(struct percpu_area, cpu_number) == PERCPU_CPU_NUMBER_OFFSET,
	       "smp_processor_id() reads %gs:8");

extern struct percpu_area percpu_areas[NR_CPUS];

/*
 * The CPU number as a 64-bit value, ready to index with.  Not volatile:
 * the value never changes under the code that read it, so the compiler
 * may reuse one load.  But it names percpu_areas as a memory input: the
 * load cannot be moved above percpu_init_cpu() (which writes the areas and
 * ends with a compiler barrier), where GS does not yet point at an area.
 */
static inline unsigned long raw_smp_processor_id(void)
{
	unsigned long cpu;

	__asm__("movq %%gs:%c1, %0"
		: "=r"(cpu)
		: "i"(PERCPU_CPU_NUMBER_OFFSET), "m"(percpu_areas));
	return cpu;
}

/* smp_processor_id - the number of the CPU running this code (0 = boot CPU). */
static inline unsigned int smp_processor_id(void)
{
	return (unsigned int)raw_smp_processor_id();
}

/* This CPU's element of a per-CPU array of NR_CPUS. */
#define this_cpu_ptr(array) (&(array)[raw_smp_processor_id()])

/* This CPU's struct percpu_area. */
static inline struct percpu_area *this_cpu_area(void)
{
	struct percpu_area *area;

	__asm__("movq %%gs:0, %0" : "=r"(area));
	return area;
}

/*
 * percpu_init_cpu - fill in CPU @cpu's area and point this CPU's GS base at it.
 * Context: the CPU numbered @cpu, before it reads any per-CPU data.
 */
void percpu_init_cpu(unsigned int cpu);

#endif
