/* SPDX-License-Identifier: MIT */
/*
 * memblock.h: the early physical memory allocator, used before the buddy
 * allocator exists (page-table pages, the struct page map).
 *
 * An instance keeps two lists of [base, end) physical ranges, in storage
 * the caller provides:
 *
 *  - memory:   usable RAM it may hand out (from the sanitized memory map);
 *  - reserved: what it handed out, or was told never to hand out, each
 *              range labelled with its owner ("page tables", "memmap").
 *
 * Free memory is memory minus reserved.  Allocation is top-down, as in
 * Linux: the highest fitting address wins.  Everything is page granular
 * and nothing here touches the memory it manages; it is bookkeeping only.
 * What was never handed out goes to the buddy allocator later, through
 * memblock_next_free().  The method is described in mm/memblock.c.
 *
 * Context for every function: early boot, one CPU, no locking; the caller
 * serializes.  No function keeps hidden state: each works on the instance
 * it is given.
 */
#ifndef FERRITE_MEMBLOCK_H
#define FERRITE_MEMBLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct firmware_map;

#define MEMBLOCK_PAGE_SIZE 4096ull

/* @limit / @max value of the allocation functions meaning "anywhere". */
#define MEMBLOCK_ALLOC_ANYWHERE 0ull

struct memblock_range {
	uint64_t base;
	uint64_t end;		/* exclusive */
	const char *owner;	/* reserved ranges: what it is for; memory: NULL */
};

/*
 * One list, sorted by base, ranges page aligned, non-empty, not overlapping;
 * touching ranges with the same owner are merged (owners compare as strings).
 */
struct memblock_type {
	struct memblock_range *ranges;	/* caller's storage */
	size_t count;
	size_t capacity;
	const char *name;		/* "memory" or "reserved" */
};

struct memblock {
	struct memblock_type memory;
	struct memblock_type reserved;
};

enum memblock_error_code {
	MEMBLOCK_OK = 0,
	MEMBLOCK_ERR_FULL,		/* a range list is at capacity */
	MEMBLOCK_ERR_RANGE,		/* range runs past the top of the address space */
	MEMBLOCK_ERR_ALIGN,		/* base of a free is not page aligned */
	MEMBLOCK_ERR_NOT_RESERVED,	/* free of a range that is not all reserved */
	MEMBLOCK_ERR_BAD_MAP,		/* memory map fails firmware_map_check() */
	MEMBLOCK_ERR_COUNT		/* number of codes, not an error */
};

/*
 * memblock_init - make @mb an empty instance over the caller's storage.
 * @memory_storage:   room for @memory_capacity usable-RAM ranges
 * @reserved_storage: room for @reserved_capacity reserved ranges
 * Context: early boot.
 */
void memblock_init(struct memblock *mb, struct memblock_range *memory_storage,
		   size_t memory_capacity, struct memblock_range *reserved_storage,
		   size_t reserved_capacity);

/*
 * memblock_add - add usable RAM [@base, @base + @size).
 *
 * The range is shrunk inward to whole pages (a partial page is never
 * handed out); what overlaps or touches memory already known merges with
 * it.  A range with no whole page in it adds nothing.
 *
 * Return: 0; MEMBLOCK_ERR_RANGE if it runs past 2^64 - 1;
 * MEMBLOCK_ERR_FULL if the memory list has no room.  On error nothing changes.
 * Context: early boot.
 */
int memblock_add(struct memblock *mb, uint64_t base, uint64_t size);

/*
 * memblock_add_firmware_map - add every MEM_USABLE range of the sanitized @map.
 *
 * Ranges carved out for the kernel (MEM_KERNEL, MEM_LOW, ...) are not
 * usable and are not added.  The call is all or nothing: it is refused
 * unless the memory list has a free slot for every usable range of the
 * map (always enough, since each range adds at most one entry).
 *
 * Return: 0; MEMBLOCK_ERR_BAD_MAP if @map fails firmware_map_check();
 * MEMBLOCK_ERR_FULL if there may not be room.  On error nothing changes.
 * Context: early boot.
 */
int memblock_add_firmware_map(struct memblock *mb, const struct firmware_map *map);

/*
 * memblock_reserve - never hand out [@base, @base + @size); label it @owner.
 *
 * The range is widened outward to whole pages and may lie partly or
 * wholly outside memory.  Where it overlaps a range already reserved, that
 * range and its owner stay; only the rest is labelled @owner.  It merges
 * with touching reserved ranges of the same owner.  A zero @size does
 * nothing.
 *
 * Return: 0; MEMBLOCK_ERR_RANGE if the widened range would run past the
 * last page of the address space; MEMBLOCK_ERR_FULL if the reserved list
 * has no room.  On error nothing changes.
 * Context: early boot.
 */
int memblock_reserve(struct memblock *mb, uint64_t base, uint64_t size, const char *owner);

