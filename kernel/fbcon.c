// SPDX-License-Identifier: MIT
/*
 * Framebuffer console: text drawn with the embedded 8x16 font on the
 * linear framebuffer the boot loader set up (always there under UEFI).
 *
 * Design note: scrolling.  A framebuffer is uncached (MTRR) or at best
 * write-combining memory: writes stream out quickly, but every read is a
 * separate bus transaction, so moving pixel rows up with memmove (read
 * the whole screen back, write it again) takes seconds per line on some
 * real machines.  The console therefore keeps the characters it shows in
 * a shadow grid (struct fb_text.cells) and scrolls by shifting that grid
 * and redrawing only the cells whose character changed: the framebuffer
 * is only ever written, and blank areas (most of a console) cost nothing.
 */
#include <bootinfo.h>
#include <console.h>
#include <fbcon.h>
#include <font.h>
#include <kernel.h>
#include <kstring.h>
#include <screen.h>

#include <asm/paging.h>

/* Largest grid kept: 2560x1920 pixels of 8x16 cells; a bigger screen uses its top-left part. */
#define FBCON_MAX_COLUMNS 320
#define FBCON_MAX_ROWS 120
#define TAB_WIDTH 8

/* A single store or load of a 32-bit pixel at any byte address (odd pitches). */
typedef uint32_t unaligned_u32 __attribute__((aligned(1), may_alias));

static uint32_t scale_channel(uint8_t value, uint8_t size)
{
	uint64_t repeated = 0;
	unsigned bits = 0;

	if (size == 0)
		return 0;
	/* Repeat the 8 bits until the field is covered, keep its top @size bits. */
	while (bits < size) {
		repeated = (repeated << 8) | value;
		bits += 8;
	}
	return (uint32_t)(repeated >> (bits - size));
}

static uint32_t place_channel(uint8_t value, uint8_t position, uint8_t size)
{
	if (size == 0 || position >= 32)
		return 0;
	return (uint32_t)((uint64_t)scale_channel(value, size) << position);
}

uint32_t fb_compose_pixel(const struct fb_surface *surface, uint8_t red, uint8_t green, uint8_t blue)
{
	return place_channel(red, surface->red_position, surface->red_size) |
	       place_channel(green, surface->green_position, surface->green_size) |
	       place_channel(blue, surface->blue_position, surface->blue_size);
}

static inline uint8_t *pixel_address(const struct fb_surface *surface, uint32_t x, uint32_t y)
{
	return surface->pixels + (size_t)y * surface->pitch + (size_t)x * surface->bytes_per_pixel;
}

static inline void store_pixel(uint8_t *at, uint8_t bytes_per_pixel, uint32_t pixel)
{
	if (bytes_per_pixel == 4) {
		*(unaligned_u32 *)at = pixel;
	} else {
		at[0] = (uint8_t)pixel;
		at[1] = (uint8_t)(pixel >> 8);
		at[2] = (uint8_t)(pixel >> 16);
	}
}

void fb_put_pixel(const struct fb_surface *surface, uint32_t x, uint32_t y, uint32_t pixel)
{
	if (x < surface->width && y < surface->height)
		store_pixel(pixel_address(surface, x, y), surface->bytes_per_pixel, pixel);
}

uint32_t fb_get_pixel(const struct fb_surface *surface, uint32_t x, uint32_t y)
{
	const uint8_t *at;

	if (x >= surface->width || y >= surface->height)
		return 0;
	at = pixel_address(surface, x, y);
	if (surface->bytes_per_pixel == 4)
		return *(const unaligned_u32 *)at;
	return at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16;
}

void fb_fill_rect(const struct fb_surface *surface, uint32_t x, uint32_t y,
		  uint32_t width, uint32_t height, uint32_t pixel)
{
	if (x >= surface->width || y >= surface->height)
		return;
	width = MIN(width, surface->width - x);
	height = MIN(height, surface->height - y);
	for (uint32_t row = 0; row < height; row++) {
		uint8_t *at = pixel_address(surface, x, y + row);

		for (uint32_t column = 0; column < width; column++, at += surface->bytes_per_pixel)
			store_pixel(at, surface->bytes_per_pixel, pixel);
	}
}

void fb_draw_glyph(const struct fb_surface *surface, uint32_t x, uint32_t y,
		   unsigned char character, uint32_t foreground, uint32_t background)
{
	const uint8_t *glyph = font_glyph(character);
	uint32_t width, height;

	if (x >= surface->width || y >= surface->height)
		return;
	width = MIN((uint32_t)FONT_WIDTH, surface->width - x);
	height = MIN((uint32_t)FONT_HEIGHT, surface->height - y);
	for (uint32_t row = 0; row < height; row++) {
		uint8_t *at = pixel_address(surface, x, y + row);
		uint8_t ink = glyph[row];

		for (uint32_t column = 0; column < width; column++, at += surface->bytes_per_pixel)
			store_pixel(at, surface->bytes_per_pixel,
				    ink & (0x80u >> column) ? foreground : background);
	}
}

static void draw_cell(const struct fb_text *text, uint32_t column, uint32_t row)
{
	fb_draw_glyph(&text->surface, column * FONT_WIDTH, row * FONT_HEIGHT,
		      text->cells[row * text->columns + column], text->foreground, text->background);
}

/* A cell outside the grid (a cursor some caller broke) is not written: never past cells[]. */
static void put_cell(struct fb_text *text, uint32_t column, uint32_t row, uint8_t character)
{
	uint8_t *cell;

	if (column >= text->columns || row >= text->rows)
		return;
	cell = &text->cells[row * text->columns + column];
	if (*cell == character)
		return;
	*cell = character;
	draw_cell(text, column, row);
}

