// SPDX-License-Identifier: MIT
/*
 * test_bootinfo.c: the multiboot2 info parser against built and broken blocks.
 *
 * A small builder assembles info blocks the way GRUB lays them out.  Valid
 * blocks check every decoded field; each malformed block in the table checks
 * the error code, the message, the offset and the tag type reported.
 */
#include "bootinfo.h"
#include "ktest.h"
#include "firmware_map.h"

#define BLOCK_MAX 8192

struct mbi_builder {
	uint8_t *buf;
	size_t len;		/* bytes written, padding included */
	size_t last_tag;	/* offset of the last tag begun */
};

static _Alignas(8) uint8_t block[BLOCK_MAX + 16];

static void store_le(uint8_t *p, uint64_t value, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

static size_t text_length(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void mb_init(struct mbi_builder *b)
{
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = 0xcc;	/* padding and unwritten bytes are garbage */
	b->buf = block;
	store_le(block, 0, 8);
	b->len = 8;
	b->last_tag = 0;
}

/* Begin a tag with @payload bytes after its header; return the payload. */
static uint8_t *mb_tag(struct mbi_builder *b, uint32_t type, size_t payload)
{
	uint8_t *tag = b->buf + b->len;

	b->last_tag = b->len;
	store_le(tag, type, 4);
	store_le(tag + 4, 8 + payload, 4);
	b->len = (b->len + 8 + payload + 7) & ~(size_t)7;
	return tag + 8;
}

static void mb_string(struct mbi_builder *b, uint32_t type, const char *s)
{
	size_t n = text_length(s) + 1;
	uint8_t *p = mb_tag(b, type, n);

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)s[i];
}

static void mb_module(struct mbi_builder *b, uint32_t start, uint32_t end, const char *cmdline)
{
	size_t n = text_length(cmdline) + 1;
	uint8_t *p = mb_tag(b, MULTIBOOT2_TAG_MODULE, 8 + n);

	store_le(p, start, 4);
	store_le(p + 4, end, 4);
	for (size_t i = 0; i < n; i++)
		p[8 + i] = (uint8_t)cmdline[i];
}

struct e820_entry {
	uint64_t base, len;
	uint32_t type;
};

static void mb_mmap(struct mbi_builder *b, uint32_t entry_size, const struct e820_entry *e,
		    size_t n)
{
	uint8_t *p = mb_tag(b, MULTIBOOT2_TAG_MMAP, 8 + n * entry_size);

	store_le(p, entry_size, 4);
	store_le(p + 4, 0, 4);
	for (size_t i = 0; i < n; i++) {
		uint8_t *entry = p + 8 + i * entry_size;

		store_le(entry, e[i].base, 8);
		store_le(entry + 8, e[i].len, 8);
		store_le(entry + 16, e[i].type, 4);
		store_le(entry + 20, 0, 4);
	}
}

struct efi_entry {
	uint32_t type;
	uint64_t start, pages, attribute;
};

static void mb_efi_mmap(struct mbi_builder *b, uint32_t desc_size, const struct efi_entry *e,
			size_t n)
{
	uint8_t *p = mb_tag(b, MULTIBOOT2_TAG_EFI_MMAP, 8 + n * desc_size);

	store_le(p, desc_size, 4);
	store_le(p + 4, 1, 4);
	for (size_t i = 0; i < n; i++) {
		uint8_t *d = p + 8 + i * desc_size;

		for (size_t k = 0; k < desc_size; k++)
			d[k] = 0x5a;
		store_le(d, e[i].type, 4);
		store_le(d + 8, e[i].start, 8);
		store_le(d + 16, 0, 8);
		store_le(d + 24, e[i].pages, 8);
		store_le(d + 32, e[i].attribute, 8);
	}
}

struct fb_spec {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp, type;
	uint8_t color[6];	/* RGB positions and sizes, or u16 palette count */
	size_t color_bytes;
};

static void mb_framebuffer(struct mbi_builder *b, const struct fb_spec *fb)
{
	uint8_t *p = mb_tag(b, MULTIBOOT2_TAG_FRAMEBUFFER, 24 + fb->color_bytes);

	store_le(p, fb->addr, 8);
	store_le(p + 8, fb->pitch, 4);
	store_le(p + 12, fb->width, 4);
	store_le(p + 16, fb->height, 4);
	p[20] = fb->bpp;
	p[21] = fb->type;
	store_le(p + 22, 0, 2);
	for (size_t i = 0; i < fb->color_bytes; i++)
		p[24 + i] = i < 6 ? fb->color[i] : (uint8_t)i;
}

static void mb_rsdp(struct mbi_builder *b, uint32_t type, size_t length)
{
	uint8_t *p = mb_tag(b, type, length);
	static const char signature[] = "RSD PTR ";

	for (size_t i = 0; i < length; i++)
		p[i] = i < 8 ? (uint8_t)signature[i] : (uint8_t)i;
}

static void mb_u32_tag(struct mbi_builder *b, uint32_t type, size_t count, const uint32_t *v)
{
	uint8_t *p = mb_tag(b, type, 4 * count);

	for (size_t i = 0; i < count; i++)
		store_le(p + 4 * i, v[i], 4);
}

/* Close the block with the end tag; return its total_size. */
static size_t mb_end(struct mbi_builder *b)
{
	mb_tag(b, MULTIBOOT2_TAG_END, 0);
	store_le(b->buf, b->len, 4);
	return b->len;
}

static void set_total(struct mbi_builder *b, uint32_t total)
{
	store_le(b->buf, total, 4);
}

/* Overwrite the size of the tag at @offset. */
static void set_tag_size(struct mbi_builder *b, size_t offset, uint32_t size)
{
	store_le(b->buf + offset + 4, size, 4);
}

static const struct e820_entry pc_map[] = {
	{ 0x0, 0x9fc00, MULTIBOOT2_MEMORY_AVAILABLE },
	{ 0x9fc00, 0x400, MULTIBOOT2_MEMORY_RESERVED },
	{ 0xf0000, 0x10000, MULTIBOOT2_MEMORY_RESERVED },
	{ 0x100000, 0x7ee0000, MULTIBOOT2_MEMORY_AVAILABLE },
	{ 0x7fe0000, 0x20000, MULTIBOOT2_MEMORY_RESERVED },
	{ 0xfffc0000, 0x40000, MULTIBOOT2_MEMORY_RESERVED },
};

static const struct efi_entry uefi_map[] = {
	{ EFI_CONVENTIONAL_MEMORY, 0x0, 0xa0, 0xf },
	{ EFI_LOADER_DATA, 0x100000, 0x100, 0xf },
	{ EFI_ACPI_MEMORY_NVS, 0x800000, 0x8, 0xf },
	{ EFI_BOOT_SERVICES_DATA, 0x808000, 0x77f8, 0xf },
	{ EFI_RUNTIME_SERVICES_DATA, 0x8000000, 0x10, 0x800000000000000full },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct fb_spec rgb_fb = {
	0xfd000000, 5120, 1280, 800, 32, MULTIBOOT2_FRAMEBUFFER_TYPE_RGB,
	{ 16, 8, 8, 8, 0, 8 }, 6,
};

static const struct fb_spec ega_fb = {
	0xb8000, 160, 80, 25, 16, MULTIBOOT2_FRAMEBUFFER_TYPE_EGA_TEXT, { 0 }, 0,
};

/* A UEFI-like block with one of everything; returns total_size. */
static size_t build_full(struct mbi_builder *b)
{
	static const uint32_t meminfo[] = { 639, 130048 };
	static const uint32_t load_base[] = { 0x200000 };

	mb_init(b);
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "console=ttyS0 ktest=firmware_map*");
	mb_string(b, MULTIBOOT2_TAG_BOOT_LOADER_NAME, "GRUB 2.06-13+deb12u1");
	mb_module(b, 0x1000000, 0x1012345, "initrd.img");
	mb_module(b, 0x1013000, 0x1013000, "");
	mb_u32_tag(b, MULTIBOOT2_TAG_BASIC_MEMINFO, 2, meminfo);
	mb_u32_tag(b, MULTIBOOT2_TAG_BOOTDEV, 3, (const uint32_t[]){ 0xe0, ~0u, ~0u });
	mb_mmap(b, 24, pc_map, N(pc_map));
	mb_framebuffer(b, &rgb_fb);
	mb_u32_tag(b, MULTIBOOT2_TAG_EFI64, 2, (const uint32_t[]){ 0x7f9e0018, 0 });
	mb_rsdp(b, MULTIBOOT2_TAG_ACPI_OLD, 20);
	mb_rsdp(b, MULTIBOOT2_TAG_ACPI_NEW, 36);
	mb_efi_mmap(b, 48, uefi_map, N(uefi_map));
	mb_u32_tag(b, MULTIBOOT2_TAG_LOAD_BASE_ADDR, 1, load_base);
	return mb_end(b);
}

static int parse(size_t avail, struct boot_info *bi, struct bootinfo_error *err)
{
	return bootinfo_parse(block, avail, 0x10000, bi, err);
}

static void test_full_block(struct ktest *t)
{
	struct mbi_builder b;
	struct boot_info bi;
	struct bootinfo_error err;
	struct multiboot2_mmap_entry entry;
	struct efi_memory_descriptor desc;
	size_t total = build_full(&b);

	KASSERT_EQ(t, parse(total, &bi, &err), BOOTINFO_OK);
	KEXPECT_EQ(t, err.code, BOOTINFO_OK);
	KEXPECT_STREQ(t, err.message, "no error");
	KEXPECT_UEQ(t, bi.info_phys, 0x10000);
	KEXPECT_UEQ(t, bi.info_size, total);
	KEXPECT_STREQ(t, bi.cmdline, "console=ttyS0 ktest=firmware_map*");
	KEXPECT_STREQ(t, bi.loader_name, "GRUB 2.06-13+deb12u1");

	KEXPECT_TRUE(t, bi.meminfo_present);
	KEXPECT_EQ(t, bi.mem_lower_kib, 639);
	KEXPECT_EQ(t, bi.mem_upper_kib, 130048);

	KASSERT_EQ(t, bi.module_count, 2);
	KEXPECT_UEQ(t, bi.modules[0].start, 0x1000000);
	KEXPECT_UEQ(t, bi.modules[0].end, 0x1012345);
	KEXPECT_STREQ(t, bi.modules[0].cmdline, "initrd.img");
	KEXPECT_UEQ(t, bi.modules[1].start, bi.modules[1].end);
	KEXPECT_STREQ(t, bi.modules[1].cmdline, "");

	KEXPECT_EQ(t, bi.mmap.entry_size, 24);
	KASSERT_EQ(t, bi.mmap.count, N(pc_map));
	for (size_t i = 0; i < N(pc_map); i++) {
		KASSERT_TRUE(t, bootinfo_mmap_entry(&bi, i, &entry));
		KEXPECT_UEQ(t, entry.base, pc_map[i].base);
		KEXPECT_UEQ(t, entry.length, pc_map[i].len);
		KEXPECT_EQ(t, entry.type, pc_map[i].type);
	}
	KEXPECT_FALSE(t, bootinfo_mmap_entry(&bi, N(pc_map), &entry));

	KEXPECT_EQ(t, bi.efi_mmap.entry_size, 48);
	KEXPECT_EQ(t, bi.efi_mmap.version, 1);
	KASSERT_EQ(t, bi.efi_mmap.count, N(uefi_map));
	for (size_t i = 0; i < N(uefi_map); i++) {
		KASSERT_TRUE(t, bootinfo_efi_descriptor(&bi, i, &desc));
		KEXPECT_EQ(t, desc.type, uefi_map[i].type);
		KEXPECT_UEQ(t, desc.physical_start, uefi_map[i].start);
		KEXPECT_UEQ(t, desc.number_of_pages, uefi_map[i].pages);
		KEXPECT_UEQ(t, desc.attribute, uefi_map[i].attribute);
	}
	KEXPECT_FALSE(t, bootinfo_efi_descriptor(&bi, N(uefi_map), &desc));
	KEXPECT_FALSE(t, bi.efi_boot_services_active);

	KEXPECT_TRUE(t, bi.framebuffer.present);
	KEXPECT_UEQ(t, bi.framebuffer.addr, 0xfd000000);
	KEXPECT_EQ(t, bi.framebuffer.pitch, 5120);
	KEXPECT_EQ(t, bi.framebuffer.width, 1280);
	KEXPECT_EQ(t, bi.framebuffer.height, 800);
	KEXPECT_EQ(t, bi.framebuffer.bpp, 32);
	KEXPECT_EQ(t, bi.framebuffer.type, MULTIBOOT2_FRAMEBUFFER_TYPE_RGB);
	KEXPECT_EQ(t, bi.framebuffer.red_position, 16);
	KEXPECT_EQ(t, bi.framebuffer.red_size, 8);
	KEXPECT_EQ(t, bi.framebuffer.green_position, 8);
	KEXPECT_EQ(t, bi.framebuffer.green_size, 8);
	KEXPECT_EQ(t, bi.framebuffer.blue_position, 0);
	KEXPECT_EQ(t, bi.framebuffer.blue_size, 8);
	KEXPECT_NULL(t, bi.framebuffer.palette);

	KASSERT_NOT_NULL(t, bi.rsdp_v1);
	KEXPECT_EQ(t, bi.rsdp_v1_length, 20);
	KEXPECT_EQ(t, ((const uint8_t *)bi.rsdp_v1)[0], 'R');
	KASSERT_NOT_NULL(t, bi.rsdp_v2);
	KEXPECT_EQ(t, bi.rsdp_v2_length, 36);
	KEXPECT_EQ(t, ((const uint8_t *)bi.rsdp_v2)[7], ' ');

	KEXPECT_TRUE(t, bi.load_base_present);
	KEXPECT_UEQ(t, bi.load_base, 0x200000);

	/* Every pointer points into the block. */
	KEXPECT_UGE(t, (uintptr_t)bi.cmdline, (uintptr_t)block);
	KEXPECT_ULT(t, (uintptr_t)bi.cmdline, (uintptr_t)block + total);
	KEXPECT_ULT(t, (uintptr_t)bi.efi_mmap.entries, (uintptr_t)block + total);
}

/* A BIOS-like block: EGA text, RSDP v1 only, no EFI map. */
static void test_bios_block(struct ktest *t)
{
	struct mbi_builder b;
	struct boot_info bi;
	size_t total;

	mb_init(&b);
	mb_string(&b, MULTIBOOT2_TAG_BOOT_LOADER_NAME, "GRUB 2.06");
	mb_mmap(&b, 24, pc_map, N(pc_map));
	mb_framebuffer(&b, &ega_fb);
	mb_rsdp(&b, MULTIBOOT2_TAG_ACPI_OLD, 20);
	total = mb_end(&b);

	KASSERT_EQ(t, parse(total, &bi, NULL), BOOTINFO_OK);
	KEXPECT_NULL(t, bi.cmdline);
	KEXPECT_EQ(t, bi.module_count, 0);
	KEXPECT_NULL(t, bi.efi_mmap.entries);
	KEXPECT_EQ(t, bi.efi_mmap.count, 0);
	KEXPECT_TRUE(t, bi.framebuffer.present);
	KEXPECT_EQ(t, bi.framebuffer.type, MULTIBOOT2_FRAMEBUFFER_TYPE_EGA_TEXT);
	KEXPECT_UEQ(t, bi.framebuffer.addr, 0xb8000);
	KEXPECT_NOT_NULL(t, bi.rsdp_v1);
	KEXPECT_NULL(t, bi.rsdp_v2);
	KEXPECT_FALSE(t, bi.meminfo_present);
	KEXPECT_FALSE(t, bi.load_base_present);
}

static void test_minimal_block(struct ktest *t)
{
	struct mbi_builder b;
	struct boot_info bi;
	struct bootinfo_error err;

	mb_init(&b);
	KASSERT_EQ(t, mb_end(&b), 16);
	KASSERT_EQ(t, parse(16, &bi, &err), BOOTINFO_OK);
	KEXPECT_UEQ(t, bi.info_size, 16);
	KEXPECT_NULL(t, bi.cmdline);
	KEXPECT_NULL(t, bi.loader_name);
	KEXPECT_NULL(t, bi.mmap.entries);
	KEXPECT_FALSE(t, bi.framebuffer.present);
	KEXPECT_NULL(t, bi.rsdp_v1);
	KEXPECT_EQ(t, bi.module_count, 0);
}

/* Unknown tags are skipped, repeated or not; bytes after the end tag are ignored. */
static void test_unknown_tags_and_trailing_bytes(struct ktest *t)
{
	struct mbi_builder b;
	struct boot_info bi;
	size_t total;

	mb_init(&b);
	mb_u32_tag(&b, 99, 3, (const uint32_t[]){ 1, 2, 3 });
	mb_u32_tag(&b, 99, 1, (const uint32_t[]){ 4 });
	mb_u32_tag(&b, 0x80000000u, 0, NULL);
	mb_string(&b, MULTIBOOT2_TAG_CMDLINE, "x");
	total = mb_end(&b);
	mb_u32_tag(&b, 1, 1, (const uint32_t[]){ 0x41414141 });	/* after the end */
	set_total(&b, b.len);

	KASSERT_EQ(t, parse(b.len, &bi, NULL), BOOTINFO_OK);
	KEXPECT_STREQ(t, bi.cmdline, "x");
	KEXPECT_UEQ(t, bi.info_size, b.len);
	KEXPECT_ULT(t, total, b.len);
}

/* The decisions bootinfo.h documents for partial entries and larger entries. */
static void test_map_entry_sizes(struct ktest *t)
{
	struct mbi_builder b;
	struct boot_info bi;
	struct multiboot2_mmap_entry entry;
	size_t total;

	/* 32-byte entries (a future entry version): stepped by entry_size. */
	mb_init(&b);
	mb_mmap(&b, 32, pc_map, N(pc_map));
	total = mb_end(&b);
	KASSERT_EQ(t, parse(total, &bi, NULL), BOOTINFO_OK);
	KASSERT_EQ(t, bi.mmap.count, N(pc_map));
	KASSERT_TRUE(t, bootinfo_mmap_entry(&bi, 3, &entry));
	KEXPECT_UEQ(t, entry.base, 0x100000);

	/* A partial last entry is ignored. */
	mb_init(&b);
	mb_mmap(&b, 24, pc_map, 3);
	set_tag_size(&b, b.last_tag, 16 + 3 * 24 - 5);
	total = mb_end(&b);
	KASSERT_EQ(t, parse(total, &bi, NULL), BOOTINFO_OK);
	KEXPECT_EQ(t, bi.mmap.count, 2);

	/* An empty map and an entry_size larger than the body. */
	mb_init(&b);
	mb_mmap(&b, 24, pc_map, 0);
	mb_efi_mmap(&b, 4096, uefi_map, 0);
	total = mb_end(&b);
	KASSERT_EQ(t, parse(total, &bi, NULL), BOOTINFO_OK);
	KEXPECT_NOT_NULL(t, bi.mmap.entries);
	KEXPECT_EQ(t, bi.mmap.count, 0);
	KEXPECT_EQ(t, bi.efi_mmap.count, 0);
	KEXPECT_FALSE(t, bootinfo_mmap_entry(&bi, 0, &entry));
}

static void test_indexed_framebuffer(struct ktest *t)
{
	static const struct fb_spec fb = {
		0xa0000, 320, 320, 200, 8, MULTIBOOT2_FRAMEBUFFER_TYPE_INDEXED,
		{ 16, 0 }, 2 + 16 * 3,
	};
	struct mbi_builder b;
	struct boot_info bi;
	size_t total;

	mb_init(&b);
	mb_framebuffer(&b, &fb);
	total = mb_end(&b);
	KASSERT_EQ(t, parse(total, &bi, NULL), BOOTINFO_OK);
	KEXPECT_EQ(t, bi.framebuffer.palette_colors, 16);
	KASSERT_NOT_NULL(t, bi.framebuffer.palette);
	KEXPECT_EQ(t, bi.framebuffer.palette[4], 6);	/* byte 6 of the colour info */
}

static void test_boot_services_tag(struct ktest *t)
{
	struct mbi_builder b;
	struct boot_info bi;
	struct firmware_map m;
	struct mem_range ranges[16];
	size_t total;

	mb_init(&b);
	mb_efi_mmap(&b, 48, uefi_map, N(uefi_map));
	mb_tag(&b, MULTIBOOT2_TAG_EFI_BS, 0);
	total = mb_end(&b);
	KASSERT_EQ(t, parse(total, &bi, NULL), BOOTINFO_OK);
	KEXPECT_TRUE(t, bi.efi_boot_services_active);

	firmware_map_init(&m, ranges, 16);
	KASSERT_EQ(t, firmware_map_add_bootinfo(&m, &bi), 0);
	KASSERT_EQ(t, m.count, N(uefi_map));
	KEXPECT_EQ(t, m.ranges[3].type, MEM_RESERVED);	/* boot services data */
	KEXPECT_EQ(t, m.ranges[1].type, MEM_USABLE);	/* loader data */
}

/* From a parsed block to a sanitized map, as the kernel does it at boot. */
static void test_parse_then_sanitize(struct ktest *t)
{
	static struct mem_range ranges[64];
	static struct firmware_map_change work[FIRMWARE_MAP_SCRATCH_ENTRIES(64, 4)];
	struct mbi_builder b;
	struct boot_info bi;
	struct firmware_map m;
	struct mem_range carve[4];
	size_t total = build_full(&b), nvs_ranges = 0;

	KASSERT_EQ(t, parse(total, &bi, NULL), BOOTINFO_OK);
	carve[0] = (struct mem_range){ 0, 0x100000, MEM_LOW };
	carve[1] = (struct mem_range){ 0x200000, 0x400000, MEM_KERNEL };
	carve[2] = (struct mem_range){ bi.info_phys, bi.info_phys + bi.info_size, MEM_BOOTINFO };
	carve[3] = (struct mem_range){ bi.modules[0].start, bi.modules[0].end, MEM_MODULE };
	firmware_map_init(&m, ranges, 64);
	KASSERT_EQ(t, firmware_map_add_bootinfo(&m, &bi), 0);
	KASSERT_EQ(t, firmware_map_sanitize(&m, work, FIRMWARE_MAP_SCRATCH_ENTRIES(64, 4), carve, 4, 0,
					    NULL), 0);
	KEXPECT_NULL(t, firmware_map_check(&m));
	KASSERT_GE(t, m.count, 8);
	/* The block at 0x10000 lies in the first MiB: the more specific carve wins. */
	KEXPECT_UEQ(t, m.ranges[0].end, 0x10000);
	KEXPECT_EQ(t, m.ranges[0].type, MEM_LOW);
	KEXPECT_UEQ(t, m.ranges[1].end, 0x11000);
	KEXPECT_EQ(t, m.ranges[1].type, MEM_BOOTINFO);
	KEXPECT_UEQ(t, m.ranges[2].end, 0x9f000);
	KEXPECT_EQ(t, m.ranges[2].type, MEM_LOW);
	/* The EFI map's ACPI NVS at 8 MiB beats the type-6 map's usable... */
	for (size_t i = 0; i < m.count; i++)
		if (m.ranges[i].base == 0x800000) {
			KEXPECT_EQ(t, m.ranges[i].type, MEM_ACPI_NVS);
			nvs_ranges++;
		}
	KEXPECT_EQ(t, nvs_ranges, 1);
	/* ...and the type-6 map's reserved top beats the EFI map's boot services data. */
	KEXPECT_UEQ(t, firmware_map_top_of_ram(&m), 0x7fe0000);
}

/* A broken block, the error it must give, and where. */
struct malformed_case {
	const char *name;
	int (*build)(struct mbi_builder *b, size_t *avail);	/* returns the bad tag offset */
	int code;
	const char *message;
	uint32_t tag_type;
};

static int total_size_zero(struct mbi_builder *b, size_t *avail)
{
	*avail = build_full(b);
	set_total(b, 0);
	return 0;
}

static int total_size_eight(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	*avail = mb_end(b);
	set_total(b, 8);
	return 0;
}

static int total_past_avail(struct mbi_builder *b, size_t *avail)
{
	*avail = build_full(b) - 8;
	return 0;
}

static int avail_tiny(struct mbi_builder *b, size_t *avail)
{
	build_full(b);
	*avail = 7;
	return 0;
}

static int truncated_total_size(struct mbi_builder *b, size_t *avail)
{
	size_t at;

	mb_init(b);
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "console=ttyS0");
	at = b->len;
	mb_mmap(b, 24, pc_map, N(pc_map));
	*avail = mb_end(b);
	set_total(b, (uint32_t)(at + 40));	/* cuts the mmap tag */
	return (int)at;
}

