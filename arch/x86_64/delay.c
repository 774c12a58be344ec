// SPDX-License-Identifier: MIT
/*
 * udelay/mdelay: spin on the TSC (with PAUSE) once its rate is known; before
 * that, or on a machine whose TSC could not be calibrated, count down the
 * PIT's channel 2 in one-shots of at most 54 ms under a lock (one channel
 * for every CPU).
 */
#include <asm/cpu.h>
#include <asm/pit.h>
#include <asm/tsc.h>
#include <delay.h>
#include <spinlock.h>

static DEFINE_SPINLOCK(pit_delay_lock);

static void pit_delay(uint64_t usecs)
{
	while (usecs) {
		uint32_t chunk = usecs > PIT_MAX_ONESHOT_US ? PIT_MAX_ONESHOT_US : (uint32_t)usecs;
		uint64_t flags;

		spin_lock_irqsave(&pit_delay_lock, flags);
		/* One tick more than asked: the first tick may be partly gone. */
		pit_oneshot_start(chunk + 1);
		while (!pit_oneshot_expired())
			cpu_relax();
		spin_unlock_irqrestore(&pit_delay_lock, flags);
		usecs -= chunk;
	}
}

void udelay(uint64_t usecs)
{
	uint64_t khz = __atomic_load_n(&tsc_khz, __ATOMIC_RELAXED);
	uint64_t start, ticks;

	if (!khz) {
		pit_delay(usecs);
		return;
	}
	start = rdtsc();
	/* Round up: at least @usecs. */
	ticks = (usecs * khz + 999) / 1000;
	while (rdtsc() - start < ticks)
		cpu_relax();
}

void mdelay(uint64_t msecs)
{
	while (msecs--)
		udelay(1000);
}
