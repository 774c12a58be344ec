// SPDX-License-Identifier: MIT
/*
 * replay.c: replay a real allocation trace inside the kernel (see
 * include/replay.h for the command line and the lines it prints, and
 * include/trace_replay.h for the format).
 *
 * Steps: validate the whole trace (kernel/trace_replay.c) before touching
 * any allocator; create one kmem_cache per cache name of the trace; run
 * the records in order, each allocation filled with a pattern derived from
 * its id and allocating record, checked again on free; free what is left;
 * destroy the caches; check that the free page count and slab_pages() are
 * back where they started.  Only the allocator calls are timed (rdtsc
 * around each, the timer's own cost taken off), so filling and checking
 * do not count in cycles_per_op.  slab_usage() asks every CPU, so it is
 * sampled every REPLAY_SAMPLE_RECORDS records and after the last one.
 */
#include <asm/cpu.h>
#include <asm/tsc.h>
#include <bench.h>
#include <boot.h>
#include <buddy.h>
#include <cmdline.h>
#include <errno.h>
#include <gfp.h>
#include <io.h>
#include <kernel.h>
#include <kstring.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>
#include <replay.h>
#include <slab.h>
#include <vmalloc.h>

#define replay_print(fmt, ...) printk(KERN_RAW fmt, ##__VA_ARGS__)

/* Reported one by one, then only counted. */
#define REPORTED_PROBLEMS 5
/* Page blocks get one pattern word every this many bytes (a full fill of 4 MiB blocks is slow). */
#define PAGE_PATTERN_STRIDE 256u

/* One live allocation, by id. */
struct live_object {
	void *address;		/* NULL: not live, or its allocation failed */
	uint64_t seed;		/* pattern seed: the allocating record's index, id mixed in */
	uint32_t bytes;		/* bytes filled (kmalloc size, object size, or the page block's) */
	uint32_t linux_bytes;
	uint8_t op;		/* the allocating op */
	uint8_t order;
	uint16_t cache;
};

struct replay_state {
	const struct replay_trace *trace;
	struct replay_result *res;
	struct kmem_cache **caches;
	uint32_t *cache_sizes;
	struct live_object *live;
	uint64_t timer_overhead;
	uint64_t requested_bytes;	/* asked for by the live kmalloc and cache allocations */
	uint64_t linux_bytes;		/* what Linux handed out for them */
	uint64_t large_kmalloc_bytes;	/* held by live kmallocs above KMALLOC_MAX_CACHE_SIZE */
	uint64_t page_record_pages;
	struct slab_usage slab_before;	/* what the slab layer held before the replay */
};

const struct boot_module *replay_find_module(void)
{
	const struct boot_info *info = boot_get_info();

	for (size_t i = 0; i < info->module_count; i++) {
		const char *cmdline = info->modules[i].cmdline;

		if (strncmp(cmdline, "replay", 6) == 0 && (cmdline[6] == 0 || cmdline[6] == ' '))
			return &info->modules[i];
	}
	return NULL;
}

static uint64_t pattern_word(uint64_t seed, uint64_t index)
{
	uint64_t x = (seed + index + 1) * 0x9e3779b97f4a7c15ull;

	return x ^ (x >> 29);
}

static void fill_object(uint8_t *p, uint32_t bytes, uint64_t seed)
{
	uint32_t words = bytes / 8;

	for (uint32_t i = 0; i < words; i++)
		((uint64_t *)p)[i] = pattern_word(seed, i);
	for (uint32_t i = words * 8; i < bytes; i++)
		p[i] = (uint8_t)pattern_word(seed, i);
}

/* Return: the offset of the first byte that differs from the pattern, or @bytes. */
static uint32_t check_object(const uint8_t *p, uint32_t bytes, uint64_t seed)
{
	uint32_t words = bytes / 8;

	for (uint32_t i = 0; i < words; i++)
		if (((const uint64_t *)p)[i] != pattern_word(seed, i))
			return i * 8;
	for (uint32_t i = words * 8; i < bytes; i++)
		if (p[i] != (uint8_t)pattern_word(seed, i))
			return i;
	return bytes;
}

static void fill_pages(uint8_t *p, uint32_t bytes, uint64_t seed)
{
	for (uint32_t offset = 0; offset < bytes; offset += PAGE_PATTERN_STRIDE)
		*(uint64_t *)(p + offset) = pattern_word(seed, offset);
}

