/* SPDX-License-Identifier: MIT */
/* Host stand-in for the kernel's jump_save/jump_to: C's setjmp/longjmp. */
#ifndef FERRITE_HOST_ASM_JUMP_H
#define FERRITE_HOST_ASM_JUMP_H

#include <setjmp.h>

struct jump_buffer {
	jmp_buf buf;
};

#define jump_save(b) setjmp((b)->buf)
#define jump_to(b, value) longjmp((b)->buf, (value))

#endif
