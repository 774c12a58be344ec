// SPDX-License-Identifier: MIT
/*
 * The framebuffer console: the embedded font, pixel composition, glyph
 * drawing and the text screen (wrapping, control characters, scrolling)
 * on small off-screen surfaces, then the real framebuffer console and the
 * PAT's write-combining mapping of it when the boot has them.
 */
#include <asm/cpu.h>
#include <asm/memlayout.h>
#include <asm/pat.h>
#include <boot.h>
#include <console.h>
#include <fbcon.h>
#include <font.h>
#include <kernel.h>
#include <kstring.h>
#include <ktest.h>

#define CANARY 0xee
/* Room for the largest test surface (12x3 cells, 32 bpp, padded pitch) and a margin after it. */
#define BUFFER_SIZE (24 * 1024)
#define MARGIN 64

static uint8_t buffer[BUFFER_SIZE];
static uint8_t reference_buffer[BUFFER_SIZE];

/* A surface of @width x @height pixels, @padding bytes past each row, filled with CANARY. */
static struct fb_surface make_surface(uint8_t *pixels, uint32_t width, uint32_t height,
				      uint8_t bytes_per_pixel, uint32_t padding)
{
	struct fb_surface surface = {
		.pixels = pixels,
		.pitch = width * bytes_per_pixel + padding,
		.width = width,
		.height = height,
		.bytes_per_pixel = bytes_per_pixel,
		.red_position = 16, .red_size = 8,
		.green_position = 8, .green_size = 8,
		.blue_position = 0, .blue_size = 8,
	};

	memset(pixels, CANARY, BUFFER_SIZE);
	return surface;
}

static unsigned ink_count(const uint8_t *glyph)
{
	unsigned count = 0;

	for (unsigned row = 0; row < FONT_HEIGHT; row++)
		for (uint8_t bits = glyph[row]; bits; bits &= bits - 1)
			count++;
	return count;
}

static void test_font_covers_printable_ascii(struct ktest *t)
{
	KEXPECT_GT(t, ink_count(font8x16_placeholder), 0);
	for (unsigned c = FONT_FIRST_CHAR; c <= FONT_LAST_CHAR; c++) {
		const uint8_t *glyph = font_glyph((unsigned char)c);

		KEXPECT_PTR_NE(t, glyph, font8x16_placeholder);
		KEXPECT_NE(t, memcmp(glyph, font8x16_placeholder, FONT_HEIGHT), 0);
		if (c == ' ')
			KEXPECT_EQ(t, ink_count(glyph), 0);
		else
			KEXPECT_GT(t, ink_count(glyph), 0);
	}
	KEXPECT_PTR_EQ(t, font_glyph(0x00), font8x16_placeholder);
	KEXPECT_PTR_EQ(t, font_glyph(0x1f), font8x16_placeholder);
	KEXPECT_PTR_EQ(t, font_glyph(0x7f), font8x16_placeholder);
	KEXPECT_PTR_EQ(t, font_glyph(0x80), font8x16_placeholder);
	KEXPECT_PTR_EQ(t, font_glyph(0xff), font8x16_placeholder);
}

static void test_glyphs_are_distinct(struct ktest *t)
{
	unsigned identical_pairs = 0;

	/* Every character but space is told apart from every other ('l', '1' and 'I' too). */
	for (unsigned a = FONT_FIRST_CHAR + 1; a <= FONT_LAST_CHAR; a++)
		for (unsigned b = a + 1; b <= FONT_LAST_CHAR; b++)
			identical_pairs += memcmp(font_glyph((unsigned char)a), font_glyph((unsigned char)b),
						  FONT_HEIGHT) == 0;
	KEXPECT_EQ(t, identical_pairs, 0);
}

