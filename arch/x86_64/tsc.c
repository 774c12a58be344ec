// SPDX-License-Identifier: MIT
/*
 * TSC calibration.  Busy loops run at wildly different speeds (the same
 * loop took 1 s after OVMF and 80 s after SeaBIOS under emulation), so the
 * TSC is measured against the PIT's fixed 1.193182 MHz clock instead.
 */
#include <asm/cpu.h>
#include <asm/pit.h>
#include <asm/tsc.h>

uint64_t tsc_khz;
uint64_t tsc_boot;

#define CALIBRATION_MS 10
#define POLL_LIMIT 5000000u
/* 10 ms at 10 GHz, twenty times over: a PIT that never counts gives up in well under a second. */
#define CYCLE_LIMIT 2000000000ull

static uint64_t pit_measure_khz(void)
{
	uint64_t start, end;
	uint32_t polls = 0;

	pit_oneshot_start(CALIBRATION_MS * 1000);
	start = rdtsc();
	while (!pit_oneshot_expired()) {
		if (++polls > POLL_LIMIT || rdtsc() - start > CYCLE_LIMIT)
			return 0;
	}
	end = rdtsc();
	if (end <= start)
		return 0;
	return (end - start) / CALIBRATION_MS;
}

static uint64_t cpuid_khz(void)
{
	if (cpuid(0, 0).eax < 0x16)
		return 0;
	return (uint64_t)(cpuid(0x16, 0).eax & 0xffff) * 1000;
}

bool tsc_calibrate(void)
{
	uint64_t khz = pit_measure_khz();

	if (khz < 1000)
		khz = cpuid_khz();
	tsc_boot = rdtsc();
	tsc_khz = khz;
	return khz != 0;
}

uint64_t tsc_delta_ns(uint64_t from, uint64_t to)
{
	uint64_t ticks = to - from;

	if (!tsc_khz || to < from)
		return 0;
	/* Split to keep ticks * 10^6 from overflowing for long uptimes. */
	return ticks / tsc_khz * 1000000 + ticks % tsc_khz * 1000000 / tsc_khz;
}