static uint32_t check_pages(const uint8_t *p, uint32_t bytes, uint64_t seed)
{
	for (uint32_t offset = 0; offset < bytes; offset += PAGE_PATTERN_STRIDE)
		if (*(const uint64_t *)(p + offset) != pattern_word(seed, offset))
			return offset;
	return bytes;
}

/* The smallest rdtsc-to-rdtsc distance: what timing one call costs by itself. */
static uint64_t measure_timer_overhead(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 1000; i++) {
		uint64_t start = rdtsc();
		uint64_t end = rdtsc();

		if (end - start < best)
			best = end - start;
	}
	return best;
}

static uint64_t timed(const struct replay_state *s, uint64_t start)
{
	uint64_t spent = rdtsc() - start;

	return spent > s->timer_overhead ? spent - s->timer_overhead : 0;
}

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

static uint64_t above(uint64_t now, uint64_t before)
{
	return now > before ? now - before : 0;
}

/*
 * Three figures, each above what was there before the replay: the bytes
 * asked for (s->requested_bytes), the bytes of the slots the slab layer
 * gave them (object size or kmalloc class: the class table's rounding),
 * and the pages held (slots plus free and empty slabs: the back-end's
 * overhead).  Large kmallocs count in both of the last two, page-rounded.
 */
static void sample_memory(struct replay_state *s)
{
	struct replay_result *res = s->res;
	struct slab_usage usage;
	uint64_t pages, held, object_bytes, empty_pages;

	slab_usage(&usage);
	pages = above(usage.pages, s->slab_before.pages);
	object_bytes = above(usage.object_bytes, s->slab_before.object_bytes) + s->large_kmalloc_bytes;
	empty_pages = above(usage.empty_pages, s->slab_before.empty_pages);
	held = pages * PAGE_SIZE + s->large_kmalloc_bytes;
	res->samples++;
	if (pages > res->peak_slab_pages)
		res->peak_slab_pages = pages;
	if (held > res->peak_held_bytes) {
		res->peak_held_bytes = held;
		res->requested_at_peak = s->requested_bytes;
		res->linux_bytes_at_peak = s->linux_bytes;
		res->object_bytes_at_peak = object_bytes;
		res->empty_slab_pages_at_peak = empty_pages;
	}
	res->final_slab_pages = pages;
	res->final_held_bytes = held;
	res->final_requested_bytes = s->requested_bytes;
	res->final_object_bytes = object_bytes;
	res->final_empty_slab_pages = empty_pages;
}

static void report_corruption(struct replay_state *s, uint32_t id, uint64_t record, uint32_t offset)
{
	if (s->res->corrupt_objects++ < REPORTED_PROBLEMS)
		pr_err("replay: record %llu: allocation id %u (%s) was overwritten at byte %u\n",
		       (unsigned long long)record, id, trace_replay_op_name(s->live[id].op), offset);
}

static void replay_alloc(struct replay_state *s, const struct replay_record *r, uint64_t index)
{
	struct live_object *object = &s->live[r->id];
	struct page *page = NULL;
	uint64_t start;
	void *address;
	uint32_t bytes;

	switch (r->op) {
	case REPLAY_OP_KMALLOC:
		bytes = r->size;
		start = rdtsc();
		address = kmalloc(bytes, GFP_KERNEL);
		s->res->alloc_cycles += timed(s, start);
		break;
	case REPLAY_OP_CACHE_ALLOC:
		bytes = s->cache_sizes[r->cache];
		start = rdtsc();
		address = kmem_cache_alloc(s->caches[r->cache], GFP_KERNEL);
		s->res->alloc_cycles += timed(s, start);
		break;
	default:
		bytes = (uint32_t)PAGE_SIZE << r->order;
		start = rdtsc();
		page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, r->order);
		s->res->alloc_cycles += timed(s, start);
		address = page ? page_address(page) : NULL;
		break;
	}
	s->res->allocs++;
	*object = (struct live_object){ .address = address, .seed = index << 24 ^ r->id,
					.bytes = bytes, .linux_bytes = r->linux_bytes, .op = r->op,
					.order = r->order, .cache = r->cache };
	if (!address) {
		if (s->res->failed_allocs++ < REPORTED_PROBLEMS)
			pr_err("replay: record %llu: %s of %u bytes failed\n", (unsigned long long)index,
			       trace_replay_op_name(r->op), bytes);
		return;
	}
	if (r->op == REPLAY_OP_PAGE_ALLOC) {
		fill_pages(address, bytes, object->seed);
		s->page_record_pages += 1ull << r->order;
		if (s->page_record_pages > s->res->peak_page_records_pages)
			s->res->peak_page_records_pages = s->page_record_pages;
		return;
	}
	fill_object(address, bytes, object->seed);
	s->requested_bytes += bytes;
	s->linux_bytes += r->linux_bytes;
	if (r->op == REPLAY_OP_KMALLOC && bytes > KMALLOC_MAX_CACHE_SIZE)
		s->large_kmalloc_bytes += ksize(address);
}