static void test_compose_pixel_honours_fields(struct ktest *t)
{
	struct fb_surface bgrx = { .bytes_per_pixel = 4, .red_position = 16, .red_size = 8,
				   .green_position = 8, .green_size = 8, .blue_position = 0, .blue_size = 8 };
	struct fb_surface rgbx = { .bytes_per_pixel = 4, .red_position = 0, .red_size = 8,
				   .green_position = 8, .green_size = 8, .blue_position = 16, .blue_size = 8 };
	struct fb_surface ten_bit = { .bytes_per_pixel = 4, .red_position = 20, .red_size = 10,
				      .green_position = 10, .green_size = 10, .blue_position = 0, .blue_size = 10 };
	struct fb_surface rgb565 = { .bytes_per_pixel = 4, .red_position = 11, .red_size = 5,
				     .green_position = 5, .green_size = 6, .blue_position = 0, .blue_size = 5 };

	KEXPECT_UEQ(t, fb_compose_pixel(&bgrx, 0x12, 0x34, 0x56), 0x00123456);
	KEXPECT_UEQ(t, fb_compose_pixel(&rgbx, 0x12, 0x34, 0x56), 0x00563412);
	KEXPECT_UEQ(t, fb_compose_pixel(&ten_bit, 0xff, 0x00, 0x80), (0x3ffu << 20) | 0x202u);
	KEXPECT_UEQ(t, fb_compose_pixel(&rgb565, 0xff, 0xff, 0xff), 0xffff);
	KEXPECT_UEQ(t, fb_compose_pixel(&rgb565, 0x80, 0x40, 0x08), 0x8201);
	KEXPECT_UEQ(t, fb_compose_pixel(&bgrx, 0, 0, 0), 0);
}

/*
 * Check every byte of @surface's buffer (and MARGIN bytes after it): the
 * glyph box at (@x, @y), clipped, holds @foreground/@background as the
 * font says; everything else still holds CANARY.
 */
static void check_glyph_pixels(struct ktest *t, const struct fb_surface *surface, uint32_t x,
			       uint32_t y, unsigned char character, uint32_t foreground,
			       uint32_t background)
{
	const uint8_t *glyph = font_glyph(character);
	size_t total = (size_t)surface->pitch * surface->height + MARGIN;
	uint32_t mask = surface->bytes_per_pixel == 4 ? 0xffffffffu : 0xffffffu;
	unsigned wrong_pixels = 0, touched_bytes = 0, drawn = 0;

	for (size_t offset = 0; offset < total; offset++) {
		uint32_t row = offset / surface->pitch, column_byte = offset % surface->pitch;
		uint32_t column = column_byte / surface->bytes_per_pixel;
		bool in_box = row < surface->height && column_byte < surface->width * surface->bytes_per_pixel &&
			      column >= x && column < x + FONT_WIDTH && row >= y && row < y + FONT_HEIGHT;

		if (!in_box) {
			touched_bytes += buffer[offset] != CANARY;
			continue;
		}
		if (column_byte % surface->bytes_per_pixel)
			continue;
		drawn++;
		if (fb_get_pixel(surface, column, row) !=
		    (((glyph[row - y] & (0x80u >> (column - x))) ? foreground : background) & mask))
			wrong_pixels++;
	}
	KEXPECT_EQ(t, wrong_pixels, 0);
	KEXPECT_EQ(t, touched_bytes, 0);
	KEXPECT_EQ(t, drawn, MIN(FONT_WIDTH, surface->width - x) * MIN(FONT_HEIGHT, surface->height - y));
}

static void test_draw_glyph_32bpp_odd_pitch(struct ktest *t)
{
	struct fb_surface surface = make_surface(buffer, 13, 19, 4, 3);

	fb_draw_glyph(&surface, 3, 2, 'A', 0x11223344, 0x55667788);
	check_glyph_pixels(t, &surface, 3, 2, 'A', 0x11223344, 0x55667788);
	/* 'A' has its crossbar (0x7e) in glyph row 7: ink at x+1, none at x+0. */
	KEXPECT_UEQ(t, font_glyph('A')[7], 0x7e);
	KEXPECT_UEQ(t, fb_get_pixel(&surface, 3 + 1, 2 + 7), 0x11223344);
	KEXPECT_UEQ(t, fb_get_pixel(&surface, 3 + 0, 2 + 7), 0x55667788);
	/* Stored little-endian at an odd address. */
	KEXPECT_UEQ(t, buffer[(2 + 7) * surface.pitch + (3 + 1) * 4], 0x44);
	KEXPECT_UEQ(t, buffer[(2 + 7) * surface.pitch + (3 + 1) * 4 + 3], 0x11);
}

static void test_draw_glyph_24bpp_odd_pitch(struct ktest *t)
{
	struct fb_surface surface = make_surface(buffer, 13, 19, 3, 1);

	fb_draw_glyph(&surface, 4, 1, '@', 0xaabbcc, 0x112233);
	check_glyph_pixels(t, &surface, 4, 1, '@', 0xaabbcc, 0x112233);
	/* Three bytes per pixel, blue first; the next pixel's byte is left alone. */
	fb_fill_rect(&surface, 0, 0, 1, 1, 0xaabbcc);
	KEXPECT_UEQ(t, buffer[0], 0xcc);
	KEXPECT_UEQ(t, buffer[1], 0xbb);
	KEXPECT_UEQ(t, buffer[2], 0xaa);
	KEXPECT_UEQ(t, buffer[3], CANARY);
}

