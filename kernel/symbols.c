// SPDX-License-Identifier: MIT
/*
 * Symbol lookup over the generated table (scripts/gen-symbols.sh):
 * ksym_table is sorted by address; names live in ksym_names.
 */
#include <kstring.h>
#include <printk.h>
#include <symbols.h>

struct ksym_entry {
	uint64_t address;
	uint32_t name_offset;
	uint32_t size;
};

extern const uint64_t ksym_count;
extern const struct ksym_entry ksym_table[];
extern const char ksym_names[];

size_t symbol_count(void)
{
	return ksym_count;
}

bool symbol_lookup(uint64_t address, struct symbol *out)
{
	size_t low = 0, high = ksym_count;
	const struct ksym_entry *e;

	/* Find the last entry whose address is <= @address. */
	while (low < high) {
		size_t mid = low + (high - low) / 2;
		if (ksym_table[mid].address <= address)
			low = mid + 1;
		else
			high = mid;
	}
	if (low == 0)
		return false;
	e = &ksym_table[low - 1];
	/*
	 * Symbols without a size (assembly labels) cover up to the next one;
	 * the last one covers nothing (it is a marker such as __text_end).
	 */
	if (e->size ? address >= e->address + e->size : low == ksym_count)
		return false;
	out->name = ksym_names + e->name_offset;
	out->address = e->address;
	out->size = e->size ? e->size
			    : (low < ksym_count ? ksym_table[low].address - e->address : 0);
	return true;
}

const char *symbol_format(uint64_t address, char *buf, size_t size)
{
	struct symbol sym;

	if (symbol_lookup(address, &sym))
		snprintf(buf, size, "%s+0x%llx/0x%llx", sym.name,
			 (unsigned long long)(address - sym.address),
			 (unsigned long long)sym.size);
	else
		snprintf(buf, size, "0x%016llx", (unsigned long long)address);
	return buf;
}

uint64_t symbol_address(const char *name)
{
	for (size_t i = 0; i < ksym_count; i++)
		if (strcmp(ksym_names + ksym_table[i].name_offset, name) == 0)
			return ksym_table[i].address;
	return 0;
}
