// SPDX-License-Identifier: MIT
/*
 * test_monitor_line.c: the monitor's input ring, key decoder and line
 * editor (host and kernel): what the user sees echoed, the line Enter
 * delivers, history, and the escape sequences split at every byte.
 */
#include <kstring.h>
#include <ktest.h>

#include "../../kernel/monitor/input_ring.h"
#include "../../kernel/monitor/line_editor.h"

struct screen {
	char text[2048];
	size_t length;
};

static void capture(void *context, const char *text, size_t length)
{
	struct screen *s = context;

	for (size_t i = 0; i < length && s->length < sizeof(s->text) - 1; i++)
		s->text[s->length++] = text[i];
	s->text[s->length] = '\0';
}

/* Type @bytes through a decoder; Return: the status of the last key. */
static enum line_status type(struct line_editor *e, struct key_decoder *d, const char *bytes)
{
	enum line_status status = LINE_EDITING;

	for (const char *p = bytes; *p; p++) {
		int key = key_decode(d, (uint8_t)*p);

		if (key != KEY_NONE)
			status = line_editor_key(e, key);
	}
	return status;
}

static void test_line_typed_and_taken(struct ktest *t)
{
	struct line_editor e;
	struct key_decoder d = { 0 };
	struct screen s = { .length = 0 };
	char line[LINE_MAX + 1];

	line_editor_init(&e, capture, &s);
	KEXPECT_EQ(t, type(&e, &d, "kmalloc 100"), LINE_EDITING);
	KEXPECT_EQ(t, type(&e, &d, "\r"), LINE_DONE);
	line_editor_take(&e, line, sizeof(line));
	KEXPECT_STREQ(t, line, "kmalloc 100");
	KEXPECT_STREQ(t, s.text, "kmalloc 100\n");
	/* "\r\n" is one Enter: the '\n' must not deliver an empty second line. */
	KEXPECT_EQ(t, type(&e, &d, "\n"), LINE_EDITING);
	KEXPECT_EQ(t, type(&e, &d, "x\n"), LINE_DONE);
}

static void test_line_backspace_and_ctrl_u(struct ktest *t)
{
	struct line_editor e;
	struct key_decoder d = { 0 };
	struct screen s = { .length = 0 };
	char line[LINE_MAX + 1];

	line_editor_init(&e, capture, &s);
	type(&e, &d, "abc\x7f\x08" "d");      /* DEL and BS both erase */
	KEXPECT_STREQ(t, s.text, "abc\b \b\b \bd");
	type(&e, &d, "\x15");                  /* Ctrl-U: erase the shown "ad" */
	KEXPECT_STREQ(t, s.text, "abc\b \b\b \bd\b \b\b \b");
	type(&e, &d, "\x7f" "ok\r");           /* backspace on an empty line: nothing */
	line_editor_take(&e, line, sizeof(line));
	KEXPECT_STREQ(t, line, "ok");
}

static void test_line_ctrl_c_abandons(struct ktest *t)
{
	struct line_editor e;
	struct key_decoder d = { 0 };
	struct screen s = { .length = 0 };
	char line[LINE_MAX + 1];

	line_editor_init(&e, capture, &s);
	KEXPECT_EQ(t, type(&e, &d, "kfree 0x10\x03"), LINE_CANCELLED);
	KEXPECT_EQ(t, type(&e, &d, "held\r"), LINE_DONE);
	line_editor_take(&e, line, sizeof(line));
	KEXPECT_STREQ(t, line, "held");
	KEXPECT_NULL(t, line_editor_history(&e, 2));   /* the abandoned line is not history */
}

