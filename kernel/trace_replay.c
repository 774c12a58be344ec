// SPDX-License-Identifier: MIT
/*
 * trace_replay.c: the validating parser of replay traces (format in
 * include/trace_replay.h).
 *
 * The file is untrusted: every length is checked against the file's size
 * with 64-bit arithmetic that cannot wrap (counts are bounded first), and
 * fields are assembled byte by byte, so no read depends on alignment.
 * Validation walks every record once, tracking each id's allocation in a
 * caller-supplied state array, so the replay that follows can trust every
 * record: no free of a dead id, no allocation over a live one, no free of
 * the wrong kind.
 */
#include "trace_replay.h"

static const char *const replay_messages[REPLAY_ERR_COUNT] = {
	[REPLAY_OK] = "no error",
	[REPLAY_ERR_NULL] = "trace or result pointer is NULL",
	[REPLAY_ERR_SHORT_HEADER] = "file shorter than the 48-byte header",
	[REPLAY_ERR_MAGIC] = "bad magic (not a replay trace)",
	[REPLAY_ERR_VERSION] = "unsupported format version",
	[REPLAY_ERR_LAYOUT] = "header, cache entry or record size not the format's",
	[REPLAY_ERR_TOO_MANY_CACHES] = "more caches than the format allows",
	[REPLAY_ERR_TOO_MANY_IDS] = "more allocation ids than the format allows",
	[REPLAY_ERR_TRUNCATED] = "file shorter than its header announces (truncated)",
	[REPLAY_ERR_TRAILING] = "bytes after the last record",
	[REPLAY_ERR_CACHE_SIZE] = "cache object size 0 or too large",
	[REPLAY_ERR_CACHE_NAME] = "cache name empty, unterminated, not NUL-padded or not printable",
	[REPLAY_ERR_CACHE_DUPLICATE] = "cache name appears twice",
	[REPLAY_ERR_OP] = "unknown record op",
	[REPLAY_ERR_RESERVED] = "a field this op does not use is not 0",
	[REPLAY_ERR_ID] = "allocation id not below id_count",
	[REPLAY_ERR_CACHE_INDEX] = "cache index not below cache_count",
	[REPLAY_ERR_KMALLOC_SIZE] = "kmalloc size 0 or too large",
	[REPLAY_ERR_ORDER] = "page order too large",
	[REPLAY_ERR_ID_LIVE] = "allocation over an id that is still live",
	[REPLAY_ERR_ID_NOT_LIVE] = "free of an id that is not live",
	[REPLAY_ERR_FREE_MISMATCH] = "free does not match its allocation (kind, cache or order)",
};

static uint16_t load_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static uint32_t load_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t load_u64(const uint8_t *p)
{
	return (uint64_t)load_u32(p) | (uint64_t)load_u32(p + 4) << 32;
}

static int fail(struct replay_error *err, int code, const char *part, uint64_t index,
		uint64_t offset)
{
	if (err) {
		err->code = code;
		err->message = trace_replay_error_message(code);
		err->part = part;
		err->index = index;
		err->offset = offset;
	}
	return code;
}

static uint64_t cache_table_offset(uint64_t index)
{
	return REPLAY_HEADER_SIZE + index * REPLAY_CACHE_ENTRY_SIZE;
}

static uint64_t record_offset(const struct replay_trace *trace, uint64_t index)
{
	return cache_table_offset(trace->cache_count) + index * REPLAY_RECORD_SIZE;
}

int trace_replay_open(const void *data, size_t size, struct replay_trace *trace,
		      struct replay_error *err)
{
	const uint8_t *p = data;
	uint64_t expected;

