/* SPDX-License-Identifier: MIT */
/*
 * The monitor: an interactive `ferrite>` prompt on the serial port (COM1,
 * IRQ 4) and on the screen with the PS/2 keyboard (IRQ 1), to inspect the
 * allocators and drive them by hand.  Output goes to every console, as
 * printk's does.  The commands are listed by `help`; the design is in
 * kernel/monitor/monitor.c.
 */
#ifndef FERRITE_MONITOR_H
#define FERRITE_MONITOR_H

/*
 * monitor_run - take input from every device that has it and run typed
 * commands until `halt` or `reboot`.  Never returns; with no input device
 * at all it says so and halts.
 * Context: boot CPU, task context, interrupts set up (irq_init).
 */
__attribute__((noreturn)) void monitor_run(void);

#endif
