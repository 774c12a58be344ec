// SPDX-License-Identifier: MIT
/*
 * printk from several CPUs at once: every online CPU prints long lines at
 * the same moment; each line must come out whole (printk_lock keeps a
 * message from interleaving with another), and the framebuffer console's
 * cursor must still lie on its grid afterwards.  A slow console (a serial
 * port at 115200 baud takes ~90 ms for a 1 KiB line) is played by a test
 * console that holds up the first lines for SLOW_WRITE_MS and counts
 * writes that overlap: the other CPUs must keep waiting for the lock
 * however long that takes.  Skips on one CPU.
 */
#include <asm/cpu.h>
#include <asm/tsc.h>
#include <console.h>
#include <delay.h>
#include <fbcon.h>
#include <kernel.h>
#include <kstring.h>
#include <ktest.h>
#include <printk.h>
#include <smp.h>

#define LINE_LENGTH 400
#define LINES_PER_CPU 6
#define WAIT_LIMIT_MS 10000
#define MARKER "printk-race:"
#define SLOW_WRITES 2
#define SLOW_WRITE_MS 300

static char capture[24 * 1024];
static int start_flag;

static char letter_of(unsigned int cpu)
{
	return (char)('A' + cpu);
}

/* Return: where MARKER starts in the @length bytes at @line, or NULL. */
static const char *find_marker(const char *line, size_t length)
{
	for (size_t i = 0; i + sizeof(MARKER) - 1 <= length; i++)
		if (!memcmp(line + i, MARKER, sizeof(MARKER) - 1))
			return line + i;
	return NULL;
}

static int slow_writes_left;
static int writers_inside;      /* CPUs inside slow_console_write() now */
static int overlapping_writes;  /* writes that began while another was still going */

/*
 * Count writes that overlap (two CPUs writing to the consoles at once);
 * while slow_writes_left lasts, each of our lines takes SLOW_WRITE_MS.
 */
static void slow_console_write(struct console *console, const char *text, size_t length)
{
	(void)console;
	if (__atomic_fetch_add(&writers_inside, 1, __ATOMIC_SEQ_CST))
		__atomic_fetch_add(&overlapping_writes, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&slow_writes_left, __ATOMIC_RELAXED) > 0 && find_marker(text, length) &&
	    __atomic_fetch_sub(&slow_writes_left, 1, __ATOMIC_RELAXED) > 0)
		mdelay(SLOW_WRITE_MS);
	__atomic_fetch_sub(&writers_inside, 1, __ATOMIC_SEQ_CST);
}

static struct console slow_console = {
	.name = "ktest-slow",
	.write = slow_console_write,
};

/* Wait for the start flag, then print LINES_PER_CPU lines of this CPU's letter. */
static void print_lines(void *unused)
{
	char line[LINE_LENGTH + 1];

	(void)unused;
	memset(line, letter_of(smp_processor_id()), LINE_LENGTH);
	line[LINE_LENGTH] = '\0';
	while (!__atomic_load_n(&start_flag, __ATOMIC_ACQUIRE))
		cpu_relax();
	for (int i = 0; i < LINES_PER_CPU; i++)
		pr_info(MARKER "%s\n", line);
}

/* Return: the CPU whose whole line @line (up to '\n') is, or -1 if it is torn. */
static int whole_line_cpu(const char *line, size_t length)
{
	const char *payload = find_marker(line, length);
	size_t offset;
	char letter;

	if (!payload)
		return -1;
	offset = (size_t)(payload - line) + sizeof(MARKER) - 1;
	if (length - offset != LINE_LENGTH)
		return -1;
	letter = line[offset];
	if (letter < 'A' || letter - 'A' >= NR_CPUS)
		return -1;
	for (size_t i = offset; i < length; i++)
		if (line[i] != letter)
			return -1;
	return letter - 'A';
}

static void test_lines_from_all_cpus_stay_whole(struct ktest *t)
{
	unsigned int whole[NR_CPUS] = { 0 }, torn = 0, cpu, self = smp_processor_id();
	const struct fb_text *screen = fbcon_text();
	struct cpumask others = cpu_online_mask;
	uint64_t started;
	size_t at = 0;

	if (num_online_cpus() < 2) {
		ktest_skip(t, "one CPU online");
		return;
	}
	if (console_loglevel <= LOGLEVEL_DEFAULT) {
		ktest_skip(t, "loglevel hides KERN_INFO lines");
		return;
	}
	if (!console_find(slow_console.name))
		console_register(&slow_console);
	__atomic_store_n(&overlapping_writes, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&slow_writes_left, SLOW_WRITES, __ATOMIC_RELAXED);
	cpumask_clear_cpu(self, &others);
	__atomic_store_n(&start_flag, 0, __ATOMIC_RELEASE);
	for_each_cpu(cpu, &others)
		KASSERT_EQ(t, smp_run_on_idle_cpu(cpu, print_lines, NULL), 0);
	printk_capture(capture, sizeof(capture));
	__atomic_store_n(&start_flag, 1, __ATOMIC_RELEASE);
	print_lines(NULL);
	started = rdtsc();
	for_each_cpu(cpu, &others)
		while (smp_idle_work_pending(cpu)) {
			if (tsc_khz && rdtsc() - started > tsc_khz * WAIT_LIMIT_MS) {
				printk_capture(NULL, 0);
				KASSERT_TRUE(t, !"a printing CPU never finished");
			}
			cpu_relax();
		}
	printk_capture(NULL, 0);
	KEXPECT_LE(t, __atomic_load_n(&slow_writes_left, __ATOMIC_RELAXED), 0);
	KEXPECT_EQ(t, __atomic_load_n(&overlapping_writes, __ATOMIC_RELAXED), 0);

	while (at < sizeof(capture) && capture[at]) {
		const char *end = strchr(capture + at, '\n');
		size_t length = end ? (size_t)(end - (capture + at)) : strlen(capture + at);
		int owner = whole_line_cpu(capture + at, length);

		if (owner >= 0)
			whole[owner]++;
		else if (find_marker(capture + at, length))
			torn++;
		at += length + 1;
	}
	KEXPECT_EQ(t, torn, 0);
	KEXPECT_EQ(t, whole[self], LINES_PER_CPU);
	for_each_cpu(cpu, &others)
		KEXPECT_EQ(t, whole[cpu], LINES_PER_CPU);
	if (screen) {
		KEXPECT_ULT(t, screen->row, screen->rows);
		KEXPECT_ULE(t, screen->column, screen->columns);
	}
}

KTEST_SUITE(printk,
	    KTEST_CASE(test_lines_from_all_cpus_stay_whole));
