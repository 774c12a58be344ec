; SPDX-License-Identifier: MIT
; Entry stubs for the interrupt vectors 0x20-0xff, and call_on_stack.
;
; The CPU pushes no error code for an external interrupt or IPI: each stub
; pushes a zero one and its vector, so the frame is a struct trap_frame as
; for exceptions (entry_frame.inc), and jumps to the common path, which
; calls irq_dispatch(frame).  The gates are interrupt gates: IF is clear
; until the IRETQ, so a handler never nests inside another on one CPU.

bits 64
%include "entry_frame.inc"
section .text

extern irq_dispatch
global irq_stub_table
global call_on_stack

%assign v 32
%rep 224
irq_stub_ %+ v:
	push qword 0
	push qword v
	jmp irq_common
%assign v v + 1
%endrep

irq_common:
	CALL_WITH_FRAME irq_dispatch

; void call_on_stack(void *arg, void (*fn)(void *arg), uint64_t stack_top):
; run fn(arg) with RSP at stack_top (16-byte aligned), then come back.
; The saved RBP links the new stack's frames to the old for backtraces.
call_on_stack:
	push rbp
	mov rbp, rsp
	mov rsp, rdx
	call rsi
	mov rsp, rbp
	pop rbp
	ret

section .rodata
align 8
irq_stub_table:
%assign v 32
%rep 224
	dq irq_stub_ %+ v
%assign v v + 1
%endrep
