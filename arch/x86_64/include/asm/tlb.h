/* SPDX-License-Identifier: MIT */
/*
 * TLB flushing: the one API every caller that changes a present kernel
 * mapping goes through, so that shootdown IPIs can be added behind it
 * when more CPUs run (Intel SDM vol. 3, 4.10.4).
 *
 * - flush_tlb_one_kernel(va): INVLPG, which drops that page's entry, even
 *   a global one, and the paging-structure caches.
 * - flush_tlb_kernel_range(start, end): INVLPG per 4 KiB page while the
 *   range has at most tlb_flush_ceiling pages, else a full flush.
 * - flush_tlb_all(): every entry including global ones: INVPCID type 2
 *   when the CPU has it, else toggling CR4.PGE (a CR3 load alone keeps
 *   global entries on real hardware and Bochs -- QEMU's TCG hides that).
 *
 * Mapping a page where nothing was mapped needs no flush: non-present
 * entries are never cached.
 *
 * With more than one CPU online each of these is a shootdown: the flush
 * runs on every online CPU before the function returns (arch/x86_64/tlb.c
 * has the protocol and its ordering rules).
 */
#ifndef FERRITE_ASM_TLB_H
#define FERRITE_ASM_TLB_H

#include <stdbool.h>
#include <stdint.h>

struct tlb_stats {
	uint64_t single;     /* flush_tlb_one_kernel calls */
	uint64_t range;      /* ranges flushed page by page */
	uint64_t full;       /* full flushes (asked for, or ranges over the ceiling) */
	uint64_t shootdowns; /* rounds that needed other CPUs */
	uint64_t ipis;       /* shootdown interrupts sent */
	uint64_t pages;      /* pages shot down page by page (full flushes not counted) */
	uint64_t full_shootdowns; /* rounds that were full flushes */
	uint64_t served;     /* requests this CPU or others served from another CPU */
};

extern struct tlb_stats tlb_stats;

/* Pages above which a range flush becomes a full flush (set by tlb_measure_ceiling). */
extern unsigned long tlb_flush_ceiling;

void flush_tlb_one_kernel(uint64_t va);

/* Flush [@start, @end); @end exclusive (0 for a range ending at the top). Context: any. */
void flush_tlb_kernel_range(uint64_t start, uint64_t end);

void flush_tlb_all(void);

/*
 * __flush_tlb_all - flush this CPU's TLB, global entries included, and
 * ask no other CPU (as Linux's).  Context: any.
 */
void __flush_tlb_all(void);

/*
 * Time INVLPG against a full flush plus the refill it causes, set
 * tlb_flush_ceiling from the ratio (clamped to 8..512) and print both.
 * Context: boot, after the kernel page tables are live.
 */
void tlb_measure_ceiling(void);

/* Print the flush and shootdown counters ("tlb: ..."). Context: any but NMI. */
void tlb_stats_print(void);

/*
 * tlb_shootdown_poll - if another CPU asked this one to flush, do it now.
 * Called by the cross-call interrupt and by every loop that waits with
 * interrupts off for another CPU (spinlocks, cross-call waits), so a CPU
 * waiting for a lock held by a CPU that waits for its flush still flushes.
 * Context: any; cheap when nothing is pending.
 */
void tlb_shootdown_poll(void);

/* For the shootdown test: when false, other CPUs are not asked to flush (a planted bug). */
extern bool tlb_shootdown_enabled;

#endif
