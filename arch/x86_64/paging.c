// SPDX-License-Identifier: MIT
/*
 * Kernel page-table editing: map, unmap, protect, walk (asm/paging.h).
 *
 * The range operations are recursive over the four levels with inclusive
 * end addresses (a range may end at the very top of the address space,
 * where an exclusive end would wrap to 0).  At each level the range is cut
 * into the pieces each entry covers; a piece that covers a whole entry is
 * handled at that level, a partial piece one level down.
 *
 * Splitting a large page writes the new table (same translation, same
 * attributes) over the large entry, then flushes everything on every CPU
 * (a shootdown) before any entry of the new table is changed.  Clearing
 * the entry first (break-before-make) is not possible here: the table
 * being edited may itself be reached through the very large page being
 * split, and with other CPUs running, any of them may at that moment use
 * other memory under the same large page (a 2 MiB piece of the direct
 * map holds unrelated objects) and would fault on the cleared entry.
 * Mappings identical but for page size are harmless to the TLB (Intel SDM
 * vol. 3, 4.10.2.3), which is what Linux relies on for the same split
 * (arch/x86/mm/pat/set_memory.c).  Nothing merges large pages back.
 *
 * pagetable_lock guards every table below the root and the counters; a
 * walk takes it too, so no table is freed under a walker.
 * Lock order (asm/paging.h): vmap_lock may be held around it; under it,
 * only a zone lock (page-table pages from the buddy allocator).
 */
#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <asm/pgtable.h>
#include <asm/tlb.h>
#include <errno.h>
#include <kernel.h>
#include <kstring.h>
#include <printk.h>
#include <spinlock.h>
#include <symbols.h>

/* Attributes a leaf keeps when it is split or re-protected (not P/PS/PAT/address). */
#define LEAF_PROT_BITS (PTE_WRITABLE | PTE_WRITE_THROUGH | PTE_CACHE_DISABLE | PTE_GLOBAL | \
			PTE_NO_EXECUTE)

static DEFINE_SPINLOCK(pagetable_lock);
static uint64_t root_phys;                     /* guarded by pagetable_lock */
static uint64_t table_pages;                   /* guarded by pagetable_lock */
static struct pagetable_page_source page_source;


void paging_set_page_source(const struct pagetable_page_source *source)
{
	page_source = *source;
}

uint64_t paging_root(void)
{
	return root_phys;
}

static uint64_t *table_of(uint64_t entry)
{
	return __va(entry_address(entry));
}

static uint64_t table_page_alloc(void)
{
	uint64_t phys = page_source.alloc ? page_source.alloc(page_source.context) : 0;

	if (phys) {
		memset(__va(phys), 0, PAGE_SIZE);
		table_pages++;
	}
	return phys;
}

static void table_page_defer_free(struct pagetable_deferred *freed, uint64_t phys)
{
	*(uint64_t *)__va(phys) = freed->first;
	freed->first = phys;
	freed->count++;
}

/* Give back tables unlinked by an unmap; their TLB/paging-cache entries are gone by now. */
static void table_pages_release(struct pagetable_deferred *freed)
{
	while (freed->first) {
		uint64_t phys = freed->first;

		freed->first = *(uint64_t *)__va(phys);
		table_pages--;
		page_source.free(page_source.context, phys);
	}
}

uint64_t pagetable_pages_in_use(void)
{
	return table_pages;
}

uint64_t paging_new_root(void)
{
	uint64_t phys = table_page_alloc();

	if (phys) {
		table_pages--; /* the root is not counted */
		root_phys = phys;
	}
	return phys;
}

void paging_activate(void)
{
	write_cr3(root_phys);
	flush_tlb_all();
}

