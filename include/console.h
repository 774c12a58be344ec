/* SPDX-License-Identifier: MIT */
/*
 * Consoles: where printk's text goes.  Each output device (serial port,
 * VGA text screen, framebuffer) registers a struct console; printk writes
 * every message to all of them, so a PC without a serial port still shows
 * everything on screen.
 */
#ifndef FERRITE_CONSOLE_H
#define FERRITE_CONSOLE_H

#include <stddef.h>

struct console {
	const char *name;
	/* Write @length bytes; '\n' starts a new line. Context: any, IRQs may be off. */
	void (*write)(struct console *console, const char *text, size_t length);
	struct console *next;
};

/* Add @console to the output list; it receives all later output. */
void console_register(struct console *console);

/*
 * Write @text to every registered console.  Caller: printk, holding the
 * printk lock, or without it when the lock is busy (a fault inside
 * printk, another CPU stuck holding it): output beats a deadlock, so
 * this contract is not asserted.
 */
void console_write(const char *text, size_t length);

/* Return: the registered console called @name, or NULL. */
struct console *console_find(const char *name);

#endif