static int tag_size_past_end(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "console=ttyS0");
	set_tag_size(b, 8, 4096);
	*avail = mb_end(b);
	return 8;
}

static int tag_size_huge(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "x");
	set_tag_size(b, 8, 0xfffffff9u);
	*avail = mb_end(b);
	return 8;
}

static int tag_size_below_header(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "x");
	set_tag_size(b, 8, 4);
	*avail = mb_end(b);
	return 8;
}

static int no_end_tag(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "console=ttyS0");
	mb_mmap(b, 24, pc_map, 2);
	set_total(b, (uint32_t)b->len);
	*avail = b->len;
	return (int)b->len;
}

/*
 * The block ends inside the last tag's padding: the next tag would start
 * past total_size, but the error points at the end of the block.
 */
static int no_end_tag_unaligned_total(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "ab");	/* size 11, at 8: ends at 19 */
	set_total(b, 19);
	*avail = 19;
	return 19;
}

static int end_tag_too_big(struct mbi_builder *b, size_t *avail)
{
	int at;

	mb_init(b);
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "x");
	at = (int)b->len;
	mb_tag(b, MULTIBOOT2_TAG_END, 8);
	set_total(b, (uint32_t)b->len);
	*avail = b->len;
	return at;
}

/* A tag placed right after an 11-byte tag instead of at the next multiple of 8. */
static int unpadded_tag(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "ab");	/* size 11, at 8 */
	store_le(b->buf + 19, MULTIBOOT2_TAG_END, 4);
	store_le(b->buf + 23, 8, 4);
	set_total(b, 27);
	*avail = 27;
	return 24;
}

