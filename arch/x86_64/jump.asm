; SPDX-License-Identifier: MIT
; jump_save / jump_to: the kernel's setjmp and longjmp.
;
; Used by the self-test runner to regain control when a case aborts
; (a failed assertion, a panic or an unexpected exception).  Only the
; callee-saved registers, the stack pointer and the return address are
; kept, as the System V ABI requires.
;
; struct jump_buffer layout: rbx, rbp, r12, r13, r14, r15, rsp, rip.

bits 64
section .text

global jump_save
global jump_to

; int jump_save(struct jump_buffer *buf): 0 when called, non-zero via jump_to.
jump_save:
	mov [rdi + 0], rbx
	mov [rdi + 8], rbp
	mov [rdi + 16], r12
	mov [rdi + 24], r13
	mov [rdi + 32], r14
	mov [rdi + 40], r15
	lea rdx, [rsp + 8]              ; the caller's stack pointer after ret
	mov [rdi + 48], rdx
	mov rdx, [rsp]                  ; the return address
	mov [rdi + 56], rdx
	xor eax, eax
	ret

; void jump_to(struct jump_buffer *buf, int value): never returns.
jump_to:
	mov eax, esi
	test eax, eax
	jnz .nonzero
	inc eax
.nonzero:
	mov rbx, [rdi + 0]
	mov rbp, [rdi + 8]
	mov r12, [rdi + 16]
	mov r13, [rdi + 24]
	mov r14, [rdi + 32]
	mov r15, [rdi + 40]
	mov rsp, [rdi + 48]
	jmp [rdi + 56]
