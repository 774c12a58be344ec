// SPDX-License-Identifier: MIT
/*
 * PIT channel 2 one-shots and calibration (mode 0: the count runs down
 * from the value written, the output rises at zero and is read back in
 * bit 5 of port 0x61; bit 0 of that port is the gate, bit 1 the speaker,
 * which stays off).  A latch command (0x80: channel 2, latch) freezes the
 * count for reading, low byte then high byte.
 */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/pit.h>

#define PIT_CHANNEL2 0x42
#define PIT_COMMAND 0x43
#define PIT_GATE_PORT 0x61
#define PIT_GATE 0x01
#define PIT_SPEAKER 0x02
#define PIT_OUTPUT 0x20
#define PIT_MODE0_CHANNEL2 0xb0  /* channel 2, lobyte/hibyte, mode 0, binary */
#define PIT_LATCH_CHANNEL2 0x80

#define WINDOW_TICKS (PIT_HZ * 30 / 1000)
#define MIN_WINDOW_TICKS (PIT_HZ * 20 / 1000)
#define PAIR_TRIES 8
#define RUNS 5
#define POLL_LIMIT 1000000u
/* 2 s at 1 GHz: a PIT that never counts is given up on in well under a few seconds. */
#define TSC_LIMIT 2000000000ull

/* Gate high, speaker off, then load @ticks: the count starts at the next clock after the high byte. */
static void start_count(uint16_t ticks)
{
	outb(PIT_GATE_PORT, (inb(PIT_GATE_PORT) & ~PIT_SPEAKER) | PIT_GATE);
	outb(PIT_COMMAND, PIT_MODE0_CHANNEL2);
	outb(PIT_CHANNEL2, ticks & 0xff);
	outb(PIT_CHANNEL2, ticks >> 8);
}

void pit_oneshot_start(uint32_t us)
{
	uint64_t ticks = (uint64_t)us * PIT_HZ / 1000000;

	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffff)
		ticks = 0xffff;
	start_count((uint16_t)ticks);
}

bool pit_oneshot_expired(void)
{
	return inb(PIT_GATE_PORT) & PIT_OUTPUT;
}

static uint16_t read_count(void)
{
	uint8_t low, high;

	outb(PIT_COMMAND, PIT_LATCH_CHANNEL2);
	low = inb(PIT_CHANNEL2);
	high = inb(PIT_CHANNEL2);
	return low | (uint16_t)high << 8;
}

/* A PIT count and the counter around it: @counter is the midpoint, @spread the gap. */
struct pit_pair {
	uint16_t pit;
	uint64_t counter, spread;
};

static struct pit_pair tightest_pair(uint64_t (*read_counter)(void))
{
	struct pit_pair best = { 0, 0, ~0ull };

	for (int i = 0; i < PAIR_TRIES; i++) {
		uint64_t before = read_counter();
		uint16_t pit = read_count();
		uint64_t after = read_counter();

		if (after - before < best.spread)
			best = (struct pit_pair){ pit, before + (after - before) / 2, after - before };
	}
	return best;
}

/* One window.  Return: counts per ms, with *error_ppm its uncertainty; 0 on failure. */
static uint64_t calibrate_once(uint64_t (*read_counter)(void), uint64_t *error_ppm)
{
	struct pit_pair first, last;
	uint64_t counted, pit_ticks, start = rdtsc();
	uint32_t polls = 0;

	start_count(0xffff);
	/* Until the new count is loaded, a read may still return the old one. */
	while (read_count() > 0xfff0) {
		if (++polls > POLL_LIMIT || rdtsc() - start > TSC_LIMIT)
			return 0;
		cpu_relax();
	}
	first = tightest_pair(read_counter);
	while ((uint16_t)(first.pit - read_count()) < WINDOW_TICKS) {
		if (++polls > POLL_LIMIT || rdtsc() - start > TSC_LIMIT)
			return 0;
		cpu_relax();
	}
	last = tightest_pair(read_counter);
	/* A stall long enough for the count to wrap leaves too short (or a negative) window. */
	if (last.pit >= first.pit || (uint32_t)(first.pit - last.pit) < MIN_WINDOW_TICKS)
		return 0;
	pit_ticks = first.pit - last.pit;
	counted = last.counter - first.counter;
	if (!counted)
		return 0;
	*error_ppm = (first.spread + last.spread) * 1000000 / counted;
	return counted * PIT_HZ / (pit_ticks * 1000);
}

uint64_t pit_calibrate(uint64_t (*read_counter)(void))
{
	uint64_t best = 0, best_error = ~0ull;

	for (int run = 0; run < RUNS; run++) {
		uint64_t error_ppm = ~0ull, khz = calibrate_once(read_counter, &error_ppm);

		if (khz && error_ppm < best_error) {
			best = khz;
			best_error = error_ppm;
		}
		if (best && best_error <= 2000)
			break;
	}
	return best;
}