static int misaligned_info(struct mbi_builder *b, size_t *avail)
{
	*avail = build_full(b);
	b->buf += 4;
	return 0;
}

static int null_info(struct mbi_builder *b, size_t *avail)
{
	*avail = build_full(b);
	b->buf = NULL;
	return 0;
}

static int mmap_entry_size_16(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_mmap(b, 16, pc_map, 2);
	*avail = mb_end(b);
	return 8;
}

static int mmap_entry_size_zero(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_mmap(b, 24, pc_map, 2);
	store_le(b->buf + 16, 0, 4);
	*avail = mb_end(b);
	return 8;
}

static int mmap_entry_size_28(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_mmap(b, 28, pc_map, 2);
	*avail = mb_end(b);
	return 8;
}

static int mmap_header_short(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_tag(b, MULTIBOOT2_TAG_MMAP, 4);
	store_le(b->buf + 16, 24, 4);
	*avail = mb_end(b);
	return 8;
}

static int efi_descriptor_32(struct mbi_builder *b, size_t *avail)
{
	size_t at;

	mb_init(b);
	mb_mmap(b, 24, pc_map, 1);
	at = b->len;
	mb_efi_mmap(b, 32, uefi_map, 2);
	*avail = mb_end(b);
	return (int)at;
}

static int duplicate_mmap(struct mbi_builder *b, size_t *avail)
{
	size_t at;

	mb_init(b);
	mb_mmap(b, 24, pc_map, 2);
	at = b->len;
	mb_mmap(b, 24, pc_map, 3);
	*avail = mb_end(b);
	return (int)at;
}

