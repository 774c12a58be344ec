# SPDX-License-Identifier: MIT
"""ferrite-verify: every allocator's invariants, checked from memory alone."""
import time

import gdb

from . import dwarf, lists, locks, memory, verify_buddy, verify_slab, verify_vmalloc
from .broken import Broken
from .command import FerriteCommand

CHECKS = [("buddy", verify_buddy.check), ("slab", verify_slab.check), ("vmalloc", verify_vmalloc.check)]


class Verify(FerriteCommand):
    """Check the allocators' invariants from memory; report the first broken one.

Usage: ferrite-verify
The page allocator (free lists against page flags, counts, per-CPU
lists, the whole memmap), the slab layer (each cache's slabs and
freelists: inside their slab, on object starts, no cycles; counts) and
vmalloc (free tree, busy and lazy areas, counters), in that order.  The
first broken invariant is printed as
    ferrite-verify: BROKEN: ALLOCATOR: WHERE: WHAT
naming the zone, cache and slab, after a second read from the kernel
found the same; otherwise one line per allocator.  The first run at a
stop reads the whole memmap (0.5 s for 256 MiB of RAM, about 30 s for
8 GiB through QEMU's stub); later runs at the same stop reuse it."""
    name = "ferrite-verify"

    def run(self, argument):
        began = time.monotonic()
        for allocator, check in CHECKS:
            try:
                summary = check()
            except Broken as first:
                # Read everything again before accusing the allocator.
                memory.forget()
                try:
                    check()
                except Broken as second:
                    gdb.write("ferrite-verify: BROKEN: %s\n" % first)
                    if str(second) != str(first):
                        gdb.write("ferrite-verify: (a second read finds: %s)\n" % second)
                    self.note_held_locks()
                    return
                gdb.write("ferrite-verify: UNCONFIRMED: %s (a second read found it intact: the memory "
                          "changed while it was read)\n" % first)
                summary = "intact on a second read"
            gdb.write("ferrite-verify: %s ok (%s)\n" % (allocator, summary))
        gdb.write("ferrite-verify: no broken invariant (%.1f s)\n" % (time.monotonic() - began))

    @staticmethod
    def note_held_locks():
        """A held lock means the kernel may have stopped in the middle of an update: say so."""
        try:
            held = locks.held()
        except (dwarf.Missing, memory.Unreadable, lists.BrokenList):
            return
        for what, state in held:
            gdb.write("ferrite-verify: note: the lock of %s is held (%s): the kernel may have "
                      "stopped in the middle of an update\n" % (what, state))


Verify()
