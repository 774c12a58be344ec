// SPDX-License-Identifier: MIT
/*
 * ioremap: device memory at its direct-map alias.
 *
 * The direct map covers RAM only; a device's registers or framebuffer get
 * their own mapping at the same alias (phys + DIRECT_MAP_BASE) with an
 * uncached or write-combining type.  Consoles start before the kernel page
 * tables exist, so requests are also remembered and replayed into the new
 * tables by paging setup.
 */
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <errno.h>
#include <kernel.h>
#include <printk.h>

#define MAX_IOREMAPS 16

struct ioremap_region {
	uint64_t phys, size;
	pgprot_t prot;
};

static struct ioremap_region regions[MAX_IOREMAPS];
static unsigned region_count;
static bool kernel_tables_live;

static int map_region(const struct ioremap_region *r)
{
	return map_kernel_range((uint64_t)__va(r->phys), r->phys, r->size, r->prot);
}

void *ioremap(uint64_t phys, uint64_t size, pgprot_t prot)
{
	struct ioremap_region r = {
		ALIGN_DOWN(phys, PAGE_SIZE),
		ALIGN_UP(phys + size, PAGE_SIZE) - ALIGN_DOWN(phys, PAGE_SIZE), prot,
	};

	for (unsigned i = 0; i < region_count; i++)
		if (regions[i].phys == r.phys && regions[i].size == r.size && regions[i].prot == prot)
			return __va(phys);
	if (region_count == MAX_IOREMAPS) {
		pr_err("ioremap: more than %d regions\n", MAX_IOREMAPS);
		return NULL;
	}
	if (kernel_tables_live) {
		if (map_region(&r))
			return NULL;
	} else if (r.phys + r.size > BOOT_DIRECT_MAP_LIMIT) {
		/* The boot tables map only the low 4 GiB. */
		return NULL;
	}
	regions[region_count++] = r;
	return __va(phys);
}

int ioremap_replay(void)
{
	for (unsigned i = 0; i < region_count; i++) {
		int err = map_region(&regions[i]);
		if (err)
			return err;
	}
	kernel_tables_live = true;
	return 0;
}