	fail(err, REPLAY_OK, "header", REPLAY_NO_INDEX, 0);
	if (!data || !trace)
		return fail(err, REPLAY_ERR_NULL, "header", REPLAY_NO_INDEX, 0);
	trace->data = p;
	trace->size = size;
	trace->cache_count = trace->id_count = 0;
	trace->record_count = trace->live_at_end = 0;
	if (size < REPLAY_HEADER_SIZE)
		return fail(err, REPLAY_ERR_SHORT_HEADER, "header", REPLAY_NO_INDEX, 0);
	for (unsigned i = 0; i < REPLAY_MAGIC_SIZE; i++)
		if (p[i] != (uint8_t)REPLAY_MAGIC[i])
			return fail(err, REPLAY_ERR_MAGIC, "header", REPLAY_NO_INDEX, 0);
	if (load_u32(p + 8) != REPLAY_VERSION)
		return fail(err, REPLAY_ERR_VERSION, "header", REPLAY_NO_INDEX, 8);
	if (load_u32(p + 12) != REPLAY_HEADER_SIZE || load_u32(p + 20) != REPLAY_CACHE_ENTRY_SIZE ||
	    load_u32(p + 28) != REPLAY_RECORD_SIZE || load_u64(p + 40) != 0)
		return fail(err, REPLAY_ERR_LAYOUT, "header", REPLAY_NO_INDEX, 12);
	trace->cache_count = load_u32(p + 16);
	trace->id_count = load_u32(p + 24);
	trace->record_count = load_u64(p + 32);
	if (trace->cache_count > REPLAY_MAX_CACHES)
		return fail(err, REPLAY_ERR_TOO_MANY_CACHES, "header", REPLAY_NO_INDEX, 16);
	if (trace->id_count > REPLAY_MAX_IDS)
		return fail(err, REPLAY_ERR_TOO_MANY_IDS, "header", REPLAY_NO_INDEX, 24);
	/* Compare record counts, not byte counts: a huge record_count cannot wrap. */
	if (size < cache_table_offset(trace->cache_count)) {
		uint64_t whole = (size - REPLAY_HEADER_SIZE) / REPLAY_CACHE_ENTRY_SIZE;

		return fail(err, REPLAY_ERR_TRUNCATED, "cache table", whole, cache_table_offset(whole));
	}
	if (trace->record_count > (size - cache_table_offset(trace->cache_count)) / REPLAY_RECORD_SIZE) {
		uint64_t whole = (size - cache_table_offset(trace->cache_count)) / REPLAY_RECORD_SIZE;

		return fail(err, REPLAY_ERR_TRUNCATED, "record", whole, record_offset(trace, whole));
	}
	expected = record_offset(trace, trace->record_count);
	if (size != expected)
		return fail(err, REPLAY_ERR_TRAILING, "record", trace->record_count, expected);
	return 0;
}

static bool name_is_valid(const uint8_t *name)
{
	unsigned length = 0;

	while (length < REPLAY_CACHE_NAME_SIZE && name[length])
		length++;
	if (length == 0 || length == REPLAY_CACHE_NAME_SIZE)
		return false;
	for (unsigned i = 0; i < length; i++)
		if (name[i] < 0x21 || name[i] > 0x7e)
			return false;
	for (unsigned i = length; i < REPLAY_CACHE_NAME_SIZE; i++)
		if (name[i])
			return false;
	return true;
}

