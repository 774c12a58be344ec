// SPDX-License-Identifier: MIT
/*
 * The interrupt descriptor table: gates for the 32 exception vectors,
 * pointing at the stubs in exception_entry.asm.
 *
 * A 64-bit interrupt gate (Intel SDM vol. 3, 6.14.1) is 16 bytes: offset
 * bits 0-15, code selector, IST index (bits 0-2 of byte 4), type/attributes
 * (0x8e = present, ring 0, interrupt gate: IF cleared on entry), offset
 * bits 16-31, offset bits 32-63, reserved.
 */
#include <stdint.h>

#include <asm/traps.h>

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

static struct idt_gate idt[256] __attribute__((aligned(16)));

/* IST slots set up in gdt.c: 1 = #DF, 2 = NMI, 3 = #MC. */
static uint8_t ist_for_vector(int vector)
{
	switch (vector) {
	case X86_DF: return 1;
	case X86_NMI: return 2;
	case X86_MC: return 3;
	default: return 0;
	}
}

void idt_init(void)
{
	struct idt_pointer pointer = { sizeof(idt) - 1, (uint64_t)idt };

	for (int v = 0; v < 32; v++) {
		uint64_t handler = exception_stub_table[v];
		idt[v] = (struct idt_gate){
			.offset_low = handler & 0xffff,
			.selector = 0x08,
			.ist = ist_for_vector(v),
			.type_attributes = 0x8e,
			.offset_middle = (handler >> 16) & 0xffff,
			.offset_high = handler >> 32,
		};
	}
	__asm__ volatile("lidt %0" : : "m"(pointer));
}
