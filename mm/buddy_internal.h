/* SPDX-License-Identifier: MIT */
/*
 * Private to the buddy allocator: what its core (mm/buddy.c) and its checks
 * and reports (mm/buddy_debug.c) share.
 */
#ifndef FERRITE_MM_BUDDY_INTERNAL_H
#define FERRITE_MM_BUDDY_INTERNAL_H

#include <buddy.h>

/*
 * Count one event in a counter only this CPU writes: a single `inc`
 * instruction, which an interrupt on this CPU cannot split (Linux's
 * this_cpu_inc); other CPUs read it with relaxed atomic loads.
 */
static inline void buddy_count_event(uint64_t *counter)
{
	__asm__ volatile("incq %0" : "+m"(*counter));
}

/*
 * Run @fn(@arg) on every online CPU, each with its interrupts off, and
 * return when all have run it (on_each_cpu).  Provided by the
 * environment: mm/page_alloc.c in the kernel, the host test support on
 * the host.  Context: not an interrupt handler, interrupts on.
 */
void buddy_run_on_each_cpu(void (*fn)(void *arg), void *arg);

/* Page poisoning (mm/buddy_debug.c): fill a freed block / check it when allocated. */
void poison_block(struct buddy *b, struct page *page, unsigned int order);
void poison_verify_block(struct buddy *b, struct page *page, unsigned int order);

/* Reports; each names the caller and leaves the allocator unchanged. */
void report_bad_free(struct buddy *b, struct page *page, unsigned int order, void *caller);
void report_bad_request(struct buddy *b, gfp_t gfp, unsigned int order, void *caller);
void report_allocation_failure(struct buddy *b, gfp_t gfp, unsigned int order, void *caller);
__attribute__((noreturn)) void report_nofail_exhausted(struct buddy *b, gfp_t gfp,
							unsigned int order, void *caller);

#endif
