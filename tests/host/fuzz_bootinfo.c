// SPDX-License-Identifier: MIT
/*
 * fuzz_bootinfo.c: libFuzzer target for the multiboot2 parser and the map sanitizer.
 *
 * The input is an info block.  Whatever it holds, bootinfo_parse() must not
 * read outside it (AddressSanitizer watches) and must name any error.  When
 * it parses, the maps go through firmware_map_add_bootinfo() and firmware_map_sanitize()
 * with carves for the first MiB, a kernel image, the block and the modules,
 * and the result must keep every invariant: firmware_map_check() passes, usable
 * and carved ranges are page aligned, overlap nothing, lie inside RAM the
 * firmware called usable, touch nothing the firmware called otherwise, and
 * stop below the limit.  Any breach stops the run with __builtin_trap().
 *
 * make fuzz FUZZ_TARGET=bootinfo runs it under libFuzzer; make fuzz-replay
 * (part of make test) replays tests/host/fuzz_corpus/bootinfo/ through it.
 */
#include "bootinfo.h"
#include "firmware_map.h"

#define CAPACITY 512
#define CARVES (4 + BOOTINFO_MAX_MODULES)
#define INFO_PHYS 0x10000ull
#define PAGE_MASK (FIRMWARE_MAP_PAGE_SIZE - 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond))                                                    \
			__builtin_trap();                                       \
	} while (0)

static struct mem_range ranges[CAPACITY];
static struct mem_range firmware[CAPACITY];
static struct firmware_map_change scratch[FIRMWARE_MAP_SCRATCH_ENTRIES(CAPACITY, CARVES)];

static bool inside_block(const void *p, const uint8_t *data, size_t size)
{
	return (const uint8_t *)p >= data && (const uint8_t *)p < data + size;
}

static void check_parse_result(const struct boot_info *bi, const uint8_t *data, size_t size)
{
	CHECK(bi->info_size >= 16 && bi->info_size <= size);
	CHECK(!bi->cmdline || inside_block(bi->cmdline, data, bi->info_size));
	CHECK(!bi->loader_name || inside_block(bi->loader_name, data, bi->info_size));
	CHECK(bi->module_count <= BOOTINFO_MAX_MODULES);
	for (size_t i = 0; i < bi->module_count; i++) {
		CHECK(bi->modules[i].start <= bi->modules[i].end);
		CHECK(inside_block(bi->modules[i].cmdline, data, bi->info_size));
	}
	if (bi->mmap.entries)
		CHECK((const uint8_t *)bi->mmap.entries +
		      bi->mmap.count * bi->mmap.entry_size <= data + bi->info_size);
	if (bi->efi_mmap.entries)
		CHECK((const uint8_t *)bi->efi_mmap.entries +
		      bi->efi_mmap.count * bi->efi_mmap.entry_size <= data + bi->info_size);
	if (bi->rsdp_v2)
		CHECK((const uint8_t *)bi->rsdp_v2 + bi->rsdp_v2_length <= data + bi->info_size);
}

static bool is_ram(uint32_t type)
{
	return type == MEM_USABLE || mem_type_is_carve(type);
}

/* True if [base, end) is covered by the union of the firmware's usable ranges. */
static bool covered_by_usable(uint64_t base, uint64_t end, size_t nfirmware)
{
	uint64_t pos = base;

	while (pos < end) {
		uint64_t next = pos;

		for (size_t i = 0; i < nfirmware; i++)
			if (firmware[i].type == MEM_USABLE && firmware[i].base <= pos &&
			    firmware[i].end > next)
				next = firmware[i].end;
		if (next == pos)
			return false;
		pos = next;
	}
	return true;
}

static void check_map(const struct firmware_map *m, size_t nfirmware, uint64_t limit)
{
	CHECK(firmware_map_check(m) == NULL);
	for (size_t i = 0; i < m->count; i++) {
		const struct mem_range *r = &m->ranges[i];

		CHECK(r->base < r->end);
		if (!is_ram(r->type))
			continue;
		CHECK(((r->base | r->end) & PAGE_MASK) == 0);
		if (limit)
			CHECK(r->end <= (limit & ~PAGE_MASK));
		for (size_t k = 0; k < m->count; k++)
			CHECK(k == i || r->end <= m->ranges[k].base || m->ranges[k].end <= r->base);
		/* Never RAM where the firmware said anything but usable... */
		for (size_t k = 0; k < nfirmware; k++)
			if (firmware[k].type != MEM_USABLE)
				CHECK(r->end <= firmware[k].base || firmware[k].end <= r->base);
		/* ...nor where it said nothing. */
		CHECK(covered_by_usable(r->base, r->end, nfirmware));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_info bi;
	struct bootinfo_error err;
	struct mem_range carve[CARVES];
	struct firmware_map_error map_err;
	struct firmware_map m;
	size_t ncarve = 0, nfirmware;
	uint64_t limit = 0;
	int ret;

	ret = bootinfo_parse(data, size, INFO_PHYS, &bi, &err);
	CHECK(err.code == ret);
	CHECK(err.message && err.message == bootinfo_error_message(ret));
	if (ret) {
		/* The error points inside the input: at a tag header that fits, or at the end. */
		CHECK(err.offset <= size);
		if (err.tag_type != BOOTINFO_NO_TAG)
			CHECK(err.offset + 8 <= size && err.offset % 8 == 0);
		return 0;
	}
	check_parse_result(&bi, data, size);

	firmware_map_init(&m, ranges, CAPACITY);
	if (firmware_map_add_bootinfo(&m, &bi))
		CHECK(m.count == CAPACITY);
	nfirmware = m.count;
	for (size_t i = 0; i < nfirmware; i++) {
		firmware[i] = m.ranges[i];
		CHECK(firmware[i].base < firmware[i].end);
	}

	carve[ncarve++] = (struct mem_range){ 0, 0x100000, MEM_LOW };
	carve[ncarve++] = (struct mem_range){ 0x200000, 0x45a123, MEM_KERNEL };
	carve[ncarve++] = (struct mem_range){ INFO_PHYS, INFO_PHYS + bi.info_size, MEM_BOOTINFO };
	for (size_t i = 0; i < bi.module_count; i++)
		carve[ncarve++] = (struct mem_range){ bi.modules[i].start, bi.modules[i].end,
						      MEM_MODULE };
	/* Let the input choose a mem= limit through the basic meminfo tag. */
	if (bi.meminfo_present)
		limit = ((uint64_t)bi.mem_upper_kib << 10) + (uint64_t)bi.mem_lower_kib * 7;

	ret = firmware_map_sanitize(&m, scratch, sizeof(scratch) / sizeof(scratch[0]), carve, ncarve,
				    limit, &map_err);
	CHECK(map_err.code == ret);
	if (ret) {
		/* Only more ranges than the storage holds can fail here. */
		CHECK(ret == FIRMWARE_MAP_ERR_FULL && m.count == 0);
		return 0;
	}
	check_map(&m, nfirmware, limit);
	CHECK(firmware_map_usable_bytes(&m) <= UINT64_MAX - PAGE_MASK);
	return 0;
}
