/* SPDX-License-Identifier: MIT */
/* The 16550 UART on COM1 as a console. */
#ifndef FERRITE_SERIAL_H
#define FERRITE_SERIAL_H

#include <stdbool.h>

/*
 * Probe COM1 (scratch register, then loopback), program 115200 8N1 and
 * register it as the "ttyS0" console.
 * Return: true if a UART answered; false (and nothing registered) if not.
 */
bool serial_init(void);

#endif