static void test_draw_glyph_clipped(struct ktest *t)
{
	struct fb_surface surface = make_surface(buffer, 13, 19, 4, 5);

	fb_draw_glyph(&surface, 10, 14, '#', 0x00ffffff, 0x00000001);
	check_glyph_pixels(t, &surface, 10, 14, '#', 0x00ffffff, 0x00000001);
	surface = make_surface(buffer, 13, 19, 3, 2);
	fb_draw_glyph(&surface, 12, 18, 'W', 0x00ffffff, 0x00000001);
	check_glyph_pixels(t, &surface, 12, 18, 'W', 0x00ffffff, 0x00000001);
	/* Wholly outside: nothing written. */
	surface = make_surface(buffer, 13, 19, 4, 0);
	fb_draw_glyph(&surface, 13, 0, 'X', 1, 2);
	fb_draw_glyph(&surface, 0, 19, 'X', 1, 2);
	for (size_t i = 0; i < (size_t)surface.pitch * surface.height + MARGIN; i++)
		if (buffer[i] != CANARY)
			KASSERT_UEQ(t, buffer[i], CANARY);
}

/* Expect row @row of @text's grid to read @expected (space-padded). */
static void expect_row(struct ktest *t, const struct fb_text *text, uint32_t row, const char *expected)
{
	char shown[64];
	uint32_t length = MIN(text->columns, (uint32_t)sizeof(shown) - 1);

	memcpy(shown, &text->cells[row * text->columns], length);
	shown[length] = '\0';
	KEXPECT_STREQ(t, shown, expected);
}

/*
 * The pixels of @text must be exactly what drawing its grid afresh onto a
 * cleared surface gives: the shadow grid and the screen agree.
 */
static void expect_pixels_match_cells(struct ktest *t, const struct fb_text *text)
{
	struct fb_surface reference = text->surface;
	unsigned mismatches = 0;

	reference.pixels = reference_buffer;
	memset(reference_buffer, CANARY, BUFFER_SIZE);
	fb_fill_rect(&reference, 0, 0, reference.width, reference.height, text->background);
	for (uint32_t row = 0; row < text->rows; row++)
		for (uint32_t column = 0; column < text->columns; column++)
			fb_draw_glyph(&reference, column * FONT_WIDTH, row * FONT_HEIGHT,
				      text->cells[row * text->columns + column], text->foreground,
				      text->background);
	for (uint32_t y = 0; y < reference.height; y++)
		for (uint32_t x = 0; x < reference.width; x++)
			mismatches += fb_get_pixel(&reference, x, y) != fb_get_pixel(&text->surface, x, y);
	KEXPECT_EQ(t, mismatches, 0);
}

static struct fb_text text;
static uint8_t cells[16 * 4];

static void test_text_init_clears_and_sizes(struct ktest *t)
{
	struct fb_surface surface = make_surface(buffer, 4 * FONT_WIDTH + 5, 3 * FONT_HEIGHT + 7, 4, 4);

	KASSERT_TRUE(t, fb_text_init(&text, &surface, cells, 16, 4));
	KEXPECT_EQ(t, text.columns, 4);
	KEXPECT_EQ(t, text.rows, 3);
	KEXPECT_EQ(t, text.column, 0);
	KEXPECT_EQ(t, text.row, 0);
	KEXPECT_UEQ(t, text.foreground, 0x00aaaaaa);
	KEXPECT_UEQ(t, text.background, 0);
	/* The whole surface, border included, is background; the row padding is not touched. */
	KEXPECT_UEQ(t, fb_get_pixel(&surface, surface.width - 1, surface.height - 1), 0);
	KEXPECT_UEQ(t, buffer[surface.pitch - 1], CANARY);
	expect_row(t, &text, 2, "    ");
	/* The grid is capped by the cells the caller provides. */
	KASSERT_TRUE(t, fb_text_init(&text, &surface, cells, 2, 2));
	KEXPECT_EQ(t, text.columns, 2);
	KEXPECT_EQ(t, text.rows, 2);
	/* Unsupported formats and surfaces smaller than a cell are refused. */
	surface = make_surface(buffer, 4 * FONT_WIDTH, 3 * FONT_HEIGHT, 2, 0);
	KEXPECT_FALSE(t, fb_text_init(&text, &surface, cells, 16, 4));
	surface = make_surface(buffer, FONT_WIDTH - 1, 3 * FONT_HEIGHT, 4, 0);
	KEXPECT_FALSE(t, fb_text_init(&text, &surface, cells, 16, 4));
}

