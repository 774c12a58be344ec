/* SPDX-License-Identifier: MIT */
/*
 * Instructions that may fault, wrapped so the caller learns whether they
 * did.  Built on the exception fixup table; used by self-tests ("this must
 * fault") and by fault reporting (reading memory that may be unmapped).
 * Each returns 0 if the instruction completed, -1 if it faulted; the
 * fault's vector and details are then in last_exception_fixup.
 */
#ifndef FERRITE_ASM_PROBE_H
#define FERRITE_ASM_PROBE_H

#include <stdint.h>

#include <asm/extable.h>

static inline int probe_read_u64(const volatile void *addr, uint64_t *value)
{
	int err = -1;
	uint64_t v = 0;
	__asm__ volatile("1: movq (%[addr]), %[v]\n"
			 "   xorl %[err], %[err]\n"
			 "2:\n" EXTABLE_ENTRY(1b, 2b)
			 : [err] "+r"(err), [v] "+r"(v)
			 : [addr] "r"(addr)
			 : "memory");
	*value = v;
	return err;
}

static inline int probe_write_u64(volatile void *addr, uint64_t value)
{
	int err = -1;
	__asm__ volatile("1: movq %[v], (%[addr])\n"
			 "   xorl %[err], %[err]\n"
			 "2:\n" EXTABLE_ENTRY(1b, 2b)
			 : [err] "+r"(err)
			 : [addr] "r"(addr), [v] "r"(value)
			 : "memory");
	return err;
}

/* Execute UD2 (always faults with #UD). */
static inline int probe_invalid_opcode(void)
{
	int err = -1;
	__asm__ volatile("1: ud2\n"
			 "   xorl %[err], %[err]\n"
			 "2:\n" EXTABLE_ENTRY(1b, 2b)
			 : [err] "+r"(err) : : "memory");
	return err;
}

/* Divide @dividend by @divisor with DIV (faults with #DE when divisor is 0). */
static inline int probe_divide(uint64_t dividend, uint64_t divisor, uint64_t *quotient)
{
	int err = -1;
	uint64_t q = dividend, rdx = 0;
	__asm__ volatile("1: divq %[d]\n"
			 "   xorl %[err], %[err]\n"
			 "2:\n" EXTABLE_ENTRY(1b, 2b)
			 : [err] "+r"(err), "+a"(q), "+d"(rdx)
			 : [d] "r"(divisor)
			 : "memory");
	*quotient = q;
	return err;
}

/*
 * Call the function at @target.  If fetching its first instruction faults
 * (#PF on a non-executable page), the fault RIP is @target itself, so the
 * table entry is keyed on the return address instead: the page-fault
 * handler pops it and resumes at the recovery point.
 */
static inline int probe_execute(const void *target)
{
	int err = -1;
	__asm__ volatile("   call *%[target]\n"
			 "1: xorl %[err], %[err]\n"
			 "2:\n" EXTABLE_ENTRY(1b, 2b)
			 : [err] "+r"(err)
			 : [target] "r"(target)
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
	return err;
}

#endif