static void test_line_history_arrows(struct ktest *t)
{
	struct line_editor e;
	struct key_decoder d = { 0 };
	struct screen s = { .length = 0 };
	char line[LINE_MAX + 1];

	line_editor_init(&e, capture, &s);
	type(&e, &d, "first\r");
	line_editor_take(&e, line, sizeof(line));
	type(&e, &d, "second\r");
	line_editor_take(&e, line, sizeof(line));
	type(&e, &d, "second\r");              /* a repeat is stored once */
	line_editor_take(&e, line, sizeof(line));
	KEXPECT_STREQ(t, line_editor_history(&e, 1), "second");
	KEXPECT_STREQ(t, line_editor_history(&e, 2), "first");
	KEXPECT_NULL(t, line_editor_history(&e, 3));

	type(&e, &d, "dr");                    /* a draft, kept while browsing */
	type(&e, &d, "\x1b[A\x1b[A\x1b[A");    /* up three times: stops at the oldest */
	s.length = 0;
	type(&e, &d, "\x1b[B");                /* down: "first" replaced by "second" */
	KEXPECT_STREQ(t, s.text, "\b \b\b \b\b \b\b \b\b \bsecond");
	type(&e, &d, "\x1bOB");                /* down (application mode): the draft again */
	KEXPECT_EQ(t, type(&e, &d, "aft\r"), LINE_DONE);
	line_editor_take(&e, line, sizeof(line));
	KEXPECT_STREQ(t, line, "draft");
}

static void test_line_history_wraps(struct ktest *t)
{
	struct line_editor e;
	struct key_decoder d = { 0 };
	struct screen s = { .length = 0 };
	char line[LINE_MAX + 1], word[8];

	line_editor_init(&e, capture, &s);
	for (int i = 0; i < HISTORY_LINES + 3; i++) {
		word[0] = 'a' + (char)i;
		word[1] = '\r';
		word[2] = '\0';
		type(&e, &d, word);
		line_editor_take(&e, line, sizeof(line));
	}
	KEXPECT_EQ(t, e.history_count, HISTORY_LINES);
	KEXPECT_EQ(t, line_editor_history(&e, 1)[0], 'a' + HISTORY_LINES + 2);
	KEXPECT_EQ(t, line_editor_history(&e, HISTORY_LINES)[0], 'a' + 3);
}

static void test_line_full_and_control_ignored(struct ktest *t)
{
	struct line_editor e;
	struct key_decoder d = { 0 };
	struct screen s = { .length = 0 };
	char line[LINE_MAX + 1];

	line_editor_init(&e, capture, &s);
	for (int i = 0; i < LINE_MAX + 20; i++)
		line_editor_key(&e, 'x');
	KEXPECT_EQ(t, e.length, LINE_MAX);
	line_editor_key(&e, 0x07);             /* BEL: ignored */
	line_editor_key(&e, KEY_LEFT);
	type(&e, &d, "\x1b[3~");               /* Delete: a sequence with a parameter, ignored */
	KEXPECT_EQ(t, e.length, LINE_MAX);
	line_editor_key(&e, KEY_ENTER);
	line_editor_take(&e, line, 8);         /* a short buffer gets a NUL-terminated prefix */
	KEXPECT_STREQ(t, line, "xxxxxxx");
}

static void test_input_ring_fills_and_drains(struct ktest *t)
{
	static struct input_ring ring;
	uint8_t byte = 0;

	memset(&ring, 0, sizeof(ring));
	KEXPECT_TRUE(t, input_ring_empty(&ring));
	KEXPECT_FALSE(t, input_ring_get(&ring, &byte));
	for (unsigned i = 0; i < INPUT_RING_SIZE; i++)
		KEXPECT_TRUE(t, input_ring_put(&ring, (uint8_t)i));
	KEXPECT_FALSE(t, input_ring_put(&ring, 0xee));  /* full: dropped and counted */
	KEXPECT_EQ(t, ring.dropped, 1);
	for (unsigned i = 0; i < INPUT_RING_SIZE; i++) {
		KEXPECT_TRUE(t, input_ring_get(&ring, &byte));
		KEXPECT_EQ(t, byte, (uint8_t)i);
	}
	KEXPECT_TRUE(t, input_ring_empty(&ring));
	/* The indices keep counting past the size: wrap-around stays in order. */
	KEXPECT_TRUE(t, input_ring_put(&ring, 42));
	KEXPECT_TRUE(t, input_ring_get(&ring, &byte));
	KEXPECT_EQ(t, byte, 42);
}

KTEST_SUITE(monitor_line, KTEST_CASE(test_line_typed_and_taken), KTEST_CASE(test_line_backspace_and_ctrl_u),
	    KTEST_CASE(test_line_ctrl_c_abandons), KTEST_CASE(test_line_history_arrows),
	    KTEST_CASE(test_line_history_wraps), KTEST_CASE(test_line_full_and_control_ignored),
	    KTEST_CASE(test_input_ring_fills_and_drains));