static int duplicate_cmdline(struct mbi_builder *b, size_t *avail)
{
	size_t at;

	mb_init(b);
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "a");
	at = b->len;
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "b");
	*avail = mb_end(b);
	return (int)at;
}

static int cmdline_unterminated(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "abc");
	set_tag_size(b, 8, 8 + 3);	/* the NUL falls outside the tag */
	*avail = mb_end(b);
	return 8;
}

static int cmdline_empty_tag(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_tag(b, MULTIBOOT2_TAG_CMDLINE, 0);
	*avail = mb_end(b);
	return 8;
}

static int loader_name_unterminated(struct mbi_builder *b, size_t *avail)
{
	size_t at;

	mb_init(b);
	mb_string(b, MULTIBOOT2_TAG_CMDLINE, "");
	at = b->len;
	mb_string(b, MULTIBOOT2_TAG_BOOT_LOADER_NAME, "GRUB");
	set_tag_size(b, at, 8 + 4);
	*avail = mb_end(b);
	return (int)at;
}

static int module_cmdline_unterminated(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_module(b, 0x100000, 0x200000, "initrd");
	set_tag_size(b, 8, 16 + 6);
	*avail = mb_end(b);
	return 8;
}

static int module_end_before_start(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_module(b, 0x200000, 0x1fffff, "initrd");
	*avail = mb_end(b);
	return 8;
}

