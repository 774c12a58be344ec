/* SPDX-License-Identifier: MIT */
/*
 * How the kernel ends a run.  On a real PC it halts with the results on
 * screen.  Under an emulator, and only when the command line asks for it
 * (exit=qemu, exit=bochs or exit=debugcon), it also tells the emulator
 * how the run went: QEMU's isa-debug-exit device at port 0xf4 turns a
 * written value V into the exit status (V << 1) | 1; the debug port 0xE9
 * (QEMU -debugcon, Bochs port_e9_hack) receives "pass", "fail" or "crash".
 */
#ifndef FERRITE_SHUTDOWN_H
#define FERRITE_SHUTDOWN_H

#include <stdbool.h>

enum exit_status {
	EXIT_PASS = 0x10,   /* QEMU exits with 33 */
	EXIT_FAIL = 0x11,   /* 35 */
	EXIT_CRASH = 0x12,  /* 37: panic or exception outside a test */
};

enum exit_method {
	EXIT_HALT,          /* default: stop the CPU, leave the screen as it is */
	EXIT_QEMU,          /* isa-debug-exit at port 0xf4 */
	EXIT_BOCHS,         /* word to port 0xE9, then the Bochs magic breakpoint (xchg bx,bx) */
	EXIT_DEBUGCON,      /* word to port 0xE9, then halt (the harness reads the screen) */
};

/* Choose the method from the exit= command-line value. Return: false if unknown. */
bool shutdown_set_method(const char *name);

/* End the run with @status. Never returns. Context: any. */
__attribute__((noreturn)) void kernel_exit(enum exit_status status);

/*
 * kernel_restart - reset the machine: the PCI reset control register
 * (0xCF9), then the keyboard controller's reset line, then a triple fault.
 * Never returns.  Context: any.
 */
__attribute__((noreturn)) void kernel_restart(void);

#endif
