# SPDX-License-Identifier: MIT
"""The kernel's structures, laid out by its DWARF types.

Obj(address, type) reads a struct field by name wherever the compiler put
it: offsets and sizes come from gdb.lookup_type(), anonymous unions and
structs are looked through, and a field a kernel version lacks can be
asked for with has() and get(name, default).  Scalars and pointers read
as Python ints, char arrays as strings, other arrays as Arr.
"""
import struct

import gdb

from . import memory

_layouts = {}


class Missing(Exception):
    """A type, field or symbol this kernel does not have."""


def lookup_type(name):
    try:
        return gdb.lookup_type(name)
    except gdb.error:
        raise Missing("this kernel has no type '%s'" % name) from None


def _flatten(gdb_type, base, out):
    for field in gdb_type.fields():
        if field.bitpos is None:    # static member
            continue
        offset = base + field.bitpos // 8
        if not field.name:
            _flatten(field.type.strip_typedefs(), offset, out)
        elif field.name not in out:
            out[field.name] = (offset, field.type)


def layout(gdb_type):
    """{field name: (byte offset, type)} of a struct or union type."""
    gdb_type = gdb_type.strip_typedefs()
    key = str(gdb_type)
    fields = _layouts.get(key)
    if fields is None:
        fields = {}
        _flatten(gdb_type, 0, fields)
        _layouts[key] = fields
    return fields


def offset_of(type_name, field):
    fields = layout(lookup_type(type_name))
    if field not in fields:
        raise Missing("%s has no field '%s'" % (type_name, field))
    return fields[field][0]


def sizeof(type_name):
    return lookup_type(type_name).strip_typedefs().sizeof


def _is_signed(gdb_type):
    try:
        return gdb_type.is_signed
    except (AttributeError, ValueError):
        return not (gdb_type.name or "").startswith(("u", "bool", "_Bool"))


def decode(address, gdb_type):
    """The value of type @gdb_type at @address, read from memory."""
    t = gdb_type.strip_typedefs()
    code = t.code
    if code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_BOOL, gdb.TYPE_CODE_CHAR):
        return memory.uint(address, t.sizeof, _is_signed(t) and code != gdb.TYPE_CODE_BOOL)
    if code == gdb.TYPE_CODE_PTR:
        return memory.u64(address)
    if code == gdb.TYPE_CODE_ARRAY:
        element = t.target().strip_typedefs()
        if element.code == gdb.TYPE_CODE_INT and element.sizeof == 1 and "char" in str(element):
            return memory.read(address, t.sizeof).split(b"\0")[0].decode("latin-1")
        return Arr(address, t)
    if code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
        return Obj(address, t)
    raise Missing("cannot decode a %s" % t)


class Arr:
    """An array in memory, read element by element."""

    def __init__(self, address, gdb_type):
        low, high = gdb_type.range()
        self.address = address
        self.element = gdb_type.target()
        self.length = high - low + 1
        self.stride = self.element.strip_typedefs().sizeof

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        if not 0 <= index < self.length:
            raise IndexError(index)
        return decode(self.address + index * self.stride, self.element)

    def __iter__(self):
        for i in range(self.length):
            yield self[i]

    def address_of(self, index):
        return self.address + index * self.stride


class Obj:
    """A struct in memory; its fields read as attributes (obj.name) or get()."""

    __slots__ = ("_address", "_type", "_fields")

    def __init__(self, address, gdb_type):
        self._address = address
        self._type = gdb_type.strip_typedefs()
        self._fields = layout(self._type)

    def __getattr__(self, name):
        entry = self._fields.get(name)
        if entry is None:
            raise Missing("%s has no field '%s'" % (self._type, name))
        return decode(self._address + entry[0], entry[1])

    def has(self, name):
        return name in self._fields

    def get(self, name, default=None):
        return getattr(self, name) if name in self._fields else default

    def field_address(self, name):
        if name not in self._fields:
            raise Missing("%s has no field '%s'" % (self._type, name))
        return self._address + self._fields[name][0]

    @property
    def address(self):
        return self._address


def at(address, type_name):
    """The struct @type_name ("struct page") at @address."""
    return Obj(address, lookup_type(type_name))


def symbol(name):
    """The gdb.Symbol of global or file-static @name, or None."""
    sym = gdb.lookup_global_symbol(name)
    if sym is None:
        sym = gdb.lookup_static_symbol(name)
    return sym


def has_symbol(name):
    return symbol(name) is not None


def symbol_address(name):
    sym = symbol(name)
    if sym is None:
        raise Missing("this kernel has no symbol '%s'" % name)
    return int(sym.value().address)


def global_value(name):
    """The kernel variable @name, decoded (Obj for a struct, int for a scalar or pointer)."""
    sym = symbol(name)
    if sym is None:
        raise Missing("this kernel has no symbol '%s'" % name)
    return decode(int(sym.value().address), sym.type)


def field_unpacker(type_name, field):
    """A function (raw bytes, offset of the struct in them) -> the unsigned @field, for bulk reads."""
    fields = layout(lookup_type(type_name))
    if field not in fields:
        raise Missing("%s has no field '%s'" % (type_name, field))
    offset, field_type = fields[field]
    fmt = {1: "<B", 2: "<H", 4: "<I", 8: "<Q"}[field_type.strip_typedefs().sizeof]
    return lambda raw, base: struct.unpack_from(fmt, raw, base + offset)[0]


def find_variable(names, type_text, source="mm/vmalloc.c"):
    """The first of @names (global, or file-static in @source) whose type reads @type_text, decoded.

    For a variable whose name changed between kernel versions; the type
    and file checks keep a same-named static of another file (a test's)
    from being taken.
    """
    def fits(sym):
        return sym is not None and not sym.is_function and type_text in str(sym.type.strip_typedefs())

    for name in names:
        candidates = [gdb.lookup_global_symbol(name)]
        try:
            statics = gdb.lookup_static_symbols(name)
        except AttributeError:
            statics = [gdb.lookup_static_symbol(name)]
        candidates += [s for s in statics if s is not None and s.symtab is not None and
                       s.symtab.filename.endswith(source)]
        for sym in candidates:
            if fits(sym):
                return decode(int(sym.value().address), sym.type)
    raise Missing("this kernel has no variable %s of type %s" % (" or ".join(names), type_text))
