; SPDX-License-Identifier: MIT
; The start-up code of the other CPUs (application processors, APs).
;
; trampoline_start..trampoline_end is position independent data to the
; kernel: arch/x86_64/smpboot.c copies it to a page below 1 MiB, fills in
; the fields marked "filled in" with absolute addresses, and points the
; start-up IPI at that page.  The AP arrives in real mode with CS = page
; >> 4 and IP = 0, and goes:
;
;   16-bit real mode      EBX = page base; load the trampoline GDT, set PE
;   32-bit protected mode PAE, CR3 = trampoline tables, EFER = the boot
;                         CPU's (LME, NXE; NXE only if CPUID has NX, else
;                         set tr_no_nx and halt), CR0 = the boot CPU's (PG on)
;   64-bit long mode      still on the identity map of the low 2 MiB; jump
;                         to ap_entry64 in the kernel window
;   ap_entry64 (kernel)   CR3 = the kernel's own tables; if its APIC ID (CPUID)
;                         is the one being started, claim the start-up
;                         parameters, its stack, then smp_ap_start(cpu);
;                         any other AP (one answering after its timeout) halts
;
; The trampoline tables (smpboot.c) identity-map the first 2 MiB and share
; the kernel half of the kernel's top-level table.

bits 16
section .rodata
align 16
global trampoline_start
global trampoline_end

%define OFFSET(label) (label - trampoline_start)

trampoline_start:
	cli
	cld
	xor ebx, ebx
	mov bx, cs
	mov ds, bx
	shl ebx, 4                      ; EBX = linear address of this page
	o32 lgdt [OFFSET(tr_gdt_pointer)]
	mov eax, cr0
	or eax, 1                       ; PE
	mov cr0, eax
	jmp dword far [OFFSET(tr_protected_jump)]

bits 32
tr_protected:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, 1 << 5                  ; PAE
	mov cr4, eax
	mov eax, [ebx + OFFSET(tr_cr3)]
	mov cr3, eax
	; EFER.NXE on a CPU without NX is a #GP here, with no IDT: a triple
	; fault.  Check CPUID first; without NX, say so in tr_no_nx and halt.
	mov esi, [ebx + OFFSET(tr_efer)]
	test esi, 1 << 11               ; NXE
	jz .write_efer
	mov ebp, ebx                    ; CPUID overwrites EBX
	mov eax, 0x80000000
	cpuid
	mov ebx, ebp
	cmp eax, 0x80000001
	jb .no_nx
	mov eax, 0x80000001
	cpuid
	mov ebx, ebp
	test edx, 1 << 20               ; NX
	jnz .write_efer
.no_nx:
	mov dword [ebx + OFFSET(tr_no_nx)], 1
.halt:
	cli
	hlt
	jmp .halt
.write_efer:
	mov ecx, 0xc0000080             ; IA32_EFER
	mov eax, esi
	xor edx, edx
	wrmsr
	mov eax, [ebx + OFFSET(tr_cr0)]
	mov cr0, eax                    ; PG: long mode is active (compatibility mode)
	jmp far [ebx + OFFSET(tr_long_jump)]

bits 64
tr_long:
	mov ebx, ebx                    ; zero the upper half
	mov rax, [rbx + OFFSET(tr_entry64)]
	jmp rax

align 8
; Selectors: 0x08 32-bit code, 0x10 data, 0x18 64-bit code.
tr_gdt:
	dq 0
	dq 0x00cf9a000000ffff
	dq 0x00cf92000000ffff
	dq 0x00af9a000000ffff
tr_gdt_end:


align 4
tr_gdt_pointer:
	dw tr_gdt_end - tr_gdt - 1
tr_gdt_pointer_base:
	dd 0                            ; filled in: page + OFFSET(tr_gdt)
align 4
tr_protected_jump:
	dd 0                            ; filled in: page + OFFSET(tr_protected)
	dw 0x08
align 4
tr_long_jump:
	dd 0                            ; filled in: page + OFFSET(tr_long)
	dw 0x18
align 4
tr_cr3:  dd 0                           ; filled in: trampoline top-level table (< 4 GiB)
tr_efer: dd 0                           ; filled in: the boot CPU's EFER, low half, LMA clear
tr_cr0:  dd 0                           ; filled in: the boot CPU's CR0
tr_no_nx: dd 0                          ; set by an AP that halted for want of NX
align 8
tr_entry64: dq 0                        ; filled in: ap_entry64
trampoline_end:

; Offsets of the fields, for smpboot.c.
section .rodata
align 8
global trampoline_offsets
trampoline_offsets:
	dq OFFSET(tr_gdt), OFFSET(tr_protected), OFFSET(tr_long)
	dq OFFSET(tr_gdt_pointer_base), OFFSET(tr_protected_jump), OFFSET(tr_long_jump)
	dq OFFSET(tr_cr3), OFFSET(tr_efer), OFFSET(tr_cr0), OFFSET(tr_entry64)
	dq OFFSET(tr_no_nx)

; The first kernel code an AP runs, on the trampoline tables.
extern smp_ap_start
extern ap_boot_cr3, ap_boot_claimed, ap_boot_stack, ap_boot_cpu, ap_boot_apic_id
global ap_entry64
section .text
bits 64
ap_entry64:
	mov rax, [rel ap_boot_cr3]
	mov cr3, rax                    ; the kernel's own tables from now on
	; Its own APIC ID: CPUID 0xB EDX (x2APIC ID) where that leaf exists,
	; else CPUID 1 EBX[31:24].  Only the AP being started goes on.
	xor eax, eax
	cpuid                           ; EAX = highest basic leaf
	cmp eax, 0xb
	jb .xapic_id
	mov eax, 0xb
	xor ecx, ecx
	cpuid
	test ebx, ebx                   ; leaf 0xB not implemented: EBX = 0
	jz .xapic_id
	mov esi, edx
	jmp .have_id
.xapic_id:
	mov eax, 1
	cpuid
	shr ebx, 24
	mov esi, ebx
.have_id:
	cmp esi, [rel ap_boot_apic_id]
	jne .not_mine
	mov eax, 1
	xchg eax, [rel ap_boot_claimed] ; one AP per set of start-up parameters
	test eax, eax
	jnz .not_mine
	mov rsp, [rel ap_boot_stack]
	xor ebp, ebp                    ; ends the frame-pointer chain
	mov edi, [rel ap_boot_cpu]
	call smp_ap_start               ; never returns
.not_mine:
	cli
	hlt
	jmp .not_mine
