/* SPDX-License-Identifier: MIT */
/*
 * keyboard: PC keyboard scancodes (set 1, which the i8042 controller
 * produces from the keyboard's set 2 when its translation is on, as every
 * BIOS leaves it) turned into the bytes a terminal would send: ASCII for
 * characters (US layout, Shift and Caps Lock), control characters for
 * Ctrl+letter, Enter, Backspace, Tab and Escape, and VT100 sequences for
 * the arrows (ESC [ A up, B down, C right, D left).  A key is sent when it
 * is pressed; releases only update Shift, Ctrl and Caps Lock.
 *
 * keyboard_translate() is pure (host-tested); the i8042 driver
 * (arch/x86_64/i8042.c) feeds it from IRQ 1.
 */
#ifndef FERRITE_KEYBOARD_H
#define FERRITE_KEYBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct keyboard_state {
	bool extended;          /* the last byte was the 0xE0 prefix */
	bool left_shift, right_shift, left_ctrl, right_ctrl, caps_lock;
};

#define KEYBOARD_MAX_BYTES 3    /* the longest output: an arrow's escape sequence */

/*
 * keyboard_translate - apply one scancode byte.
 * Return: the number of bytes written to @out (0..KEYBOARD_MAX_BYTES).
 */
size_t keyboard_translate(struct keyboard_state *state, uint8_t scancode, char *out);

/*
 * keyboard_input_init - find the i8042 controller and its keyboard, and
 * deliver each byte keyboard_translate() makes to @receive, from IRQ 1.
 * Context: boot CPU, interrupts set up (irq_init).  Return: false if there
 * is no controller (many new PCs have none) or the IRQ cannot be had.
 */
bool keyboard_input_init(void (*receive)(uint8_t byte));

/*
 * keyboard_input_stop - give IRQ 1 back (keyboard_input_init() takes it
 * again, without probing the controller twice).  Context: task context.
 */
void keyboard_input_stop(void);

#endif
