// SPDX-License-Identifier: MIT
/*
 * test_firmware_map.c: the memory-map sanitizer against crafted and real-world maps.
 *
 * Each table case feeds firmware entries (in the order a firmware might),
 * sanitizes with its carves and limit, calls firmware_map_check() and compares the
 * result with the expected table.  Larger maps are generated, and a random
 * differential test compares the sweep with a brute-force model that judges
 * every 512-byte unit on its own.
 */
#include "bootinfo.h"
#include "ktest.h"
#include "firmware_map.h"

#define CAPACITY 1024
#define CARVE_MAX 8

/* Work space shared by the cases; every case starts by resetting it. */
static struct mem_range storage[CAPACITY];
static struct firmware_map_change scratch[FIRMWARE_MAP_SCRATCH_ENTRIES(CAPACITY, CARVE_MAX)];

struct firmware_entry {
	uint64_t base, len;
	uint32_t type;
};

struct firmware_map_case {
	const struct firmware_entry *input;
	size_t ninput;
	const struct mem_range *carve;
	size_t ncarve;
	uint64_t mem_limit;
	const struct mem_range *expect;
	size_t nexpect;
};

#define TABLE(type, ...) \
	(const type[]){ __VA_ARGS__ }, sizeof((const type[]){ __VA_ARGS__ }) / sizeof(type)
#define INPUT(...) .input = TABLE(struct firmware_entry, __VA_ARGS__)
#define CARVE(...) .carve = TABLE(struct mem_range, __VA_ARGS__)
#define EXPECT(...) .expect = TABLE(struct mem_range, __VA_ARGS__)

#define U MEM_USABLE
#define R MEM_RESERVED
#define ACPI MEM_ACPI_RECLAIM
#define NVS MEM_ACPI_NVS
#define BAD MEM_UNUSABLE
#define PMEM MEM_PERSISTENT

#define GiB 0x40000000ull
#define TOP_OF_ADDRESS_SPACE UINT64_MAX

static void expect_map(struct ktest *t, const struct firmware_map *m,
		       const struct mem_range *expect, size_t nexpect)
{
	KEXPECT_NULL(t, firmware_map_check(m));
	KEXPECT_STREQ(t, firmware_map_check(m), NULL);
	KASSERT_EQ(t, m->count, nexpect);
	for (size_t i = 0; i < nexpect; i++) {
		KEXPECT_UEQ(t, m->ranges[i].base, expect[i].base);
		KEXPECT_UEQ(t, m->ranges[i].end, expect[i].end);
		KEXPECT_EQ(t, m->ranges[i].type, expect[i].type);
	}
}

static void sanitize_ok(struct ktest *t, struct firmware_map *m, const struct mem_range *carve,
			size_t ncarve, uint64_t mem_limit)
{
	struct firmware_map_error err;

	KASSERT_EQ(t, firmware_map_sanitize(m, scratch, FIRMWARE_MAP_SCRATCH_ENTRIES(CAPACITY, CARVE_MAX),
					    carve, ncarve, mem_limit, &err), FIRMWARE_MAP_OK);
	KEXPECT_EQ(t, err.code, FIRMWARE_MAP_OK);
}

static void run_case(struct ktest *t, const struct firmware_map_case *c)
{
	struct firmware_map m;

	firmware_map_init(&m, storage, CAPACITY);
	for (size_t i = 0; i < c->ninput; i++)
		KASSERT_EQ(t, firmware_map_add(&m, c->input[i].base, c->input[i].len,
					       c->input[i].type), 0);
	sanitize_ok(t, &m, c->carve, c->ncarve, c->mem_limit);
	expect_map(t, &m, c->expect, c->nexpect);

	/* Without carves, a sanitized map is a fixed point of the sanitizer. */
	if (!c->ncarve) {
		sanitize_ok(t, &m, NULL, 0, c->mem_limit);
		expect_map(t, &m, c->expect, c->nexpect);
	}
}

