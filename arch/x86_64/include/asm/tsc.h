/* SPDX-License-Identifier: MIT */
/* The time-stamp counter: calibration and conversion to time. */
#ifndef FERRITE_ASM_TSC_H
#define FERRITE_ASM_TSC_H

#include <stdbool.h>
#include <stdint.h>

/* TSC ticks per millisecond; 0 until tsc_calibrate() succeeded. */
extern uint64_t tsc_khz;

/* TSC value at calibration, the zero of printk's clock. */
extern uint64_t tsc_boot;

/*
 * Measure the TSC frequency against the PIT (channel 2, 10 ms), falling
 * back to CPUID leaf 0x16.  Every wait is bounded.
 * Return: true if a frequency was found.
 */
bool tsc_calibrate(void);

/* Return: nanoseconds between TSC values @from and @to (0 if uncalibrated). */
uint64_t tsc_delta_ns(uint64_t from, uint64_t to);

#endif
