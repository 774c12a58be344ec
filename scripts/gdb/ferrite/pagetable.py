# SPDX-License-Identifier: MIT
"""ferrite-regs, ferrite-pt, ferrite-phys: control registers, page walks, physical memory.

Physical memory is read through the kernel's direct map, as the kernel
itself does: kernel_buddy.virt_offset once the page allocator runs,
before that the layout's DIRECT_MAP_BASE (the boot page tables map
physical 0..4 GiB there from kernel_main on).  Under QEMU,
`monitor xp /4gx ADDRESS` reads physical memory at any time.

Page-table entry bits (Intel SDM vol. 3, 4.5): 0 P present, 1 W
writable, 2 U user, 3 PWT, 4 PCD, 5 A accessed, 6 D dirty, 7 PS (a
1 GiB or 2 MiB page at PDPT and PD level), 8 G global, 63 NX; bits 12..51
hold the physical address of the next table or of the page.
"""
import gdb

from . import constants, dwarf, memory
from .command import FerriteCommand

ADDRESS_MASK = 0x000ffffffffff000
ENTRY_BITS = [(0, "P"), (1, "W"), (2, "U"), (3, "PWT"), (4, "PCD"), (5, "A"), (6, "D"),
              (7, "PS"), (8, "G"), (63, "NX")]
LEVELS = [(39, "PML4"), (30, "PDPT"), (21, "PD  "), (12, "PT  ")]


def register(name):
    return int(gdb.parse_and_eval("$" + name)) & ((1 << 64) - 1)


def direct_map_base():
    try:
        offset = dwarf.global_value("kernel_buddy").virt_offset
        if offset:
            return offset
    except (dwarf.Missing, memory.Unreadable):
        pass
    return constants.get("DIRECT_MAP_BASE")


def phys_u64(physical):
    return memory.u64(direct_map_base() + physical)


def entry_flags(entry):
    return " ".join(name for bit, name in ENTRY_BITS if entry >> bit & 1)


def walk(virtual):
    """[(level name, index, entry address (phys), entry)], then (physical, page size) or None."""
    steps = []
    table = register("cr3") & ADDRESS_MASK
    for depth, (shift, name) in enumerate(LEVELS):
        index = (virtual >> shift) & 511
        entry_address = table + index * 8
        entry = phys_u64(entry_address)
        steps.append((name, index, entry_address, entry))
        if not entry & 1:
            return steps, None
        if depth == 3 or (depth > 0 and entry & (1 << 7)):
            mask = (1 << shift) - 1
            return steps, ((entry & ADDRESS_MASK & ~mask) | (virtual & mask), mask + 1)
        table = entry & ADDRESS_MASK
    return steps, None


def translate(virtual):
    """The physical address of @virtual through the live page tables, or None."""
    if not register("cr0") >> 31 & 1:
        return virtual
    result = walk(virtual)[1]
    return result[0] if result else None


def evaluate(text):
    """A gdb expression as an address or number: a function or array stands for its address."""
    value = gdb.parse_and_eval(text)
    if value.type.strip_typedefs().code in (gdb.TYPE_CODE_FUNC, gdb.TYPE_CODE_ARRAY):
        value = value.address
    return int(value) & ((1 << 64) - 1)


class Regs(FerriteCommand):
    """Control registers, EFER, segment bases, RIP, RSP and RFLAGS, decoded.

Usage: ferrite-regs
For the GDT, IDT and TR under QEMU: monitor info registers."""
    name = "ferrite-regs"

    def run(self, argument):
        def show(name):
            return str(gdb.parse_and_eval("$" + name))
        cr3 = register("cr3")
        lines = [
            "cr0  0x%016x  %s" % (register("cr0"), show("cr0")),
            "cr2  0x%016x" % register("cr2"),
            "cr3  0x%016x  (top-level table at phys 0x%x)" % (cr3, cr3 & ADDRESS_MASK),
            "cr4  0x%016x  %s" % (register("cr4"), show("cr4")),
            "efer 0x%016x  %s" % (register("efer"), show("efer")),
            "fs_base 0x%x  gs_base 0x%x  k_gs_base 0x%x" % (
                register("fs_base"), register("gs_base"), register("k_gs_base")),
            "rip  0x%016x  rsp 0x%016x  rflags %s" % (register("pc"), register("sp"), show("eflags")),
            "cs 0x%x ss 0x%x ds 0x%x" % (register("cs"), register("ss"), register("ds")),
        ]
        gdb.write("\n".join(lines) + "\n")


class PageWalk(FerriteCommand):
    """Walk the 4-level page tables from CR3 for a virtual address.

Usage: ferrite-pt VIRTUAL-ADDRESS   (an expression: kernel_main, &var, 0x...)
Shows each level's index, entry and flags, then the physical address and
the page size.  The tables are read through the direct map."""
    name = "ferrite-pt"

    def run(self, argument):
        if not argument:
            raise gdb.GdbError("usage: ferrite-pt VIRTUAL-ADDRESS (an expression: kernel_main, &var, 0x...)")
        virtual = evaluate(argument)
        cr0 = register("cr0")
        if not cr0 >> 31 & 1:
            gdb.write("paging is off (cr0 0x%x): virtual = physical\n" % cr0)
            return
        gdb.write("walk of 0x%016x, cr3 0x%x, tables read through the direct map\n" % (
            virtual, register("cr3")))
        steps, result = walk(virtual)
        for name, index, entry_address, entry in steps:
            gdb.write("  %s[%3d] @ phys 0x%08x = 0x%016x %s\n" % (
                name, index, entry_address, entry, entry_flags(entry)))
        if result is None:
            gdb.write("  not present: 0x%x is not mapped\n" % virtual)
        else:
            gdb.write("  -> phys 0x%x (%d KiB page)\n" % (result[0], result[1] >> 10))


class Phys(FerriteCommand):
    """Show quadwords of physical memory, read through the direct map.

Usage: ferrite-phys PHYSICAL-ADDRESS [QUADWORDS]   (4 by default)
Under QEMU, `monitor xp /4gx ADDRESS` does the same without the kernel's tables."""
    name = "ferrite-phys"

    def run(self, argument):
        words = gdb.string_to_argv(argument)
        if not 1 <= len(words) <= 2:
            raise gdb.GdbError("usage: ferrite-phys PHYSICAL-ADDRESS [QUADWORDS]")
        physical = evaluate(words[0])
        count = evaluate(words[1]) if len(words) == 2 else 4
        for i in range(count):
            gdb.write("phys 0x%08x: 0x%016x\n" % (physical + i * 8, phys_u64(physical + i * 8)))


Regs()
PageWalk()
Phys()
