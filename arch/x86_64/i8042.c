// SPDX-License-Identifier: MIT
/*
 * i8042: the PC keyboard controller, for keyboard input by interrupt
 * (IRQ 1).  Many new PCs have no i8042 (reads of its status port return
 * 0xFF): it is used only after it answered a configuration read.  The
 * controller is left translating the keyboard's scancode set 2 into set 1,
 * which keyboard_translate() reads.  Every wait on the controller is
 * bounded.
 */
#include <stdint.h>

#include <asm/cpu.h>
#include <asm/io.h>
#include <irq.h>
#include <keyboard.h>
#include <printk.h>

#define I8042_DATA 0x60
#define I8042_STATUS 0x64       /* read */
#define I8042_COMMAND 0x64      /* write */

#define STATUS_OUTPUT_FULL 0x01 /* a byte waits in I8042_DATA */
#define STATUS_INPUT_FULL 0x02  /* the controller has not taken the last write */
#define STATUS_AUX_DATA 0x20    /* the waiting byte is from the mouse port */

#define CMD_READ_CONFIG 0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_DISABLE_AUX 0xa7
#define CMD_DISABLE_KEYBOARD 0xad
#define CMD_ENABLE_KEYBOARD 0xae

#define CONFIG_KEYBOARD_IRQ 0x01
#define CONFIG_AUX_IRQ 0x02
#define CONFIG_KEYBOARD_CLOCK_OFF 0x10
#define CONFIG_TRANSLATE 0x40

#define WAIT_LIMIT 100000
#define FLUSH_LIMIT 32

static void (*deliver)(uint8_t byte);
static struct keyboard_state keyboard_state;
static bool controller_ready;   /* probed and configured once */

static bool wait_input_empty(void)
{
	for (int i = 0; i < WAIT_LIMIT; i++) {
		if (!(inb(I8042_STATUS) & STATUS_INPUT_FULL))
			return true;
		cpu_relax();
	}
	return false;
}

static bool wait_output_full(void)
{
	for (int i = 0; i < WAIT_LIMIT; i++) {
		if (inb(I8042_STATUS) & STATUS_OUTPUT_FULL)
			return true;
		cpu_relax();
	}
	return false;
}

static bool send_command(uint8_t command)
{
	if (!wait_input_empty())
		return false;
	outb(I8042_COMMAND, command);
	return true;
}

static void flush_output(void)
{
	for (int i = 0; i < FLUSH_LIMIT && (inb(I8042_STATUS) & STATUS_OUTPUT_FULL); i++)
		(void)inb(I8042_DATA);
}

static irqreturn_t keyboard_interrupt(int irq, void *dev)
{
	bool any = false;

	for (int i = 0; i < FLUSH_LIMIT; i++) {
		uint8_t status = inb(I8042_STATUS);
		char bytes[KEYBOARD_MAX_BYTES];
		size_t count;
		uint8_t code;

		if (!(status & STATUS_OUTPUT_FULL))
			break;
		code = inb(I8042_DATA);
		any = true;
		if (status & STATUS_AUX_DATA)
			continue;
		count = keyboard_translate(&keyboard_state, code, bytes);
		for (size_t b = 0; b < count; b++)
			deliver((uint8_t)bytes[b]);
	}
	return any ? IRQ_HANDLED : IRQ_NONE;
}

/* Find the controller and set it up: keyboard IRQ on, translation on, mouse port off. */
static bool controller_setup(void)
{
	uint8_t config;

	if (inb(I8042_STATUS) == 0xff) {
		pr_info("i8042: no controller (status port reads 0xff); no keyboard input\n");
		return false;
	}
	if (!send_command(CMD_DISABLE_KEYBOARD) || !send_command(CMD_DISABLE_AUX))
		goto no_answer;
	flush_output();
	if (!send_command(CMD_READ_CONFIG) || !wait_output_full())
		goto no_answer;
	config = inb(I8042_DATA);
	config |= CONFIG_KEYBOARD_IRQ | CONFIG_TRANSLATE;
	config &= (uint8_t)~(CONFIG_KEYBOARD_CLOCK_OFF | CONFIG_AUX_IRQ);
	if (!send_command(CMD_WRITE_CONFIG) || !wait_input_empty())
		goto no_answer;
	outb(I8042_DATA, config);
	if (!send_command(CMD_ENABLE_KEYBOARD))
		goto no_answer;
	flush_output();
	pr_info("i8042: keyboard on IRQ 1, scancode set 1 (translated)\n");
	return true;

no_answer:
	pr_warn("i8042: the controller does not answer; no keyboard input\n");
	return false;
}

bool keyboard_input_init(void (*receive)(uint8_t byte))
{
	int error;

	if (!controller_ready && !controller_setup())
		return false;
	controller_ready = true;
	keyboard_state = (struct keyboard_state){ 0 };
	deliver = receive;
	error = request_irq(1, keyboard_interrupt, 0, "i8042", &keyboard_state);
	if (error) {
		pr_warn("i8042: IRQ 1 unavailable (%d); no keyboard input\n", error);
		deliver = NULL;
		return false;
	}
	flush_output();
	return true;
}

void keyboard_input_stop(void)
{
	if (!deliver)
		return;
	free_irq(1, &keyboard_state);
	deliver = NULL;
}
