/* SPDX-License-Identifier: MIT */
/*
 * trace_replay.h: the replay format of real allocation traces, and its
 * validating parser.
 *
 * scripts/trace-convert.py turns ftrace's text output of Linux's kmem
 * events into this format; the kernel replays it (kernel/replay.c).  Every
 * field is little-endian; the file is exactly the header, then the cache
 * table, then the records, with no gap and nothing after:
 *
 *   header (REPLAY_HEADER_SIZE = 48 bytes)
 *     0  8  magic        "FRREPLAY"
 *     8  u32 version      REPLAY_VERSION (1)
 *    12  u32 header_size  48
 *    16  u32 cache_count  entries in the cache table (at most REPLAY_MAX_CACHES)
 *    20  u32 cache_entry_size  40
 *    24  u32 id_count     allocation ids are 0 .. id_count - 1 (at most REPLAY_MAX_IDS)
 *    28  u32 record_size  16
 *    32  u64 record_count
 *    40  u64 reserved     0
 *
 *   cache entry (40 bytes): one kmem_cache of the traced kernel
 *     0  u32 object_size  1 .. REPLAY_MAX_OBJECT_SIZE
 *     4  u32 reserved     0
 *     8  char name[32]    NUL-terminated and NUL-padded, printable ASCII,
 *                         not empty, unique in the table
 *
 *   record (16 bytes): one allocator call
 *     0  u8  op           REPLAY_OP_* below
 *     1  u8  order        page ops: 0 .. REPLAY_MAX_ORDER; else 0
 *     2  u16 cache        cache ops: index into the cache table; else 0
 *     4  u32 id           the allocation this record makes or frees
 *     8  u32 size         kmalloc: bytes requested, 1 .. REPLAY_MAX_KMALLOC; else 0
 *    12  u32 linux_bytes  kmalloc and cache allocations: the bytes the
 *                         traced kernel handed out (its bytes_alloc); else 0
 *
 * An id names one allocation from its allocating record to its freeing
 * record; after the free the id may be used again (the converter hands
 * out the lowest free id, so id_count is the peak number of live
 * allocations).  A free must match its allocation: kfree for kmalloc,
 * a cache free of the same cache, a page free of the same order.
 * Allocations still live after the last record are freed by the replay.
 *
 * trace_replay_validate() checks all of this for every record before the
 * replay allocates anything, so a truncated or corrupted file is refused
 * with the index and byte offset of the first bad record (or entry).
 */
#ifndef FERRITE_TRACE_REPLAY_H
#define FERRITE_TRACE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPLAY_MAGIC "FRREPLAY"
#define REPLAY_MAGIC_SIZE 8
#define REPLAY_VERSION 1u
#define REPLAY_HEADER_SIZE 48u
#define REPLAY_CACHE_ENTRY_SIZE 40u
#define REPLAY_CACHE_NAME_SIZE 32u
#define REPLAY_RECORD_SIZE 16u

#define REPLAY_MAX_CACHES 1024u
#define REPLAY_MAX_IDS (16u << 20)
#define REPLAY_MAX_OBJECT_SIZE (1u << 20)
#define REPLAY_MAX_ORDER 10u
#define REPLAY_MAX_KMALLOC (4u << 20)

enum replay_op {
	REPLAY_OP_KMALLOC = 1,
	REPLAY_OP_KFREE = 2,
	REPLAY_OP_CACHE_ALLOC = 3,
	REPLAY_OP_CACHE_FREE = 4,
	REPLAY_OP_PAGE_ALLOC = 5,
	REPLAY_OP_PAGE_FREE = 6,
};

enum replay_error_code {
	REPLAY_OK = 0,
	REPLAY_ERR_NULL,
	REPLAY_ERR_SHORT_HEADER,
	REPLAY_ERR_MAGIC,
	REPLAY_ERR_VERSION,
	REPLAY_ERR_LAYOUT,
	REPLAY_ERR_TOO_MANY_CACHES,
	REPLAY_ERR_TOO_MANY_IDS,
	REPLAY_ERR_TRUNCATED,
	REPLAY_ERR_TRAILING,
	REPLAY_ERR_CACHE_SIZE,
	REPLAY_ERR_CACHE_NAME,
	REPLAY_ERR_CACHE_DUPLICATE,
	REPLAY_ERR_OP,
	REPLAY_ERR_RESERVED,
	REPLAY_ERR_ID,
	REPLAY_ERR_CACHE_INDEX,
	REPLAY_ERR_KMALLOC_SIZE,
	REPLAY_ERR_ORDER,
	REPLAY_ERR_ID_LIVE,
	REPLAY_ERR_ID_NOT_LIVE,
	REPLAY_ERR_FREE_MISMATCH,
	REPLAY_ERR_COUNT	/* number of codes, not an error */
};

/* replay_error.index when the problem is not in one record or entry. */
#define REPLAY_NO_INDEX UINT64_MAX

/* What was wrong with a trace, and where. */
struct replay_error {
	int code;		/* enum replay_error_code */
	const char *message;	/* fixed, never NULL after a call */
	const char *part;	/* "header", "cache table" or "record" */
	uint64_t index;		/* of the bad record or cache entry, or REPLAY_NO_INDEX */
	uint64_t offset;	/* byte offset in the file of the bad field's record/entry */
};

struct replay_cache {
	uint32_t object_size;
	const char *name;	/* points into the trace */
};

/* A record, decoded. */
struct replay_record {
	uint8_t op;		/* enum replay_op */
	uint8_t order;
	uint16_t cache;
	uint32_t id;
	uint32_t size;
	uint32_t linux_bytes;
};

/* The header of a trace, decoded; the tables stay in the trace. */
struct replay_trace {
	const uint8_t *data;
	size_t size;
	uint32_t cache_count;
	uint32_t id_count;
	uint64_t record_count;
	uint64_t live_at_end;	/* allocations the records never free */
};

/*
 * trace_replay_open - check the header and the file's length, decode the header.
 * @data, @size: the whole file
 * @trace: result (id_count tells the caller how big trace_replay_validate's
 *         state array must be)
 * @err: on error, what and where; may be NULL
 * Return: 0, or a REPLAY_ERR_* code.  Context: any; pure.
 */
int trace_replay_open(const void *data, size_t size, struct replay_trace *trace,
		      struct replay_error *err);

/*
 * trace_replay_validate - check the cache table and every record.
 * @trace: opened by trace_replay_open()
 * @id_state: scratch of @trace->id_count entries (contents ignored, left
 *            describing the allocations live at the end)
 * @err: on error, what and where; may be NULL
 * Walks the records in order, keeping in @id_state what each id holds,
 * and sets @trace->live_at_end.  Return: 0, or a REPLAY_ERR_* code.
 * Context: any; pure.
 */
int trace_replay_validate(struct replay_trace *trace, uint32_t *id_state,
			  struct replay_error *err);

/* Entry @index of the cache table (index < cache_count). Context: any. */
struct replay_cache trace_replay_cache(const struct replay_trace *trace, uint32_t index);

/* Record @index (index < record_count). Context: any. */
struct replay_record trace_replay_record(const struct replay_trace *trace, uint64_t index);

/* Return: the fixed message of a REPLAY_* code ("unknown error" out of range). Context: any. */
const char *trace_replay_error_message(int code);

/* Return: "kmalloc", "kfree", ... for an op, "?" for others. Context: any. */
const char *trace_replay_op_name(uint8_t op);

#endif /* FERRITE_TRACE_REPLAY_H */
