# SPDX-License-Identifier: MIT
"""ferrite-page: one struct page decoded (include/mm.h).

The words of struct page mean different things by owner: the flags say
which meaning holds -- a free block (PG_buddy: order in private), a page
on a per-CPU list (PG_pcp), an allocated block (PG_head: order in
private, refcount), a tail page of a compound block (PG_tail:
compound_head), a slab (PG_slab: cache, objects, freelist; on a SLOB kernel the
owner of each block is in the block's header, and a direct-map address
names the block holding it).
"""
import gdb

from . import constants, dwarf, memory, pagetable, slob
from .command import FerriteCommand
from .memmap import Memmap, PAGE_SHIFT, flag_names

KERNEL_HALF = 0xffff800000000000


def resolve(memmap, value):
    """(pfn, how the argument was read) for a PFN or a kernel virtual address."""
    if memmap.contains_page(value):
        return memmap.page_to_pfn(value), "struct page 0x%x" % value
    if value < KERNEL_HALF:
        return value, "pfn"
    pfn = memmap.virt_to_pfn(value)
    if pfn is not None:
        return pfn, "direct-map address 0x%x" % value
    physical = pagetable.translate(value)
    if physical is None:
        raise gdb.GdbError("ferrite-page: 0x%x is not mapped" % value)
    return physical >> PAGE_SHIFT, "0x%x, mapped to phys 0x%x" % (value, physical)


def covering_block(memmap, pfn):
    """(head pfn, order, what) of a block that holds @pfn from an earlier page, or None."""
    for order in range(1, memmap.nr_orders):
        head_pfn = pfn & ~((1 << order) - 1)
        head = memmap.page(head_pfn)
        if head is None or head_pfn == pfn:
            continue
        if head.flags & (constants.get("PG_head") | constants.get("PG_buddy")) and head.private >= order:
            what = "free" if head.flags & constants.get("PG_buddy") else "allocated"
            return head_pfn, head.private, what
    return None


def cpu_holding(cache_address, slab_page):
    """The CPU whose slab of the cache at @cache_address is @slab_page, or None."""
    cache = dwarf.at(cache_address, "struct kmem_cache")
    if cache.has("backend"):
        cache = cache.backend  # SLUB's part (mm/slub_def.h)
    if not cache_address or not cache.has("cpu_slab"):
        return None
    for cpu, entry in enumerate(cache.cpu_slab):
        if entry.slab == slab_page:
            return cpu
    return None


def describe(memmap, pfn, address=None):
    page = memmap.page(pfn)
    address_of_page = memmap.pfn_to_page(pfn)
    flags = page.flags
    zone = memmap.zone_of_flags(flags)
    lines = ["pfn 0x%x  phys 0x%x  virt 0x%x  struct page 0x%x" % (
        pfn, pfn << PAGE_SHIFT, memmap.pfn_address(pfn), address_of_page),
        "  flags     0x%08x  %s  zone %s" % (flags, flag_names(flags), memmap.zone_name(zone))]
    bit = constants.get
    if flags & bit("PG_slab") and slob.active():
        lines.extend(slob.page_lines(address_of_page, address))
        lines.append("  slab_list next 0x%x prev 0x%x" % (page.slab_list.next, page.slab_list.prev))
    elif flags & bit("PG_slab"):
        cache_address = page.slab_cache
        name = dwarf.at(cache_address, "struct kmem_cache").name if cache_address else "?"
        lines.append("  slab      cache %s (0x%x), %d of %d objects in use" % (
            name, cache_address, page.inuse, page.objects))
        holder = cpu_holding(cache_address, address_of_page)
        if holder is not None:
            lines.append("  CPU %d's slab: its free objects are on that CPU's freelist, not counted "
                         "above (ferrite-slab %s shows them)" % (holder, name))
        lines.append("  freelist  0x%x (first free object; ferrite-slab %s decodes the rest)" % (
            page.freelist, name))
        lines.append("  slab_list next 0x%x prev 0x%x" % (page.slab_list.next, page.slab_list.prev))
    elif flags & bit("PG_tail"):
        head = page.compound_head
        lines.append("  tail page of the compound block at pfn 0x%x (struct page 0x%x)" % (
            memmap.page_to_pfn(head), head))
    elif flags & bit("PG_buddy"):
        lines.append("  free block of order %d (%d pages), on its zone's free list" % (
            page.private, 1 << page.private))
        lines.append("  lru       next 0x%x prev 0x%x" % (page.lru.next, page.lru.prev))
    elif flags & bit("PG_pcp"):
        lines.append("  free page on a per-CPU list")
        lines.append("  lru       next 0x%x prev 0x%x" % (page.lru.next, page.lru.prev))
    elif flags & bit("PG_head"):
        lines.append("  allocated block of order %d (%d pages)%s, refcount %d" % (
            page.private, 1 << page.private,
            ", compound" if flags & bit("PG_compound") else "", page.refcount))
    elif flags & bit("PG_reserved"):
        lines.append("  reserved: not the page allocator's (kernel, firmware, memmap, page tables)")
    else:
        block = covering_block(memmap, pfn)
        if block:
            lines.append("  inside the %s order-%d block at pfn 0x%x" % (block[2], block[1], block[0]))
        else:
            lines.append("  no owner recorded (a page inside a block, or never handed out)")
    if page.refcount and not flags & bit("PG_slab") and not flags & bit("PG_head"):
        lines.append("  refcount  %d" % page.refcount)
    return "\n".join(lines)


class Page(FerriteCommand):
    """One frame's struct page decoded: flags by name, zone, order, refcount, slab fields.

Usage: ferrite-page PFN|ADDRESS
A number below the kernel half is a page frame number; an address is a
direct-map address, a struct page pointer (into the memmap), or any
other mapped kernel address (vmalloc, kernel image), translated through
the page tables.  Expressions work: ferrite-page &some_variable."""
    name = "ferrite-page"

    def run(self, argument):
        if not argument:
            raise gdb.GdbError("usage: ferrite-page PFN|ADDRESS")
        value = pagetable.evaluate(argument)
        memmap = Memmap()
        pfn, how = resolve(memmap, value)
        if memmap.pfn_to_page(pfn) is None:
            raise gdb.GdbError("ferrite-page: pfn 0x%x has no struct page (outside the memmap "
                               "0x%x-0x%x, or a hole in RAM)" % (pfn, memmap.start_pfn, memmap.end_pfn))
        if how != "pfn":
            gdb.write("%s:\n" % how)
        gdb.write(describe(memmap, pfn, value if how.startswith("direct-map") else None) + "\n")


Page()
