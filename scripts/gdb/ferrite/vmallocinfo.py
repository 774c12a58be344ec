# SPDX-License-Identifier: MIT
"""ferrite-vmallocinfo: the busy areas of the vmalloc space (mm/vmalloc_internal.h).

Busy areas hang off the hash table vmap_busy[] (chains through ->next);
freed areas awaiting the batched purge are on vmap_lazy_list; the free
address ranges are the red-black tree of vmap_free_space.  Each area is
followed by an unmapped guard page, which the kernel's vmallocinfo counts
in the area's end and size.
"""
import gdb

from . import constants, dwarf, symbols
from .command import FerriteCommand

GUARD = 1 << constants.get("PAGE_SHIFT")


class BrokenChain(Exception):
    pass


# The variables of mm/vmalloc.c, by their names now and before vmalloc_debug.c split off.
def busy_table():
    return dwarf.find_variable(("vmap_busy", "busy"), "struct vm_area *[")


def lazy_head():
    return dwarf.find_variable(("vmap_lazy_list", "lazy_list"), "struct vm_area *")


def counters():
    """vmap_stats, or None if this kernel keeps none."""
    try:
        return dwarf.find_variable(("vmap_stats", "stats"), "struct vmalloc_stats")
    except dwarf.Missing:
        return None


def free_space():
    return dwarf.find_variable(("vmap_free_space", "space"), "struct vmap_space")


def _chain(head, limit):
    """The vm_area addresses of a ->next chain from @head."""
    seen = []
    address = head
    while address:
        if address in seen or len(seen) > limit:
            raise BrokenChain("area chain loops at 0x%x" % address)
        seen.append(address)
        address = dwarf.at(address, "struct vm_area").next
    return seen


def busy_areas():
    """[(bucket, vm_area Obj)] of every busy area, sorted by start address."""
    buckets = busy_table()
    out = []
    for bucket in range(len(buckets)):
        head = buckets[bucket]
        if head:
            out.extend((bucket, dwarf.at(a, "struct vm_area")) for a in _chain(head, 1 << 20))
    out.sort(key=lambda entry: entry[1].start)
    return out


def lazy_areas():
    try:
        head = lazy_head()
    except dwarf.Missing:
        return []
    return [dwarf.at(a, "struct vm_area") for a in _chain(head, 1 << 20)]


def kind_name(value):
    """"vmalloc" or "vmap" for an enum vm_kind value, named from DWARF."""
    try:
        for field in dwarf.lookup_type("enum vm_kind").fields():
            if field.enumval == value:
                return field.name.replace("VM_KIND_", "").lower()
    except dwarf.Missing:
        pass
    return "kind%d" % value


def area_line(area):
    end = area.start + area.size + GUARD
    return "0x%016x-0x%016x %10d %s pages=%d %s" % (
        area.start, end, area.size + GUARD, symbols.format_address(area.caller),
        area.page_count, kind_name(area.kind))


class VmallocInfo(FerriteCommand):
    """Every vmalloc and vmap area, with its caller (/proc/vmallocinfo).

Usage: ferrite-vmallocinfo
One line per busy area in address order: start-end (guard page
included), size, the function that asked for it, pages, vmalloc or
vmap; then the kernel's counters (vmap_stats) as its own dump prints
them."""
    name = "ferrite-vmallocinfo"

    def run(self, argument):
        try:
            areas = busy_areas()
        except BrokenChain as e:
            raise gdb.GdbError("ferrite-vmallocinfo: %s (ferrite-verify tells more)" % e)
        for _, area in areas:
            gdb.write(area_line(area) + "\n")
        s = counters()
        if s is not None:
            gdb.write("vmalloc: %d areas, %d pages, %d areas (%d pages) awaiting purge, %d purges\n" % (
                s.areas, s.pages, s.lazy_areas, s.lazy_pages, s.purges))


VmallocInfo()
