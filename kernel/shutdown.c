// SPDX-License-Identifier: MIT
/* Ending a run: halt, or tell the emulator how it went (see shutdown.h). */
#include <stdbool.h>

#include <asm/cpu.h>
#include <asm/io.h>
#include <kstring.h>
#include <printk.h>
#include <shutdown.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define DEBUG_PORT 0xe9   /* QEMU -debugcon, Bochs port_e9_hack */

static enum exit_method exit_method = EXIT_HALT;

bool shutdown_set_method(const char *name)
{
	if (strcmp(name, "qemu") == 0)
		exit_method = EXIT_QEMU;
	else if (strcmp(name, "bochs") == 0)
		exit_method = EXIT_BOCHS;
	else if (strcmp(name, "debugcon") == 0)
		exit_method = EXIT_DEBUGCON;
	else if (strcmp(name, "halt") == 0)
		exit_method = EXIT_HALT;
	else
		return false;
	return true;
}

static void debug_port_puts(const char *word)
{
	for (const char *p = word; *p; p++)
		outb(DEBUG_PORT, (uint8_t)*p);
	outb(DEBUG_PORT, '\n');
}

void kernel_exit(enum exit_status status)
{
	const char *word = status == EXIT_PASS ? "pass" : status == EXIT_FAIL ? "fail" : "crash";

	switch (exit_method) {
	case EXIT_QEMU:
		outl(QEMU_DEBUG_EXIT_PORT, status);
		break;
	case EXIT_BOCHS:
		debug_port_puts(word);
		__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
		break;
	case EXIT_DEBUGCON:
		debug_port_puts(word);
		break;
	case EXIT_HALT:
		break;
	}
	pr_notice("System halted (%s).\n", word);
	cpu_halt_forever();
}

#define RESET_CONTROL_PORT 0xcf9        /* PCI reset control: bit 1 hard reset, bit 2 do it */
#define I8042_COMMAND_PORT 0x64
#define I8042_PULSE_RESET 0xfe

void kernel_restart(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	outb(RESET_CONTROL_PORT, 0x02);
	outb(RESET_CONTROL_PORT, 0x06);
	for (int i = 0; i < 100000; i++)
		cpu_relax();
	outb(I8042_COMMAND_PORT, I8042_PULSE_RESET);
	for (int i = 0; i < 100000; i++)
		cpu_relax();
	/* Last resort: an exception with no IDT is a triple fault, which resets. */
	__asm__ volatile("cli; lidt %0; int3" : : "m"(no_idt) : "memory");
	cpu_halt_forever();
}
