; SPDX-License-Identifier: MIT
; The 32-bit entry: from GRUB's protected mode to the 64-bit higher-half kernel.
;
; GRUB jumps here with paging off, EAX = multiboot2 magic, EBX = physical
; address of the boot information, and CR0/CR4/EFER in whatever state the
; firmware left them (SeaBIOS, OVMF and Bochs all differ).  The steps:
;
;   zero_boot_memory     zero .boot.bss and .bss (never trust the loader)
;   load_boot_gdt        our own GDT before any segment register is touched
;   check_multiboot      EAX must hold the multiboot2 magic
;   check_cpuid          EFLAGS.ID must be writable
;   check_long_mode      CPUID 0x80000001 EDX.LM; also notes EDX.NX
;   set_up_page_tables   identity + direct map + kernel map of the low 4 GiB
;   enable_long_mode     CR4, EFER, CR3, CR0 written with known values
;
; Each failed check prints its reason on the VGA text screen and on COM1,
; then halts.

%define KERNEL_VMA    0xffffffff80000000

CR0_PE  equ 1 << 0
CR0_MP  equ 1 << 1
CR0_ET  equ 1 << 4
CR0_NE  equ 1 << 5
CR0_WP  equ 1 << 16
CR0_PG  equ 1 << 31
CR4_PAE equ 1 << 5

MSR_EFER  equ 0xc0000080
EFER_LME  equ 1 << 8
EFER_NXE  equ 1 << 11

MB2_BOOTLOADER_MAGIC equ 0x36d76289

; Page-table entry bits (Intel SDM vol. 3, 4.5): bit 0 present,
; bit 1 writable, bit 7 page size (a 2 MiB page in a page directory).
PTE_P  equ 1 << 0
PTE_W  equ 1 << 1
PTE_PS equ 1 << 7

SEL_CODE64 equ 0x08
SEL_DATA   equ 0x10
SEL_CODE32 equ 0x18

COM1 equ 0x3f8

extern __bss_start_phys
extern __bss_end_phys
extern __boot_bss_start
extern __boot_bss_end
extern kernel_entry64

global _start
global boot_pml4
global boot_cpu_has_nx

section .boot.text progbits alloc exec nowrite align=16
bits 32

_start:
	cli
	cld
	mov esi, eax                    ; keep the magic and the info pointer
	mov ebp, ebx                    ; out of the way of rep stosd

zero_boot_memory:
	xor eax, eax
	mov edi, __boot_bss_start
	mov ecx, __boot_bss_end
	sub ecx, edi
	shr ecx, 2
	rep stosd
	mov edi, __bss_start_phys
	mov ecx, __bss_end_phys
	sub ecx, edi
	shr ecx, 2
	rep stosd
	mov esp, boot_stack_top

load_boot_gdt:
	lgdt [boot_gdt_pointer]
	jmp SEL_CODE32:.reload_cs
.reload_cs:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor ax, ax
	mov fs, ax
	mov gs, ax

check_multiboot:
	cmp esi, MB2_BOOTLOADER_MAGIC
	je check_cpuid
	mov eax, msg_no_multiboot
	jmp boot_fail

check_cpuid:
	; CPUID exists iff EFLAGS.ID (bit 21) can be flipped.
	pushfd
	pop eax
	mov ecx, eax
	xor eax, 1 << 21
	push eax
	popfd
	pushfd
	pop eax
	push ecx
	popfd
	cmp eax, ecx
	jne check_long_mode
	mov eax, msg_no_cpuid
	jmp boot_fail

check_long_mode:
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29               ; LM
	jz .no_long_mode
	test edx, 1 << 20               ; NX
	jz set_up_page_tables
	mov dword [boot_cpu_has_nx], 1
	jmp set_up_page_tables
.no_long_mode:
	mov eax, msg_no_long_mode
	jmp boot_fail

set_up_page_tables:
	; Four page directories of 2 MiB pages map physical 0..4 GiB.  The
	; same PDPT serves the identity map (PML4[0], needed while we jump)
	; and the direct map at 0xffff888000000000 (PML4[273]); the kernel
	; window 0xffffffff80000000 (PML4[511], PDPT[510]) maps the first GiB.
	; These tables are temporary: the kernel builds its own.
	mov edi, boot_page_dirs
	xor ecx, ecx                    ; 2 MiB page number, 0..2047
