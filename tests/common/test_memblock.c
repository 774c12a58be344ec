// SPDX-License-Identifier: MIT
/*
 * test_memblock.c: the early allocator on a private instance (host and kernel).
 *
 * Every case builds its own memblock over static arrays and fake physical
 * addresses; nothing is mapped or touched, it is all bookkeeping.  Table
 * cases call memblock_check() after every step and compare whole lists.
 * A seeded random sequence of allocations and frees is checked step by
 * step against a page-by-page shadow model of a 64 MiB machine with holes.
 */
#include <kernel.h>
#include <ktest.h>
#include <memblock.h>
#include <firmware_map.h>
#include <printk.h>
#include <xorshift.h>

#define MEMORY_CAPACITY 16
#define RESERVED_CAPACITY 64
#define PAGE 4096ull

static struct memblock_range memory_storage[MEMORY_CAPACITY];
static struct memblock_range reserved_storage[RESERVED_CAPACITY];
static struct memblock mb;

#define TABLE(type, ...) \
	(const type[]){ __VA_ARGS__ }, sizeof((const type[]){ __VA_ARGS__ }) / sizeof(type)
#define RANGES(...) TABLE(struct memblock_range, __VA_ARGS__)

static void reset(size_t memory_capacity, size_t reserved_capacity)
{
	memblock_init(&mb, memory_storage, memory_capacity, reserved_storage, reserved_capacity);
}

static void add_memory(struct ktest *t, const struct memblock_range *ranges, size_t n)
{
	for (size_t i = 0; i < n; i++)
		KASSERT_EQ(t, memblock_add(&mb, ranges[i].base, ranges[i].end - ranges[i].base), 0);
	KASSERT_STREQ(t, memblock_check(&mb), NULL);
}

static void reserve(struct ktest *t, const struct memblock_range *ranges, size_t n)
{
	for (size_t i = 0; i < n; i++)
		KASSERT_EQ(t, memblock_reserve(&mb, ranges[i].base, ranges[i].end - ranges[i].base,
					       ranges[i].owner), 0);
	KASSERT_STREQ(t, memblock_check(&mb), NULL);
}

static void expect_list(struct ktest *t, const struct memblock_type *type,
			const struct memblock_range *expect, size_t n)
{
	KEXPECT_STREQ(t, memblock_check(&mb), NULL);
	KASSERT_EQ(t, type->count, n);
	for (size_t i = 0; i < n; i++) {
		KEXPECT_UEQ(t, type->ranges[i].base, expect[i].base);
		KEXPECT_UEQ(t, type->ranges[i].end, expect[i].end);
		KEXPECT_STREQ(t, type->ranges[i].owner, expect[i].owner);
	}
}

/* A copy of both lists, to prove that a refused call changed nothing. */
#define SNAPSHOT_RANGES 64

struct snapshot {
	struct memblock_range memory[SNAPSHOT_RANGES], reserved[SNAPSHOT_RANGES];
	size_t memory_count, reserved_count;
};

static struct snapshot before;

static void take_snapshot(struct snapshot *s)
{
	s->memory_count = mb.memory.count;
	s->reserved_count = mb.reserved.count;
	for (size_t i = 0; i < mb.memory.count && i < SNAPSHOT_RANGES; i++)
		s->memory[i] = mb.memory.ranges[i];
	for (size_t i = 0; i < mb.reserved.count && i < SNAPSHOT_RANGES; i++)
		s->reserved[i] = mb.reserved.ranges[i];
}

static bool same_ranges(const struct memblock_range *a, const struct memblock_range *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].base != b[i].base || a[i].end != b[i].end || a[i].owner != b[i].owner)
			return false;
	return true;
}

static bool unchanged(const struct snapshot *s)
{
	if (s->memory_count > SNAPSHOT_RANGES || s->reserved_count > SNAPSHOT_RANGES)
		return false;
	return s->memory_count == mb.memory.count && s->reserved_count == mb.reserved.count &&
	       same_ranges(s->memory, mb.memory.ranges, s->memory_count) &&
	       same_ranges(s->reserved, mb.reserved.ranges, s->reserved_count);
}

/* ---- adding memory -------------------------------------------------------- */

static const struct {
	uint64_t base, size;
	int ret;
} add_steps[] = {
	{ 0x100000, 0x100000, 0 },			/* [1 MiB, 2 MiB) */
	{ 0x300800, 0x100000, 0 },			/* shrunk to [0x301000, 0x400000) */
	{ 0x200000, 0x101000, 0 },			/* bridges both: one range */
	{ 0x500000, 0, 0 },				/* empty: nothing */
	{ 0x600100, 0xe00, 0 },				/* no whole page: nothing */
	{ 0x800000, 0x100000, 0 },
	{ 0x7ff000, 0x2000, 0 },			/* overlaps, touches from below */
	{ 0xfffffffffffff000, 0x1000, MEMBLOCK_ERR_RANGE }, /* would end at 2^64 */
	{ 0x10000, UINT64_MAX, MEMBLOCK_ERR_RANGE },
};

static void test_add_aligns_and_merges(struct ktest *t)
{
	reset(MEMORY_CAPACITY, RESERVED_CAPACITY);
	for (size_t i = 0; i < ARRAY_SIZE(add_steps); i++) {
		KEXPECT_EQ(t, memblock_add(&mb, add_steps[i].base, add_steps[i].size),
			   add_steps[i].ret);
		KASSERT_STREQ(t, memblock_check(&mb), NULL);
	}
	expect_list(t, &mb.memory, RANGES({ 0x100000, 0x400000, NULL }, { 0x7ff000, 0x900000, NULL }));
	KEXPECT_UEQ(t, memblock_memory_bytes(&mb), 0x300000 + 0x101000);
	KEXPECT_UEQ(t, memblock_free_bytes(&mb), memblock_memory_bytes(&mb));
	KEXPECT_UEQ(t, memblock_reserved_bytes(&mb), 0);
	KEXPECT_TRUE(t, memblock_is_memory(&mb, 0x3fffff));
	KEXPECT_FALSE(t, memblock_is_memory(&mb, 0x400000));
	KEXPECT_FALSE(t, memblock_is_memory(&mb, 0xfff));
}

