#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Convert ftrace's text output of Linux's kmem events to Ferrite's replay format.

usage: trace-convert.py [options] TRACE [-o OUT]      convert (TRACE: text, .gz, or - for stdin)
       trace-convert.py --slice N [--from K] REPLAY -o OUT   records K..K+N-1 of a replay file
       trace-convert.py --info REPLAY                 what a replay file holds
       trace-convert.py --prepare FILE -o OUT         OUT: FILE's replay data, FILE being a replay
                                                      file (plain or .gz) or ftrace text to convert

The input is what /sys/kernel/tracing/trace (or trace_pipe, or
`trace-cmd report`) prints with these events enabled:
    kmem:kmalloc kmem:kfree kmem:kmem_cache_alloc kmem:kmem_cache_free
    kmem:mm_page_alloc kmem:mm_page_free
(kmem:mm_page_free_batched is read and ignored: each page it names also
has an mm_page_free line.)
The format written is described in include/trace_replay.h and README.md.

Every input line is counted exactly once: used (it became a record),
ignored (by kind: comments, other events, frees of memory allocated
before the trace started, ...) or unusable (a line that is not an event
line, an event line without the fields its event must have).  Anomalies
(an allocation at an address that is still live, a free of the wrong
kind) are counted too, with the numbers of the first lines where they
happened; the records written for them are explained in README.md.
Nothing is dropped without being counted in the summary.

