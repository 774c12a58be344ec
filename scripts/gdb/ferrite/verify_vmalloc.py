# SPDX-License-Identifier: MIT
"""vmalloc's invariants, checked from memory (as mm/vmalloc_debug.c's vmalloc_check).

The free ranges (the red-black tree of vmap_free_space) are sorted, page
aligned, inside the window, never touching (two touching ranges would
have been merged), their parent links right and their sum the tree's
free_bytes; the busy areas are each in the hash bucket of their start,
inside the window, never overlapping each other or a free range (guard
page included); the lazy list and the busy areas agree with vmap_stats;
and free + busy + lazy + in-transit bytes make up the whole window.
"""
import gdb

from . import constants, dwarf
from .broken import Broken
from .vmallocinfo import GUARD, BrokenChain, busy_areas, busy_table, counters, free_space, lazy_areas

PAGE_MASK = (1 << constants.get("PAGE_SHIFT")) - 1
BUCKET_HASH = 0x9e3779b97f4a7c15  # mm/vmalloc.c, vmap_bucket_of()


def _free_ranges(space):
    """[(start, end)] of the free tree in address order; checks the tree's links."""
    out = []
    seen = set()
    stack, node, parent_of = [], space.root, {space.root: 0}
    while stack or node:
        while node:
            if node in seen:
                raise Broken("vmalloc", "free tree", "node 0x%x reached twice (a cycle)" % node)
            seen.add(node)
            stack.append(node)
            n = dwarf.at(node, "struct vmap_free_range")
            if n.parent != parent_of[node]:
                raise Broken("vmalloc", "free tree node 0x%x" % node,
                             "parent link 0x%x, expected 0x%x" % (n.parent, parent_of[node]))
            left = n.child[0]
            if left:
                parent_of[left] = node
            node = left
        node = stack.pop()
        n = dwarf.at(node, "struct vmap_free_range")
        out.append((n.start, n.end, node))
        right = n.child[1]
        if right:
            parent_of[right] = node
        node = right
    return out


def check():
    """Raise Broken at the first broken invariant. Return: a one-line summary."""
    space = free_space()
    lo, hi = space.start, space.end
    ranges = _free_ranges(space)
    previous_end = None
    for start, end, node in ranges:
        where = "free range [0x%x, 0x%x) (tree node 0x%x)" % (start, end, node)
        if start >= end or (start | end) & PAGE_MASK or start < lo or end > hi:
            raise Broken("vmalloc", where, "empty, unaligned or outside the window")
        if previous_end is not None and start <= previous_end:
            raise Broken("vmalloc", where, "out of order, overlapping or touching the previous range")
        previous_end = end
    free_bytes = sum(end - start for start, end, _ in ranges)
    if space.has("free_bytes") and free_bytes != space.free_bytes:
        raise Broken("vmalloc", "free tree", "free_bytes %d does not match its ranges (%d)" % (
            space.free_bytes, free_bytes))
    try:
        busy = busy_areas()
        lazy = lazy_areas()
    except BrokenChain as e:
        raise Broken("vmalloc", "area lists", str(e)) from None
    buckets = len(busy_table())
    taken = sorted([(a.start, a.start + a.size + GUARD, "area at 0x%x" % a.start) for _, a in busy] +
                   [(a.start, a.start + a.size + GUARD, "area awaiting purge at 0x%x" % a.start) for a in lazy] +
                   [(s, e, "free range at 0x%x" % s) for s, e, _ in ranges])
    for (s1, e1, what1), (s2, e2, what2) in zip(taken, taken[1:]):
        if s2 < e1:
            raise Broken("vmalloc", what2, "overlaps the %s" % what1)
    for bucket, area in busy:
        where = "area [0x%x, 0x%x)" % (area.start, area.start + area.size)
        if area.start & PAGE_MASK or not area.size or area.size & PAGE_MASK or area.start < lo or \
                area.start + area.size + GUARD > hi:
            raise Broken("vmalloc", where, "unaligned, empty or outside the window")
        expected = ((area.start >> constants.get("PAGE_SHIFT")) * BUCKET_HASH & ((1 << 64) - 1)) >> 54
        if expected % buckets != bucket:
            raise Broken("vmalloc", where, "in hash bucket %d, its start hashes to %d" % (bucket, expected % buckets))
    busy_bytes = sum(a.size + GUARD for _, a in busy)
    lazy_bytes = sum(a.size + GUARD for a in lazy)
    # Ranges between their steps (reserved, not yet published; taken, not yet queued).
    try:
        transit_bytes = int(gdb.parse_and_eval("vmap_transit_bytes"))
    except gdb.error:
        transit_bytes = 0
    if free_bytes + busy_bytes + lazy_bytes + transit_bytes != hi - lo:
        raise Broken("vmalloc", "the window [0x%x, 0x%x)" % (lo, hi),
                     "free + busy + lazy + in-transit bytes (%d + %d + %d + %d) do not add up to it" % (
                         free_bytes, busy_bytes, lazy_bytes, transit_bytes))
    stats = counters()
    if stats is not None:
        if stats.areas != len(busy):
            raise Broken("vmalloc", "vmap_stats", "areas %d, but %d busy areas" % (stats.areas, len(busy)))
        if stats.lazy_areas != len(lazy):
            raise Broken("vmalloc", "vmap_stats", "lazy_areas %d, but %d awaiting purge" % (
                stats.lazy_areas, len(lazy)))
    return "%d areas, %d awaiting purge, %d free ranges" % (len(busy), len(lazy), len(ranges))
