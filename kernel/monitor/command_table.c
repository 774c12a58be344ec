// SPDX-License-Identifier: MIT
/* The monitor's command table: name, arguments, one-line summary, handler. */
#include "commands.h"

#define ENTRY(n, fn, args, min, max, text) { n, args, text, min, max, cmd_##fn }

const struct monitor_command monitor_commands[] = {
	ENTRY("help", help, "[COMMAND]", 0, 2, "list the commands, or explain one"),
	/* Inspection */
	ENTRY("meminfo", meminfo, "", 0, 0, "memory totals, like /proc/meminfo"),
	ENTRY("buddyinfo", buddyinfo, "", 0, 0, "free blocks per zone and order, like /proc/buddyinfo"),
	ENTRY("zoneinfo", zoneinfo, "", 0, 0, "free pages, watermarks, per-CPU lists, like /proc/zoneinfo"),
	ENTRY("slabinfo", slabinfo, "", 0, 0, "every slab cache, like /proc/slabinfo"),
	ENTRY("slab", slab, "CACHE", 1, 1, "each slab of one cache: address, objects in use, freelist"),
	ENTRY("vmallocinfo", vmallocinfo, "", 0, 0, "vmalloc areas, like /proc/vmallocinfo"),
	ENTRY("ptdump", ptdump, "[START END]", 0, 2, "kernel page tables as merged ranges"),
	ENTRY("pt", pt, "VA", 1, 1, "walk the page tables for one virtual address"),
	ENTRY("page", page, "PFN|VA", 1, 1, "the struct page of a frame, decoded"),
	ENTRY("cpus", cpus, "", 0, 0, "each CPU: APIC ID, timer ticks, interrupts"),
	ENTRY("irqs", irqs, "", 0, 0, "interrupt counts, like /proc/interrupts"),
	ENTRY("tlb", tlb, "", 0, 0, "TLB flush and shootdown statistics"),
	ENTRY("dmesg", dmesg, "", 0, 0, "the kernel log kept since boot (last 64 KiB)"),
	ENTRY("fragmap", fragmap, "", 0, 0, "a picture of physical memory, one character per block"),
	/* Allocation */
	ENTRY("kmalloc", kmalloc, "SIZE [GFP]", 1, 2, "kmalloc SIZE bytes; remembered until kfree"),
	ENTRY("kfree", kfree, "[--force] ADDR", 1, 2, "kfree an address kmalloc gave"),
	ENTRY("cache create", cache_create, "NAME SIZE [ALIGN] [FLAGS]", 2, 4,
	      "kmem_cache_create (FLAGS: F Z P U H = checks, red zone, poison, user, hwcache)"),
	ENTRY("cache alloc", cache_alloc, "NAME", 1, 1, "kmem_cache_alloc from any cache"),
	ENTRY("cache free", cache_free, "[--force] NAME ADDR", 2, 3, "kmem_cache_free an object cache alloc gave"),
	ENTRY("cache destroy", cache_destroy, "NAME", 1, 1, "kmem_cache_destroy a cache cache create made"),
	ENTRY("alloc_pages", alloc_pages, "ORDER [GFP]", 1, 2, "alloc_pages: 2^ORDER pages"),
	ENTRY("free_pages", free_pages, "[--force] ADDR ORDER", 2, 3, "free_pages a block alloc_pages gave"),
	ENTRY("vmalloc", vmalloc, "SIZE", 1, 1, "vmalloc SIZE bytes"),
	ENTRY("vfree", vfree, "[--force] ADDR", 1, 2, "vfree an address vmalloc gave"),
	ENTRY("held", held, "", 0, 0, "what the monitor handed out and not yet freed"),
	ENTRY("verify", verify, "", 0, 0, "run every allocator's validator, one verdict each"),
	/* System */
	ENTRY("test", test, "[GLOB]", 0, 1, "run the self-test suites GLOB selects (default all)"),
	ENTRY("bench", bench, "[GLOB]", 0, 1, "run the benchmarks GLOB selects (default all)"),
	ENTRY("slab_debug", slab_debug, "[FLAGS|off]", 0, 1, "debug flags for caches created from now on"),
	ENTRY("page_poison", page_poison, "[on|off]", 0, 1, "page poisoning, switched at run time"),
	ENTRY("halt", halt, "", 0, 0, "stop the kernel (ends an emulator run)"),
	ENTRY("reboot", reboot, "", 0, 0, "reset the machine"),
};

const size_t monitor_command_count = sizeof(monitor_commands) / sizeof(monitor_commands[0]);
