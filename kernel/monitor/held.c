// SPDX-License-Identifier: MIT
/* held: the table of what the monitor allocated (see held.h). */
#include <kstring.h>

#include "held.h"

const char *held_kind_name(enum held_kind kind)
{
	switch (kind) {
	case HELD_KMALLOC: return "kmalloc";
	case HELD_CACHE_OBJECT: return "cache";
	case HELD_PAGES: return "pages";
	case HELD_VMALLOC: return "vmalloc";
	}
	return "?";
}

struct held_entry *held_add(struct held_list *list, enum held_kind kind, uint64_t address,
			    uint64_t size, const void *cache)
{
	for (unsigned int i = 0; i < HELD_MAX; i++) {
		struct held_entry *e = &list->entries[i];

		if (e->used)
			continue;
		*e = (struct held_entry){ true, kind, address, size, cache, ++list->next_sequence };
		list->count++;
		return e;
	}
	return NULL;
}

struct held_entry *held_find(struct held_list *list, int kind, uint64_t address)
{
	for (unsigned int i = 0; i < HELD_MAX; i++) {
		struct held_entry *e = &list->entries[i];

		if (e->used && e->address == address && (kind < 0 || (int)e->kind == kind))
			return e;
	}
	return NULL;
}

void held_remove(struct held_list *list, struct held_entry *entry)
{
	if (!entry->used)
		return;
	memset(entry, 0, sizeof(*entry));
	list->count--;
}

unsigned int held_count_cache(const struct held_list *list, const void *cache)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < HELD_MAX; i++)
		if (list->entries[i].used && list->entries[i].kind == HELD_CACHE_OBJECT &&
		    list->entries[i].cache == cache)
			n++;
	return n;
}

const struct held_entry *held_next(const struct held_list *list, const struct held_entry *previous)
{
	const struct held_entry *best = NULL;
	uint64_t after = previous ? previous->sequence : 0;

	for (unsigned int i = 0; i < HELD_MAX; i++) {
		const struct held_entry *e = &list->entries[i];

		if (e->used && e->sequence > after && (!best || e->sequence < best->sequence))
			best = e;
	}
	return best;
}
