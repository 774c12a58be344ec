// SPDX-License-Identifier: MIT
/*
 * memblock.c: the early physical memory allocator (contract in memblock.h).
 *
 * Two sorted lists of page-aligned [base, end) ranges: memory, the usable
 * RAM, and reserved, what was handed out or must never be.  The free
 * memory is not stored anywhere: it is memory minus reserved, computed on
 * demand as the gaps between reserved ranges inside each memory range.
 * That keeps a single source of truth, and the hand-over to the buddy
 * allocator is the same gap walk as the allocator's search.
 *
 * Every change to a list is an insertion of the uncovered gaps of a range
 * ("fill the gaps", so a range already there keeps its owner) or a removal
 * of a fully covered range.  Before a list is touched the final count is
 * computed, and a change that would not fit is refused whole: an error
 * never leaves a half-done list behind.
 *
 * Allocation is top-down, as in Linux: memory ranges are walked from the
 * highest, and inside each the free gaps from the highest; the first gap
 * where an aligned block fits wins, placed as high in it as alignment
 * allows.  High memory is the least precious (DMA wants low addresses),
 * and consecutive allocations stack downward and merge into one reserved
 * range when they share an owner.  Worked example, 16 KiB aligned:
 *
 *   memory   [0x100000, 0x800000)
 *   reserved [0x7fc000, 0x800000) "memmap", [0x7f0000, 0x7f9000) "kernel image"
 *
 *   free gaps, highest first:  [0x7f9000, 0x7fc000)   12 KiB
 *                              [0x100000, 0x7f0000)
 *
 *   alloc 8 KiB, align 16 KiB: first gap: ALIGN_DOWN(0x7fc000 - 0x2000) =
 *       0x7f8000, below the gap's base 0x7f9000: no fit.  Second gap:
 *       ALIGN_DOWN(0x7f0000 - 0x2000) = 0x7ec000: fits, returned.
 *   alloc 4 KiB, align 4 KiB: first gap: 0x7fb000, returned; if its owner
 *       were "memmap" it would merge into [0x7fb000, 0x800000).
 *
 * Lists are short (tens of ranges), so the work per call is linear at
 * worst; positions are found by binary search.
 */
#include <kernel.h>
#include <memblock.h>
#include <firmware_map.h>
#include <printk.h>

#define PAGE_SIZE MEMBLOCK_PAGE_SIZE
#define PAGE_MASK (PAGE_SIZE - 1)
/* Highest page-aligned address; no exclusive end can lie above it. */
#define LAST_PAGE_ADDR (~PAGE_MASK)

static const char *const memblock_messages[MEMBLOCK_ERR_COUNT] = {
	[MEMBLOCK_OK] = "no error",
	[MEMBLOCK_ERR_FULL] = "range list capacity exceeded",
	[MEMBLOCK_ERR_RANGE] = "range runs past the top of the address space",
	[MEMBLOCK_ERR_ALIGN] = "base address is not page aligned",
	[MEMBLOCK_ERR_NOT_RESERVED] = "range is not reserved",
	[MEMBLOCK_ERR_BAD_MAP] = "memory map is not sanitized",
};

/* ---- one range list ------------------------------------------------------ */

static bool owner_equal(const char *a, const char *b)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Index of the first range ending above @address (count if none). */
static size_t first_ending_above(const struct memblock_type *type, uint64_t address)
{
	size_t low = 0, high = type->count;

	while (low < high) {
		size_t middle = low + (high - low) / 2;

		if (type->ranges[middle].end > address)
			high = middle;
		else
			low = middle + 1;
	}
	return low;
}

/* Number of ranges starting below @address. */
static size_t count_starting_below(const struct memblock_type *type, uint64_t address)
{
	size_t low = 0, high = type->count;

	while (low < high) {
		size_t middle = low + (high - low) / 2;

		if (type->ranges[middle].base < address)
			low = middle + 1;
		else
			high = middle;
	}
	return low;
}

/*
 * The lowest part of [@start, @end) that no range of @type covers.
 * @index receives where a range filling it would be inserted.
 */
