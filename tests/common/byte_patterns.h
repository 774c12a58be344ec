/* SPDX-License-Identifier: MIT */
/*
 * Byte patterns for allocator tests (host and kernel): fill an object with
 * a pattern derived from a seed, and check later that it is still there.
 */
#ifndef FERRITE_TESTS_BYTE_PATTERNS_H
#define FERRITE_TESTS_BYTE_PATTERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint8_t pattern_byte(size_t index, uint8_t seed)
{
	return (uint8_t)(seed + index * 13 + (index >> 8));
}

static inline void fill(void *object, size_t size, uint8_t seed)
{
	uint8_t *bytes = object;

	for (size_t i = 0; i < size; i++)
		bytes[i] = pattern_byte(i, seed);
}

/* Return: true if bytes [@start, @size) of @object are what fill(@object, @size, @seed) wrote. */
static inline bool holds_from(const void *object, size_t start, size_t size, uint8_t seed)
{
	const uint8_t *bytes = object;

	for (size_t i = start; i < size; i++)
		if (bytes[i] != pattern_byte(i, seed))
			return false;
	return true;
}

/* Return: true if @object still holds what fill(@object, @size, @seed) wrote. */
static inline bool holds(const void *object, size_t size, uint8_t seed)
{
	return holds_from(object, 0, size, seed);
}

static inline bool all_bytes(const void *object, size_t size, uint8_t value)
{
	const uint8_t *bytes = object;

	for (size_t i = 0; i < size; i++)
		if (bytes[i] != value)
			return false;
	return true;
}

#endif
