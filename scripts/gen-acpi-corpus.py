#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of the ACPI fuzz target (tests/host/fuzz_acpi.c).

Each seed is a 4-byte boot APIC ID followed by a physical memory image
from address 0 whose first 36 bytes are the RSDP.  The seeds are laid out
like QEMU's tables (SeaBIOS: RSDP v1 and RSDT; OVMF: RSDP v2 and XSDT,
with HPET and MCFG), plus a few broken ones.

usage: scripts/gen-acpi-corpus.py [DIR]   (default tests/host/fuzz_corpus/acpi)
"""
import os
import struct
import sys


def checksum_fix(table, at):
    table[at] = 0
    table[at] = (-sum(table)) & 0xff


def sdt(signature, body, revision=1):
    t = bytearray(signature + struct.pack("<IBB6s8sI4sI", 36 + len(body), revision, 0,
                                          b"BOCHS ", b"BXPC    ", 1, b"BXPC", 1) + body)
    checksum_fix(t, 9)
    return t


def lapic(uid, apic_id, flags=1):
    return struct.pack("<BBBBI", 0, 8, uid, apic_id, flags)


def x2apic(uid, apic_id, flags=1):
    return struct.pack("<BBHIII", 9, 16, 0, apic_id, flags, uid)


def ioapic(ioapic_id, address, gsi_base):
    return struct.pack("<BBBBII", 1, 12, ioapic_id, 0, address, gsi_base)


def override(irq, gsi, flags):
    return struct.pack("<BBBBIH", 2, 10, 0, irq, gsi, flags)


def nmi(uid, lint):
    return struct.pack("<BBBHB", 4, 6, uid, 0, lint)


def qemu_madt_entries(cpus):
    e = b"".join(lapic(i, i) for i in range(cpus))
    e += ioapic(0, 0xfec00000, 0)
    e += override(0, 2, 0)
    for irq in (5, 9, 10, 11):
        e += override(irq, irq, 0xd)
    return e + nmi(0xff, 1)


def madt(entries, revision=1):
    return sdt(b"APIC", struct.pack("<II", 0xfee00000, 1) + entries, revision)


def hpet():
    return sdt(b"HPET", struct.pack("<IBBBBQBHB", 0x8086a201, 0, 64, 0, 0, 0xfed00000, 0, 0x37ee, 0))


def mcfg():
    return sdt(b"MCFG", bytes(8) + struct.pack("<QHBBI", 0xb0000000, 0, 0, 0xff, 0))


def image(tables, v2, boot_apic_id=0, corrupt=None):
    """RSDP at 0, then the tables 16-byte aligned, then the RSDT or XSDT."""
    mem = bytearray(64)
    addresses = []
    for t in tables:
        mem += bytes(-len(mem) % 16)
        addresses.append(len(mem))
        mem += t
    mem += bytes(-len(mem) % 16)
    root_at = len(mem)
    if v2:
        mem += sdt(b"XSDT", b"".join(struct.pack("<Q", a) for a in addresses))
    else:
        mem += sdt(b"RSDT", b"".join(struct.pack("<I", a) for a in addresses))
    rsdp = bytearray(b"RSD PTR " + b"\0" + b"BOCHS " + bytes([2 if v2 else 0]) +
                     struct.pack("<I", 0 if v2 else root_at))
    if v2:
        rsdp += struct.pack("<IQ", 36, root_at) + bytes(4)
    rsdp[8] = (-sum(rsdp[:20])) & 0xff
    if v2:
        rsdp[32] = 0
        rsdp[32] = (-sum(rsdp)) & 0xff
    mem[0:len(rsdp)] = rsdp
    if corrupt:
        corrupt(mem, addresses)
    return struct.pack("<I", boot_apic_id) + bytes(mem)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/host/fuzz_corpus/acpi"
    os.makedirs(out, exist_ok=True)
    facp = sdt(b"FACP", bytes(80))

    def bad_checksum(mem, addresses):
        mem[addresses[1] + 40] ^= 0xff

    seeds = {
        "seabios_rsdt_4cpus.bin": image([facp, madt(qemu_madt_entries(4)), hpet()], False),
        "ovmf_xsdt_q35.bin": image([facp, madt(qemu_madt_entries(2)), hpet(), mcfg()], True),
        "x2apic_70cpus_boot_last.bin": image(
            [madt(b"".join(x2apic(i, i + 250) for i in range(70)) +
                  ioapic(0, 0xfec00000, 0), revision=5)], True, boot_apic_id=319),
        "madt_entry_length_zero.bin": image(
            [madt(qemu_madt_entries(2) + bytes([1, 0, 0, 0]))], True),
        "madt_bad_checksum.bin": image([facp, madt(qemu_madt_entries(4))], False,
                                       corrupt=bad_checksum),
        "duplicates_and_disabled.bin": image(
            [madt(lapic(0, 0) + lapic(1, 1) + lapic(2, 1) + lapic(3, 0xff) +
                  lapic(4, 4, 0) + lapic(5, 5, 2) + ioapic(0, 0xfec00000, 0) +
                  ioapic(0, 0xfec01000, 24) + override(0, 2, 0) + override(0, 0, 0))], True),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