static bool lowest_gap(const struct memblock_type *type, uint64_t start, uint64_t end,
		       uint64_t *gap_base, uint64_t *gap_end, size_t *index)
{
	size_t i = first_ending_above(type, start);

	while (start < end) {
		const struct memblock_range *above = i < type->count ? &type->ranges[i] : NULL;

		if (above && above->base <= start) {
			start = above->end;
			i++;
			continue;
		}
		*gap_base = start;
		*gap_end = above && above->base < end ? above->base : end;
		*index = i;
		return true;
	}
	return false;
}

/* The highest part of [@start, @end) that no range of @type covers. */
static bool highest_gap(const struct memblock_type *type, uint64_t start, uint64_t end,
			uint64_t *gap_base, uint64_t *gap_end)
{
	size_t i = count_starting_below(type, end);

	/* Invariant: ranges[i - 1], if any, starts below end. */
	while (start < end) {
		const struct memblock_range *below = i ? &type->ranges[i - 1] : NULL;

		if (below && below->end >= end) {
			end = below->base;
			i--;
			continue;
		}
		*gap_end = end;
		*gap_base = below && below->end > start ? below->end : start;
		return true;
	}
	return false;
}

static bool touches_left(const struct memblock_type *type, size_t index, uint64_t base,
			 const char *owner)
{
	return index > 0 && type->ranges[index - 1].end == base &&
	       owner_equal(type->ranges[index - 1].owner, owner);
}

static bool touches_right(const struct memblock_type *type, size_t index, uint64_t end,
			  const char *owner)
{
	return index < type->count && type->ranges[index].base == end &&
	       owner_equal(type->ranges[index].owner, owner);
}

/* How the count changes when [@base, @end) goes in at @index: +1, 0 or -1. */
static int insert_delta(const struct memblock_type *type, size_t index, uint64_t base,
			uint64_t end, const char *owner)
{
	return 1 - touches_left(type, index, base, owner) - touches_right(type, index, end, owner);
}

static void remove_ranges(struct memblock_type *type, size_t index, size_t n)
{
	for (size_t i = index; i + n < type->count; i++)
		type->ranges[i] = type->ranges[i + n];
	type->count -= n;
}

/* Make room at @index; the caller has checked the capacity. */
static void open_slot(struct memblock_type *type, size_t index)
{
	for (size_t i = type->count; i > index; i--)
		type->ranges[i] = type->ranges[i - 1];
	type->count++;
}

/* Insert the uncovered [@base, @end) at @index, merging with same-owner neighbours. */
static void insert_range(struct memblock_type *type, size_t index, uint64_t base,
			 uint64_t end, const char *owner)
{
	bool left = touches_left(type, index, base, owner);
	bool right = touches_right(type, index, end, owner);

	if (left && right) {
		type->ranges[index - 1].end = type->ranges[index].end;
		remove_ranges(type, index, 1);
	} else if (left) {
		type->ranges[index - 1].end = end;
	} else if (right) {
		type->ranges[index].base = base;
	} else {
		open_slot(type, index);
		type->ranges[index] = (struct memblock_range){ base, end, owner };
	}
}

/* The count after filling the gaps of [@base, @end). */
static size_t count_after_fill(const struct memblock_type *type, uint64_t base, uint64_t end,
			       const char *owner)
{
	size_t count = type->count, index;
	uint64_t gap_base, gap_end;

	while (lowest_gap(type, base, end, &gap_base, &gap_end, &index)) {
		count += insert_delta(type, index, gap_base, gap_end, owner);
		base = gap_end;
	}
	return count;
}

static void fill_gaps(struct memblock_type *type, uint64_t base, uint64_t end,
		      const char *owner, bool merging_only)
{
	uint64_t gap_base, gap_end;
	size_t index;

	while (lowest_gap(type, base, end, &gap_base, &gap_end, &index)) {
		if (!merging_only || insert_delta(type, index, gap_base, gap_end, owner) <= 0)
			insert_range(type, index, gap_base, gap_end, owner);
		base = gap_end;
	}
}