#define FIRMWARE_MAP_CASE(name, ...)                                                  \
	static const struct firmware_map_case name##_case = { __VA_ARGS__ };           \
	static void test_##name(struct ktest *t)                                \
	{                                                                       \
		run_case(t, &name##_case);                                      \
	}

FIRMWARE_MAP_CASE(empty_map, .input = NULL, .ninput = 0, .expect = NULL, .nexpect = 0)

FIRMWARE_MAP_CASE(unsorted,
	INPUT({ 0x100000, 0x700000, U }, { 0x0, 0x9f000, U }, { 0xf0000, 0x10000, R }),
	EXPECT({ 0x0, 0x9f000, U }, { 0xf0000, 0x100000, R }, { 0x100000, 0x800000, U }))

FIRMWARE_MAP_CASE(overlap_reserved_wins,
	INPUT({ 0x0, 0x200000, U }, { 0x100000, 0x80000, R }),
	EXPECT({ 0x0, 0x100000, U }, { 0x100000, 0x180000, R }, { 0x180000, 0x200000, U }))

FIRMWARE_MAP_CASE(overlap_usable_listed_last_still_loses,
	INPUT({ 0x100000, 0x80000, R }, { 0x0, 0x200000, U }),
	EXPECT({ 0x0, 0x100000, U }, { 0x100000, 0x180000, R }, { 0x180000, 0x200000, U }))

FIRMWARE_MAP_CASE(overlap_higher_type_wins,
	INPUT({ 0x1000000, 0x100000, R }, { 0x1080000, 0x100000, NVS },
	      { 0x1100000, 0x100000, ACPI }, { 0x1000000, 0x400000, U },
	      { 0x1300000, 0x1000, PMEM }, { 0x1300000, 0x2000, BAD }),
	EXPECT({ 0x1000000, 0x1080000, R }, { 0x1080000, 0x1180000, NVS },
	       { 0x1180000, 0x1200000, ACPI }, { 0x1200000, 0x1300000, U },
	       { 0x1300000, 0x1301000, PMEM }, { 0x1301000, 0x1302000, BAD },
	       { 0x1302000, 0x1400000, U }))

FIRMWARE_MAP_CASE(reserved_inside_reserved,
	INPUT({ 0x0, 0x10000, R }, { 0x4000, 0x1000, R }, { 0x0, 0x10000, R }),
	EXPECT({ 0x0, 0x10000, R }))

/* SeaBIOS ends low RAM at 0x9fc00: the partial page becomes a hole. */
FIRMWARE_MAP_CASE(seabios_unaligned_low_end,
	INPUT({ 0x0, 0x9fc00, U }, { 0x9fc00, 0x400, R }, { 0xf0000, 0x10000, R },
	      { 0x100000, 0x7ee0000, U }, { 0x7fe0000, 0x20000, R }),
	EXPECT({ 0x0, 0x9f000, U }, { 0x9fc00, 0xa0000, R }, { 0xf0000, 0x100000, R },
	       { 0x100000, 0x7fe0000, U }, { 0x7fe0000, 0x8000000, R }))

FIRMWARE_MAP_CASE(unaligned_both_ends_and_sub_page,
	INPUT({ 0x1234, 0x3000, U }, { 0x10000, 0x800, U }, { 0x20010, 0x1ff0, U }),
	EXPECT({ 0x2000, 0x4000, U }, { 0x21000, 0x22000, U }))

/* Two unaligned pieces that touch make whole pages once merged. */
FIRMWARE_MAP_CASE(touching_unaligned_usable_merge_before_align,
	INPUT({ 0x800, 0x2000, U }, { 0x2800, 0x2800, U }),
	EXPECT({ 0x1000, 0x5000, U }))

FIRMWARE_MAP_CASE(adjacent_same_type_merged,
	INPUT({ 0x0, 0x1000, U }, { 0x1000, 0x4000, U }, { 0x5000, 0x1000, R },
	      { 0x6000, 0x1000, R }, { 0x7000, 0x1000, NVS }, { 0x8000, 0x1000, NVS }),
	EXPECT({ 0x0, 0x5000, U }, { 0x5000, 0x7000, R }, { 0x7000, 0x9000, NVS }))

FIRMWARE_MAP_CASE(adjacent_different_types_kept,
	INPUT({ 0x0, 0x1000, U }, { 0x1000, 0x1000, R }, { 0x2000, 0x1000, U }),
	EXPECT({ 0x0, 0x1000, U }, { 0x1000, 0x2000, R }, { 0x2000, 0x3000, U }))

FIRMWARE_MAP_CASE(duplicates_collapse,
	INPUT({ 0x100000, 0x100000, U }, { 0x100000, 0x100000, U }, { 0x100000, 0x100000, U }),
	EXPECT({ 0x100000, 0x200000, U }))

FIRMWARE_MAP_CASE(zero_length_dropped,
	INPUT({ 0x5000, 0, R }, { 0x0, 0x4000, U }, { 0x2000, 0, R }, { 0x9000, 0, U }),
	EXPECT({ 0x0, 0x4000, U }))

FIRMWARE_MAP_CASE(sub_page_usable_between_reserved,
	INPUT({ 0x0, 0x1800, R }, { 0x1800, 0x400, U }, { 0x1c00, 0x1400, R }),
	EXPECT({ 0x0, 0x1800, R }, { 0x1c00, 0x3000, R }))

FIRMWARE_MAP_CASE(above_4g,
	INPUT({ 0x100000000, 0x140000000, U }, { 0x0, 0x80000000, U },
	      { 0x23ff00000, 0x200000, R }, { 0xfd00000000, 0x300000000, R }),
	EXPECT({ 0x0, 0x80000000, U }, { 0x100000000, 0x23ff00000, U },
	       { 0x23ff00000, 0x240100000, R }, { 0xfd00000000, 0x10000000000, R }))

/* base + len past 2^64 ends at 2^64 - 1; usable then stops at the last full page. */
FIRMWARE_MAP_CASE(base_plus_len_overflow,
	INPUT({ 0xffffffffffff0000, 0x20000, U }, { 0xfffffffff0000000, UINT64_MAX, R },
	      { 0x0, 0x1000, U }, { UINT64_MAX, 1, U }, { UINT64_MAX, UINT64_MAX, R }),
	EXPECT({ 0x0, 0x1000, U }, { 0xfffffffff0000000, TOP_OF_ADDRESS_SPACE, R }))

FIRMWARE_MAP_CASE(usable_at_top_of_address_space,
	INPUT({ 0xfffffffffff00800, 0x100000, U }),
	EXPECT({ 0xfffffffffff01000, 0xfffffffffffff000, U }))

FIRMWARE_MAP_CASE(unknown_types_become_reserved,
	INPUT({ 0x0, 0x10000, U }, { 0x1000, 0x1000, 0 }, { 0x3000, 0x1000, 6 },
	      { 0x5000, 0x1000, 12 }, { 0x7000, 0x1000, 0xefffffff },
	      { 0x9000, 0x1000, MEM_KERNEL }),
	EXPECT({ 0x0, 0x1000, U }, { 0x1000, 0x2000, R }, { 0x2000, 0x3000, U },
	       { 0x3000, 0x4000, R }, { 0x4000, 0x5000, U }, { 0x5000, 0x6000, R },
	       { 0x6000, 0x7000, U }, { 0x7000, 0x8000, R }, { 0x8000, 0x9000, U },
	       { 0x9000, 0xa000, R }, { 0xa000, 0x10000, U }))

/* QEMU pc, 8 GiB, SeaBIOS: the PCI hole below 4 GiB, in shuffled order. */
#define PC_8G_INPUT                                                             \
	INPUT({ 0x100000000, 0x140000000, U }, { 0xfeffc000, 0x4000, R },         \
	      { 0x0, 0x9fc00, U }, { 0xfd00000000, 0x300000000, R },             \
	      { 0xbffe0000, 0x20000, R }, { 0x9fc00, 0x400, R },                  \
	      { 0x100000, 0xbfee0000, U }, { 0xfffc0000, 0x40000, R },            \
	      { 0xf0000, 0x10000, R })

FIRMWARE_MAP_CASE(qemu_pc_8g,
	PC_8G_INPUT,
	EXPECT({ 0x0, 0x9f000, U }, { 0x9fc00, 0xa0000, R }, { 0xf0000, 0x100000, R },
	       { 0x100000, 0xbffe0000, U }, { 0xbffe0000, 0xc0000000, R },
	       { 0xfeffc000, 0xff000000, R }, { 0xfffc0000, 0x100000000, R },
	       { 0x100000000, 0x240000000, U }, { 0xfd00000000, 0x10000000000, R }))

/* QEMU q35, 6 GiB: low RAM stops at 2 GiB; MMCONFIG at 0xb0000000. */
FIRMWARE_MAP_CASE(qemu_q35_split_at_2g,
	INPUT({ 0x0, 0x9fc00, U }, { 0x9fc00, 0x400, R }, { 0xf0000, 0x10000, R },
	      { 0x100000, 0x7fedc000, U }, { 0x7ffdc000, 0x24000, R },
	      { 0xb0000000, 0x10000000, R }, { 0xfed1c000, 0x4000, R },
	      { 0xfeffc000, 0x4000, R }, { 0xfffc0000, 0x40000, R },
	      { 0x100000000, 0x100000000, U }, { 0xfd00000000, 0x300000000, R }),
	EXPECT({ 0x0, 0x9f000, U }, { 0x9fc00, 0xa0000, R }, { 0xf0000, 0x100000, R },
	       { 0x100000, 0x7ffdc000, U }, { 0x7ffdc000, 0x80000000, R },
	       { 0xb0000000, 0xc0000000, R }, { 0xfed1c000, 0xfed20000, R },
	       { 0xfeffc000, 0xff000000, R }, { 0xfffc0000, 0x100000000, R },
	       { 0x100000000, 0x200000000, U }, { 0xfd00000000, 0x10000000000, R }))

FIRMWARE_MAP_CASE(carve_kernel_bootinfo_modules_low,
	PC_8G_INPUT,
	CARVE({ 0x0, 0x100000, MEM_LOW }, { 0x200000, 0x45a123, MEM_KERNEL },
	      { 0x45b010, 0x45b4f8, MEM_BOOTINFO }, { 0x460000, 0x1460000, MEM_MODULE },
	      { 0x1460000, 0x1460000, MEM_MODULE }),
	EXPECT({ 0x0, 0x9f000, MEM_LOW }, { 0x9fc00, 0xa0000, R }, { 0xf0000, 0x100000, R },
	       { 0x100000, 0x200000, U }, { 0x200000, 0x45b000, MEM_KERNEL },
	       { 0x45b000, 0x45c000, MEM_BOOTINFO }, { 0x45c000, 0x460000, U },
	       { 0x460000, 0x1460000, MEM_MODULE }, { 0x1460000, 0xbffe0000, U },
	       { 0xbffe0000, 0xc0000000, R }, { 0xfeffc000, 0xff000000, R },
	       { 0xfffc0000, 0x100000000, R }, { 0x100000000, 0x240000000, U },
	       { 0xfd00000000, 0x10000000000, R }))

/* A carve never turns a hole or a reserved range into anything. */
FIRMWARE_MAP_CASE(carve_only_where_usable,
	PC_8G_INPUT,
	CARVE({ 0xbff00000, 0xc0000000, MEM_MODULE }, { 0xc0000000, 0xd0000000, MEM_KERNEL },
	      { 0xfeffc000, 0xff000000, MEM_BOOTINFO }),
	EXPECT({ 0x0, 0x9f000, U }, { 0x9fc00, 0xa0000, R }, { 0xf0000, 0x100000, R },
	       { 0x100000, 0xbff00000, U }, { 0xbff00000, 0xbffe0000, MEM_MODULE },
	       { 0xbffe0000, 0xc0000000, R }, { 0xfeffc000, 0xff000000, R },
	       { 0xfffc0000, 0x100000000, R }, { 0x100000000, 0x240000000, U },
	       { 0xfd00000000, 0x10000000000, R }))

/* Overlapping carves: the higher carve type wins; touching equal carves merge. */
FIRMWARE_MAP_CASE(carve_overlaps,
	INPUT({ 0x0, 0x1000000, U }),
	CARVE({ 0x0, 0x100000, MEM_LOW }, { 0x80000, 0x81000, MEM_MODULE },
	      { 0x200000, 0x300000, MEM_KERNEL }, { 0x300000, 0x300001, MEM_KERNEL },
	      { 0x900000, UINT64_MAX, MEM_MODULE }),
	EXPECT({ 0x0, 0x80000, MEM_LOW }, { 0x80000, 0x81000, MEM_MODULE },
	       { 0x81000, 0x100000, MEM_LOW }, { 0x100000, 0x200000, U },
	       { 0x200000, 0x301000, MEM_KERNEL }, { 0x301000, 0x900000, U },
	       { 0x900000, 0x1000000, MEM_MODULE }))

FIRMWARE_MAP_CASE(mem_limit_cuts_usable_only,
	PC_8G_INPUT, .mem_limit = 0x180000800,
	EXPECT({ 0x0, 0x9f000, U }, { 0x9fc00, 0xa0000, R }, { 0xf0000, 0x100000, R },
	       { 0x100000, 0xbffe0000, U }, { 0xbffe0000, 0xc0000000, R },
	       { 0xfeffc000, 0xff000000, R }, { 0xfffc0000, 0x100000000, R },
	       { 0x100000000, 0x180000000, U }, { 0xfd00000000, 0x10000000000, R }))

FIRMWARE_MAP_CASE(mem_limit_below_4g,
	PC_8G_INPUT, .mem_limit = GiB,
	EXPECT({ 0x0, 0x9f000, U }, { 0x9fc00, 0xa0000, R }, { 0xf0000, 0x100000, R },
	       { 0x100000, 0x40000000, U }, { 0xbffe0000, 0xc0000000, R },
	       { 0xfeffc000, 0xff000000, R }, { 0xfffc0000, 0x100000000, R },
	       { 0xfd00000000, 0x10000000000, R }))

/* Carves above the limit find no usable RAM there. */
FIRMWARE_MAP_CASE(mem_limit_with_carves,
	PC_8G_INPUT, .mem_limit = 0x1000000,
	CARVE({ 0x0, 0x100000, MEM_LOW }, { 0x800000, 0x2000000, MEM_MODULE }),
	EXPECT({ 0x0, 0x9f000, MEM_LOW }, { 0x9fc00, 0xa0000, R }, { 0xf0000, 0x100000, R },
	       { 0x100000, 0x800000, U }, { 0x800000, 0x1000000, MEM_MODULE },
	       { 0xbffe0000, 0xc0000000, R }, { 0xfeffc000, 0xff000000, R },
	       { 0xfffc0000, 0x100000000, R }, { 0xfd00000000, 0x10000000000, R }))

static void test_totals_qemu_pc_8g(struct ktest *t)
{
	struct firmware_map m;

	firmware_map_init(&m, storage, CAPACITY);
	for (size_t i = 0; i < qemu_pc_8g_case.ninput; i++)
		KASSERT_EQ(t, firmware_map_add(&m, qemu_pc_8g_case.input[i].base,
					       qemu_pc_8g_case.input[i].len,
					       qemu_pc_8g_case.input[i].type), 0);
	sanitize_ok(t, &m, NULL, 0, 0);
	KEXPECT_UEQ(t, firmware_map_usable_bytes(&m), 0x9f000 + (0xbffe0000 - 0x100000) + 0x140000000ull);
	/* Not 0x10000000000: the reserved range SeaBIOS puts at 0xfd00000000 is no RAM. */
	KEXPECT_UEQ(t, firmware_map_top_of_ram(&m), 0x240000000);

	firmware_map_init(&m, storage, CAPACITY);
	KEXPECT_UEQ(t, firmware_map_top_of_ram(&m), 0);
	KEXPECT_UEQ(t, firmware_map_usable_bytes(&m), 0);
}

static void test_top_of_ram_counts_carved_ram(struct ktest *t)
{
	static const struct mem_range carve[] = { { 0x3000000, 0x4000000, MEM_MODULE } };
	struct firmware_map m;

	firmware_map_init(&m, storage, CAPACITY);
	KASSERT_EQ(t, firmware_map_add(&m, 0x100000, 0x3f00000, U), 0);
	KASSERT_EQ(t, firmware_map_add(&m, 0x8000000, 0x1000000, ACPI), 0);
	sanitize_ok(t, &m, carve, 1, 0);
	KEXPECT_UEQ(t, firmware_map_top_of_ram(&m), 0x4000000);
	KEXPECT_UEQ(t, firmware_map_usable_bytes(&m), 0x2f00000);
}

/* Many entries, unsorted: 320 usable ranges with unaligned ends, each
 * overlapped at its tail by a reserved one, plus duplicates. */
static void test_hundreds_of_entries(struct ktest *t)
{
	enum { BLOCKS = 320, STRIDE = 0x20000 };
	struct firmware_map m;

	firmware_map_init(&m, storage, CAPACITY);
	for (uint64_t k = 0; k < BLOCKS; k++) {
		uint64_t i = (k * 97) % BLOCKS;
		uint64_t at = 0x100000 + i * STRIDE;

		KASSERT_EQ(t, firmware_map_add(&m, at + 0x100, 0x18000 - 0x100 + 0x80, U), 0);
		KASSERT_EQ(t, firmware_map_add(&m, at + 0x18000, 0x4000, R), 0);
		if (k % 16 == 0)
			KASSERT_EQ(t, firmware_map_add(&m, at + 0x100, 0x1000, U), 0);
	}
	KEXPECT_GT(t, m.count, 2 * BLOCKS);
	sanitize_ok(t, &m, NULL, 0, 0);
	KEXPECT_NULL(t, firmware_map_check(&m));
	KASSERT_EQ(t, m.count, 2 * BLOCKS);
	for (uint64_t i = 0; i < BLOCKS; i++) {
		uint64_t at = 0x100000 + i * STRIDE;
		const struct mem_range *usable = &m.ranges[2 * i], *reserved = usable + 1;

		KEXPECT_UEQ(t, usable->base, at + 0x1000);
		KEXPECT_UEQ(t, usable->end, at + 0x18000);
		KEXPECT_EQ(t, usable->type, U);
		KEXPECT_UEQ(t, reserved->base, at + 0x18000);
		KEXPECT_UEQ(t, reserved->end, at + 0x1c000);
		KEXPECT_EQ(t, reserved->type, R);
	}
	KEXPECT_UEQ(t, firmware_map_usable_bytes(&m), BLOCKS * 0x17000ull);
}

/* 600 touching usable pieces given backwards merge into one range. */
static void test_hundreds_of_pieces_merge(struct ktest *t)
{
	enum { PIECES = 600 };
	struct firmware_map m;

	firmware_map_init(&m, storage, CAPACITY);
	for (uint64_t i = PIECES; i-- > 0;)
		KASSERT_EQ(t, firmware_map_add(&m, 0x100000 + i * 0x1800, 0x1800, U), 0);
	sanitize_ok(t, &m, NULL, 0, 0);
	expect_map(t, &m, (const struct mem_range[]){
			   { 0x100000, 0x100000 + PIECES * 0x1800, U } }, 1);
}

/* EFI descriptors as OVMF lays them out, stored 48 bytes apart. */
#define EFI_DESC_SIZE 48
#define RAM_ATTR 0xfull
#define RUNTIME_ATTR (0x8000000000000000ull | 0xfull)

struct efi_entry {
	uint32_t type;
	uint64_t start, pages;
	uint64_t attribute;
};

static void store_le(uint8_t *p, uint64_t value, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

static size_t write_efi_map(uint8_t *buf, size_t cap, const struct efi_entry *e, size_t n)
{
	size_t used = 0;

	for (size_t i = 0; i < n && used + EFI_DESC_SIZE <= cap; i++, used += EFI_DESC_SIZE) {
		uint8_t *d = buf + used;

		for (unsigned b = 0; b < EFI_DESC_SIZE; b++)
			d[b] = 0xaa;	/* the bytes past the 40 known ones */
		store_le(d, e[i].type, 4);
		store_le(d + 8, e[i].start, 8);
		store_le(d + 16, 0, 8);
		store_le(d + 24, e[i].pages, 8);
		store_le(d + 32, e[i].attribute, 8);
	}
	return used / EFI_DESC_SIZE;
}

static const struct efi_entry ovmf_head[] = {
	{ EFI_BOOT_SERVICES_CODE, 0x0, 1, RAM_ATTR },
	{ EFI_CONVENTIONAL_MEMORY, 0x1000, 0x9f, RAM_ATTR },
	{ EFI_CONVENTIONAL_MEMORY, 0x100000, 0x700, RAM_ATTR },
	{ EFI_ACPI_MEMORY_NVS, 0x800000, 0x8, RAM_ATTR },
	{ EFI_CONVENTIONAL_MEMORY, 0x808000, 0x3, RAM_ATTR },
	{ EFI_ACPI_MEMORY_NVS, 0x80b000, 0x1, RAM_ATTR },
	{ EFI_CONVENTIONAL_MEMORY, 0x80c000, 0x4, RAM_ATTR },
	{ EFI_ACPI_MEMORY_NVS, 0x810000, 0xf0, RAM_ATTR },
	{ EFI_CONVENTIONAL_MEMORY, 0x900000, 0x700, RAM_ATTR },
};

static const struct efi_entry ovmf_tail[] = {
	{ EFI_RUNTIME_SERVICES_DATA, 0x7e000000, 0x100, RUNTIME_ATTR },
	{ EFI_RUNTIME_SERVICES_CODE, 0x7e100000, 0x100, RUNTIME_ATTR },
	{ EFI_CONVENTIONAL_MEMORY, 0x7e200000, 0x1600, RAM_ATTR },
	{ EFI_ACPI_RECLAIM_MEMORY, 0x7f800000, 0xa, RAM_ATTR },
	{ EFI_ACPI_MEMORY_NVS, 0x7f80a000, 0xf6, RAM_ATTR },
	{ EFI_BOOT_SERVICES_DATA, 0x7f900000, 0x678, RAM_ATTR },
	{ EFI_RESERVED_TYPE, 0x7ff78000, 0x88, RAM_ATTR },
	{ EFI_RESERVED_TYPE, 0xe0000000, 0x10000, 0 },
	{ EFI_MEMORY_MAPPED_IO, 0xffc00000, 0x400, RUNTIME_ATTR },
	{ EFI_CONVENTIONAL_MEMORY, 0x100000000, 0x80000, RAM_ATTR },
	{ EFI_CONVENTIONAL_MEMORY, 0x180000000, 0x100, 0 },	/* not write-back */
	{ EFI_PERSISTENT_MEMORY, 0x200000000, 0x40000, RAM_ATTR },
	{ EFI_UNUSABLE_MEMORY, 0x240000000, 0x1, RAM_ATTR },
	{ EFI_PAL_CODE, 0x250000000, 0x1, RAM_ATTR },
	{ EFI_UNACCEPTED_MEMORY, 0x250001000, 0x1, RAM_ATTR },
	{ 0x70000000, 0x250002000, 0x1, RAM_ATTR },		/* OEM type */
	{ EFI_CONVENTIONAL_MEMORY, 0x300000000, UINT64_MAX, RAM_ATTR },
};

static const struct mem_range ovmf_expect[] = {
	{ 0x0, 0xa0000, U },
	{ 0x100000, 0x800000, U },
	{ 0x800000, 0x808000, NVS },
	{ 0x808000, 0x80b000, U },
	{ 0x80b000, 0x80c000, NVS },
	{ 0x80c000, 0x810000, U },
	{ 0x810000, 0x900000, NVS },
	{ 0x900000, 0x7e000000, U },
	{ 0x7e000000, 0x7e200000, R },
	{ 0x7e200000, 0x7f800000, U },
	{ 0x7f800000, 0x7f80a000, ACPI },
	{ 0x7f80a000, 0x7f900000, NVS },
	{ 0x7f900000, 0x7ff78000, U },
	{ 0x7ff78000, 0x80000000, R },
	{ 0xe0000000, 0xf0000000, R },
	{ 0xffc00000, 0x100000000, R },
	{ 0x100000000, 0x180000000, U },
	{ 0x180000000, 0x180100000, R },
	{ 0x200000000, 0x240000000, PMEM },
	{ 0x240000000, 0x240001000, BAD },
	{ 0x250000000, 0x250003000, R },
	{ 0x300000000, 0xfffffffffffff000, U },
};

static uint8_t efi_buffer[300 * EFI_DESC_SIZE];

/* The OVMF-like map: head, 125 fragments of 16 MiB in rotating RAM types, tail. */
static size_t build_ovmf_map(void)
{
	static const uint32_t fragment_types[] = {
		EFI_LOADER_CODE, EFI_LOADER_DATA, EFI_BOOT_SERVICES_CODE,
		EFI_BOOT_SERVICES_DATA, EFI_CONVENTIONAL_MEMORY,
	};
	size_t n = 0;

	n += write_efi_map(efi_buffer, sizeof(efi_buffer), ovmf_head,
			   sizeof(ovmf_head) / sizeof(ovmf_head[0]));
	for (uint64_t at = 0x1000000, k = 0; at < 0x7e000000; at += 0x1000000, k++) {
		struct efi_entry e = { fragment_types[k % 5], at, 0x1000, RAM_ATTR };

		n += write_efi_map(efi_buffer + n * EFI_DESC_SIZE,
				   sizeof(efi_buffer) - n * EFI_DESC_SIZE, &e, 1);
	}
	n += write_efi_map(efi_buffer + n * EFI_DESC_SIZE, sizeof(efi_buffer) - n * EFI_DESC_SIZE,
			   ovmf_tail, sizeof(ovmf_tail) / sizeof(ovmf_tail[0]));
	return n;
}

static void efi_boot_info(struct boot_info *bi, size_t count)
{
	unsigned char *bytes = (unsigned char *)bi;

	for (size_t i = 0; i < sizeof(*bi); i++)
		bytes[i] = 0;
	bi->efi_mmap.entries = efi_buffer;
	bi->efi_mmap.entry_size = EFI_DESC_SIZE;
	bi->efi_mmap.version = 1;
	bi->efi_mmap.count = count;
}

static void test_ovmf_efi_map(struct ktest *t)
{
	struct boot_info bi;
	struct firmware_map m;
	size_t n = build_ovmf_map();

	KASSERT_EQ(t, n, 9 + 125 + 17);
	efi_boot_info(&bi, n);
	firmware_map_init(&m, storage, CAPACITY);
	KASSERT_EQ(t, firmware_map_add_bootinfo(&m, &bi), 0);
	KEXPECT_EQ(t, m.count, n);
	sanitize_ok(t, &m, NULL, 0, 0);
	expect_map(t, &m, ovmf_expect, sizeof(ovmf_expect) / sizeof(ovmf_expect[0]));
}

/* GRUB under UEFI passes both maps; the type-6 one is coarser and must not win. */
static void test_ovmf_both_maps(struct ktest *t)
{
	uint8_t mmap_buffer[4 * 24];
	static const struct firmware_entry e820[] = {
		{ 0x0, 0xa0000, U }, { 0x100000, 0x7ff00000, U },
		{ 0x100000000, 0x80000000, U }, { 0xffc00000, 0x400000, R },
	};
	struct boot_info bi;
	struct firmware_map m;

	efi_boot_info(&bi, build_ovmf_map());
	for (size_t i = 0; i < 4; i++) {
		store_le(mmap_buffer + 24 * i, e820[i].base, 8);
		store_le(mmap_buffer + 24 * i + 8, e820[i].len, 8);
		store_le(mmap_buffer + 24 * i + 16, e820[i].type, 4);
		store_le(mmap_buffer + 24 * i + 20, 0, 4);
	}
	bi.mmap.entries = mmap_buffer;
	bi.mmap.entry_size = 24;
	bi.mmap.count = 4;
	firmware_map_init(&m, storage, CAPACITY);
	KASSERT_EQ(t, firmware_map_add_bootinfo(&m, &bi), 0);
	sanitize_ok(t, &m, NULL, 0, 0);
	expect_map(t, &m, ovmf_expect, sizeof(ovmf_expect) / sizeof(ovmf_expect[0]));
}

/* One descriptor of each EFI type, and what it becomes. */
static void test_efi_type_conversion(struct ktest *t)
{
	static const struct {
		uint32_t efi_type;
		uint64_t attribute;
		bool boot_services_active;
		uint32_t expect;
	} table[] = {
		{ EFI_RESERVED_TYPE, RAM_ATTR, false, R },
		{ EFI_LOADER_CODE, RAM_ATTR, false, U },
		{ EFI_LOADER_DATA, RAM_ATTR, false, U },
		{ EFI_BOOT_SERVICES_CODE, RAM_ATTR, false, U },
		{ EFI_BOOT_SERVICES_DATA, RAM_ATTR, false, U },
		{ EFI_BOOT_SERVICES_CODE, RAM_ATTR, true, R },
		{ EFI_BOOT_SERVICES_DATA, RAM_ATTR, true, R },
		{ EFI_LOADER_DATA, RAM_ATTR, true, U },
		{ EFI_RUNTIME_SERVICES_CODE, RUNTIME_ATTR, false, R },
		{ EFI_RUNTIME_SERVICES_DATA, RUNTIME_ATTR, false, R },
		{ EFI_CONVENTIONAL_MEMORY, RAM_ATTR, false, U },
		{ EFI_CONVENTIONAL_MEMORY, 0x1, false, R },
		{ EFI_UNUSABLE_MEMORY, RAM_ATTR, false, BAD },
		{ EFI_ACPI_RECLAIM_MEMORY, RAM_ATTR, false, ACPI },
		{ EFI_ACPI_MEMORY_NVS, RAM_ATTR, false, NVS },
		{ EFI_MEMORY_MAPPED_IO, RUNTIME_ATTR, false, R },
		{ EFI_MEMORY_MAPPED_IO_PORT_SPACE, RUNTIME_ATTR, false, R },
		{ EFI_PAL_CODE, RAM_ATTR, false, R },
		{ EFI_PERSISTENT_MEMORY, RAM_ATTR, false, PMEM },
		{ EFI_UNACCEPTED_MEMORY, RAM_ATTR, false, R },
		{ 0x80000000, RAM_ATTR, false, R },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct efi_entry e = { table[i].efi_type, 0x100000, 16, table[i].attribute };
		struct boot_info bi;
		struct firmware_map m;

		write_efi_map(efi_buffer, sizeof(efi_buffer), &e, 1);
		efi_boot_info(&bi, 1);
		bi.efi_boot_services_active = table[i].boot_services_active;
		firmware_map_init(&m, storage, CAPACITY);
		KASSERT_EQ(t, firmware_map_add_bootinfo(&m, &bi), 0);
		KASSERT_EQ(t, m.count, 1);
		KEXPECT_EQ(t, m.ranges[0].type, table[i].expect);
		KEXPECT_UEQ(t, m.ranges[0].base, 0x100000);
		KEXPECT_UEQ(t, m.ranges[0].end, 0x110000);
	}
}

static void test_add_bootinfo_full(struct ktest *t)
{
	struct boot_info bi;
	struct firmware_map m;
	struct mem_range small[4];

	efi_boot_info(&bi, build_ovmf_map());
	firmware_map_init(&m, small, 4);
	KEXPECT_EQ(t, firmware_map_add_bootinfo(&m, &bi), FIRMWARE_MAP_ERR_FULL);
	KEXPECT_EQ(t, m.count, 4);
	KEXPECT_NULL(t, firmware_map_check(&(struct firmware_map){ NULL, 0, 0 }));
}

static void test_add_full_writes_nothing(struct ktest *t)
{
	struct mem_range small[3] = { { 0 }, { 0 }, { 0xdead, 0xbeef, 99 } };
	struct firmware_map m;

	firmware_map_init(&m, small, 2);
	KEXPECT_EQ(t, firmware_map_add(&m, 0x0, 0x1000, U), 0);
	KEXPECT_EQ(t, firmware_map_add(&m, 0x1000, 0x1000, U), 0);
	KEXPECT_EQ(t, firmware_map_add(&m, 0x2000, 0x1000, U), FIRMWARE_MAP_ERR_FULL);
	KEXPECT_EQ(t, firmware_map_add(&m, 0x2000, 0, U), 0);	/* dropped, so no error */
	KEXPECT_EQ(t, m.count, 2);
	KEXPECT_UEQ(t, small[2].base, 0xdead);
	KEXPECT_EQ(t, small[2].type, 99);

	firmware_map_init(&m, NULL, 10);
	KEXPECT_EQ(t, m.capacity, 0);
	KEXPECT_EQ(t, firmware_map_add(&m, 0x0, 0x1000, U), FIRMWARE_MAP_ERR_FULL);
}

/* Resolving overlaps can produce more ranges than went in. */
static void test_sanitize_capacity_overflow(struct ktest *t)
{
	struct mem_range small[4];
	struct firmware_map_change work[16];
	struct firmware_map_error err;
	struct firmware_map m;

	firmware_map_init(&m, small, 3);
	KASSERT_EQ(t, firmware_map_add(&m, 0x0, 0x10000, U), 0);
	KASSERT_EQ(t, firmware_map_add(&m, 0x2000, 0x1000, R), 0);
	KASSERT_EQ(t, firmware_map_add(&m, 0x6000, 0x1000, R), 0);
	KEXPECT_EQ(t, firmware_map_sanitize(&m, work, 16, NULL, 0, 0, &err), FIRMWARE_MAP_ERR_FULL);
	KEXPECT_EQ(t, err.code, FIRMWARE_MAP_ERR_FULL);
	KEXPECT_STREQ(t, err.message, "memory map capacity exceeded");
	KEXPECT_EQ(t, m.count, 0);
	KEXPECT_NULL(t, firmware_map_check(&m));

	/* The same map fits with room for five. */
	firmware_map_init(&m, small, 4);
	KASSERT_EQ(t, firmware_map_add(&m, 0x0, 0x10000, U), 0);
	KASSERT_EQ(t, firmware_map_add(&m, 0x2000, 0x1000, R), 0);
	KEXPECT_EQ(t, firmware_map_sanitize(&m, work, 16, NULL, 0, 0, &err), 0);
	KEXPECT_EQ(t, m.count, 3);

	/* A carve splitting a usable range overflows too. */
	{
		static const struct mem_range carve[] = { { 0x8000, 0x9000, MEM_KERNEL } };

		KEXPECT_EQ(t, firmware_map_sanitize(&m, work, 16, carve, 1, 0, &err), FIRMWARE_MAP_ERR_FULL);
		KEXPECT_STREQ(t, err.message, "memory map capacity exceeded");
		KEXPECT_EQ(t, m.count, 0);
	}
}

static void test_sanitize_bad_arguments(struct ktest *t)
{
	static const struct mem_range usable_carve[] = { { 0x0, 0x1000, MEM_USABLE } };
	static const struct mem_range inverted_carve[] = { { 0x2000, 0x1000, MEM_KERNEL } };
	struct firmware_map_change work[8];
	struct firmware_map_error err;
	struct firmware_map m;

	firmware_map_init(&m, storage, CAPACITY);
	KASSERT_EQ(t, firmware_map_add(&m, 0x0, 0x10000, U), 0);
	KASSERT_EQ(t, firmware_map_add(&m, 0x20000, 0x10000, U), 0);
	KEXPECT_EQ(t, firmware_map_sanitize(&m, work, 3, NULL, 0, 0, &err), FIRMWARE_MAP_ERR_SCRATCH);
	KEXPECT_STREQ(t, err.message, "scratch space too small");
	KEXPECT_EQ(t, m.count, 0);

	KASSERT_EQ(t, firmware_map_add(&m, 0x0, 0x10000, U), 0);
	KEXPECT_EQ(t, firmware_map_sanitize(&m, NULL, 100, NULL, 0, 0, &err), FIRMWARE_MAP_ERR_SCRATCH);

	KASSERT_EQ(t, firmware_map_add(&m, 0x0, 0x10000, U), 0);
	KASSERT_EQ(t, firmware_map_add(&m, 0x20000, 0x10000, U), 0);
	/* Enough for the firmware sweep (4), not for the carve sweep (6). */
	KEXPECT_EQ(t, firmware_map_sanitize(&m, work, 5, NULL, 0, 0, &err), 0);
	KASSERT_EQ(t, m.count, 2);
	KEXPECT_EQ(t, firmware_map_sanitize(&m, work, 5,
					    (const struct mem_range[]){ { 0x0, 0x1000, MEM_LOW } },
					    1, 0, &err), FIRMWARE_MAP_ERR_SCRATCH);

	KASSERT_EQ(t, firmware_map_add(&m, 0x0, 0x10000, U), 0);
	KEXPECT_EQ(t, firmware_map_sanitize(&m, work, 8, usable_carve, 1, 0, &err),
		   FIRMWARE_MAP_ERR_CARVE_TYPE);
	KEXPECT_STREQ(t, err.message, "carve range type is not a carve type");

	KASSERT_EQ(t, firmware_map_add(&m, 0x0, 0x10000, U), 0);
	KEXPECT_EQ(t, firmware_map_sanitize(&m, work, 8, inverted_carve, 1, 0, &err),
		   FIRMWARE_MAP_ERR_INVERTED);
	KEXPECT_STREQ(t, err.message, "range ends before it starts");

	/* Ranges written directly into the storage get the same checks. */
	storage[0] = (struct mem_range){ 0x5000, 0x4000, U };
	m.count = 1;
	KEXPECT_EQ(t, firmware_map_sanitize(&m, work, 8, NULL, 0, 0, &err), FIRMWARE_MAP_ERR_INVERTED);
	storage[0] = (struct mem_range){ 0x5000, 0x5000, U };
	storage[1] = (struct mem_range){ 0x1000, 0x3000, 42 };
	m.count = 2;
	KEXPECT_EQ(t, firmware_map_sanitize(&m, work, 8, NULL, 0, 0, NULL), 0);
	expect_map(t, &m, (const struct mem_range[]){ { 0x1000, 0x3000, R } }, 1);

	m.count = m.capacity + 1;
	KEXPECT_EQ(t, firmware_map_sanitize(&m, work, 8, NULL, 0, 0, &err), FIRMWARE_MAP_ERR_BAD_MAP);
	KEXPECT_STREQ(t, err.message, "map count exceeds its capacity or storage is NULL");
	KEXPECT_EQ(t, m.count, 0);
}

static void test_check_finds_broken_invariants(struct ktest *t)
{
	static const struct {
		struct mem_range ranges[2];
		size_t count;
		const char *expect;
	} table[] = {
		{ { { 0x0, 0x1000, U }, { 0x2000, 0x3000, R } }, 2, NULL },
		{ { { 0x1000, 0x1000, R } }, 1, "empty or inverted range" },
		{ { { 0x2000, 0x1000, R } }, 1, "empty or inverted range" },
		{ { { 0x0, 0x1000, 6 } }, 1, "unknown range type" },
		{ { { 0x0, 0x1800, U } }, 1, "usable or carved range not page aligned" },
		{ { { 0x800, 0x1000, MEM_KERNEL } }, 1, "usable or carved range not page aligned" },
		{ { { 0x800, 0x1800, R } }, 1, NULL },
		{ { { 0x2000, 0x3000, R }, { 0x0, 0x1000, U } }, 2, "ranges not sorted by base" },
		{ { { 0x0, 0x2000, R }, { 0x1000, 0x3000, U } }, 2, "ranges overlap" },
		{ { { 0x0, 0x1000, R }, { 0x1000, 0x3000, R } }, 2,
		  "touching ranges of the same type not merged" },
		{ { { 0x0, 0x1000, MEM_LOW }, { 0x1000, 0x3000, U } }, 2, NULL },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct mem_range copy[2] = { table[i].ranges[0], table[i].ranges[1] };
		struct firmware_map m = { copy, table[i].count, 2 };

		KEXPECT_STREQ(t, firmware_map_check(&m), table[i].expect);
	}
	KEXPECT_STREQ(t, firmware_map_check(NULL), "map is NULL");
	KEXPECT_STREQ(t, firmware_map_check(&(struct firmware_map){ storage, 3, 2 }),
		      "count exceeds capacity");
	KEXPECT_STREQ(t, firmware_map_check(&(struct firmware_map){ NULL, 1, 2 }),
		      "ranges NULL with a non-zero count");
}

static void test_type_names(struct ktest *t)
{
	KEXPECT_STREQ(t, mem_type_name(MEM_USABLE), "usable");
	KEXPECT_STREQ(t, mem_type_name(MEM_RESERVED), "reserved");
	KEXPECT_STREQ(t, mem_type_name(MEM_ACPI_RECLAIM), "ACPI data");
	KEXPECT_STREQ(t, mem_type_name(MEM_ACPI_NVS), "ACPI NVS");
	KEXPECT_STREQ(t, mem_type_name(MEM_UNUSABLE), "unusable");
	KEXPECT_STREQ(t, mem_type_name(MEM_PERSISTENT), "persistent (type 7)");
	KEXPECT_STREQ(t, mem_type_name(MEM_LOW), "low memory (first MiB)");
	KEXPECT_STREQ(t, mem_type_name(MEM_KERNEL), "kernel image");
	KEXPECT_STREQ(t, mem_type_name(MEM_BOOTINFO), "boot info");
	KEXPECT_STREQ(t, mem_type_name(MEM_MODULE), "module");
	KEXPECT_STREQ(t, mem_type_name(0), "unknown");
	KEXPECT_STREQ(t, mem_type_name(6), "unknown");
	KEXPECT_STREQ(t, firmware_map_error_message(FIRMWARE_MAP_ERR_COUNT), "unknown error");
	KEXPECT_STREQ(t, firmware_map_error_message(-1), "unknown error");
	KEXPECT_TRUE(t, mem_type_is_carve(MEM_BOOTINFO));
	KEXPECT_FALSE(t, mem_type_is_carve(MEM_USABLE));
}

/*
 * Random maps against a model that decides each 512-byte unit on its own:
 * the highest firmware type covering it, usable runs shrunk to pages and
 * cut at the limit, then the highest carve over usable pages.
 */
#define UNIT 512u
#define BASE_UNITS 512u	/* ranges start in the first 256 KiB... */
#define UNITS 640u		/* ...and end within 320 KiB */

static uint64_t random_next(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return *state >> 33;
}

static uint8_t model[UNITS];
static struct mem_range model_map[UNITS];

static size_t model_runs(void)
{
	size_t n = 0;

	for (uint32_t u = 0; u < UNITS; u++) {
		if (!model[u])
			continue;
		if (n && model_map[n - 1].type == model[u] && model_map[n - 1].end == u * UNIT) {
			model_map[n - 1].end += UNIT;
			continue;
		}
		model_map[n++] = (struct mem_range){ u * UNIT, (u + 1) * UNIT, model[u] };
	}
	return n;
}

static void model_sanitize(const struct mem_range *in, size_t nin, const struct mem_range *carve,
			   size_t ncarve, uint64_t limit)
{
	size_t n;

	for (uint32_t u = 0; u < UNITS; u++) {
		model[u] = 0;
		for (size_t i = 0; i < nin; i++)
			if (in[i].base <= u * UNIT && u * UNIT < in[i].end && in[i].type > model[u])
				model[u] = (uint8_t)in[i].type;
	}
	n = model_runs();
	for (size_t i = 0; i < n; i++) {
		uint64_t base = (model_map[i].base + 4095) & ~4095ull;
		uint64_t end = model_map[i].end & ~4095ull;

		if (model_map[i].type != U)
			continue;
		if (limit && end > (limit & ~4095ull))
			end = limit & ~4095ull;
		for (uint64_t a = model_map[i].base; a < model_map[i].end; a += UNIT)
			if (a < base || a >= end)
				model[a / UNIT] = 0;
	}
	for (uint32_t u = 0; u < UNITS; u++) {
		uint8_t best = 0;
		uint64_t page = u * UNIT & ~4095ull;

		if (model[u] != U)
			continue;
		for (size_t i = 0; i < ncarve; i++)
			if (carve[i].base < carve[i].end && carve[i].base < page + 4096 &&
			    page < carve[i].end && carve[i].type > best)
				best = (uint8_t)carve[i].type;
		if (best)
			model[u] = best;
	}
}

static void test_random_against_model(struct ktest *t)
{
	static const uint32_t types[] = { U, U, U, R, ACPI, NVS, BAD, PMEM, 9 };
	uint64_t state = 0x5eed;

	for (int round = 0; round < 3000; round++) {
		struct mem_range in[24], carve[4];
		size_t nin = 1 + random_next(&state) % 24, ncarve = random_next(&state) % 5;
		uint64_t limit = random_next(&state) % 3 ? 0 : random_next(&state) % (BASE_UNITS * UNIT);
		struct firmware_map m;
		size_t n;

		firmware_map_init(&m, storage, CAPACITY);
		for (size_t i = 0; i < nin; i++) {
			uint64_t base = random_next(&state) % BASE_UNITS * UNIT;
			uint64_t len = random_next(&state) % 64 * UNIT;
			uint32_t type = types[random_next(&state) % 9];

			KASSERT_EQ(t, firmware_map_add(&m, base, len, type), 0);
			in[i] = (struct mem_range){ base, base + len, type == 9 ? R : type };
		}
		for (size_t i = 0; i < ncarve; i++) {
			uint64_t base = random_next(&state) % BASE_UNITS * UNIT;

			carve[i] = (struct mem_range){ base,
				base + random_next(&state) % 32 * UNIT + random_next(&state) % 3,
				MEM_LOW + (uint32_t)(random_next(&state) % 4) };
		}
		sanitize_ok(t, &m, carve, ncarve, limit);
		KASSERT_NULL(t, firmware_map_check(&m));
		model_sanitize(in, nin, carve, ncarve, limit);
		n = model_runs();
		KASSERT_EQ(t, m.count, n);
		for (size_t i = 0; i < n; i++) {
			KASSERT_UEQ(t, m.ranges[i].base, model_map[i].base);
			KASSERT_UEQ(t, m.ranges[i].end, model_map[i].end);
			KASSERT_EQ(t, m.ranges[i].type, model_map[i].type);
		}
	}
}

KTEST_SUITE(firmware_map,
	    KTEST_CASE(test_empty_map),
	    KTEST_CASE(test_unsorted),
	    KTEST_CASE(test_overlap_reserved_wins),
	    KTEST_CASE(test_overlap_usable_listed_last_still_loses),
	    KTEST_CASE(test_overlap_higher_type_wins),
	    KTEST_CASE(test_reserved_inside_reserved),
	    KTEST_CASE(test_seabios_unaligned_low_end),
	    KTEST_CASE(test_unaligned_both_ends_and_sub_page),
	    KTEST_CASE(test_touching_unaligned_usable_merge_before_align),
	    KTEST_CASE(test_adjacent_same_type_merged),
	    KTEST_CASE(test_adjacent_different_types_kept),
	    KTEST_CASE(test_duplicates_collapse),
	    KTEST_CASE(test_zero_length_dropped),
	    KTEST_CASE(test_sub_page_usable_between_reserved),
	    KTEST_CASE(test_above_4g),
	    KTEST_CASE(test_base_plus_len_overflow),
	    KTEST_CASE(test_usable_at_top_of_address_space),
	    KTEST_CASE(test_unknown_types_become_reserved),
	    KTEST_CASE(test_qemu_pc_8g),
	    KTEST_CASE(test_qemu_q35_split_at_2g),
	    KTEST_CASE(test_carve_kernel_bootinfo_modules_low),
	    KTEST_CASE(test_carve_only_where_usable),
	    KTEST_CASE(test_carve_overlaps),
	    KTEST_CASE(test_mem_limit_cuts_usable_only),
	    KTEST_CASE(test_mem_limit_below_4g),
	    KTEST_CASE(test_mem_limit_with_carves),
	    KTEST_CASE(test_totals_qemu_pc_8g),
	    KTEST_CASE(test_top_of_ram_counts_carved_ram),
	    KTEST_CASE(test_hundreds_of_entries),
	    KTEST_CASE(test_hundreds_of_pieces_merge),
	    KTEST_CASE(test_ovmf_efi_map),
	    KTEST_CASE(test_ovmf_both_maps),
	    KTEST_CASE(test_efi_type_conversion),
	    KTEST_CASE(test_add_bootinfo_full),
	    KTEST_CASE(test_add_full_writes_nothing),
	    KTEST_CASE(test_sanitize_capacity_overflow),
	    KTEST_CASE(test_sanitize_bad_arguments),
	    KTEST_CASE(test_check_finds_broken_invariants),
	    KTEST_CASE(test_type_names),
	    KTEST_CASE(test_random_against_model));
