/* SPDX-License-Identifier: MIT */
/*
 * multiboot2.h: the multiboot2 boot information block (MBI), as GRUB hands it over.
 *
 * On entry EAX holds MULTIBOOT2_BOOTLOADER_MAGIC and EBX the physical address
 * of the MBI.  The MBI is a fixed part followed by tags; every field is
 * little-endian and every tag starts on an 8-byte boundary:
 *
 *   offset  size  fixed part
 *        0     4  total_size   bytes of the whole block, fixed part and end tag included
 *        4     4  reserved     ignored
 *        8     -  first tag
 *
 *   offset  size  every tag
 *        0     4  type         MULTIBOOT2_TAG_* below
 *        4     4  size         bytes of this tag, header included, padding excluded;
 *                              the next tag starts at the next multiple of 8
 *
 * The list ends with a tag of type 0 and size 8.  Unknown tag types must be
 * skipped.  Layouts of the tags the kernel reads (offsets from the tag start):
 *
 *   1 cmdline, 2 boot loader name:   8 string, NUL-terminated inside size
 *   3 module:                        8 u32 mod_start, 12 u32 mod_end (exclusive),
 *                                   16 string (the module's command line)
 *   4 basic meminfo:                 8 u32 mem_lower (KiB below 1 MiB),
 *                                   12 u32 mem_upper (KiB above 1 MiB)
 *   6 memory map:                    8 u32 entry_size (a multiple of 8, >= 24),
 *                                   12 u32 entry_version (0), 16 entries, each
 *                                      0 u64 base, 8 u64 length, 16 u32 type, 20 u32 reserved
 *   8 framebuffer:                   8 u64 addr, 16 u32 pitch (bytes per line),
 *                                   20 u32 width, 24 u32 height, 28 u8 bpp,
 *                                   29 u8 type, 30 u16 reserved, 32 colour info:
 *                                      type 0 (indexed): 32 u16 colour count,
 *                                         34 palette of {u8 red, green, blue}
 *                                      type 1 (RGB): 32 u8 red position, 33 red size,
 *                                         34 green position, 35 green size,
 *                                         36 blue position, 37 blue size
 *                                      type 2 (EGA text): none; width and height
 *                                         count characters, bpp is 16
 *                                   The written specification shows a u8 reserved
 *                                   at 30; GRUB, the loader that actually fills
 *                                   the tag, writes a u16 and the colour info at 32.
 *  14 ACPI old RSDP:                 8 copy of the ACPI 1.0 RSDP (20 bytes)
 *  15 ACPI new RSDP:                 8 copy of the ACPI 2.0+ RSDP (its length field, 36)
 *  17 EFI memory map:                8 u32 descriptor_size, 12 u32 descriptor_version,
 *                                   16 the map as GetMemoryMap() returned it; step
 *                                      by descriptor_size (48 on OVMF and most PCs),
 *                                      never by sizeof (struct efi_memory_descriptor):
 *                                      0 u32 type, 4 u32 padding, 8 u64 physical_start,
 *                                     16 u64 virtual_start, 24 u64 number_of_pages
 *                                        (4 KiB each), 32 u64 attribute
 *  18 EFI boot services not terminated: header only
 *  21 image load base:               8 u32 physical load address of the image
 *
 * The structs below describe these layouts; the static asserts pin the offsets.
 * The parser (kernel/bootinfo.c) reads fields byte by byte, so none of these
 * structs is ever laid over the raw block.
 */
#ifndef FERRITE_MULTIBOOT2_H
#define FERRITE_MULTIBOOT2_H

#include <stddef.h>
#include <stdint.h>

/* Value in EAX when a multiboot2 loader jumps to the kernel. */
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u

/* Tags start on this boundary; tag sizes exclude the padding up to it. */
#define MULTIBOOT2_TAG_ALIGN 8u

#define MULTIBOOT2_TAG_END 0
#define MULTIBOOT2_TAG_CMDLINE 1
#define MULTIBOOT2_TAG_BOOT_LOADER_NAME 2
#define MULTIBOOT2_TAG_MODULE 3
#define MULTIBOOT2_TAG_BASIC_MEMINFO 4
#define MULTIBOOT2_TAG_BOOTDEV 5
#define MULTIBOOT2_TAG_MMAP 6
#define MULTIBOOT2_TAG_VBE 7
#define MULTIBOOT2_TAG_FRAMEBUFFER 8
#define MULTIBOOT2_TAG_ELF_SECTIONS 9
#define MULTIBOOT2_TAG_APM 10
#define MULTIBOOT2_TAG_EFI32 11
#define MULTIBOOT2_TAG_EFI64 12
#define MULTIBOOT2_TAG_SMBIOS 13
#define MULTIBOOT2_TAG_ACPI_OLD 14
#define MULTIBOOT2_TAG_ACPI_NEW 15
#define MULTIBOOT2_TAG_NETWORK 16
#define MULTIBOOT2_TAG_EFI_MMAP 17
#define MULTIBOOT2_TAG_EFI_BS 18
#define MULTIBOOT2_TAG_EFI32_IH 19
#define MULTIBOOT2_TAG_EFI64_IH 20
#define MULTIBOOT2_TAG_LOAD_BASE_ADDR 21

