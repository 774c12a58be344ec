/* SPDX-License-Identifier: MIT */
/*
 * The framebuffer console's drawing core (kernel/fbcon.c), usable on any
 * pixel buffer: the real framebuffer, or a small buffer in a test.
 *
 * A surface is a rectangle of pixels, each bytes_per_pixel bytes (3 or 4)
 * stored little-endian, rows pitch bytes apart (pitch may exceed
 * width * bytes_per_pixel).  Colours are "pixel values": the red, green
 * and blue intensities already shifted into the surface's fields, as
 * fb_compose_pixel() makes them; drawing functions store them unchanged.
 *
 * A text screen (struct fb_text) lays a grid of 8x16 character cells over
 * a surface and keeps a copy of the characters shown, so that scrolling
 * never has to read pixels back from the framebuffer.
 */
#ifndef FERRITE_FBCON_H
#define FERRITE_FBCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fb_surface {
	uint8_t *pixels;		/* the top-left pixel */
	uint32_t pitch;			/* bytes from one pixel row to the next */
	uint32_t width, height;		/* in pixels */
	uint8_t bytes_per_pixel;	/* 3 or 4 */
	/* bit position and width of each colour field in a pixel value */
	uint8_t red_position, red_size;
	uint8_t green_position, green_size;
	uint8_t blue_position, blue_size;
};

struct fb_text {
	struct fb_surface surface;
	uint8_t *cells;			/* columns * rows bytes, row-major: what the screen shows */
	uint32_t columns, rows;
	/* The cursor; column == columns means the line is full and the next
	 * printable character starts a new one (so a line of exactly
	 * @columns characters and its '\n' do not leave an empty line). */
	uint32_t column, row;
	uint32_t foreground, background;	/* pixel values */
};

/*
 * fb_compose_pixel - the pixel value of colour (@red, @green, @blue) on @surface.
 * Each 8-bit intensity is scaled to its field's width (narrower: the top
 * bits; wider: the bits repeated, so 0xff stays full intensity) and shifted
 * to its position.  Example: red at bit 16, green at 8, blue at 0, all
 * 8 bits wide ("BGRX" in memory): (0x12, 0x34, 0x56) -> 0x00123456.
 * Return: the pixel value.  Context: any.
 */
uint32_t fb_compose_pixel(const struct fb_surface *surface, uint8_t red, uint8_t green, uint8_t blue);

/*
 * fb_put_pixel / fb_get_pixel - store or read the pixel value at (@x, @y).
 * Coordinates outside the surface are ignored (fb_get_pixel returns 0).
 * fb_get_pixel reads the buffer: slow on a real framebuffer, meant for tests.
 * Context: any.
 */
void fb_put_pixel(const struct fb_surface *surface, uint32_t x, uint32_t y, uint32_t pixel);
uint32_t fb_get_pixel(const struct fb_surface *surface, uint32_t x, uint32_t y);

/*
 * fb_fill_rect - paint @width x @height pixels from (@x, @y) with @pixel,
 * clipped to the surface.  Context: any.
 */
void fb_fill_rect(const struct fb_surface *surface, uint32_t x, uint32_t y,
		  uint32_t width, uint32_t height, uint32_t pixel);

/*
 * fb_draw_glyph - draw the font's glyph for @character with its top-left
 * corner at pixel (@x, @y): foreground where the glyph has ink, background
 * elsewhere, every pixel of the 8x16 box written, clipped to the surface.
 * Bytes outside the box (including the padding at the end of each row)
 * are never touched.  Context: any.
 */
void fb_draw_glyph(const struct fb_surface *surface, uint32_t x, uint32_t y,
		   unsigned char character, uint32_t foreground, uint32_t background);

/*
 * fb_text_init - lay a text screen over @surface, clear it to the
 * background and put the cursor at the top left.  The grid is as many
 * whole cells as fit, at most @max_columns x @max_rows; @cells must hold
 * @max_columns * @max_rows bytes and stays in use.  Colours: light grey
 * on black.
 * Return: false (and @text unusable) if the surface's bytes per pixel is
 * not 3 or 4 or not even one cell fits.  Context: any.
 */
bool fb_text_init(struct fb_text *text, const struct fb_surface *surface, uint8_t *cells,
		  uint32_t max_columns, uint32_t max_rows);

/*
 * fb_text_write - show @length bytes at the cursor.  '\n' starts a new
 * line, '\r' returns to its start, '\t' advances to the next multiple of
 * 8 columns, '\b' moves one column left (without erasing); long lines
 * wrap and the screen scrolls up a line when the bottom is passed.  Other
 * control bytes are ignored; each UTF-8 sequence (or stray byte >= 0x80)
 * shows as one placeholder box.  A cursor left outside the grid (by a
 * caller that broke the rule below) is first brought back to its edge,
 * and no cell is ever written outside @text's grid or surface.
 * Context: any; the caller serializes writers (printk holds its lock).
 */
void fb_text_write(struct fb_text *text, const char *bytes, size_t length);

/* Return: the framebuffer console's text screen, or NULL before fbcon_init() succeeded. */
const struct fb_text *fbcon_text(void);

#endif