static int module_tag_short(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_u32_tag(b, MULTIBOOT2_TAG_MODULE, 1, (const uint32_t[]){ 0x100000 });
	*avail = mb_end(b);
	return 8;
}

static int too_many_modules(struct mbi_builder *b, size_t *avail)
{
	size_t at = 0;

	mb_init(b);
	for (uint32_t i = 0; i <= BOOTINFO_MAX_MODULES; i++) {
		at = b->len;
		mb_module(b, 0x1000000 + i * 0x1000, 0x1000000 + i * 0x1000 + 0x800, "m");
	}
	*avail = mb_end(b);
	return (int)at;
}

static int meminfo_short(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_u32_tag(b, MULTIBOOT2_TAG_BASIC_MEMINFO, 1, (const uint32_t[]){ 639 });
	*avail = mb_end(b);
	return 8;
}

static int build_fb(struct mbi_builder *b, size_t *avail, const struct fb_spec *fb)
{
	mb_init(b);
	mb_framebuffer(b, fb);
	*avail = mb_end(b);
	return 8;
}

static int fb_pitch_small(struct mbi_builder *b, size_t *avail)
{
	struct fb_spec fb = rgb_fb;

	fb.pitch = 1280 * 4 - 1;
	return build_fb(b, avail, &fb);
}