/* Memory map entry types (the e820 numbering). */
#define MULTIBOOT2_MEMORY_AVAILABLE 1
#define MULTIBOOT2_MEMORY_RESERVED 2
#define MULTIBOOT2_MEMORY_ACPI_RECLAIMABLE 3
#define MULTIBOOT2_MEMORY_NVS 4
#define MULTIBOOT2_MEMORY_BADRAM 5

#define MULTIBOOT2_FRAMEBUFFER_TYPE_INDEXED 0
#define MULTIBOOT2_FRAMEBUFFER_TYPE_RGB 1
#define MULTIBOOT2_FRAMEBUFFER_TYPE_EGA_TEXT 2

/* EFI memory types (UEFI spec, EFI_MEMORY_TYPE). */
#define EFI_RESERVED_TYPE 0
#define EFI_LOADER_CODE 1
#define EFI_LOADER_DATA 2
#define EFI_BOOT_SERVICES_CODE 3
#define EFI_BOOT_SERVICES_DATA 4
#define EFI_RUNTIME_SERVICES_CODE 5
#define EFI_RUNTIME_SERVICES_DATA 6
#define EFI_CONVENTIONAL_MEMORY 7
#define EFI_UNUSABLE_MEMORY 8
#define EFI_ACPI_RECLAIM_MEMORY 9
#define EFI_ACPI_MEMORY_NVS 10
#define EFI_MEMORY_MAPPED_IO 11
#define EFI_MEMORY_MAPPED_IO_PORT_SPACE 12
#define EFI_PAL_CODE 13
#define EFI_PERSISTENT_MEMORY 14
#define EFI_UNACCEPTED_MEMORY 15

/* EFI memory attribute: the range can be mapped write-back (ordinary RAM). */
#define EFI_MEMORY_WB 0x8ull

/* EFI pages are always 4 KiB, whatever the CPU's page size. */
#define EFI_PAGE_SHIFT 12

struct multiboot2_info_fixed {
	uint32_t total_size;
	uint32_t reserved;
};

struct multiboot2_tag {
	uint32_t type;
	uint32_t size;
};

struct multiboot2_tag_module {
	uint32_t type;
	uint32_t size;
	uint32_t mod_start;
	uint32_t mod_end;
	/* followed by the NUL-terminated command line */
};

struct multiboot2_tag_basic_meminfo {
	uint32_t type;
	uint32_t size;
	uint32_t mem_lower;
	uint32_t mem_upper;
};

struct multiboot2_tag_mmap {
	uint32_t type;
	uint32_t size;
	uint32_t entry_size;
	uint32_t entry_version;
	/* followed by entries, entry_size bytes apart */
};

struct multiboot2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

struct multiboot2_tag_framebuffer {
	uint32_t type;
	uint32_t size;
	uint64_t addr;
	uint32_t pitch;
	uint32_t width;
	uint32_t height;
	uint8_t bpp;
	uint8_t framebuffer_type;
	uint16_t reserved;
	/* followed by the colour info */
};

struct multiboot2_tag_efi_mmap {
	uint32_t type;
	uint32_t size;
	uint32_t descriptor_size;
	uint32_t descriptor_version;
	/* followed by descriptors, descriptor_size bytes apart */
};

struct efi_memory_descriptor {
	uint32_t type;
	uint32_t padding;
	uint64_t physical_start;
	uint64_t virtual_start;
	uint64_t number_of_pages;
	uint64_t attribute;
};

/* Sizes of the ACPI RSDP copies in tags 14 and 15. */
#define ACPI_RSDP_V1_SIZE 20u
#define ACPI_RSDP_V2_SIZE 36u

_Static_assert(sizeof(struct multiboot2_info_fixed) == 8, "MBI fixed part");
_Static_assert(sizeof(struct multiboot2_tag) == 8, "MBI tag header");
_Static_assert(sizeof(struct multiboot2_tag_module) == 16, "module tag");
_Static_assert(sizeof(struct multiboot2_tag_basic_meminfo) == 16, "meminfo tag");
_Static_assert(sizeof(struct multiboot2_tag_mmap) == 16, "mmap tag header");
_Static_assert(sizeof(struct multiboot2_mmap_entry) == 24, "mmap entry");
_Static_assert(offsetof(struct multiboot2_tag_framebuffer, bpp) == 28, "framebuffer bpp");
_Static_assert(sizeof(struct multiboot2_tag_framebuffer) == 32, "framebuffer tag");
_Static_assert(sizeof(struct multiboot2_tag_efi_mmap) == 16, "EFI mmap tag header");
_Static_assert(offsetof(struct efi_memory_descriptor, physical_start) == 8, "EFI descriptor");
_Static_assert(sizeof(struct efi_memory_descriptor) == 40, "EFI descriptor");

#endif /* FERRITE_MULTIBOOT2_H */
