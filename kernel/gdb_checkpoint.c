// SPDX-License-Identifier: MIT
/*
 * Stops for a debugger after the self-tests (interface and boot option in
 * include/gdb_checkpoint.h).  Before the first stop the allocators are
 * given some live state -- objects held in several caches, a partly free
 * slab, large kmallocs, pages of several orders, vmalloc areas -- so that
 * what the debugger decodes is not only empty lists; the kernel's own
 * dumps are printed, then ferrite_checkpoint() is called.  All of it is
 * freed before the run goes on.
 */
#include <gdb_checkpoint.h>
#include <gfp.h>
#include <kernel.h>
#include <kstring.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>
#include <slab.h>
#include <vmalloc.h>

#define CHECK_CACHE_OBJECTS 10
#define CORRUPTION 0x4141414141414141ull /* "AAAAAAAA": a string run past its end */

/* What the checkpoint holds while the debugger looks (gdb names it gdb_checkpoint_held). */
static struct held_state {
	struct kmem_cache *cache;
	void *objects[CHECK_CACHE_OBJECTS];   /* of cache; the odd ones are freed */
	void *small[5], *medium[3], *large;   /* kmalloc 100, 700, 20000 bytes */
	struct page *pages[4], *block;        /* order 0 and order 2 */
	void *areas[2];                       /* vmalloc 3 and 5 pages */
} gdb_checkpoint_held;

/* Empty: the debugger breaks here. The asm keeps the call from being dropped. */
__attribute__((noinline)) void ferrite_checkpoint(void)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void ferrite_checkpoint_corrupted(void)
{
	__asm__ volatile("" ::: "memory");
}

static void take_state(struct held_state *h)
{
	h->cache = kmem_cache_create("gdb-check", 64, 0, 0, NULL);
	for (int i = 0; h->cache && i < CHECK_CACHE_OBJECTS; i++)
		h->objects[i] = kmem_cache_alloc(h->cache, GFP_KERNEL);
	for (int i = 1; h->cache && i < CHECK_CACHE_OBJECTS; i += 2) {
		kmem_cache_free(h->cache, h->objects[i]);
		h->objects[i] = NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(h->small); i++)
		h->small[i] = kmalloc(100, GFP_KERNEL);
	for (size_t i = 0; i < ARRAY_SIZE(h->medium); i++)
		h->medium[i] = kmalloc(700, GFP_KERNEL);
	h->large = kmalloc(20000, GFP_KERNEL);
	for (size_t i = 0; i < ARRAY_SIZE(h->pages); i++)
		h->pages[i] = alloc_pages(GFP_KERNEL, 0);
	h->block = alloc_pages(GFP_KERNEL, 2);
	h->areas[0] = vmalloc(3 * PAGE_SIZE);
	h->areas[1] = vmalloc(5 * PAGE_SIZE);
}

static void release_state(struct held_state *h)
{
	for (size_t i = 0; i < ARRAY_SIZE(h->areas); i++)
		vfree(h->areas[i]);
	if (h->block)
		__free_pages(h->block, 2);
	for (size_t i = 0; i < ARRAY_SIZE(h->pages); i++)
		if (h->pages[i])
			__free_pages(h->pages[i], 0);
	kfree(h->large);
	for (size_t i = 0; i < ARRAY_SIZE(h->medium); i++)
		kfree(h->medium[i]);
	for (size_t i = 0; i < ARRAY_SIZE(h->small); i++)
		kfree(h->small[i]);
	for (int i = 0; h->cache && i < CHECK_CACHE_OBJECTS; i++)
		if (h->objects[i])
			kmem_cache_free(h->cache, h->objects[i]);
	kmem_cache_destroy(h->cache);
}

static void print_dumps(void)
{
	pr_info("gdb_checkpoint: the kernel's own dumps follow\n");
	slabinfo_print();
	buddy_print_zones(&kernel_buddy);
	page_alloc_print_meminfo();	/* with buddyinfo */
	vmallocinfo_print();
}

/*
 * Free one more object of the cache -- it heads this CPU's freelist of
 * the cache now -- and overwrite its free pointer as a write after free
 * would; stop; put the word back.  The cache has no constructor and no
 * debug flags, so its free pointer is the object's first word (the layout
 * in mm/slab.h).
 */
static void corrupt_and_stop(struct held_state *h)
{
	uint64_t *word = h->objects[0], saved;

	if (!word)
		return;
	kmem_cache_free(h->cache, word);
	h->objects[0] = NULL;
	saved = *word;
	*word = CORRUPTION;
	pr_info("gdb_checkpoint: wrote 0x%llx after free over object %p of cache gdb-check, slab %p\n",
		(unsigned long long)CORRUPTION, (void *)word,
		page_address(compound_head(virt_to_page(word))));
	ferrite_checkpoint_corrupted();
	*word = saved;
	pr_info("gdb_checkpoint: free pointer restored\n");
}

bool gdb_checkpoint_run(const char *mode)
{
	struct held_state *held = &gdb_checkpoint_held;

	if (!mode)
		return true;
	if (strcmp(mode, "1") != 0 && strcmp(mode, "corrupt") != 0) {
		pr_err("gdb_checkpoint: unknown mode '%s' (1 or corrupt); no checkpoint\n", mode);
		return false;
	}
	memset(held, 0, sizeof(*held));
	take_state(held);
	print_dumps();
	pr_info("gdb_checkpoint: stop at ferrite_checkpoint\n");
	ferrite_checkpoint();
	if (strcmp(mode, "corrupt") == 0)
		corrupt_and_stop(held);
	release_state(held);
	return true;
}
