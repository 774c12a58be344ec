# SPDX-License-Identifier: MIT
"""ferrite-buddyinfo and ferrite-zoneinfo: the page allocator's zones (include/buddy.h)."""
import gdb

from . import cpus, dwarf, locks, memory
from .command import FerriteCommand


def kernel_buddy():
    return dwarf.global_value("kernel_buddy")


def zones(buddy=None):
    """[(index, zone name, zone Obj)] of the zones that manage pages."""
    b = buddy if buddy is not None else kernel_buddy()
    out = []
    for index, zone in enumerate(b.zones):
        if zone.managed_pages:
            out.append((index, memory.cstring(zone.name) if zone.name else "zone%d" % index, zone))
    return out


def pcp_total(zone):
    return sum(p.count for p in zone.pcp) if zone.has("pcp") else 0


class BuddyInfo(FerriteCommand):
    """Free blocks of each order in each zone (/proc/buddyinfo).

Usage: ferrite-buddyinfo
One line per zone with pages: the count of free blocks of order 0, 1, ...
MAX_ORDER, as the kernel's buddyinfo dump prints it.  Pages on the per-CPU
lists are not in these counts (ferrite-zoneinfo shows them)."""
    name = "ferrite-buddyinfo"

    def run(self, argument):
        zone_list = zones()
        if not zone_list:
            gdb.write("no zone manages pages yet (the page allocator is not set up)\n")
        for _, name, zone in zone_list:
            counts = "".join(" %6d" % area.count for area in zone.free_area)
            gdb.write("Node 0, zone %8s%s\n" % (name, counts))


class ZoneInfo(FerriteCommand):
    """Each zone: span, managed and free pages, watermarks, per-CPU lists (/proc/zoneinfo).

Usage: ferrite-zoneinfo
"pages free" counts the zone's free lists; "per-CPU" the order-0 pages
held on the per-CPU lists (of the CPUs that hold any, or are online);
"free with per-CPU" is both, the figure of the kernel's MemFree."""
    name = "ferrite-zoneinfo"

    def run(self, argument):
        online = cpus.online_cpus()
        total_free = 0
        for index, name, zone in zones():
            held = pcp_total(zone)
            total_free += zone.free_pages + held
            lines = [
                "Node 0, zone %8s" % name,
                "  pages free     %d" % zone.free_pages,
                "        min      %d" % zone.watermark_min,
                "        low      %d" % zone.watermark_low,
                "        high     %d" % zone.watermark_high,
                "        spanned  %d" % (zone.end_pfn - zone.start_pfn),
                "        managed  %d" % zone.managed_pages,
                "        per-CPU  %d" % held,
                "  start_pfn:     0x%x" % zone.start_pfn,
                "  end_pfn:       0x%x" % zone.end_pfn,
            ]
            if zone.has("lock"):
                lines.append("  lock:          %s" % locks.describe(zone.lock))
            lines.append("  free blocks by order:%s" % "".join(" %d" % a.count for a in zone.free_area))
            lines.append("  pagesets")
            for cpu, pcp in enumerate(zone.pcp):
                if pcp.count or cpu in online:
                    lines.append("    cpu: %d  count: %d  high: %d  batch: %d" % (
                        cpu, pcp.count, pcp.high, pcp.batch))
            gdb.write("\n".join(lines) + "\n")
        gdb.write("free with per-CPU: %d pages (%d kB)\n" % (total_free, total_free * 4))


BuddyInfo()
ZoneInfo()
