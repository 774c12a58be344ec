// SPDX-License-Identifier: MIT
/*
 * The local APIC timer: calibration, the periodic tick, one-shots.
 *
 * The timer counts down from an initial count at the APIC's bus clock
 * (or core crystal) divided by the divide-configuration register; at zero
 * it raises its LVT vector and, in periodic mode, reloads.  Its rate is
 * not architectural, so it is measured: with the timer counting down from
 * 0xffffffff, masked, the boot CPU waits 10 ms on a known clock -- the TSC
 * if it is invariant (its rate then never changes), else PIT channel 2 --
 * and reads how far it counted.  Divide by 16 keeps one HZ period of a
 * fast timer well inside 32 bits.
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
#include <timer.h>

#define APIC_TIMER_DIVIDE_16 0x3
#define CALIBRATION_MS 10
/* 10 ms at 10 GHz, twenty times over: a clock that never moves gives up quickly. */
#define CALIBRATION_TSC_LIMIT 2000000000ull

volatile uint64_t jiffies;
volatile uint64_t timer_ticks[NR_CPUS];
uint64_t apic_timer_khz;

static void local_timer_interrupt(struct trap_frame *frame)
{
	unsigned int cpu = smp_processor_id();

	timer_ticks[cpu]++;
	if (cpu == 0)
		jiffies++;
}

/* Wait CALIBRATION_MS on the (calibrated, invariant) TSC.  Return: true. */
static bool wait_tsc(void)
{
	uint64_t start = rdtsc(), ticks = tsc_khz * CALIBRATION_MS;

	while (rdtsc() - start < ticks)
		cpu_relax();
	return true;
}

/* Wait CALIBRATION_MS on PIT channel 2.  Return: false if it never expired. */
static bool wait_pit(void)
{
	uint64_t start = rdtsc();

	pit_oneshot_start(CALIBRATION_MS * 1000);
	while (!pit_oneshot_expired()) {
		if (rdtsc() - start > CALIBRATION_TSC_LIMIT)
			return false;
		cpu_relax();
	}
	return true;
}

static bool has_arat(void)
{
	return boot_cpu.max_leaf >= 6 && (cpuid(6, 0).eax & (1u << 2));
}

bool apic_timer_calibrate(void)
{
	bool use_tsc = boot_cpu.invariant_tsc && tsc_khz;
	uint32_t counted;
	bool waited;

	set_system_vector(LOCAL_TIMER_VECTOR, local_timer_interrupt);
	lapic_write(APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_16);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_LVT_TIMER_ONESHOT | LOCAL_TIMER_VECTOR);
	lapic_write(APIC_TIMER_INITIAL, 0xffffffffu);
	waited = use_tsc ? wait_tsc() : wait_pit();
	counted = 0xffffffffu - lapic_read(APIC_TIMER_CURRENT);
	lapic_write(APIC_TIMER_INITIAL, 0);
	if (!waited || counted < CALIBRATION_MS * 10) {
		pr_err("APIC timer: calibration against the %s failed (counted %u in %u ms); no tick\n",
		       use_tsc ? "TSC" : "PIT", counted, CALIBRATION_MS);
		return false;
	}
	apic_timer_khz = counted / CALIBRATION_MS;
	pr_info("APIC timer: calibrated against the %s: %llu.%03llu MHz (bus clock / 16), HZ=%u\n",
		use_tsc ? "invariant TSC" : "PIT", (unsigned long long)apic_timer_khz / 1000,
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
