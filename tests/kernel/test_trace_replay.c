// SPDX-License-Identifier: MIT
/*
 * The trace replay on the running kernel: the "replay" boot module (every
 * ISO carries the first records of the committed trace) is replayed against
 * kmalloc, its own caches and the page allocator, every object's contents
 * checked on free, and nothing may leak; a corrupted or truncated copy of
 * it must be refused, naming the bad record, before anything is allocated.
 */
#include <buddy.h>
#include <errno.h>
#include <io.h>
#include <kstring.h>
#include <ktest.h>
#include <page_alloc.h>
#include <replay.h>
#include <slab.h>
#include <trace_replay.h>
#include <vmalloc.h>

#define NO_MODULE "no \"replay\" boot module (the ISOs of make carry one)"

/*
 * Free pages once vfree's lazy unmaps are done (they free slab objects),
 * empty slabs are given back and the per-CPU lists drained: counts that
 * compare exactly before and after.
 */
static uint64_t settled_free_pages(void)
{
	vmalloc_purge();
	kmem_cache_shrink_all();
	buddy_drain_pcp(&kernel_buddy);
	return buddy_free_pages(&kernel_buddy);
}

/* Map the module: NULL (the case skipped) if there is none. */
static const void *map_module(struct ktest *t, size_t *size)
{
	const struct boot_module *module = replay_find_module();
	const void *data;

	if (!module) {
		ktest_skip(t, NO_MODULE);
		return NULL;
	}
	*size = module->end - module->start;
	data = memremap(module->start, *size, MEMREMAP_WB | MEMREMAP_RO);
	KEXPECT_NOT_NULL(t, data);
	return data;
}

static void test_replay_slice(struct ktest *t)
{
	struct replay_options options = { .quiet = true };
	struct replay_result res;
	struct replay_trace trace;
	size_t size = 0;
	const void *data = map_module(t, &size);
	uint32_t *id_state;

	if (!data)
		return;
	KEXPECT_EQ(t, trace_replay_open(data, size, &trace, NULL), 0);
	id_state = kvcalloc(trace.id_count + 1, sizeof(*id_state), GFP_KERNEL);
	KEXPECT_NOT_NULL(t, id_state);
	if (id_state)
		KEXPECT_EQ(t, trace_replay_validate(&trace, id_state, NULL), 0);
	kvfree(id_state);
	KEXPECT_EQ(t, replay_run(data, size, &options, &res), 0);
	KEXPECT_EQ(t, res.error.code, REPLAY_OK);
	KEXPECT_UEQ(t, res.records, trace.record_count);
	KEXPECT_UGT(t, res.allocs, 0);
	/* Every allocation freed: by a record or at the end. */
	KEXPECT_UEQ(t, res.frees + res.end_frees, res.allocs);
	KEXPECT_UEQ(t, res.end_frees, trace.live_at_end);
	KEXPECT_UEQ(t, res.corrupt_objects, 0);
	KEXPECT_UEQ(t, res.failed_allocs, 0);
	KEXPECT_UEQ(t, res.leaked_pages, 0);
	KEXPECT_UEQ(t, res.leaked_slab_pages, 0);
	KEXPECT_UGE(t, res.samples, 1);
	/*
	 * requested <= object bytes <= held bytes at the peak: a slot is never
	 * smaller than its request, and the slots lie in the held pages.  The
	 * empty slabs are among the held pages.
	 */
	KEXPECT_UGT(t, res.requested_at_peak, 0);
	KEXPECT_UGE(t, res.object_bytes_at_peak, res.requested_at_peak);
	KEXPECT_UGE(t, res.peak_held_bytes, res.object_bytes_at_peak);
	KEXPECT_UGE(t, res.final_object_bytes, res.final_requested_bytes);
	KEXPECT_UGE(t, res.final_held_bytes, res.final_object_bytes);
	KEXPECT_ULE(t, res.final_empty_slab_pages, res.final_slab_pages);
	KEXPECT_FALSE(t, res.setup_failed);
	memunmap((void *)data);
}

/* Replay @copy (@size bytes): it must be refused with @code at record @index, allocating nothing. */
static void expect_refused(struct ktest *t, const uint8_t *copy, size_t size, int code,
			   uint64_t index)
{
	struct replay_options options = { .quiet = true };
	struct replay_result res;
	uint64_t free_before, slab_before;

	free_before = settled_free_pages();
	slab_before = slab_pages();
	KEXPECT_EQ(t, replay_run(copy, size, &options, &res), -EINVAL);
	KEXPECT_EQ(t, res.error.code, code);
	KEXPECT_STREQ(t, res.error.part, "record");
	KEXPECT_UEQ(t, res.error.index, index);
	KEXPECT_UEQ(t, res.allocs, 0);
	KEXPECT_UEQ(t, settled_free_pages(), free_before);
	KEXPECT_UEQ(t, slab_pages(), slab_before);
}

static void test_corrupt_trace_refused(struct ktest *t)
{
	struct replay_trace trace;
	size_t size = 0, records_at;
	const void *data = map_module(t, &size);
	uint8_t *copy;
	uint64_t middle;

	if (!data)
		return;
	copy = vmalloc(size);
	KEXPECT_NOT_NULL(t, copy);
	if (!copy) {
		memunmap((void *)data);
		return;
	}
	memcpy(copy, data, size);
	memunmap((void *)data);
	KEXPECT_EQ(t, trace_replay_open(copy, size, &trace, NULL), 0);
	if (trace.record_count < 2) {
		ktest_skip(t, "the module has fewer than 2 records");
		vfree(copy);
		return;
	}
	records_at = REPLAY_HEADER_SIZE + (size_t)trace.cache_count * REPLAY_CACHE_ENTRY_SIZE;
	middle = trace.record_count / 2;

	/* Cut inside the last record: the truncated record is named. */
	expect_refused(t, copy, size - 3, REPLAY_ERR_TRUNCATED, trace.record_count - 1);
	/* An unknown op in the middle: refused before the first record runs. */
	copy[records_at + middle * REPLAY_RECORD_SIZE] = 0x7f;
	expect_refused(t, copy, size, REPLAY_ERR_OP, middle);
	vfree(copy);
}

KTEST_SUITE(trace_replay, KTEST_CASE(test_replay_slice), KTEST_CASE(test_corrupt_trace_refused));