static void test_text_wraps_long_lines(struct ktest *t)
{
	struct fb_surface surface = make_surface(buffer, 4 * FONT_WIDTH, 3 * FONT_HEIGHT, 4, 4);

	KASSERT_TRUE(t, fb_text_init(&text, &surface, cells, 16, 4));
	fb_text_write(&text, "abcdefg", 7);
	expect_row(t, &text, 0, "abcd");
	expect_row(t, &text, 1, "efg ");
	KEXPECT_EQ(t, text.column, 3);
	KEXPECT_EQ(t, text.row, 1);
	/* A line of exactly four characters and its newline leave no empty line. */
	fb_text_write(&text, "h\ni", 3);
	expect_row(t, &text, 1, "efgh");
	expect_row(t, &text, 2, "i   ");
	KEXPECT_EQ(t, text.row, 2);
	KEXPECT_EQ(t, text.column, 1);
	expect_pixels_match_cells(t, &text);
}

static void test_text_control_characters(struct ktest *t)
{
	struct fb_surface surface = make_surface(buffer, 12 * FONT_WIDTH, 3 * FONT_HEIGHT, 4, 0);

	KASSERT_TRUE(t, fb_text_init(&text, &surface, cells, 16, 4));
	fb_text_write(&text, "ab\tc", 4);
	expect_row(t, &text, 0, "ab      c   ");
	fb_text_write(&text, "\rZ\bY", 4);
	expect_row(t, &text, 0, "Yb      c   ");
	KEXPECT_EQ(t, text.column, 1);
	/* BEL and DEL are ignored; a two-byte UTF-8 sequence is one box. */
	fb_text_write(&text, "\n\a\x7f" "\xc3\xa9" "x", 6);
	KEXPECT_EQ(t, text.row, 1);
	KEXPECT_EQ(t, text.column, 2);
	KEXPECT_PTR_EQ(t, font_glyph(text.cells[text.columns]), font8x16_placeholder);
	KEXPECT_EQ(t, text.cells[text.columns + 1], 'x');
	/* A tab near the end of a line stops at the last column; the next character wraps. */
	fb_text_write(&text, "\r123456789\tQ", 12);
	expect_row(t, &text, 1, "123456789   ");
	expect_row(t, &text, 2, "Q           ");
	/* Backspace at a full line steps back onto the last column. */
	fb_text_write(&text, "\r012345678901\bE", 15);
	expect_row(t, &text, 2, "01234567890E");
	expect_pixels_match_cells(t, &text);
}

static void test_text_scrolls_up(struct ktest *t)
{
	struct fb_surface surface = make_surface(buffer, 4 * FONT_WIDTH + 3, 3 * FONT_HEIGHT + 2, 4, 1);

	KASSERT_TRUE(t, fb_text_init(&text, &surface, cells, 16, 4));
	fb_text_write(&text, "ab\ncd\nef", 8);
	expect_pixels_match_cells(t, &text);
	fb_text_write(&text, "\ngh", 3);
	expect_row(t, &text, 0, "cd  ");
	expect_row(t, &text, 1, "ef  ");
	expect_row(t, &text, 2, "gh  ");
	KEXPECT_EQ(t, text.row, 2);
	KEXPECT_EQ(t, text.column, 2);
	/* The old top line's pixels are gone: the screen shows the shifted grid. */
	expect_pixels_match_cells(t, &text);
	/* The glyph of 'c' now sits in the top-left cell. */
	KEXPECT_UEQ(t, fb_get_pixel(&surface, 1, 7), (font_glyph('c')[7] & 0x40) ? text.foreground : 0);
	fb_text_write(&text, "\n\n\nwxyz1", 8);
	expect_row(t, &text, 0, "    ");
	expect_row(t, &text, 1, "wxyz");
	expect_row(t, &text, 2, "1   ");
	expect_pixels_match_cells(t, &text);
	/* The padding after each row and the bytes after the surface are never written. */
	for (uint32_t row = 0; row < surface.height; row++)
		KEXPECT_UEQ(t, buffer[row * surface.pitch + surface.pitch - 1], CANARY);
	KEXPECT_UEQ(t, buffer[surface.pitch * surface.height], CANARY);
}

