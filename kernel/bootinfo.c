// SPDX-License-Identifier: MIT
/*
 * bootinfo.c: check and decode the multiboot2 info block (layout in multiboot2.h).
 *
 * Every read goes through the load_* helpers with an offset that has been
 * checked against the tag's end first, and the tag's end has been checked
 * against total_size, which has been checked against the readable size.
 * Fields are assembled byte by byte, so no read depends on alignment.
 * An error's offset always lies inside the block (at most total_size):
 * the bad tag's first byte, 0 for the fixed part, or where the next tag
 * header should have been.
 */
#include "bootinfo.h"

static const char *const bootinfo_messages[BOOTINFO_ERR_COUNT] = {
	[BOOTINFO_OK] = "no error",
	[BOOTINFO_ERR_NULL] = "info or result pointer is NULL",
	[BOOTINFO_ERR_INFO_MISALIGNED] = "info block not 8-byte aligned",
	[BOOTINFO_ERR_AVAIL_TOO_SMALL] = "readable block smaller than the fixed part",
	[BOOTINFO_ERR_TOTAL_TOO_SMALL] = "total_size smaller than 16",
	[BOOTINFO_ERR_TOTAL_TOO_LARGE] = "total_size larger than the readable block",
	[BOOTINFO_ERR_TAG_HEADER_PAST_END] = "tag header runs past the end of the info block",
	[BOOTINFO_ERR_TAG_SIZE_TOO_SMALL] = "tag size smaller than 8",
	[BOOTINFO_ERR_TAG_PAST_END] = "tag size runs past the end of the info block",
	[BOOTINFO_ERR_NO_END_TAG] = "missing end tag",
	[BOOTINFO_ERR_END_TAG_SIZE] = "end tag size not 8",
	[BOOTINFO_ERR_DUPLICATE_TAG] = "tag appears twice",
	[BOOTINFO_ERR_TAG_TOO_SHORT] = "tag too short for its fields",
	[BOOTINFO_ERR_STRING_UNTERMINATED] = "string not NUL-terminated",
	[BOOTINFO_ERR_MMAP_ENTRY_SIZE] = "mmap entry_size smaller than 24",
	[BOOTINFO_ERR_MMAP_ENTRY_ALIGN] = "mmap entry_size not a multiple of 8",
	[BOOTINFO_ERR_EFI_DESCRIPTOR_SIZE] = "EFI descriptor size smaller than 40",
	[BOOTINFO_ERR_MODULE_RANGE] = "module end before start",
	[BOOTINFO_ERR_TOO_MANY_MODULES] = "too many modules",
	[BOOTINFO_ERR_FB_TYPE] = "unknown framebuffer type",
	[BOOTINFO_ERR_FB_BPP] = "framebuffer bpp is zero",
	[BOOTINFO_ERR_FB_PITCH] = "framebuffer pitch smaller than width*bpp/8",
	[BOOTINFO_ERR_FB_OVERFLOW] = "framebuffer runs past the end of the address space",
	[BOOTINFO_ERR_FB_COLOR_FIELD] = "framebuffer colour field outside bpp",
};

/* Minimum tag sizes, header included (see the layouts in multiboot2.h). */
#define TAG_HEADER_SIZE 8u
#define MODULE_TAG_MIN 16u
#define MEMINFO_TAG_MIN 16u
#define MAP_TAG_MIN 16u
#define FRAMEBUFFER_TAG_MIN 32u
#define FRAMEBUFFER_RGB_TAG_MIN 38u
#define FRAMEBUFFER_INDEXED_TAG_MIN 34u
#define LOAD_BASE_TAG_MIN 12u
#define MMAP_ENTRY_MIN 24u
#define EFI_DESCRIPTOR_MIN 40u

/* One-bit-per-type record of the tags seen so far, to catch duplicates. */
#define TRACKED_TAG_LIMIT 32u

