/* SPDX-License-Identifier: MIT */
/*
 * Busy-wait delays, calibrated: the TSC once tsc_calibrate() measured it,
 * the PIT before that (or if the TSC could not be measured).  Never a loop
 * whose speed is guessed.  Each waits at least what it promises.
 */
#ifndef FERRITE_DELAY_H
#define FERRITE_DELAY_H

#include <stdint.h>

/* Wait at least @usecs microseconds. Context: any; interrupts may be on or off. */
void udelay(uint64_t usecs);

/* Wait at least @msecs milliseconds. Context: any. */
void mdelay(uint64_t msecs);

#endif
