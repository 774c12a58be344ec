/* SPDX-License-Identifier: MIT */
/*
 * What the boot loader told us, once checked: the parsed multiboot2
 * information, the command line and the sanitized physical memory map.
 * Set up once by boot_setup(); read-only afterwards.
 */
#ifndef FERRITE_BOOT_H
#define FERRITE_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include <bootinfo.h>
#include <cmdline.h>
#include <firmware_map.h>

/*
 * Check the multiboot2 handoff and parse the information block at
 * @info_phys, bring up the screen console, apply the command line and
 * build the sanitized memory map, printing each step.  A malformed block
 * or an impossible memory map stops the boot with a message naming the
 * problem.  Context: boot CPU, once, interrupts off.
 */
void boot_setup(uint32_t magic, uint64_t info_phys);

/*
 * Start the screen console if its framebuffer lies above 4 GiB, which
 * only the kernel's own page tables map.  Context: once, after mm_init().
 */
void boot_start_deferred_console(void);

/* Return: the value of command-line parameter @key, or NULL. */
const char *boot_cmdline_get(const char *key);

const struct boot_info *boot_get_info(void);
const struct cmdline *boot_get_cmdline(void);

/* The sanitized map: sorted, non-overlapping, usable ranges page-aligned. */
const struct firmware_map *boot_get_firmware_map(void);

/* The ranges boot_setup() carved out of usable RAM (first MiB, kernel, info, modules). */
const struct mem_range *boot_get_carves(size_t *count);

/* Was the kernel started by UEFI firmware (as opposed to a BIOS)? */
bool boot_is_uefi(void);

#endif