static void test_add_firmware_map(struct ktest *t)
{
	static struct mem_range map_storage[8];
	static const struct mem_range sanitized[] = {
		{ 0x0, 0x100000, MEM_LOW },
		{ 0x100000, 0x200000, MEM_USABLE },
		{ 0x200000, 0x400000, MEM_KERNEL },
		{ 0x400000, 0x7fe0000, MEM_USABLE },
		{ 0x7fe0000, 0x8000000, MEM_RESERVED },
		{ 0xfffc0000, 0x100000000, MEM_RESERVED },
		{ 0x100000000, 0x140000000, MEM_USABLE },
	};
	struct firmware_map map;

	firmware_map_init(&map, map_storage, ARRAY_SIZE(map_storage));
	for (size_t i = 0; i < ARRAY_SIZE(sanitized); i++)
		map_storage[i] = sanitized[i];
	map.count = ARRAY_SIZE(sanitized);
	KASSERT_STREQ(t, firmware_map_check(&map), NULL);

	/* Room for only two ranges: refused whole. */
	reset(2, RESERVED_CAPACITY);
	KEXPECT_EQ(t, memblock_add_firmware_map(&mb, &map), MEMBLOCK_ERR_FULL);
	KEXPECT_EQ(t, mb.memory.count, 0);

	reset(MEMORY_CAPACITY, RESERVED_CAPACITY);
	KEXPECT_EQ(t, memblock_add_firmware_map(&mb, &map), 0);
	expect_list(t, &mb.memory, RANGES({ 0x100000, 0x200000, NULL },
					  { 0x400000, 0x7fe0000, NULL },
					  { 0x100000000, 0x140000000, NULL }));
	KEXPECT_UEQ(t, memblock_memory_bytes(&mb), 0x100000 + 0x7be0000 + 0x40000000);
	KEXPECT_FALSE(t, memblock_is_memory(&mb, 0x200000)); /* the kernel image */

	/* An unsorted map is not a sanitized one. */
	map_storage[0] = sanitized[1];
	map_storage[1] = sanitized[0];
	take_snapshot(&before);
	KEXPECT_EQ(t, memblock_add_firmware_map(&mb, &map), MEMBLOCK_ERR_BAD_MAP);
	KEXPECT_TRUE(t, unchanged(&before));
}

/* ---- allocation ----------------------------------------------------------- */

static const struct alloc_step {
	uint64_t size, align, min, max;
	uint64_t expect;
} top_down_steps[] = {
	{ PAGE, PAGE, 0, 0, 0x7ff000 },			/* highest page */
	{ PAGE, PAGE, 0, 0, 0x7fe000 },			/* stacks downward */
	{ 0x2000, 0x10000, 0, 0, 0x7f0000 },		/* 64 KiB aligned, leaves a hole */
	{ 100, 0, 0, 0, 0x7fd000 },			/* one page, into the hole's top */
	{ PAGE, PAGE, 0, 0x200000, 0x1ff000 },		/* below a limit */
	{ PAGE, PAGE, 0, 0x100800, 0x9e000 },		/* limit mid-page: rounded down */
	{ 0x200000, 0x200000, 0, 0, 0x400000 },		/* 2 MiB page, 2 MiB aligned */
	{ PAGE, PAGE, 0x120000, 0x140000, 0x13f000 },	/* a window */
	{ 0x3000, PAGE, 0x120000, 0x122000, 0 },	/* window too small */
	{ PAGE, 8, 0, 0, 0x7fc000 },			/* sub-page align means a page */
};

static void run_alloc_steps(struct ktest *t, const struct alloc_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct alloc_step *s = &steps[i];
		uint64_t got;

		take_snapshot(&before);
		got = memblock_alloc_range(&mb, s->size, s->align, s->min, s->max, "test");
		KEXPECT_UEQ(t, got, s->expect);
		KASSERT_STREQ(t, memblock_check(&mb), NULL);
		if (s->expect)
			KEXPECT_TRUE(t, memblock_is_reserved(&mb, s->expect));
		else
			KEXPECT_TRUE(t, unchanged(&before));
	}
}

static void test_alloc_top_down(struct ktest *t)
{
	reset(MEMORY_CAPACITY, RESERVED_CAPACITY);
	add_memory(t, RANGES({ 0x1000, 0x9f000, NULL }, { 0x100000, 0x800000, NULL }));
	run_alloc_steps(t, top_down_steps, ARRAY_SIZE(top_down_steps));
	expect_list(t, &mb.reserved, RANGES({ 0x9e000, 0x9f000, "test" },
					    { 0x13f000, 0x140000, "test" },
					    { 0x1ff000, 0x200000, "test" },
					    { 0x400000, 0x600000, "test" },
					    { 0x7f0000, 0x7f2000, "test" },
					    { 0x7fc000, 0x800000, "test" }));
	KEXPECT_UEQ(t, memblock_reserved_bytes(&mb), 0x9000 + 0x200000);
	KEXPECT_UEQ(t, memblock_free_bytes(&mb) + memblock_reserved_bytes(&mb),
		    memblock_memory_bytes(&mb));
}

