/* SPDX-License-Identifier: MIT */
/*
 * printk and the string formatter.
 *
 * printk(KERN_INFO "fmt", ...) writes "[seconds.micros] message" to every
 * console (serial, screen) when the level is at or below the console
 * level (loglevel= on the command line; the default 7 shows all but debug).
 * A message without a level prefix is KERN_INFO.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %% with flags '-' '0' ' ' '+' '#',
 * a width and precision (number or '*'), and lengths hh h l ll z t.
 * %p prints the full 64-bit value as 0x%016lx (addresses are not hashed:
 * this is a kernel for learning and debugging).
 */
#ifndef FERRITE_PRINTK_H
#define FERRITE_PRINTK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define KERN_SOH "\001"
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
/* Continue the previous line: no level, no timestamp. */
#define KERN_CONT KERN_SOH "c"
/* Machine-read output (KTAP, BENCH lines): always shown, never timestamped. */
#define KERN_RAW KERN_SOH "r"

#define LOGLEVEL_DEFAULT 6

#define pr_emerg(fmt, ...) printk(KERN_EMERG fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) printk(KERN_DEBUG fmt, ##__VA_ARGS__)
#define pr_cont(fmt, ...) printk(KERN_CONT fmt, ##__VA_ARGS__)

/*
 * Format into @buf, writing at most @size bytes including the NUL.
 * Return: the length the full output would have (like C's vsnprintf).
 * Context: any; pure (no global state).
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
	__attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print a message to the consoles. Return: characters formatted. Context: any. */
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list args) __attribute__((format(printf, 1, 0)));

/*
 * Copy every message printk formats into @buffer too (@size bytes, always
 * NUL-terminated, truncated when full), starting empty; a @size of 0 ends
 * the copy.  For tests that check the text of a report (the host tests
 * print nothing while capturing).  Context: one CPU at a time.
 */
void printk_capture(char *buffer, size_t size);

/* Only messages with a level below this are shown (loglevel=, 0..8; 8 shows debug). */
extern int console_loglevel;

/* Prefix messages with the time since boot (Linux's printk.time); the monitor turns it off. */
extern bool printk_time;

/*
 * console_print_raw - write @text to every console as it is: no level, no
 * timestamp, not kept in the log (echo of typed input).  Context: any.
 */
void console_print_raw(const char *text, size_t length);

/*
 * dmesg_print - write the kept log (the last 64 KiB printed) to every
 * console, oldest first, without logging it again.  Context: any.
 */
void dmesg_print(void);

/* Nanoseconds since boot as printk's timestamp sees them (0 until the TSC is calibrated). */
unsigned long long printk_clock_ns(void);

#endif