static int fb_pitch_overflow_32bit(struct mbi_builder *b, size_t *avail)
{
	struct fb_spec fb = rgb_fb;

	fb.width = 0x80000000u;	/* width * bpp wraps in 32 bits */
	fb.pitch = 0;
	return build_fb(b, avail, &fb);
}

static int fb_ega_pitch_small(struct mbi_builder *b, size_t *avail)
{
	struct fb_spec fb = ega_fb;

	fb.pitch = 80;
	return build_fb(b, avail, &fb);
}

static int fb_unknown_type(struct mbi_builder *b, size_t *avail)
{
	struct fb_spec fb = rgb_fb;

	fb.type = 3;
	return build_fb(b, avail, &fb);
}

static int fb_bpp_zero(struct mbi_builder *b, size_t *avail)
{
	struct fb_spec fb = rgb_fb;

	fb.bpp = 0;
	return build_fb(b, avail, &fb);
}

static int fb_wraps(struct mbi_builder *b, size_t *avail)
{
	struct fb_spec fb = rgb_fb;

	fb.addr = 0xfffffffffff00000ull;
	return build_fb(b, avail, &fb);
}

static int fb_color_outside_bpp(struct mbi_builder *b, size_t *avail)
{
	struct fb_spec fb = rgb_fb;

	fb.bpp = 24;
	fb.pitch = 1280 * 3;
	fb.color[0] = 24;	/* red at bits 24..31 of a 24-bit pixel */
	return build_fb(b, avail, &fb);
}

static int fb_rgb_without_colors(struct mbi_builder *b, size_t *avail)
{
	struct fb_spec fb = rgb_fb;

	fb.color_bytes = 0;
	return build_fb(b, avail, &fb);
}

static int fb_common_part_short(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_framebuffer(b, &ega_fb);
	set_tag_size(b, 8, 28);
	*avail = mb_end(b);
	return 8;
}

static int fb_palette_past_tag(struct mbi_builder *b, size_t *avail)
{
	static const struct fb_spec fb = {
		0xa0000, 320, 320, 200, 8, MULTIBOOT2_FRAMEBUFFER_TYPE_INDEXED,
		{ 0, 1 }, 2 + 16 * 3,	/* claims 256 colours, holds 16 */
	};

	return build_fb(b, avail, &fb);
}

static int rsdp_v1_short(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_rsdp(b, MULTIBOOT2_TAG_ACPI_OLD, 19);
	*avail = mb_end(b);
	return 8;
}

static int rsdp_v2_short(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_rsdp(b, MULTIBOOT2_TAG_ACPI_NEW, 20);
	*avail = mb_end(b);
	return 8;
}

static int load_base_short(struct mbi_builder *b, size_t *avail)
{
	mb_init(b);
	mb_tag(b, MULTIBOOT2_TAG_LOAD_BASE_ADDR, 0);
	*avail = mb_end(b);
	return 8;
}

#define FIXED BOOTINFO_NO_TAG