/* The worked example at the top of mm/memblock.c. */
static void test_alloc_worked_example(struct ktest *t)
{
	reset(MEMORY_CAPACITY, RESERVED_CAPACITY);
	add_memory(t, RANGES({ 0x100000, 0x800000, NULL }));
	reserve(t, RANGES({ 0x7fc000, 0x800000, "memmap" }, { 0x7f0000, 0x7f9000, "kernel image" }));
	KEXPECT_UEQ(t, memblock_alloc(&mb, 0x2000, 0x4000, 0, "page tables"), 0x7ec000);
	KEXPECT_UEQ(t, memblock_alloc(&mb, PAGE, PAGE, 0, "memmap"), 0x7fb000);
	expect_list(t, &mb.reserved, RANGES({ 0x7ec000, 0x7ee000, "page tables" },
					    { 0x7f0000, 0x7f9000, "kernel image" },
					    { 0x7fb000, 0x800000, "memmap" }));
}

static void test_never_page_zero(struct ktest *t)
{
	reset(MEMORY_CAPACITY, RESERVED_CAPACITY);
	add_memory(t, RANGES({ 0x0, 0x2000, NULL }));
	KEXPECT_UEQ(t, memblock_alloc(&mb, PAGE, PAGE, 0, "test"), 0x1000);
	take_snapshot(&before);
	KEXPECT_UEQ(t, memblock_alloc(&mb, PAGE, PAGE, 0, "test"), 0);
	KEXPECT_UEQ(t, memblock_alloc_range(&mb, PAGE, PAGE, 0, 0x1000, "test"), 0);
	KEXPECT_TRUE(t, unchanged(&before));
	/* Page 0 is still free memory: it goes to the buddy allocator. */
	KEXPECT_UEQ(t, memblock_free_bytes(&mb), PAGE);
	KEXPECT_STREQ(t, memblock_check(&mb), NULL);
}

static const struct alloc_step impossible_steps[] = {
	{ 0x801000, PAGE, 0, 0, 0 },			/* larger than memory */
	{ 0x400000, PAGE, 0, 0, 0 },			/* larger than any free range */
	{ 0x200000, 0x800000, 0, 0, 0 },		/* no 8 MiB aligned place */
	{ PAGE, PAGE, 0, 0x100000, 0 },			/* limit below all memory */
	{ PAGE, PAGE, 0x900000, 0, 0 },			/* window above all memory */
	{ PAGE, PAGE, 0x300000, 0x200000, 0 },		/* inverted window */
	{ 0, PAGE, 0, 0, 0 },				/* nothing asked */
	{ PAGE, 0x3000, 0, 0, 0 },			/* align not a power of two */
	{ UINT64_MAX, PAGE, 0, 0, 0 },			/* cannot be rounded to pages */
	{ PAGE, 1ull << 63, 0, 0, 0 },			/* huge alignment */
	{ PAGE, PAGE, UINT64_MAX, 0, 0 },		/* window at the very top */
};

static void test_alloc_failure_changes_nothing(struct ktest *t)
{
	reset(MEMORY_CAPACITY, RESERVED_CAPACITY);
	add_memory(t, RANGES({ 0x100000, 0x800000, NULL }));
	reserve(t, RANGES({ 0x400000, 0x401000, "split" }));
	run_alloc_steps(t, impossible_steps, ARRAY_SIZE(impossible_steps));
	expect_list(t, &mb.reserved, RANGES({ 0x400000, 0x401000, "split" }));
}

/* ---- reservations --------------------------------------------------------- */

static void test_reserve_blocks_alloc(struct ktest *t)
{
	reset(MEMORY_CAPACITY, RESERVED_CAPACITY);
	add_memory(t, RANGES({ 0x100000, 0x200000, NULL }));
	reserve(t, RANGES({ 0x1f0000, 0x200000, "firmware" }, { 0x80000, 0x101000, "low" }));
	KEXPECT_UEQ(t, memblock_alloc(&mb, PAGE, PAGE, 0, "test"), 0x1ef000);
	KEXPECT_UEQ(t, memblock_alloc(&mb, PAGE, PAGE, 0x102000, "test"), 0x101000);
	/* Only the part inside memory counts as reserved memory. */
	KEXPECT_UEQ(t, memblock_reserved_bytes(&mb), 0x10000 + 0x1000 + 0x2000);
	KEXPECT_TRUE(t, memblock_is_reserved(&mb, 0x80000));
	KEXPECT_FALSE(t, memblock_is_memory(&mb, 0x80000));

	/* Unaligned: widened outward to whole pages. */
	KEXPECT_EQ(t, memblock_reserve(&mb, 0x150800, 0x100, "odd"), 0);
	KEXPECT_TRUE(t, memblock_is_reserved(&mb, 0x150000));
	KEXPECT_TRUE(t, memblock_is_reserved(&mb, 0x150fff));
	KEXPECT_FALSE(t, memblock_is_reserved(&mb, 0x151000));

	/* Everything else gone: nothing fits any more. */
	KEXPECT_EQ(t, memblock_reserve(&mb, 0x100000, 0x100000, "rest"), 0);
	KEXPECT_STREQ(t, memblock_check(&mb), NULL);
	KEXPECT_UEQ(t, memblock_free_bytes(&mb), 0);
	KEXPECT_UEQ(t, memblock_alloc(&mb, PAGE, PAGE, 0, "test"), 0);

	KEXPECT_EQ(t, memblock_reserve(&mb, 0x1000, 0, "empty"), 0);
	KEXPECT_EQ(t, memblock_reserve(&mb, 0xfffffffffffff000, 0x800, "top"), MEMBLOCK_ERR_RANGE);
	KEXPECT_EQ(t, memblock_reserve(&mb, 0x1000, UINT64_MAX, "wrap"), MEMBLOCK_ERR_RANGE);
	KEXPECT_STREQ(t, memblock_check(&mb), NULL);
}

