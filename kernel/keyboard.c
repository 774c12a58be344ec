// SPDX-License-Identifier: MIT
/* keyboard: scancode set 1 to terminal bytes (see keyboard.h). */
#include <keyboard.h>

#define SC_EXTENDED 0xe0
#define SC_RELEASE 0x80
#define SC_LEFT_SHIFT 0x2a
#define SC_RIGHT_SHIFT 0x36
#define SC_CTRL 0x1d            /* right Ctrl with the 0xE0 prefix */
#define SC_CAPS_LOCK 0x3a
#define SC_UP 0x48
#define SC_DOWN 0x50
#define SC_LEFT 0x4b
#define SC_RIGHT 0x4d
#define SC_KEYPAD_ENTER 0x1c    /* with 0xE0 */
#define SC_KEYPAD_SLASH 0x35    /* with 0xE0 */

/* Set 1 make codes 0x00-0x39, unshifted and shifted (0: no character). */
static const char plain[0x3a] = {
	0, 0x1b, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b', '\t',
	'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\r', 0, 'a', 's',
	'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0, '\\', 'z', 'x', 'c', 'v',
	'b', 'n', 'm', ',', '.', '/', 0, '*', 0, ' ',
};

static const char shifted[0x3a] = {
	0, 0x1b, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', '\b', '\t',
	'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r', 0, 'A', 'S',
	'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0, '|', 'Z', 'X', 'C', 'V',
	'B', 'N', 'M', '<', '>', '?', 0, '*', 0, ' ',
};

static size_t arrow(char final, char *out)
{
	out[0] = 0x1b;
	out[1] = '[';
	out[2] = final;
	return 3;
}

static size_t translate_extended(struct keyboard_state *s, uint8_t code, bool released, char *out)
{
	if (code == SC_CTRL) {
		s->right_ctrl = !released;
		return 0;
	}
	if (released)
		return 0;
	switch (code) {
	case SC_UP: return arrow('A', out);
	case SC_DOWN: return arrow('B', out);
	case SC_RIGHT: return arrow('C', out);
	case SC_LEFT: return arrow('D', out);
	case SC_KEYPAD_ENTER: out[0] = '\r'; return 1;
	case SC_KEYPAD_SLASH: out[0] = '/'; return 1;
	default: return 0;      /* fake shifts, Home, Insert...: nothing */
	}
}

size_t keyboard_translate(struct keyboard_state *s, uint8_t scancode, char *out)
{
	bool released = scancode & SC_RELEASE;
	uint8_t code = scancode & (uint8_t)~SC_RELEASE;
	bool shift, letter;
	char c;

	if (scancode == SC_EXTENDED) {
		s->extended = true;
		return 0;
	}
	if (s->extended) {
		s->extended = false;
		return translate_extended(s, code, released, out);
	}
	switch (code) {
	case SC_LEFT_SHIFT: s->left_shift = !released; return 0;
	case SC_RIGHT_SHIFT: s->right_shift = !released; return 0;
	case SC_CTRL: s->left_ctrl = !released; return 0;
	case SC_CAPS_LOCK:
		if (!released)
			s->caps_lock = !s->caps_lock;
		return 0;
	default:
		break;
	}
	if (released || code >= sizeof(plain) || !plain[code])
		return 0;
	letter = plain[code] >= 'a' && plain[code] <= 'z';
	shift = (s->left_shift || s->right_shift) != (letter && s->caps_lock);
	c = shift ? shifted[code] : plain[code];
	if ((s->left_ctrl || s->right_ctrl) && letter)
		c = (char)(plain[code] - 'a' + 1);      /* Ctrl-A = 0x01 ... Ctrl-Z = 0x1a */
	out[0] = c;
	return 1;
}