static const struct malformed_case malformed[] = {
	{ "total_size zero", total_size_zero, BOOTINFO_ERR_TOTAL_TOO_SMALL,
	  "total_size smaller than 16", FIXED },
	{ "total_size eight", total_size_eight, BOOTINFO_ERR_TOTAL_TOO_SMALL,
	  "total_size smaller than 16", FIXED },
	{ "total_size past avail", total_past_avail, BOOTINFO_ERR_TOTAL_TOO_LARGE,
	  "total_size larger than the readable block", FIXED },
	{ "avail below fixed part", avail_tiny, BOOTINFO_ERR_AVAIL_TOO_SMALL,
	  "readable block smaller than the fixed part", FIXED },
	{ "truncated total_size", truncated_total_size, BOOTINFO_ERR_TAG_PAST_END,
	  "tag size runs past the end of the info block", MULTIBOOT2_TAG_MMAP },
	{ "tag size past end", tag_size_past_end, BOOTINFO_ERR_TAG_PAST_END,
	  "tag size runs past the end of the info block", MULTIBOOT2_TAG_CMDLINE },
	{ "tag size near 2^32", tag_size_huge, BOOTINFO_ERR_TAG_PAST_END,
	  "tag size runs past the end of the info block", MULTIBOOT2_TAG_CMDLINE },
	{ "tag size below header", tag_size_below_header, BOOTINFO_ERR_TAG_SIZE_TOO_SMALL,
	  "tag size smaller than 8", MULTIBOOT2_TAG_CMDLINE },
	{ "missing end tag", no_end_tag, BOOTINFO_ERR_NO_END_TAG, "missing end tag", FIXED },
	{ "missing end tag, total_size not padded", no_end_tag_unaligned_total,
	  BOOTINFO_ERR_NO_END_TAG, "missing end tag", FIXED },
	{ "end tag size 16", end_tag_too_big, BOOTINFO_ERR_END_TAG_SIZE, "end tag size not 8",
	  MULTIBOOT2_TAG_END },
	{ "unpadded tag", unpadded_tag, BOOTINFO_ERR_TAG_HEADER_PAST_END,
	  "tag header runs past the end of the info block", FIXED },
	{ "info not 8-byte aligned", misaligned_info, BOOTINFO_ERR_INFO_MISALIGNED,
	  "info block not 8-byte aligned", FIXED },
	{ "info NULL", null_info, BOOTINFO_ERR_NULL, "info or result pointer is NULL", FIXED },
	{ "mmap entry_size 16", mmap_entry_size_16, BOOTINFO_ERR_MMAP_ENTRY_SIZE,
	  "mmap entry_size smaller than 24", MULTIBOOT2_TAG_MMAP },
	{ "mmap entry_size 0", mmap_entry_size_zero, BOOTINFO_ERR_MMAP_ENTRY_SIZE,
	  "mmap entry_size smaller than 24", MULTIBOOT2_TAG_MMAP },
	{ "mmap entry_size 28", mmap_entry_size_28, BOOTINFO_ERR_MMAP_ENTRY_ALIGN,
	  "mmap entry_size not a multiple of 8", MULTIBOOT2_TAG_MMAP },
	{ "mmap header short", mmap_header_short, BOOTINFO_ERR_TAG_TOO_SHORT,
	  "tag too short for its fields", MULTIBOOT2_TAG_MMAP },
	{ "EFI descriptor 32", efi_descriptor_32, BOOTINFO_ERR_EFI_DESCRIPTOR_SIZE,
	  "EFI descriptor size smaller than 40", MULTIBOOT2_TAG_EFI_MMAP },
	{ "duplicate mmap", duplicate_mmap, BOOTINFO_ERR_DUPLICATE_TAG, "tag appears twice",
	  MULTIBOOT2_TAG_MMAP },
	{ "duplicate cmdline", duplicate_cmdline, BOOTINFO_ERR_DUPLICATE_TAG,
	  "tag appears twice", MULTIBOOT2_TAG_CMDLINE },
	{ "cmdline unterminated", cmdline_unterminated, BOOTINFO_ERR_STRING_UNTERMINATED,
	  "string not NUL-terminated", MULTIBOOT2_TAG_CMDLINE },
	{ "cmdline tag empty", cmdline_empty_tag, BOOTINFO_ERR_STRING_UNTERMINATED,
	  "string not NUL-terminated", MULTIBOOT2_TAG_CMDLINE },
	{ "loader name unterminated", loader_name_unterminated,
	  BOOTINFO_ERR_STRING_UNTERMINATED, "string not NUL-terminated",
	  MULTIBOOT2_TAG_BOOT_LOADER_NAME },
	{ "module cmdline unterminated", module_cmdline_unterminated,
	  BOOTINFO_ERR_STRING_UNTERMINATED, "string not NUL-terminated", MULTIBOOT2_TAG_MODULE },
	{ "module end before start", module_end_before_start, BOOTINFO_ERR_MODULE_RANGE,
	  "module end before start", MULTIBOOT2_TAG_MODULE },
	{ "module tag short", module_tag_short, BOOTINFO_ERR_TAG_TOO_SHORT,
	  "tag too short for its fields", MULTIBOOT2_TAG_MODULE },
	{ "33 modules", too_many_modules, BOOTINFO_ERR_TOO_MANY_MODULES, "too many modules",
	  MULTIBOOT2_TAG_MODULE },
	{ "meminfo short", meminfo_short, BOOTINFO_ERR_TAG_TOO_SHORT,
	  "tag too short for its fields", MULTIBOOT2_TAG_BASIC_MEMINFO },
	{ "framebuffer pitch small", fb_pitch_small, BOOTINFO_ERR_FB_PITCH,
	  "framebuffer pitch smaller than width*bpp/8", MULTIBOOT2_TAG_FRAMEBUFFER },
	{ "framebuffer width*bpp past 2^32", fb_pitch_overflow_32bit, BOOTINFO_ERR_FB_PITCH,
	  "framebuffer pitch smaller than width*bpp/8", MULTIBOOT2_TAG_FRAMEBUFFER },
	{ "EGA text pitch small", fb_ega_pitch_small, BOOTINFO_ERR_FB_PITCH,
	  "framebuffer pitch smaller than width*bpp/8", MULTIBOOT2_TAG_FRAMEBUFFER },
	{ "framebuffer type 3", fb_unknown_type, BOOTINFO_ERR_FB_TYPE,
	  "unknown framebuffer type", MULTIBOOT2_TAG_FRAMEBUFFER },
	{ "framebuffer bpp 0", fb_bpp_zero, BOOTINFO_ERR_FB_BPP, "framebuffer bpp is zero",
	  MULTIBOOT2_TAG_FRAMEBUFFER },
	{ "framebuffer wraps", fb_wraps, BOOTINFO_ERR_FB_OVERFLOW,
	  "framebuffer runs past the end of the address space", MULTIBOOT2_TAG_FRAMEBUFFER },
	{ "framebuffer colour outside bpp", fb_color_outside_bpp, BOOTINFO_ERR_FB_COLOR_FIELD,
	  "framebuffer colour field outside bpp", MULTIBOOT2_TAG_FRAMEBUFFER },
	{ "RGB framebuffer without colours", fb_rgb_without_colors, BOOTINFO_ERR_TAG_TOO_SHORT,
	  "tag too short for its fields", MULTIBOOT2_TAG_FRAMEBUFFER },
	{ "framebuffer common part short", fb_common_part_short, BOOTINFO_ERR_TAG_TOO_SHORT,
	  "tag too short for its fields", MULTIBOOT2_TAG_FRAMEBUFFER },
	{ "palette past tag", fb_palette_past_tag, BOOTINFO_ERR_TAG_TOO_SHORT,
	  "tag too short for its fields", MULTIBOOT2_TAG_FRAMEBUFFER },
	{ "RSDP v1 short", rsdp_v1_short, BOOTINFO_ERR_TAG_TOO_SHORT,
	  "tag too short for its fields", MULTIBOOT2_TAG_ACPI_OLD },
	{ "RSDP v2 short", rsdp_v2_short, BOOTINFO_ERR_TAG_TOO_SHORT,
	  "tag too short for its fields", MULTIBOOT2_TAG_ACPI_NEW },
	{ "load base short", load_base_short, BOOTINFO_ERR_TAG_TOO_SHORT,
	  "tag too short for its fields", MULTIBOOT2_TAG_LOAD_BASE_ADDR },
};

