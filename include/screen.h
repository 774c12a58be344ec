/* SPDX-License-Identifier: MIT */
/*
 * On-screen consoles: the GRUB-provided linear framebuffer (UEFI, or BIOS
 * when a graphics mode was set) drawn with an embedded bitmap font, or the
 * VGA text buffer at 0xB8000 (BIOS).  Each registers itself as a console.
 */
#ifndef FERRITE_SCREEN_H
#define FERRITE_SCREEN_H

#include <stdbool.h>

struct boot_framebuffer;

/*
 * Register a console drawing on the framebuffer @fb describes (RGB, 24 or
 * 32 bits per pixel, any pitch).  Return: false if the format is not
 * supported or the framebuffer is not reachable.
 */
bool fbcon_init(const struct boot_framebuffer *fb);

/* Register the VGA text-mode console (80x25 at 0xB8000). Return: false if it cannot be mapped. */
bool vga_text_init(void);

#endif
