/* SPDX-License-Identifier: MIT */
/*
 * Host-test support (tests/host/host_support.c): capturing printk output
 * so a test can check the text of a report.
 */
#ifndef FERRITE_HOST_SUPPORT_H
#define FERRITE_HOST_SUPPORT_H

#include <stddef.h>
#include <string.h>

#include <ktest.h>

/*
 * Send printk output to @buffer (@size bytes, always NUL-terminated,
 * truncated when full) instead of stdout, starting empty.  A @size of 0
 * ends the capture.
 */
void host_printk_capture(char *buffer, size_t size);

/* The shared capture buffer: capture_start() ... capture_stop(), then capture_text(). */
void capture_start(void);
void capture_stop(void);
const char *capture_text(void);

/* Expect @text in the captured output (on failure both are printed). */
#define KEXPECT_REPORTED(t, text)                                       \
	do {                                                            \
		if (!strstr(capture_text(), (text)))                    \
			KEXPECT_STREQ(t, capture_text(), (text));       \
	} while (0)

#endif
