# SPDX-License-Identifier: MIT
"""ferrite-slabinfo and ferrite-slab: the slab layer as the kernel's dumps show it."""
import gdb

from . import constants, dwarf, locks, slabs, slabs_slab, slob
from .command import FerriteCommand

HEADER = "name                 active  total objsize stride per-slab order slabs waste"
SHOWN_FREE = 12


def slabinfo_line(cache):
    """One cache in the columns of the kernel's slabinfo dump (mm/slab_common.c)."""
    s = slabs.stats(cache)
    per_mille = slabs.waste(cache)
    return "%-20s %6d %6d %7d %6d %8d %5d %5d %5s%s" % (
        cache.name, s["objects_in_use"], s["objects_total"], cache.object_size, cache.stride,
        cache.objects, cache.order, s["slabs"], "%d.%d%%" % (per_mille // 10, per_mille % 10),
        " debug" if cache.is_debug() else "")


class SlabInfo(FerriteCommand):
    """Every slab cache: objects in use and in total, layout, slabs (slabinfo).

Usage: ferrite-slabinfo
The columns of the kernel's own slabinfo dump, which /proc/slabinfo's
resemble: active and total objects, object size, stride (object plus
metadata and alignment), objects per slab, slab order, slabs, and the
part of each slab not holding requested bytes.  "debug" marks caches
with debug flags (red zones, poisoning, owner tracking, checks).
Objects on CPU freelists count as free, on every CPU."""
    name = "ferrite-slabinfo"

    def run(self, argument):
        if slob.active():
            gdb.write("\n".join([HEADER] + slob.slabinfo_lines()) + "\n")
            return
        lines = [HEADER] + [slabinfo_line(cache) for cache in slabs.caches()]
        gdb.write("\n".join(lines) + "\n")


def describe_flags(flags):
    names = [name for bit, name in constants.slab_flag_names() if flags & bit]
    return "|".join(names) if names else "none"


def freelist_text(cache, base, objects, problem, verbose):
    """The decoded freelist: object indices in list order, then the broken link if any."""
    if verbose:
        lines = []
        for address in objects:
            stored, decoded = cache.free_pointer(address)
            lines.append("      #%-4d 0x%x  stored 0x%016x -> next 0x%x" % (
                cache.object_index(base, address), address, stored, decoded))
        text = "\n" + "\n".join(lines) if lines else " empty"
    else:
        shown = ["#%d" % cache.object_index(base, a) for a in objects[:SHOWN_FREE]]
        if len(objects) > SHOWN_FREE:
            shown.append("... (%d more)" % (len(objects) - SHOWN_FREE))
        text = " " + (" ".join(shown) if shown else "empty")
    if problem:
        text += "\n      BROKEN: %s" % broken_link_text(problem)
    return text


def broken_link_text(problem):
    if problem["object"] is None:
        return "the freelist head 0x%x is %s" % (problem["next"], problem["what"])
    if problem["stored"] is None:
        return "object 0x%x: %s" % (problem["object"], problem["what"])
    return "object 0x%x links to 0x%x (stored 0x%016x), %s" % (
        problem["object"], problem["next"], problem["stored"], problem["what"])


def slab_line(cache, slab_page, label, cpu_freelist=None, verbose=False):
    """One slab: where it is, objects in use, its freelist(s) decoded."""
    page = dwarf.at(slab_page, "struct page")
    base = cache.slab_base(slab_page)
    seen = set()
    own, own_problem = cache.walk_freelist(base, page.freelist, seen)
    text = "    %sslab 0x%x (struct page 0x%x): " % (label + " " if label else "", base, slab_page)
    if cpu_freelist is None:
        return text + "%d of %d in use, %d free:%s" % (
            page.inuse, page.objects, len(own), freelist_text(cache, base, own, own_problem, verbose))
    # A CPU slab counts all its objects in use; the free ones are on the CPU's freelist.
    on_cpu, cpu_problem = cache.walk_freelist(base, cpu_freelist, seen)
    text += "%d of %d in use, %d free on the CPU freelist:%s" % (
        page.inuse - len(on_cpu) - len(own), page.objects, len(on_cpu),
        freelist_text(cache, base, on_cpu, cpu_problem, verbose))
    if own or own_problem:
        text += "\n      and %d on the slab's own freelist:%s" % (
            len(own), freelist_text(cache, base, own, own_problem, verbose))
    return text


class Slab(FerriteCommand):
    """One cache: its layout, per-CPU slabs, partial and full slabs with decoded freelists.

Usage: ferrite-slab CACHE-NAME [-v]
Shows the cache's geometry, its hardening key and lock, then each CPU's
slab and freelist and every slab on the partial and full lists.  Free
pointers are decoded (next ^ key ^ byteswap(slot), mm/slub_internal.h)
and shown as object indices in list order; -v shows every free object
with its address, the stored word and what it decodes to.  A link that
leaves its slab, lands between objects or loops is shown as BROKEN."""
    name = "ferrite-slab"

    def run(self, argument):
        words = argument.split()
        verbose = "-v" in words
        words = [w for w in words if w != "-v"]
        if len(words) != 1:
            raise gdb.GdbError("usage: ferrite-slab CACHE-NAME [-v]  (ferrite-slabinfo lists the names)")
        if slob.active():
            text = slob.cache_text(words[0], verbose)
            if text is None:
                raise gdb.GdbError("ferrite-slab: no cache named '%s' (ferrite-slabinfo lists them)" % words[0])
            gdb.write(text + "\n")
            return
        cache = slabs.find_cache(words[0])
        if cache is None:
            raise gdb.GdbError("ferrite-slab: no cache named '%s' (ferrite-slabinfo lists them)" % words[0])
        c = cache.obj
        s = slabs.stats(cache)
        out = ["cache %s at 0x%x: object %d bytes, stride %d, align %d, %d per slab, order %d (%d KiB slabs)" % (
            cache.name, cache.address, cache.object_size, cache.stride, c.get("align", 0),
            cache.objects, cache.order, 4 << cache.order)]
        if cache.kind == "slab":
            out.append("  flags %s%s" % (describe_flags(cache.flags),
                                         ", left red zone %d" % cache.red_left if cache.red_left else ""))
            out.append("  lock: %s" % locks.describe(cache.be.lock))
            out.append("  %d slabs (%d partial, %d free), %d of %d objects in use, %d in arrays" % (
                s["slabs"], s["partial"], s["empty"], s["objects_in_use"], s["objects_total"],
                s["in_arrays"]))
            out.extend(slabs_slab.slab_text(cache, verbose))
            gdb.write("\n".join(out) + "\n")
            return
        out.append("  flags %s; free pointer at offset %d, key 0x%016x%s" % (
            describe_flags(cache.flags), cache.free_offset, cache.random,
            ", left red zone %d" % cache.red_left if cache.red_left else ""))
        if cache.be.has("lock"):
            out.append("  lock: %s" % locks.describe(cache.be.lock))
        out.append("  %d slabs (%d partial, %d of them empty), %d of %d objects in use" % (
            s["slabs"], s["partial"], s["empty"], s["objects_in_use"], s["objects_total"]))
        counters = [(f, c.get(f)) for f in ("allocations", "frees", "bad_frees") if c.has(f)]
        if counters:
            out.append("  " + ", ".join("%s %d" % (f.replace("_", " "), v) for f, v in counters))
        cpu_lines = []
        for cpu, slab, freelist in cache.cpu_slabs():
            if slab:
                cpu_lines.append(slab_line(cache, slab, "cpu %d:" % cpu, freelist, verbose))
            elif freelist:
                cpu_lines.append("    cpu %d: BROKEN: a freelist 0x%x without a slab" % (cpu, freelist))
        out.append("  per-CPU slabs (%d):" % len(cpu_lines))
        out.extend(cpu_lines)
        for which in ("partial", "full"):
            slab_pages = cache.list_slabs(which)
            out.append("  %s slabs (%d):" % (which, len(slab_pages)))
            out.extend(slab_line(cache, p, "", None, verbose) for p in slab_pages)
        gdb.write("\n".join(out) + "\n")


SlabInfo()
Slab()