static void test_reserve_overlap_keeps_owner(struct ktest *t)
{
	reset(MEMORY_CAPACITY, RESERVED_CAPACITY);
	reserve(t, RANGES({ 0x10000, 0x20000, "a" }, { 0x8000, 0x28000, "b" }));
	expect_list(t, &mb.reserved, RANGES({ 0x8000, 0x10000, "b" },
					    { 0x10000, 0x20000, "a" },
					    { 0x20000, 0x28000, "b" }));
	take_snapshot(&before);
	reserve(t, RANGES({ 0x10000, 0x20000, "a" }, { 0x9000, 0x27000, "c" }));
	KEXPECT_TRUE(t, unchanged(&before));
	reserve(t, RANGES({ 0x28000, 0x30000, "b" }));
	expect_list(t, &mb.reserved, RANGES({ 0x8000, 0x10000, "b" },
					    { 0x10000, 0x20000, "a" },
					    { 0x20000, 0x30000, "b" }));
}

static char page_tables_copy[] = "page tables";

/* Each step reserves one range; the list after it is compared whole. */
static const struct merge_step {
	struct memblock_range reserve;
	size_t count;
	struct memblock_range expect[4];
} merge_steps[] = {
	{ { 0x10000, 0x11000, "page tables" }, 1, { { 0x10000, 0x11000, "page tables" } } },
	/* Touching, same owner: one range. */
	{ { 0x11000, 0x12000, "page tables" }, 1, { { 0x10000, 0x12000, "page tables" } } },
	/* Same owner text at another address: owners compare as strings. */
	{ { 0xf000, 0x10000, page_tables_copy }, 1, { { 0xf000, 0x12000, "page tables" } } },
	/* Touching, another owner: two ranges. */
	{ { 0x12000, 0x13000, "memmap" }, 2,
	  { { 0xf000, 0x12000, "page tables" }, { 0x12000, 0x13000, "memmap" } } },
	{ { 0x15000, 0x16000, "memmap" }, 3,
	  { { 0xf000, 0x12000, "page tables" }, { 0x12000, 0x13000, "memmap" },
	    { 0x15000, 0x16000, "memmap" } } },
	/* Filling the hole between two ranges of one owner joins all three. */
	{ { 0x13000, 0x15000, "memmap" }, 2,
	  { { 0xf000, 0x12000, "page tables" }, { 0x12000, 0x16000, "memmap" } } },
	/* NULL owners merge with each other only. */
	{ { 0x16000, 0x17000, NULL }, 3,
	  { { 0xf000, 0x12000, "page tables" }, { 0x12000, 0x16000, "memmap" },
	    { 0x16000, 0x17000, NULL } } },
	{ { 0x17000, 0x18000, NULL }, 3,
	  { { 0xf000, 0x12000, "page tables" }, { 0x12000, 0x16000, "memmap" },
	    { 0x16000, 0x18000, NULL } } },
};

static void test_same_owner_merges(struct ktest *t)
{
	reset(MEMORY_CAPACITY, RESERVED_CAPACITY);
	for (size_t i = 0; i < ARRAY_SIZE(merge_steps); i++) {
		const struct merge_step *s = &merge_steps[i];

		reserve(t, &s->reserve, 1);
		expect_list(t, &mb.reserved, s->expect, s->count);
	}
}

/* ---- freeing -------------------------------------------------------------- */

static void test_free_and_realloc(struct ktest *t)
{
	uint64_t a, b, c;

	reset(MEMORY_CAPACITY, RESERVED_CAPACITY);
	add_memory(t, RANGES({ 0x100000, 0x200000, NULL }));
	a = memblock_alloc(&mb, 0x2000, PAGE, 0, "test");
	b = memblock_alloc(&mb, 0x3000, PAGE, 0, "test");
	c = memblock_alloc(&mb, 0x1000, PAGE, 0, "test");
	KEXPECT_UEQ(t, a, 0x1fe000);
	KEXPECT_UEQ(t, b, 0x1fb000);
	KEXPECT_UEQ(t, c, 0x1fa000);
	expect_list(t, &mb.reserved, RANGES({ 0x1fa000, 0x200000, "test" }));

	/* Freeing the middle one splits the range; its place is the highest hole. */
	KEXPECT_EQ(t, memblock_free(&mb, b, 0x3000), 0);
	expect_list(t, &mb.reserved, RANGES({ 0x1fa000, 0x1fb000, "test" },
					    { 0x1fe000, 0x200000, "test" }));
	KEXPECT_UEQ(t, memblock_alloc(&mb, 0x3000, PAGE, 0, "test"), b);
	expect_list(t, &mb.reserved, RANGES({ 0x1fa000, 0x200000, "test" }));

	/* Size rounds up as the allocation did; a free may span owners. */
	KEXPECT_EQ(t, memblock_free(&mb, c, 1), 0);
	KEXPECT_UEQ(t, memblock_alloc(&mb, PAGE, PAGE, 0, "other"), c);
	KEXPECT_EQ(t, memblock_free(&mb, c, 0x6000), 0);
	KEXPECT_EQ(t, mb.reserved.count, 0);
	KEXPECT_UEQ(t, memblock_free_bytes(&mb), 0x100000);
	KEXPECT_STREQ(t, memblock_check(&mb), NULL);

	/* Frees at both ends of a range trim it. */
	KEXPECT_UEQ(t, memblock_alloc(&mb, 0x4000, PAGE, 0, "test"), 0x1fc000);
	KEXPECT_EQ(t, memblock_free(&mb, 0x1fc000, PAGE), 0);
	KEXPECT_EQ(t, memblock_free(&mb, 0x1ff000, PAGE), 0);
	expect_list(t, &mb.reserved, RANGES({ 0x1fd000, 0x1ff000, "test" }));
}