Exit status: 0 when a replay file was written, 1 when the input held no
usable event (or, with --strict, held an unusable line), 2 on bad usage.
"""

import argparse
import collections
import gzip
import heapq
import re
import struct
import sys

MAGIC = b"FRREPLAY"
VERSION = 1
HEADER = struct.Struct("<8sIIIIIIQQ")
CACHE_ENTRY = struct.Struct("<II32s")
RECORD = struct.Struct("<BBHIII")
assert HEADER.size == 48 and CACHE_ENTRY.size == 40 and RECORD.size == 16

OP_KMALLOC, OP_KFREE, OP_CACHE_ALLOC, OP_CACHE_FREE, OP_PAGE_ALLOC, OP_PAGE_FREE = range(1, 7)
MAX_CACHES = 1024
MAX_IDS = 16 << 20
MAX_OBJECT_SIZE = 1 << 20
MAX_ORDER = 10
MAX_KMALLOC = 4 << 20
NAME_SIZE = 32
EXAMPLES = 5  # line numbers kept per kind

# "<task>-<pid> [(<tgid>)] [<cpu>] [<irq flags>] <seconds>.<micro>: <event>: <fields>"
EVENT_LINE = re.compile(
    r"^\s*(?P<task>.*?)-(?P<pid>\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(?P<cpu>\d+)\]\s+"
    r"(?:\S+\s+)??(?P<ts>\d+\.\d+):\s+(?P<event>\w+):\s?(?P<fields>.*)$")
FIELD = re.compile(r"(\w+)=(\S*)")
LOST = re.compile(r"^\s*CPU:\s*\d+\s+\[LOST (\d+) EVENTS\]")
BUFFER_START = re.compile(r"^#+ CPU \d+ buffer started #+$")

# The fields each event must have (Linux 6.1's formats; older and newer
# kernels print a superset of these).
REQUIRED = {
    "kmalloc": ("ptr", "bytes_req", "bytes_alloc"),
    "kmalloc_node": ("ptr", "bytes_req", "bytes_alloc"),
    "kmem_cache_alloc": ("ptr", "bytes_req", "bytes_alloc"),
    "kmem_cache_alloc_node": ("ptr", "bytes_req", "bytes_alloc"),
    "kfree": ("ptr",),
    "kmem_cache_free": ("ptr",),
    "mm_page_alloc": ("pfn", "order"),
    "mm_page_free": ("pfn", "order"),
    "mm_page_free_batched": ("pfn",),
}
PAGE_EVENTS = ("mm_page_alloc", "mm_page_free", "mm_page_free_batched")


class Tally:
    """Counts with the first few line numbers of each kind."""

    def __init__(self):
        self.count = collections.Counter()
        self.lines = collections.defaultdict(list)

    def add(self, kind, line):
        self.count[kind] += 1
        if len(self.lines[kind]) < EXAMPLES:
            self.lines[kind].append(line)

    def total(self):
        return sum(self.count.values())

    def report(self, out, indent="    "):
        for kind, n in sorted(self.count.items(), key=lambda item: (-item[1], item[0])):
            where = ", ".join(str(line) for line in self.lines[kind])
            more = ", ..." if n > len(self.lines[kind]) else ""
            out.write(f"{indent}{kind}: {n} (line{'s' if n > 1 else ''} {where}{more})\n")


class Op:
    """One allocator call, before ids are assigned."""

    __slots__ = ("kind", "line", "size", "linux_bytes", "order", "alloc", "name", "call_site",
                 "cache_key")

    def __init__(self, kind, line):
        self.kind = kind
        self.line = line
        self.size = self.linux_bytes = self.order = 0
        self.alloc = None      # a free: the Op of its allocation
        self.name = None       # a cache allocation: its cache's name, once known
        self.call_site = None
        self.cache_key = None


class Converter:
    def __init__(self, pages=True):
        self.pages = pages
        self.lines = 0
        self.used = collections.Counter()
        self.ignored = Tally()
        self.unusable = Tally()
        self.anomalies = Tally()
        self.ops = []
        self.live_objects = {}  # address -> Op of its allocation
        self.live_pages = {}    # pfn -> Op
        self.lost_events = 0
        self.name_sources = collections.Counter()

    # ---- pass 1: lines to Ops -------------------------------------------
    def feed(self, line):
        self.lines += 1
        number = self.lines
        text = line.rstrip("\r\n")
        if not text.strip():
            self.ignored.add("blank line", number)
            return
        lost = LOST.match(text)
        if lost:
            self.lost_events += int(lost.group(1))
            self.ignored.add("ring-buffer overrun marker (CPU:N [LOST M EVENTS]): the trace is incomplete",
                             number)
            return
        if BUFFER_START.match(text):
            self.ignored.add("'CPU N buffer started' marker", number)
            return
        if text.lstrip().startswith("#"):
            self.ignored.add("comment or header line", number)
            return
        match = EVENT_LINE.match(text)
        if not match:
            self.unusable.add("not an ftrace event line", number)
            return
        event = match.group("event")
        if event not in REQUIRED:
            self.ignored.add(f"event {event} (not one the replay uses)", number)
            return
        if event in PAGE_EVENTS and not self.pages:
            self.ignored.add(f"event {event} (page events left out: --no-pages)", number)
            return
        fields = dict(FIELD.findall(match.group("fields")))
        missing = [name for name in REQUIRED[event] if name not in fields]
        if missing:
            self.unusable.add(f"{event} without {', '.join(missing)}=", number)
            return
        try:
            getattr(self, "event_" + event.replace("_node", ""))(fields, number)
        except ValueError as error:
            self.unusable.add(f"{event} with a bad field ({error})", number)

    def use(self, op, what):
        self.ops.append(op)
        self.used[what] += 1

    @staticmethod
    def number(fields, name, base=10):
        value = fields[name]
        try:
            return int(value, base)
        except ValueError:
            raise ValueError(f"{name}={value}") from None

    def address(self, fields):
        return self.number(fields, "ptr", 16)

    def new_object(self, op, address, number):
        old = self.live_objects.get(address)
        if old is not None:
            self.anomalies.add("allocation at an address that is still live "
                               "(a free of the old allocation is written first)", number)
            self.implicit_free(old, number)
        self.live_objects[address] = op

    def implicit_free(self, alloc, number):
        free = Op(OP_KFREE if alloc.kind == OP_KMALLOC else
                  OP_CACHE_FREE if alloc.kind == OP_CACHE_ALLOC else OP_PAGE_FREE, number)
        free.alloc = alloc
        self.ops.append(free)

    def event_kmalloc(self, fields, number):
        address = self.address(fields)
        if address == 0:
            self.ignored.add("kmalloc that failed (ptr=0)", number)
            return
        op = Op(OP_KMALLOC, number)
        op.size = self.number(fields, "bytes_req")
        op.linux_bytes = self.number(fields, "bytes_alloc")
        if op.size == 0 or op.size > MAX_KMALLOC:
            self.unusable.add(f"kmalloc of {op.size} bytes (the format allows 1..{MAX_KMALLOC})", number)
            return
        self.new_object(op, address, number)
        self.use(op, "kmalloc")

    def event_kmem_cache_alloc(self, fields, number):
        address = self.address(fields)
        if address == 0:
            self.ignored.add("kmem_cache_alloc that failed (ptr=0)", number)
            return
        op = Op(OP_CACHE_ALLOC, number)
        op.size = self.number(fields, "bytes_req")
        op.linux_bytes = self.number(fields, "bytes_alloc")
        if op.size == 0 or op.size > MAX_OBJECT_SIZE:
            self.unusable.add(f"kmem_cache_alloc of a {op.size}-byte object "
                              f"(the format allows 1..{MAX_OBJECT_SIZE})", number)
            return
        op.call_site = fields.get("call_site")
        if fields.get("name"):
            op.name = fields["name"]
            self.name_sources["the allocation's own name= field"] += 1
        self.new_object(op, address, number)
        self.use(op, "kmem_cache_alloc")

    def free_object(self, fields, number, kind):
        address = self.address(fields)
        what = "kfree" if kind == OP_KFREE else "kmem_cache_free"
        if address == 0:
            self.ignored.add(f"{what} of NULL", number)
            return
        if address == 0x10:
            self.ignored.add(f"{what} of ZERO_SIZE_PTR", number)
            return
        alloc = self.live_objects.pop(address, None)
        if alloc is None:
            self.ignored.add(f"{what} of an address not allocated in the trace "
                             "(allocated before tracing started, or its allocation was lost)", number)
            return
        expected = OP_KFREE if alloc.kind == OP_KMALLOC else OP_CACHE_FREE
        if kind != expected:
            self.anomalies.add(f"{what} of an object from "
                               f"{'kmalloc' if alloc.kind == OP_KMALLOC else 'kmem_cache_alloc'} "
                               "(freed the way it was allocated)", number)
        name = fields.get("name")
        if alloc.kind == OP_CACHE_ALLOC and name:
            if alloc.name is None:
                alloc.name = name
                self.name_sources["the matching kmem_cache_free's name= field"] += 1
            elif alloc.name != name:
                self.anomalies.add("kmem_cache_free names another cache than the allocation "
                                   "(the allocation's name is kept)", number)
        op = Op(expected, number)
        op.alloc = alloc
        self.use(op, what)

    def event_kfree(self, fields, number):
        self.free_object(fields, number, OP_KFREE)

    def event_kmem_cache_free(self, fields, number):
        self.free_object(fields, number, OP_CACHE_FREE)

    def event_mm_page_alloc(self, fields, number):
        pfn = self.number(fields, "pfn", 16)
        order = self.number(fields, "order")
        if pfn == 0 and fields.get("page", "0").strip("0") in ("", "x", "(null)"):
            self.ignored.add("mm_page_alloc that failed (page=0)", number)
            return
        if not 0 <= order <= MAX_ORDER:
            self.unusable.add(f"mm_page_alloc of order {order} (the format allows 0..{MAX_ORDER})", number)
            return
        op = Op(OP_PAGE_ALLOC, number)
        op.order = order
        old = self.live_pages.get(pfn)
        if old is not None:
            self.anomalies.add("mm_page_alloc of a pfn that is still live "
                               "(a free of the old allocation is written first)", number)
            self.implicit_free(old, number)
        self.live_pages[pfn] = op
        self.use(op, "mm_page_alloc")

    def event_mm_page_free(self, fields, number, what="mm_page_free"):
        pfn = self.number(fields, "pfn", 16)
        order = self.number(fields, "order")
        alloc = self.live_pages.pop(pfn, None)
        if alloc is None:
            self.ignored.add(f"{what} of pages not allocated in the trace "
                             "(before tracing started, or not at the start of a traced block)", number)
            return
        if alloc.order != order:
            self.anomalies.add(f"{what} of order {order} for pages allocated with another order "
                               "(freed with the allocation's order)", number)
        op = Op(OP_PAGE_FREE, number)
        op.alloc = alloc
        self.use(op, what)

    def event_mm_page_free_batched(self, fields, number):
        # Every page it names also gets an mm_page_free (free_pages_prepare() fires it for
        # each page of the list, before this event in 6.1, after it in older kernels).
        self.ignored.add("mm_page_free_batched (redundant: the same page also has an mm_page_free)",
                         number)

    # ---- between the passes: cache identities ---------------------------
    def name_caches(self):
        """Give every cache allocation a cache name (see README: cache identity)."""
        by_site = collections.defaultdict(collections.Counter)
        by_size = collections.defaultdict(collections.Counter)
        for op in self.ops:
            if op.kind == OP_CACHE_ALLOC and op.name is not None:
                by_site[op.call_site][op.name] += 1
                by_size[(op.size, op.linux_bytes)][op.name] += 1
        for op in self.ops:
            if op.kind != OP_CACHE_ALLOC or op.name is not None:
                continue
            site = by_site.get(op.call_site)
            size = by_size.get((op.size, op.linux_bytes))
            if site:
                op.name = site.most_common(1)[0][0]
                self.name_sources["another allocation from the same call site"] += 1
            elif size and len(size) == 1:
                op.name = next(iter(size))
                self.name_sources["the only named cache of the same object size"] += 1
            else:
                op.name = f"unnamed-{op.size}"
                self.name_sources["none known: unnamed-<object size>"] += 1

    def cache_table(self):
        """Return [(name bytes, object size)] and set each allocation's cache_key."""
        sizes = {}
        order = []
        for op in self.ops:
            if op.kind != OP_CACHE_ALLOC:
                continue
            name = self.format_name(op.name)
            if name not in sizes:
                order.append(name)
                sizes[name] = op.size
            elif sizes[name] != op.size:
                self.anomalies.add(f"cache {name.decode()} allocated with two object sizes "
                                   "(the larger is used)", op.line)
                sizes[name] = max(sizes[name], op.size)
            op.cache_key = name
        if len(order) > MAX_CACHES:
            raise SystemExit(f"trace-convert: {len(order)} caches; the format allows {MAX_CACHES}")
        return [(name, sizes[name]) for name in order]

    def format_name(self, name):
        """The name as the format stores it: printable ASCII, at most 31 bytes, unique."""
        cleaned = "".join(c if 0x21 <= ord(c) <= 0x7e else "_" for c in name) or "unnamed"
        if len(cleaned) > NAME_SIZE - 1:
            cache = getattr(self, "_long_names", None)
            if cache is None:
                cache = self._long_names = {}
            if cleaned not in cache:
                cache[cleaned] = f"{cleaned[:NAME_SIZE - 6]}~{len(cache):04d}"
            cleaned = cache[cleaned]
        return cleaned.encode("ascii")

    # ---- pass 2: Ops to records -----------------------------------------
    def records(self, cache_index):
        free_ids = []
        next_id = 0
        ids = {}
        out = bytearray()
        for op in self.ops:
            if op.alloc is None:
                if free_ids:
                    ident = heapq.heappop(free_ids)
                else:
                    ident = next_id
                    next_id += 1
                ids[id(op)] = ident
                cache = cache_index[op.cache_key] if op.kind == OP_CACHE_ALLOC else 0
                size = op.size if op.kind == OP_KMALLOC else 0
                out += RECORD.pack(op.kind, op.order, cache, ident, size,
                                   op.linux_bytes if op.kind != OP_PAGE_ALLOC else 0)
            else:
                ident = ids.pop(id(op.alloc))
                cache = cache_index[op.alloc.cache_key] if op.kind == OP_CACHE_FREE else 0
                out += RECORD.pack(op.kind, op.alloc.order, cache, ident, 0, 0)
                heapq.heappush(free_ids, ident)
        if next_id > MAX_IDS:
            raise SystemExit(f"trace-convert: {next_id} allocations live at once; the format allows {MAX_IDS}")
        return bytes(out), next_id, len(ids)

    def write(self, path):
        table = self.cache_table()
        cache_index = {name: i for i, (name, _) in enumerate(table)}
        body, id_count, live = self.records(cache_index)
        record_count = len(body) // RECORD.size
        data = bytearray(HEADER.pack(MAGIC, VERSION, HEADER.size, len(table), CACHE_ENTRY.size,
                                     id_count, RECORD.size, record_count, 0))
        for name, size in table:
            data += CACHE_ENTRY.pack(size, 0, name)
        data += body
        with open(path, "wb") as out:
            out.write(data)
        return len(table), record_count, id_count, live, len(data)

    def summary(self, out):
        used = sum(self.used.values())
        ignored = self.ignored.total()
        unusable = self.unusable.total()
        assert used + ignored + unusable == self.lines, "a line was not accounted for"
        out.write(f"trace-convert: {self.lines} lines: {used} used, {ignored} ignored, "
                  f"{unusable} unusable\n")
        if used:
            out.write("  used: " + ", ".join(f"{k} {v}" for k, v in sorted(self.used.items())) + "\n")
        if ignored:
            out.write("  ignored, by kind:\n")
            self.ignored.report(out)
        if unusable:
            out.write("  unusable (reported, no record written):\n")
            self.unusable.report(out)
        if self.anomalies.total():
            out.write("  anomalies (records written as said):\n")
            self.anomalies.report(out)
        if self.lost_events:
            out.write(f"  WARNING: the ring buffer overflowed: {self.lost_events} events were lost "
                      "before they reached the trace; use a larger buffer_size_kb\n")
        if self.name_sources:
            out.write("  cache identity of kmem_cache_alloc records, from: " +
                      ", ".join(f"{k} {v}" for k, v in self.name_sources.most_common()) + "\n")
        out.write(f"SUMMARY lines={self.lines} used={used} ignored={ignored} unusable={unusable} "
                  f"anomalies={self.anomalies.total()} lost_events={self.lost_events}\n")


