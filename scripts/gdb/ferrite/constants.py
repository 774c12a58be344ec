# SPDX-License-Identifier: MIT
"""Constants the kernel defines as macros, which DWARF does not carry.

Page flags, slab flags and the memory layout are #defines: they are read
from the headers of the source tree these scripts belong to, so a changed
value is picked up without editing this file.  If the tree is not there
(the scripts were copied elsewhere), the values of the tree at the time
of writing are used.
"""
import os
import re

_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

_FALLBACK = {
    "PG_reserved": 1 << 0, "PG_buddy": 1 << 1, "PG_pcp": 1 << 2, "PG_head": 1 << 3,
    "PG_compound": 1 << 4, "PG_tail": 1 << 5, "PG_poisoned": 1 << 6, "PG_slab": 1 << 7,
    "PAGE_ZONE_SHIFT": 24, "PAGE_ZONE_MASK": 3 << 24,
    "SLAB_CONSISTENCY_CHECKS": 0x100, "SLAB_RED_ZONE": 0x400, "SLAB_POISON": 0x800,
    "SLAB_HWCACHE_ALIGN": 0x2000, "SLAB_STORE_USER": 0x10000, "SLAB_PANIC": 0x40000,
    "POISON_FREE": 0x6b, "POISON_END": 0xa5, "SLUB_RED_INACTIVE": 0xbb, "SLUB_RED_ACTIVE": 0xcc,
    "PAGE_SHIFT": 12, "DIRECT_MAP_BASE": 0xffff888000000000,
}
_HEADERS = ("include/mm.h", "include/slab.h", "arch/x86_64/include/asm/memlayout.h")
_DEFINE = re.compile(r"^#define\s+((?:PG|SLAB|PAGE|POISON|SLUB_RED)_\w+|DIRECT_MAP_BASE)\s+([^/\n]+)", re.M)
_SAFE = re.compile(r"^[\s0-9a-fA-Fx()<>|&~+\-*]+$")

values = dict(_FALLBACK)
source = "built-in values"


def _evaluate(expression, known):
    """The value of a simple C constant expression, or None."""
    expression = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", expression.strip())
    expression = re.sub(r"\b[A-Z_][A-Z0-9_]*\b",
                        lambda m: str(known[m.group(0)]) if m.group(0) in known else "?",
                        expression)
    if not _SAFE.match(expression):
        return None
    try:
        return int(eval(expression, {"__builtins__": {}}))  # only digits and operators
    except (SyntaxError, TypeError, ValueError):
        return None


def _load():
    global source
    found = {}
    for header in _HEADERS:
        try:
            with open(os.path.join(_ROOT, header)) as f:
                text = f.read()
        except OSError:
            return
        for name, expression in _DEFINE.findall(text):
            value = _evaluate(expression, found)
            if value is not None:
                found[name] = value
    values.update(found)
    source = "headers under " + _ROOT


_load()


def get(name):
    return values[name]


def page_flag_names():
    """[(bit value, short name)] of the PG_* flags, lowest bit first."""
    flags = [(v, n[3:]) for n, v in values.items()
             if n.startswith("PG_") and v and v & (v - 1) == 0]
    return sorted(flags)


def slab_flag_names():
    flags = [(v, n[5:]) for n, v in values.items()
             if n.startswith("SLAB_") and n != "SLAB_DEBUG_FLAGS" and v and v & (v - 1) == 0]
    return sorted(flags)


def slab_debug_flags():
    return sum(values.get(n, 0) for n in ("SLAB_CONSISTENCY_CHECKS", "SLAB_RED_ZONE",
                                          "SLAB_POISON", "SLAB_STORE_USER"))