/* Whatever a cursor an unserialized writer left, no write lands outside the grid or surface. */
static void test_text_cursor_outside_grid_is_clamped(struct ktest *t)
{
	struct fb_surface surface = make_surface(buffer, 4 * FONT_WIDTH, 3 * FONT_HEIGHT, 4, 2);
	size_t used, stray = 0;

	KASSERT_TRUE(t, fb_text_init(&text, &surface, cells, 16, 4));
	used = (size_t)text.columns * text.rows;
	KASSERT_EQ(t, used, 12);
	memset(cells + used, CANARY, sizeof(cells) - used);
	/* Two writers racing through new_line()/put_character() leave exactly this. */
	text.row = text.rows;
	text.column = text.columns + 1;
	fb_text_write(&text, "ab", 2);
	KEXPECT_ULT(t, text.row, text.rows);
	KEXPECT_ULE(t, text.column, text.columns);
	expect_row(t, &text, 2, "ab  ");
	text.row = 1000;
	text.column = 70000;
	fb_text_write(&text, "\tcd\bef\rg\nhijklmn", 16);
	KEXPECT_ULT(t, text.row, text.rows);
	KEXPECT_ULE(t, text.column, text.columns);
	expect_row(t, &text, 0, "gef ");
	expect_row(t, &text, 1, "hijk");
	expect_row(t, &text, 2, "lmn ");
	expect_pixels_match_cells(t, &text);
	for (size_t i = used; i < sizeof(cells); i++)
		stray += cells[i] != CANARY;
	KEXPECT_EQ(t, stray, 0);
	for (uint32_t row = 0; row < surface.height; row++)
		for (uint32_t pad = 1; pad <= 2; pad++)
			stray += buffer[row * surface.pitch + surface.pitch - pad] != CANARY;
	for (size_t i = 0; i < MARGIN; i++)
		stray += buffer[(size_t)surface.pitch * surface.height + i] != CANARY;
	KEXPECT_EQ(t, stray, 0);
}

static void test_text_24bpp_other_field_order(struct ktest *t)
{
	struct fb_surface surface = make_surface(buffer, 5 * FONT_WIDTH, 2 * FONT_HEIGHT, 3, 3);

	surface.red_position = 0;
	surface.blue_position = 16;
	surface.green_size = 6;
	surface.green_position = 10;
	KASSERT_TRUE(t, fb_text_init(&text, &surface, cells, 16, 4));
	KEXPECT_UEQ(t, text.foreground, 0xaa | (0x2a << 10) | (0xaaull << 16));
	fb_text_write(&text, "Hello\nworld\n!", 13);
	expect_row(t, &text, 0, "world");
	expect_row(t, &text, 1, "!    ");
	expect_pixels_match_cells(t, &text);
}

static void test_real_framebuffer_console(struct ktest *t)
{
	const struct fb_text *screen = fbcon_text();
	const struct boot_framebuffer *fb = &boot_get_info()->framebuffer;
	unsigned mismatches = 0;

	if (!screen) {
		ktest_skip(t, "no framebuffer");
		return;
	}
	KEXPECT_NOT_NULL(t, console_find("fb0"));
	KEXPECT_PTR_EQ(t, screen->surface.pixels, __va(fb->addr));
	KEXPECT_EQ(t, screen->surface.pitch, fb->pitch);
	KEXPECT_EQ(t, screen->surface.bytes_per_pixel * 8, fb->bpp);
	KEXPECT_EQ(t, screen->columns, MIN(fb->width / FONT_WIDTH, 320u));
	KEXPECT_EQ(t, screen->rows, MIN(fb->height / FONT_HEIGHT, 120u));
	KEXPECT_UEQ(t, screen->foreground, fb_compose_pixel(&screen->surface, 0xaa, 0xaa, 0xaa));
	KASSERT_LT(t, screen->row, screen->rows);
	/* The last lines printed are on the screen as the shadow grid says (reads a few rows only). */
	for (uint32_t row = screen->row >= 2 ? screen->row - 2 : 0; row <= screen->row; row++)
		for (uint32_t column = 0; column < screen->columns; column++) {
			const uint8_t *glyph = font_glyph(screen->cells[row * screen->columns + column]);

			for (uint32_t y = 0; y < FONT_HEIGHT; y++)
				for (uint32_t x = 0; x < FONT_WIDTH; x++) {
					uint32_t want = glyph[y] & (0x80u >> x) ? screen->foreground
										 : screen->background;
					uint32_t mask = screen->surface.bytes_per_pixel == 4 ? 0xffffffffu : 0xffffffu;

					mismatches += (fb_get_pixel(&screen->surface, column * FONT_WIDTH + x,
								    row * FONT_HEIGHT + y) & mask) != (want & mask);
				}
		}
	KEXPECT_EQ(t, mismatches, 0);
}

