// SPDX-License-Identifier: MIT
/* input_ring: a lock-free single-producer, single-consumer byte ring (see input_ring.h). */
#include "input_ring.h"

bool input_ring_put(struct input_ring *ring, uint8_t byte)
{
	uint32_t head = ring->head;
	uint32_t tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);

	if (head - tail >= INPUT_RING_SIZE) {
		ring->dropped++;
		return false;
	}
	ring->bytes[head % INPUT_RING_SIZE] = byte;
	__atomic_store_n(&ring->head, head + 1, __ATOMIC_RELEASE);
	return true;
}

bool input_ring_get(struct input_ring *ring, uint8_t *byte)
{
	uint32_t tail = ring->tail;
	uint32_t head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);

	if (head == tail)
		return false;
	*byte = ring->bytes[tail % INPUT_RING_SIZE];
	__atomic_store_n(&ring->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

bool input_ring_empty(const struct input_ring *ring)
{
	return __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE) == ring->tail;
}
