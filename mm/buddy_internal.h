/* SPDX-License-Identifier: MIT */
/*
 * Private to the buddy allocator: what its core (mm/buddy.c) and its checks
 * and reports (mm/buddy_debug.c) share.
 */
#ifndef FERRITE_MM_BUDDY_INTERNAL_H
#define FERRITE_MM_BUDDY_INTERNAL_H

#include <buddy.h>

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