static void test_malformed_blocks(struct ktest *t)
{
	for (size_t i = 0; i < N(malformed); i++) {
		const struct malformed_case *c = &malformed[i];
		struct mbi_builder b;
		struct boot_info bi;
		struct bootinfo_error err;
		size_t avail = 0;
		size_t offset = (size_t)c->build(&b, &avail);
		int ret = bootinfo_parse(b.buf, avail, 0x10000, &bi, &err);

		if (ret != c->code || !ktest_streq(err.message, c->message))
			KEXPECT_STREQ(t, c->name, "(the case above)");
		KEXPECT_EQ(t, ret, c->code);
		KEXPECT_EQ(t, err.code, c->code);
		KEXPECT_STREQ(t, err.message, c->message);
		KEXPECT_STREQ(t, bootinfo_error_message(c->code), c->message);
		KEXPECT_UEQ(t, err.tag_type, c->tag_type);
		/* Missing-end and unpadded errors point where the next tag would be. */
		KEXPECT_UEQ(t, err.offset, offset);
		/* On error the result is cleared. */
		KEXPECT_NULL(t, bi.cmdline);
		KEXPECT_EQ(t, bi.module_count, 0);
		KEXPECT_UEQ(t, bi.info_size, 0);
	}
}

static void test_null_result(struct ktest *t)
{
	struct mbi_builder b;
	struct bootinfo_error err;
	size_t total = build_full(&b);

	KEXPECT_EQ(t, bootinfo_parse(block, total, 0, NULL, &err), BOOTINFO_ERR_NULL);
	KEXPECT_STREQ(t, err.message, "info or result pointer is NULL");
	KEXPECT_STREQ(t, bootinfo_error_message(BOOTINFO_ERR_COUNT), "unknown error");
	KEXPECT_STREQ(t, bootinfo_error_message(-3), "unknown error");
}

/* Every total_size short of the real one, and every avail short of it, fails. */
static void test_every_truncation_fails(struct ktest *t)
{
	struct mbi_builder b;
	struct boot_info bi;
	struct bootinfo_error err;
	size_t total = build_full(&b);

	for (size_t cut = 0; cut < total; cut++) {
		KEXPECT_NE(t, parse(cut, &bi, &err), 0);
		KEXPECT_EQ(t, err.code, cut < 8 ? BOOTINFO_ERR_AVAIL_TOO_SMALL :
					       BOOTINFO_ERR_TOTAL_TOO_LARGE);
	}
	for (uint32_t cut = 0; cut < total; cut++) {
		set_total(&b, cut);
		KEXPECT_NE(t, parse(total, &bi, &err), 0);
		KEXPECT_NOT_NULL(t, err.message);
	}
}

/* Each byte of a valid block set to 0xff: either a clean parse or a named error. */
static void test_every_byte_corrupted(struct ktest *t)
{
	struct mbi_builder b;
	struct boot_info bi;
	struct bootinfo_error err;
	size_t total = build_full(&b);

	for (size_t i = 0; i < total; i++) {
		uint8_t saved = block[i];
		int ret;

		block[i] = 0xff;
		ret = parse(total, &bi, &err);
		KEXPECT_EQ(t, err.code, ret);
		KEXPECT_STREQ(t, err.message, bootinfo_error_message(ret));
		KEXPECT_ULE(t, err.offset, total);
		block[i] = saved;
	}
	KEXPECT_EQ(t, parse(total, &bi, &err), 0);
}

KTEST_SUITE(bootinfo,
	    KTEST_CASE(test_full_block),
	    KTEST_CASE(test_bios_block),
	    KTEST_CASE(test_minimal_block),
	    KTEST_CASE(test_unknown_tags_and_trailing_bytes),
	    KTEST_CASE(test_map_entry_sizes),
	    KTEST_CASE(test_indexed_framebuffer),
	    KTEST_CASE(test_boot_services_tag),
	    KTEST_CASE(test_parse_then_sanitize),
	    KTEST_CASE(test_malformed_blocks),
	    KTEST_CASE(test_null_result),
	    KTEST_CASE(test_every_truncation_fails),
	    KTEST_CASE(test_every_byte_corrupted));
