// SPDX-License-Identifier: MIT
/*
 * test_trace_replay.c: the replay trace parser against a built trace and
 * broken copies of it.
 *
 * A valid trace of two caches and seven records is built byte by byte;
 * each case of the table breaks one thing and checks the error code, the
 * part, the index and the offset reported.  Every trace is parsed from a
 * heap copy of exactly its size, so AddressSanitizer catches a read past
 * the end; every truncation and every single-byte change of the valid
 * trace must be refused or still validate, never crash.
 */
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "trace_replay.h"

#define MAX_TRACE 1024
#define BASE_CACHES 2
#define BASE_RECORDS 7
#define BASE_IDS 3
#define RECORDS_AT (REPLAY_HEADER_SIZE + BASE_CACHES * REPLAY_CACHE_ENTRY_SIZE)
#define BASE_SIZE (RECORDS_AT + BASE_RECORDS * REPLAY_RECORD_SIZE)

static void store_le(uint8_t *p, uint64_t value, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

static uint8_t *record_at(uint8_t *trace, unsigned index)
{
	return trace + RECORDS_AT + index * REPLAY_RECORD_SIZE;
}

static void put_record(uint8_t *trace, unsigned index, uint8_t op, uint8_t order, uint16_t cache,
		       uint32_t id, uint32_t size, uint32_t linux_bytes)
{
	uint8_t *r = record_at(trace, index);

	r[0] = op;
	r[1] = order;
	store_le(r + 2, cache, 2);
	store_le(r + 4, id, 4);
	store_le(r + 8, size, 4);
	store_le(r + 12, linux_bytes, 4);
}

static void put_cache(uint8_t *trace, unsigned index, uint32_t size, const char *name)
{
	uint8_t *entry = trace + REPLAY_HEADER_SIZE + index * REPLAY_CACHE_ENTRY_SIZE;

	memset(entry, 0, REPLAY_CACHE_ENTRY_SIZE);
	store_le(entry, size, 4);
	memcpy(entry + 8, name, strlen(name));
}

/*
 * The valid trace: kmalloc(100) as id 0, a names_cache object as id 1, an
 * order-2 page block as id 2; kfree id 0; free id 1; kmalloc(8) as id 0
 * again; free the pages.  Id 0 stays live at the end.
 */
static size_t build_base(uint8_t *trace)
{
	memset(trace, 0, MAX_TRACE);
	memcpy(trace, REPLAY_MAGIC, REPLAY_MAGIC_SIZE);
	store_le(trace + 8, REPLAY_VERSION, 4);
	store_le(trace + 12, REPLAY_HEADER_SIZE, 4);
	store_le(trace + 16, BASE_CACHES, 4);
	store_le(trace + 20, REPLAY_CACHE_ENTRY_SIZE, 4);
	store_le(trace + 24, BASE_IDS, 4);
	store_le(trace + 28, REPLAY_RECORD_SIZE, 4);
	store_le(trace + 32, BASE_RECORDS, 8);
	put_cache(trace, 0, 192, "dentry");
	put_cache(trace, 1, 4096, "names_cache");
	put_record(trace, 0, REPLAY_OP_KMALLOC, 0, 0, 0, 100, 128);
	put_record(trace, 1, REPLAY_OP_CACHE_ALLOC, 0, 1, 1, 0, 4096);
	put_record(trace, 2, REPLAY_OP_PAGE_ALLOC, 2, 0, 2, 0, 0);
	put_record(trace, 3, REPLAY_OP_KFREE, 0, 0, 0, 0, 0);
	put_record(trace, 4, REPLAY_OP_CACHE_FREE, 0, 1, 1, 0, 0);
	put_record(trace, 5, REPLAY_OP_KMALLOC, 0, 0, 0, 8, 8);
	put_record(trace, 6, REPLAY_OP_PAGE_FREE, 2, 0, 2, 0, 0);
	return BASE_SIZE;
}

/* Open and validate a heap copy of exactly @size bytes. Return: the code. */
static int parse(const uint8_t *trace, size_t size, struct replay_trace *out,
		 struct replay_error *err)
{
	uint8_t *copy = malloc(size ? size : 1);
	uint32_t *state = NULL;
	int ret;

	memcpy(copy, trace, size);
	ret = trace_replay_open(copy, size, out, err);
	if (!ret) {
		state = calloc(out->id_count ? out->id_count : 1, sizeof(*state));
		ret = trace_replay_validate(out, state, err);
	}
	free(state);
	free(copy);
	return ret;
}

static void test_valid_trace(struct ktest *t)
{
	static uint8_t trace[MAX_TRACE];
	size_t size = build_base(trace);
	struct replay_trace parsed;
	struct replay_error err;
	struct replay_record r;
	struct replay_cache c;
	uint32_t state[BASE_IDS];

	KASSERT_EQ(t, trace_replay_open(trace, size, &parsed, &err), REPLAY_OK);
	KEXPECT_UEQ(t, parsed.cache_count, 2);
	KEXPECT_UEQ(t, parsed.id_count, 3);
	KEXPECT_UEQ(t, parsed.record_count, 7);
	KASSERT_EQ(t, trace_replay_validate(&parsed, state, &err), REPLAY_OK);
	KEXPECT_STREQ(t, err.message, "no error");
	KEXPECT_UEQ(t, parsed.live_at_end, 1);
	/* The state array describes what is live at the end: id 0 only. */
	KEXPECT_UNE(t, state[0], 0);
	KEXPECT_UEQ(t, state[1], 0);
	KEXPECT_UEQ(t, state[2], 0);
	c = trace_replay_cache(&parsed, 1);
	KEXPECT_UEQ(t, c.object_size, 4096);
	KEXPECT_STREQ(t, c.name, "names_cache");
	r = trace_replay_record(&parsed, 0);
	KEXPECT_UEQ(t, r.op, REPLAY_OP_KMALLOC);
	KEXPECT_UEQ(t, r.size, 100);
	KEXPECT_UEQ(t, r.linux_bytes, 128);
	r = trace_replay_record(&parsed, 2);
	KEXPECT_UEQ(t, r.op, REPLAY_OP_PAGE_ALLOC);
	KEXPECT_UEQ(t, r.order, 2);
	KEXPECT_UEQ(t, r.id, 2);
	r = trace_replay_record(&parsed, 4);
	KEXPECT_UEQ(t, r.cache, 1);
	KEXPECT_STREQ(t, trace_replay_op_name(REPLAY_OP_CACHE_FREE), "kmem_cache_free");
	KEXPECT_STREQ(t, trace_replay_op_name(0), "?");
	KEXPECT_STREQ(t, trace_replay_error_message(REPLAY_ERR_COUNT), "unknown error");
}

static void test_empty_trace(struct ktest *t)
{
	static uint8_t trace[MAX_TRACE];
	struct replay_trace parsed;
	struct replay_error err;

	build_base(trace);
	store_le(trace + 16, 0, 4);
	store_le(trace + 24, 0, 4);
	store_le(trace + 32, 0, 8);
	KEXPECT_EQ(t, parse(trace, REPLAY_HEADER_SIZE, &parsed, &err), REPLAY_OK);
	KEXPECT_UEQ(t, parsed.live_at_end, 0);
}

struct broken_case {
	const char *what;
	void (*breaks)(uint8_t *trace, size_t *size);
	int code;
	const char *part;
	uint64_t index;		/* REPLAY_NO_INDEX for the header */
	uint64_t offset;
};

static void short_header(uint8_t *trace, size_t *size) { *size = REPLAY_HEADER_SIZE - 1; }
static void bad_magic(uint8_t *trace, size_t *size) { trace[7] = 'Z'; }
static void bad_version(uint8_t *trace, size_t *size) { store_le(trace + 8, 2, 4); }
static void bad_record_size(uint8_t *trace, size_t *size) { store_le(trace + 28, 12, 4); }
static void bad_reserved(uint8_t *trace, size_t *size) { trace[47] = 1; }
static void too_many_caches(uint8_t *trace, size_t *size) { store_le(trace + 16, REPLAY_MAX_CACHES + 1, 4); }
static void too_many_ids(uint8_t *trace, size_t *size) { store_le(trace + 24, REPLAY_MAX_IDS + 1, 4); }
static void cut_cache_table(uint8_t *trace, size_t *size) { *size = REPLAY_HEADER_SIZE + 50; }
static void cut_last_record(uint8_t *trace, size_t *size) { *size -= 1; }
static void huge_record_count(uint8_t *trace, size_t *size) { store_le(trace + 32, UINT64_MAX, 8); }
static void trailing_bytes(uint8_t *trace, size_t *size) { *size += 16; }
static void cache_size_zero(uint8_t *trace, size_t *size) { put_cache(trace, 0, 0, "dentry"); }
static void cache_too_big(uint8_t *trace, size_t *size) { put_cache(trace, 1, REPLAY_MAX_OBJECT_SIZE + 1, "x"); }
static void cache_reserved(uint8_t *trace, size_t *size) { trace[REPLAY_HEADER_SIZE + 4] = 1; }
static void name_empty(uint8_t *trace, size_t *size) { put_cache(trace, 1, 64, ""); }
static void name_unterminated(uint8_t *trace, size_t *size)
{
	put_cache(trace, 1, 64, "");
	memset(trace + REPLAY_HEADER_SIZE + REPLAY_CACHE_ENTRY_SIZE + 8, 'a', REPLAY_CACHE_NAME_SIZE);
}
static void name_garbage_after(uint8_t *trace, size_t *size)
{
	trace[REPLAY_HEADER_SIZE + REPLAY_CACHE_ENTRY_SIZE + 8 + 20] = 'q';
}
static void name_space(uint8_t *trace, size_t *size) { put_cache(trace, 0, 64, "a b"); }
static void name_duplicate(uint8_t *trace, size_t *size) { put_cache(trace, 1, 64, "dentry"); }
static void unknown_op(uint8_t *trace, size_t *size) { record_at(trace, 3)[0] = 7; }
static void op_zero(uint8_t *trace, size_t *size) { record_at(trace, 0)[0] = 0; }
static void order_on_kmalloc(uint8_t *trace, size_t *size) { record_at(trace, 0)[1] = 1; }
static void size_on_free(uint8_t *trace, size_t *size) { record_at(trace, 3)[8] = 1; }
static void cache_on_kmalloc(uint8_t *trace, size_t *size) { record_at(trace, 5)[2] = 1; }
static void linux_bytes_on_page(uint8_t *trace, size_t *size) { record_at(trace, 2)[12] = 1; }
static void id_out_of_range(uint8_t *trace, size_t *size) { store_le(record_at(trace, 1) + 4, BASE_IDS, 4); }
static void cache_out_of_range(uint8_t *trace, size_t *size) { store_le(record_at(trace, 1) + 2, 2, 2); }
static void kmalloc_zero(uint8_t *trace, size_t *size) { store_le(record_at(trace, 5) + 8, 0, 4); }
static void kmalloc_too_big(uint8_t *trace, size_t *size) { store_le(record_at(trace, 0) + 8, REPLAY_MAX_KMALLOC + 1, 4); }
static void order_too_big(uint8_t *trace, size_t *size) { record_at(trace, 2)[1] = REPLAY_MAX_ORDER + 1; }
static void alloc_over_live(uint8_t *trace, size_t *size) { store_le(record_at(trace, 2) + 4, 0, 4); }
static void free_dead(uint8_t *trace, size_t *size)
{
	put_record(trace, 4, REPLAY_OP_KFREE, 0, 0, 0, 0, 0);	/* id 0 was freed by record 3 */
}
static void kfree_of_cache_object(uint8_t *trace, size_t *size)
{
	put_record(trace, 4, REPLAY_OP_KFREE, 0, 0, 1, 0, 0);
}
static void free_wrong_cache(uint8_t *trace, size_t *size) { store_le(record_at(trace, 4) + 2, 0, 2); }
static void free_wrong_order(uint8_t *trace, size_t *size) { record_at(trace, 6)[1] = 1; }
static void page_free_of_kmalloc(uint8_t *trace, size_t *size)
{
	put_record(trace, 3, REPLAY_OP_PAGE_FREE, 0, 0, 0, 0, 0);
}

#define RECORD_OFFSET(i) (RECORDS_AT + (i) * REPLAY_RECORD_SIZE)
#define CACHE_OFFSET(i) (REPLAY_HEADER_SIZE + (i) * REPLAY_CACHE_ENTRY_SIZE)

static const struct broken_case broken_cases[] = {
	{ "short header", short_header, REPLAY_ERR_SHORT_HEADER, "header", REPLAY_NO_INDEX, 0 },
	{ "bad magic", bad_magic, REPLAY_ERR_MAGIC, "header", REPLAY_NO_INDEX, 0 },
	{ "version 2", bad_version, REPLAY_ERR_VERSION, "header", REPLAY_NO_INDEX, 8 },
	{ "12-byte records", bad_record_size, REPLAY_ERR_LAYOUT, "header", REPLAY_NO_INDEX, 12 },
	{ "reserved header field", bad_reserved, REPLAY_ERR_LAYOUT, "header", REPLAY_NO_INDEX, 12 },
	{ "too many caches", too_many_caches, REPLAY_ERR_TOO_MANY_CACHES, "header", REPLAY_NO_INDEX, 16 },
	{ "too many ids", too_many_ids, REPLAY_ERR_TOO_MANY_IDS, "header", REPLAY_NO_INDEX, 24 },
	{ "cache table cut", cut_cache_table, REPLAY_ERR_TRUNCATED, "cache table", 1, CACHE_OFFSET(1) },
	{ "last record cut", cut_last_record, REPLAY_ERR_TRUNCATED, "record", 6, RECORD_OFFSET(6) },
	{ "record count 2^64-1", huge_record_count, REPLAY_ERR_TRUNCATED, "record", 7, RECORD_OFFSET(7) },
	{ "bytes after the records", trailing_bytes, REPLAY_ERR_TRAILING, "record", 7, RECORD_OFFSET(7) },
	{ "object size 0", cache_size_zero, REPLAY_ERR_CACHE_SIZE, "cache table", 0, CACHE_OFFSET(0) },
	{ "object size too big", cache_too_big, REPLAY_ERR_CACHE_SIZE, "cache table", 1, CACHE_OFFSET(1) },
	{ "cache reserved field", cache_reserved, REPLAY_ERR_RESERVED, "cache table", 0, CACHE_OFFSET(0) },
	{ "empty name", name_empty, REPLAY_ERR_CACHE_NAME, "cache table", 1, CACHE_OFFSET(1) },
	{ "unterminated name", name_unterminated, REPLAY_ERR_CACHE_NAME, "cache table", 1, CACHE_OFFSET(1) },
	{ "garbage after the name", name_garbage_after, REPLAY_ERR_CACHE_NAME, "cache table", 1, CACHE_OFFSET(1) },
	{ "space in the name", name_space, REPLAY_ERR_CACHE_NAME, "cache table", 0, CACHE_OFFSET(0) },
	{ "duplicate name", name_duplicate, REPLAY_ERR_CACHE_DUPLICATE, "cache table", 1, CACHE_OFFSET(1) },
	{ "op 7", unknown_op, REPLAY_ERR_OP, "record", 3, RECORD_OFFSET(3) },
	{ "op 0", op_zero, REPLAY_ERR_OP, "record", 0, RECORD_OFFSET(0) },
	{ "order on kmalloc", order_on_kmalloc, REPLAY_ERR_RESERVED, "record", 0, RECORD_OFFSET(0) },
	{ "size on kfree", size_on_free, REPLAY_ERR_RESERVED, "record", 3, RECORD_OFFSET(3) },
	{ "cache on kmalloc", cache_on_kmalloc, REPLAY_ERR_RESERVED, "record", 5, RECORD_OFFSET(5) },
	{ "linux_bytes on pages", linux_bytes_on_page, REPLAY_ERR_RESERVED, "record", 2, RECORD_OFFSET(2) },
	{ "id = id_count", id_out_of_range, REPLAY_ERR_ID, "record", 1, RECORD_OFFSET(1) },
	{ "cache = cache_count", cache_out_of_range, REPLAY_ERR_CACHE_INDEX, "record", 1, RECORD_OFFSET(1) },
	{ "kmalloc(0)", kmalloc_zero, REPLAY_ERR_KMALLOC_SIZE, "record", 5, RECORD_OFFSET(5) },
	{ "kmalloc too big", kmalloc_too_big, REPLAY_ERR_KMALLOC_SIZE, "record", 0, RECORD_OFFSET(0) },
	{ "order 11", order_too_big, REPLAY_ERR_ORDER, "record", 2, RECORD_OFFSET(2) },
	{ "allocation over a live id", alloc_over_live, REPLAY_ERR_ID_LIVE, "record", 2, RECORD_OFFSET(2) },
	{ "free of a dead id", free_dead, REPLAY_ERR_ID_NOT_LIVE, "record", 4, RECORD_OFFSET(4) },
	{ "kfree of a cache object", kfree_of_cache_object, REPLAY_ERR_FREE_MISMATCH, "record", 4, RECORD_OFFSET(4) },
	{ "free to the wrong cache", free_wrong_cache, REPLAY_ERR_FREE_MISMATCH, "record", 4, RECORD_OFFSET(4) },
	{ "page free of the wrong order", free_wrong_order, REPLAY_ERR_FREE_MISMATCH, "record", 6, RECORD_OFFSET(6) },
	{ "page free of a kmalloc", page_free_of_kmalloc, REPLAY_ERR_FREE_MISMATCH, "record", 3, RECORD_OFFSET(3) },
};

static void test_broken_traces(struct ktest *t)
{
	static uint8_t trace[MAX_TRACE];

	for (size_t i = 0; i < sizeof(broken_cases) / sizeof(broken_cases[0]); i++) {
		const struct broken_case *c = &broken_cases[i];
		struct replay_trace parsed;
		struct replay_error err;
		size_t size = build_base(trace);

		c->breaks(trace, &size);
		if (parse(trace, size, &parsed, &err) != c->code) {
			ktest_fail_str(t, __FILE__, __LINE__, "==", "case", "expected error", c->what,
				       trace_replay_error_message(c->code));
			continue;
		}
		KEXPECT_EQ(t, err.code, c->code);
		KEXPECT_STREQ(t, err.message, trace_replay_error_message(c->code));
		KEXPECT_STREQ(t, err.part, c->part);
		KEXPECT_UEQ(t, err.index, c->index);
		KEXPECT_UEQ(t, err.offset, c->offset);
	}
}

static void test_null_arguments(struct ktest *t)
{
	static uint8_t trace[MAX_TRACE];
	struct replay_trace parsed;
	struct replay_error err;
	size_t size = build_base(trace);

	KEXPECT_EQ(t, trace_replay_open(NULL, size, &parsed, &err), REPLAY_ERR_NULL);
	KEXPECT_EQ(t, trace_replay_open(trace, size, NULL, &err), REPLAY_ERR_NULL);
	KEXPECT_EQ(t, trace_replay_open(trace, size, &parsed, NULL), REPLAY_OK);
	KEXPECT_EQ(t, trace_replay_validate(&parsed, NULL, &err), REPLAY_ERR_NULL);
	KEXPECT_EQ(t, trace_replay_validate(NULL, NULL, NULL), REPLAY_ERR_NULL);
}

/* Every prefix shorter than the trace is refused (header, truncated or, at 48, layout-wise). */
static void test_every_truncation_fails(struct ktest *t)
{
	static uint8_t trace[MAX_TRACE];
	size_t size = build_base(trace);

	for (size_t cut = 0; cut < size; cut++) {
		struct replay_trace parsed;
		struct replay_error err;
		int ret = parse(trace, cut, &parsed, &err);

		if (ret == REPLAY_OK) {
			ktest_fail_uint(t, __FILE__, __LINE__, "!=", "prefix length", "accepted",
					cut, size);
			break;
		}
		KEXPECT_UGE(t, size, err.offset);
	}
}

/* Any single byte changed: refused with an offset inside the file, or still valid. */
static void test_every_byte_corrupted(struct ktest *t)
{
	static uint8_t trace[MAX_TRACE];
	size_t size = build_base(trace);
	unsigned refused = 0;

	for (size_t at = 0; at < size; at++) {
		for (unsigned flip = 1; flip < 256; flip <<= 1) {
			struct replay_trace parsed;
			struct replay_error err;

			build_base(trace);
			trace[at] ^= (uint8_t)flip;
			if (parse(trace, size, &parsed, &err) != REPLAY_OK) {
				refused++;
				KEXPECT_ULE(t, err.offset, size);
				KEXPECT_NOT_NULL(t, err.message);
			}
		}
	}
	/* Most single-bit flips must be caught (only ids, sizes and names may change freely). */
	KEXPECT_UGT(t, refused, size * 8 / 2);
}

KTEST_SUITE(trace_replay_format,
	    KTEST_CASE(test_valid_trace),
	    KTEST_CASE(test_empty_trace),
	    KTEST_CASE(test_broken_traces),
	    KTEST_CASE(test_null_arguments),
	    KTEST_CASE(test_every_truncation_fails),
	    KTEST_CASE(test_every_byte_corrupted));
