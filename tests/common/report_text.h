/* SPDX-License-Identifier: MIT */
/*
 * Checking the text of a report in tests that build for the kernel and
 * the host: capture printk output (<printk.h> printk_capture) into a
 * buffer, then expect pieces of it.  A symbolized address can only be
 * expected where a symbol table exists (the kernel; the host prints hex):
 * KEXPECT_NAMES_FUNCTION checks the name only there.
 */
#ifndef FERRITE_TESTS_REPORT_TEXT_H
#define FERRITE_TESTS_REPORT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktest.h>
#include <printk.h>
#include <symbols.h>

/*
 * For a function whose name a report must show: never inlined, cloned or
 * split (GCC's noipa; clang has no partial inlining to fear).
 */
#if defined(__clang__)
#define __reported_function __attribute__((noinline))
#else
#define __reported_function __attribute__((noipa))
#endif

/* Return: true if @part occurs in @text. */
static inline bool text_contains(const char *text, const char *part)
{
	for (; *text; text++) {
		size_t i = 0;

		while (part[i] && text[i] == part[i])
			i++;
		if (!part[i])
			return true;
	}
	return !*part;
}

/* Return: true if addresses print as function names here (a symbol table exists). */
static inline bool symbols_are_printed(uintptr_t function, const char *name)
{
	char buf[96];
	const char *formatted = symbol_format(function, buf, sizeof(buf));
	size_t i = 0;

	while (name[i] && formatted[i] == name[i])
		i++;
	return !name[i];
}

/* Expect @part in @text; on failure print both. */
#define KEXPECT_CONTAINS(t, text, part)                              \
	do {                                                         \
		if (!text_contains((text), (part)))                  \
			KEXPECT_STREQ(t, (text), (part));            \
	} while (0)

/* Expect "@fn+" in @text where symbols are printed. */
#define KEXPECT_NAMES_FUNCTION(t, text, fn)                                        \
	do {                                                                       \
		if (symbols_are_printed((uintptr_t)(fn), #fn))                     \
			KEXPECT_CONTAINS(t, (text), #fn "+");                      \
	} while (0)

#endif /* FERRITE_TESTS_REPORT_TEXT_H */
