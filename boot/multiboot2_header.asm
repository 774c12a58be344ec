; SPDX-License-Identifier: MIT
; The multiboot2 header: tells GRUB this is a multiboot2 kernel.
;
; Layout (multiboot2 spec, section 3.1): magic, architecture (0 = i386
; protected mode), header length, checksum (the four u32 sum to zero mod
; 2^32), then 8-byte aligned tags ending with the end tag (type 0, size 8).
; No framebuffer is requested: under BIOS we get the EGA text console,
; under UEFI GRUB passes the GOP framebuffer anyway.

MB2_MAGIC      equ 0xe85250d6
MB2_ARCH_I386  equ 0

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header_start:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header_start
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header_start))

	; End tag.
	align 8
	dw 0
	dw 0
	dd 8
mb2_header_end:
