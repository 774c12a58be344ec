/* SPDX-License-Identifier: MIT */
/*
 * The monitor's commands, by file: inspection (cmd_inspect.c), allocation
 * (cmd_alloc.c), the rest (cmd_system.c); the table that names them is in
 * command_table.c.  Each handler gets the words after the command's name
 * (their count already checked against the table) and prints its answer
 * with printk; a refusal is one line from monitor_refuse().
 */
#ifndef FERRITE_MONITOR_COMMANDS_H
#define FERRITE_MONITOR_COMMANDS_H

#include <stddef.h>

#include "command.h"

extern const struct monitor_command monitor_commands[];
extern const size_t monitor_command_count;

/* Print "@command: <message>" as the one-line answer to bad input. */
void monitor_refuse(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse @text as a number in [@min, @max], or refuse with @what named. Return: false if refused. */
bool monitor_number(const char *command, const char *what, const char *text, uint64_t min,
		    uint64_t max, uint64_t *value);

/*
 * monitor_release_input - give the serial and keyboard interrupts back
 * while the self-tests or benchmarks run (their interrupt tests take those
 * IRQs); monitor_reclaim_input() takes them again.  Keys typed meanwhile
 * are lost.
 */
void monitor_release_input(void);
void monitor_reclaim_input(void);

#define COMMAND(name) void cmd_##name(int argc, char **argv)

/* cmd_inspect.c */
COMMAND(meminfo); COMMAND(buddyinfo); COMMAND(zoneinfo); COMMAND(slabinfo); COMMAND(slab);
COMMAND(vmallocinfo); COMMAND(ptdump); COMMAND(pt); COMMAND(page); COMMAND(cpus); COMMAND(irqs);
COMMAND(tlb); COMMAND(dmesg); COMMAND(fragmap);

/* cmd_alloc.c */
COMMAND(kmalloc); COMMAND(kfree); COMMAND(cache_create); COMMAND(cache_alloc); COMMAND(cache_free);
COMMAND(cache_destroy); COMMAND(alloc_pages); COMMAND(free_pages); COMMAND(vmalloc); COMMAND(vfree);
COMMAND(held); COMMAND(verify);

/* cmd_system.c */
COMMAND(help); COMMAND(test); COMMAND(bench); COMMAND(slab_debug); COMMAND(page_poison);
COMMAND(halt); COMMAND(reboot);

#endif