struct tag_view {
	const uint8_t *start;	/* first byte of the tag */
	uint32_t type;
	uint32_t size;		/* header included, checked to fit in the block */
	uint64_t offset;	/* of the tag in the block */
};

static uint16_t load_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static uint32_t load_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t load_u64(const uint8_t *p)
{
	return (uint64_t)load_u32(p) | (uint64_t)load_u32(p + 4) << 32;
}

static int fail(struct bootinfo_error *err, int code, uint64_t offset, uint32_t tag_type)
{
	if (err) {
		err->code = code;
		err->message = bootinfo_error_message(code);
		err->offset = (size_t)offset;
		err->tag_type = tag_type;
	}
	return code;
}

static int fail_tag(struct bootinfo_error *err, int code, const struct tag_view *tag)
{
	return fail(err, code, tag->offset, tag->type);
}

static void clear_info(struct boot_info *bi)
{
	unsigned char *bytes = (unsigned char *)bi;

	for (size_t i = 0; i < sizeof(*bi); i++)
		bytes[i] = 0;
}

/*
 * Return the string at @from bytes into @tag if a NUL ends it before the
 * tag does, else NULL.
 */
static const char *tag_string(const struct tag_view *tag, uint32_t from)
{
	for (uint32_t i = from; i < tag->size; i++)
		if (tag->start[i] == 0)
			return (const char *)(tag->start + from);
	return NULL;
}

static int parse_string(const struct tag_view *tag, const char **out,
			struct bootinfo_error *err)
{
	*out = tag_string(tag, TAG_HEADER_SIZE);
	if (!*out)
		return fail_tag(err, BOOTINFO_ERR_STRING_UNTERMINATED, tag);
	return 0;
}

static int parse_module(const struct tag_view *tag, struct boot_info *bi,
			struct bootinfo_error *err)
{
	struct boot_module *module;

	if (tag->size < MODULE_TAG_MIN)
		return fail_tag(err, BOOTINFO_ERR_TAG_TOO_SHORT, tag);
	if (bi->module_count == BOOTINFO_MAX_MODULES)
		return fail_tag(err, BOOTINFO_ERR_TOO_MANY_MODULES, tag);
	module = &bi->modules[bi->module_count];
	module->start = load_u32(tag->start + 8);
	module->end = load_u32(tag->start + 12);
	if (module->end < module->start)
		return fail_tag(err, BOOTINFO_ERR_MODULE_RANGE, tag);
	module->cmdline = tag_string(tag, MODULE_TAG_MIN);
	if (!module->cmdline)
		return fail_tag(err, BOOTINFO_ERR_STRING_UNTERMINATED, tag);
	bi->module_count++;
	return 0;
}

static int parse_meminfo(const struct tag_view *tag, struct boot_info *bi,
			 struct bootinfo_error *err)
{
	if (tag->size < MEMINFO_TAG_MIN)
		return fail_tag(err, BOOTINFO_ERR_TAG_TOO_SHORT, tag);
	bi->meminfo_present = true;
	bi->mem_lower_kib = load_u32(tag->start + 8);
	bi->mem_upper_kib = load_u32(tag->start + 12);
	return 0;
}

/* Common part of the type-6 and the EFI map: header, then entries. */
static void record_map(const struct tag_view *tag, struct boot_raw_map *map)
{
	map->entry_size = load_u32(tag->start + 8);
	map->version = load_u32(tag->start + 12);
	map->entries = tag->start + MAP_TAG_MIN;
	/* A trailing partial entry is ignored; see bootinfo.h. */
	map->count = (tag->size - MAP_TAG_MIN) / map->entry_size;
}

static int parse_mmap(const struct tag_view *tag, struct boot_info *bi,
		      struct bootinfo_error *err)
{
	uint32_t entry_size;

