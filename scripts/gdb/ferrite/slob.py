# SPDX-License-Identifier: MIT
"""The SLOB back-end read from memory (mm/slob.c, mm/slob_internal.h).

A kernel built with a SLOB-shaped back-end (its slab_allocator_backend
has full_pages and big_blocks: SLOB, or a copy of it under another name)
keeps every cache's objects in shared pages, on four lists (three with
free space, by request size, and the full one).  Each page is tiled by
blocks, each starting with an 8-byte header:

    in use or held:  u16 units, u16 tag (owner cache id | 0x8000 if held), u32 seal
    free:            u16 units, u16 tag 0, u16 next free offset (0xffff: none), u16 0xf4ee

ferrite-slabinfo, ferrite-slab and ferrite-verify use this module when
active() says so; their SLUB readers are in slabs.py and verify_slab.py.
"""
import struct

from . import constants, dwarf, lists
from . import memory
from .broken import Broken
from .memmap import Memmap

UNIT = 8
PAGE = 4096
PAGE_UNITS = PAGE // UNIT
TAG_HELD = 0x8000
FREE_MARK = 0xF4EE
NO_NEXT = 0xFFFF
BIG = 0xFFFF
OBJECTS, KMALLOC, FREE_SPACE = 0, 1, 2
LIST_HEAD_BYTES = 16


def allocator():
    return dwarf.global_value("kernel_slab")


def debug_trailer(flags):
    """Bytes after a debug block's right red zone: the size, then the tracks (trailer_bytes())."""
    tracks = 2 * dwarf.sizeof("struct slab_track") if flags & constants.get("SLAB_STORE_USER") else 0
    return dwarf.sizeof("struct slob_debug_meta") + tracks


def active(a=None):
    """Is the kernel's slab back-end SLOB-shaped?"""
    a = a if a is not None else allocator()
    return a.backend.has("full_pages") and a.backend.has("big_blocks")