KTEST_SUITE(fbcon,
	    KTEST_CASE(test_font_covers_printable_ascii),
	    KTEST_CASE(test_glyphs_are_distinct),
	    KTEST_CASE(test_compose_pixel_honours_fields),
	    KTEST_CASE(test_draw_glyph_32bpp_odd_pitch),
	    KTEST_CASE(test_draw_glyph_24bpp_odd_pitch),
	    KTEST_CASE(test_draw_glyph_clipped),
	    KTEST_CASE(test_text_init_clears_and_sizes),
	    KTEST_CASE(test_text_wraps_long_lines),
	    KTEST_CASE(test_text_control_characters),
	    KTEST_CASE(test_text_scrolls_up),
	    KTEST_CASE(test_text_cursor_outside_grid_is_clamped),
	    KTEST_CASE(test_text_24bpp_other_field_order),
	    KTEST_CASE(test_real_framebuffer_console));

static int kernel_variable;

static void test_pat_walk_of_kernel_tables(struct ktest *t)
{
	/* RAM is mapped with no PWT/PCD/PAT bits: slot 0 (WB). */
	KEXPECT_EQ(t, pat_memory_type_index((uint64_t)&kernel_variable), 0);
	KEXPECT_EQ(t, pat_memory_type_index((uint64_t)__va(__pa(&kernel_variable))), 0);
	/* No user space: the lower half is unmapped. */
	KEXPECT_EQ(t, pat_memory_type_index(0x0000600000000000ull), -1);
}

static void test_pat_msr_layout(struct ktest *t)
{
	uint64_t pat;

	if (!pat_enabled()) {
		ktest_skip(t, (cpuid(1, 0).edx & (1u << 16)) ? "pat_init() was not called" : "no PAT");
		return;
	}
	pat = rdmsr(MSR_IA32_PAT);
	KEXPECT_UEQ(t, pat, PAT_FERRITE_VALUE);
	KEXPECT_UEQ(t, pat & 0xff, PAT_TYPE_WB);
	KEXPECT_UEQ(t, (pat >> 8) & 0xff, PAT_TYPE_WC);
	KEXPECT_UEQ(t, (pat >> 24) & 0xff, PAT_TYPE_UC);
	KEXPECT_UEQ(t, PAT_FERRITE_VALUE, 0x0407050600070106ull);
}

static void test_framebuffer_is_write_combining(struct ktest *t)
{
	const struct fb_text *screen = fbcon_text();
	const struct boot_framebuffer *fb = &boot_get_info()->framebuffer;
	uint64_t start, end, after, before;

	if (!screen || !pat_enabled()) {
		ktest_skip(t, !screen ? "no framebuffer" : "PAT not in use");
		return;
	}
	start = fb->addr;
	end = fb->addr + (uint64_t)fb->pitch * fb->height;
	KEXPECT_EQ(t, pat_memory_type_index((uint64_t)__va(start)), 1);
	KEXPECT_EQ(t, pat_memory_type_index((uint64_t)__va(start + (end - start) / 2)), 1);
	KEXPECT_EQ(t, pat_memory_type_index((uint64_t)__va(end - 1)), 1);
	/* Pages next to the framebuffer are not write-combining (mapped as RAM or not at all). */
	after = ALIGN_UP(end, PAGE_SIZE);
	KEXPECT_NE(t, pat_memory_type_index((uint64_t)__va(after)), 1);
	before = ALIGN_DOWN(start, PAGE_SIZE);
	if (before >= PAGE_SIZE)
		KEXPECT_NE(t, pat_memory_type_index((uint64_t)__va(before - PAGE_SIZE)), 1);
}

KTEST_SUITE(pat,
	    KTEST_CASE(test_pat_walk_of_kernel_tables),
	    KTEST_CASE(test_pat_msr_layout),
	    KTEST_CASE(test_framebuffer_is_write_combining));