static const struct {
	uint64_t base, size;
	int ret;
} bad_frees[] = {
	{ 0x150000, PAGE, MEMBLOCK_ERR_NOT_RESERVED },		/* never allocated */
	{ 0x1f0000, 0x20000, MEMBLOCK_ERR_NOT_RESERVED },	/* runs past a reservation */
	{ 0x1ef000, 0x2000, MEMBLOCK_ERR_NOT_RESERVED },	/* starts before one */
	{ 0x1f7000, 0x2000, MEMBLOCK_ERR_NOT_RESERVED },	/* spans a hole */
	{ 0x50000, PAGE, MEMBLOCK_ERR_NOT_RESERVED },		/* outside memory */
	{ 0x1f0800, PAGE, MEMBLOCK_ERR_ALIGN },
	{ 0xfffffffffffff000, PAGE, MEMBLOCK_ERR_RANGE },
	{ 0x1f0000, UINT64_MAX, MEMBLOCK_ERR_RANGE },
	{ 0x1f0000, 0, 0 },					/* nothing to free */
};

static void test_free_refused(struct ktest *t)
{
	reset(MEMORY_CAPACITY, RESERVED_CAPACITY);
	add_memory(t, RANGES({ 0x100000, 0x200000, NULL }));
	reserve(t, RANGES({ 0x1f0000, 0x1f8000, "a" }, { 0x1f9000, 0x200000, "a" }));
	for (size_t i = 0; i < ARRAY_SIZE(bad_frees); i++) {
		take_snapshot(&before);
		KEXPECT_EQ(t, memblock_free(&mb, bad_frees[i].base, bad_frees[i].size),
			   bad_frees[i].ret);
		KEXPECT_TRUE(t, unchanged(&before));
		KEXPECT_STREQ(t, memblock_check(&mb), NULL);
	}
}

/* ---- capacity ------------------------------------------------------------- */

/* Storage of exactly the capacity, so that a write past it is caught (ASan). */
static struct memblock_range small_memory[2], small_reserved[3];

static void test_capacity_overflow_refused(struct ktest *t)
{
	memblock_init(&mb, small_memory, ARRAY_SIZE(small_memory), small_reserved,
		      ARRAY_SIZE(small_reserved));
	add_memory(t, RANGES({ 0x100000, 0x200000, NULL }, { 0x300000, 0x400000, NULL }));
	take_snapshot(&before);
	KEXPECT_EQ(t, memblock_add(&mb, 0x500000, PAGE), MEMBLOCK_ERR_FULL);
	KEXPECT_TRUE(t, unchanged(&before));
	KEXPECT_EQ(t, memblock_add(&mb, 0x200000, 0x100000), 0); /* joins both: fits */
	KEXPECT_EQ(t, mb.memory.count, 1);

	reserve(t, RANGES({ 0x100000, 0x101000, "x" }, { 0x103000, 0x104000, "y" },
			  { 0x3ff000, 0x400000, "z" }));
	take_snapshot(&before);
	KEXPECT_EQ(t, memblock_reserve(&mb, 0x200000, PAGE, "w"), MEMBLOCK_ERR_FULL);
	KEXPECT_UEQ(t, memblock_alloc(&mb, PAGE, PAGE, 0, "w"), 0);
	KEXPECT_EQ(t, memblock_free(&mb, 0x100000, 0), 0);
	KEXPECT_TRUE(t, unchanged(&before));

	/* Allocations that merge need no slot. */
	KEXPECT_UEQ(t, memblock_alloc(&mb, PAGE, PAGE, 0, "z"), 0x3fe000);
	KEXPECT_UEQ(t, memblock_alloc(&mb, PAGE, PAGE, 0, "z"), 0x3fd000);
	KEXPECT_EQ(t, mb.reserved.count, 3);

	/* Freeing the middle of a range needs one: refused, nothing changes. */
	take_snapshot(&before);
	KEXPECT_EQ(t, memblock_free(&mb, 0x3fe000, PAGE), MEMBLOCK_ERR_FULL);
	KEXPECT_TRUE(t, unchanged(&before));
	/* Its ends need none. */
	KEXPECT_EQ(t, memblock_free(&mb, 0x3ff000, PAGE), 0);
	KEXPECT_EQ(t, memblock_free(&mb, 0x3fd000, PAGE), 0);
	expect_list(t, &mb.reserved, RANGES({ 0x100000, 0x101000, "x" }, { 0x103000, 0x104000, "y" },
					    { 0x3fe000, 0x3ff000, "z" }));
}

/*
 * At capacity, a reservation whose first gap adds a range and whose last
 * gap joins two: the final count fits, so it must succeed, though doing
 * the gaps in address order would need a fourth slot on the way.
 */
static void test_capacity_counts_the_final_list(struct ktest *t)
{
	memblock_init(&mb, small_memory, ARRAY_SIZE(small_memory), small_reserved,
		      ARRAY_SIZE(small_reserved));
	reserve(t, RANGES({ 0x1000, 0x2000, "b" }, { 0x3000, 0x4000, "a" }, { 0x5000, 0x6000, "a" }));
	KEXPECT_EQ(t, memblock_reserve(&mb, 0x0, 0x6000, "a"), 0);
	expect_list(t, &mb.reserved, RANGES({ 0x0, 0x1000, "a" }, { 0x1000, 0x2000, "b" },
					    { 0x2000, 0x6000, "a" }));
	/* One more range than fits: refused whole. */
	take_snapshot(&before);
	KEXPECT_EQ(t, memblock_reserve(&mb, 0x8000, PAGE, "c"), MEMBLOCK_ERR_FULL);
	KEXPECT_TRUE(t, unchanged(&before));
}

