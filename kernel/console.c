// SPDX-License-Identifier: MIT
/* The list of registered consoles and writing to all of them. */
#include <console.h>
#include <kstring.h>

static struct console *console_list;

void console_register(struct console *console)
{
	struct console **tail = &console_list;

	while (*tail)
		tail = &(*tail)->next;
	console->next = NULL;
	*tail = console;
}

void console_write(const char *text, size_t length)
{
	for (struct console *c = console_list; c; c = c->next)
		c->write(c, text, length);
}

struct console *console_find(const char *name)
{
	for (struct console *c = console_list; c; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}
