# SPDX-License-Identifier: MIT
"""The slab layer read from memory: caches, their slabs, freelists (mm/slab.h).

This module reads SLUB's structures; a kernel built with the SLAB back-end
(slab_backend_name "slab": struct kmem_cache_backend has cpu_array) is
read by slabs_slab.py, to which the functions below hand over.

Every slab of a cache is in one place: a CPU's slab (cache->backend.cpu_slab[cpu],
its free objects on that CPU's freelist), the partial list or the full
list.  A freelist is a chain through a free pointer stored in each free
object at cache->backend.free_offset, hardened as Linux's
CONFIG_SLAB_FREELIST_HARDENED (mm/slub_internal.h):

    stored = next ^ cache->random ^ byteswap64(address of the stored word)

so decoding needs the cache's key and where the word is.  A link that
decodes outside its slab, between two objects or back onto an object
already on the list ends the walk, and is returned as the problem.
"""
from . import constants, dwarf, lists, memory, slabs_slab
from .memmap import Memmap, PAGE_SHIFT


def byteswap64(value):
    return int.from_bytes(value.to_bytes(8, "little"), "big")


class Cache:
    """A struct kmem_cache, with its geometry read once."""

    def __init__(self, address, memmap=None):
        self.obj = c = dwarf.at(address, "struct kmem_cache")
        # SLUB's own part of the cache (mm/slub_def.h); older kernels had it inline.
        self.be = b = c.backend if c.has("backend") else c
        self.address = address
        self.name = c.name
        self.object_size = c.object_size
        self.stride = b.stride
        self.objects = b.objects
        self.order = b.order
        self.flags = c.flags
        self.red_left = b.get("red_left", 0)
        self.kind = "slab" if slabs_slab.is_slab(self) else "slub"
        self.free_offset = b.get("free_offset", 0)
        self.random = c.random
        self.slab_shift = b.get("slab_shift", PAGE_SHIFT + self.order)
        self.slab_bytes = 1 << self.slab_shift
        if memmap is None:
            allocator = dwarf.at(c.allocator, "struct slab_allocator")
            memmap = Memmap(dwarf.at(allocator.buddy, "struct buddy"))
        self.memmap = memmap

    def is_debug(self):
        return bool(self.flags & constants.slab_debug_flags())

    def cpu_slabs(self):
        """[(cpu, slab page or 0, encoded freelist head or 0)] for every CPU."""
        if not self.be.has("cpu_slab"):
            return []
        cpus = self.be.cpu_slab
        out = []
        for cpu in range(len(cpus)):
            entry = cpus[cpu]
            out.append((cpu, entry.slab, entry.freelist))
        return out

    def list_slabs(self, which):
        """The slab pages on the cache's list @which ("partial" or "full"; SLAB: or "free")."""
        if self.kind == "slab":
            return slabs_slab.slab_list(self, which)
        if not self.be.has(which):
            return []
        return list(lists.entries(self.be.field_address(which), "struct page", "slab_list"))

    def slab_base(self, slab_page):
        return self.memmap.page_address(slab_page)

    def object_index(self, slab_base, address):
        """The index of the object starting at @address in the slab at @slab_base, or -1."""
        if (address ^ slab_base) >> self.slab_shift:
            return -1
        offset = (address - self.red_left - slab_base) & (self.slab_bytes - 1)
        index, rest = divmod(offset, self.stride)
        return index if rest == 0 and index < self.objects else -1

    def object_at(self, slab_base, index):
        return slab_base + index * self.stride + self.red_left

    def free_pointer(self, address):
        """(stored word, decoded next object) of the free object at @address."""
        slot = (address + self.free_offset) & ((1 << 64) - 1)
        stored = memory.u64(slot)
        return stored, stored ^ self.random ^ byteswap64(slot)

    def walk_freelist(self, slab_base, head, seen=None):
        """Follow a freelist from @head (an object address, 0: empty).

        Return: (objects in order, problem), problem None or a dict with
        object, stored, next and what (why the link cannot be followed).
        @seen (a set of indices) is shared between the two lists of a CPU slab.
        """
        seen = set() if seen is None else seen
        objects = []
        # Bit 0 of a slab's own freelist head is SLAB_FROZEN (a CPU's slab; mm/slub_internal.h).
        address, previous, stored = head & ~1, None, None
        while address:
            index = self.object_index(slab_base, address)
            problem = None
            if index < 0:
                outside = (address ^ slab_base) >> self.slab_shift
                problem = "outside the slab" if outside else "between two objects"
            elif index in seen:
                problem = "an object already on a freelist (a loop or a double free)"
            if problem:
                return objects, {"object": previous, "stored": stored, "next": address,
                                 "what": problem}
            seen.add(index)
            objects.append(address)
            try:
                stored, following = self.free_pointer(address)
            except memory.Unreadable:
                return objects, {"object": address, "stored": None, "next": None,
                                 "what": "free pointer not readable"}
            previous, address = address, following
        return objects, None

    def count_free(self, slab_base, head):
        """Free objects on a freelist, counted as the kernel does: up to the first bad link."""
        objects, _ = self.walk_freelist(slab_base, head)
        return len(objects)


def slab_allocator():
    return dwarf.global_value("kernel_slab")


def caches(allocator=None):
    """Every cache of the kernel's slab allocator, in creation order."""
    a = allocator if allocator is not None else slab_allocator()
    memmap = Memmap(dwarf.at(a.buddy, "struct buddy"))
    return [Cache(address, memmap)
            for address in lists.entries(a.field_address("caches"), "struct kmem_cache", "list")]


def find_cache(name):
    """The cache called @name, or None."""
    for cache in caches():
        if cache.name == name:
            return cache
    return None


def stats(cache):
    """The figures of slab_backend_stats() (mm/slub.c), over every CPU."""
    if cache.kind == "slab":
        return slabs_slab.stats(cache)
    in_use = 0
    for which in ("partial", "full"):
        for slab in cache.list_slabs(which):
            in_use += dwarf.at(slab, "struct page").inuse
    for cpu, slab, freelist in cache.cpu_slabs():
        if slab:
            page = dwarf.at(slab, "struct page")
            in_use += page.inuse - cache.count_free(cache.slab_base(slab), freelist)
    slabs = cache.be.slabs
    return {
        "slabs": slabs,
        "objects_total": slabs * cache.objects,
        "objects_in_use": in_use,
        "partial": cache.be.get("partial_count", 0),
        "empty": cache.be.get("empty_count", 0),
    }


def waste(cache):
    """Layout waste in per mille, as slab_print_info() computes it."""
    slab_size = 4096 << cache.order
    return (slab_size - cache.object_size * cache.objects) * 1000 // slab_size
