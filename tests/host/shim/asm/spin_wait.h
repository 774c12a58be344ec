/* SPDX-License-Identifier: MIT */
/* Host stand-in for <asm/spin_wait.h>: no other CPU ever asks for a TLB flush. */
#ifndef FERRITE_ASM_SPIN_WAIT_H
#define FERRITE_ASM_SPIN_WAIT_H

#include <asm/cpu.h>

static inline void arch_spin_wait_relax(void)
{
	cpu_relax();
}

#endif
