/* SPDX-License-Identifier: MIT */
/* The 16550 UART on COM1 as a console. */
#ifndef FERRITE_SERIAL_H
#define FERRITE_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Probe COM1 (scratch register, then loopback), program 115200 8N1 and
 * register it as the "ttyS0" console.
 * Return: true if a UART answered; false (and nothing registered) if not.
 */
bool serial_init(void);

/*
 * serial_input_init - deliver each byte COM1 receives to @receive, from
 * its interrupt handler (IRQ 4, interrupts off).
 * Context: after serial_init() and irq_init().  Return: false if there is
 * no UART (its port is never read then) or the IRQ cannot be had.
 */
bool serial_input_init(void (*receive)(uint8_t byte));

/*
 * serial_input_stop - turn the receive interrupt off and give IRQ 4 back
 * (serial_input_init() takes it again).  Context: task context.
 */
void serial_input_stop(void);

/*
 * serial_input_poll - deliver what COM1 holds, as its interrupt would: the
 * I/O APIC takes IRQ 4 on an edge, and one the UART never raised again
 * would leave its input stuck; a caller that polls each time it wakes
 * recovers within a tick.  Context: interrupts off, on the CPU IRQ 4 goes to.
 */
void serial_input_poll(void);

#endif
