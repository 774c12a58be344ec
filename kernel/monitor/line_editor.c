// SPDX-License-Identifier: MIT
/* line_editor: keys to command lines, with editing and history (see line_editor.h). */
#include <kstring.h>

#include "line_editor.h"

#define ESC 0x1b

enum { DECODE_TEXT, DECODE_ESCAPE, DECODE_CSI, DECODE_SS3 };

int key_decode(struct key_decoder *d, uint8_t byte)
{
	bool after_cr = d->after_cr;

	d->after_cr = false;
	switch (d->state) {
	case DECODE_ESCAPE:
		d->state = byte == '[' ? DECODE_CSI : byte == 'O' ? DECODE_SS3 : DECODE_TEXT;
		return KEY_NONE;
	case DECODE_CSI:
	case DECODE_SS3:
		/* Parameters (digits, ';') go on; the final byte ends the sequence. */
		if ((byte >= '0' && byte <= '9') || byte == ';')
			return KEY_NONE;
		d->state = DECODE_TEXT;
		switch (byte) {
		case 'A': return KEY_UP;
		case 'B': return KEY_DOWN;
		case 'C': return KEY_RIGHT;
		case 'D': return KEY_LEFT;
		default: return KEY_NONE;   /* Home, Delete, F-keys...: ignored */
		}
	default:
		break;
	}
	switch (byte) {
	case ESC:
		d->state = DECODE_ESCAPE;
		return KEY_NONE;
	case '\r':
		d->after_cr = true;
		return KEY_ENTER;
	case '\n':
		return after_cr ? KEY_NONE : KEY_ENTER;
	case 0x7f:
	case '\b':
		return KEY_BACKSPACE;
	default:
		return byte;
	}
}

void line_editor_init(struct line_editor *e, line_echo_fn echo, void *context)
{
	memset(e, 0, sizeof(*e));
	e->echo = echo;
	e->echo_context = context;
}

static void show(struct line_editor *e, const char *text, size_t length)
{
	if (length)
		e->echo(e->echo_context, text, length);
}

static void erase_shown(struct line_editor *e)
{
	static const char rubout[] = "\b \b";

	for (size_t i = 0; i < e->length; i++)
		show(e, rubout, 3);
}

/* Replace the shown line by @text. */
static void replace_line(struct line_editor *e, const char *text)
{
	erase_shown(e);
	e->length = strlen(text);
	memcpy(e->line, text, e->length + 1);
	show(e, e->line, e->length);
}

const char *line_editor_history(const struct line_editor *e, unsigned int k)
{
	if (k == 0 || k > e->history_count)
		return NULL;
	return e->history[(e->newest + HISTORY_LINES - (k - 1)) % HISTORY_LINES];
}

static void browse(struct line_editor *e, unsigned int k)
{
	if (e->browsing == 0)
		memcpy(e->draft, e->line, e->length + 1);
	e->browsing = k;
	replace_line(e, k ? line_editor_history(e, k) : e->draft);
}

static void start_new_line(struct line_editor *e)
{
	e->length = 0;
	e->line[0] = '\0';
	e->browsing = 0;
}

enum line_status line_editor_key(struct line_editor *e, int key)
{
	switch (key) {
	case KEY_NONE:
	case KEY_LEFT:
	case KEY_RIGHT:
		break;
	case KEY_ENTER:
		show(e, "\n", 1);
		return LINE_DONE;
	case KEY_CTRL_C:
		show(e, "^C\n", 3);
		start_new_line(e);
		return LINE_CANCELLED;
	case KEY_CTRL_U:
		erase_shown(e);
		start_new_line(e);
		break;
	case KEY_BACKSPACE:
		if (e->length) {
			e->line[--e->length] = '\0';
			show(e, "\b \b", 3);
		}
		break;
	case KEY_UP:
		if (e->browsing < e->history_count)
			browse(e, e->browsing + 1);
		break;
	case KEY_DOWN:
		if (e->browsing > 0)
			browse(e, e->browsing - 1);
		break;
	default:
		/* Printable ASCII only; other control characters are ignored. */
		if (key >= 0x20 && key < 0x7f && e->length < LINE_MAX) {
			e->line[e->length++] = (char)key;
			e->line[e->length] = '\0';
			show(e, &e->line[e->length - 1], 1);
		}
		break;
	}
	return LINE_EDITING;
}

void line_editor_take(struct line_editor *e, char *out, size_t size)
{
	const char *newest = line_editor_history(e, 1);

	if (size) {
		size_t n = e->length < size - 1 ? e->length : size - 1;

		memcpy(out, e->line, n);
		out[n] = '\0';
	}
	if (e->length && !(newest && strcmp(newest, e->line) == 0)) {
		e->newest = (e->newest + 1) % HISTORY_LINES;
		memcpy(e->history[e->newest], e->line, e->length + 1);
		if (e->history_count < HISTORY_LINES)
			e->history_count++;
	}
	start_new_line(e);
}
