// SPDX-License-Identifier: MIT
/*
 * The monitor's loop: input by interrupt, one line editor, commands.
 *
 * Input: the serial port's and the keyboard's interrupt handlers put the
 * bytes they receive into one input_ring each (lock-free, one producer
 * and one consumer).  The loop drains both rings through a key_decoder per
 * source into the one line editor, so the user may type on either; when
 * both rings are empty it sleeps with "sti; hlt" -- interrupts are enabled
 * by the instruction before hlt, so an interrupt that arrives after the
 * emptiness check still wakes it (the STI shadow).
 *
 * Output: echo goes to every console unlogged (console_print_raw);
 * command output is printk'ed without timestamps, so it reads like the
 * /proc files it mirrors and is kept in the log like everything else.
 */
#include <asm/cpu.h>
#include <irq.h>
#include <keyboard.h>
#include <monitor.h>
#include <printk.h>
#include <serial.h>

#include "commands.h"
#include "input_ring.h"
#include "line_editor.h"

#define PROMPT "ferrite> "

static struct input_ring serial_ring, keyboard_ring;
static bool serial_input, keyboard_input;     /* the devices the monitor holds */
static struct key_decoder serial_decoder, keyboard_decoder;
static struct line_editor editor;

static void serial_receive(uint8_t byte)
{
	input_ring_put(&serial_ring, byte);
}

static void keyboard_receive(uint8_t byte)
{
	input_ring_put(&keyboard_ring, byte);
}

static void echo(void *context, const char *text, size_t length)
{
	(void)context;
	console_print_raw(text, length);
}

void monitor_refuse(const char *command, const char *fmt, ...)
{
	char message[160];
	va_list args;

	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	pr_info("%s: %s\n", command, message);
}

bool monitor_number(const char *command, const char *what, const char *text, uint64_t min,
		    uint64_t max, uint64_t *value)
{
	uint64_t v;

	if (!parse_u64(text, &v)) {
		monitor_refuse(command, "'%s' is not a number (%s: decimal, or 0x hex; K/M/G suffix)",
			       text, what);
		return false;
	}
	if (v < min || v > max) {
		monitor_refuse(command, "%s %s is out of range (%llu..%llu)", what, text,
			       (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	*value = v;
	return true;
}

static void run_line(char *line)
{
	char *words[MAX_WORDS + 1];
	char message[128];
	const struct monitor_command *c;
	int count = split_words(line, words, MAX_WORDS), name_words;

	if (count == 0)
		return;
	if (count < 0) {
		monitor_refuse("monitor", "too many words (at most %d)", MAX_WORDS);
		return;
	}
	c = command_find(monitor_commands, monitor_command_count, words, count, &name_words);
	if (!c && command_group(monitor_commands, monitor_command_count, words[0], message,
				sizeof(message))) {
		monitor_refuse(words[0], "say which: %s %s (see 'help')", words[0], message);
		return;
	}
	if (!c) {
		monitor_refuse(words[0], "unknown command (type 'help' for the list)");
		return;
	}
	if (!command_check_arguments(c, count - name_words, message, sizeof(message))) {
		pr_info("%s\n", message);
		return;
	}
	c->run(count - name_words, words + name_words);
}

/* Feed what the rings hold to the editor. Return: true if a line is complete. */
static bool drain(struct input_ring *ring, struct key_decoder *decoder, char *line, size_t size)
{
	uint8_t byte;

	while (input_ring_get(ring, &byte)) {
		switch (line_editor_key(&editor, key_decode(decoder, byte))) {
		case LINE_DONE:
			line_editor_take(&editor, line, size);
			return true;
		case LINE_CANCELLED:
			console_print_raw(PROMPT, sizeof(PROMPT) - 1);
			break;
		case LINE_EDITING:
			break;
		}
	}
	return false;
}

/* Say once per line if typed bytes were lost to a full ring (a paste while a command ran). */
static void report_dropped(void)
{
	static uint64_t reported;
	uint64_t dropped = serial_ring.dropped + keyboard_ring.dropped;

	if (dropped != reported) {
		pr_warn("monitor: %llu typed bytes lost (input arrived faster than it was read)\n",
			(unsigned long long)(dropped - reported));
		reported = dropped;
	}
}

static void read_line(char *line, size_t size)
{
	report_dropped();
	console_print_raw(PROMPT, sizeof(PROMPT) - 1);
	for (;;) {
		if (drain(&serial_ring, &serial_decoder, line, size) ||
		    drain(&keyboard_ring, &keyboard_decoder, line, size))
			return;
		local_irq_disable();
		/* Each wake-up (at least every tick) also reads what a missed receive edge left. */
		if (serial_input)
			serial_input_poll();
		if (input_ring_empty(&serial_ring) && input_ring_empty(&keyboard_ring))
			__asm__ volatile("sti; hlt" ::: "memory");
		else
			local_irq_enable();
	}
}

void monitor_release_input(void)
{
	if (serial_input)
		serial_input_stop();
	if (keyboard_input)
		keyboard_input_stop();
}

void monitor_reclaim_input(void)
{
	if (serial_input && !serial_input_init(serial_receive))
		serial_input = false;
	if (keyboard_input && !keyboard_input_init(keyboard_receive))
		keyboard_input = false;
	if (!serial_input && !keyboard_input) {
		pr_err("monitor: the input devices could not be taken back; halting\n");
		cpu_halt_forever();
	}
}

void monitor_run(void)
{
	bool serial = serial_input_init(serial_receive);
	bool keyboard = keyboard_input_init(keyboard_receive);
	char line[LINE_MAX + 1];

	serial_input = serial;
	keyboard_input = keyboard;

	line_editor_init(&editor, echo, NULL);
	local_irq_enable();
	if (!serial && !keyboard) {
		pr_err("monitor: no input device (no serial port, no i8042 keyboard); halting\n");
		cpu_halt_forever();
	}
	pr_info("monitor: input from %s%s%s; type 'help' for the commands\n",
		serial ? "the serial port (COM1)" : "", serial && keyboard ? " and " : "",
		keyboard ? "the keyboard" : "");
	for (;;) {
		read_line(line, sizeof(line));
		printk_time = false;
		run_line(line);
		printk_time = true;
	}
}