/* The entry bits for a leaf at @level with @prot. */
static uint64_t leaf_bits(pgprot_t prot, int level)
{
	uint64_t bits = PTE_PRESENT | PTE_ACCESSED | PTE_DIRTY;

	if (prot & PROT_WRITE)
		bits |= PTE_WRITABLE;
	if (!(prot & PROT_EXEC) && boot_cpu.nx)
		bits |= PTE_NO_EXECUTE;
	if (boot_cpu.pge && !(prot & PROT_LOCAL))
		bits |= PTE_GLOBAL;
	/* PAT slot = PAT*4 + PCD*2 + PWT (asm/pat.h): 1 is WC, 3 is UC. */
	if (prot & PROT_WRITE_COMBINE)
		bits |= PTE_WRITE_THROUGH;
	else if (prot & PROT_UNCACHED)
		bits |= PTE_WRITE_THROUGH | PTE_CACHE_DISABLE;
	if (level > 0)
		bits |= PTE_LARGE;
	return bits;
}

static pgprot_t prot_of(uint64_t entry)
{
	pgprot_t prot = 0;

	if (entry & PTE_WRITABLE)
		prot |= PROT_WRITE;
	if (!(entry & PTE_NO_EXECUTE))
		prot |= PROT_EXEC;
	if ((entry & (PTE_WRITE_THROUGH | PTE_CACHE_DISABLE)) == PTE_WRITE_THROUGH)
		prot |= PROT_WRITE_COMBINE;
	else if (entry & PTE_CACHE_DISABLE)
		prot |= PROT_UNCACHED;
	if (!(entry & PTE_GLOBAL))
		prot |= PROT_LOCAL;
	return prot;
}

static const uint64_t intermediate_bits = PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED;

/* The last byte of the piece of [va, last] that the entry at @level holding @va covers. */
static uint64_t piece_last(uint64_t va, uint64_t last, int level)
{
	uint64_t entry_last = va | (level_size(level) - 1);

	return entry_last < last ? entry_last : last;
}

static bool piece_is_whole(uint64_t va, uint64_t piece_end, int level)
{
	return (va & (level_size(level) - 1)) == 0 && piece_end == (va | (level_size(level) - 1));
}

/* Find the first mapped address in [va, last]. Return: true and *found if any. */
static bool find_mapped(uint64_t *table, int level, uint64_t va, uint64_t last, uint64_t *found)
{
	for (;;) {
		uint64_t end = piece_last(va, last, level);
		uint64_t entry = table[level_index(va, level)];

		if (entry & PTE_PRESENT) {
			if (entry_is_leaf(entry, level)) {
				*found = va;
				return true;
			}
			if (find_mapped(table_of(entry), level - 1, va, end, found))
				return true;
		}
		if (end == last)
			return false;
		va = end + 1;
	}
}

/*
 * Replace the large page in *entry (at @level) by a table of @level - 1
 * entries with the same translation and attributes.  Return: 0 or -ENOMEM.
 */
static int split_large_page(uint64_t *entry, int level)
{
	uint64_t table_phys = table_page_alloc();
	uint64_t old = *entry, keep = old & LEAF_PROT_BITS;
	uint64_t *table;
	int child = level - 1;

	if (!table_phys)
		return -ENOMEM;
	table = __va(table_phys);
	if (old & PTE_PAT_LARGE)
		keep |= child == 0 ? PTE_PAT_SMALL : PTE_PAT_LARGE;
	keep |= PTE_PRESENT | PTE_ACCESSED | PTE_DIRTY | (child > 0 ? PTE_LARGE : 0);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		table[i] = (entry_address(old) & ~(level_size(level) - 1)) + i * level_size(child) + keep;
	*entry = table_phys | intermediate_bits;
	flush_tlb_all();
	return 0;
}

static bool table_is_empty(const uint64_t *table)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (table[i] & PTE_PRESENT)
			return false;
	return true;
}