/* ---- free ranges, validator, dump ----------------------------------------- */

static void test_free_iteration(struct ktest *t)
{
	static const struct memblock_range expect[] = {
		{ 0x1000, 0x9e000, NULL },
		{ 0x110000, 0x200000, NULL },
		{ 0x400000, 0x7f0000, NULL },
		{ 0x7f2000, 0x800000, NULL },
	};
	uint64_t cursor, base, end, total = 0;
	size_t n = 0;

	reset(MEMORY_CAPACITY, RESERVED_CAPACITY);
	add_memory(t, RANGES({ 0x0, 0x9f000, NULL }, { 0x100000, 0x800000, NULL },
			     { 0x900000, 0xa00000, NULL }));
	reserve(t, RANGES({ 0x0, 0x1000, "page 0" }, { 0x9e000, 0x110000, "firmware" },
			  { 0x200000, 0x400000, "kernel image" }, { 0x7f0000, 0x7f2000, "memmap" },
			  { 0x900000, 0xa00000, "page tables" }, { 0xfd000000, 0xfe000000, "mmio" }));
	for_each_memblock_free_range(&mb, cursor, base, end) {
		KASSERT_LT(t, n, ARRAY_SIZE(expect));
		KEXPECT_UEQ(t, base, expect[n].base);
		KEXPECT_UEQ(t, end, expect[n].end);
		total += end - base;
		n++;
	}
	KEXPECT_EQ(t, n, ARRAY_SIZE(expect));
	KEXPECT_UEQ(t, total, memblock_free_bytes(&mb));
	KEXPECT_UEQ(t, memblock_reserved_bytes(&mb),
		    0x1000 + 0x1000 + 0x10000 + 0x200000 + 0x2000 + 0x100000);
	KEXPECT_FALSE(t, memblock_next_free(&mb, &cursor, &base, &end));
	memblock_dump(&mb);
}

static const struct {
	size_t count;
	struct memblock_range ranges[2];
	const char *broken;
} corrupt_lists[] = {
	{ 2, { { 0x1000, 0x2000, "a" }, { 0x3000, 0x4000, "a" } }, NULL },
	{ 1, { { 0x2000, 0x2000, "a" } }, "empty or inverted range" },
	{ 1, { { 0x1800, 0x2000, "a" } }, "range not page aligned" },
	{ 2, { { 0x3000, 0x4000, "a" }, { 0x1000, 0x2000, "a" } }, "ranges not sorted by base" },
	{ 2, { { 0x1000, 0x3000, "a" }, { 0x2000, 0x4000, "b" } }, "ranges overlap" },
	{ 2, { { 0x1000, 0x2000, "a" }, { 0x2000, 0x3000, "a" } },
	  "touching ranges of the same owner not merged" },
	{ 3, { { 0x1000, 0x2000, "a" } }, "count exceeds capacity" },
};

static void test_check_reports(struct ktest *t)
{
	struct memblock_range ranges[2];

	for (size_t i = 0; i < ARRAY_SIZE(corrupt_lists); i++) {
		memblock_init(&mb, memory_storage, MEMORY_CAPACITY, ranges, ARRAY_SIZE(ranges));
		ranges[0] = corrupt_lists[i].ranges[0];
		ranges[1] = corrupt_lists[i].ranges[1];
		mb.reserved.count = corrupt_lists[i].count;
		KEXPECT_STREQ(t, memblock_check(&mb), corrupt_lists[i].broken);
	}
	KEXPECT_STREQ(t, memblock_check(NULL), "memblock is NULL");
	for (int code = 0; code < MEMBLOCK_ERR_COUNT; code++)
		KEXPECT_STRNE(t, memblock_error_message(code), "unknown error");
	KEXPECT_STREQ(t, memblock_error_message(MEMBLOCK_ERR_COUNT), "unknown error");
	KEXPECT_STREQ(t, memblock_error_message(-1), "unknown error");
}

/* ---- random sequence against a shadow model ------------------------------- */

/*
 * The shadow model: one byte per page of a 64 MiB machine.  Memory has
 * holes, page 0 is memory, two memory ranges touch, and the reservations
 * made up front straddle a hole and lie partly outside the machine.
 */
#define SHADOW_PAGES (64 * MiB / PAGE)
#define SHADOW_END (SHADOW_PAGES * PAGE)
#define LIVE_MAX 160
#define RANDOM_STEPS 2000
#define RANDOM_RESERVED_CAPACITY 64

enum shadow_state { SHADOW_HOLE, SHADOW_FREE, SHADOW_KEPT, SHADOW_ALLOCATED };

static uint8_t shadow[SHADOW_PAGES];
static uint8_t seen[SHADOW_PAGES];

static const struct memblock_range random_memory[] = {
	{ 0x0, 0x9f000, NULL },
	{ 0x100000, 0xc00000, NULL },
	{ 0xe00000, 0x2000000, NULL },
	{ 0x2000000, 0x3f00000, NULL },
	{ 0x3f80000, 0x4000000, NULL },
};

static const struct memblock_range random_kept[] = {
	{ 0x9e000, 0x110000, "firmware" },
	{ 0x200000, 0x400000, "kernel image" },
	{ 0x3ff0000, 0x4100000, "beyond" },
};

static const char *const random_owners[] = { "page tables", "memmap", "other" };