static void replay_free(struct replay_state *s, uint32_t id, uint64_t index)
{
	struct live_object *object = &s->live[id];
	uint64_t start;
	uint32_t bad;

	s->res->frees++;
	if (!object->address)
		return;	/* its allocation failed, and was reported */
	if (object->op == REPLAY_OP_PAGE_ALLOC) {
		bad = check_pages(object->address, object->bytes, object->seed);
		if (bad != object->bytes)
			report_corruption(s, id, index, bad);
		start = rdtsc();
		__free_pages(virt_to_page(object->address), object->order);
		s->res->free_cycles += timed(s, start);
		s->page_record_pages -= 1ull << object->order;
		object->address = NULL;
		return;
	}
	bad = check_object(object->address, object->bytes, object->seed);
	if (bad != object->bytes)
		report_corruption(s, id, index, bad);
	s->requested_bytes -= object->bytes;
	s->linux_bytes -= object->linux_bytes;
	if (object->op == REPLAY_OP_KMALLOC && object->bytes > KMALLOC_MAX_CACHE_SIZE)
		s->large_kmalloc_bytes -= ksize(object->address);
	start = rdtsc();
	if (object->op == REPLAY_OP_KMALLOC)
		kfree(object->address);
	else
		kmem_cache_free(s->caches[object->cache], object->address);
	s->res->free_cycles += timed(s, start);
	object->address = NULL;
}

static int create_caches(struct replay_state *s)
{
	for (uint32_t i = 0; i < s->trace->cache_count; i++) {
		struct replay_cache cache = trace_replay_cache(s->trace, i);

		s->cache_sizes[i] = cache.object_size;
		s->caches[i] = kmem_cache_create(cache.name, cache.object_size, 0, 0, NULL);
		if (!s->caches[i]) {
			pr_err("replay: cannot create cache %u \"%s\" of %u-byte objects\n", i, cache.name,
			       cache.object_size);
			return -ENOMEM;
		}
	}
	return 0;
}

static void destroy_caches(struct replay_state *s)
{
	for (uint32_t i = 0; i < s->trace->cache_count; i++)
		kmem_cache_destroy(s->caches[i]);
}

static void replay_records(struct replay_state *s, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		struct replay_record r = trace_replay_record(s->trace, i);

		if (r.op == REPLAY_OP_KMALLOC || r.op == REPLAY_OP_CACHE_ALLOC ||
		    r.op == REPLAY_OP_PAGE_ALLOC)
			replay_alloc(s, &r, i);
		else
			replay_free(s, r.id, i);
		if ((i + 1) % REPLAY_SAMPLE_RECORDS == 0)
			sample_memory(s);
	}
	s->res->records = count;
	sample_memory(s);
	for (uint32_t id = 0; id < s->trace->id_count; id++) {
		if (!s->live[id].address)
			continue;
		s->res->end_frees++;
		replay_free(s, id, count);
		s->res->frees--;	/* counted in end_frees */
	}
}

static int replay_validated(struct replay_trace *trace, const struct replay_options *options,
			    struct replay_result *res)
{
	struct replay_state s = { .trace = trace, .res = res };
	uint64_t count = trace->record_count, free_before, free_after, slab_after, start;
	int ret = -ENOMEM;

