/* SPDX-License-Identifier: MIT */
/*
 * replay.h: replay a real allocation trace (include/trace_replay.h)
 * against kmalloc, per-name kmem_caches and the page allocator, and
 * measure it.
 *
 * The trace arrives as a multiboot2 module whose command line starts with
 * the word "replay" (GRUB: `module2 /boot/replay.bin replay`).  Booting
 * with `replay` (or `replay=N`, the first N records) on the kernel command
 * line runs it and prints machine-readable lines (make replay parses them):
 *
 *   REPLAY start records=.. caches=.. ids=.. bytes=.. live_at_end=.. tsc_khz=..
 *   REPLAY ops n=.. allocs=.. frees=.. end_frees=.. cycles_per_op=..
 *          alloc_cycles_per_op=.. free_cycles_per_op=.. ops_per_sec=.. elapsed_ms=..
 *   REPLAY memory peak_slab_pages=.. final_slab_pages=.. peak_held_bytes=..
 *          requested_at_peak=.. linux_bytes_at_peak=.. final_held_bytes=..
 *          final_requested_bytes=.. peak_page_records_pages=.. samples=..
 *          object_bytes_at_peak=.. empty_slab_pages_at_peak=.. final_object_bytes=..
 *          final_empty_slab_pages=..
 *   BENCH name=replay_op size=0 n=.. cycles_per_op=..      (also replay_alloc, replay_free)
 *   REPLAY done result=pass|fail corrupt_objects=.. failed_allocs=..
 *          leaked_pages=.. leaked_slab_pages=..
 */
#ifndef FERRITE_REPLAY_H
#define FERRITE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bootinfo.h>
#include <trace_replay.h>

/* slab_usage() is sampled every this many records (it asks every CPU). */
#define REPLAY_SAMPLE_RECORDS 1024u

struct replay_options {
	uint64_t max_records;	/* replay the first this many records; 0: all */
	bool quiet;		/* no REPLAY/BENCH lines (problems are still printed) */
};

struct replay_result {
	struct replay_error error;	/* why the trace was refused (code 0: it was not) */
	uint64_t records;		/* records replayed */
	uint64_t allocs, frees;		/* of them */
	uint64_t end_frees;		/* allocations still live after the last record */
	uint64_t alloc_cycles, free_cycles;	/* in the allocator calls, timer overhead taken off */
	uint64_t elapsed_ns;		/* the whole replay, filling and checking included */
	uint64_t samples;		/* slab_pages() samples taken */
	uint64_t peak_slab_pages;	/* sampled, above the pages held before the replay */
	uint64_t final_slab_pages;	/* after the last record, before the end frees */
	uint64_t peak_held_bytes;	/* slab pages + large kmallocs, at the peak sample */
	uint64_t requested_at_peak;	/* bytes the live allocations asked for, then */
	uint64_t linux_bytes_at_peak;	/* bytes Linux handed out for them (bytes_alloc) */
	uint64_t final_held_bytes, final_requested_bytes;
	/*
	 * Bytes of the slots the live objects take (object size, kmalloc
	 * class size; large kmallocs page-rounded): requested -> object bytes
	 * is the class table's rounding, object -> held bytes the back-end's
	 * free slots and empty slabs.  Empty slab pages: of the held pages.
	 */
	uint64_t object_bytes_at_peak, empty_slab_pages_at_peak;
	uint64_t final_object_bytes, final_empty_slab_pages;
	uint64_t peak_page_records_pages;	/* pages held by the page records at most */
	uint64_t corrupt_objects;	/* pattern mismatches found on free */
	uint64_t failed_allocs;		/* allocations that returned NULL */
	uint64_t leaked_pages;		/* free pages missing after everything was freed */
	uint64_t leaked_slab_pages;	/* slab pages above the start after everything was freed */
	bool setup_failed;		/* no memory for the tables, or a cache could not be created */
};

/*
 * replay_find_module - the boot module whose command line starts with "replay".
 * Return: the module, or NULL.  Context: after boot_setup().
 */
const struct boot_module *replay_find_module(void);

/*
 * replay_run - validate a whole trace, then replay it and free what it left.
 * @data, @size: the trace (read only)
 * Validation comes first: a malformed trace is refused (reported with the
 * offending record's index and offset, in @res->error) before anything is
 * allocated.  Return: 0 if the replay ran and found nothing wrong (no
 * corruption, no failed allocation, no leak); -EINVAL if the trace was
 * refused; -ENOMEM if the replay could not be set up; -EIO if it ran and
 * found a problem.  Context: process context on one CPU, not in an
 * interrupt handler (creates caches, samples slab_pages()).
 */
int replay_run(const void *data, size_t size, const struct replay_options *options,
	       struct replay_result *res);

/*
 * replay_boot - run the module's trace as the command line asks (replay[=N]).
 * Return: the number of failures (0 or 1).  Context: as replay_run.
 */
unsigned int replay_boot(const char *value);

#endif /* FERRITE_REPLAY_H */
