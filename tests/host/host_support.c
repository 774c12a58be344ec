// SPDX-License-Identifier: MIT
/*
 * What the pure kernel files expect from the rest of the kernel, provided
 * on the host: printk (through the kernel's own vsnprintf) and panic.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <kernel.h>
#include <ktest.h>
#include <printk.h>

int console_loglevel = LOGLEVEL_DEFAULT + 1;

int vprintk(const char *fmt, va_list args)
{
	char line[1024];
	int length;

	/* Drop the level prefix; the host shows everything. */
	if (fmt[0] == KERN_SOH[0] && fmt[1])
		fmt += 2;
	length = vsnprintf(line, sizeof(line), fmt, args);
	fputs(line, stdout);
	return length;
}

int printk(const char *fmt, ...)
{
	va_list args;
	int length;

	va_start(args, fmt);
	length = vprintk(fmt, args);
	va_end(args);
	return length;
}

void panic(const char *fmt, ...)
{
	char message[256];
	va_list args;

	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	printf("Kernel panic: %s\n", message);
	if (ktest_is_running())
		ktest_abort("panic");
	abort();
}

void warn_slowpath(const char *file, int line, const char *cond)
{
	printf("WARNING: %s at %s:%d\n", cond, file, line);
}

void bug_slowpath(const char *file, int line, const char *cond)
{
	panic("kernel BUG at %s:%d: %s", file, line, cond);
}
