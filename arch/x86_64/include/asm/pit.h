/* SPDX-License-Identifier: MIT */
/*
 * The 8254 PIT's channel 2: the fixed 1.193182 MHz clock every PC has,
 * used to calibrate the TSC and the APIC timer and to wait before the TSC
 * is calibrated.  Channel 2's gate and output are reached through port
 * 0x61, so no interrupt is involved.
 */
#ifndef FERRITE_ASM_PIT_H
#define FERRITE_ASM_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ 1193182u
/* The longest one-shot: 65535 ticks. */
#define PIT_MAX_ONESHOT_US 54925u

/*
 * Start channel 2 counting down @us microseconds (at most PIT_MAX_ONESHOT_US,
 * at least one tick).  Context: one user at a time (the caller serializes).
 */
void pit_oneshot_start(uint32_t us);

/* Return: true once the count started by pit_oneshot_start() reached zero. */
bool pit_oneshot_expired(void);

/*
 * pit_calibrate - measure how fast @read_counter counts, against the PIT.
 * @read_counter returns a free-running count that goes up (the TSC, or a
 * down-counter negated).  Each end of the ~30 ms window is a PIT count read
 * between two counter reads; of several tries the tightest pair is kept,
 * so a slow port access or a stalled CPU does not skew the result, and a
 * run whose pairs were still loose (more than 0.2% of the window) is
 * repeated, up to five times, keeping the tightest.
 * Context: boot CPU, interrupts off, PIT channel 2 not otherwise in use.
 * Return: counts per millisecond, 0 if the PIT did not count.
 */
uint64_t pit_calibrate(uint64_t (*read_counter)(void));

#endif
