// SPDX-License-Identifier: MIT
/*
 * The legacy 8259A PIC pair, put out of the way: the BIOS leaves its
 * vectors at 0x08-0x0f (on top of the CPU exceptions), so it is first
 * re-initialized to vectors 0x30-0x3f, then every line is masked.  The I/O
 * APIC delivers the ISA IRQs instead.  A masked 8259 can still raise a
 * spurious IRQ 7 or 15; it now lands on a vector of its own and is counted.
 *
 * Initialization words (8259A datasheet): ICW1 0x11 = edge, cascade, ICW4
 * follows; ICW2 = vector base; ICW3 = the master's slave on line 2 / the
 * slave's cascade identity 2; ICW4 0x01 = 8086 mode.  OCW1 (data port)
 * is the mask.
 */
#include <asm/io.h>
#include <asm/irq_vectors.h>
#include <asm/i8259.h>

#define PIC_MASTER_COMMAND 0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_COMMAND 0xa0
#define PIC_SLAVE_DATA 0xa1
#define PIC_OCW3_READ_ISR 0x0b

/* An access to an unused port: the classic delay between 8259 writes. */
static void io_wait(void)
{
	outb(0x80, 0);
}

void legacy_pic_disable(void)
{
	outb(PIC_MASTER_DATA, 0xff);
	outb(PIC_SLAVE_DATA, 0xff);
	outb(PIC_MASTER_COMMAND, 0x11);
	io_wait();
	outb(PIC_SLAVE_COMMAND, 0x11);
	io_wait();
	outb(PIC_MASTER_DATA, PIC_MASTER_VECTOR_BASE);
	io_wait();
	outb(PIC_SLAVE_DATA, PIC_SLAVE_VECTOR_BASE);
	io_wait();
	outb(PIC_MASTER_DATA, 1u << 2);
	io_wait();
	outb(PIC_SLAVE_DATA, 2);
	io_wait();
	outb(PIC_MASTER_DATA, 0x01);
	io_wait();
	outb(PIC_SLAVE_DATA, 0x01);
	io_wait();
	outb(PIC_MASTER_DATA, 0xff);
	outb(PIC_SLAVE_DATA, 0xff);
}

bool legacy_pic_irq_is_real(unsigned int pic_irq)
{
	uint8_t isr;

	if (pic_irq >= 8) {
		outb(PIC_SLAVE_COMMAND, PIC_OCW3_READ_ISR);
		isr = inb(PIC_SLAVE_COMMAND);
		if (isr & (1u << (pic_irq - 8)))
			return true;
		/* A spurious IRQ 15 still needs the master's EOI for the cascade line. */
		outb(PIC_MASTER_COMMAND, 0x20);
		return false;
	}
	outb(PIC_MASTER_COMMAND, PIC_OCW3_READ_ISR);
	isr = inb(PIC_MASTER_COMMAND);
	return isr & (1u << pic_irq);
}

void legacy_pic_eoi(unsigned int pic_irq)
{
	if (pic_irq >= 8)
		outb(PIC_SLAVE_COMMAND, 0x20);
	outb(PIC_MASTER_COMMAND, 0x20);
}
