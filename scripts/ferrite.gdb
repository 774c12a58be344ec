# SPDX-License-Identifier: MIT
# gdb setup for Ferrite: `make debug` in one terminal (QEMU paused, stub on
# :1234), then `make gdb` (gdb -q -x scripts/ferrite.gdb build/kernel.elf,
# from the top of the tree).
#
# `help ferrite` lists the commands (Python, in scripts/gdb/ferrite/):
#   ferrite-regs, ferrite-pt VADDR, ferrite-phys PADDR [N]
#   ferrite-slabinfo, ferrite-slab CACHE, ferrite-buddyinfo, ferrite-zoneinfo,
#   ferrite-page PFN|ADDR, ferrite-vmallocinfo, ferrite-cpus, ferrite-verify
# They only read memory, through the kernel's DWARF types, so they work
# wherever the kernel stopped, hung or crashed.
#
# Breakpoints: under TCG (the default) QEMU implements `break` itself, so
# `break kernel_main` can be set while the firmware still runs.  Under KVM
# a software breakpoint is an int3 written into guest memory, which fails
# before the kernel is loaded and paging is on: use `hbreak` there.
# `break ferrite_checkpoint` stops after the self-tests of a kernel booted
# with gdb_checkpoint=1 (include/gdb_checkpoint.h).
#
# Disassembly uses Intel syntax, like the NASM sources in boot/ and arch/
# and like the Bochs debugger.

set pagination off
set confirm off
set history save off
set print pretty on
set disassembly-flavor intel

source scripts/gdb/ferrite-gdb.py

# Last: if QEMU isn't listening, the commands above are defined all the same.
target remote localhost:1234