/*
 * Cover [@base, @end) (page aligned) with ranges of @owner where nothing
 * covers it yet.  Every gap's neighbours are ranges that were already there,
 * so each gap's count change does not depend on the others; the merging
 * gaps go in first, so the list never grows past its final count.
 */
static int add_range(struct memblock_type *type, uint64_t base, uint64_t end, const char *owner)
{
	if (base >= end)
		return MEMBLOCK_OK;
	if (count_after_fill(type, base, end, owner) > type->capacity)
		return MEMBLOCK_ERR_FULL;
	fill_gaps(type, base, end, owner, true);
	fill_gaps(type, base, end, owner, false);
	return MEMBLOCK_OK;
}

static bool is_covered(const struct memblock_type *type, uint64_t base, uint64_t end)
{
	uint64_t gap_base, gap_end;
	size_t index;

	return !lowest_gap(type, base, end, &gap_base, &gap_end, &index);
}

/* Take the fully covered [@base, @end) (page aligned, non-empty) out of @type. */
static int remove_range(struct memblock_type *type, uint64_t base, uint64_t end)
{
	size_t first = first_ending_above(type, base), last;
	struct memblock_range *r;

	if (!is_covered(type, base, end))
		return MEMBLOCK_ERR_NOT_RESERVED;
	r = &type->ranges[first];
	if (r->base < base && r->end > end) {
		if (type->count == type->capacity)
			return MEMBLOCK_ERR_FULL;
		open_slot(type, first + 1);
		type->ranges[first + 1] = (struct memblock_range){ end, r->end, r->owner };
		r->end = base;
		return MEMBLOCK_OK;
	}
	if (r->base < base) {
		r->end = base;
		first++;
	}
	last = first;
	while (last < type->count && type->ranges[last].end <= end)
		last++;
	if (last < type->count && type->ranges[last].base < end)
		type->ranges[last].base = end;
	remove_ranges(type, first, last - first);
	return MEMBLOCK_OK;
}

static const char *check_type(const struct memblock_type *type)
{
	if (type->count > type->capacity)
		return "count exceeds capacity";
	if (type->count && !type->ranges)
		return "ranges NULL with a non-zero count";
	for (size_t i = 0; i < type->count; i++) {
		const struct memblock_range *r = &type->ranges[i];

		if (r->base >= r->end)
			return "empty or inverted range";
		if ((r->base | r->end) & PAGE_MASK)
			return "range not page aligned";
		if (i == 0)
			continue;
		if (r[-1].base > r->base)
			return "ranges not sorted by base";
		if (r[-1].end > r->base)
			return "ranges overlap";
		if (r[-1].end == r->base && owner_equal(r[-1].owner, r->owner))
			return "touching ranges of the same owner not merged";
	}
	return NULL;
}

static bool type_contains(const struct memblock_type *type, uint64_t address)
{
	size_t i = first_ending_above(type, address);

	return i < type->count && type->ranges[i].base <= address;
}

/* ---- free ranges: memory minus reserved ---------------------------------- */

/* The lowest free range ending above @from, starting no lower than @from. */
static bool lowest_free_above(const struct memblock *mb, uint64_t from, uint64_t *base,
			      uint64_t *end)
{
	const struct memblock_type *memory = &mb->memory;
	size_t index;

	for (size_t m = first_ending_above(memory, from); m < memory->count; m++) {
		uint64_t start = MAX(from, memory->ranges[m].base);

		if (lowest_gap(&mb->reserved, start, memory->ranges[m].end, base, end, &index))
			return true;
	}
	return false;
}

/*
 * The highest @size bytes at an @align multiple inside [@min, @max) that
 * are free, or 0.  @min is at least a page, so 0 cannot be a result.
 */
