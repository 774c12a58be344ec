// SPDX-License-Identifier: MIT
/*
 * printk: format a message, prefix it with the time since boot and write
 * it to every console.  A lock keeps messages whole when several CPUs
 * print; a message printed while the lock is already held by this CPU (a
 * fault inside printk), or held by another CPU for over PRINTK_LOCK_WAIT_NS
 * (a CPU stopped by NMI while printing), is written without it rather than
 * deadlocking.
 *
 * Everything printed is also kept in log_buf, a ring of the last
 * LOG_BUF_SIZE bytes (Linux's name), which dmesg_print() shows again.
 */
#include <asm/cpu.h>
#include <asm/spin_wait.h>
#include <asm/tsc.h>
#include <console.h>
#include <kernel.h>
#include <kstring.h>
#include <percpu.h>
#include <printk.h>
#include <spinlock.h>

int console_loglevel = LOGLEVEL_DEFAULT + 1;
bool printk_time = true;

#define LOG_BUF_SIZE (64u * 1024u)
#define PRINTK_LOCK_WAIT_NS 200000000ull

/* printk_lock must be held (or this CPU is already inside printk) for all below. */
static DEFINE_SPINLOCK(printk_lock);
static bool at_line_start = true;
static char log_buf[LOG_BUF_SIZE];
static uint64_t log_next;       /* bytes ever logged; log_buf[log_next % LOG_BUF_SIZE] is next */
/* printk_capture(): guarded by printk_lock like the consoles. */
static char *capture_buffer;
static size_t capture_size, capture_used;

static void log_store(const char *text, size_t length)
{
	for (size_t i = 0; i < length; i++)
		log_buf[(log_next + i) % LOG_BUF_SIZE] = text[i];
	log_next += length;
}

void printk_capture(char *buffer, size_t size)
{
	uint64_t flags = local_irq_save();

	capture_buffer = size ? buffer : NULL;
	capture_size = size;
	capture_used = 0;
	if (capture_buffer)
		capture_buffer[0] = '\0';
	local_irq_restore(flags);
}

static void capture_append(const char *text, size_t length)
{
	while (length-- && capture_used + 1 < capture_size)
		capture_buffer[capture_used++] = *text++;
	capture_buffer[capture_used] = '\0';
}

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
	unsigned long long started = 0;

	while (!spin_trylock(&printk_lock)) {
		if (spin_is_held_by_this_cpu(&printk_lock))
			return false;
		if (!started)
			started = printk_clock_ns();
		else if (printk_clock_ns() - started > PRINTK_LOCK_WAIT_NS)
			return false;
		arch_spin_wait_relax();
	}
	return true;
}

static void printk_lock_give(void)
{
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
	if (printk_time && (level >= 0 || (level == LEVEL_CONT && at_line_start))) {
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
	log_store(line, used);
	if (capture_buffer)
		capture_append(line, used);

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

void console_print_raw(const char *text, size_t length)
{
	uint64_t flags = local_irq_save();
	bool locked = spin_trylock(&printk_lock);

	console_write(text, length);
	if (length)
		at_line_start = text[length - 1] == '\n';
	if (locked)
		spin_unlock(&printk_lock);
	local_irq_restore(flags);
}

/*
 * Written in chunks, the lock and interrupts given back between them: 64 KiB
 * at 115200 baud takes seconds.  Text overwritten meanwhile is skipped.
 */
#define DMESG_CHUNK 128u

void dmesg_print(void)
{
	uint64_t flags = local_irq_save();
	bool locked = spin_trylock(&printk_lock);
	uint64_t start = log_next > LOG_BUF_SIZE ? log_next - LOG_BUF_SIZE : 0;
	uint64_t end = log_next;

	/* A ring that wrapped starts mid-line: skip to the first whole line. */
	if (start)
		while (start < end && log_buf[start++ % LOG_BUF_SIZE] != '\n')
			;
	for (;;) {
		size_t offset, chunk;

		if (log_next > LOG_BUF_SIZE && start < log_next - LOG_BUF_SIZE)
			start = log_next - LOG_BUF_SIZE;
		if (start >= end)
			break;
		offset = start % LOG_BUF_SIZE;
		chunk = MIN(MIN(end - start, (uint64_t)(LOG_BUF_SIZE - offset)), (uint64_t)DMESG_CHUNK);
		console_write(log_buf + offset, chunk);
		start += chunk;
		if (locked)
			spin_unlock(&printk_lock);
		local_irq_restore(flags);
		flags = local_irq_save();
		locked = spin_trylock(&printk_lock);
	}
	if (locked)
		spin_unlock(&printk_lock);
	local_irq_restore(flags);
}
