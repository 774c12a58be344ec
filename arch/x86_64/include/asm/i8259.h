/* SPDX-License-Identifier: MIT */
/* The legacy 8259 PIC pair: remapped and masked, its strays accounted for. */
#ifndef FERRITE_I8259_H
#define FERRITE_I8259_H

#include <stdbool.h>

/* Remap both PICs to vectors 0x30-0x3f and mask every line. Context: boot CPU, interrupts off. */
void legacy_pic_disable(void);

/*
 * For a PIC vector that arrived: was line @pic_irq (0-15) really in service
 * (then it needs legacy_pic_eoi()), or a spurious IRQ 7/15 (no EOI; for 15
 * the master's EOI is sent here)?  Return: true if it was real.
 */
bool legacy_pic_irq_is_real(unsigned int pic_irq);

/* End of interrupt for PIC line @pic_irq. */
void legacy_pic_eoi(unsigned int pic_irq);

#endif