static bool names_equal(const uint8_t *a, const uint8_t *b)
{
	for (unsigned i = 0; i < REPLAY_CACHE_NAME_SIZE; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static int validate_caches(const struct replay_trace *trace, struct replay_error *err)
{
	for (uint32_t i = 0; i < trace->cache_count; i++) {
		const uint8_t *entry = trace->data + cache_table_offset(i);
		uint32_t object_size = load_u32(entry);

		if (object_size == 0 || object_size > REPLAY_MAX_OBJECT_SIZE)
			return fail(err, REPLAY_ERR_CACHE_SIZE, "cache table", i, cache_table_offset(i));
		if (load_u32(entry + 4))
			return fail(err, REPLAY_ERR_RESERVED, "cache table", i, cache_table_offset(i));
		if (!name_is_valid(entry + 8))
			return fail(err, REPLAY_ERR_CACHE_NAME, "cache table", i, cache_table_offset(i));
		for (uint32_t j = 0; j < i; j++)
			if (names_equal(entry + 8, trace->data + cache_table_offset(j) + 8))
				return fail(err, REPLAY_ERR_CACHE_DUPLICATE, "cache table", i,
					    cache_table_offset(i));
	}
	return 0;
}

/*
 * id_state: 0 while the id is free; else the allocating op in bits 24..31
 * and its cache index (cache allocations) or order (pages) in bits 0..15.
 */
static uint32_t live_state(const struct replay_record *r)
{
	uint32_t detail = r->op == REPLAY_OP_PAGE_ALLOC ? r->order : r->cache;

	return (uint32_t)r->op << 24 | detail;
}

/* The allocating op a free op undoes. */
static uint8_t allocating_op(uint8_t free_op)
{
	return (uint8_t)(free_op - 1);
}

static bool is_alloc(uint8_t op)
{
	return op == REPLAY_OP_KMALLOC || op == REPLAY_OP_CACHE_ALLOC || op == REPLAY_OP_PAGE_ALLOC;
}

/* Check one record's fields on their own: 0 or an error code. */
static int check_fields(const struct replay_trace *trace, const struct replay_record *r)
{
	bool cache_op = r->op == REPLAY_OP_CACHE_ALLOC || r->op == REPLAY_OP_CACHE_FREE;
	bool page_op = r->op == REPLAY_OP_PAGE_ALLOC || r->op == REPLAY_OP_PAGE_FREE;

	if (r->op < REPLAY_OP_KMALLOC || r->op > REPLAY_OP_PAGE_FREE)
		return REPLAY_ERR_OP;
	if ((!page_op && r->order) || (!cache_op && r->cache) ||
	    (r->op != REPLAY_OP_KMALLOC && r->size) ||
	    (r->op != REPLAY_OP_KMALLOC && r->op != REPLAY_OP_CACHE_ALLOC && r->linux_bytes))
		return REPLAY_ERR_RESERVED;
	if (r->id >= trace->id_count)
		return REPLAY_ERR_ID;
	if (cache_op && r->cache >= trace->cache_count)
		return REPLAY_ERR_CACHE_INDEX;
	if (r->op == REPLAY_OP_KMALLOC && (r->size == 0 || r->size > REPLAY_MAX_KMALLOC))
		return REPLAY_ERR_KMALLOC_SIZE;
	if (page_op && r->order > REPLAY_MAX_ORDER)
		return REPLAY_ERR_ORDER;
	return 0;
}

int trace_replay_validate(struct replay_trace *trace, uint32_t *id_state,
			  struct replay_error *err)
{
	uint64_t live = 0;
	int ret;

	fail(err, REPLAY_OK, "header", REPLAY_NO_INDEX, 0);
	if (!trace || !trace->data || (!id_state && trace->id_count))
		return fail(err, REPLAY_ERR_NULL, "header", REPLAY_NO_INDEX, 0);
	ret = validate_caches(trace, err);
	if (ret)
		return ret;
	for (uint32_t id = 0; id < trace->id_count; id++)
		id_state[id] = 0;
	for (uint64_t i = 0; i < trace->record_count; i++) {
		struct replay_record r = trace_replay_record(trace, i);

		ret = check_fields(trace, &r);
		if (ret)
			return fail(err, ret, "record", i, record_offset(trace, i));
		if (is_alloc(r.op)) {
			if (id_state[r.id])
				return fail(err, REPLAY_ERR_ID_LIVE, "record", i, record_offset(trace, i));
			id_state[r.id] = live_state(&r);
			live++;
			continue;
		}
		if (!id_state[r.id])
			return fail(err, REPLAY_ERR_ID_NOT_LIVE, "record", i, record_offset(trace, i));
		r.op = allocating_op(r.op);
		if (id_state[r.id] != live_state(&r))
			return fail(err, REPLAY_ERR_FREE_MISMATCH, "record", i, record_offset(trace, i));
		id_state[r.id] = 0;
		live--;
	}
	trace->live_at_end = live;
	return 0;
}

struct replay_cache trace_replay_cache(const struct replay_trace *trace, uint32_t index)
{
	const uint8_t *entry = trace->data + cache_table_offset(index);

	return (struct replay_cache){ load_u32(entry), (const char *)entry + 8 };
}

struct replay_record trace_replay_record(const struct replay_trace *trace, uint64_t index)
{
	const uint8_t *p = trace->data + record_offset(trace, index);

	return (struct replay_record){
		.op = p[0],
		.order = p[1],
		.cache = load_u16(p + 2),
		.id = load_u32(p + 4),
		.size = load_u32(p + 8),
		.linux_bytes = load_u32(p + 12),
	};
}

const char *trace_replay_error_message(int code)
{
	if (code < 0 || code >= REPLAY_ERR_COUNT)
		return "unknown error";
	return replay_messages[code];
}

const char *trace_replay_op_name(uint8_t op)
{
	switch (op) {
	case REPLAY_OP_KMALLOC: return "kmalloc";
	case REPLAY_OP_KFREE: return "kfree";
	case REPLAY_OP_CACHE_ALLOC: return "kmem_cache_alloc";
	case REPLAY_OP_CACHE_FREE: return "kmem_cache_free";
	case REPLAY_OP_PAGE_ALLOC: return "alloc_pages";
	case REPLAY_OP_PAGE_FREE: return "__free_pages";
	default: return "?";
	}
}