	if (tag->size < MAP_TAG_MIN)
		return fail_tag(err, BOOTINFO_ERR_TAG_TOO_SHORT, tag);
	entry_size = load_u32(tag->start + 8);
	if (entry_size < MMAP_ENTRY_MIN)
		return fail_tag(err, BOOTINFO_ERR_MMAP_ENTRY_SIZE, tag);
	if (entry_size % 8)
		return fail_tag(err, BOOTINFO_ERR_MMAP_ENTRY_ALIGN, tag);
	record_map(tag, &bi->mmap);
	return 0;
}

static int parse_efi_mmap(const struct tag_view *tag, struct boot_info *bi,
			  struct bootinfo_error *err)
{
	if (tag->size < MAP_TAG_MIN)
		return fail_tag(err, BOOTINFO_ERR_TAG_TOO_SHORT, tag);
	if (load_u32(tag->start + 8) < EFI_DESCRIPTOR_MIN)
		return fail_tag(err, BOOTINFO_ERR_EFI_DESCRIPTOR_SIZE, tag);
	record_map(tag, &bi->efi_mmap);
	return 0;
}

static bool color_field_fits(uint8_t position, uint8_t size, uint8_t bpp)
{
	return (unsigned)position + size <= bpp;
}

static int parse_framebuffer(const struct tag_view *tag, struct boot_info *bi,
			     struct bootinfo_error *err)
{
	struct boot_framebuffer *fb = &bi->framebuffer;
	const uint8_t *p = tag->start;

	if (tag->size < FRAMEBUFFER_TAG_MIN)
		return fail_tag(err, BOOTINFO_ERR_TAG_TOO_SHORT, tag);
	fb->addr = load_u64(p + 8);
	fb->pitch = load_u32(p + 16);
	fb->width = load_u32(p + 20);
	fb->height = load_u32(p + 24);
	fb->bpp = p[28];
	fb->type = p[29];

	if (fb->type > MULTIBOOT2_FRAMEBUFFER_TYPE_EGA_TEXT)
		return fail_tag(err, BOOTINFO_ERR_FB_TYPE, tag);
	if (fb->bpp == 0)
		return fail_tag(err, BOOTINFO_ERR_FB_BPP, tag);
	if ((uint64_t)fb->pitch * 8 < (uint64_t)fb->width * fb->bpp)
		return fail_tag(err, BOOTINFO_ERR_FB_PITCH, tag);
	/* pitch * height < 2^64, so only the addition can wrap. */
	if (fb->addr + (uint64_t)fb->pitch * fb->height < fb->addr)
		return fail_tag(err, BOOTINFO_ERR_FB_OVERFLOW, tag);

	if (fb->type == MULTIBOOT2_FRAMEBUFFER_TYPE_RGB) {
		if (tag->size < FRAMEBUFFER_RGB_TAG_MIN)
			return fail_tag(err, BOOTINFO_ERR_TAG_TOO_SHORT, tag);
		fb->red_position = p[32];
		fb->red_size = p[33];
		fb->green_position = p[34];
		fb->green_size = p[35];
		fb->blue_position = p[36];
		fb->blue_size = p[37];
		if (!color_field_fits(fb->red_position, fb->red_size, fb->bpp) ||
		    !color_field_fits(fb->green_position, fb->green_size, fb->bpp) ||
		    !color_field_fits(fb->blue_position, fb->blue_size, fb->bpp))
			return fail_tag(err, BOOTINFO_ERR_FB_COLOR_FIELD, tag);
	} else if (fb->type == MULTIBOOT2_FRAMEBUFFER_TYPE_INDEXED) {
		if (tag->size < FRAMEBUFFER_INDEXED_TAG_MIN)
			return fail_tag(err, BOOTINFO_ERR_TAG_TOO_SHORT, tag);
		fb->palette_colors = load_u16(p + 32);
		if ((uint64_t)FRAMEBUFFER_INDEXED_TAG_MIN + 3u * fb->palette_colors > tag->size)
			return fail_tag(err, BOOTINFO_ERR_TAG_TOO_SHORT, tag);
		fb->palette = p + FRAMEBUFFER_INDEXED_TAG_MIN;
	}
	fb->present = true;
	return 0;
}