/* Map [va, last] to phys.. at the largest page sizes allowed; the range is known to be free. */
static int map_pieces(uint64_t *table, int level, uint64_t va, uint64_t last, uint64_t phys,
		      pgprot_t prot)
{
	for (;;) {
		uint64_t end = piece_last(va, last, level);
		uint64_t *entry = &table[level_index(va, level)];
		bool large_ok = level == 0 || level == 1 || (level == 2 && boot_cpu.gbpages);

		if (level < PML4_LEVEL && large_ok && piece_is_whole(va, end, level) &&
		    (phys & (level_size(level) - 1)) == 0) {
			*entry = phys | leaf_bits(prot, level);
		} else {
			int err;

			if (!(*entry & PTE_PRESENT)) {
				uint64_t table_phys = table_page_alloc();
				if (!table_phys)
					return -ENOMEM;
				*entry = table_phys | intermediate_bits;
			}
			err = map_pieces(table_of(*entry), level - 1, va, end, phys, prot);
			if (err)
				return err;
		}
		if (end == last)
			return 0;
		phys += end - va + 1;
		va = end + 1;
	}
}

/* Unmap [va, last]; add emptied tables to @freed. Return: bytes unmapped or -ENOMEM. */
/*
 * Unmap [va, last].  Tables that become empty are unlinked and added to
 * @freed, unless @freed is NULL (lazy unmaps leave them for
 * collect_empty_tables()).  Return: bytes unmapped or -ENOMEM.
 */
static long unmap_pieces(uint64_t *table, int level, uint64_t va, uint64_t last,
			 struct pagetable_deferred *freed)
{
	long unmapped = 0;

	for (;;) {
		uint64_t end = piece_last(va, last, level);
		uint64_t *entry = &table[level_index(va, level)];

		if (*entry & PTE_PRESENT) {
			if (entry_is_leaf(*entry, level) && piece_is_whole(va, end, level)) {
				*entry = 0;
				unmapped += (long)(end - va + 1);
			} else {
				long part;

				if (entry_is_leaf(*entry, level) && split_large_page(entry, level))
					return -ENOMEM;
				part = unmap_pieces(table_of(*entry), level - 1, va, end, freed);
				if (part < 0)
					return part;
				unmapped += part;
				if (freed && table_is_empty(table_of(*entry))) {
					table_page_defer_free(freed, entry_address(*entry));
					*entry = 0;
				}
			}
		}
		if (end == last)
			return unmapped;
		va = end + 1;
	}
}

/* Re-protect the mapped pages of [va, last]. Return: 0, -ENOENT at a hole, -ENOMEM. */
static int protect_pieces(uint64_t *table, int level, uint64_t va, uint64_t last, pgprot_t prot)
{
	for (;;) {
		uint64_t end = piece_last(va, last, level);
		uint64_t *entry = &table[level_index(va, level)];
		int err;

		if (!(*entry & PTE_PRESENT))
			return -ENOENT;
		if (entry_is_leaf(*entry, level) && piece_is_whole(va, end, level)) {
			uint64_t pat = level ? *entry & PTE_PAT_LARGE : *entry & PTE_PAT_SMALL;
			/* A protection change keeps the memory type unless @prot names one. */
			uint64_t cache = (prot & (PROT_WRITE_COMBINE | PROT_UNCACHED)) ? 0 :
					 *entry & (PTE_WRITE_THROUGH | PTE_CACHE_DISABLE);

			*entry = entry_address(*entry) | pat | cache | leaf_bits(prot, level);
		} else {
			if (entry_is_leaf(*entry, level) && split_large_page(entry, level))
				return -ENOMEM;
			err = protect_pieces(table_of(*entry), level - 1, va, end, prot);
			if (err)
				return err;
		}
		if (end == last)
			return 0;
		va = end + 1;
	}
}

static bool range_is_valid(uint64_t va, uint64_t size)
{
	return size && IS_ALIGNED(va, PAGE_SIZE) && IS_ALIGNED(size, PAGE_SIZE) &&
	       va >= KERNEL_HALF_START && va - 1 + size >= va;
}

