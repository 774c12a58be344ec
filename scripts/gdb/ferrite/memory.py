# SPDX-License-Identifier: MIT
"""Reads of the stopped kernel's memory, cached page by page.

Every byte read comes from a 4 KiB page fetched once, so walking a memmap
or a slab costs one remote read per page rather than one per field.  The
cache lives while the kernel stays stopped: it is dropped when the kernel
resumes or stops, and a page is dropped when the user writes to it from
gdb (set var ...).  Values derived from memory (remember()) are dropped
the same way.  Nothing is ever written.
"""
import gdb

PAGE_SIZE = 4096
_MASK64 = (1 << 64) - 1


class Unreadable(Exception):
    """The kernel has no readable memory at an address (not mapped)."""

    def __init__(self, address):
        super().__init__("cannot read memory at 0x%x" % address)
        self.address = address


_pages = {}
_derived = {}   # key -> (first address, end address, value)


def forget(*_):
    """Forget everything read: the kernel may have run since."""
    _pages.clear()
    _derived.clear()


def _written(event):
    first, end = event.address, event.address + event.length
    for base in range(first & ~(PAGE_SIZE - 1), end, PAGE_SIZE):
        _pages.pop(base, None)
    for key, (lo, hi, _) in list(_derived.items()):
        if first < hi and lo < end:
            del _derived[key]


for _event, _handler in (("cont", forget), ("stop", forget), ("exited", forget),
                         ("new_objfile", forget), ("memory_changed", _written)):
    if hasattr(gdb.events, _event):
        getattr(gdb.events, _event).connect(_handler)


def remember(key, first, end, compute):
    """compute(), kept until the kernel runs or memory [first, end) is written from gdb."""
    entry = _derived.get(key)
    if entry is None:
        entry = _derived[key] = (first, end, compute())
    return entry[2]


def _page(base):
    data = _pages.get(base)
    if data is None:
        try:
            data = bytes(gdb.selected_inferior().read_memory(base, PAGE_SIZE))
        except (gdb.MemoryError, gdb.error):
            raise Unreadable(base) from None
        _pages[base] = data
    return data


def read(address, size):
    """Return @size bytes at virtual @address; raise Unreadable if any is not mapped."""
    address &= _MASK64
    out = bytearray()
    while size > 0:
        base = address & ~(PAGE_SIZE - 1)
        offset = address - base
        n = min(size, PAGE_SIZE - offset)
        out += _page(base)[offset:offset + n]
        address = (address + n) & _MASK64
        size -= n
    return bytes(out)


def read_through(address, size):
    """Like read(), but nothing is kept: for a scan that reads each byte once (the memmap)."""
    try:
        return bytes(gdb.selected_inferior().read_memory(address & _MASK64, size))
    except (gdb.MemoryError, gdb.error):
        raise Unreadable(address) from None


def readable(address):
    try:
        read(address, 1)
        return True
    except Unreadable:
        return False


def u64(address):
    return int.from_bytes(read(address, 8), "little")


def uint(address, size, signed=False):
    return int.from_bytes(read(address, size), "little", signed=signed)


def cstring(address, limit=256):
    """The NUL-terminated string at @address (at most @limit bytes)."""
    out = bytearray()
    while len(out) < limit:
        chunk = read(address + len(out), min(64, limit - len(out)))
        end = chunk.find(b"\0")
        if end >= 0:
            out += chunk[:end]
            break
        out += chunk
    return out.decode("latin-1")
