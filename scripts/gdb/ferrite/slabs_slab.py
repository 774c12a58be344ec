# SPDX-License-Identifier: MIT
"""The SLAB back-end (mm/slab.c, mm/slab_def.h) read from memory.

A cache's slabs are on three lists (slabs_free, slabs_partial, slabs_full).
Each slab's struct page points (freelist) at its management block,
struct slab_freelist: first_object (its colour: where object 0's stride
starts) and the index array; index[inuse .. objects) are the free
objects, the most recently freed first (each entry's top bit, OBJECT_FREE,
is another object's free state: masked off here).  Free objects also wait in the
arrays: each CPU's (backend.cpu_array[cpu]) and the cache's shared one,
struct array_cache, whose entry[0 .. avail) are object pointers, the
next to be handed out last.
"""
from . import constants, dwarf, lists, memory
from .broken import Broken

LISTS = ("free", "partial", "full")
INDEX_MASK = 0x7fff     # FREELIST_INDEX_MASK: an index array entry's object number


def is_slab(cache):
    return cache.be.has("cpu_array")


def slab_list(cache, which):
    """The slab pages on list @which ("free", "partial" or "full")."""
    return list(lists.entries(cache.be.field_address("slabs_" + which), "struct page", "slab_list"))


def mgmt(slab_page):
    """(address, first_object, [free object indices, last freed first]) of a slab."""
    page = dwarf.at(slab_page, "struct page")
    address = page.freelist
    first = memory.uint(address, 4)
    base = address + dwarf.sizeof("struct slab_freelist")
    count = page.objects - page.inuse if page.objects >= page.inuse else 0
    raw = memory.read(base + 2 * page.inuse, 2 * count) if count else b""
    free = [int.from_bytes(raw[i:i + 2], "little") & INDEX_MASK for i in range(0, len(raw), 2)]
    return address, first, free


def object_at(cache, base, first, index):
    return base + first + index * cache.stride + cache.red_left


def object_index(cache, base, first, address):
    """The index of the object starting at @address in the slab at @base, or -1."""
    offset = address - base - first - cache.red_left
    if offset < 0 or offset >= cache.slab_bytes:
        return -1
    index, rest = divmod(offset, cache.stride)
    return index if rest == 0 and index < cache.objects else -1


def read_array(address):
    """(avail, limit, batchcount, touched, [objects, oldest first]) of a struct array_cache."""
    ac = dwarf.at(address, "struct array_cache")
    avail = min(ac.avail, ac.limit)
    entries = dwarf.sizeof("struct array_cache") + address
    raw = memory.read(entries, 8 * avail) if avail else b""
    objects = [int.from_bytes(raw[i:i + 8], "little") for i in range(0, len(raw), 8)]
    return ac.avail, ac.limit, ac.batchcount, ac.touched, objects


def arrays(cache):
    """[(label, address, (avail, limit, batch, touched, objects))]: the shared array, then each CPU's."""
    out = []
    shared = cache.be.shared
    if shared:
        out.append(("shared array", shared, read_array(shared)))
    cpus = cache.be.cpu_array
    for cpu in range(len(cpus)):
        address = cpus[cpu]
        if address:
            out.append(("cpu %d array" % cpu, address, read_array(address)))
    return out


def stats(cache):
    """The figures of slab_backend_stats() (mm/slab.c): arrays' objects count as free."""
    b = cache.be
    total = b.total_slabs * cache.objects
    held = sum(a[2][0] for a in arrays(cache))
    internal = b.internal_allocations - b.internal_frees
    free = b.free_objects + held + internal
    return {
        "slabs": b.total_slabs,
        "objects_total": total,
        "objects_in_use": total - free if free < total else 0,
        "partial": b.partial_slabs,
        "empty": b.free_slabs,
        "in_arrays": held,
    }