/* Shift the grid up a row, redrawing only the cells that change (see the note on top). */
static void scroll_up(struct fb_text *text)
{
	for (uint32_t row = 0; row < text->rows; row++)
		for (uint32_t column = 0; column < text->columns; column++)
			put_cell(text, column, row,
				 row + 1 < text->rows ? text->cells[(row + 1) * text->columns + column] : ' ');
}

static void new_line(struct fb_text *text)
{
	text->column = 0;
	if (text->row + 1 < text->rows) {
		text->row++;
	} else {
		text->row = text->rows - 1;
		scroll_up(text);
	}
}

/* Bring a cursor outside the grid back to its edge (column == columns is "line full"). */
static void clamp_cursor(struct fb_text *text)
{
	if (text->row >= text->rows)
		text->row = text->rows - 1;
	if (text->column > text->columns)
		text->column = text->columns;
}

static void put_character(struct fb_text *text, uint8_t character)
{
	if (text->column >= text->columns)
		new_line(text);
	put_cell(text, text->column, text->row, character);
	text->column++;
}

bool fb_text_init(struct fb_text *text, const struct fb_surface *surface, uint8_t *cells,
		  uint32_t max_columns, uint32_t max_rows)
{
	if (surface->bytes_per_pixel != 3 && surface->bytes_per_pixel != 4)
		return false;
	text->surface = *surface;
	text->cells = cells;
	text->columns = MIN(surface->width / FONT_WIDTH, max_columns);
	text->rows = MIN(surface->height / FONT_HEIGHT, max_rows);
	if (text->columns == 0 || text->rows == 0)
		return false;
	text->column = text->row = 0;
	text->foreground = fb_compose_pixel(surface, 0xaa, 0xaa, 0xaa);
	text->background = fb_compose_pixel(surface, 0x00, 0x00, 0x00);
	memset(cells, ' ', (size_t)text->columns * text->rows);
	fb_fill_rect(surface, 0, 0, surface->width, surface->height, text->background);
	return true;
}

void fb_text_write(struct fb_text *text, const char *bytes, size_t length)
{
	clamp_cursor(text);
	for (size_t i = 0; i < length; i++) {
		uint8_t byte = (uint8_t)bytes[i];

		switch (byte) {
		case '\n':
			new_line(text);
			break;
		case '\r':
			text->column = 0;
			break;
		case '\t':
			if (text->column >= text->columns)
				new_line(text);
			do
				put_character(text, ' ');
			while (text->column % TAB_WIDTH && text->column < text->columns);
			break;
		case '\b':
			if (text->column > 0)
				text->column = MIN(text->column, text->columns) - 1;
			break;
		default:
			/* UTF-8 continuation bytes belong to the box their lead byte drew. */
			if (byte >= 0x20 && byte != 0x7f && (byte < 0x80 || byte >= 0xc0))
				put_character(text, byte);
			break;
		}
	}
}

static struct fb_text fbcon;
static uint8_t fbcon_cells[FBCON_MAX_COLUMNS * FBCON_MAX_ROWS];
static bool fbcon_ready;

static void fbcon_write(struct console *console, const char *bytes, size_t length)
{
	(void)console;
	fb_text_write(&fbcon, bytes, length);
}

static struct console fbcon_console = {
	.name = "fb0",
	.write = fbcon_write,
};

const struct fb_text *fbcon_text(void)
{
	return fbcon_ready ? &fbcon : NULL;
}

static bool color_field_usable(uint8_t position, uint8_t size, uint8_t bpp)
{
	return size > 0 && (unsigned)position + size <= bpp;
}

bool fbcon_init(const struct boot_framebuffer *fb)
{
	struct fb_surface surface;
	uint64_t size;
	void *pixels;

	if (fbcon_ready)
		return true;
	if (!fb->present || fb->type != MULTIBOOT2_FRAMEBUFFER_TYPE_RGB)
		return false;
	if (fb->bpp != 24 && fb->bpp != 32)
		return false;
	if (!color_field_usable(fb->red_position, fb->red_size, fb->bpp) ||
	    !color_field_usable(fb->green_position, fb->green_size, fb->bpp) ||
	    !color_field_usable(fb->blue_position, fb->blue_size, fb->bpp))
		return false;
	if ((uint64_t)fb->pitch < (uint64_t)fb->width * (fb->bpp / 8))
		return false;
	size = (uint64_t)fb->pitch * fb->height;
	if (fb->addr == 0)
		return false;
	/* Write-combining: uncached (the firmware's MTRR setting) text drawing crawls. */
	pixels = ioremap(fb->addr, size, PAGE_KERNEL_WC);
	if (!pixels)
		return false;

	surface = (struct fb_surface){
		.pixels = pixels,
		.pitch = fb->pitch,
		.width = fb->width,
		.height = fb->height,
		.bytes_per_pixel = fb->bpp / 8,
		.red_position = fb->red_position,
		.red_size = fb->red_size,
		.green_position = fb->green_position,
		.green_size = fb->green_size,
		.blue_position = fb->blue_position,
		.blue_size = fb->blue_size,
	};
	if (!fb_text_init(&fbcon, &surface, fbcon_cells, FBCON_MAX_COLUMNS, FBCON_MAX_ROWS))
		return false;
	fbcon_ready = true;
	console_register(&fbcon_console);
	return true;
}
