/* SPDX-License-Identifier: MIT */
/*
 * bootinfo.h: the multiboot2 info block, checked and decoded into struct boot_info.
 *
 * bootinfo_parse() walks every tag of the block with bounds checks and
 * records where the interesting parts are; it copies nothing, so every
 * pointer in struct boot_info points into the block and stays valid only
 * as long as the block does.  The memory maps stay in their raw form:
 * read their entries with bootinfo_mmap_entry() and bootinfo_efi_descriptor(),
 * which cope with any entry size and alignment.
 *
 * Decisions on input the specification leaves open:
 *  - A map whose body is not a whole number of entries: the partial entry at
 *    the end is ignored (count = body / entry size), as Linux does for the
 *    EFI map (nr_map = map_size / desc_size).
 *  - A tag type that may appear once (everything but modules) appearing twice
 *    is an error: two memory maps cannot both be right.
 *  - Unknown tag types are skipped, as the specification requires; bytes
 *    after the end tag are ignored.
 *  - Tags are read at 8-byte aligned offsets only, because that is where
 *    the format puts them; a loader that forgot the padding produces a
 *    garbage tag at the next aligned offset, which is then reported.
 *  - The ACPI RSDP copies are only located (and their length checked);
 *    checksums and signatures are the ACPI code's business.
 */
#ifndef FERRITE_BOOTINFO_H
#define FERRITE_BOOTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "multiboot2.h"

#define BOOTINFO_MAX_MODULES 32

/* bootinfo_error.tag_type when the problem is in the fixed part. */
#define BOOTINFO_NO_TAG 0xffffffffu

enum bootinfo_error_code {
	BOOTINFO_OK = 0,
	BOOTINFO_ERR_NULL,
	BOOTINFO_ERR_INFO_MISALIGNED,
	BOOTINFO_ERR_AVAIL_TOO_SMALL,
	BOOTINFO_ERR_TOTAL_TOO_SMALL,
	BOOTINFO_ERR_TOTAL_TOO_LARGE,
	BOOTINFO_ERR_TAG_HEADER_PAST_END,
	BOOTINFO_ERR_TAG_SIZE_TOO_SMALL,
	BOOTINFO_ERR_TAG_PAST_END,
	BOOTINFO_ERR_NO_END_TAG,
	BOOTINFO_ERR_END_TAG_SIZE,
	BOOTINFO_ERR_DUPLICATE_TAG,
	BOOTINFO_ERR_TAG_TOO_SHORT,
	BOOTINFO_ERR_STRING_UNTERMINATED,
	BOOTINFO_ERR_MMAP_ENTRY_SIZE,
	BOOTINFO_ERR_MMAP_ENTRY_ALIGN,
	BOOTINFO_ERR_EFI_DESCRIPTOR_SIZE,
	BOOTINFO_ERR_MODULE_RANGE,
	BOOTINFO_ERR_TOO_MANY_MODULES,
	BOOTINFO_ERR_FB_TYPE,
	BOOTINFO_ERR_FB_BPP,
	BOOTINFO_ERR_FB_PITCH,
	BOOTINFO_ERR_FB_OVERFLOW,
	BOOTINFO_ERR_FB_COLOR_FIELD,
	BOOTINFO_ERR_COUNT	/* number of codes, not an error */
};

/* What was wrong with a block, and where. */
struct bootinfo_error {
	int code;		/* enum bootinfo_error_code */
	const char *message;	/* fixed, human-readable, never NULL after a call */
	size_t offset;		/* of the bad tag in the block (0: fixed part; for a tag
				 * header or end tag missing, where it should be);
				 * never past total_size nor the readable size */
	uint32_t tag_type;	/* type of the bad tag, or BOOTINFO_NO_TAG */
};

struct boot_module {
	uint32_t start;		/* physical */
	uint32_t end;		/* physical, exclusive */
	const char *cmdline;	/* NUL-terminated, inside the block */
};

/* A map kept in its raw form inside the block; entries == NULL when absent. */
struct boot_raw_map {
	const void *entries;	/* first entry */
	uint32_t entry_size;	/* distance between entries */
	uint32_t version;	/* entry_version / descriptor_version */
	size_t count;
};

struct boot_framebuffer {
	bool present;
	uint64_t addr;		/* physical */
	uint32_t pitch;		/* bytes per line */
	uint32_t width;		/* pixels, or characters for EGA text */
	uint32_t height;
	uint8_t bpp;
	uint8_t type;		/* MULTIBOOT2_FRAMEBUFFER_TYPE_* */
	/* type RGB: bit position and width of each colour in a pixel */
	uint8_t red_position, red_size;
	uint8_t green_position, green_size;
	uint8_t blue_position, blue_size;
	/* type indexed: palette_colors entries of {red, green, blue} bytes */
	uint16_t palette_colors;
	const uint8_t *palette;
};

struct boot_info {
	uint64_t info_phys;		/* physical address of the block */
	uint32_t info_size;		/* total_size */
	const char *cmdline;		/* or NULL */
	const char *loader_name;	/* or NULL */

	bool meminfo_present;
	uint32_t mem_lower_kib, mem_upper_kib;

	struct boot_raw_map mmap;	/* type 6, entries of struct multiboot2_mmap_entry */
	struct boot_raw_map efi_mmap;	/* type 17, struct efi_memory_descriptor */
	bool efi_boot_services_active;	/* type 18: boot services were not exited */

	struct boot_framebuffer framebuffer;

	const void *rsdp_v1;		/* copy of the ACPI 1.0 RSDP, or NULL */
	size_t rsdp_v1_length;
	const void *rsdp_v2;		/* copy of the ACPI 2.0+ RSDP, or NULL */
	size_t rsdp_v2_length;

	bool load_base_present;
	uint32_t load_base;

	size_t module_count;
	struct boot_module modules[BOOTINFO_MAX_MODULES];
};

/*
 * bootinfo_parse - check a multiboot2 info block and decode it.
 * @info:      the block (its first byte, total_size); must be 8-byte aligned
 * @avail:     bytes the caller can safely read at @info
 * @info_phys: physical address of the block, recorded in @out
 * @out:       result; cleared first, and cleared again on error
 * @err:       on error, what and where; may be NULL
 *
 * Never reads outside [@info, @info + min(@avail, total_size)), whatever the
 * block holds.
 *
 * Return: 0 (BOOTINFO_OK), or a BOOTINFO_ERR_* code, also stored in @err.
 * Context: any; pure function of its arguments.
 */
int bootinfo_parse(const void *info, size_t avail, uint64_t info_phys,
		   struct boot_info *out, struct bootinfo_error *err);

/*
 * bootinfo_error_message - the fixed string for a BOOTINFO_* code.
 * Return: a string for every code; "unknown error" for codes out of range.
 * Context: any.
 */
const char *bootinfo_error_message(int code);

/*
 * bootinfo_mmap_entry - copy entry @index of the type-6 memory map to @out.
 * Return: true, or false (and @out untouched) if @index >= bi->mmap.count.
 * Context: any.
 */
bool bootinfo_mmap_entry(const struct boot_info *bi, size_t index,
			 struct multiboot2_mmap_entry *out);

/*
 * bootinfo_efi_descriptor - copy descriptor @index of the EFI memory map to @out.
 * Steps by the map's descriptor size and copies the 40 bytes every version has.
 * Return: true, or false (and @out untouched) if @index >= bi->efi_mmap.count.
 * Context: any.
 */
bool bootinfo_efi_descriptor(const struct boot_info *bi, size_t index,
			     struct efi_memory_descriptor *out);

#endif /* FERRITE_BOOTINFO_H */