static uint64_t find_top_down(const struct memblock *mb, uint64_t size, uint64_t align,
			      uint64_t min, uint64_t max)
{
	const struct memblock_type *memory = &mb->memory;
	uint64_t gap_base, gap_end;

	for (size_t m = count_starting_below(memory, max); m-- > 0;) {
		uint64_t floor = MAX(memory->ranges[m].base, min);
		uint64_t ceiling = MIN(memory->ranges[m].end, max);

		if (memory->ranges[m].end <= min)
			break;
		while (highest_gap(&mb->reserved, floor, ceiling, &gap_base, &gap_end)) {
			if (gap_end - gap_base >= size) {
				uint64_t candidate = ALIGN_DOWN(gap_end - size, align);

				if (candidate >= gap_base)
					return candidate;
			}
			ceiling = gap_base;
		}
	}
	return 0;
}

/* ---- public interface ---------------------------------------------------- */

void memblock_init(struct memblock *mb, struct memblock_range *memory_storage,
		   size_t memory_capacity, struct memblock_range *reserved_storage,
		   size_t reserved_capacity)
{
	mb->memory = (struct memblock_type){
		memory_storage, 0, memory_storage ? memory_capacity : 0, "memory",
	};
	mb->reserved = (struct memblock_type){
		reserved_storage, 0, reserved_storage ? reserved_capacity : 0, "reserved",
	};
}

int memblock_add(struct memblock *mb, uint64_t base, uint64_t size)
{
	if (size > UINT64_MAX - base)
		return MEMBLOCK_ERR_RANGE;
	if (base > LAST_PAGE_ADDR)
		return MEMBLOCK_OK;
	return add_range(&mb->memory, ALIGN_UP(base, PAGE_SIZE), ALIGN_DOWN(base + size, PAGE_SIZE),
			 NULL);
}

int memblock_add_firmware_map(struct memblock *mb, const struct firmware_map *map)
{
	size_t usable = 0;
	int ret;

	if (firmware_map_check(map))
		return MEMBLOCK_ERR_BAD_MAP;
	for (size_t i = 0; i < map->count; i++)
		usable += map->ranges[i].type == MEM_USABLE;
	if (usable > mb->memory.capacity - mb->memory.count)
		return MEMBLOCK_ERR_FULL;
	for (size_t i = 0; i < map->count; i++) {
		const struct mem_range *r = &map->ranges[i];

		if (r->type != MEM_USABLE)
			continue;
		ret = memblock_add(mb, r->base, r->end - r->base);
		if (ret)
			return ret;
	}
	return MEMBLOCK_OK;
}

int memblock_reserve(struct memblock *mb, uint64_t base, uint64_t size, const char *owner)
{
	uint64_t end;

	if (size == 0)
		return MEMBLOCK_OK;
	if (size > UINT64_MAX - base)
		return MEMBLOCK_ERR_RANGE;
	end = base + size;
	if (end > LAST_PAGE_ADDR)
		return MEMBLOCK_ERR_RANGE;
	return add_range(&mb->reserved, ALIGN_DOWN(base, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE),
			 owner);
}

uint64_t memblock_alloc_range(struct memblock *mb, uint64_t size, uint64_t align,
			      uint64_t min, uint64_t max, const char *owner)
{
	uint64_t base;

	if (size == 0 || size > LAST_PAGE_ADDR || (align & (align - 1)))
		return 0;
	size = ALIGN_UP(size, PAGE_SIZE);
	align = MAX(align, PAGE_SIZE);
	if (max == MEMBLOCK_ALLOC_ANYWHERE || max > LAST_PAGE_ADDR)
		max = LAST_PAGE_ADDR;
	/* Page 0 is never handed out: 0 is the failure value. */
	min = min < PAGE_SIZE ? PAGE_SIZE : min;
	if (min > LAST_PAGE_ADDR)
		return 0;
	min = ALIGN_UP(min, PAGE_SIZE);
	max = ALIGN_DOWN(max, PAGE_SIZE);
	if (min >= max || max - min < size)
		return 0;
	base = find_top_down(mb, size, align, min, max);
	if (!base || add_range(&mb->reserved, base, base + size, owner))
		return 0;
	return base;
}

uint64_t memblock_alloc(struct memblock *mb, uint64_t size, uint64_t align, uint64_t limit,
			const char *owner)
{
	return memblock_alloc_range(mb, size, align, 0, limit, owner);
}

