/* SPDX-License-Identifier: MIT */
/*
 * Page Attribute Table (Intel SDM vol. 3, 12.12 "Page Attribute Table"):
 * which memory type each mapping gets, and write-combining for the
 * framebuffer.
 *
 * Three bits of a page-table entry pick one of the eight IA32_PAT slots:
 * index = PAT * 4 + PCD * 2 + PWT, with PWT = bit 3, PCD = bit 4 and PAT =
 * bit 7 in a 4 KiB PTE but bit 12 in a 2 MiB or 1 GiB entry (bit 7 is PS
 * there).  pat_init() programs the table the way Linux does, so that only
 * slot 1 changes meaning from the reset value (WT becomes WC):
 *
 *   index  PAT PCD PWT  reset  Ferrite
 *     0     0   0   0    WB     WB     ordinary memory (no bits set)
 *     1     0   0   1    WT     WC     framebuffer
 *     2     0   1   0    UC-    UC-
 *     3     0   1   1    UC     UC     device registers
 *     4     1   0   0    WB     WB
 *     5     1   0   1    WT     WP
 *     6     1   1   0    UC-    UC-
 *     7     1   1   1    UC     WT
 *
 * Every CPU must load the same table: secondary CPUs call pat_init() too.
 * The page-table code (asm/paging.h) selects slot 1 for PROT_WRITE_COMBINE
 * and slot 3 for PROT_UNCACHED.
 */
#ifndef FERRITE_ASM_PAT_H
#define FERRITE_ASM_PAT_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_IA32_PAT 0x277u

/* Memory type encodings in IA32_PAT (SDM table 12-10). */
#define PAT_TYPE_UC 0x00u
#define PAT_TYPE_WC 0x01u
#define PAT_TYPE_WT 0x04u
#define PAT_TYPE_WP 0x05u
#define PAT_TYPE_WB 0x06u
#define PAT_TYPE_UC_MINUS 0x07u

#define PAT_ENTRY(index, type) ((uint64_t)(type) << ((index) * 8))
#define PAT_RESET_VALUE 0x0007040600070406ull
#define PAT_FERRITE_VALUE                                                         \
	(PAT_ENTRY(0, PAT_TYPE_WB) | PAT_ENTRY(1, PAT_TYPE_WC) |                  \
	 PAT_ENTRY(2, PAT_TYPE_UC_MINUS) | PAT_ENTRY(3, PAT_TYPE_UC) |            \
	 PAT_ENTRY(4, PAT_TYPE_WB) | PAT_ENTRY(5, PAT_TYPE_WP) |                  \
	 PAT_ENTRY(6, PAT_TYPE_UC_MINUS) | PAT_ENTRY(7, PAT_TYPE_WT))


/*
 * pat_init - load Ferrite's table (above) into IA32_PAT on this CPU.
 * Follows the SDM's procedure for changing memory types: caches disabled
 * and flushed, TLBs flushed, around the write.
 * Return: true if the CPU has a PAT (CPUID.1:EDX bit 16) and the MSR now
 * holds PAT_FERRITE_VALUE; false otherwise (nothing changed).
 * Context: boot, interrupts off (they stay off), each CPU once.
 */
bool pat_init(void);

/* Return: true once pat_init() has succeeded on the boot CPU. */
bool pat_enabled(void);

/*
 * pat_memory_type_index - the IA32_PAT slot (0..7) the current page tables
 * select for virtual address @virt.
 * Return: the slot, or -1 if @virt is not mapped.  Context: any.
 */
int pat_memory_type_index(uint64_t virt);

#endif
