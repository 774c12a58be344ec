# SPDX-License-Identifier: MIT
"""The page allocator's invariants, checked from memory (as mm/buddy_debug.c's buddy_check).

Free lists: every block aligned to its order, inside its zone, its first
page marked PG_buddy with that order and the zone, no page inside it
marked as anything, no free buddy of the same order left unmerged, each
list's count equal to its length and the zone's free_pages to their sum.
Per-CPU lists: pages marked PG_pcp alone, in the right zone, counts
equal to lengths.  Then the other direction, over the whole memmap:
every page marked PG_buddy heads a block on the free list of its order,
and every page marked PG_pcp is on a per-CPU list.
"""
import struct

from . import constants, dwarf, lists, memory
from .broken import Broken
from .memmap import Memmap


def _zone_name(zone, index):
    return memory.cstring(zone.name) if zone.name else "zone%d" % index


def _walk(head, where):
    try:
        return list(lists.entries(head, "struct page", "lru"))
    except lists.BrokenList as e:
        raise Broken("buddy", where, str(e)) from None


def memmap_words(memmap):
    """(flags, private) of every struct page, as lists indexed by pfn - start_pfn (None: no
    struct page there).  Read in one pass a MAX_ORDER block at a time, kept while the kernel
    stays stopped."""
    def scan():
        fields = dwarf.layout(dwarf.lookup_type("struct page"))
        (flags_at, flags_type), (private_at, private_type) = fields["flags"], fields["private"]
        codes = {1: "B", 2: "H", 4: "I", 8: "Q"}
        parts = sorted([(flags_at, codes[flags_type.strip_typedefs().sizeof], 0),
                        (private_at, codes[private_type.strip_typedefs().sizeof], 1)])
        fmt, at = "<", 0
        for offset, code, _ in parts:
            fmt += "%dx%s" % (offset - at, code)
            at = offset + struct.calcsize("<" + code)
        fmt += "%dx" % (memmap.page_size - at)
        layout = struct.Struct(fmt)
        swap = parts[0][2] == 1     # private comes first in memory
        count = memmap.end_pfn - memmap.start_pfn
        flags, private = [None] * count, [None] * count
        block = 1 << memmap.max_order
        for first in range(memmap.start_pfn - memmap.start_pfn % block, memmap.end_pfn, block):
            lo, hi = max(first, memmap.start_pfn), min(first + block, memmap.end_pfn)
            if not memmap.is_backed(lo):
                continue
            raw = memory.read_through(memmap.pfn_to_page(lo), (hi - lo) * memmap.page_size)
            for i, words in enumerate(layout.iter_unpack(raw)):
                a, b = (words[1], words[0]) if swap else words
                flags[lo - memmap.start_pfn + i] = a
                private[lo - memmap.start_pfn + i] = b
        return flags, private
    end = memmap.base + (memmap.end_pfn - memmap.start_pfn) * memmap.page_size
    return memory.remember(("memmap", memmap.base), memmap.base, end, scan)


def _check_block(memmap, words, zone_index, zone, pfn, page, order, where):
    pg = constants.get
    if pfn & ((1 << order) - 1):
        raise Broken("buddy", where, "free block not aligned to its order")
    if pfn < zone.start_pfn or pfn + (1 << order) > zone.end_pfn:
        raise Broken("buddy", where, "free block outside its zone [0x%x, 0x%x)" % (zone.start_pfn, zone.end_pfn))
    if not page.flags & pg("PG_buddy") or page.private != order:
        raise Broken("buddy", where, "free block not marked free with its order (flags 0x%x, order %d)" % (
            page.flags, page.private))
    if memmap.zone_of_flags(page.flags) != zone_index:
        raise Broken("buddy", where, "free block's page says zone %d" % memmap.zone_of_flags(page.flags))
    others = pg("PG_buddy") | pg("PG_pcp") | pg("PG_head") | pg("PG_tail") | pg("PG_reserved")
    first = pfn - memmap.start_pfn
    for i, flags in enumerate(words[0][first:first + (1 << order)]):
        if flags is None:
            raise Broken("buddy", where, "page 0x%x of the free block has no struct page (a hole)" % (pfn + i))
        if i and flags & others:
            raise Broken("buddy", where, "page 0x%x inside the free block is marked as something else "
                         "(overlap)" % (pfn + i))
    buddy_pfn = pfn ^ (1 << order)
    buddy = memmap.page(buddy_pfn) if zone.start_pfn <= buddy_pfn < zone.end_pfn else None
    if order < memmap.max_order and buddy is not None and buddy.flags & pg("PG_buddy") and \
            buddy.private == order:
        raise Broken("buddy", where, "two free buddies were not merged (buddy at pfn 0x%x)" % buddy_pfn)