static void report_caller(const char *what, uint64_t va, uint64_t size, void *caller)
{
	char symbol[96];

	pr_err("%s [0x%016llx-0x%016llx] refused (called from %s)\n", what,
	       (unsigned long long)va, (unsigned long long)(va + size - 1),
	       symbol_format((uint64_t)caller, symbol, sizeof(symbol)));
}

int map_kernel_range(uint64_t va, uint64_t phys, uint64_t size, pgprot_t prot)
{
	uint64_t last = va + size - 1, found, flags;
	int err;

	if (!range_is_valid(va, size) || !IS_ALIGNED(phys, PAGE_SIZE) ||
	    ((prot & PROT_WRITE) && (prot & PROT_EXEC))) {
		report_caller("map_kernel_range: bad arguments or W+X:", va, size,
			      __builtin_return_address(0));
		return -EINVAL;
	}
	spin_lock_irqsave(&pagetable_lock, flags);
	if (find_mapped(__va(root_phys), PML4_LEVEL, va, last, &found)) {
		spin_unlock_irqrestore(&pagetable_lock, flags);
		pr_err("map_kernel_range: 0x%016llx is already mapped\n", (unsigned long long)found);
		report_caller("map_kernel_range: overlapping mapping", va, size,
			      __builtin_return_address(0));
		return -EEXIST;
	}
	err = map_pieces(__va(root_phys), PML4_LEVEL, va, last, phys, prot);
	if (err) {
		struct pagetable_deferred freed = { 0, 0 };

		unmap_pieces(__va(root_phys), PML4_LEVEL, va, last, &freed);
		flush_tlb_kernel_range(va, va + size);
		table_pages_release(&freed);
	}
	spin_unlock_irqrestore(&pagetable_lock, flags);
	return err;
}

static void collect_empty_tables(uint64_t *table, int level, uint64_t va, uint64_t last,
				 struct pagetable_deferred *deferred);

/*
 * The level-0 table that maps @va, created (with its parents) if missing.
 * Return: the table, or NULL if a page-table page ran out or a large page
 * is in the way.  Caller holds pagetable_lock.
 */
static uint64_t *leaf_table_for(uint64_t va)
{
	uint64_t *table = __va(root_phys);

	assert_spin_locked(&pagetable_lock);
	for (int level = PML4_LEVEL; level > 0; level--) {
		uint64_t *entry = &table[level_index(va, level)];

		if (!(*entry & PTE_PRESENT)) {
			uint64_t table_phys = table_page_alloc();
			if (!table_phys)
				return NULL;
			*entry = table_phys | intermediate_bits;
		} else if (entry_is_leaf(*entry, level)) {
			return NULL;
		}
		table = table_of(*entry);
	}
	return table;
}

int map_kernel_frames(uint64_t va, size_t count, uint64_t (*frame_of)(void *context, size_t index),
		      void *context, pgprot_t prot)
{
	uint64_t size = (uint64_t)count * PAGE_SIZE, found, flags, bits = leaf_bits(prot, 0);
	uint64_t *table = NULL;
	int err = 0;
	size_t i;

	if (!count || !range_is_valid(va, size) || ((prot & PROT_WRITE) && (prot & PROT_EXEC))) {
		report_caller("map_kernel_frames: bad arguments or W+X:", va, size,
			      __builtin_return_address(0));
		return -EINVAL;
	}
	spin_lock_irqsave(&pagetable_lock, flags);
	if (find_mapped(__va(root_phys), PML4_LEVEL, va, va + size - 1, &found)) {
		spin_unlock_irqrestore(&pagetable_lock, flags);
		report_caller("map_kernel_frames: overlapping mapping", va, size,
			      __builtin_return_address(0));
		return -EEXIST;
	}
	for (i = 0; i < count; i++) {
		uint64_t page_va = va + i * PAGE_SIZE;

		/* One walk per page table, then straight stores. */
		if (!table || level_index(page_va, 0) == 0)
			table = leaf_table_for(page_va);
		if (!table) {
			err = -ENOMEM;
			break;
		}
		table[level_index(page_va, 0)] = (frame_of(context, i) << PAGE_SHIFT) | bits;
	}
	if (err) {
		struct pagetable_deferred freed = { 0, 0 };

		if (i)
			unmap_pieces(__va(root_phys), PML4_LEVEL, va, va + i * PAGE_SIZE - 1, &freed);
		/* Also the tables created for the page that failed. */
		collect_empty_tables(__va(root_phys), PML4_LEVEL, va, va + size - 1, &freed);
		flush_tlb_kernel_range(va, va + size);
		table_pages_release(&freed);
	}
	spin_unlock_irqrestore(&pagetable_lock, flags);
	return err;
}

