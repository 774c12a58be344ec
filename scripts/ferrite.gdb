# SPDX-License-Identifier: MIT
# gdb setup for Ferrite: `make debug` in one terminal (QEMU paused, stub on
# :1234), then `make gdb` (gdb -q -x scripts/ferrite.gdb build/kernel.elf).
#
# Commands added here (`help user-defined` lists them):
#   ferrite-regs            control registers, EFER, segment bases, rip/rsp
#   ferrite-pt VADDR        walk the 4-level page tables for a virtual address
#   ferrite-phys PADDR [N]  show N (default 4) quadwords of physical memory
#
# Physical memory is read through the kernel's direct map (virtual
# 0xffff888000000000 + physical; $ferrite_direct_map), as the kernel itself
# does: no QEMU-specific commands, but paging must be on with the direct
# map present (from kernel_main on: the boot page tables map physical
# 0..4 GiB there).
# `monitor xp /4gx PADDR` reads physical memory at any time under QEMU.
#
# Breakpoints: under TCG (the default) QEMU implements `break` itself, so
# `break kernel_main` can be set while the firmware still runs.  Under KVM
# a software breakpoint is an int3 written into guest memory, which fails
# before the kernel is loaded and paging is on: use `hbreak` there.
#
# Disassembly uses Intel syntax, like the NASM sources in boot/ and arch/
# and like the Bochs debugger.

set pagination off
set confirm off
set history save off
set print pretty on
set disassembly-flavor intel

set $ferrite_direct_map = 0xffff888000000000

define ferrite-regs
	printf "cr0  0x%016lx  ", (unsigned long)$cr0
	output $cr0
	printf "\ncr2  0x%016lx\n", (unsigned long)$cr2
	printf "cr3  0x%016lx  (top-level table at phys 0x%lx)\n", (unsigned long)$cr3, (unsigned long)$cr3 & 0x000ffffffffff000
	printf "cr4  0x%016lx  ", (unsigned long)$cr4
	output $cr4
	printf "\nefer 0x%016lx  ", (unsigned long)$efer
	output $efer
	printf "\nfs_base 0x%lx  gs_base 0x%lx  k_gs_base 0x%lx\n", (unsigned long)$fs_base, (unsigned long)$gs_base, (unsigned long)$k_gs_base
	printf "rip  0x%016lx  rsp 0x%016lx  rflags ", (unsigned long)$pc, (unsigned long)$sp
	output $eflags
	printf "\ncs 0x%x ss 0x%x ds 0x%x\n", $cs, $ss, $ds
end
document ferrite-regs
Show CR0, CR2, CR3, CR4, EFER (decoded), the FS/GS bases, RIP, RSP and RFLAGS.
For the GDT, IDT and TR under QEMU: monitor info registers.
end

# _ferrite-flags ENTRY: print the set flag bits of a page-table entry.
define _ferrite-flags
	set $_fe = (unsigned long)($arg0)
	if $_fe & 1
		printf " P"
	end
	if $_fe & 2
		printf " W"
	end
	if $_fe & 4
		printf " U"
	end
	if $_fe & 8
		printf " PWT"
	end
	if $_fe & 16
		printf " PCD"
	end
	if $_fe & 32
		printf " A"
	end
	if $_fe & 64
		printf " D"
	end
	if $_fe & 128
		printf " PS"
	end
	if $_fe & 256
		printf " G"
	end
	if $_fe >> 63
		printf " NX"
	end
	printf "\n"
end
document _ferrite-flags
Print the flag bits of a page-table entry (used by ferrite-pt).
end

define ferrite-pt
	if $argc != 1
		printf "usage: ferrite-pt VIRTUAL-ADDRESS (an expression: kernel_main, &var, 0x...)\n"
	else
		set $_va = (unsigned long)($arg0)
		if !((unsigned long)$cr0 >> 31 & 1)
			printf "paging is off (cr0 0x%lx): virtual = physical\n", (unsigned long)$cr0
		else
			printf "walk of 0x%016lx, cr3 0x%lx, tables read through the direct map\n", $_va, (unsigned long)$cr3
			set $_table = (unsigned long)$cr3 & 0x000ffffffffff000
			set $_shift = 39
			set $_level = 4
			while $_level > 0
				set $_idx = ($_va >> $_shift) & 511
				set $_e = *(unsigned long *)($ferrite_direct_map + $_table + $_idx * 8)
				if $_level == 4
					printf "  PML4[%3lu]", $_idx
				end
				if $_level == 3
					printf "  PDPT[%3lu]", $_idx
				end
				if $_level == 2
					printf "  PD  [%3lu]", $_idx
				end
				if $_level == 1
					printf "  PT  [%3lu]", $_idx
				end
				printf " @ phys 0x%08lx = 0x%016lx", $_table + $_idx * 8, $_e
				_ferrite-flags $_e
				if !($_e & 1)
					printf "  not present: 0x%lx is not mapped\n", $_va
					set $_level = 0
				else
					if $_level == 1 || ($_level < 4 && ($_e & 128))
						set $_mask = (1ul << $_shift) - 1
						set $_pa = ($_e & 0x000ffffffffff000 & ~$_mask) | ($_va & $_mask)
						printf "  -> phys 0x%lx (%lu KiB page)\n", $_pa, ($_mask + 1) >> 10
						set $_level = 0
					else
						set $_table = $_e & 0x000ffffffffff000
						set $_shift = $_shift - 9
						set $_level = $_level - 1
					end
				end
			end
		end
	end
end
document ferrite-pt
Walk the 4-level page tables from CR3 for a virtual address.
Shows each level's index, entry and flags, then the physical address and
the page size.  Reads the tables through the direct map
($ferrite_direct_map + physical).
end

define ferrite-phys
	if $argc == 0 || $argc > 2
		printf "usage: ferrite-phys PHYSICAL-ADDRESS [QUADWORDS]\n"
	else
		set $_n = 4
		if $argc == 2
			set $_n = $arg1
		end
		set $_p = (unsigned long)($arg0)
		set $_i = 0
		while $_i < $_n
			printf "phys 0x%08lx: 0x%016lx\n", $_p + $_i * 8, *(unsigned long *)($ferrite_direct_map + $_p + $_i * 8)
			set $_i = $_i + 1
		end
	end
end
document ferrite-phys
Show quadwords of physical memory, read through the direct map.
Under QEMU, `monitor xp /4gx ADDRESS` does the same without the kernel's tables.
end

# Last: if QEMU isn't listening, the commands above are defined all the same.
target remote localhost:1234