class SlobCache:
    """One struct kmem_cache of a SLOB kernel."""

    def __init__(self, address):
        self.address = address
        self.obj = c = dwarf.at(address, "struct kmem_cache")
        b = c.backend
        self.name = c.name
        self.object_size = c.object_size
        self.align = c.align
        self.flags = c.flags
        self.kind = int(b.kind)
        self.id = b.id
        self.red_left = b.red_left
        self.big = bool(b.big)
        self.big_order = b.big_order
        self.live = b.live
        self.held = b.held
        self.bytes = b.bytes
        self.big_blocks = b.big_blocks
        self.big_bytes = b.big_bytes
        self.allocations = b.allocations
        self.frees = b.frees
        self.bad_frees = c.bad_frees

    def is_debug(self):
        return bool(self.flags & constants.slab_debug_flags())

    def block_units(self, size):
        """As block_units() in mm/slob_internal.h."""
        trailer = 0
        if self.is_debug():
            trailer = debug_trailer(self.flags)
        red = UNIT if self.flags & constants.get("SLAB_RED_ZONE") else 0
        return (UNIT + self.red_left + (size + UNIT - 1) // UNIT * UNIT + red + trailer) // UNIT


class Slob:
    """The kernel's SLOB instance: caches, shared pages and their blocks."""

    def __init__(self):
        a = allocator()
        self.be = be = a.backend
        self.memmap = Memmap(dwarf.at(a.buddy, "struct buddy"))
        self.caches = [SlobCache(address) for address in
                       lists.entries(a.field_address("caches"), "struct kmem_cache", "list")]
        self.by_id = {}
        table = be.caches
        for cache in self.caches:
            self.by_id[cache.id] = cache
        self.table = table
        # (list name, struct page address) for every shared page.
        self.pages = []
        free_lists = be.field_address("free_pages")
        for i, name in enumerate(("small", "medium", "large")):
            for page in lists.entries(free_lists + i * LIST_HEAD_BYTES, "struct page", "slab_list"):
                self.pages.append((name, page))
        for page in lists.entries(be.field_address("full_pages"), "struct page", "slab_list"):
            self.pages.append(("full", page))
        self.big = list(lists.entries(be.field_address("big_blocks"), "struct page", "slab_list"))

    def base(self, page):
        return self.memmap.page_address(page)

    def blocks(self, page):
        """[(offset in units, units, tag, seal word)] tiling the page, up to a zero-length block."""
        data = memory.read(self.base(page), PAGE)
        out, offset = [], 0
        while offset < PAGE_UNITS:
            units, tag, seal = struct.unpack_from("<HHI", data, offset * UNIT)
            out.append((offset, units, tag, seal))
            if units == 0:
                break
            offset += units
        return out

    def owner(self, tag):
        return self.by_id.get(tag & ~TAG_HELD)

    def stats(self, cache):
        """The figures of slab_backend_stats() (mm/slob.c)."""
        blocks = cache.live + cache.held
        s = {"objects_in_use": cache.live, "objects_total": blocks, "objects_per_slab": 0,
             "stride": (cache.bytes // blocks) & 0xFFFFFFFF if blocks else 0,
             "order": cache.big_order if cache.big else 0,
             "slabs": cache.big_blocks + (cache.bytes - cache.big_bytes + PAGE - 1) // PAGE,
             "bytes_used": cache.bytes}
        if cache.kind == OBJECTS:
            s["stride"] = PAGE << cache.big_order if cache.big else cache.block_units(cache.object_size) * UNIT
            s["objects_per_slab"] = 1 if cache.big else PAGE // s["stride"]
        if cache.kind == FREE_SPACE:
            s["slabs"] = self.be.pages
            s["bytes_used"] = self.be.pages * PAGE - self.be.block_bytes
        return s


def slabinfo_lines():
    """Every cache as slab_print_info() (mm/slab_common.c) prints it."""
    slob = Slob()
    lines = []
    for cache in slob.caches:
        s = slob.stats(cache)
        slab_size = PAGE << s["order"]
        per_mille = (slab_size - min(cache.object_size * s["objects_per_slab"], slab_size)) * 1000 // slab_size
        lines.append("%-20s %6d %6d %7d %6d %8d %5d %5d %5s%s" % (
            cache.name, s["objects_in_use"], s["objects_total"], cache.object_size, s["stride"],
            s["objects_per_slab"], s["order"], s["slabs"], "%d.%d%%" % (per_mille // 10, per_mille % 10),
            " debug" if cache.is_debug() else ""))
    return lines


KIND_NAMES = {OBJECTS: "objects", KMALLOC: "kmalloc objects", FREE_SPACE: "free space of the shared pages"}


def header_text(slob, address, units, tag, seal):
    """One block's header decoded, as ferrite-slab -v and ferrite-page show it."""
    if tag == 0:
        nxt = seal & 0xFFFF
        return "free, %d bytes, next free %s" % (
            units * UNIT, "none" if nxt == NO_NEXT else "+%d" % (nxt * UNIT))
    owner = slob.owner(tag)
    return "%s by cache %s (id %d), %d bytes, seal 0x%08x" % (
        "held" if tag & TAG_HELD else "in use", owner.name if owner else "?", tag & ~TAG_HELD,
        units * UNIT, seal)


def cache_text(name, verbose=False):
    """ferrite-slab NAME [-v] on a SLOB kernel: the cache, then each page holding its blocks
    (-v: each block's header decoded, one a line)."""
    slob = Slob()
    cache = next((c for c in slob.caches if c.name == name), None)
    if cache is None:
        return None
    s = slob.stats(cache)
    out = ["cache %s at 0x%x: %s, object %d bytes, align %d, header %d bytes, id %d%s" % (
        cache.name, cache.address, KIND_NAMES.get(cache.kind, "?"), cache.object_size, cache.align,
        UNIT + cache.red_left, cache.id, ", a block of pages each" if cache.big else "")]
    out.append("  %d of %d objects in use (%d held), %d bytes, %d pages; %d allocations, %d frees, "
               "%d refused frees" % (cache.live, s["objects_total"], cache.held, s["bytes_used"], s["slabs"],
                                     cache.allocations, cache.frees, cache.bad_frees))
    for which, page in slob.pages:
        mine = [(o, u, t) for o, u, t, _ in slob.blocks(page)
                if cache.kind == FREE_SPACE and t == 0 or t and (t & ~TAG_HELD) == cache.id]
        if not mine:
            continue
        shown = " ".join("+%d(%d%s)" % (o * UNIT, u * UNIT, " held" if t & TAG_HELD else "")
                         for o, u, t in mine[:16])
        if len(mine) > 16:
            shown += " ... (%d more)" % (len(mine) - 16)
        out.append("    page 0x%x (%s list): %d blocks: %s" % (slob.base(page), which, len(mine), shown))
        if verbose:
            base = slob.base(page)
            for o, u, t, seal in slob.blocks(page):
                if (o, u, t) in mine:
                    out.append("      block 0x%x (+%d): header %s" % (
                        base + o * UNIT, o * UNIT, header_text(slob, base + o * UNIT, u, t, seal)))
    for page in slob.big:
        p = dwarf.at(page, "struct page")
        if p.slab_cache == cache.address:
            out.append("    pages 0x%x: order %d" % (slob.base(page), p.inuse))
    return "\n".join(out)


def page_lines(page, address=None):
    """ferrite-page's lines for a SLOB page: a shared page's blocks, and the block holding
    @address read from its header (the owner cache is in the header, not in struct page)."""
    slob = Slob()
    p = dwarf.at(page, "struct page")
    if p.objects == BIG:
        cache = next((c for c in slob.caches if c.address == p.slab_cache), None)
        return ["  SLOB block of pages of cache %s, order %d" % (cache.name if cache else "?", p.inuse)]
    which = next((w for w, q in slob.pages if q == page), "no")
    blocks = slob.blocks(page)
    used = [b for b in blocks if b[2]]
    lines = ["  SLOB shared page (%s list): %d blocks in use or held, %d free bytes" % (
        which, len(used), p.objects * UNIT)]
    base = slob.base(page)
    if address is not None and base <= address < base + PAGE:
        for o, u, t, seal in blocks:
            if u and base + o * UNIT <= address < base + (o + u) * UNIT:
                lines.append("  block     0x%x (+%d): %s" % (
                    base + o * UNIT, o * UNIT, header_text(slob, base + o * UNIT, u, t, seal)))
                break
        else:
            lines.append("  block     none holds 0x%x (the page's blocks end before it)" % address)
    return lines


RED_ACTIVE, RED_INACTIVE = 0xCC, 0xBB


def red_zone_problem(cache, block, units, held):
    """What is wrong with the red zones of the block at @block of @cache, or None (mm/slob_debug.c)."""
    if not cache.flags & constants.get("SLAB_RED_ZONE"):
        return None
    trailer = debug_trailer(cache.flags)
    meta = block + units * UNIT - trailer
    obj = block + UNIT + cache.red_left
    size = memory.u64(meta) if cache.kind == KMALLOC else cache.object_size
    if not 0 < size <= meta - obj:
        return "debug meta gives a size of %d bytes" % size
    expected = RED_INACTIVE if held else RED_ACTIVE
    for start, length in ((obj - cache.red_left, cache.red_left), (obj + size, meta - obj - size)):
        data = memory.read(start, length)
        for i, byte in enumerate(data):
            if byte != expected:
                return "red zone overwritten: byte at offset %d is 0x%02x, expected 0x%02x" % (
                    start + i - obj, byte, expected)
    return None


def check():
    """ferrite-verify's slab part on a SLOB kernel: raise Broken, or return a summary."""
    try:
        slob = Slob()
    except lists.BrokenList as e:
        raise Broken("slab", "SLOB's lists", str(e)) from None
    live, held, block_bytes = {}, {}, 0
    for which, page in slob.pages:
        p = dwarf.at(page, "struct page")
        base = slob.base(page)
        where = "SLOB page 0x%x (%s list)" % (base, which)
        if p.objects > PAGE_UNITS or (which == "full") != (p.freelist == 0):
            raise Broken("slab", where, "on the wrong list for its free space")
        expected, previous_free, free_units, blocks = p.freelist, False, 0, 0
        for offset, units, tag, seal in slob.blocks(page):
            address = base + offset * UNIT
            if units == 0 or offset + units > PAGE_UNITS:
                raise Broken("slab", where, "block at +%d runs outside its page" % (offset * UNIT))
            if tag == 0:
                if seal >> 16 != FREE_MARK:
                    raise Broken("slab", where, "free block at +%d: header corrupted" % (offset * UNIT))
                if address != expected:
                    raise Broken("slab", where, "free block at +%d is not next on the free chain" % (offset * UNIT))
                if previous_free:
                    raise Broken("slab", where, "free blocks touch at +%d (not merged)" % (offset * UNIT))
                nxt = seal & 0xFFFF
                expected = 0 if nxt == NO_NEXT else base + nxt * UNIT
                free_units += units
                previous_free = True
            else:
                cache = slob.owner(tag)
                if cache is None:
                    raise Broken("slab", where, "block at +%d names no cache (tag %#x)" % (offset * UNIT, tag))
                problem = red_zone_problem(cache, address, units, bool(tag & TAG_HELD))
                if problem:
                    raise Broken("slab", "cache %s, SLOB page 0x%x, object 0x%x" % (
                        cache.name, base, address + UNIT + cache.red_left), problem)
                bucket = held if tag & TAG_HELD else live
                bucket[cache.id] = bucket.get(cache.id, 0) + 1
                blocks += 1
                previous_free = False
        if expected:
            raise Broken("slab", where, "free chain points to 0x%x, outside the page's free blocks" % expected)
        if free_units != p.objects:
            raise Broken("slab", where, "free units %d, counted %d" % (p.objects, free_units))
        block_bytes += (PAGE_UNITS - free_units) * UNIT
    for page in slob.big:
        p = dwarf.at(page, "struct page")
        cache = next((c for c in slob.caches if c.address == p.slab_cache), None)
        if p.objects != BIG or cache is None:
            raise Broken("slab", "SLOB block of pages 0x%x" % slob.base(page), "not a block of a listed cache")
        live[cache.id] = live.get(cache.id, 0) + 1
    if len(slob.pages) != slob.be.pages:
        raise Broken("slab", "SLOB", "%d shared pages counted, %d on the lists" % (slob.be.pages, len(slob.pages)))
    if block_bytes != slob.be.block_bytes:
        raise Broken("slab", "SLOB", "%d bytes in blocks counted, %d found" % (slob.be.block_bytes, block_bytes))
    for cache in slob.caches:
        if live.get(cache.id, 0) != cache.live or held.get(cache.id, 0) != cache.held:
            raise Broken("slab", "cache %s" % cache.name, "%d in use and %d held counted, %d and %d found" % (
                cache.live, cache.held, live.get(cache.id, 0), held.get(cache.id, 0)))
    return "%d caches, %d shared pages, %d blocks of pages (SLOB)" % (
        len(slob.caches), len(slob.pages), len(slob.big))