	if (options->max_records && options->max_records < count)
		count = options->max_records;
	s.live = kvcalloc(trace->id_count ? trace->id_count : 1, sizeof(*s.live), GFP_KERNEL);
	s.caches = kcalloc(trace->cache_count + 1, sizeof(*s.caches), GFP_KERNEL);
	s.cache_sizes = kcalloc(trace->cache_count + 1, sizeof(*s.cache_sizes), GFP_KERNEL);
	if (!s.live || !s.caches || !s.cache_sizes) {
		pr_err("replay: no memory for the tables of %u ids and %u caches\n", trace->id_count,
		       trace->cache_count);
		res->setup_failed = true;
		goto out;
	}
	free_before = settled_free_pages();
	slab_usage(&s.slab_before);
	s.timer_overhead = measure_timer_overhead();
	start = rdtsc();
	ret = create_caches(&s);
	if (!ret)
		replay_records(&s, count);
	destroy_caches(&s);
	res->elapsed_ns = tsc_delta_ns(start, rdtsc());
	free_after = settled_free_pages();
	slab_after = slab_pages();
	res->leaked_pages = free_after < free_before ? free_before - free_after : 0;
	res->leaked_slab_pages = above(slab_after, s.slab_before.pages);
	if (ret) {
		res->setup_failed = true;
	} else if (res->corrupt_objects || res->failed_allocs || res->leaked_pages ||
		   res->leaked_slab_pages) {
		ret = -EIO;
	}
out:
	kfree(s.cache_sizes);
	kfree(s.caches);
	kvfree(s.live);
	return ret;
}

int replay_run(const void *data, size_t size, const struct replay_options *options,
	       struct replay_result *res)
{
	struct replay_trace trace;
	uint32_t *id_state;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = trace_replay_open(data, size, &trace, &res->error);
	if (ret)
		return -EINVAL;
	id_state = kvcalloc(trace.id_count ? trace.id_count : 1, sizeof(*id_state), GFP_KERNEL);
	if (!id_state) {
		pr_err("replay: no memory to validate %u allocation ids\n", trace.id_count);
		res->setup_failed = true;
		return -ENOMEM;
	}
	ret = trace_replay_validate(&trace, id_state, &res->error);
	kvfree(id_state);
	if (ret)
		return -EINVAL;
	if (!options->quiet)
		replay_print("REPLAY start records=%llu caches=%u ids=%u bytes=%zu live_at_end=%llu "
			     "tsc_khz=%llu\n", (unsigned long long)trace.record_count, trace.cache_count,
			     trace.id_count, size, (unsigned long long)trace.live_at_end,
			     (unsigned long long)tsc_khz);
	return replay_validated(&trace, options, res);
}

static void print_ratio_field(const char *key, uint64_t total, uint64_t n)
{
	char ratio[32];

	bench_format_ratio(ratio, sizeof(ratio), total, n);
	replay_print(" %s=%s", key, ratio);
}

static void print_results(const struct replay_result *res)
{
	uint64_t ops = res->allocs + res->frees + res->end_frees;
	uint64_t cycles = res->alloc_cycles + res->free_cycles;
	uint64_t per_sec = cycles ? ops * tsc_khz * 1000 / cycles : 0;

	replay_print("REPLAY ops n=%llu allocs=%llu frees=%llu end_frees=%llu",
		     (unsigned long long)ops, (unsigned long long)res->allocs,
		     (unsigned long long)res->frees, (unsigned long long)res->end_frees);
	print_ratio_field("cycles_per_op", cycles, ops);
	print_ratio_field("alloc_cycles_per_op", res->alloc_cycles, res->allocs);
	print_ratio_field("free_cycles_per_op", res->free_cycles, res->frees + res->end_frees);
	if (tsc_khz)
		replay_print(" ops_per_sec=%llu elapsed_ms=%llu\n", (unsigned long long)per_sec,
			     (unsigned long long)(res->elapsed_ns / 1000000));
	else	/* no TSC frequency: no time */
		replay_print(" ops_per_sec=nan elapsed_ms=nan\n");
	replay_print("REPLAY memory peak_slab_pages=%llu final_slab_pages=%llu peak_held_bytes=%llu "
		     "requested_at_peak=%llu linux_bytes_at_peak=%llu final_held_bytes=%llu "
		     "final_requested_bytes=%llu peak_page_records_pages=%llu samples=%llu "
		     "object_bytes_at_peak=%llu empty_slab_pages_at_peak=%llu final_object_bytes=%llu "
		     "final_empty_slab_pages=%llu\n",
		     (unsigned long long)res->peak_slab_pages, (unsigned long long)res->final_slab_pages,
		     (unsigned long long)res->peak_held_bytes, (unsigned long long)res->requested_at_peak,
		     (unsigned long long)res->linux_bytes_at_peak,
		     (unsigned long long)res->final_held_bytes,
		     (unsigned long long)res->final_requested_bytes,
		     (unsigned long long)res->peak_page_records_pages, (unsigned long long)res->samples,
		     (unsigned long long)res->object_bytes_at_peak,
		     (unsigned long long)res->empty_slab_pages_at_peak,
		     (unsigned long long)res->final_object_bytes,
		     (unsigned long long)res->final_empty_slab_pages);
	if (ops) {
		char ratio[32];

		bench_format_ratio(ratio, sizeof(ratio), cycles, ops);
		replay_print("BENCH name=replay_op size=0 n=%llu cycles_per_op=%s\n",
			     (unsigned long long)ops, ratio);
	}
	if (res->allocs) {
		char ratio[32];

		bench_format_ratio(ratio, sizeof(ratio), res->alloc_cycles, res->allocs);
		replay_print("BENCH name=replay_alloc size=0 n=%llu cycles_per_op=%s\n",
			     (unsigned long long)res->allocs, ratio);
	}
	if (res->frees + res->end_frees) {
		char ratio[32];

		bench_format_ratio(ratio, sizeof(ratio), res->free_cycles, res->frees + res->end_frees);
		replay_print("BENCH name=replay_free size=0 n=%llu cycles_per_op=%s\n",
			     (unsigned long long)(res->frees + res->end_frees), ratio);
	}
}