long unmap_kernel_range(uint64_t va, uint64_t size)
{
	struct pagetable_deferred freed = { 0, 0 };
	uint64_t flags;
	long unmapped;

	if (!range_is_valid(va, size))
		return -EINVAL;
	spin_lock_irqsave(&pagetable_lock, flags);
	unmapped = unmap_pieces(__va(root_phys), PML4_LEVEL, va, va + size - 1, &freed);
	/* Flush before the freed tables can be reused: the CPU may cache them. */
	flush_tlb_kernel_range(va, va + size);
	table_pages_release(&freed);
	spin_unlock_irqrestore(&pagetable_lock, flags);
	return unmapped;
}

long unmap_kernel_range_lazy(uint64_t va, uint64_t size)
{
	uint64_t flags;
	long unmapped;

	if (!range_is_valid(va, size))
		return -EINVAL;
	spin_lock_irqsave(&pagetable_lock, flags);
	unmapped = unmap_pieces(__va(root_phys), PML4_LEVEL, va, va + size - 1, NULL);
	spin_unlock_irqrestore(&pagetable_lock, flags);
	return unmapped;
}

/* Unlink every empty table below @table within [va, last] into @deferred. */
static void collect_empty_tables(uint64_t *table, int level, uint64_t va, uint64_t last,
				 struct pagetable_deferred *deferred)
{
	for (;;) {
		uint64_t end = piece_last(va, last, level);
		uint64_t *entry = &table[level_index(va, level)];

		if (level > 0 && (*entry & PTE_PRESENT) && !entry_is_leaf(*entry, level)) {
			collect_empty_tables(table_of(*entry), level - 1, va, end, deferred);
			if (table_is_empty(table_of(*entry))) {
				table_page_defer_free(deferred, entry_address(*entry));
				*entry = 0;
			}
		}
		if (end == last)
			return;
		va = end + 1;
	}
}

void pagetable_collect_empty(uint64_t va, uint64_t size, struct pagetable_deferred *deferred)
{
	uint64_t flags;

	if (!range_is_valid(va, size))
		return;
	spin_lock_irqsave(&pagetable_lock, flags);
	collect_empty_tables(__va(root_phys), PML4_LEVEL, va, va + size - 1, deferred);
	spin_unlock_irqrestore(&pagetable_lock, flags);
}

void pagetable_release_deferred(struct pagetable_deferred *deferred)
{
	uint64_t flags;

	spin_lock_irqsave(&pagetable_lock, flags);
	table_pages_release(deferred);
	spin_unlock_irqrestore(&pagetable_lock, flags);
}

int protect_kernel_range(uint64_t va, uint64_t size, pgprot_t prot)
{
	uint64_t flags;
	int err;

	if (!range_is_valid(va, size) || ((prot & PROT_WRITE) && (prot & PROT_EXEC))) {
		report_caller("protect_kernel_range: bad arguments or W+X:", va, size,
			      __builtin_return_address(0));
		return -EINVAL;
	}
	spin_lock_irqsave(&pagetable_lock, flags);
	err = protect_pieces(__va(root_phys), PML4_LEVEL, va, va + size - 1, prot);
	flush_tlb_kernel_range(va, va + size);
	spin_unlock_irqrestore(&pagetable_lock, flags);
	return err;
}

