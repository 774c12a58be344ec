// SPDX-License-Identifier: MIT
/*
 * The interrupt descriptor table: gates for the 32 exception vectors,
 * pointing at the stubs in exception_entry.asm, and for the 224 interrupt
 * vectors (asm/irq_vectors.h), pointing at those in irq_entry.asm.  One
 * table serves every CPU; each CPU loads it with idt_load().
 *
 * A 64-bit interrupt gate (Intel SDM vol. 3, 6.14.1) is 16 bytes: offset
 * bits 0-15, code selector, IST index (bits 0-2 of byte 4), type/attributes
 * (0x8e = present, ring 0, interrupt gate: IF cleared on entry), offset
 * bits 16-31, offset bits 32-63, reserved.
 */
#include <stdint.h>

#include <asm/traps.h>
#include <asm/tss.h>

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attributes;
	uint16_t offset_middle;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

struct idt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const uint64_t exception_stub_table[32];
extern const uint64_t irq_stub_table[224];

static struct idt_gate idt[256] __attribute__((aligned(16)));

/* IST slots (asm/tss.h); every other vector runs on the stack it interrupted. */
static uint8_t ist_for_vector(int vector)
{
	switch (vector) {
	case X86_DF: return IST_DOUBLE_FAULT;
	case X86_NMI: return IST_NMI;
	case X86_MC: return IST_MACHINE_CHECK;
	default: return 0;
	}
}

static void set_gate(int vector, uint64_t handler)
{
	idt[vector] = (struct idt_gate){
		.offset_low = handler & 0xffff,
		.selector = 0x08,
		.ist = ist_for_vector(vector),
		.type_attributes = 0x8e,
		.offset_middle = (handler >> 16) & 0xffff,
		.offset_high = handler >> 32,
	};
}

void idt_load(void)
{
	struct idt_pointer pointer = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(pointer));
}

void idt_init(void)
{
	for (int v = 0; v < 32; v++)
		set_gate(v, exception_stub_table[v]);
	for (int v = 32; v < 256; v++)
		set_gate(v, irq_stub_table[v - 32]);
	idt_load();
}
