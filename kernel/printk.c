// SPDX-License-Identifier: MIT
/*
 * printk: format a message, prefix it with the time since boot and write
 * it to every console.  A lock keeps messages whole when several CPUs
 * print; a message printed while the lock is already held by this CPU (a
 * fault inside printk), or held by another CPU for over PRINTK_LOCK_WAIT_NS
 * (a CPU stopped by NMI while printing), is written without it rather than
 * deadlocking.
 */
#include <asm/cpu.h>
#include <asm/tsc.h>
#include <console.h>
#include <kstring.h>
#include <percpu.h>
#include <printk.h>
#include <spinlock.h>

int console_loglevel = LOGLEVEL_DEFAULT + 1;

#define PRINTK_LOCK_WAIT_NS 200000000ull

static spinlock_t printk_lock = SPINLOCK_INIT;
static int printk_lock_owner = -1;      /* CPU holding printk_lock, or -1 */
static bool at_line_start = true;

unsigned long long printk_clock_ns(void)
{
	return tsc_delta_ns(tsc_boot, rdtsc());
}

#define LEVEL_CONT -1
#define LEVEL_RAW -2

/* Split a KERN_<LEVEL> prefix off @fmt. Return: the level, LEVEL_CONT or LEVEL_RAW. */
static int take_level(const char **fmt)
{
	const char *f = *fmt;

	if (f[0] != KERN_SOH[0] || !f[1])
		return LOGLEVEL_DEFAULT;
	*fmt = f + 2;
	if (f[1] == 'c')
		return LEVEL_CONT;
	if (f[1] == 'r')
		return LEVEL_RAW;
	if (f[1] >= '0' && f[1] <= '7')
		return f[1] - '0';
	return LOGLEVEL_DEFAULT;
}

/* Take printk_lock unless this CPU holds it or its holder seems stuck. Return: true if taken. */
static bool printk_lock_take(void)
{
	int self = (int)smp_processor_id();
	unsigned long long started = 0;

	while (!spin_trylock(&printk_lock)) {
		if (__atomic_load_n(&printk_lock_owner, __ATOMIC_RELAXED) == self)
			return false;
		if (!started)
			started = printk_clock_ns();
		else if (printk_clock_ns() - started > PRINTK_LOCK_WAIT_NS)
			return false;
		arch_spin_wait_relax();
	}
	__atomic_store_n(&printk_lock_owner, self, __ATOMIC_RELAXED);
	return true;
}

static void printk_lock_give(void)
{
	__atomic_store_n(&printk_lock_owner, -1, __ATOMIC_RELAXED);
	spin_unlock(&printk_lock);
}

int vprintk(const char *fmt, va_list args)
{
	char line[1024];
	size_t used = 0;
	int level = take_level(&fmt);
	int length;
	uint64_t flags;
	bool locked;

	if (level >= console_loglevel)
		return 0;
	flags = local_irq_save();
	locked = printk_lock_take();

	if (level >= 0 && !at_line_start)
		line[used++] = '\n';
	if (level >= 0 || (level == LEVEL_CONT && at_line_start)) {
		unsigned long long ns = printk_clock_ns();
		used += (size_t)snprintf(line + used, sizeof(line) - used, "[%5llu.%06llu] ",
					 ns / 1000000000ull, ns / 1000ull % 1000000ull);
	}
	length = vsnprintf(line + used, sizeof(line) - used, fmt, args);
	used += (size_t)length;
	if (used >= sizeof(line))
		used = sizeof(line) - 1;
	if (used)
		at_line_start = line[used - 1] == '\n';
	console_write(line, used);

	if (locked)
		printk_lock_give();
	local_irq_restore(flags);
	return length;
}

int printk(const char *fmt, ...)
{
	va_list args;
	int length;

	va_start(args, fmt);
	length = vprintk(fmt, args);
	va_end(args);
	return length;
}
