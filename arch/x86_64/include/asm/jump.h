/* SPDX-License-Identifier: MIT */
/* jump_save/jump_to: setjmp/longjmp for the kernel (arch/x86_64/jump.asm). */
#ifndef FERRITE_ASM_JUMP_H
#define FERRITE_ASM_JUMP_H

#include <stdint.h>

struct jump_buffer {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

/* Return: 0 when saving; the value given to jump_to when resumed through it. */
__attribute__((returns_twice)) int jump_save(struct jump_buffer *buf);

/* Resume at @buf's jump_save, which then returns @value (1 if @value is 0). */
__attribute__((noreturn)) void jump_to(struct jump_buffer *buf, int value);

#endif
