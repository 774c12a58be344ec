/* SPDX-License-Identifier: MIT */
/*
 * Kernel page tables: map, unmap, protect and walk ranges of the kernel's
 * half of the address space.  This is the interface the rest of the
 * kernel (the memmap, vmalloc) uses; it knows nothing of x86 entry bits.
 *
 * Page sizes are chosen per step: a 1 GiB page where the CPU has them and
 * both addresses are 1 GiB aligned with at least 1 GiB left, else 2 MiB
 * on the same terms, else 4 KiB.  Page-table pages come from a page
 * source (the early allocator at boot, the buddy allocator later) and go
 * back to it when a table becomes empty.  Every change of a present entry
 * is followed by a TLB flush through asm/tlb.h before the call returns.
 *
 * Lock order: the page-table lock first, then the lock of the page
 * source's allocator (a zone lock) inside it, never the other way round.
 */
#ifndef FERRITE_ASM_PAGING_H
#define FERRITE_ASM_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Protections: reading is always allowed.  Never PROT_WRITE with PROT_EXEC. */
typedef uint32_t pgprot_t;
#define PROT_WRITE (1u << 0)
#define PROT_EXEC (1u << 1)
#define PROT_UNCACHED (1u << 2)       /* device registers (PAT slot 3, UC) */
#define PROT_WRITE_COMBINE (1u << 3)  /* framebuffers (PAT slot 1, WC) */
#define PROT_LOCAL (1u << 4)          /* not global (tests of CR3-reload behaviour) */

#define PAGE_KERNEL PROT_WRITE
#define PAGE_KERNEL_RO 0u
#define PAGE_KERNEL_RX PROT_EXEC
#define PAGE_KERNEL_IO (PROT_WRITE | PROT_UNCACHED)
#define PAGE_KERNEL_WC (PROT_WRITE | PROT_WRITE_COMBINE)

/* Where page-table pages come from.  alloc returns a physical address or 0. */
struct pagetable_page_source {
	uint64_t (*alloc)(void *context);
	void (*free)(void *context, uint64_t phys);
	void *context;
};

/*
 * Use @source for page-table pages from now on.  Pages allocated earlier
 * from another source are still freed to @source: give it pages it can
 * take (the buddy allocator takes back what the early allocator gave).
 */
void paging_set_page_source(const struct pagetable_page_source *source);

/*
 * Start a new, empty kernel top-level table from the page source and make
 * it the one the calls below edit (it is not loaded into CR3).
 * Return: its physical address, or 0 if no page was available.
 */
uint64_t paging_new_root(void);

/* Load the table being edited into CR3, then flush everything. */
void paging_activate(void);

/* Physical address of the top-level table the calls below edit. */
uint64_t paging_root(void);

/*
 * Map [@va, @va + @size) to physical [@phys, ...) with @prot.  All three
 * must be page aligned, @va in the kernel half.  If any page of the range
 * is already mapped nothing changes and the overlap is reported.
 * Return: 0; -EEXIST (overlap), -EINVAL (bad arguments, W+X), -ENOMEM
 * (no page-table page; whatever was mapped is undone).
 * Context: interrupts may be on; takes the page-table lock.
 */
int map_kernel_range(uint64_t va, uint64_t phys, uint64_t size, pgprot_t prot);

/*
 * Map @count 4 KiB pages at @va to the frames frame_of(@context, i) for
 * i = 0..@count-1 (physically scattered pages, as vmalloc's).  Checks
 * and failure handling as map_kernel_range(), with one page-table walk
 * per 2 MiB instead of one per page.
 */
int map_kernel_frames(uint64_t va, size_t count, uint64_t (*frame_of)(void *context, size_t index),
		      void *context, pgprot_t prot);

/*
 * Unmap every page in [@va, @va + @size) (holes are skipped), free
 * page-table pages that became empty, flush the TLB for the range.
 * Large pages partly inside the range are split first.
 * Return: bytes that were mapped and are now unmapped; -ENOMEM if a split
 * needed a page-table page and none was left (nothing after that point
 * is unmapped); -EINVAL for bad arguments.
 */