def _scan_memmap(memmap, words, free_blocks, pcp_pages):
    """Every PG_buddy page heads a listed free block; every PG_pcp page is listed."""
    pg = constants.get
    buddy, pcp = pg("PG_buddy"), pg("PG_pcp")
    for i, (flags, order) in enumerate(zip(*words)):
        if flags is None or not flags & (buddy | pcp):
            continue
        pfn = memmap.start_pfn + i
        where = "pfn 0x%x (struct page 0x%x)" % (pfn, memmap.pfn_to_page(pfn))
        if flags & buddy and free_blocks.get(pfn) != order:
            raise Broken("buddy", where, "marked free (PG_buddy, order %d) but on no free list of that order" % order)
        if flags & pcp and pfn not in pcp_pages:
            raise Broken("buddy", where, "marked PG_pcp but on no per-CPU list")


def check():
    """Raise Broken at the first broken invariant. Return: a one-line summary."""
    memmap = Memmap()
    b = memmap.buddy
    pg = constants.get
    free_blocks, pcp_pages = {}, set()
    words = memmap_words(memmap)
    for zone_index, zone in enumerate(b.zones):
        name = _zone_name(zone, zone_index)
        pages = 0
        for order, area in enumerate(zone.free_area):
            where = "zone %s, order-%d free list" % (name, order)
            nodes = _walk(area.field_address("list"), where)
            for page_address in nodes:
                if not memmap.contains_page(page_address):
                    raise Broken("buddy", where, "node 0x%x is not a struct page of the memmap" % page_address)
                pfn = memmap.page_to_pfn(page_address)
                block_where = "%s, block at pfn 0x%x (struct page 0x%x)" % (where, pfn, page_address)
                if pfn in free_blocks:
                    raise Broken("buddy", block_where, "block on two free lists")
                _check_block(memmap, words, zone_index, zone, pfn, dwarf.at(page_address, "struct page"),
                             order, block_where)
                free_blocks[pfn] = order
                pages += 1 << order
            if len(nodes) != area.count:
                raise Broken("buddy", where, "free list count %d does not match its length %d" % (
                    area.count, len(nodes)))
        if pages != zone.free_pages:
            raise Broken("buddy", "zone %s" % name, "free_pages %d does not match its free lists (%d)" % (
                zone.free_pages, pages))
        for cpu, pcp in enumerate(zone.pcp if zone.has("pcp") else []):
            where = "zone %s, CPU %d per-CPU list" % (name, cpu)
            nodes = _walk(pcp.field_address("list"), where)
            for page_address in nodes:
                if not memmap.contains_page(page_address):
                    raise Broken("buddy", where, "node 0x%x is not a struct page of the memmap" % page_address)
                pfn = memmap.page_to_pfn(page_address)
                page = dwarf.at(page_address, "struct page")
                page_where = "%s, pfn 0x%x (struct page 0x%x)" % (where, pfn, page_address)
                mask = pg("PG_pcp") | pg("PG_buddy") | pg("PG_head") | pg("PG_tail")
                if page.flags & mask != pg("PG_pcp"):
                    raise Broken("buddy", page_where, "per-CPU page not marked as such (flags 0x%x)" % page.flags)
                if memmap.zone_of_flags(page.flags) != zone_index:
                    raise Broken("buddy", page_where, "per-CPU page in the wrong zone's list")
                if pfn in pcp_pages:
                    raise Broken("buddy", page_where, "page on two per-CPU lists")
                pcp_pages.add(pfn)
            if len(nodes) != pcp.count:
                raise Broken("buddy", where, "per-CPU count %d does not match its list (%d)" % (
                    pcp.count, len(nodes)))
            pages += len(nodes)
        if pages > zone.managed_pages:
            raise Broken("buddy", "zone %s" % name, "more free pages (%d) than the zone manages (%d)" % (
                pages, zone.managed_pages))
    _scan_memmap(memmap, words, free_blocks, pcp_pages)
    return "%d free blocks, %d per-CPU pages, %d struct pages scanned" % (
        len(free_blocks), len(pcp_pages), memmap.end_pfn - memmap.start_pfn)