static int parse_rsdp(const struct tag_view *tag, uint32_t min_length,
		      const void **rsdp, size_t *length, struct bootinfo_error *err)
{
	if (tag->size < TAG_HEADER_SIZE + min_length)
		return fail_tag(err, BOOTINFO_ERR_TAG_TOO_SHORT, tag);
	*rsdp = tag->start + TAG_HEADER_SIZE;
	*length = tag->size - TAG_HEADER_SIZE;
	return 0;
}

static int parse_load_base(const struct tag_view *tag, struct boot_info *bi,
			   struct bootinfo_error *err)
{
	if (tag->size < LOAD_BASE_TAG_MIN)
		return fail_tag(err, BOOTINFO_ERR_TAG_TOO_SHORT, tag);
	bi->load_base_present = true;
	bi->load_base = load_u32(tag->start + 8);
	return 0;
}

/* Decode one tag other than the end tag; unknown types are skipped. */
static int parse_tag(const struct tag_view *tag, struct boot_info *bi,
		     struct bootinfo_error *err)
{
	switch (tag->type) {
	case MULTIBOOT2_TAG_CMDLINE:
		return parse_string(tag, &bi->cmdline, err);
	case MULTIBOOT2_TAG_BOOT_LOADER_NAME:
		return parse_string(tag, &bi->loader_name, err);
	case MULTIBOOT2_TAG_MODULE:
		return parse_module(tag, bi, err);
	case MULTIBOOT2_TAG_BASIC_MEMINFO:
		return parse_meminfo(tag, bi, err);
	case MULTIBOOT2_TAG_MMAP:
		return parse_mmap(tag, bi, err);
	case MULTIBOOT2_TAG_FRAMEBUFFER:
		return parse_framebuffer(tag, bi, err);
	case MULTIBOOT2_TAG_ACPI_OLD:
		return parse_rsdp(tag, ACPI_RSDP_V1_SIZE, &bi->rsdp_v1,
				  &bi->rsdp_v1_length, err);
	case MULTIBOOT2_TAG_ACPI_NEW:
		return parse_rsdp(tag, ACPI_RSDP_V2_SIZE, &bi->rsdp_v2,
				  &bi->rsdp_v2_length, err);
	case MULTIBOOT2_TAG_EFI_MMAP:
		return parse_efi_mmap(tag, bi, err);
	case MULTIBOOT2_TAG_EFI_BS:
		bi->efi_boot_services_active = true;
		return 0;
	case MULTIBOOT2_TAG_LOAD_BASE_ADDR:
		return parse_load_base(tag, bi, err);
	default:
		return 0;
	}
}

static int walk_tags(const uint8_t *block, uint32_t total, struct boot_info *bi,
		     struct bootinfo_error *err)
{
	uint32_t seen = 0;
	uint64_t offset = sizeof(struct multiboot2_info_fixed);

