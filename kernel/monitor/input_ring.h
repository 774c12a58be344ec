/* SPDX-License-Identifier: MIT */
/*
 * input_ring: the bytes an input interrupt handler received, waiting for
 * the monitor.  One producer (the handler, interrupts off) and one
 * consumer (the monitor loop); head and tail are published with
 * release/acquire ordering, so neither side takes a lock.  A full ring
 * drops the new byte and counts it.
 */
#ifndef FERRITE_MONITOR_INPUT_RING_H
#define FERRITE_MONITOR_INPUT_RING_H

#include <stdbool.h>
#include <stdint.h>

#define INPUT_RING_SIZE 256u /* a power of two */

struct input_ring {
	uint8_t bytes[INPUT_RING_SIZE];
	uint32_t head;          /* next slot to write; written by the producer only */
	uint32_t tail;          /* next slot to read; written by the consumer only */
	uint64_t dropped;       /* bytes lost to a full ring (producer) */
};

/*
 * input_ring_put - append @byte.
 * Context: the producer only (an interrupt handler).
 * Return: false if the ring was full (the byte is dropped and counted).
 */
bool input_ring_put(struct input_ring *ring, uint8_t byte);

/*
 * input_ring_get - take the oldest byte into @byte.
 * Context: the consumer only.  Return: false if the ring is empty.
 */
bool input_ring_get(struct input_ring *ring, uint8_t *byte);

/* Return: true if nothing is waiting. Context: the consumer. */
bool input_ring_empty(const struct input_ring *ring);

#endif
