/* SPDX-License-Identifier: MIT */
/*
 * vmalloc, vmap and kvmalloc: virtually contiguous memory in the vmalloc
 * area (0xffffc90000000000 - 0xffffe8ffffffffff), Linux's names and
 * meaning.  Every area is followed by an unmapped guard page, so running
 * off its end faults (and the fault report names the area).
 *
 * vfree and vunmap unmap at once but give the address range back lazily:
 * freed ranges are collected and purged in batches with one TLB flush per
 * batch, so a stream of vfree calls does not flush the TLB each time.  A
 * range is never handed out again before its TLB entries are gone.
 *
 * Wrong use -- vfree of an address that is not an area's start, a double
 * vfree, vunmap of a vmalloc area, vfree of a vmap area -- is reported
 * with the caller and changes nothing.  The design is in mm/vmalloc.c;
 * kvmalloc and kvfree are in mm/util.c.
 *
 * Context of every call that allocates or frees (vmalloc, vzalloc,
 * vmalloc_array, vcalloc, vfree, vmap, vmap_pfn, vunmap, kvmalloc of a
 * large size): any CPU, never an interrupt handler -- as in Linux, where
 * vmalloc may sleep.  A call from interrupt context is reported and
 * refused (NULL; a vfree keeps the area).  vmalloc_to_page and
 * is_vmalloc_addr may be called from anywhere but NMI.
 */
#ifndef FERRITE_VMALLOC_H
#define FERRITE_VMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <asm/paging.h>
#include <gfp.h>

struct page;

#define VM_MAP 0x4u /* vmap() flag: the pages are the caller's (Linux's value) */

/* Return: @size bytes (page-granular) of zero-filled-or-not memory, or NULL. Context: above. */
void *vmalloc(size_t size);
void *vzalloc(size_t size);
/* Overflow of @count * @size returns NULL. */
void *vmalloc_array(size_t count, size_t size);
void *vcalloc(size_t count, size_t size);
/* NULL is a no-op. */
void vfree(const void *address);

/* Map @count caller-owned pages contiguously with @prot. Return: the address or NULL. */
void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot);
void vunmap(const void *address);

/*
 * Map @count page frames (firmware tables, device memory: frames that need
 * no struct page) contiguously with @prot; vunmap() undoes it.  The frames
 * stay the caller's; vmalloc_to_page() has no meaning for such an area.
 * Return: the address or NULL.  Context: may take the page-table lock.
 */
void *vmap_pfn(unsigned long *pfns, unsigned int count, pgprot_t prot);

struct page *vmalloc_to_page(const void *address);
unsigned long vmalloc_to_pfn(const void *address);
bool is_vmalloc_addr(const void *address);

/*
 * kmalloc where that is sensible (small sizes; larger ones only if
 * contiguous memory is there without warnings or reserves), else vmalloc.
 * kvfree frees either.
 */
void *kvmalloc(size_t size, gfp_t gfp);
void *kvzalloc(size_t size, gfp_t gfp);
void *kvcalloc(size_t count, size_t size, gfp_t gfp);
void *kvrealloc(const void *address, size_t new_size, gfp_t gfp);
void kvfree(const void *address);

/* Bring up the vmalloc area (after the slab layer). */
void vmalloc_init(void);

/* Print every area like /proc/vmallocinfo. */
void vmallocinfo_print(void);

/* Verify the free-space tree and the busy areas. Return: NULL or the broken invariant. */
const char *vmalloc_check(void);

/* Give every lazily freed range back now (one TLB flush). */
void vmalloc_purge(void);

/*
 * For fault reports: if @address is in a vmalloc area or its guard page,
 * write a description ("vmalloc guard page of area [...] allocated by
 * f+0x12/0x40") into @buf.  Return: true if it did.
 */
bool vmalloc_describe_address(uint64_t address, char *buf, size_t size);

struct vmalloc_stats {
	uint64_t areas;              /* busy areas */
	uint64_t pages;              /* pages vmalloc owns */
	uint64_t lazy_areas;         /* freed areas awaiting purge */
	uint64_t lazy_pages;
	uint64_t purges;             /* batches purged (one TLB flush each) */
	uint64_t reports;            /* wrong-use reports */
};
void vmalloc_get_stats(struct vmalloc_stats *stats);

/* Is @address the start of a live vmalloc or vmap area (one vfree/vunmap would free)? */
bool vmalloc_is_area_start(const void *address);

/*
 * Fault injection for tests: make the next page allocation number
 * @page_alloc_after (0-based) or mapping number @map_after fail; -1 is off.
 */
void vmalloc_inject_failure(int page_alloc_after, int map_after);

#endif
