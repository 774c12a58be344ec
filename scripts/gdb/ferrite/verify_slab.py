# SPDX-License-Identifier: MIT
"""The slab layer's invariants, checked from memory (as mm/slub_debug.c's slab_check_locked).

For every cache: each slab on the partial and full lists and each CPU's
slab is a PG_slab page of that cache with the cache's object count; its
freelists (the slab's own and, for a CPU slab, the CPU's) stay inside the
slab, land on object starts, and never visit an object twice (no cycle,
no double free); free plus in-use objects equal the slab's objects; no
full slab on the partial list nor a partly free one on the full list; no
slab in two places; the cache's partial, empty and slab counts match.
In debug caches, each object's red zones hold the free or the allocated
pattern as the object is free or not, and a free poisoned object still
holds its poison (mm/slub_debug.c's layout and patterns).
"""
from . import constants, dwarf, lists, memory, slabs, slabs_slab, slob
from .broken import Broken
from .slabinfo import broken_link_text


def _slab_where(cache, slab_page, label):
    return "cache %s, %s slab 0x%x (struct page 0x%x)" % (
        cache.name, label, cache.slab_base(slab_page), slab_page)


def _right_red_zone(cache):
    """Bytes of red zone after the object (slub_debug.c's fill_red_zones)."""
    c = cache.be
    if cache.free_offset > cache.object_size:
        end = cache.free_offset
    elif cache.flags & constants.get("SLAB_STORE_USER"):
        end = c.track_offset
    else:
        end = cache.stride - cache.red_left
    return end - cache.object_size


def _check_debug_objects(cache, base, free, where):
    """Red zones and poison of every object of the slab at @base; @free: indices of free objects."""
    red_zone = cache.flags & constants.get("SLAB_RED_ZONE")
    poison = cache.flags & constants.get("SLAB_POISON")
    if not red_zone and not poison:
        return
    right = _right_red_zone(cache)
    raw = memory.read(base, cache.slab_bytes)
    for index in range(cache.objects):
        start = index * cache.stride + cache.red_left
        is_free = index in free
        if red_zone:
            pattern = constants.get("SLUB_RED_INACTIVE" if is_free else "SLUB_RED_ACTIVE")
            zone = raw[start - cache.red_left:start] + raw[start + cache.object_size:start + cache.object_size + right]
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


def _check_slab(cache, slab_page, label, cpu_freelist=None):
    memmap = cache.memmap
    if not memmap.contains_page(slab_page):
        raise Broken("slab", "cache %s, %s slab" % (cache.name, label),
                     "0x%x is not a struct page of the memmap" % slab_page)
    where = _slab_where(cache, slab_page, label)
    page = dwarf.at(slab_page, "struct page")
    if not page.flags & constants.get("PG_slab") or page.slab_cache != cache.address:
        raise Broken("slab", where, "not a slab of this cache (flags 0x%x, cache 0x%x)" % (
            page.flags, page.slab_cache))
    if page.objects != cache.objects or page.inuse > page.objects:
        raise Broken("slab", where, "object counts are wrong (%d in use, %d objects, cache says %d)" % (
            page.inuse, page.objects, cache.objects))
    base = cache.slab_base(slab_page)
    seen = set()
    own, problem = cache.walk_freelist(base, page.freelist, seen)
    if problem:
        raise Broken("slab", where, "slab freelist: " + broken_link_text(problem))
    if cpu_freelist is not None:
        _, problem = cache.walk_freelist(base, cpu_freelist, seen)
        if problem:
            raise Broken("slab", where, "%s freelist: %s" % (label, broken_link_text(problem)))
    elif len(own) + page.inuse != page.objects:
        raise Broken("slab", where, "%d free + %d in use != %d objects" % (len(own), page.inuse, page.objects))
    if cache.is_debug():
        _check_debug_objects(cache, base, seen, where)
    return page


def check_cache(cache):
    if cache.kind == "slab":
        return slabs_slab.check_cache(cache)
    placed = {}

    def place(slab_page, label):
        if slab_page in placed:
            raise Broken("slab", _slab_where(cache, slab_page, label), "slab also on %s" % placed[slab_page])
        placed[slab_page] = label

    partial = empty = count = 0
    for which in ("partial", "full"):
        try:
            slab_pages = cache.list_slabs(which)
        except lists.BrokenList as e:
            raise Broken("slab", "cache %s, %s list" % (cache.name, which), str(e)) from None
        for slab_page in slab_pages:
            page = _check_slab(cache, slab_page, which)
            place(slab_page, "the %s list" % which)
            if which == "partial" and page.inuse == page.objects:
                raise Broken("slab", _slab_where(cache, slab_page, which), "full slab on the partial list")
            if which == "full" and page.inuse != page.objects:
                raise Broken("slab", _slab_where(cache, slab_page, which),
                             "slab with free objects on the full list")
            partial += which == "partial"
            empty += which == "partial" and page.inuse == 0
            count += 1
    for cpu, slab_page, freelist in cache.cpu_slabs():
        label = "CPU %d" % cpu
        if slab_page:
            _check_slab(cache, slab_page, label, freelist)
            place(slab_page, "CPU %d's slab" % cpu)
            count += 1
        elif freelist:
            raise Broken("slab", "cache %s, CPU %d" % (cache.name, cpu),
                         "a CPU freelist 0x%x without a CPU slab" % freelist)
    c = cache.be
    if c.has("partial_count") and partial != c.partial_count:
        raise Broken("slab", "cache %s" % cache.name, "partial_count %d does not match the partial list (%d)" % (
            c.partial_count, partial))
    if c.has("empty_count") and empty != c.empty_count:
        raise Broken("slab", "cache %s" % cache.name, "empty_count %d does not match the partial list (%d)" % (
            c.empty_count, empty))
    if count != c.slabs:
        raise Broken("slab", "cache %s" % cache.name, "slab count %d does not match the lists (%d)" % (
            c.slabs, count))
    return count


def check():
    """Raise Broken at the first broken invariant. Return: a one-line summary."""
    if slob.active():
        return slob.check()
    try:
        cache_list = slabs.caches()
    except lists.BrokenList as e:
        raise Broken("slab", "the list of caches", str(e)) from None
    total = sum(check_cache(cache) for cache in cache_list)
    return "%d caches, %d slabs" % (len(cache_list), total)
