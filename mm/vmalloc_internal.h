/* SPDX-License-Identifier: MIT */
/*
 * Private to mm/: what vmalloc's core (mm/vmalloc.c) shares with its
 * debugging side (mm/vmalloc_debug.c) and with kvmalloc (mm/util.c).
 */
#ifndef FERRITE_MM_VMALLOC_INTERNAL_H
#define FERRITE_MM_VMALLOC_INTERNAL_H

#include <asm/memlayout.h>
#include <spinlock.h>
#include <vmalloc.h>
#include <vmap_area.h>

#define VMAP_BUCKETS 1024		/* busy-area hash table size */
#define VMAP_GUARD_SIZE PAGE_SIZE	/* unmapped page after every area */

enum vm_kind { VM_KIND_VMALLOC, VM_KIND_VMAP };

struct vm_area {
	struct vm_area *next;        /* hash chain or purge list */
	uint64_t start;
	uint64_t size;               /* mapped bytes (the guard page follows) */
	struct page **pages;         /* vmalloc: the pages it owns */
	unsigned int page_count;
	enum vm_kind kind;
	void *caller;
};

extern spinlock_t vmap_lock;
/* vmap_lock must be held for all of these. */
extern struct vmap_space vmap_free_space;	/* free ranges of the vmalloc area */
extern struct vm_area *vmap_busy[VMAP_BUCKETS];	/* busy areas by vmap_bucket_of(start) */
extern struct vm_area *vmap_lazy_list;		/* freed areas awaiting the next purge */
extern struct vmalloc_stats vmap_stats;
/*
 * Bytes of ranges (guard pages included) that are neither free, busy nor
 * lazy: reserved and not yet published, or taken out of the busy table
 * and not yet queued for the purge.  vmalloc_check() counts them, so it
 * holds while other CPUs are between those steps.
 */
extern uint64_t vmap_transit_bytes;

/* The vmap_busy[] bucket of the area starting at @start.  Context: any. */
unsigned int vmap_bucket_of(uint64_t start);

/*
 * vmap_busy_find_containing - the busy area whose range (guard page
 * included) holds @address.  A scan of every bucket: only wrong-use and
 * fault reports need it.
 * Context: vmap_lock held.  Return: the area, or NULL.
 */
struct vm_area *vmap_busy_find_containing(uint64_t address);

/*
 * __vmalloc_caller - vmalloc() with @gfp, the area charged to @caller (as
 * vmallocinfo shows it); for allocators built on vmalloc, such as kvmalloc.
 * Context: any, as vmalloc().  Return: the address or NULL.
 */
void *__vmalloc_caller(size_t size, gfp_t gfp, void *caller);

/*
 * vmalloc_area_size - mapped bytes of the busy area that starts at @address.
 * Context: any.  Return: the size, or 0 if no busy area starts there.
 */
size_t vmalloc_area_size(const void *address);

#endif /* FERRITE_MM_VMALLOC_INTERNAL_H */