struct live_range {
	uint64_t base, pages;
};

static struct live_range live[LIVE_MAX];
static size_t live_count;
static uint64_t random_state;

static uint64_t next_random(void)
{
	return xorshift64(&random_state);
}

static void shadow_set(uint64_t base, uint64_t end, enum shadow_state state)
{
	for (uint64_t page = base / PAGE; page < end / PAGE && page < SHADOW_PAGES; page++)
		if (shadow[page] != SHADOW_HOLE)
			shadow[page] = state;
}

static bool shadow_all_free(uint64_t base, uint64_t pages)
{
	for (uint64_t page = base / PAGE; page < base / PAGE + pages; page++)
		if (page >= SHADOW_PAGES || shadow[page] != SHADOW_FREE)
			return false;
	return true;
}

/* What a top-down allocator must return, found by trying every aligned place. */
static uint64_t shadow_top_down(uint64_t pages, uint64_t align, uint64_t min, uint64_t max)
{
	uint64_t size = pages * PAGE, candidate;

	min = ALIGN_UP(MAX(min, PAGE), PAGE);
	max = ALIGN_DOWN(max == 0 || max > SHADOW_END ? SHADOW_END : max, PAGE);
	if (max < size || max - size < min)
		return 0;
	for (candidate = ALIGN_DOWN(max - size, align); candidate >= min; candidate -= align) {
		if (shadow_all_free(candidate, pages))
			return candidate;
		if (candidate < align)
			break;
	}
	return 0;
}

static const char *mark_seen(uint64_t base, uint64_t end, uint8_t mark)
{
	if ((base | end) % PAGE)
		return "range not page aligned";
	for (uint64_t page = base / PAGE; page < end / PAGE && page < SHADOW_PAGES; page++) {
		if (shadow[page] == SHADOW_HOLE && mark == SHADOW_FREE)
			return "free range covers a hole";
		if (shadow[page] == SHADOW_HOLE)
			continue;
		if (seen[page])
			return "page both free and reserved, or free twice";
		seen[page] = mark;
	}
	return NULL;
}

/*
 * The key property: the free ranges and the reserved ranges inside memory
 * tile the memory exactly, and agree page by page with the shadow.
 */
static const char *verify_tiling(void)
{
	uint64_t cursor, base, end, previous_end = 0, free_pages = 0, used_pages = 0;
	const char *broken = memblock_check(&mb);

	if (broken)
		return broken;
	for (size_t i = 0; i < SHADOW_PAGES; i++)
		seen[i] = 0;
	for_each_memblock_free_range(&mb, cursor, base, end) {
		if (base < previous_end || base >= end)
			return "free ranges not ascending";
		if (!memblock_is_memory(&mb, base) || !memblock_is_memory(&mb, end - 1))
			return "free range outside memory";
		previous_end = end;
		broken = mark_seen(base, end, SHADOW_FREE);
		if (broken)
			return broken;
	}
	for (size_t i = 0; i < mb.reserved.count; i++) {
		broken = mark_seen(mb.reserved.ranges[i].base, mb.reserved.ranges[i].end,
				   SHADOW_ALLOCATED);
		if (broken)
			return broken;
	}
	for (size_t page = 0; page < SHADOW_PAGES; page++) {
		uint8_t state = shadow[page];

		if (state == SHADOW_HOLE)
			continue;
		if (seen[page] == 0)
			return "memory page neither free nor reserved: lost";
		if ((state == SHADOW_FREE) != (seen[page] == SHADOW_FREE))
			return "page state differs from the shadow model";
		if (state == SHADOW_FREE)
			free_pages++;
		else
			used_pages++;
	}
	if (memblock_free_bytes(&mb) != free_pages * PAGE)
		return "free bytes differ from the shadow model";
	if (memblock_reserved_bytes(&mb) != used_pages * PAGE)
		return "reserved bytes differ from the shadow model";
	return NULL;
}

struct random_tally {
	unsigned allocs, no_fit, frees, refused;
	unsigned full;		/* refused because the reserved list was full */
};

static const char *random_alloc(struct random_tally *tally)
{
	uint64_t pages = next_random() % 16 == 0 ? 1 + next_random() % 512 : 1 + next_random() % 8;
	uint64_t size = pages * PAGE - (next_random() % 2 ? next_random() % PAGE : 0);
	uint64_t align = next_random() % 8 == 0 ? 2 * MiB : PAGE << (next_random() % 6);
	uint64_t min = next_random() % 4 == 0 ? next_random() % SHADOW_END : 0;
	uint64_t max = next_random() % 2 ? next_random() % SHADOW_END : 0;
	uint64_t expect = shadow_top_down(pages, align, min, max);
	size_t reserved_before = mb.reserved.count;
	uint64_t got;

	take_snapshot(&before);
	got = memblock_alloc_range(&mb, size, align, min, max,
				   random_owners[next_random() % ARRAY_SIZE(random_owners)]);
	if (!got) {
		if (expect && reserved_before < mb.reserved.capacity)
			return "allocation failed where the shadow has room";
		if (!unchanged(&before))
			return "failed allocation changed the lists";
		if (expect)
			tally->full++;
		else
			tally->no_fit++;
		return NULL;
	}
	if (got != expect)
		return "allocation is not the highest fitting place";
	if (!shadow_all_free(got, pages))
		return "allocation handed out a page that was not free";
	shadow_set(got, got + pages * PAGE, SHADOW_ALLOCATED);
	live[live_count++] = (struct live_range){ got, pages };
	tally->allocs++;
	return NULL;
}

