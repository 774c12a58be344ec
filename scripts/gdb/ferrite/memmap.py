# SPDX-License-Identifier: MIT
"""Frames, their struct page and their direct-map address (include/mm.h).

Everything comes from the kernel's page allocator instance, kernel_buddy:
the memmap it was given (memmap, memmap_start_pfn, memmap_end_pfn), the
bitmap of memmap blocks that are backed (a hole in RAM has no struct
page) and the direct map's offset.
"""
from . import constants, dwarf, memory

PAGE_SHIFT = constants.get("PAGE_SHIFT")


class Memmap:
    def __init__(self, buddy=None):
        self.buddy = buddy if buddy is not None else dwarf.global_value("kernel_buddy")
        b = self.buddy
        self.base = b.memmap
        self.start_pfn = b.memmap_start_pfn
        self.end_pfn = b.memmap_end_pfn
        self.backed = b.get("backed_blocks", 0)
        self.virt_offset = b.virt_offset
        self.page_size = dwarf.sizeof("struct page")
        zone_fields = dwarf.layout(dwarf.lookup_type("struct zone"))
        self.nr_orders = zone_fields["free_area"][1].range()[1] + 1
        self.max_order = self.nr_orders - 1
        if not self.base:
            raise dwarf.Missing("the page allocator is not set up yet (kernel_buddy.memmap is NULL)")

    def is_backed(self, pfn):
        if not self.start_pfn <= pfn < self.end_pfn:
            return False
        if not self.backed:
            return True
        block = pfn >> self.max_order
        return bool(memory.uint(self.backed + block // 8, 1) >> (block % 8) & 1)

    def pfn_to_page(self, pfn):
        """The address of frame @pfn's struct page, or None if it has none."""
        if not self.is_backed(pfn):
            return None
        return self.base + (pfn - self.start_pfn) * self.page_size

    def page_to_pfn(self, page):
        return self.start_pfn + (page - self.base) // self.page_size

    def contains_page(self, address):
        """Is @address a struct page of this memmap?"""
        offset = address - self.base
        return 0 <= offset < (self.end_pfn - self.start_pfn) * self.page_size

    def page(self, pfn):
        address = self.pfn_to_page(pfn)
        return None if address is None else dwarf.at(address, "struct page")

    def pfn_address(self, pfn):
        return self.virt_offset + (pfn << PAGE_SHIFT)

    def page_address(self, page):
        """The direct-map address of the frame whose struct page is at @page."""
        return self.pfn_address(self.page_to_pfn(page))

    def virt_to_pfn(self, address):
        """The frame of direct-map @address, or None if it is not one."""
        if address < self.virt_offset:
            return None
        pfn = (address - self.virt_offset) >> PAGE_SHIFT
        return pfn if self.start_pfn <= pfn < self.end_pfn else None

    def zone_of_flags(self, flags):
        return (flags & constants.get("PAGE_ZONE_MASK")) >> constants.get("PAGE_ZONE_SHIFT")

    def zone_name(self, index):
        zones = self.buddy.zones
        if 0 <= index < len(zones):
            name = zones[index].name
            return memory.cstring(name) if name else "zone%d" % index
        return "zone%d?" % index


def flag_names(flags):
    """The PG_* flags set in @flags, as "head|slab" (zone bits left out)."""
    names = [name for bit, name in constants.page_flag_names() if flags & bit]
    return "|".join(names) if names else "-"