def open_text(path):
    if path == "-":
        return sys.stdin
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if gzipped:
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, "r", encoding="utf-8", errors="replace")


def read_replay(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < HEADER.size:
        raise SystemExit(f"trace-convert: {path}: shorter than a replay header")
    fields = HEADER.unpack_from(data)
    if fields[0] != MAGIC or fields[1] != VERSION:
        raise SystemExit(f"trace-convert: {path}: not a version-{VERSION} replay file")
    return data, fields


def is_replay_file(path):
    with open(path, "rb") as f:
        head = f.read(2)
    if head == b"\x1f\x8b":
        with gzip.open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def write_if_changed(path, data):
    """Write @data to @path unless it already holds it (make sees no change then)."""
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except OSError:
        pass
    with open(path, "wb") as f:
        f.write(data)


def slice_replay(path, count, out_path, first=0):
    """Write records [first, first + count) of a replay file as a replay file of their own.

    Frees of allocations made before @first are left out (to the slice they are
    memory allocated before it started, as to a trace); ids are given out again,
    lowest first, so id_count is the slice's own peak of live allocations.
    """
    data, (magic, version, hsize, caches, csize, ids, rsize, records, _) = read_replay(path)
    first = min(first, records)
    count = min(count, records - first)
    start = hsize + caches * csize
    remap = {}
    free_ids = []
    next_id = 0
    body = bytearray()
    dropped = 0
    for offset in range(start + first * rsize, start + (first + count) * rsize, rsize):
        op, order, cache, ident, size, linux_bytes = RECORD.unpack_from(data, offset)
        if op in (OP_KMALLOC, OP_CACHE_ALLOC, OP_PAGE_ALLOC):
            if free_ids:
                new = heapq.heappop(free_ids)
            else:
                new = next_id
                next_id += 1
            remap[ident] = new
        else:
            new = remap.pop(ident, None)
            if new is None:
                dropped += 1
                continue
            heapq.heappush(free_ids, new)
        body += RECORD.pack(op, order, cache, new, size, linux_bytes)
    kept = len(body) // rsize
    head = HEADER.pack(magic, version, hsize, caches, csize, next_id, rsize, kept, 0)
    write_if_changed(out_path, head + data[HEADER.size:start] + bytes(body))
    print(f"trace-convert: {out_path}: records {first}..{first + count - 1} of {records} in {path}, "
          f"{kept} kept, {dropped} frees of earlier allocations left out, {next_id} ids")


def info_replay(path):
    data, (_, _, hsize, caches, csize, ids, rsize, records, _) = read_replay(path)
    ops = collections.Counter()
    start = hsize + caches * csize
    names = ["?", "kmalloc", "kfree", "kmem_cache_alloc", "kmem_cache_free", "alloc_pages", "__free_pages"]
    for offset in range(start, min(len(data), start + records * rsize), rsize):
        ops[names[data[offset]] if data[offset] < len(names) else "?"] += 1
    print(f"{path}: {caches} caches, {records} records, {ids} ids, {len(data)} bytes")
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(ops.items())))
    for i in range(caches):
        size, _, name = CACHE_ENTRY.unpack_from(data, hsize + i * csize)
        name = name.rstrip(b"\0").decode()
        print(f"  cache {i}: {name} {size}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("input", help="ftrace text (or .gz, or - for stdin); a replay file with --slice/--info")
    parser.add_argument("-o", "--output", help="the replay file to write")
    parser.add_argument("--no-pages", action="store_true",
                        help="leave the page-allocator events out (counted as ignored)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any line is unusable")
    parser.add_argument("--slice", type=int, metavar="N", help="write N records of a replay file")
    parser.add_argument("--from", dest="first", type=int, default=0, metavar="K",
                        help="with --slice: start at record K (frees of earlier allocations are left out)")
    parser.add_argument("--info", action="store_true", help="describe a replay file")
    parser.add_argument("--prepare", action="store_true",
                        help="copy (uncompressed) a replay file, or convert ftrace text")
    args = parser.parse_args()

    if args.info:
        info_replay(args.input)
        return 0
    if not args.output:
        parser.error("-o OUT is required")
    if args.slice is not None:
        slice_replay(args.input, args.slice, args.output, args.first)
        return 0
    if args.prepare and is_replay_file(args.input):
        data, fields = read_replay(args.input)
        write_if_changed(args.output, data)
        print(f"trace-convert: {args.output}: replay file {args.input}, {fields[7]} records")
        return 0
    converter = Converter(pages=not args.no_pages)
    with open_text(args.input) as text:
        for line in text:
            converter.feed(line)
    converter.name_caches()
    converter.summary(sys.stdout)
    if not converter.ops:
        print("trace-convert: no usable kmem event in the input: nothing written", file=sys.stderr)
        return 1
    caches, records, ids, live, size = converter.write(args.output)
    print(f"trace-convert: wrote {args.output}: {caches} caches, {records} records, {ids} ids, "
          f"{live} allocations live at the end, {size} bytes")
    if args.strict and converter.unusable.total():
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
