// SPDX-License-Identifier: MIT
/* test_keyboard.c: scancode set 1 to terminal bytes (host and kernel). */
#include <keyboard.h>
#include <kstring.h>
#include <ktest.h>

/* Feed @codes; Return: every byte produced, as a string in @out. */
static const char *feed(struct keyboard_state *s, const uint8_t *codes, size_t count, char *out)
{
	size_t used = 0;

	for (size_t i = 0; i < count; i++)
		used += keyboard_translate(s, codes[i], out + used);
	out[used] = '\0';
	return out;
}

static void test_keyboard_letters_and_shift(struct keyboard_state *s, struct ktest *t)
{
	/* h, i (press + release), Shift down, 1 -> '!', Shift up, 1 -> '1'. */
	static const uint8_t codes[] = { 0x23, 0xa3, 0x17, 0x97, 0x2a, 0x02, 0x82, 0xaa, 0x02, 0x82 };
	char out[32];

	KEXPECT_STREQ(t, feed(s, codes, sizeof(codes), out), "hi!1");
}

static void test_keyboard_basic(struct ktest *t)
{
	struct keyboard_state s = { 0 };

	test_keyboard_letters_and_shift(&s, t);
}

static void test_keyboard_caps_ctrl_enter(struct ktest *t)
{
	/* Caps Lock, a -> 'A', Shift+a -> 'a', Caps off; Ctrl+c, Ctrl+u; Enter; Backspace; space. */
	static const uint8_t codes[] = { 0x3a, 0xba, 0x1e, 0x9e, 0x2a, 0x1e, 0x9e, 0xaa, 0x3a, 0xba,
					 0x1d, 0x2e, 0xae, 0x16, 0x96, 0x9d, 0x1c, 0x9c, 0x0e, 0x39 };
	struct keyboard_state s = { 0 };
	char out[32];

	KEXPECT_STREQ(t, feed(&s, codes, sizeof(codes), out), "Aa\x03\x15\r\b ");
}

static void test_keyboard_extended(struct ktest *t)
{
	/* Up, Down (press+release), right Ctrl + c, keypad Enter, a fake shift, F1 (no byte). */
	static const uint8_t codes[] = { 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x50, 0xe0, 0xd0, 0xe0, 0x1d,
					 0x2e, 0xae, 0xe0, 0x9d, 0xe0, 0x1c, 0xe0, 0x2a, 0x3b, 0x2e };
	struct keyboard_state s = { 0 };
	char out[32];

	KEXPECT_STREQ(t, feed(&s, codes, sizeof(codes), out), "\x1b[A\x1b[B\x03\rc");
	KEXPECT_FALSE(t, s.left_shift || s.right_shift);   /* the fake shift changed nothing */
}

KTEST_SUITE(keyboard, KTEST_CASE(test_keyboard_basic), KTEST_CASE(test_keyboard_caps_ctrl_enter),
	    KTEST_CASE(test_keyboard_extended));