	for (;;) {
		struct tag_view tag;
		int ret;

		/*
		 * Padding after the last tag may carry offset past total_size:
		 * the end tag was missing at the end of the block, not beyond it.
		 */
		if (offset >= total)
			return fail(err, BOOTINFO_ERR_NO_END_TAG, total, BOOTINFO_NO_TAG);
		if (offset + TAG_HEADER_SIZE > total)
			return fail(err, BOOTINFO_ERR_TAG_HEADER_PAST_END, offset,
				    BOOTINFO_NO_TAG);
		tag.start = block + offset;
		tag.offset = offset;
		tag.type = load_u32(tag.start);
		tag.size = load_u32(tag.start + 4);

		if (tag.size < TAG_HEADER_SIZE)
			return fail_tag(err, BOOTINFO_ERR_TAG_SIZE_TOO_SMALL, &tag);
		if (offset + tag.size > total)
			return fail_tag(err, BOOTINFO_ERR_TAG_PAST_END, &tag);
		if (tag.type == MULTIBOOT2_TAG_END) {
			if (tag.size != TAG_HEADER_SIZE)
				return fail_tag(err, BOOTINFO_ERR_END_TAG_SIZE, &tag);
			return 0;
		}
		if (tag.type != MULTIBOOT2_TAG_MODULE && tag.type < TRACKED_TAG_LIMIT) {
			if (seen & (1u << tag.type))
				return fail_tag(err, BOOTINFO_ERR_DUPLICATE_TAG, &tag);
			seen |= 1u << tag.type;
		}
		ret = parse_tag(&tag, bi, err);
		if (ret)
			return ret;
		offset = (offset + tag.size + MULTIBOOT2_TAG_ALIGN - 1) &
			 ~(uint64_t)(MULTIBOOT2_TAG_ALIGN - 1);
	}
}

int bootinfo_parse(const void *info, size_t avail, uint64_t info_phys,
		   struct boot_info *out, struct bootinfo_error *err)
{
	const uint8_t *block = info;
	uint32_t total;
	int ret;

	if (err) {
		err->code = BOOTINFO_OK;
		err->message = bootinfo_error_message(BOOTINFO_OK);
		err->offset = 0;
		err->tag_type = BOOTINFO_NO_TAG;
	}
	if (!info || !out)
		return fail(err, BOOTINFO_ERR_NULL, 0, BOOTINFO_NO_TAG);
	clear_info(out);
	if ((uintptr_t)info % MULTIBOOT2_TAG_ALIGN)
		return fail(err, BOOTINFO_ERR_INFO_MISALIGNED, 0, BOOTINFO_NO_TAG);
	if (avail < sizeof(struct multiboot2_info_fixed))
		return fail(err, BOOTINFO_ERR_AVAIL_TOO_SMALL, 0, BOOTINFO_NO_TAG);
	total = load_u32(block);
	if (total < sizeof(struct multiboot2_info_fixed) + TAG_HEADER_SIZE)
		return fail(err, BOOTINFO_ERR_TOTAL_TOO_SMALL, 0, BOOTINFO_NO_TAG);
	if (total > avail)
		return fail(err, BOOTINFO_ERR_TOTAL_TOO_LARGE, 0, BOOTINFO_NO_TAG);

	out->info_phys = info_phys;
	out->info_size = total;
	ret = walk_tags(block, total, out, err);
	if (ret)
		clear_info(out);
	return ret;
}

const char *bootinfo_error_message(int code)
{
	if (code < 0 || code >= BOOTINFO_ERR_COUNT)
		return "unknown error";
	return bootinfo_messages[code];
}

bool bootinfo_mmap_entry(const struct boot_info *bi, size_t index,
			 struct multiboot2_mmap_entry *out)
{
	const uint8_t *entry;

	if (index >= bi->mmap.count)
		return false;
	entry = (const uint8_t *)bi->mmap.entries + index * bi->mmap.entry_size;
	out->base = load_u64(entry);
	out->length = load_u64(entry + 8);
	out->type = load_u32(entry + 16);
	out->reserved = load_u32(entry + 20);
	return true;
}

bool bootinfo_efi_descriptor(const struct boot_info *bi, size_t index,
			     struct efi_memory_descriptor *out)
{
	const uint8_t *desc;

	if (index >= bi->efi_mmap.count)
		return false;
	desc = (const uint8_t *)bi->efi_mmap.entries + index * bi->efi_mmap.entry_size;
	out->type = load_u32(desc);
	out->padding = load_u32(desc + 4);
	out->physical_start = load_u64(desc + 8);
	out->virtual_start = load_u64(desc + 16);
	out->number_of_pages = load_u64(desc + 24);
	out->attribute = load_u64(desc + 32);
	return true;
}
