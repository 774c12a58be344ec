/* SPDX-License-Identifier: MIT */
/*
 * timer.h: the periodic tick and time since boot.
 *
 * Every CPU's local APIC timer interrupts it HZ times a second
 * (LOCAL_TIMER_VECTOR).  jiffies counts the boot CPU's ticks; each CPU's
 * own count is in timer_ticks[cpu].  The APIC timer's rate is measured
 * once, on the boot CPU, against the TSC (if invariant) or the PIT.
 */
#ifndef FERRITE_TIMER_H
#define FERRITE_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include <percpu.h>

#define HZ 100

/* Ticks of the boot CPU since its timer started. Read with READ-once semantics (volatile). */
extern volatile uint64_t jiffies;

/* Ticks taken by each CPU. */
extern volatile uint64_t timer_ticks[NR_CPUS];

/*
 * Called on every tick of every CPU, from the timer interrupt, when set
 * (the allocator stress tests allocate and free from it).  Whoever clears
 * it must wait a tick on every CPU before freeing what the hook uses.
 */
extern void (*volatile timer_tick_hook)(unsigned int cpu);

/* Local APIC timer counts per millisecond at the divider in use; 0 until calibrated. */
extern uint64_t apic_timer_khz;

/*
 * apic_timer_calibrate - measure the local APIC timer against the TSC
 * (invariant TSC) or the PIT, and report the rate and whether the timer
 * keeps running in deep C-states (CPUID 6 EAX[2], ARAT).
 * Context: boot CPU, once, interrupts off.  Return: false if no rate was found.
 */
bool apic_timer_calibrate(void);

/*
 * apic_timer_init_this_cpu - start this CPU's periodic HZ tick.
 * Context: boot CPU after calibration, then each AP after lapic_init().
 */
void apic_timer_init_this_cpu(void);

/*
 * apic_timer_oneshot - instead of the tick, one interrupt on
 * LOCAL_TIMER_VECTOR after @usecs microseconds (at most about 4 s at
 * 1 GHz); apic_timer_init_this_cpu() goes back to periodic.
 * Context: interrupts off or on, on the CPU whose timer it sets.
 */
void apic_timer_oneshot(uint64_t usecs);

/* Stop this CPU's timer. */
void apic_timer_stop(void);

/* Convert milliseconds to ticks, rounding up. */
static inline uint64_t msecs_to_jiffies(uint64_t msecs)
{
	return (msecs * HZ + 999) / 1000;
}

#endif
