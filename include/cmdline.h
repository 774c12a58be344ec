/* SPDX-License-Identifier: MIT */
/*
 * The kernel command line: "key=value key flag=..." as GRUB passes it.
 *
 * Parsing copies the text into caller storage and splits it in place, so
 * values stay valid after the boot information is gone.  Values may be
 * quoted ("a b").  Pure code, tested on the host.
 */
#ifndef FERRITE_CMDLINE_H
#define FERRITE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMDLINE_MAX_PARAMS 32
#define CMDLINE_MAX_LENGTH 1024

struct cmdline_param {
	const char *key;
	const char *value; /* "" for a bare "key" */
};

struct cmdline {
	char text[CMDLINE_MAX_LENGTH];
	struct cmdline_param params[CMDLINE_MAX_PARAMS];
	size_t count;
	bool truncated;        /* text longer than CMDLINE_MAX_LENGTH - 1 */
	bool too_many;         /* more than CMDLINE_MAX_PARAMS parameters: the rest ignored */
};

/* Parse @text (NULL means empty) into @cmdline. Context: any; pure. */
void cmdline_parse(struct cmdline *cmdline, const char *text);

/* Return: the value of the last "@key=..." (later ones win), or NULL if absent. */
const char *cmdline_get(const struct cmdline *cmdline, const char *key);

/*
 * Parse a size with an optional K, M, G or T suffix (binary units), as in
 * "mem=512M".  Return: true and *out set, or false if malformed or too large.
 */
bool parse_size(const char *text, uint64_t *out);

/* Parse a decimal or 0x-hex unsigned number. Return: false if malformed. */
bool parse_uint(const char *text, uint64_t *out);

/*
 * Parse a boolean as Linux's kstrtobool does for command-line flags: 1, y,
 * yes, on, true or 0, n, no, off, false (any case).  Return: true and *out
 * set, or false if @text is none of these.  Context: any; pure.
 */
bool kstrtobool(const char *text, bool *out);

/* Shell-style match of @text against @pattern with '*' and '?'. */
bool glob_match(const char *pattern, const char *text);

/*
 * A glob list, as ktest= and bench= take it: comma-separated patterns; a
 * name is selected if it matches one plain pattern and no pattern that
 * starts with '-' ("*,-vmap_area").  NULL or "" selects every name.
 * Return: whether @name is selected.  Context: any; pure.
 */
bool glob_list_match(const char *list, const char *name);

/* What glob_list_check() found wrong: @message about @length bytes at @pattern. */
struct glob_list_error {
	const char *message;
	const char *pattern;   /* points into the list */
	size_t length;
};

/*
 * Check glob list @list against the @count names name_at(0..count-1, @set):
 * every pattern is non-empty and made of letters, digits, '_', '*' and '?'
 * (after an optional '-'), every pattern matches at least one name, and
 * the list selects at least one name.  A typo therefore never selects
 * nothing in silence.  Return: true if all holds; false with *@err
 * filled in otherwise (also when @count is 0).  Context: any; pure.
 */
bool glob_list_check(const char *list, const char *(*name_at)(size_t index, const void *set),
		     const void *set, size_t count, struct glob_list_error *err);

#endif
