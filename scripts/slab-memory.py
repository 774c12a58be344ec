#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Each slab back-end's memory per cache, as a Markdown table.

usage: scripts/slab-memory.py LOG...

Each LOG is the serial log of a self-test boot (make test keeps them in
build/logs/: bios-cd.log for the default back-end, bios-smp4@NAME.log for
the others).  After its self-tests the kernel prints the "slabmem:" lines
of slab_memory_print() (mm/slab_common.c): the back-end's name, then per
cache its object size, objects in use and in all, slabs, bytes held,
bytes in live objects and waste.  The table has one row per cache (and a
total) and, per back-end, the slabs, KiB held and KiB wasted.  A LOG
that cannot be read or has no such lines (the boot failed) is reported
and left out.
"""
import re
import sys

LINE = re.compile(r"slabmem: (\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")
BACKEND = re.compile(r"slabmem: back-end (\S+)")


def read_log(path):
    """Return (back-end, {cache: (objsize, slabs, held, waste)}) or None."""
    backend, caches = None, {}
    with open(path, errors="replace") as log:
        for line in log:
            line = line.rstrip("\r\n")
            found = BACKEND.search(line)
            if found:
                backend, caches = found.group(1), {}    # the last dump counts
                continue
            found = LINE.search(line)
            if found and found.group(1) != "cache":
                name, objsize, _, _, slabs, held, _, waste = found.groups()
                caches[name] = (objsize, slabs, int(held), int(waste))
    return (backend, caches) if backend and "total" in caches else None


def kib(value):
    return f"{value / 1024:.1f}"


def main(paths):
    if not paths:
        sys.exit(__doc__)
    runs = []
    for path in paths:
        try:
            run = read_log(path)
        except OSError as error:
            print(f"slab-memory.py: {error}", file=sys.stderr)
            continue
        if run:
            runs.append(run)
        else:
            print(f"slab-memory.py: {path}: no slabmem dump", file=sys.stderr)
    if not runs:
        sys.exit(1)
    names = []
    for _, caches in runs:
        names += [name for name in caches if name not in names and name != "total"]
    names.append("total")
    header = ["cache", "object"]
    for backend, _ in runs:
        header += [f"{backend} slabs", f"{backend} KiB held", f"{backend} KiB waste"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in names:
        sizes = []
        for _, caches in runs:
            if name in caches and caches[name][0] not in sizes:
                sizes.append(caches[name][0])
        row = [name, "/".join(sizes) or "-"]
        for _, caches in runs:
            if name in caches:
                _, slabs, held, waste = caches[name]
                row += [slabs, kib(held), kib(waste)]
            else:
                row += ["-", "-", "-"]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