/* Free all or part of a live allocation; the rest stays live. */
static const char *random_free(struct random_tally *tally)
{
	size_t index = next_random() % live_count;
	struct live_range range = live[index];
	bool whole = next_random() % 4 != 0 || live_count == LIVE_MAX;
	uint64_t offset = whole ? 0 : next_random() % range.pages;
	uint64_t pages = offset ? 1 + next_random() % (range.pages - offset) : range.pages;
	uint64_t base = range.base + offset * PAGE;
	int ret;

	take_snapshot(&before);
	ret = memblock_free(&mb, base, pages * PAGE);
	if (ret == MEMBLOCK_ERR_FULL && mb.reserved.count == mb.reserved.capacity) {
		tally->full++;
		return unchanged(&before) ? NULL : "refused free changed the lists";
	}
	if (ret)
		return memblock_error_message(ret);
	shadow_set(base, base + pages * PAGE, SHADOW_FREE);
	live[index] = live[--live_count];
	if (offset)
		live[live_count++] = (struct live_range){ range.base, offset };
	if (offset + pages < range.pages)
		live[live_count++] = (struct live_range){ base + pages * PAGE,
							  range.pages - offset - pages };
	tally->frees++;
	return NULL;
}

/* A free of a page the shadow says is free must be refused and change nothing. */
static const char *random_bad_free(struct random_tally *tally)
{
	uint64_t page = next_random() % SHADOW_PAGES;

	if (shadow[page] != SHADOW_FREE)
		return NULL;
	take_snapshot(&before);
	if (memblock_free(&mb, page * PAGE, PAGE) != MEMBLOCK_ERR_NOT_RESERVED)
		return "free of a free page was not refused";
	if (!unchanged(&before))
		return "refused free changed the lists";
	tally->refused++;
	return NULL;
}

static void sort_live(void)
{
	for (size_t i = 1; i < live_count; i++) {
		struct live_range key = live[i];
		size_t j = i;

		for (; j > 0 && live[j - 1].base > key.base; j--)
			live[j] = live[j - 1];
		live[j] = key;
	}
}

static const char *random_step(struct random_tally *tally)
{
	uint64_t choice = next_random() % 16;

	if (choice == 0)
		return random_bad_free(tally);
	if (live_count && (choice < 8 || live_count + 2 > LIVE_MAX))
		return random_free(tally);
	return random_alloc(tally);
}

static void test_random_against_shadow(struct ktest *t)
{
	static struct memblock_range random_reserved[RANDOM_RESERVED_CAPACITY];
	struct random_tally tally = { 0 };

	memblock_init(&mb, memory_storage, MEMORY_CAPACITY, random_reserved,
		      ARRAY_SIZE(random_reserved));
	add_memory(t, random_memory, ARRAY_SIZE(random_memory));
	KEXPECT_EQ(t, mb.memory.count, 4); /* two touching ranges merged */
	reserve(t, random_kept, ARRAY_SIZE(random_kept));
	for (size_t page = 0; page < SHADOW_PAGES; page++)
		shadow[page] = memblock_is_memory(&mb, page * PAGE) ? SHADOW_FREE : SHADOW_HOLE;
	for (size_t i = 0; i < ARRAY_SIZE(random_kept); i++)
		shadow_set(random_kept[i].base, random_kept[i].end, SHADOW_KEPT);
	random_state = 0x9e3779b97f4a7c15ull;
	live_count = 0;
	KASSERT_STREQ(t, verify_tiling(), NULL);

	for (int step = 0; step < RANDOM_STEPS; step++) {
		const char *broken = random_step(&tally);

		if (!broken)
			broken = verify_tiling();
		if (broken) {
			KEXPECT_STREQ(t, broken, NULL);
			KASSERT_EQ(t, step, -1); /* names the step that broke */
		}
	}
	/* The sequence must have exercised every path. */
	KEXPECT_GT(t, tally.allocs, RANDOM_STEPS / 4);
	KEXPECT_GT(t, tally.frees, RANDOM_STEPS / 4);
	KEXPECT_GT(t, tally.no_fit, 0);
	KEXPECT_GT(t, tally.full, 0);
	KEXPECT_GT(t, tally.refused, 0);

	/*
	 * Free everything still live, lowest first: each piece is then at the
	 * start of its reserved range, so no free needs a split (and a slot).
	 */
	sort_live();
	for (size_t i = 0; i < live_count; i++)
		KASSERT_EQ(t, memblock_free(&mb, live[i].base, live[i].pages * PAGE), 0);
	KEXPECT_STREQ(t, memblock_check(&mb), NULL);
	expect_list(t, &mb.reserved, RANGES({ 0x9e000, 0x110000, "firmware" },
					    { 0x200000, 0x400000, "kernel image" },
					    { 0x3ff0000, 0x4100000, "beyond" }));
}

KTEST_SUITE(memblock,
	    KTEST_CASE(test_add_aligns_and_merges),
	    KTEST_CASE(test_add_firmware_map),
	    KTEST_CASE(test_alloc_top_down),
	    KTEST_CASE(test_alloc_worked_example),
	    KTEST_CASE(test_never_page_zero),
	    KTEST_CASE(test_alloc_failure_changes_nothing),
	    KTEST_CASE(test_reserve_blocks_alloc),
	    KTEST_CASE(test_reserve_overlap_keeps_owner),
	    KTEST_CASE(test_same_owner_merges),
	    KTEST_CASE(test_free_and_realloc),
	    KTEST_CASE(test_free_refused),
	    KTEST_CASE(test_capacity_overflow_refused),
	    KTEST_CASE(test_capacity_counts_the_final_list),
	    KTEST_CASE(test_free_iteration),
	    KTEST_CASE(test_check_reports),
	    KTEST_CASE(test_random_against_shadow));
