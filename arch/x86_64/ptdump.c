// SPDX-License-Identifier: MIT
/*
 * ptdump: the kernel page tables as merged ranges, one line per run of
 * pages with the same attributes and page size (the layout of Linux's
 * /sys/kernel/debug/page_tables/kernel), and the W+X audit.
 *
 *   ---[ Kernel image ]---
 *   0xffffffff80100000-0xffffffff8010a000    40K  ro  x   GLB WB  4K
 */
#include <asm/cpufeature.h>
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <asm/pgtable.h>
#include <printk.h>

struct run {
	uint64_t start, end;     /* end exclusive; start == end: no run */
	uint64_t attributes;     /* leaf bits that matter, page size folded in */
	int level;
};

struct dump_state {
	struct run run;
	const char *section;
	bool print;
	uint64_t wx_bytes;
	uint64_t low, high;      /* only entries touching [low, high] (inclusive) */
};

static const struct {
	uint64_t start;
	const char *name;
} sections[] = {
	{ KERNEL_HALF_START, "Kernel half (unused)" },
	{ DIRECT_MAP_BASE, "Direct map" },
	{ DIRECT_MAP_END, "Unused" },
	{ VMALLOC_START, "vmalloc area" },
	{ VMALLOC_END, "Unused" },
	{ KTEST_WINDOW_START, "Self-test window" },
	{ VMEMMAP_BASE, "Memmap (struct page array)" },
	{ VMEMMAP_END, "Unused" },
	{ KERNEL_VMA, "Kernel image" },
};

#define MATTERING_BITS (PTE_WRITABLE | PTE_NO_EXECUTE | PTE_GLOBAL | PTE_WRITE_THROUGH | \
			PTE_CACHE_DISABLE)

static const char *section_of(uint64_t va)
{
	const char *name = sections[0].name;

	for (unsigned i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (va >= sections[i].start)
			name = sections[i].name;
	return name;
}

static const char *cache_name(uint64_t attributes)
{
	switch (attributes & (PTE_WRITE_THROUGH | PTE_CACHE_DISABLE)) {
	case PTE_WRITE_THROUGH: return "WC";
	case PTE_WRITE_THROUGH | PTE_CACHE_DISABLE: return "UC";
	case PTE_CACHE_DISABLE: return "UC-";
	default: return "WB";
	}
}

static void print_size(uint64_t bytes, char *buf, size_t size)
{
	if (bytes >= (1ull << 30) && !(bytes & ((1ull << 30) - 1)))
		snprintf(buf, size, "%lluG", (unsigned long long)(bytes >> 30));
	else if (bytes >= (1ull << 20) && !(bytes & ((1ull << 20) - 1)))
		snprintf(buf, size, "%lluM", (unsigned long long)(bytes >> 20));
	else
		snprintf(buf, size, "%lluK", (unsigned long long)(bytes >> 10));
}

static bool is_wx(uint64_t attributes)
{
	return (attributes & PTE_WRITABLE) && !(attributes & PTE_NO_EXECUTE);
}

static void finish_run(struct dump_state *state)
{
	static const char *const level_names[] = { "4K", "2M", "1G" };
	struct run *r = &state->run;
	char size[24];

	if (r->start == r->end)
		return;
	if (boot_cpu.nx && is_wx(r->attributes)) {
		state->wx_bytes += r->end - r->start;
		pr_err("W+X mapping: 0x%016llx-0x%016llx\n", (unsigned long long)r->start,
		       (unsigned long long)r->end);
	}
	if (state->print) {
		const char *section = section_of(r->start);
		if (section != state->section) {
			pr_info("---[ %s ]---\n", section);
			state->section = section;
		}
		print_size(r->end - r->start, size, sizeof(size));
		pr_info("0x%016llx-0x%016llx %6s  %s  %s  %s %s  %s\n",
			(unsigned long long)r->start, (unsigned long long)r->end, size,
			r->attributes & PTE_WRITABLE ? "RW" : "ro",
			r->attributes & PTE_NO_EXECUTE ? "NX" : "x ",
			r->attributes & PTE_GLOBAL ? "GLB" : "   ", cache_name(r->attributes),
			level_names[r->level]);
	}
	r->start = r->end = 0;
}

static void add_leaf(struct dump_state *state, uint64_t va, uint64_t entry, int level)
{
	struct run *r = &state->run;
	uint64_t attributes = entry & MATTERING_BITS;

	if (r->start != r->end && r->end == va && r->attributes == attributes && r->level == level &&
	    section_of(va) == section_of(r->start)) {
		r->end += level_size(level);
		return;
	}
	finish_run(state);
	*r = (struct run){ va, va + level_size(level), attributes, level };
}

static void walk_table(struct dump_state *state, const uint64_t *table, int level, uint64_t base)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t va = canonical(base + i * level_size(level));
		uint64_t entry = table[i];

		if (level == PML4_LEVEL && i < PT_ENTRIES / 2)
			continue; /* the lower half holds nothing */
		if (!(entry & PTE_PRESENT))
			continue;
		if (va + (level_size(level) - 1) < state->low || va > state->high)
			continue;
		if (entry_is_leaf(entry, level))
			add_leaf(state, va, entry, level);
		else
			walk_table(state, __va(entry_address(entry)), level - 1, va);
	}
}

static uint64_t dump(bool print, uint64_t low, uint64_t high)
{
	struct dump_state state = { .print = print, .low = low, .high = high };

	walk_table(&state, __va(paging_root()), PML4_LEVEL, 0);
	finish_run(&state);
	return state.wx_bytes;
}

void ptdump_print(void)
{
	dump(true, 0, UINT64_MAX);
}

void ptdump_print_range(uint64_t start, uint64_t end)
{
	if (end > start)
		dump(true, start, end - 1);
}

uint64_t ptdump_check_wx(void)
{
	uint64_t wx;

	if (!boot_cpu.nx) {
		pr_info("W+X audit: the CPU has no NX bit, every mapping is executable\n");
		return 0;
	}
	wx = dump(false, 0, UINT64_MAX);
	if (wx)
		pr_err("W+X audit: %llu KiB of kernel mappings are writable and executable\n",
		       (unsigned long long)(wx / 1024));
	else
		pr_info("W+X audit: no writable and executable mappings\n");
	return wx;
}