static void print_refusal(const char *name, const struct replay_error *error)
{
	if (error->index == REPLAY_NO_INDEX)
		pr_err("replay: trace \"%s\" refused: %s: %s (byte %llu)\n", name, error->part,
		       error->message, (unsigned long long)error->offset);
	else
		pr_err("replay: trace \"%s\" refused: %s %llu (byte %llu): %s\n", name, error->part,
		       (unsigned long long)error->index, (unsigned long long)error->offset,
		       error->message);
}

unsigned int replay_boot(const char *value)
{
	struct replay_options options = { 0 };
	const struct boot_module *module = replay_find_module();
	struct replay_result res;
	const void *data;
	size_t size;
	int ret;

	if (*value && strcmp(value, "all") != 0 && !parse_uint(value, &options.max_records)) {
		pr_err("replay=%s: expected a number of records, or nothing for all\n", value);
		replay_print("REPLAY done result=fail reason=bad-option\n");
		return 1;
	}
	if (!module) {
		pr_err("replay: no boot module named \"replay\" (GRUB: module2 /boot/replay.bin replay)\n");
		replay_print("REPLAY done result=fail reason=no-module\n");
		return 1;
	}
	size = module->end - module->start;
	if (size == 0) {
		pr_err("replay: trace \"%s\" refused: the module is empty\n", module->cmdline);
		replay_print("REPLAY done result=fail reason=invalid-trace record=-1 offset=0\n");
		return 1;
	}
	data = memremap(module->start, size, MEMREMAP_WB | MEMREMAP_RO);
	if (!data) {
		pr_err("replay: cannot map the module at 0x%x (%zu bytes)\n", module->start, size);
		replay_print("REPLAY done result=fail reason=map\n");
		return 1;
	}
	pr_info("replay: trace \"%s\", %zu bytes at 0x%x\n", module->cmdline, size, module->start);
	ret = replay_run(data, size, &options, &res);
	memunmap((void *)data);
	if (ret == -EINVAL) {
		print_refusal(module->cmdline, &res.error);
		replay_print("REPLAY done result=fail reason=invalid-trace record=%lld offset=%llu\n",
			     res.error.index == REPLAY_NO_INDEX ? -1ll : (long long)res.error.index,
			     (unsigned long long)res.error.offset);
		return 1;
	}
	if (ret == -ENOMEM) {
		replay_print("REPLAY done result=fail reason=setup\n");
		return 1;
	}
	print_results(&res);
	replay_print("REPLAY done result=%s corrupt_objects=%llu failed_allocs=%llu leaked_pages=%llu "
		     "leaked_slab_pages=%llu\n", ret ? "fail" : "pass",
		     (unsigned long long)res.corrupt_objects, (unsigned long long)res.failed_allocs,
		     (unsigned long long)res.leaked_pages, (unsigned long long)res.leaked_slab_pages);
	return ret ? 1 : 0;
}
