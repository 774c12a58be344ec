/* SPDX-License-Identifier: MIT */
/*
 * command: the monitor's command table and what turns a typed line into
 * a call -- splitting words, finding the command, checking the argument
 * count, parsing numbers and GFP flags.  Every refusal is a one-line
 * message in a caller-supplied buffer; nothing here has side effects.
 *
 * Pure: no global state, no hardware (host-tested).
 */
#ifndef FERRITE_MONITOR_COMMAND_H
#define FERRITE_MONITOR_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gfp.h>

#define MAX_WORDS 8

struct monitor_command {
	const char *name;       /* may hold a space: "cache create" is two words */
	const char *arguments;  /* synopsis of the arguments, "" if none */
	const char *summary;    /* a few words: `help` lists every command in 80 columns */
	const char *details;    /* more for `help CMD`, or NULL */
	int min_args, max_args; /* words after the name */
	void (*run)(int argc, char **argv);     /* argv[0] is the first argument */
};

/*
 * split_words - cut @line into words at spaces and tabs, in place.
 * Return: the number of words stored in @words (at most @max), or -1 if
 * the line has more than @max words.
 */
int split_words(char *line, char **words, int max);

/*
 * command_find - the command that @words[0..@count) start with: a
 * two-word name ("cache alloc") is matched before a one-word one.
 * @name_words receives how many words the name took.
 * Return: the command, or NULL.
 */
const struct monitor_command *command_find(const struct monitor_command *table, size_t entries,
					   char **words, int count, int *name_words);

/*
 * command_group - the two-word commands whose first word is @word, as
 * "create, alloc, free" in @out (for a user who typed only "cache").
 * Return: how many there are (0: @word starts no two-word command).
 */
size_t command_group(const struct monitor_command *table, size_t entries, const char *word,
		     char *out, size_t size);

/*
 * command_check_arguments - is @argc a valid number of arguments for @c?
 * Return: true; or false with "usage: NAME ARGS" in @message.
 */
bool command_check_arguments(const struct monitor_command *c, int argc, char *message,
			     size_t size);

/*
 * parse_u64 - a number: decimal, or hexadecimal with 0x, optionally
 * followed by K, M or G (times 1024, 1024^2, 1024^3).
 * Return: false (and @value untouched) for anything else or on overflow.
 */
bool parse_u64(const char *text, uint64_t *value);

/*
 * parse_gfp - GFP flags by name, joined with '|': GFP_KERNEL, GFP_ATOMIC,
 * GFP_NOWAIT, GFP_DMA, GFP_DMA32, __GFP_ZERO, __GFP_NOWARN, __GFP_HIGH,
 * __GFP_COMP, __GFP_NOFAIL, __GFP_IO, __GFP_FS, __GFP_DIRECT_RECLAIM,
 * __GFP_KSWAPD_RECLAIM (names are case-insensitive and the GFP_ / __GFP_
 * prefix may be left out: "kernel|zero"), or a number made of those bits.
 * Return: false if a part is not a known flag.
 */
bool parse_gfp(const char *text, gfp_t *gfp);

/* Format @gfp as the names parse_gfp() reads (exact combinations first). */
void format_gfp(gfp_t gfp, char *buf, size_t size);

#endif
