/* SPDX-License-Identifier: MIT */
/*
 * Exception fixup table.
 *
 * An instruction that is allowed to fault is listed with a recovery
 * address: when it faults, the exception handler resumes at the recovery
 * address instead of reporting a crash, and records what happened in
 * last_exception_fixup.  The table is the __ex_table section, collected by
 * linker.ld between __extable_start and __extable_end.
 *
 *     asm volatile("1: mov (%1), %0\n"
 *                  "2:\n"
 *                  EXTABLE_ENTRY(1b, 2b) ...);
 */
#ifndef FERRITE_ASM_EXTABLE_H
#define FERRITE_ASM_EXTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define EXTABLE_ENTRY(fault_label, fixup_label)            \
	".pushsection __ex_table, \"a\"\n"                 \
	".balign 8\n"                                       \
	".quad " #fault_label ", " #fixup_label "\n"        \
	".popsection\n"

struct extable_entry {
	uint64_t fault_rip;
	uint64_t fixup_rip;
};

/* What the most recent fixed-up exception was. */
struct exception_fixup_record {
	uint64_t count;        /* fixups taken since boot */
	uint64_t vector;
	uint64_t error_code;
	uint64_t fault_rip;
	uint64_t cr2;          /* valid for #PF */
};

extern struct exception_fixup_record last_exception_fixup;

/* Return: the recovery address for a fault at @rip, or 0 if none is listed. */
uint64_t extable_search(uint64_t rip);

#endif
