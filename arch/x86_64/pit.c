// SPDX-License-Identifier: MIT
/*
 * PIT channel 2 one-shots (mode 0: the output rises at terminal count and
 * is read back in bit 5 of port 0x61; bit 0 of that port is the gate, bit 1
 * the speaker, which stays off).
 */
#include <asm/io.h>
#include <asm/pit.h>

#define PIT_CHANNEL2 0x42
#define PIT_COMMAND 0x43
#define PIT_GATE_PORT 0x61
#define PIT_GATE 0x01
#define PIT_SPEAKER 0x02
#define PIT_OUTPUT 0x20

void pit_oneshot_start(uint32_t us)
{
	uint64_t ticks = (uint64_t)us * PIT_HZ / 1000000;

	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffff)
		ticks = 0xffff;
	/* Gate low while reprogramming, speaker off. */
	outb(PIT_GATE_PORT, inb(PIT_GATE_PORT) & ~(PIT_GATE | PIT_SPEAKER));
	/* Channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count), binary. */
	outb(PIT_COMMAND, 0xb0);
	outb(PIT_CHANNEL2, ticks & 0xff);
	outb(PIT_CHANNEL2, ticks >> 8);
	/* Channel 2 counts while its gate is high. */
	outb(PIT_GATE_PORT, (inb(PIT_GATE_PORT) & ~PIT_SPEAKER) | PIT_GATE);
}

bool pit_oneshot_expired(void)
{
	return inb(PIT_GATE_PORT) & PIT_OUTPUT;
}
