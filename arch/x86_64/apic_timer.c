// SPDX-License-Identifier: MIT
/*
 * The local APIC timer: calibration, the periodic tick, one-shots.
 *
 * The timer counts down from an initial count at the APIC's bus clock
 * (or core crystal) divided by the divide-configuration register; at zero
 * it raises its LVT vector and, in periodic mode, reloads.  Its rate is
 * not architectural, so it is measured: with the timer counting down from
 * 0xffffffff, masked, the boot CPU compares it with a known clock: the TSC
 * once that is calibrated (the lowest of five 10 ms runs is kept: a stall
 * only ever adds counts), else PIT channel 2 (pit_calibrate).  Divide by
 * 16 keeps one HZ period of a fast timer well inside 32 bits.
 *
 * The timer stops in deep C-states on CPUs without ARAT ("always running
 * APIC timer", CPUID 6 EAX[2]); the kernel idles only with HLT (C1), where
 * every APIC timer keeps running.
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <asm/irq_vectors.h>
#include <asm/pit.h>
#include <asm/tsc.h>
#include <irq.h>
#include <kernel.h>
#include <percpu.h>
#include <printk.h>
#include <slab.h>
#include <timer.h>

#define APIC_TIMER_DIVIDE_16 0x3
#define CALIBRATION_MS 10
#define CALIBRATION_RUNS 5

volatile uint64_t jiffies;
volatile uint64_t timer_ticks[NR_CPUS];
uint64_t apic_timer_khz;
void (*volatile timer_tick_hook)(unsigned int cpu);

static void local_timer_interrupt(struct trap_frame *frame)
{
	unsigned int cpu = smp_processor_id();
	void (*hook)(unsigned int cpu) = timer_tick_hook;

	timer_ticks[cpu]++;
	if (cpu == 0)
		jiffies++;
	if (hook)
		hook(cpu);
	slab_tick(cpu);
}

/* The APIC timer's count, counting up (it runs down from 0xffffffff while calibrating). */
static uint64_t read_apic_counter(void)
{
	return 0xffffffffu - lapic_read(APIC_TIMER_CURRENT);
}

/*
 * One measurement against the invariant TSC: APIC counts per millisecond
 * over CALIBRATION_MS.  The APIC is read first and last, outside the TSC's
 * window, so a CPU stalled anywhere in between (an emulator's thread
 * descheduled, an SMI) only ever adds counts, and the smallest of several
 * runs is the best.  Return: 0 if the timer did not count.
 */
static uint64_t measure_against_tsc(void)
{
	uint32_t start_count, end_count;
	uint64_t start, end;

	lapic_write(APIC_TIMER_INITIAL, 0xffffffffu);
	start_count = lapic_read(APIC_TIMER_CURRENT);
	start = rdtsc();
	while (rdtsc() - start < tsc_khz * CALIBRATION_MS)
		cpu_relax();
	end = rdtsc();
	end_count = lapic_read(APIC_TIMER_CURRENT);
	lapic_write(APIC_TIMER_INITIAL, 0);
	if (end_count >= start_count || !tsc_delta_ns(start, end))
		return 0;
	return (uint64_t)(start_count - end_count) * 1000000 / tsc_delta_ns(start, end);
}

static uint64_t measure_against_pit(void)
{
	uint64_t khz;

	lapic_write(APIC_TIMER_INITIAL, 0xffffffffu);
	khz = pit_calibrate(read_apic_counter);
	lapic_write(APIC_TIMER_INITIAL, 0);
	return khz;
}

static bool has_arat(void)
{
	return boot_cpu.max_leaf >= 6 && (cpuid(6, 0).eax & (1u << 2));
}

bool apic_timer_calibrate(void)
{
	/*
	 * Against the TSC whenever it was calibrated: over these few
	 * milliseconds its rate is fixed even where it is not invariant, and
	 * its 64 bits never wrap during a stall of the CPU, as the PIT's 16 do.
	 */
	bool use_tsc = tsc_khz != 0;
	uint64_t best = 0;

	set_system_vector(LOCAL_TIMER_VECTOR, local_timer_interrupt);
	lapic_write(APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_16);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_LVT_TIMER_ONESHOT | LOCAL_TIMER_VECTOR);
	if (use_tsc) {
		for (int run = 0; run < CALIBRATION_RUNS; run++) {
			uint64_t khz = measure_against_tsc();

			if (khz && (!best || khz < best))
				best = khz;
		}
	} else {
		best = measure_against_pit();
	}
	if (best < 10) {
		pr_err("APIC timer: calibration against the %s failed; no tick\n", use_tsc ? "TSC" : "PIT");
		return false;
	}
	apic_timer_khz = best;
	pr_info("APIC timer: calibrated against the %s: %llu.%03llu MHz (bus clock / 16), HZ=%u\n",
		use_tsc ? "TSC" : "PIT", (unsigned long long)apic_timer_khz / 1000,
		(unsigned long long)apic_timer_khz % 1000, HZ);
	if (has_arat())
		pr_info("APIC timer: ARAT: keeps running in deep C-states\n");
	else
		pr_info("APIC timer: no ARAT: may stop in deep C-states (the kernel idles only in C1)\n");
	return true;
}

void apic_timer_init_this_cpu(void)
{
	uint64_t count = apic_timer_khz * 1000 / HZ;

	if (!apic_timer_khz || apic_mode == APIC_MODE_NONE)
		return;
	if (count > 0xffffffffu)
		count = 0xffffffffu;
	lapic_write(APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_16);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | LOCAL_TIMER_VECTOR);
	lapic_write(APIC_TIMER_INITIAL, (uint32_t)count);
}

void apic_timer_oneshot(uint64_t usecs)
{
	uint64_t count = apic_timer_khz * usecs / 1000;

	if (!apic_timer_khz || apic_mode == APIC_MODE_NONE)
		return;
	if (count == 0)
		count = 1;
	if (count > 0xffffffffu)
		count = 0xffffffffu;
	lapic_write(APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_16);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | LOCAL_TIMER_VECTOR);
	lapic_write(APIC_TIMER_INITIAL, (uint32_t)count);
}

void apic_timer_stop(void)
{
	if (apic_mode == APIC_MODE_NONE)
		return;
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	lapic_write(APIC_TIMER_INITIAL, 0);
}
