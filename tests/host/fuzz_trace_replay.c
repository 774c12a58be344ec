// SPDX-License-Identifier: MIT
/*
 * fuzz_trace_replay.c: libFuzzer target for the replay trace parser.
 *
 * The input is a replay file.  Whatever it holds, trace_replay_open() and
 * trace_replay_validate() must not read outside it (AddressSanitizer
 * watches) and must name any error with an offset inside the file.  A trace
 * that validates must keep the promises the replay relies on: every
 * record's op, id, cache index, size and order in range, every free
 * matching a live allocation of the same kind, and the live count at the
 * end what a replay of the records leaves.  Any breach stops the run with
 * __builtin_trap().
 *
 * make fuzz FUZZ_TARGET=trace_replay runs it; make fuzz-replay (part of
 * make test) replays tests/host/fuzz_corpus/trace_replay/ through it.
 */
#include <stdlib.h>

#include "trace_replay.h"

/* Larger id tables are valid but make every input slow: not validated here. */
#define FUZZ_MAX_IDS (1u << 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond))                                                    \
			__builtin_trap();                                       \
	} while (0)

static bool is_alloc(uint8_t op)
{
	return op == REPLAY_OP_KMALLOC || op == REPLAY_OP_CACHE_ALLOC || op == REPLAY_OP_PAGE_ALLOC;
}

/* Replay @trace on a model: what each id holds, as the kernel would see it. */
static void check_promises(const struct replay_trace *trace)
{
	struct replay_record *live = calloc(trace->id_count ? trace->id_count : 1, sizeof(*live));
	uint64_t count = 0;

	CHECK(live);
	for (uint32_t i = 0; i < trace->cache_count; i++) {
		struct replay_cache cache = trace_replay_cache(trace, i);

		CHECK(cache.object_size >= 1 && cache.object_size <= REPLAY_MAX_OBJECT_SIZE);
		CHECK(cache.name[0] != 0);
	}
	for (uint64_t i = 0; i < trace->record_count; i++) {
		struct replay_record r = trace_replay_record(trace, i);

		CHECK(r.op >= REPLAY_OP_KMALLOC && r.op <= REPLAY_OP_PAGE_FREE);
		CHECK(r.id < trace->id_count);
		if (is_alloc(r.op)) {
			CHECK(live[r.id].op == 0);
			CHECK(r.op != REPLAY_OP_KMALLOC || (r.size >= 1 && r.size <= REPLAY_MAX_KMALLOC));
			CHECK(r.op != REPLAY_OP_CACHE_ALLOC || r.cache < trace->cache_count);
			CHECK(r.order <= REPLAY_MAX_ORDER);
			live[r.id] = r;
			count++;
			continue;
		}
		CHECK(live[r.id].op == r.op - 1);
		CHECK(r.op != REPLAY_OP_CACHE_FREE || r.cache == live[r.id].cache);
		CHECK(r.op != REPLAY_OP_PAGE_FREE || r.order == live[r.id].order);
		live[r.id].op = 0;
		count--;
	}
	CHECK(count == trace->live_at_end);
	free(live);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_trace trace;
	struct replay_error err;
	uint32_t *state;
	int ret;

	/* An exact-size copy: a read past the end is a heap overflow ASan reports. */
	uint8_t *copy = malloc(size ? size : 1);

	CHECK(copy);
	for (size_t i = 0; i < size; i++)
		copy[i] = data[i];
	ret = trace_replay_open(copy, size, &trace, &err);
	CHECK(ret == err.code && err.message);
	if (ret) {
		CHECK(err.offset <= size);
		free(copy);
		return 0;
	}
	if (trace.id_count <= FUZZ_MAX_IDS) {
		state = malloc((trace.id_count ? trace.id_count : 1) * sizeof(*state));
		CHECK(state);
		ret = trace_replay_validate(&trace, state, &err);
		CHECK(ret == err.code && err.message);
		if (ret == 0)
			check_promises(&trace);
		else
			CHECK(err.offset <= size);
		free(state);
	}
	free(copy);
	return 0;
}
