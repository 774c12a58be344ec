/* SPDX-License-Identifier: MIT */
/*
 * line_editor: turns keys into command lines, with the editing a shell
 * user expects: backspace, Ctrl-U (erase the line), Ctrl-C (abandon it),
 * and a history browsed with the up and down arrows.
 *
 * Input comes as bytes from a terminal (serial) or from the keyboard
 * driver, which speaks the same language: printable ASCII, control
 * characters, and VT100 escape sequences for the arrows (ESC [ A is up).
 * A key_decoder per source turns those bytes into keys, so two sources
 * never mix the halves of an escape sequence.
 *
 * What the user should see is written through the echo callback with only
 * '\b', '\n' and printable characters, which every console draws (the
 * VGA screen knows no escape sequences): a recalled line replaces the
 * shown one by backspacing over it.
 *
 * Pure: no global state, no hardware (host-tested).
 */
#ifndef FERRITE_MONITOR_LINE_EDITOR_H
#define FERRITE_MONITOR_LINE_EDITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Keys other than characters (characters are their byte value). */
enum {
	KEY_NONE = -1,          /* the byte was part of a sequence, or ignored */
	KEY_ENTER = '\n',
	KEY_BACKSPACE = '\b',
	KEY_CTRL_C = 0x03,
	KEY_CTRL_U = 0x15,
	KEY_UP = 0x100,
	KEY_DOWN,
	KEY_LEFT,
	KEY_RIGHT,
};

struct key_decoder {
	int state;              /* where in an escape sequence */
	bool after_cr;          /* the last byte was '\r' (a following '\n' is the same Enter) */
};

/* Return: the key @byte completes, or KEY_NONE. Pure. */
int key_decode(struct key_decoder *decoder, uint8_t byte);

#define LINE_MAX 160            /* characters in a line, NUL excluded */
#define HISTORY_LINES 16

typedef void (*line_echo_fn)(void *context, const char *text, size_t length);

struct line_editor {
	char line[LINE_MAX + 1];
	size_t length;
	/* history[(newest - k) % HISTORY_LINES] is the k-th most recent line. */
	char history[HISTORY_LINES][LINE_MAX + 1];
	unsigned int history_count;     /* lines stored, at most HISTORY_LINES */
	unsigned int newest;
	unsigned int browsing;          /* 0: editing a new line; k: showing the k-th most recent */
	char draft[LINE_MAX + 1];       /* the new line, kept while browsing */
	line_echo_fn echo;
	void *echo_context;
};

enum line_status {
	LINE_EDITING,           /* keep feeding keys */
	LINE_DONE,              /* Enter: line_editor_take() has the line */
	LINE_CANCELLED,         /* Ctrl-C: the line was abandoned */
};

/* Start with an empty line and no history; @echo receives what to show. */
void line_editor_init(struct line_editor *editor, line_echo_fn echo, void *context);

/*
 * line_editor_key - apply @key (a character or KEY_*) to the line.
 * Return: LINE_DONE on Enter (the line is complete), LINE_CANCELLED on
 * Ctrl-C, else LINE_EDITING.  After DONE or CANCELLED the next key starts
 * a new line.
 */
enum line_status line_editor_key(struct line_editor *editor, int key);

/*
 * line_editor_take - after LINE_DONE: copy the line (NUL-terminated) into
 * @out of @size bytes and add it to the history (unless empty or the same
 * as the most recent entry); the editor starts a new line.
 */
void line_editor_take(struct line_editor *editor, char *out, size_t size);

/* The k-th most recent history line (1 = newest), or NULL. */
const char *line_editor_history(const struct line_editor *editor, unsigned int k);

#endif
