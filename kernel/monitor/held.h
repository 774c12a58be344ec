/* SPDX-License-Identifier: MIT */
/*
 * held: what the monitor handed out and not yet freed -- the list behind
 * `held`, and the check that lets `kfree ADDR` free only what `kmalloc`
 * gave (an address typed by hand could belong to anyone).  A fixed table:
 * when it is full, the allocation command gives its memory back and says
 * so, so nothing is ever allocated without being remembered.
 *
 * Pure: no global state, no hardware (host-tested).
 */
#ifndef FERRITE_MONITOR_HELD_H
#define FERRITE_MONITOR_HELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HELD_MAX 128

enum held_kind {
	HELD_KMALLOC,           /* size: bytes asked for */
	HELD_CACHE_OBJECT,      /* size: the cache's object size; cache: the cache */
	HELD_PAGES,             /* size: the order */
	HELD_VMALLOC,           /* size: bytes asked for */
};

struct held_entry {
	bool used;
	enum held_kind kind;
	uint64_t address;
	uint64_t size;
	const void *cache;      /* HELD_CACHE_OBJECT only */
	uint64_t sequence;      /* order of allocation, from 1 */
};

struct held_list {
	struct held_entry entries[HELD_MAX];
	unsigned int count;
	uint64_t next_sequence;
};

/* Return: the name of @kind as the monitor's commands say it ("kmalloc"...). */
const char *held_kind_name(enum held_kind kind);

/* held_add - remember an allocation. Return: the entry, or NULL if the list is full. */
struct held_entry *held_add(struct held_list *list, enum held_kind kind, uint64_t address,
			    uint64_t size, const void *cache);

/* held_find - the entry of @kind at @address (any kind if @kind < 0), or NULL. */
struct held_entry *held_find(struct held_list *list, int kind, uint64_t address);

/* held_remove - forget @entry (it was freed). */
void held_remove(struct held_list *list, struct held_entry *entry);

/* Return: how many objects of @cache are held. */
unsigned int held_count_cache(const struct held_list *list, const void *cache);

/*
 * held_next - iterate in allocation order: the entry allocated after
 * @previous (NULL: the first).  Return: NULL after the last.
 */
const struct held_entry *held_next(const struct held_list *list, const struct held_entry *previous);

#endif
