// SPDX-License-Identifier: MIT
/* Lookup in the exception fixup table (see asm/extable.h). */
#include <asm/extable.h>

extern const struct extable_entry __extable_start[], __extable_end[];

struct exception_fixup_record last_exception_fixup;

uint64_t extable_search(uint64_t rip)
{
	/* A handful of entries: a linear scan is clearer than sorting. */
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->fault_rip == rip)
			return e->fixup_rip;
	return 0;
}
