; SPDX-License-Identifier: MIT
; Entry stubs for the 32 exception vectors.
;
; The CPU pushes SS, RSP, RFLAGS, CS, RIP and, for vectors 8, 10-14, 17,
; 21, 29 and 30, an error code.  Each stub pushes a zero error code where
; the CPU does not, then its vector number, so every frame has the same
; shape (struct trap_frame in asm/traps.h).  The common path
; (entry_frame.inc) saves the general registers, calls
; exception_dispatch(frame) with a 16-byte aligned stack, restores the
; (possibly edited) frame and returns.

bits 64
%include "entry_frame.inc"
section .text

extern exception_dispatch
global exception_stub_table

%macro STUB_NO_ERROR 1
exception_stub_%1:
	push qword 0
	push qword %1
	jmp exception_common
%endmacro

%macro STUB_WITH_ERROR 1
exception_stub_%1:
	push qword %1
	jmp exception_common
%endmacro

%assign v 0
%rep 32
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
	STUB_WITH_ERROR v
%else
	STUB_NO_ERROR v
%endif
%assign v v + 1
%endrep

exception_common:
	CALL_WITH_FRAME exception_dispatch

section .rodata
align 8
exception_stub_table:
%assign v 0
%rep 32
	dq exception_stub_ %+ v
%assign v v + 1
%endrep
