// SPDX-License-Identifier: MIT
/*
 * VGA text-mode console: 80x25 cells at physical 0xB8000, each a
 * character byte and an attribute byte (high nibble background, low
 * nibble foreground).  Only meaningful under BIOS; under UEFI nothing
 * is displayed there.
 */
#include <stdint.h>

#include <asm/io.h>
#include <asm/paging.h>
#include <console.h>
#include <kstring.h>
#include <screen.h>

#define VGA_TEXT_PHYS 0xb8000
#define COLUMNS 80
#define ROWS 25
#define ATTRIBUTE 0x07  /* light grey on black */
#define CRTC_INDEX 0x3d4
#define CRTC_DATA 0x3d5

static volatile uint16_t *cells;
static unsigned column, row;

static void move_hardware_cursor(void)
{
	uint16_t position = (uint16_t)(row * COLUMNS + column);

	outb(CRTC_INDEX, 0x0f);
	outb(CRTC_DATA, position & 0xff);
	outb(CRTC_INDEX, 0x0e);
	outb(CRTC_DATA, position >> 8);
}

static void scroll_one_line(void)
{
	for (unsigned i = 0; i < (ROWS - 1) * COLUMNS; i++)
		cells[i] = cells[i + COLUMNS];
	for (unsigned i = (ROWS - 1) * COLUMNS; i < ROWS * COLUMNS; i++)
		cells[i] = (ATTRIBUTE << 8) | ' ';
	row = ROWS - 1;
}

static void new_line(void)
{
	column = 0;
	if (++row == ROWS)
		scroll_one_line();
}

static void vga_text_write(struct console *console, const char *text, size_t length)
{
	(void)console;
	for (size_t i = 0; i < length; i++) {
		char c = text[i];

		if (c == '\n') {
			new_line();
		} else if (c == '\r') {
			column = 0;
		} else if (c == '\b') {
			if (column > 0)
				column--;
		} else if (c == '\t') {
			do
				cells[row * COLUMNS + column] = (ATTRIBUTE << 8) | ' ';
			while (++column % 8 && column < COLUMNS);
		} else if ((unsigned char)c >= 0x20) {
			cells[row * COLUMNS + column] = (uint16_t)((ATTRIBUTE << 8) | (uint8_t)c);
			column++;
		}
		if (column >= COLUMNS)
			new_line();
	}
	move_hardware_cursor();
}

static struct console vga_text_console = {
	.name = "vga",
	.write = vga_text_write,
};

bool vga_text_init(void)
{
	if (cells)
		return true;
	cells = ioremap(VGA_TEXT_PHYS, COLUMNS * ROWS * 2, PAGE_KERNEL_IO);
	if (!cells)
		return false;
	for (unsigned i = 0; i < ROWS * COLUMNS; i++)
		cells[i] = (ATTRIBUTE << 8) | ' ';
	column = row = 0;
	console_register(&vga_text_console);
	return true;
}
