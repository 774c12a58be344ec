// SPDX-License-Identifier: MIT
/*
 * The kernel GDT and TSS.
 *
 * Long mode ignores segment bases and limits, but still needs a code
 * descriptor with L=1, a data descriptor, and a TSS whose Interrupt Stack
 * Table gives the double-fault, NMI and machine-check handlers stacks of
 * their own (asm/tss.h): a kernel stack overflow (into the unmapped guard page below
 * the boot stack) then ends in a readable #DF report instead of a triple
 * fault.
 */
#include <stdint.h>

#include <asm/traps.h>
#include <asm/tss.h>
#include <kernel.h>

#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_TSS 0x18

struct gdt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct tss tss;

/*
 * Descriptor bits used (Intel SDM vol. 3, 3.4.5): 0x9a = present, ring 0,
 * code, readable; 0x92 = present, ring 0, data, writable; flag nibble 0xa
 * = 4 KiB granularity + L (64-bit code), 0xc = granularity + 32-bit.
 * The TSS descriptor is 16 bytes (type 0x9 = available 64-bit TSS).
 */
static uint64_t gdt[5] = {
	0,
	0x00af9a000000ffff,
	0x00cf92000000ffff,
	0, 0, /* TSS, filled in at init */
};

void gdt_init(void)
{
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	struct gdt_pointer pointer = { sizeof(gdt) - 1, (uint64_t)gdt };

	tss_setup_ist(&tss, 0);
	tss.iomap_base = sizeof(tss);

	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;

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
