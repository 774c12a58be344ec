# SPDX-License-Identifier: MIT
"""ferrite-cpus: each CPU, where it is, and what the allocators keep for it.

CPU numbers are the kernel's (0 = boot CPU).  Online CPUs come from
cpu_online_mask where the kernel has one, else the kernel runs on CPU 0
alone.  QEMU's gdb stub shows one thread per vCPU; a thread is matched
to its CPU number by its GS base when the kernel has per-CPU areas
(percpu_areas[]), else by thread order.  Per-CPU allocator state is the
NR_CPUS arrays of struct zone (pcp) and struct kmem_cache (cpu_slab).
"""
import gdb

from . import dwarf, memory, symbols
from .command import FerriteCommand


def nr_cpus():
    zone_fields = dwarf.layout(dwarf.lookup_type("struct zone"))
    if "pcp" in zone_fields:
        return zone_fields["pcp"][1].range()[1] + 1
    return 1


def online_cpus():
    """The set of online CPU numbers."""
    if dwarf.has_symbol("cpu_online_mask"):
        mask = dwarf.global_value("cpu_online_mask")
        bits = mask.bits if not isinstance(mask, int) else mask
        if isinstance(bits, dwarf.Arr):
            words = list(bits)
            bits = sum(w << (64 * i) for i, w in enumerate(words))
        return {cpu for cpu in range(nr_cpus()) if bits >> cpu & 1}
    return {0}


def percpu_area_addresses():
    """[address of percpu_areas[cpu]] if the kernel has per-CPU areas, else None."""
    if not dwarf.has_symbol("percpu_areas"):
        return None
    areas = dwarf.global_value("percpu_areas")
    return [areas.address_of(i) for i in range(len(areas))]


def _register(name):
    try:
        return int(gdb.parse_and_eval("$" + name)) & ((1 << 64) - 1)
    except gdb.error:
        return None


def cpu_threads():
    """{cpu: {"thread", "rip", "gs_base", "state"}} from gdb's thread list."""
    inferior = gdb.selected_inferior()
    threads = sorted(inferior.threads(), key=lambda t: t.num)
    if not threads:
        return {}
    areas = percpu_area_addresses()
    selected = gdb.selected_thread()
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        frame = None
    out = {}
    try:
        for position, thread in enumerate(threads):
            thread.switch()
            gs_base = _register("gs_base")
            cpu = position
            if areas and gs_base in areas:
                cpu = areas.index(gs_base)
            details = getattr(thread, "details", None) or thread.name or ""
            out[cpu] = {"thread": thread.num, "rip": _register("pc"), "gs_base": gs_base,
                        "state": details}
    finally:
        if selected is not None:
            selected.switch()
        if frame is not None:
            try:
                frame.select()
            except gdb.error:
                pass
    return out


def _per_cpu_state(cpu, zone_list, cache_list):
    """Lines describing what the allocators keep for @cpu, or [] if nothing."""
    lines = []
    pcp = []
    for _, name, zone in zone_list:
        entry = zone.pcp[cpu]
        if entry.count:
            pcp.append("%s %d (high %d, batch %d)" % (name, entry.count, entry.high, entry.batch))
    if pcp:
        lines.append("  per-CPU pages: " + ", ".join(pcp))
    slabs_held = []
    for cache in cache_list:
        entries = cache.be.cpu_slab if cache.be.has("cpu_slab") else []
        if cpu >= len(entries):
            continue
        entry = entries[cpu]
        if entry.slab:
            free = cache.count_free(cache.slab_base(entry.slab), entry.freelist)
            slabs_held.append("%s (slab 0x%x, %d free)" % (cache.name, cache.slab_base(entry.slab), free))
        elif entry.freelist:
            slabs_held.append("%s (BROKEN: freelist 0x%x, no slab)" % (cache.name, entry.freelist))
    if slabs_held:
        lines.append("  CPU slabs: " + ", ".join(slabs_held))
    return lines


class Cpus(FerriteCommand):
    """Each CPU: online or not, where it runs (saved RIP), its per-CPU allocator state.

Usage: ferrite-cpus
For each online CPU, and each other CPU that holds per-CPU state: the
gdb thread (one per vCPU under QEMU), its RIP symbolized, its GS base
(and the per-CPU area it points to), the order-0 pages on its per-CPU
lists by zone, and the slab each cache keeps for it with its free count."""
    name = "ferrite-cpus"

    def run(self, argument):
        from . import buddyinfo, slabs, slob
        online = online_cpus()
        threads = cpu_threads()
        zone_list = buddyinfo.zones()
        cache_list = [] if slob.active() else slabs.caches()  # SLOB keeps nothing per CPU
        areas = percpu_area_addresses()
        quiet = []
        for cpu in range(nr_cpus()):
            state = _per_cpu_state(cpu, zone_list, cache_list)
            if cpu not in online and not state and cpu not in threads:
                quiet.append(cpu)
                continue
            head = "CPU %d: %s" % (cpu, "online" if cpu in online else "offline")
            t = threads.get(cpu)
            if t:
                head += ", thread %d" % t["thread"]
                if t["rip"] is not None:
                    head += ", RIP 0x%x %s" % (t["rip"], symbols.format_address(t["rip"]))
                if t["state"]:
                    head += " (%s)" % t["state"]
                if t["gs_base"] is not None:
                    head += ", GS base 0x%x" % t["gs_base"]
                    if areas and t["gs_base"] in areas:
                        head += " (percpu_areas[%d])" % areas.index(t["gs_base"])
            gdb.write(head + "\n")
            for line in state or ["  no per-CPU pages or CPU slabs"]:
                gdb.write(line + "\n")
        if quiet:
            gdb.write("CPUs %s: offline, no thread, nothing held\n" % _ranges(quiet))


def _ranges(numbers):
    out, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            out.append(str(start) if start == n else "%d-%d" % (start, n))
            start = None
    return ",".join(out)


Cpus()
