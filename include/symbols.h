/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own symbol table, for turning code addresses into
 * "function+0x1c/0x80" in fault reports and backtraces.  The table is
 * generated from a first link of the kernel (scripts/gen-symbols.sh) and
 * linked into the final image.
 */
#ifndef FERRITE_SYMBOLS_H
#define FERRITE_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct symbol {
	const char *name;
	uint64_t address;
	uint64_t size;
};

/* Find the function containing @address. Return: false if none does. */
bool symbol_lookup(uint64_t address, struct symbol *out);

/*
 * Write "name+0xoff/0xsize" for @address into @buf (or "0x<address>" when
 * no symbol covers it). Return: @buf.
 */
const char *symbol_format(uint64_t address, char *buf, size_t size);

/* Return: the address of the function called @name, or 0. */
uint64_t symbol_address(const char *name);

/* Number of symbols in the table (0 means the table is missing). */
size_t symbol_count(void);

#endif
