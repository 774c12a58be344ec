// SPDX-License-Identifier: MIT
/*
 * TSC calibration.  Busy loops run at wildly different speeds (the same
 * loop took 1 s after OVMF and 80 s after SeaBIOS under emulation), so the
 * TSC is measured against the PIT's fixed 1.193182 MHz clock instead
 * (pit_calibrate: PIT counts read between two TSC reads, ~30 ms apart).
 */
#include <asm/cpu.h>
#include <asm/pit.h>
#include <asm/tsc.h>
#include <printk.h>

uint64_t tsc_khz;
uint64_t tsc_boot;

static uint64_t read_tsc(void)
{
	return rdtsc();
}

static uint64_t cpuid_khz(void)
{
	if (cpuid(0, 0).eax < 0x16)
		return 0;
	return (uint64_t)(cpuid(0x16, 0).eax & 0xffff) * 1000;
}

bool tsc_calibrate(void)
{
	uint64_t khz = pit_calibrate(read_tsc);

	if (khz < 1000)
		khz = cpuid_khz();
	tsc_boot = rdtsc();
	tsc_khz = khz;
	if (khz)
		pr_info("tsc: Detected %llu.%03llu MHz processor\n", (unsigned long long)khz / 1000,
			(unsigned long long)khz % 1000);
	else
		pr_warn("tsc: no frequency (PIT and CPUID 0x16 both failed); delays use the PIT\n");
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
