// SPDX-License-Identifier: MIT
/*
 * The monitor's command table: name, arguments, a summary short enough
 * that `help` fits 80 columns, more for `help CMD`, and the handler.
 */
#include "commands.h"

#define ENTRY(n, fn, args, min, max, text, more) { n, args, text, more, min, max, cmd_##fn }

const struct monitor_command monitor_commands[] = {
	ENTRY("help", help, "[COMMAND]", 0, 2, "list the commands, or explain one", NULL),
	/* Inspection */
	ENTRY("meminfo", meminfo, "", 0, 0, "memory totals (/proc/meminfo)", NULL),
	ENTRY("buddyinfo", buddyinfo, "", 0, 0, "free blocks by order (/proc/buddyinfo)",
	      "One line per zone: the number of free blocks of each order 0..10."),
	ENTRY("zoneinfo", zoneinfo, "", 0, 0, "zones, watermarks (/proc/zoneinfo)",
	      "Free pages, the min/low/high watermarks, span and the per-CPU lists of each zone."),
	ENTRY("slabinfo", slabinfo, "", 0, 0, "every cache (/proc/slabinfo)", NULL),
	ENTRY("slab", slab, "CACHE", 1, 1, "each slab of one cache",
	      "Address, objects in use and freelist of every slab (walked from the memmap), and "
	      "each CPU's slab and freelist."),
	ENTRY("vmallocinfo", vmallocinfo, "", 0, 0, "vmalloc areas (/proc/vmallocinfo)", NULL),
	ENTRY("ptdump", ptdump, "[START END]", 0, 2, "kernel page tables, merged ranges",
	      "With START and END, only the mappings that touch [START, END)."),
	ENTRY("pt", pt, "VA", 1, 1, "page walk of one address", NULL),
	ENTRY("page", page, "PFN|VA", 1, 1, "a struct page, decoded",
	      "A number below the top frame is a PFN; otherwise a mapped kernel address."),
	ENTRY("cpus", cpus, "", 0, 0, "CPUs: APIC ID, ticks, interrupts", NULL),
	ENTRY("irqs", irqs, "", 0, 0, "interrupt counts (/proc/interrupts)", NULL),
	ENTRY("tlb", tlb, "", 0, 0, "TLB flush statistics", NULL),
	ENTRY("dmesg", dmesg, "", 0, 0, "the kernel log (last 64 KiB)", NULL),
	ENTRY("fragmap", fragmap, "", 0, 0, "physical memory as a picture",
	      "One character per block of pages: free, page allocator, slab, page tables, reserved "
	      "or hole; lower case when the block also has free pages."),
	/* Allocation */
	ENTRY("kmalloc", kmalloc, "SIZE [GFP]", 1, 2, "kmalloc; held until kfree",
	      "GFP: names joined by '|', e.g. GFP_KERNEL|__GFP_ZERO or kernel|zero (default "
	      "GFP_KERNEL)."),
	ENTRY("kfree", kfree, "[--force] ADDR", 1, 2, "kfree what kmalloc gave",
	      "--force passes an address the monitor did not hand out to kfree, to see its report; "
	      "refused if it names a live allocation."),
	ENTRY("cache create", cache_create, "NAME SIZE [ALIGN] [FLAGS]", 2, 4, "kmem_cache_create",
	      "FLAGS: F consistency checks, Z red zones, P poison, U owner tracking, H cache-line "
	      "alignment (or - for none)."),
	ENTRY("cache alloc", cache_alloc, "NAME", 1, 1, "kmem_cache_alloc from any cache", NULL),
	ENTRY("cache free", cache_free, "[--force] NAME ADDR", 2, 3, "kmem_cache_free",
	      "--force as for kfree."),
	ENTRY("cache destroy", cache_destroy, "NAME", 1, 1, "destroy a cache made here",
	      "Only a cache 'cache create' made, and none of its objects held."),
	ENTRY("alloc_pages", alloc_pages, "ORDER [GFP]", 1, 2, "2^ORDER pages", NULL),
	ENTRY("free_pages", free_pages, "[--force] ADDR ORDER", 2, 3, "free what alloc_pages gave",
	      "--force as for kfree."),
	ENTRY("vmalloc", vmalloc, "SIZE", 1, 1, "vmalloc SIZE bytes", NULL),
	ENTRY("vfree", vfree, "[--force] ADDR", 1, 2, "vfree what vmalloc gave", "--force as for kfree."),
	ENTRY("held", held, "", 0, 0, "what the monitor holds", NULL),
	ENTRY("verify", verify, "", 0, 0, "every allocator's validator",
	      "buddy_check, slab_check on every cache, vmalloc_check (with vmap_space_check)."),
	/* System */
	ENTRY("test", test, "[GLOB]", 0, 1, "run self-test suites", NULL),
	ENTRY("bench", bench, "[GLOB]", 0, 1, "run benchmarks", NULL),
	ENTRY("slab_debug", slab_debug, "[FLAGS|off]", 0, 1, "debug flags for new caches",
	      "FLAGS as slab_debug= on the command line: F Z P U, optionally ,GLOB. Existing caches "
	      "keep their layout."),
	ENTRY("page_poison", page_poison, "[on|off]", 0, 1, "page poisoning, at run time", NULL),
	ENTRY("halt", halt, "", 0, 0, "stop (ends an emulator run)", NULL),
	ENTRY("reboot", reboot, "", 0, 0, "reset the machine", NULL),
};

const size_t monitor_command_count = sizeof(monitor_commands) / sizeof(monitor_commands[0]);