long unmap_kernel_range(uint64_t va, uint64_t size);

/*
 * Lazy unmapping, for callers that batch many unmaps under one TLB flush
 * (vmalloc's purge):
 *
 *   unmap_kernel_range_lazy(va, size)       clear the entries, no flush, keep
 *                                           the (possibly empty) tables
 *   ... more unmaps ...
 *   pagetable_collect_empty(start, size, &d) unlink the tables now empty
 *   flush_tlb_kernel_range(start, end)      one flush for the batch
 *   pagetable_release_deferred(&d)          free the unlinked tables
 *
 * Until the flush the unmapped ranges must not be mapped again.  Keeping
 * the tables until the purge also spares re-creating them for the next
 * area at the same place.
 */
struct pagetable_deferred {
	uint64_t first;   /* physical; each page holds the next one's address */
	uint64_t count;
};

/* Return: bytes unmapped, or -ENOMEM / -EINVAL as unmap_kernel_range(). */
long unmap_kernel_range_lazy(uint64_t va, uint64_t size);
void pagetable_collect_empty(uint64_t va, uint64_t size, struct pagetable_deferred *deferred);
/* Free the page-table pages collected. Call only after the flush. */
void pagetable_release_deferred(struct pagetable_deferred *deferred);

/*
 * Change the protection of the mapped pages in [@va, @va + @size) to
 * @prot, splitting large pages at the edges; flushes the TLB.  The memory
 * type (WB, WC, UC) is kept unless @prot names one.
 * Return: 0, -ENOENT if a page in the range is not mapped (nothing after
 * it changes), -EINVAL, -ENOMEM.
 */
int protect_kernel_range(uint64_t va, uint64_t size, pgprot_t prot);

struct page_walk {
	int leaf_level;          /* 0 (4 KiB), 1 (2 MiB), 2 (1 GiB); -1 if not mapped */
	int levels;              /* entries read (1..4) */
	uint64_t entry[4];       /* entry[3] = PML4E ... in walk order */
	uint64_t phys;           /* the physical address @va translates to */
	uint64_t page_size;
	pgprot_t prot;
	bool global;
};

/*
 * Translate @va through the kernel tables, under pagetable_lock, so no
 * table can be freed under the walk.
 * Context: any but NMI; not with pagetable_lock held.
 * Return: true if it is mapped.
 */
bool walk_kernel_address(uint64_t va, struct page_walk *walk);

/*
 * The same for crash reports: waits about a second for pagetable_lock,
 * then walks without it (the crashed code may hold it).
 * Context: any, exception handlers included.  Return: as walk_kernel_address().
 */
bool walk_kernel_address_for_report(uint64_t va, struct page_walk *walk);

/* Print the walk of @va, one line per level (fault reports, debugging). Context: as above. */
void print_page_walk(uint64_t va);

/* Page-table pages currently in use below the root (the root not counted). */
uint64_t pagetable_pages_in_use(void);

/*
 * Map device memory (a framebuffer, VGA text) at its direct-map alias.
 * Before the kernel page tables exist the region is remembered and mapped
 * when they are built; the boot tables already map the low 4 GiB.
 * Return: the virtual address, or NULL if it cannot be mapped.
 */
void *ioremap(uint64_t phys, uint64_t size, pgprot_t prot);

/* Walk every ioremap()ed region into the table being edited (paging setup). */
int ioremap_replay(void);

/* Print the kernel page tables as merged ranges (like Linux's ptdump). */
void ptdump_print(void);

/* The same for the mappings that touch [@start, @end) only (runs are shown whole). */
void ptdump_print_range(uint64_t start, uint64_t end);

/*
 * Check that no kernel mapping is writable and executable at once.
 * Return: the number of W+X bytes (0 is the only good answer); prints each
 * offending range.  Without NX every page is executable: returns 0 and
 * says the audit does not apply.
 */
uint64_t ptdump_check_wx(void);

#endif
