# SPDX-License-Identifier: MIT
"""Code addresses as the kernel prints them: "function+0x12/0x40".

The kernel symbolizes with its own table of text symbols and their ELF
sizes (scripts/gen-symbols.sh, kernel/symbols.c).  The same table is
read here from the ELF file gdb loaded, and looked up by the same rule,
so a caller printed by gdb reads exactly as in the kernel's own dumps.
"""
import bisect
import struct

import gdb

_SHF_EXECINSTR = 0x4
_SHT_SYMTAB = 2
_table = None   # (addresses, [(address, size, name)]) sorted by address


def _load(path):
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        return []
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3a)
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    symbols = []
    for sh in sections:
        if sh[1] != _SHT_SYMTAB:
            continue
        strtab = sections[sh[6]]
        for offset in range(sh[4], sh[4] + sh[5], 24):
            name_offset, info, _, shndx, value, size = struct.unpack_from("<IBBHQQ", elf, offset)
            if not 0 < shndx < len(sections) or not sections[shndx][2] & _SHF_EXECINSTR:
                continue
            if info & 0xf not in (0, 2):    # NOTYPE (assembly labels) and FUNC
                continue
            start = strtab[4] + name_offset
            name = elf[start:elf.index(b"\0", start)].decode("latin-1")
            if name and not name.startswith("."):
                symbols.append((value, size, name))
    symbols.sort(key=lambda s: s[0])
    return symbols


def _forget(*_):
    global _table
    _table = None


gdb.events.new_objfile.connect(_forget)    # a new kernel.elf loaded: read its table again


def _symbols():
    global _table
    if _table is None:
        path = gdb.current_progspace().filename
        symbols = _load(path) if path else []
        _table = ([s[0] for s in symbols], symbols)
    return _table


def lookup(address):
    """(name, start, size) of the text symbol holding @address, or None."""
    addresses, symbols = _symbols()
    low = bisect.bisect_right(addresses, address)
    if low == 0:
        return None
    start, size, name = symbols[low - 1]
    if size and address >= start + size:
        return None
    if not size:
        if low == len(symbols):
            return None
        size = symbols[low][0] - start
    return name, start, size


def format_address(address):
    """@address as kernel/symbols.c's symbol_format() writes it."""
    found = lookup(address)
    if found is None:
        return "0x%016x" % address
    name, start, size = found
    return "%s+0x%x/0x%x" % (name, address - start, size)
