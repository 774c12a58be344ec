# SPDX-License-Identifier: MIT
"""Ferrite's gdb commands (`help ferrite` lists them), one module per job.

memory, dwarf, constants, lists, symbols, memmap: reading the stopped
kernel -- cached memory reads, structures by their DWARF types, macro
constants from the headers, list_head walks, symbolized addresses,
frames and struct pages.  The other modules each define commands; the
verify_* modules hold the invariant checks behind ferrite-verify.
"""
from . import buddyinfo, cpus, page, pagetable, slabinfo, verify, vmallocinfo  # noqa: F401  (commands)
from .command import FerriteHelp

FerriteHelp()