def slab_text(cache, verbose):
    """ferrite-slab's body for a SLAB cache: layout, arrays, every slab with its free indices."""
    b = cache.be
    out = ["  index array %s (%d bytes), %d colours of %d bytes; arrays: limit %d, batch %d, shared %d; "
           "free_limit %d" % ("off-slab" if b.mgmt_cache else "on-slab", b.mgmt_size, b.colours,
                              b.colour_off, b.limit, b.batchcount, b.shared_limit, b.free_limit)]
    array_list = arrays(cache)
    out.append("  arrays (%d):" % len(array_list))
    for label, address, (avail, limit, batch, touched, objects) in array_list:
        shown = objects[::-1] if verbose else objects[::-1][:12]
        text = "    %s 0x%x: %d of %d objects%s" % (label, address, avail, limit,
                                                   ", touched" if touched else "")
        if shown:
            text += ", next first: " + " ".join("0x%x" % o for o in shown)
            if len(shown) < len(objects):
                text += " ... (%d more)" % (len(objects) - len(shown))
        out.append(text)
    for which in LISTS:
        pages = slab_list(cache, which)
        out.append("  %s slabs (%d):" % (which, len(pages)))
        for slab_page in pages:
            page = dwarf.at(slab_page, "struct page")
            base = cache.slab_base(slab_page)
            address, first, free = mgmt(slab_page)
            shown = free if verbose else free[:12]
            text = "    slab 0x%x (struct page 0x%x): %d of %d in use, colour %d (+%d), index array 0x%x" % (
                base, slab_page, page.inuse, page.objects, first // b.colour_off, first, address)
            if shown:
                text += ", free: " + " ".join("#%d" % i for i in shown)
                if len(shown) < len(free):
                    text += " ... (%d more)" % (len(free) - len(shown))
            out.append(text)
    return out


def _right_red_zone(cache):
    if cache.flags & constants.get("SLAB_STORE_USER"):
        return cache.be.track_offset - cache.object_size
    return cache.stride - cache.red_left - cache.object_size


def _check_debug_objects(cache, base, first, free, where):
    red_zone = cache.flags & constants.get("SLAB_RED_ZONE")
    poison = cache.flags & constants.get("SLAB_POISON")
    if not red_zone and not poison:
        return
    right = _right_red_zone(cache)
    raw = memory.read(base, cache.slab_bytes)
    for index in range(cache.objects):
        start = first + index * cache.stride + cache.red_left
        is_free = index in free
        if red_zone:
            pattern = constants.get("SLUB_RED_INACTIVE" if is_free else "SLUB_RED_ACTIVE")
            zone = raw[start - cache.red_left:start] + \
                raw[start + cache.object_size:start + cache.object_size + right]
            if zone.strip(bytes([pattern])):
                raise Broken("slab", where, "red zone of %s object #%d (0x%x) overwritten (expected 0x%02x)" % (
                    "free" if is_free else "allocated", index, base + start, pattern))
        if poison and is_free:
            body = raw[start:start + cache.object_size]
            expected = bytes([constants.get("POISON_FREE")]) * (cache.object_size - 1) + \
                bytes([constants.get("POISON_END")])
            if body != expected:
                offset = next(i for i in range(cache.object_size) if body[i] != expected[i])
                raise Broken("slab", where, "poison of free object #%d (0x%x) overwritten at offset %d "
                             "(0x%02x, expected 0x%02x)" % (index, base + start, offset, body[offset],
                                                            expected[offset]))


def check_cache(cache):
    """slab_check_cache() of mm/slab_debug.c, from memory. Return: the cache's slab count."""
    b = cache.be
    placed = {}
    free_of = {}                # slab page -> (base, first, set of free indices)
    counts = {"free": 0, "partial": 0, "full": 0}
    free_objects = 0
    for which in LISTS:
        try:
            pages = slab_list(cache, which)
        except lists.BrokenList as e:
            raise Broken("slab", "cache %s, %s list" % (cache.name, which), str(e)) from None
        for slab_page in pages:
            where = "cache %s, %s slab 0x%x (struct page 0x%x)" % (
                cache.name, which, cache.slab_base(slab_page), slab_page)
            if not cache.memmap.contains_page(slab_page):
                raise Broken("slab", "cache %s, %s list" % (cache.name, which),
                             "0x%x is not a struct page of the memmap" % slab_page)
            if slab_page in placed:
                raise Broken("slab", where, "slab also on the %s list" % placed[slab_page])
            placed[slab_page] = which
            page = dwarf.at(slab_page, "struct page")
            if not page.flags & constants.get("PG_slab") or page.slab_cache != cache.address:
                raise Broken("slab", where, "not a slab of this cache (flags 0x%x, cache 0x%x)" % (
                    page.flags, page.slab_cache))
            if page.objects != cache.objects or page.inuse > page.objects:
                raise Broken("slab", where, "object counts are wrong (%d in use, %d objects, cache says %d)" % (
                    page.inuse, page.objects, cache.objects))
            fill = "free" if page.inuse == 0 else "full" if page.inuse == page.objects else "partial"
            if fill != which:
                raise Broken("slab", where, "a %s slab (%d of %d in use) on the %s list" % (
                    fill, page.inuse, page.objects, which))
            base = cache.slab_base(slab_page)
            address, first, free = mgmt(slab_page)
            if not b.mgmt_cache and address != base + cache.slab_bytes - b.mgmt_size:
                raise Broken("slab", where, "on-slab index array 0x%x is not at the end of its slab" % address)
            if first % b.colour_off or first // b.colour_off >= b.colours:
                raise Broken("slab", where, "colour offset %d out of range (%d colours of %d bytes)" % (
                    first, b.colours, b.colour_off))
            seen = set()
            for index in free:
                if index >= cache.objects:
                    raise Broken("slab", where, "index array holds %d, beyond the slab's %d objects" % (
                        index, cache.objects))
                if index in seen:
                    raise Broken("slab", where, "object #%d free twice in the index array" % index)
                seen.add(index)
            free_of[slab_page] = (base, first, seen)
            free_objects += len(free)
            counts[which] += 1
            if cache.is_debug():
                _check_debug_objects(cache, base, first, seen, where)
    total = sum(counts.values())
    for what, value, field in (("free slab", counts["free"], "free_slabs"),
                               ("partial slab", counts["partial"], "partial_slabs"),
                               ("slab", total, "total_slabs"), ("free object", free_objects, "free_objects")):
        if value != getattr(b, field):
            raise Broken("slab", "cache %s" % cache.name, "%s count %s %d does not match the lists (%d)" % (
                what, field, getattr(b, field), value))
    held = set()
    for label, address, (avail, limit, batch, touched, objects) in arrays(cache):
        where = "cache %s, %s 0x%x" % (cache.name, label, address)
        if avail > limit:
            raise Broken("slab", where, "%d objects, more than its limit %d" % (avail, limit))
        for obj in objects:
            try:
                pfn = cache.memmap.virt_to_pfn(obj)
                head = cache.memmap.pfn_to_page(pfn)
                page = dwarf.at(head, "struct page")
                if page.flags & constants.get("PG_tail"):
                    head = page.compound_head
            except Exception:
                raise Broken("slab", where, "holds 0x%x, not an address of a slab" % obj) from None
            if head not in free_of:
                raise Broken("slab", where, "holds 0x%x, not in a listed slab of the cache" % obj)
            base, first, free = free_of[head]
            index = object_index(cache, base, first, obj)
            if index < 0:
                raise Broken("slab", where, "holds 0x%x, not an object's start" % obj)
            if index in free:
                raise Broken("slab", where, "holds object #%d (0x%x), free in its slab too" % (index, obj))
            if obj in held:
                raise Broken("slab", where, "holds 0x%x, held by another array too" % obj)
            held.add(obj)
    return total
