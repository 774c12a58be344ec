/* SPDX-License-Identifier: MIT */
/*
 * firmware_map.h: the physical memory map, sanitized from what the firmware reported.
 * (Not to be confused with the memmap, the struct page array of mm/vmemmap.c.)
 *
 * A map is an array of [base, end) ranges with a type, in storage the
 * caller provides.  The firmware's entries go in with firmware_map_add() or
 * firmware_map_add_bootinfo(); firmware_map_sanitize() then turns them into
 * a map with these invariants, which firmware_map_check() verifies:
 *
 *  - sorted by base, no two ranges overlapping, none empty;
 *  - touching ranges of the same type merged into one;
 *  - usable RAM and the ranges carved out of it page aligned;
 *  - the kernel image, the boot info, the modules and the first MiB appear
 *    under their own MEM_* carve types, never as usable.
 *
 * Nothing here allocates or keeps hidden state: every function works on
 * the map it is given.
 */
#ifndef FERRITE_FIRMWARE_MAP_H
#define FERRITE_FIRMWARE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct boot_info;

#define FIRMWARE_MAP_PAGE_SIZE 4096ull

/*
 * Range types.  The firmware types keep the e820 numbering, so that where
 * firmware ranges overlap the numerically higher type wins (usable, 1,
 * always loses); any other firmware value becomes MEM_RESERVED.
 */
enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIM = 3,	/* ACPI tables; free once they are read */
	MEM_ACPI_NVS = 4,	/* firmware's, never free */
	MEM_UNUSABLE = 5,	/* bad RAM */
	MEM_PERSISTENT = 7,
	/*
	 * Usable RAM the kernel carves out for itself.  These are given to
	 * firmware_map_sanitize() only, never to firmware_map_add().  Where
	 * carve ranges overlap each other the higher value wins.
	 */
	MEM_LOW = 16,		/* the first MiB (BIOS data, trampolines) */
	MEM_KERNEL = 17,	/* kernel image */
	MEM_BOOTINFO = 18,	/* multiboot2 info block */
	MEM_MODULE = 19,	/* boot modules */
};

struct mem_range {
	uint64_t base;
	uint64_t end;		/* exclusive */
	uint32_t type;		/* enum mem_type */
};

struct firmware_map {
	struct mem_range *ranges;	/* caller's storage */
	size_t count;
	size_t capacity;
};

enum firmware_map_error_code {
	FIRMWARE_MAP_OK = 0,
	FIRMWARE_MAP_ERR_FULL,
	FIRMWARE_MAP_ERR_SCRATCH,
	FIRMWARE_MAP_ERR_INVERTED,
	FIRMWARE_MAP_ERR_CARVE_TYPE,
	FIRMWARE_MAP_ERR_BAD_MAP,
	FIRMWARE_MAP_ERR_COUNT	/* number of codes, not an error */
};

struct firmware_map_error {
	int code;		/* enum firmware_map_error_code */
	const char *message;	/* fixed, human-readable */
};

/* Change point: where a range starts or ends (sanitizer work space). */
struct firmware_map_change {
	uint64_t addr;
	uint32_t type;
	uint32_t is_end;
};

/* Scratch entries firmware_map_sanitize() needs for a map of @capacity and @ncarve carves. */
#define FIRMWARE_MAP_SCRATCH_ENTRIES(capacity, ncarve) (2 * ((capacity) + (ncarve)))

/*
 * firmware_map_init - make @m an empty map over @storage of @capacity ranges.
 * Context: any.
 */
void firmware_map_init(struct firmware_map *m, struct mem_range *storage, size_t capacity);

/*
 * firmware_map_add - append a firmware range [@base, @base + @len) of @type.
 *
 * Nothing is sorted or merged yet (firmware_map_sanitize() does that).  A zero
 * @len is dropped; a range running past 2^64 is clamped to end at
 * 2^64 - 1 (the last byte cannot be named by an exclusive end).  A @type
 * that is not a firmware type is recorded as MEM_RESERVED.
 *
 * Return: 0, or FIRMWARE_MAP_ERR_FULL (nothing written) when the map is full.
 * Context: any.
 */
int firmware_map_add(struct firmware_map *m, uint64_t base, uint64_t len, uint32_t type);

