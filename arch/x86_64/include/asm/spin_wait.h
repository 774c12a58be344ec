/* SPDX-License-Identifier: MIT */
/*
 * What a CPU does on each turn of a spinlock wait: pause, and serve a TLB
 * shootdown another CPU asked of it.  The holder of the lock may be that
 * CPU, waiting with interrupts off for this one's flush (arch/x86_64/tlb.c,
 * rule 5): serving it here is what lets both go on.
 */
#ifndef FERRITE_ASM_SPIN_WAIT_H
#define FERRITE_ASM_SPIN_WAIT_H

#include <asm/cpu.h>
#include <asm/tlb.h>

static inline void arch_spin_wait_relax(void)
{
	cpu_relax();
	tlb_shootdown_poll();
}

#endif