.fill_pd:
	mov eax, ecx
	shl eax, 21
	or eax, PTE_P | PTE_W | PTE_PS
	mov edx, ecx
	shr edx, 11                     ; bits 32+ of the physical address
	mov [edi + ecx * 8], eax
	mov [edi + ecx * 8 + 4], edx
	inc ecx
	cmp ecx, 2048
	jb .fill_pd

	mov edi, boot_pdpt_low
	mov eax, boot_page_dirs + (PTE_P | PTE_W)
	mov ecx, 4
.fill_pdpt:
	mov [edi], eax
	add eax, 4096
	add edi, 8
	loop .fill_pdpt

	mov dword [boot_pdpt_high + 510 * 8], boot_page_dirs + (PTE_P | PTE_W)
	mov dword [boot_pml4 + 0 * 8], boot_pdpt_low + (PTE_P | PTE_W)
	mov dword [boot_pml4 + 273 * 8], boot_pdpt_low + (PTE_P | PTE_W)
	mov dword [boot_pml4 + 511 * 8], boot_pdpt_high + (PTE_P | PTE_W)

enable_long_mode:
	mov eax, CR4_PAE
	mov cr4, eax
	mov eax, EFER_LME
	cmp dword [boot_cpu_has_nx], 0
	je .write_efer
	or eax, EFER_NXE
.write_efer:
	xor edx, edx
	mov ecx, MSR_EFER
	wrmsr
	mov eax, boot_pml4
	mov cr3, eax
	; Also clears CR0.CD/NW (Bochs' BIOS leaves caching disabled) and
	; CR0.TS/EM (no FPU use in the kernel, but no stale traps either).
	mov eax, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG
	mov cr0, eax
	jmp SEL_CODE64:long_mode_low

; boot_fail: print the string at EAX on VGA text and COM1, then halt.
boot_fail:
	mov esi, eax
	; COM1: 115200 8N1 (divisor 1), FIFO on.  Harmless if absent.
	mov dx, COM1 + 1
	xor al, al
	out dx, al
	mov dx, COM1 + 3
	mov al, 0x80
	out dx, al
	mov dx, COM1 + 0
	mov al, 1
	out dx, al
	mov dx, COM1 + 1
	xor al, al
	out dx, al
	mov dx, COM1 + 3
	mov al, 3
	out dx, al
	mov dx, COM1 + 2
	mov al, 0xc7
	out dx, al
	mov edi, 0xb8000
.next_char:
	lodsb
	test al, al
	jz .halt
	mov ah, 0x4f                    ; white on red
	mov [edi], ax
	add edi, 2
	mov bl, al
	mov ecx, 100000                 ; bounded wait: COM1 may not exist
.wait_tx:
	mov dx, COM1 + 5
	in al, dx
	test al, 0x20
	jnz .send
	loop .wait_tx
.send:
	mov dx, COM1
	mov al, bl
	out dx, al
	jmp .next_char
.halt:
	cli
	hlt
	jmp .halt

bits 64
long_mode_low:
	; Still running from the identity map; move to the kernel window.
	mov rax, kernel_entry64
	jmp rax

section .boot.rodata progbits alloc noexec nowrite align=16
msg_no_multiboot:
	db "Ferrite: not loaded by a multiboot2 boot loader (bad magic in EAX). Halted.", 13, 10, 0
msg_no_cpuid:
	db "Ferrite: this CPU has no CPUID instruction. Halted.", 13, 10, 0
msg_no_long_mode:
	db "Ferrite: this CPU does not support 64-bit long mode. Halted.", 13, 10, 0

align 16
boot_gdt:
	dq 0                            ; null
	dq 0x00af9a000000ffff           ; 0x08: 64-bit code, DPL 0 (L=1)
	dq 0x00cf92000000ffff           ; 0x10: data, 4 GiB flat
	dq 0x00cf9a000000ffff           ; 0x18: 32-bit code, 4 GiB flat
boot_gdt_end:
boot_gdt_pointer:
	dw boot_gdt_end - boot_gdt - 1
	dd boot_gdt

section .boot.bss nobits alloc noexec write align=4096
boot_pml4:       resb 4096
boot_pdpt_low:   resb 4096
boot_pdpt_high:  resb 4096
boot_page_dirs:  resb 4 * 4096
boot_stack:      resb 4096
boot_stack_top:
boot_cpu_has_nx: resd 1
