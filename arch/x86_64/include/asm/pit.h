/* SPDX-License-Identifier: MIT */
/*
 * The 8254 PIT's channel 2 as a one-shot stopwatch: the fixed 1.193182 MHz
 * clock every PC has, used to calibrate the TSC and the APIC timer and to
 * wait before the TSC is calibrated.  Channel 2's gate and output are read
 * through port 0x61, so no interrupt is involved.
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

#endif
