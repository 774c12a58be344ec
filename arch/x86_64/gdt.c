// SPDX-License-Identifier: MIT
/*
 * The kernel GDT and TSS.
 *
 * Long mode ignores segment bases and limits, but still needs a code
 * descriptor with L=1, a data descriptor, and a TSS whose Interrupt Stack
 * Table gives the double-fault, NMI and machine-check handlers stacks of
 * their own (asm/tss.h): a kernel stack overflow (into the unmapped guard page below
 * the boot stack) then ends in a readable #DF report instead of a triple
 * fault.  Each CPU has its own GDT and TSS (gdt_init_cpu()).
 */
#include <stdint.h>

#include <asm/traps.h>
#include <asm/tss.h>
#include <kernel.h>
#include <percpu.h>

#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_TSS 0x18

struct gdt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/*
 * Descriptor bits used (Intel SDM vol. 3, 3.4.5): 0x9a = present, ring 0,
 * code, readable; 0x92 = present, ring 0, data, writable; flag nibble 0xa
 * = 4 KiB granularity + L (64-bit code), 0xc = granularity + 32-bit.
 * The TSS descriptor is 16 bytes (type 0x9 = available 64-bit TSS).
 *
 * One GDT and TSS per CPU: ltr marks a TSS busy, and each CPU's TSS names
 * its own IST stacks.
 */
struct cpu_descriptor_tables {
	uint64_t gdt[5];
	struct tss tss;
} __attribute__((aligned(64)));

static struct cpu_descriptor_tables cpu_tables[NR_CPUS];

void gdt_init_cpu(unsigned int cpu)
{
	struct cpu_descriptor_tables *t = &cpu_tables[cpu];
	uint64_t base = (uint64_t)&t->tss;
	uint64_t limit = sizeof(t->tss) - 1;
	struct gdt_pointer pointer = { sizeof(t->gdt) - 1, (uint64_t)t->gdt };

	tss_setup_ist(&t->tss, cpu);
	t->tss.iomap_base = sizeof(t->tss);

	t->gdt[0] = 0;
	t->gdt[1] = 0x00af9a000000ffff;
	t->gdt[2] = 0x00cf92000000ffff;
	t->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	t->gdt[4] = base >> 32;

	/* GS is not reloaded: a null selector load may clear the GS base (percpu.h). */
	__asm__ volatile("lgdt %0\n"
			 "pushq %1\n"
			 "leaq 1f(%%rip), %%rax\n"
			 "pushq %%rax\n"
			 "lretq\n"
			 "1:\n"
			 "movw %w2, %%ds\n"
			 "movw %w2, %%es\n"
			 "movw %w2, %%ss\n"
			 "movw %w3, %%fs\n"
			 "ltr %w4\n"
			 :
			 : "m"(pointer), "i"(SEL_KERNEL_CODE), "r"(SEL_KERNEL_DATA), "r"(0),
			   "r"(SEL_TSS)
			 : "rax", "memory");
}

void gdt_init(void)
{
	gdt_init_cpu(0);
}
