/* SPDX-License-Identifier: MIT */
/* Small helpers every kernel file uses, and panic/BUG_ON/WARN_ON. */
#ifndef FERRITE_KERNEL_H
#define FERRITE_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __unused __attribute__((unused))

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

/*
 * panic: print the message, a register-free backtrace of the caller and
 * stop.  During a self-test the running case fails instead and the runner
 * goes on with the next one.  Context: any.
 */
__noreturn __printf(1, 2) void panic(const char *fmt, ...);

/* Report a violated invariant at file:line with a backtrace (WARN) or stop (BUG). */
void warn_slowpath(const char *file, int line, const char *cond);
__noreturn void bug_slowpath(const char *file, int line, const char *cond);

#define BUG() bug_slowpath(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond)                                                  \
	do {                                                          \
		if (unlikely(cond))                                   \
			bug_slowpath(__FILE__, __LINE__, #cond);      \
	} while (0)

/* Return: the truth value of @cond, so it can guard a recovery path. */
#define WARN_ON(cond)                                                 \
	({                                                            \
		bool warn_on_ = !!(cond);                             \
		if (unlikely(warn_on_))                               \
			warn_slowpath(__FILE__, __LINE__, #cond);     \
		warn_on_;                                             \
	})

#endif
