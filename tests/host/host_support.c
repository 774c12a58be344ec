// SPDX-License-Identifier: MIT
/*
 * What the pure kernel files expect from the rest of the kernel, provided
 * on the host: printk (through the kernel's own vsnprintf), panic and
 * symbol_format.  A test may capture printk output instead of printing it
 * (host_printk_capture) to check the text of a report.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <asm/cpu.h>
#include <hardirq.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <symbols.h>

#include "host_support.h"

int console_loglevel = LOGLEVEL_DEFAULT + 1;

/* Each host thread starts with its pretend interrupt flag set (<asm/cpu.h> shim). */
__thread uint64_t host_rflags = X86_RFLAGS_IF;

/* Each host thread is CPU 0 until it says otherwise (<percpu.h> shim). */
__thread unsigned int host_cpu_id;

/* The host tests never run in interrupt context (<hardirq.h>). */
struct irq_context irq_context[NR_CPUS];

static char *capture_buffer;
static size_t capture_size, capture_used;

void host_printk_capture(char *buffer, size_t size)
{
	capture_buffer = size ? buffer : NULL;
	capture_size = size;
	capture_used = 0;
	if (capture_buffer)
		capture_buffer[0] = '\0';
}

/* <printk.h>'s capture: on the host, the same as host_printk_capture(). */
void printk_capture(char *buffer, size_t size)
{
	host_printk_capture(buffer, size);
}

static char shared_capture[8192];

void capture_start(void)
{
	host_printk_capture(shared_capture, sizeof(shared_capture));
}

void capture_stop(void)
{
	host_printk_capture(NULL, 0);
}

const char *capture_text(void)
{
	return shared_capture;
}

/* Append @text to the capture buffer, truncating (always terminated). */
static void capture_append(const char *text)
{
	while (*text && capture_used + 1 < capture_size)
		capture_buffer[capture_used++] = *text++;
	capture_buffer[capture_used] = '\0';
}

int vprintk(const char *fmt, va_list args)
{
	char line[1024];
	int length;

	/* Drop the level prefix; the host shows everything. */
	if (fmt[0] == KERN_SOH[0] && fmt[1])
		fmt += 2;
	length = vsnprintf(line, sizeof(line), fmt, args);
	if (capture_buffer)
		capture_append(line);
	else
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

/* No symbol table on the host: addresses print as plain hex. */
const char *symbol_format(uint64_t address, char *buf, size_t size)
{
	snprintf(buf, size, "0x%llx", (unsigned long long)address);
	return buf;
}