/* The walk itself.  Caller holds pagetable_lock (or reports a crash, see below). */
static bool walk_locked(uint64_t va, struct page_walk *walk)
{
	uint64_t *table = __va(root_phys);

	*walk = (struct page_walk){ .leaf_level = -1 };
	if (!root_phys)
		return false; /* still on the boot tables */
	for (int level = PML4_LEVEL; level >= 0; level--) {
		uint64_t entry = table[level_index(va, level)];

		walk->entry[PML4_LEVEL - level] = entry;
		walk->levels++;
		if (!(entry & PTE_PRESENT))
			return false;
		if (entry_is_leaf(entry, level)) {
			walk->leaf_level = level;
			walk->page_size = level_size(level);
			walk->phys = (entry_address(entry) & ~(walk->page_size - 1)) +
				     (va & (walk->page_size - 1));
			walk->prot = prot_of(entry);
			walk->global = entry & PTE_GLOBAL;
			return true;
		}
		table = table_of(entry);
	}
	return false;
}

/*
 * The walker holds pagetable_lock, the lock under which tables are
 * unlinked and freed (pagetable_collect_empty, pagetable_release_deferred,
 * unmap_kernel_range): a table it reached cannot go back to the page
 * allocator, and be reused, while it reads it.  A lock rather than a
 * grace period: walks are rare (vmalloc_to_page, PAT lookups, reports)
 * and a lock needs no help from every other CPU.
 */
bool walk_kernel_address(uint64_t va, struct page_walk *walk)
{
	uint64_t flags;
	bool mapped;

	spin_lock_irqsave(&pagetable_lock, flags);
	mapped = walk_locked(va, walk);
	spin_unlock_irqrestore(&pagetable_lock, flags);
	return mapped;
}

/* About a second of PAUSEs: longer than any holder of pagetable_lock keeps it. */
#define REPORT_LOCK_TRIES 10000000ul

bool walk_kernel_address_for_report(uint64_t va, struct page_walk *walk)
{
	uint64_t flags = local_irq_save();
	bool mapped;

	for (unsigned long tries = 0; tries < REPORT_LOCK_TRIES; tries++) {
		if (spin_trylock(&pagetable_lock)) {
			mapped = walk_locked(va, walk);
			spin_unlock(&pagetable_lock);
			local_irq_restore(flags);
			return mapped;
		}
		cpu_relax();
	}
	/* Held by a CPU that crashed, maybe this one: read the tables as they are. */
	mapped = walk_locked(va, walk);
	local_irq_restore(flags);
	return mapped;
}

void print_page_walk(uint64_t va)
{
	static const char *const names[] = { "PML4E", "PDPTE", "PDE", "PTE" };
	struct page_walk walk;
	bool mapped = walk_kernel_address_for_report(va, &walk);

	if (!root_phys)
		pr_emerg("  (boot page tables: no walk)\n");
	for (int i = 0; i < walk.levels; i++) {
		uint64_t e = walk.entry[i];
		pr_emerg("  %-5s[%3u] = %016llx%s%s%s%s%s\n", names[i],
			 level_index(va, PML4_LEVEL - i), (unsigned long long)e,
			 e & PTE_PRESENT ? " P" : " not present",
			 e & PTE_WRITABLE ? " W" : "", e & PTE_NO_EXECUTE ? " NX" : "",
			 e & PTE_GLOBAL ? " G" : "",
			 (e & PTE_LARGE) && i < 3 && (e & PTE_PRESENT) ? " PS" : "");
	}
	if (mapped)
		pr_emerg("  -> phys 0x%llx (%llu KiB page)\n", (unsigned long long)walk.phys,
			 (unsigned long long)(walk.page_size / 1024));
}