/*
 * memblock_alloc - hand out @size bytes aligned to @align, below @limit.
 * @size:  rounded up to whole pages
 * @align: a power of two; anything under a page means a page
 * @limit: exclusive upper bound of the range, or MEMBLOCK_ALLOC_ANYWHERE
 * @owner: label of the new reserved range, shown by memblock_dump()
 *
 * Top-down: the highest aligned address where the whole range is free and
 * ends at or below @limit.  Physical page 0 is never handed out.  The
 * memory is not zeroed (nothing here can reach it; the caller maps it).
 *
 * Return: the physical address, or 0 when nothing fits, @size is 0,
 * @align is not a power of two, or the reserved list is full; on failure
 * nothing changes.
 * Context: early boot.
 */
uint64_t memblock_alloc(struct memblock *mb, uint64_t size, uint64_t align, uint64_t limit,
			const char *owner);

/*
 * memblock_alloc_range - as memblock_alloc(), inside the window [@min, @max).
 *
 * Still top-down within the window; @max MEMBLOCK_ALLOC_ANYWHERE means no
 * upper bound.  Use it for "below 4 GiB but not in the first 16 MiB" kinds
 * of requests.
 *
 * Return: the physical address, or 0 on failure (nothing changes).
 * Context: early boot.
 */
uint64_t memblock_alloc_range(struct memblock *mb, uint64_t size, uint64_t align,
			      uint64_t min, uint64_t max, const char *owner);

/*
 * memblock_free - return [@base, @base + @size) that was allocated or reserved.
 *
 * @size is rounded up to whole pages, as memblock_alloc() rounds it.  The
 * whole range must be reserved (it may span touching reserved ranges of
 * different owners).  Freeing the middle of a reserved range splits it,
 * which needs a free slot in the reserved list.
 *
 * Return: 0; MEMBLOCK_ERR_ALIGN if @base is not page aligned;
 * MEMBLOCK_ERR_RANGE if it runs past the last page; MEMBLOCK_ERR_NOT_RESERVED
 * if any page of it is not reserved; MEMBLOCK_ERR_FULL if a split finds
 * the reserved list full.  On error nothing changes.
 * Context: early boot.
 */
int memblock_free(struct memblock *mb, uint64_t base, uint64_t size);

/*
 * memblock_next_free - the next range that was never handed out.
 * @cursor: 0 before the first call; updated by each call
 * @base, @end: receive the range [*base, *end)
 *
 * Walks memory minus reserved in ascending order, one maximal range per
 * call, page aligned.  Usage:
 *
 *     uint64_t cursor = 0, base, end;
 *     while (memblock_next_free(mb, &cursor, &base, &end))
 *             hand_to_buddy(base, end);
 *
 * Return: true with a range, false when there is no more.
 * Context: early boot; the instance must not change during a walk.
 */
bool memblock_next_free(const struct memblock *mb, uint64_t *cursor, uint64_t *base,
			uint64_t *end);

/* Every free range of @mb in ascending order, as memblock_next_free() yields them. */
#define for_each_memblock_free_range(mb, cursor, base, end) \
	for ((cursor) = 0; memblock_next_free((mb), &(cursor), &(base), &(end));)

/* Return: true if @address lies in usable RAM of @mb. Context: any. */
bool memblock_is_memory(const struct memblock *mb, uint64_t address);

/* Return: true if @address lies in a reserved range of @mb. Context: any. */
bool memblock_is_reserved(const struct memblock *mb, uint64_t address);

/* Return: bytes of usable RAM. Context: any. */
uint64_t memblock_memory_bytes(const struct memblock *mb);

/* Return: bytes reserved inside usable RAM; reservations outside it do not count. Context: any. */
uint64_t memblock_reserved_bytes(const struct memblock *mb);

/* Return: bytes never handed out: memory minus reserved. Context: any. */
uint64_t memblock_free_bytes(const struct memblock *mb);

/*
 * memblock_check - verify the invariants of both lists (see struct
 * memblock_type): count within capacity, ranges non-empty, page aligned,
 * sorted, not overlapping, touching ranges of one owner merged.
 * Return: NULL if they all hold, else a fixed string naming the first broken one.
 * Context: any.
 */
const char *memblock_check(const struct memblock *mb);

/*
 * memblock_dump - print both lists with printk(KERN_INFO), in the form of
 * Linux's memblock=debug output:
 *
 *     MEMBLOCK configuration:
 *      memory size = 254.87 MiB reserved size = 20 KiB free size = 254.85 MiB
 *      memory.cnt  = 0x1
 *      memory[0x0] [0x0000000000100000-0x000000000ffdffff] 254.87 MiB
 *      reserved.cnt  = 0x1
 *      reserved[0x0] [0x000000000ffdb000-0x000000000ffdffff] 20 KiB page tables
 *
 * End addresses are printed inclusive, as Linux prints them; a size that
 * is not a whole number of its unit shows two decimals, truncated.
 * Context: early boot (printk).
 */
void memblock_dump(const struct memblock *mb);

/* The name the boot code prints the early allocator's state with. */
static inline void early_mem_dump(const struct memblock *mb)
{
	memblock_dump(mb);
}

/*
 * memblock_error_message - the fixed string for a MEMBLOCK_* code.
 * Return: a string for every code; "unknown error" for codes out of range.
 * Context: any.
 */
const char *memblock_error_message(int code);

#endif /* FERRITE_MEMBLOCK_H */
