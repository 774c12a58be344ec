; SPDX-License-Identifier: MIT
; The 64-bit half of the entry, in the kernel window: segment registers,
; the kernel stack, then kernel_main(magic, info_phys).
;
; Kept apart from boot/entry.asm so that each file's debug information
; covers one code section (gdb stumbles over NASM's line tables otherwise).

SEL_DATA equ 0x10

extern kernel_main
global kernel_entry64
global kernel_stack_top

section .text.entry progbits alloc exec nowrite align=16
bits 64
; Entered from long_mode_low with ESI = multiboot2 magic, EBP = info address.
kernel_entry64:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, kernel_stack_top
	mov edi, esi                    ; arg 0: multiboot2 magic
	mov esi, ebp                    ; arg 1: physical address of the info
	xor ebp, ebp                    ; ends the frame-pointer chain
	call kernel_main
.halt:
	cli
	hlt
	jmp .halt

; The kernel stack (the boot CPU's), after a guard page that the kernel's
; own page tables leave unmapped: an overflow faults there, and the #DF
; handler runs on its own IST stack and reports it.
section .bss.kernel_stack nobits alloc noexec write align=4096
global kernel_stack_guard
kernel_stack_guard: resb 4096
kernel_stack:       resb 32768
kernel_stack_top:
