#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check a gdb-check.sh run: gdb's ferrite-* output against the kernel's serial dumps.

The kernel printed, before stopping at ferrite_checkpoint, its slabinfo,
zones, meminfo with buddyinfo, and vmallocinfo (kernel/gdb_checkpoint.c);
gdb ran its commands at that stop.  The numbers must be equal.  At the
second stop a free pointer of cache gdb-check had been overwritten:
ferrite-verify must name that cache, the slab and the object the kernel
printed.  The back-end is read from the boot log ("slab: back-end NAME"):
SLAB and SLOB keep no free pointer in objects, and are checked for what
they keep instead (SLAB: CPU 0's array; SLOB: each block's header, its
owner cache and length, and the free space the freed objects went back to).  Prints one "ok NAME" or "FAIL NAME: why" per check, then
"N passed, N failed".

usage: compare.py --serial LOG --gdb LOG --qemu-status N
"""
import argparse
import re
import sys

TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\] ")


def serial_dump(path):
    """The kernel's lines from the checkpoint's first line to the corruption report."""
    with open(path, encoding="latin-1") as f:
        lines = [TIMESTAMP.sub("", line.rstrip("\n")) for line in f]
    return lines


def gdb_sections(path):
    """{marker: [lines]} of the gdb transcript, split at "@@@ NAME" lines."""
    sections, name = {}, "preamble"
    with open(path, encoding="latin-1") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("@@@ "):
                name = line[4:]
                sections[name] = []
            else:
                sections.setdefault(name, []).append(line)
    return sections


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, problem):
        """Record @name: passed if @problem is empty/None, else failed with it."""
        if problem:
            self.failed += 1
            print("FAIL %s: %s" % (name, problem))
        else:
            self.passed += 1
            print("ok %s" % name)


def first_difference(expected, actual):
    if not expected:
        return "the kernel printed none"
    for i, (e, a) in enumerate(zip(expected, actual)):
        if e != a:
            return "line %d differs:\n    kernel: %s\n    gdb:    %s" % (i + 1, e, a)
    if len(expected) != len(actual):
        return "kernel printed %d lines, gdb %d" % (len(expected), len(actual))
    return None


def check_slab_array(slab_text):
    """SLAB (mm/slab.c): the checkpoint freed objects 1, 3, 5, 7, 9 of gdb-check into CPU 0's
    array; the array hands out the last freed first, and the objects were handed out from the
    top of a refilled array (descending addresses), so the first five are 128 bytes apart, rising."""
    m = re.search(r"cpu 0 array 0x[0-9a-f]+: (\d+) of \d+ objects.*?next first: ([0-9a-fx ]+)", slab_text)
    if not m:
        return "no CPU 0 array with objects shown: %s" % slab_text
    shown = [int(a, 16) for a in m.group(2).split()[:5]]
    if len(shown) < 5 or any(b - a != 128 for a, b in zip(shown, shown[1:])):
        return "CPU 0's array does not start with 5 objects 128 bytes apart, rising: %s" % m.group(2)[:120]
    return None


def check_slab_verbose(verbose):
    """SLAB: -v lists every object CPU 0's array holds."""
    m = re.search(r"cpu 0 array 0x[0-9a-f]+: (\d+) of \d+ objects.*?next first: ([0-9a-fx ]+)",
                  "\n".join(verbose))
    if not m or len(m.group(2).split()) != int(m.group(1)):
        return "-v does not list every object of CPU 0's array: %s" % (m and m.groups(),)
    return None


SLOB_PAGE_LINE = re.compile(r"page (0x[0-9a-f]+) \(\w+ list\): (\d+) blocks: ((?:\+\d+\(\d+\) ?)+)")


def slob_blocks(slab_text):
    """SLOB: [(page, offset, bytes)] of the blocks ferrite-slab lists."""
    return [(int(m.group(1), 16), int(o), int(b)) for m in SLOB_PAGE_LINE.finditer(slab_text)
            for o, b in re.findall(r"\+(\d+)\((\d+)\)", m.group(3))]


def check_slob_blocks(slab_text, stride):
    """SLOB (mm/slob.c): gdb-check's objects 0, 2, 4, 6, 8 are live, each a block of the
    cache's stride (header + object); the odd ones, freed, went back to the page's free
    space, so the live blocks are two strides apart."""
    blocks = slob_blocks(slab_text)
    if len(blocks) != 5 or any(b[2] != stride for b in blocks):
        return "not 5 blocks of %d bytes: %s" % (stride, blocks)
    if any(b[0] != a[0] or b[1] - a[1] != 2 * stride for a, b in zip(blocks, blocks[1:])):
        return "the live blocks are not two strides (%d bytes) apart in one page: %s" % (2 * stride, blocks)
    return None


def check_slob_verbose(slab_text, verbose):
    """SLOB: -v decodes each block's header: in use, owned by gdb-check's id, its length."""
    cache_id = re.search(r"cache gdb-check at 0x[0-9a-f]+: .* id (\d+)", slab_text)
    headers = [re.match(r"\s+block (0x[0-9a-f]+) \(\+(\d+)\): header in use by cache gdb-check "
                        r"\(id (\d+)\), (\d+) bytes", l) for l in verbose]
    headers = [(int(m.group(2)), int(m.group(4)), m.group(3)) for m in headers if m]
    expected = [(o, b, cache_id and cache_id.group(1)) for _, o, b in slob_blocks(slab_text)]
    if not cache_id or not expected or headers != expected:
        return "headers %s, expected (offset, bytes, owner id) %s: %s" % (headers, expected, verbose[:8])
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--serial", required=True)
    parser.add_argument("--gdb", required=True)
    parser.add_argument("--qemu-status", type=int, required=True)
    args = parser.parse_args()
    serial = serial_dump(args.serial)
    gdb = gdb_sections(args.gdb)
    checks = Checks()
    backend = next((m.group(1) for m in (re.search(r"slab: back-end (\S+)", l) for l in serial) if m), "slub")
    if any(l.endswith("blocks of pages (SLOB))") for l in gdb.get("ferrite-verify", [])):
        backend = "slob"  # a copy of SLOB under another name: the gdb readers know it by its layout

    try:
        start = serial.index("gdb_checkpoint: the kernel's own dumps follow")
        end = serial.index("gdb_checkpoint: stop at ferrite_checkpoint")
        dump = serial[start + 1:end]
    except ValueError:
        dump = []
    checks.check("kernel printed its dumps", None if dump else "no gdb_checkpoint dump on serial")
    checks.check("gdb stopped at ferrite_checkpoint",
                 None if any("ferrite_checkpoint ()" in l for l in gdb.get("stop1", [])) else
                 "no stop: %s" % " / ".join(gdb.get("stop1", ["(no output)"])[-3:]))

    def section(name):
        return [l for l in gdb.get(name, []) if l.strip()]

    # slabinfo: the same lines, header included.
    kernel_slabinfo = [l[len("slabinfo: "):] for l in dump if l.startswith("slabinfo: ")]
    checks.check("ferrite-slabinfo equals the kernel's slabinfo",
                 first_difference(kernel_slabinfo, section("ferrite-slabinfo")))

    # buddyinfo: the first line of each zone (meminfo prints them).
    kernel_buddyinfo = []
    for line in dump:
        if line.startswith("Node 0, zone") and line not in kernel_buddyinfo:
            kernel_buddyinfo.append(line)
    checks.check("ferrite-buddyinfo equals the kernel's buddyinfo",
                 first_difference(kernel_buddyinfo, section("ferrite-buddyinfo")))

    # zoneinfo: span, managed pages, watermarks, per-CPU sizes; free pages against
    # buddyinfo (blocks << order) and MemFree (free + per-CPU).
    zone_re = re.compile(r"zone (\S+)\s+pfn 0x([0-9a-f]+)-0x([0-9a-f]+): (\d+) pages .*watermarks min (\d+) "
                         r"low (\d+) high (\d+), per-CPU batch (\d+) high (\d+)")
    zoneinfo = "\n".join(section("ferrite-zoneinfo"))
    problems = []
    zones = [m.groups() for m in map(zone_re.search, dump) if m]
    if not zones:
        problems.append("no zone lines on serial")
    for name, start, end, managed, low_min, low, high, batch, pcp_high in zones:
        block = re.search(r"Node 0, zone\s+%s\n(.*?)(?=\nNode 0|\nfree with|\Z)" % re.escape(name),
                          zoneinfo, re.S)
        if not block:
            problems.append("zone %s missing" % name)
            continue
        text = block.group(1)
        expect = {"managed": managed, "min": low_min, "low": low, "high": high,
                  "start_pfn:": "0x" + start, "end_pfn:": "0x" + end}
        for key, value in expect.items():
            m = re.search(r"%s\s+(\S+)" % re.escape(key), text)
            if not m or m.group(1) != value:
                problems.append("zone %s %s: kernel %s, gdb %s" % (name, key, value, m and m.group(1)))
        m = re.search(r"cpu: 0\s+count: \d+\s+high: (\d+)\s+batch: (\d+)", text)
        if not m or m.groups() != (pcp_high, batch):
            problems.append("zone %s CPU 0 per-CPU high/batch: kernel %s/%s, gdb %s" % (
                name, pcp_high, batch, m and "/".join(m.groups())))
        buddy = [l for l in kernel_buddyinfo if re.match(r"Node 0, zone\s+%s " % re.escape(name), l)]
        free = re.search(r"pages free\s+(\d+)", text)
        if buddy and free:
            counts = [int(c) for c in buddy[0].split()[4:]]
            expected = sum(c << order for order, c in enumerate(counts))
            if int(free.group(1)) != expected:
                problems.append("zone %s pages free: gdb %s, kernel's buddyinfo sums to %d" % (
                    name, free.group(1), expected))
    memfree = [re.search(r"MemFree:\s+(\d+) kB", l) for l in dump]
    memfree = [m.group(1) for m in memfree if m]
    total = re.search(r"free with per-CPU: \d+ pages \((\d+) kB\)", zoneinfo)
    if not memfree or not total or memfree[0] != total.group(1):
        problems.append("free pages with per-CPU: kernel MemFree %s kB, gdb %s kB" % (
            memfree[:1], total and total.group(1)))
    checks.check("ferrite-zoneinfo equals the kernel's zones and MemFree", "; ".join(problems))

    # vmallocinfo: the areas and the counters line.
    kernel_vmalloc = [l for l in dump if re.match(r"0x[0-9a-f]{16}-0x[0-9a-f]{16} ", l) or
                      l.startswith("vmalloc: ") and " areas, " in l]
    checks.check("ferrite-vmallocinfo equals the kernel's vmallocinfo",
                 first_difference(kernel_vmalloc, section("ferrite-vmallocinfo")))

    # ferrite-slab gdb-check: in-use count as slabinfo, and the CPU freelist in the
    # order the checkpoint freed objects 1, 3, 5, 7, 9 (last freed first).
    slab_text = "\n".join(section("ferrite-slab gdb-check"))
    line = [l.split() for l in kernel_slabinfo if l.split()[:1] == ["gdb-check"]]
    m = re.search(r"(\d+) of (\d+) objects in use", slab_text)
    problem = None
    if not line or not m or [m.group(1), m.group(2)] != line[0][1:3]:
        problem = "objects in use/total: kernel %s, gdb %s" % (line and line[0][1:3], m and m.groups())
    elif backend == "slab":
        problem = check_slab_array(slab_text)
    elif backend == "slob":
        problem = check_slob_blocks(slab_text, int(line[0][4]))
    elif "on the CPU freelist: #9 #7 #5 #3 #1 #10" not in slab_text:
        problem = "CPU freelist not decoded as #9 #7 #5 #3 #1 #10 ...: %s" % slab_text
    checks.check({"slab": "ferrite-slab shows gdb-check's CPU array, last freed first",
                  "slob": "ferrite-slab shows gdb-check's live blocks, the freed ones between them gone"}.get(
                      backend, "ferrite-slab decodes gdb-check's hardened freelist"), problem)

    # -v: each free object with its stored word; the first links #9 to #7, 128 bytes lower.
    verbose = section("ferrite-slab gdb-check -v")
    links = [re.match(r"\s+#(\d+)\s+(0x[0-9a-f]+)\s+stored (0x[0-9a-f]{16}) -> next (0x[0-9a-f]+)", l) for l in verbose]
    links = [m.groups() for m in links if m]
    problem = None
    if backend == "slab":
        problem = check_slab_verbose(verbose)
    elif backend == "slob":
        problem = check_slob_verbose(slab_text, verbose)
    elif len(links) < 2 or links[0][0] != "9" or links[1][0] != "7":
        problem = "free objects not listed as #9, #7, ...: %s" % verbose[:8]
    elif int(links[0][3], 16) != int(links[1][1], 16) or int(links[0][1], 16) - int(links[1][1], 16) != 128:
        problem = "#9's next is not #7 (128 bytes lower): %s" % (links[:2],)
    checks.check({"slab": "ferrite-slab -v lists every object of the CPU array",
                  "slob": "ferrite-slab -v decodes each block's header (owner, length)"}.get(
                      backend, "ferrite-slab -v lists free objects with their stored words"), problem)

    # ferrite-cpus: CPU 0 online, stopped in ferrite_checkpoint, its per-CPU pages as zoneinfo's.
    cpus_text = "\n".join(section("ferrite-cpus"))
    problem = None
    if not re.search(r"CPU 0: online, thread 1, RIP 0x[0-9a-f]+ ferrite_checkpoint\+0x0/", cpus_text):
        problem = "CPU 0 not shown online in ferrite_checkpoint: %s" % cpus_text[:200]
    else:
        for zone, count in re.findall(r"Node 0, zone\s+(\S+)\n.*?cpu: 0\s+count: (\d+)", zoneinfo, re.S):
            shown = re.search(r"\b%s (\d+) \(high" % re.escape(zone), cpus_text)
            if int(count) != (int(shown.group(1)) if shown else 0):
                problem = "zone %s: zoneinfo has %s pages on CPU 0's list, ferrite-cpus %s" % (
                    zone, count, shown and shown.group(1))
    checks.check("ferrite-cpus shows CPU 0 and its per-CPU state", problem)

    # ferrite-page on what the checkpoint holds.
    expectations = [
        ("ferrite-page gdb_checkpoint_held.objects[0]", [r"flags\s+0x[0-9a-f]+\s+head\|slab", r"cache gdb-check \("]),
        ("ferrite-page gdb_checkpoint_held.block", [r"allocated block of order 2 \(4 pages\), refcount 1"]),
        ("ferrite-page gdb_checkpoint_held.large", [r"head\|compound", r"allocated block of order 3 \(8 pages\), compound"]),
        ("ferrite-page gdb_checkpoint_held.areas[0]", [r"mapped to phys", r"allocated block of order 0"]),
        ("ferrite-page 0", [r"reserved: not the page allocator's"]),
    ]
    if backend == "slob":
        # SLOB's pages are shared by caches: the owner is read from the block's header,
        # the block starting 8 bytes before the object.
        held = re.search(r"direct-map address 0x([0-9a-f]+):", "\n".join(section(expectations[0][0])))
        expectations[0] = (expectations[0][0], [
            r"flags\s+0x[0-9a-f]+\s+head\|slab", r"SLOB shared page \(\w+ list\)",
            r"block\s+0x%x \(\+\d+\): in use by cache gdb-check \(" % (int(held.group(1), 16) - 8 if held else 0)])
    for name, patterns in expectations:
        text = "\n".join(section(name))
        missing = [p for p in patterns if not re.search(p, text)]
        checks.check(name, missing and "output lacks %s: %s" % (missing, text))

    smoke = [("ferrite-regs", r"cr0  0x[0-9a-f]{16}  \[.*PG"), ("ferrite-pt kernel_main", r"-> phys 0x[0-9a-f]+ \(\d+ KiB page\)"),
             ("ferrite-phys 0x1000 2", r"phys 0x00001008: 0x"), ("help ferrite", r"ferrite-verify\s+--")]
    for name, pattern in smoke:
        text = "\n".join(section(name))
        checks.check(name, None if re.search(pattern, text) else "unexpected output: %s" % text)

    # Wrong input: a one-line report, no traceback.
    refusals = [("ferrite-slab no-such-cache", r"^ferrite-slab: no cache named 'no-such-cache'"),
                ("ferrite-page 0xfffffffff", r"^ferrite-page: pfn 0xfffffffff has no struct page"),
                ("ferrite-page 0xffffc9fffff00000", r"^ferrite-page: 0xffffc9fffff00000 is not mapped"),
                ("ferrite-pt", r"^usage: ferrite-pt ")]
    for name, pattern in refusals:
        text = section(name)
        checks.check(name + " is refused", None if len(text) == 1 and re.match(pattern, text[0]) else
                     "expected one line matching '%s', got: %s" % (pattern, text))

    verify = "\n".join(section("ferrite-verify"))
    checks.check("ferrite-verify is clean at the first stop",
                 None if "ferrite-verify: no broken invariant" in verify and "UNCONFIRMED" not in verify
                 else verify)

    # Breakages the check wrote itself, one at a time.
    red_zone_cache = "kmalloc-slob, SLOB page " if backend == "slob" else "kmalloc-128, "
    for name, expected in [("buddy", "ferrite-verify: BROKEN: buddy: zone DMA32, order-0 free list: free list count"),
                           ("redzone", "ferrite-verify: BROKEN: slab: cache " + red_zone_cache),
                           ("vmalloc", "ferrite-verify: BROKEN: vmalloc: vmap_stats: areas ")]:
        text = "\n".join(section("broken " + name))
        problem = None if expected in text else "expected '%s...', got: %s" % (expected, text)
        if name == "redzone" and not problem and "red zone of allocated object" not in text and \
                not (backend == "slob" and "red zone overwritten: byte at offset 100 " in text):
            problem = "not reported as a red zone: %s" % text
        checks.check("ferrite-verify catches a broken %s" % name, problem)

    # The corrupted free pointer: cache, slab and object as the kernel printed them.
    corruption = [re.search(r"wrote 0x([0-9a-f]+) after free over object (0x[0-9a-f]+) of cache (\S+), "
                            r"slab (0x[0-9a-f]+)", l) for l in serial]
    corruption = [m for m in corruption if m]
    checks.check("gdb stopped at ferrite_checkpoint_corrupted",
                 None if any("ferrite_checkpoint_corrupted ()" in l for l in gdb.get("stop2", [])) else
                 "no second stop")
    verify = "\n".join(section("corrupted ferrite-verify"))
    if backend == "slab":
        # SLAB keeps no free pointer in objects: the write breaks nothing it keeps.
        problem = None if corruption and "ferrite-verify: no broken invariant" in verify else \
            "kernel reported its write: %s; ferrite-verify: %s" % (bool(corruption), verify)
    elif backend == "slob":
        # SLOB keeps no pointer in a freed object either: its block went back to the page's
        # free space (a free block's header is before it).  The block is gone from the cache.
        after = "\n".join(section("corrupted ferrite-slab gdb-check"))
        if not corruption or "ferrite-verify: no broken invariant" not in verify:
            problem = "kernel reported its write: %s; ferrite-verify: %s" % (bool(corruption), verify)
        else:
            value, obj, cache, slab = corruption[0].groups()
            block = int(obj, 16) - 8
            listed = [p + o for p, o, _ in slob_blocks(after)]
            if "4 of 4 objects in use" not in after or len(listed) != 4 or block in listed:
                problem = "gdb-check after the free: 4 blocks without 0x%x expected: %s" % (block, after)
    elif not corruption:
        problem = "the kernel did not report its corruption"
    else:
        value, obj, cache, slab = corruption[0].groups()
        expected = "ferrite-verify: BROKEN: slab: cache %s, CPU 0 slab %s " % (cache, slab)
        problem = None
        if expected not in verify:
            problem = "expected '%s...', got: %s" % (expected, verify)
        elif "object %s links to" % obj not in verify or "stored 0x%016x" % int(value, 16) not in verify:
            problem = "object %s or stored word 0x%s not named: %s" % (obj, value, verify)
    checks.check({"slab": "ferrite-verify stays clean: SLAB keeps no free pointer in objects",
                  "slob": "ferrite-verify stays clean (SLOB keeps no free pointer in objects), the block is gone"}.get(
                      backend, "ferrite-verify names the corrupted cache, slab and object"), problem)

    return finish(checks, gdb, serial, args)


def finish(checks, gdb, serial, args):
    """The checks every back-end ends with: no Python errors, the kernel passed."""
    errors = [l for lines in gdb.values() for l in lines
              if "Python Exception" in l or l.startswith("Error occurred in Python")]
    checks.check("no Python errors in gdb", errors and "; ".join(errors[:3]))

    summary = [l for l in serial if re.match(r"^\d+ passed, \d+ failed$", l)]
    checks.check("the kernel's self-tests passed and it exited (QEMU status 33)",
                 None if args.qemu_status == 33 and summary and summary[-1].endswith(", 0 failed") else
                 "QEMU status %d, KTAP summary %s" % (args.qemu_status, summary[-1:] or "missing"))

    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