int memblock_free(struct memblock *mb, uint64_t base, uint64_t size)
{
	if (base & PAGE_MASK)
		return MEMBLOCK_ERR_ALIGN;
	if (size == 0)
		return MEMBLOCK_OK;
	if (size > LAST_PAGE_ADDR || ALIGN_UP(size, PAGE_SIZE) > LAST_PAGE_ADDR - base)
		return MEMBLOCK_ERR_RANGE;
	return remove_range(&mb->reserved, base, base + ALIGN_UP(size, PAGE_SIZE));
}

bool memblock_next_free(const struct memblock *mb, uint64_t *cursor, uint64_t *base,
			uint64_t *end)
{
	if (!lowest_free_above(mb, *cursor, base, end))
		return false;
	*cursor = *end;
	return true;
}

bool memblock_is_memory(const struct memblock *mb, uint64_t address)
{
	return type_contains(&mb->memory, address);
}

bool memblock_is_reserved(const struct memblock *mb, uint64_t address)
{
	return type_contains(&mb->reserved, address);
}

uint64_t memblock_memory_bytes(const struct memblock *mb)
{
	uint64_t total = 0;

	for (size_t i = 0; i < mb->memory.count; i++)
		total += mb->memory.ranges[i].end - mb->memory.ranges[i].base;
	return total;
}

uint64_t memblock_free_bytes(const struct memblock *mb)
{
	uint64_t cursor, base, end, total = 0;

	for_each_memblock_free_range(mb, cursor, base, end)
		total += end - base;
	return total;
}

uint64_t memblock_reserved_bytes(const struct memblock *mb)
{
	return memblock_memory_bytes(mb) - memblock_free_bytes(mb);
}

const char *memblock_check(const struct memblock *mb)
{
	const char *broken;

	if (!mb)
		return "memblock is NULL";
	broken = check_type(&mb->memory);
	if (broken)
		return broken;
	return check_type(&mb->reserved);
}

/* ---- printing ------------------------------------------------------------ */

/*
 * "20 KiB", "254.87 MiB": the largest unit the size reaches, two decimals
 * (truncated, so a size is never overstated) when it is not a whole number.
 */
static void format_size(char *buf, size_t length, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned level = 0;
	uint64_t unit = 1;

	while (level + 1 < ARRAY_SIZE(units) && bytes >= unit << 10) {
		unit <<= 10;
		level++;
	}
	/* bytes % unit < 2^40, so the product cannot overflow. */
	if (bytes % unit)
		snprintf(buf, length, "%llu.%02llu %s", (unsigned long long)(bytes / unit),
			 (unsigned long long)(bytes % unit * 100 / unit), units[level]);
	else
		snprintf(buf, length, "%llu %s", (unsigned long long)(bytes / unit), units[level]);
}

static void dump_type(const struct memblock_type *type)
{
	char size[24];

	printk(KERN_INFO " %s.cnt  = 0x%zx\n", type->name, type->count);
	for (size_t i = 0; i < type->count; i++) {
		const struct memblock_range *r = &type->ranges[i];

		format_size(size, sizeof(size), r->end - r->base);
		printk(KERN_INFO " %s[0x%zx] [0x%016llx-0x%016llx] %s%s%s\n", type->name, i,
		       (unsigned long long)r->base, (unsigned long long)(r->end - 1), size,
		       r->owner ? " " : "", r->owner ? r->owner : "");
	}
}

void memblock_dump(const struct memblock *mb)
{
	char memory[24], reserved[24], free[24];

	format_size(memory, sizeof(memory), memblock_memory_bytes(mb));
	format_size(reserved, sizeof(reserved), memblock_reserved_bytes(mb));
	format_size(free, sizeof(free), memblock_free_bytes(mb));
	printk(KERN_INFO "MEMBLOCK configuration:\n");
	printk(KERN_INFO " memory size = %s reserved size = %s free size = %s\n", memory,
	       reserved, free);
	dump_type(&mb->memory);
	dump_type(&mb->reserved);
}

const char *memblock_error_message(int code)
{
	if (code < 0 || code >= MEMBLOCK_ERR_COUNT)
		return "unknown error";
	return memblock_messages[code];
}