/*
 * firmware_map_add_bootinfo - append the firmware ranges a boot loader reported.
 *
 * Adds every entry of the multiboot2 type-6 map and, when present, every
 * descriptor of the EFI map, converted as Linux's do_add_efi_memmap() does:
 * loader code/data, boot services code/data and conventional memory are
 * usable if the firmware marks them write-back (EFI_MEMORY_WB), else
 * reserved; ACPI reclaim, ACPI NVS, unusable and persistent keep their
 * meaning; everything else (runtime services, MMIO, PAL code, reserved,
 * unaccepted, unknown) is reserved.  While boot services were not exited
 * (multiboot2 tag 18) their code and data are reserved too.
 *
 * Return: 0, or FIRMWARE_MAP_ERR_FULL; the map then holds the entries that fit.
 * Context: any.
 */
int firmware_map_add_bootinfo(struct firmware_map *m, const struct boot_info *bi);

/*
 * firmware_map_sanitize - turn the firmware's ranges in @m into a clean map.
 * @m:           the map; rewritten in place
 * @scratch:     work space of @scratch_cap change points, at least
 *               FIRMWARE_MAP_SCRATCH_ENTRIES(m->capacity, @ncarve) always suffices
 * @carve:       ranges the kernel takes for itself, with a MEM_LOW..MEM_MODULE
 *               type; they are widened to whole pages and take effect only
 *               where the firmware said usable (a hole or a reserved range
 *               is never turned into anything else)
 * @mem_limit:   0, or drop usable RAM at and above this physical address
 *               (Linux mem=); rounded down to a page
 * @err:         on error, what went wrong; may be NULL
 *
 * Steps: overlaps resolved with the e820 rule (higher type wins), touching
 * ranges of one type merged, usable ranges shrunk inward to whole pages
 * (what is left of a partial page becomes a hole), the limit applied, then
 * the carves applied.  The method is described in firmware_map.c.
 *
 * Return: 0, or a FIRMWARE_MAP_ERR_* code; on error the map is emptied (count 0)
 * so that nothing can use a half-sanitized map.
 * Context: any; O(n log n) in the number of ranges.
 */
int firmware_map_sanitize(struct firmware_map *m, struct firmware_map_change *scratch,
			  size_t scratch_cap, const struct mem_range *carve, size_t ncarve,
			  uint64_t mem_limit, struct firmware_map_error *err);

/*
 * firmware_map_check - verify the invariants listed at the top of this file.
 * Return: NULL if they all hold, else a fixed string naming the first broken one.
 * Context: any.
 */
const char *firmware_map_check(const struct firmware_map *m);

/*
 * firmware_map_usable_bytes - bytes of MEM_USABLE RAM in @m (carved RAM not counted).
 * Context: any.
 */
uint64_t firmware_map_usable_bytes(const struct firmware_map *m);

/*
 * firmware_map_top_of_ram - end of the highest RAM range: usable or carved out of
 * usable.  Reserved and ACPI ranges never count (SeaBIOS reports a reserved
 * range at 0xFD00000000, far above the RAM of a small guest).
 * Return: the exclusive end address, or 0 if there is no RAM.
 * Context: any.
 */
uint64_t firmware_map_top_of_ram(const struct firmware_map *m);

/*
 * mem_type_name - the name Linux prints for a type ("usable", "ACPI NVS", ...).
 * Return: a fixed string; "unknown" for a value that is no enum mem_type.
 * Context: any.
 */
const char *mem_type_name(uint32_t type);

/*
 * mem_type_is_carve - true for MEM_LOW, MEM_KERNEL, MEM_BOOTINFO, MEM_MODULE.
 * Context: any.
 */
bool mem_type_is_carve(uint32_t type);

/*
 * mem_type_is_ram - true for RAM the kernel maps in its direct map: usable
 * and carved ranges, and the ACPI ranges (RAM holding firmware tables).
 * Reserved, unusable and persistent ranges and holes are not RAM.
 * Context: any.
 */
bool mem_type_is_ram(uint32_t type);

/*
 * firmware_map_error_message - the fixed string for a FIRMWARE_MAP_* code.
 * Return: a string for every code; "unknown error" for codes out of range.
 * Context: any.
 */
const char *firmware_map_error_message(int code);

#endif /* FERRITE_FIRMWARE_MAP_H */
