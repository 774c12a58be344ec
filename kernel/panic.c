// SPDX-License-Identifier: MIT
/* panic(), BUG() and WARN() reports. */
#include <stdarg.h>

#include <asm/cpu.h>
#include <asm/traps.h>
#include <hardirq.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <shutdown.h>
#include <smp.h>

/* Backtrace starting at the caller of the function this is expanded in. */
#define backtrace_of_caller() backtrace_from(0, (uint64_t)__builtin_frame_address(0))

/* The CPU whose panic is being handled, -1 for none. */
static int panic_cpu = -1;

/*
 * A panic while another CPU's is being handled: that one may be a case's
 * panic on CPU 0, about to return to the runner and carry on, so this one
 * must not wait quietly.  Stop everything (CPU 0 included) and end the run;
 * if the other CPU is already doing that, it stops this one too.
 */
static void __attribute__((noreturn)) end_second_panic(const char *message)
{
	if (!smp_send_stop())
		cpu_halt_forever();
	pr_emerg("---[ end Kernel panic: %s ]---\n", message);
	kernel_exit(EXIT_CRASH);
}

void panic(const char *fmt, ...)
{
	int self = (int)smp_processor_id(), owner = -1;
	char message[256];
	va_list args;

	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);

	if (!__atomic_compare_exchange_n(&panic_cpu, &owner, self, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST)) {
		if (owner != self) {
			pr_emerg("Kernel panic on CPU %d while CPU %d panics: %s\n", self, owner,
				 message);
			backtrace_of_caller();
			end_second_panic(message);
		}
		pr_emerg("panic while panicking: %s\n", message);
		cpu_halt_forever();
	}
	pr_emerg("Kernel panic on CPU %d: %s\n", self, message);
	backtrace_of_caller();
	/*
	 * Self-tests run on the boot CPU: a panic there fails the case; elsewhere,
	 * or inside an NMI handler (which must end with its IRETQ), the run.
	 */
	if (ktest_is_running() && self == 0 && !in_nmi()) {
		__atomic_store_n(&panic_cpu, -1, __ATOMIC_SEQ_CST);
		ktest_abort("panic");
	}
	smp_send_stop();
	pr_emerg("---[ end Kernel panic: %s ]---\n", message);
	kernel_exit(EXIT_CRASH);
}

void warn_slowpath(const char *file, int line, const char *cond)
{
	pr_warn("------------[ cut here ]------------\n");
	pr_warn("WARNING: %s at %s:%d\n", cond, file, line);
	backtrace_of_caller();
	pr_warn("---[ end trace ]---\n");
}

void bug_slowpath(const char *file, int line, const char *cond)
{
	panic("kernel BUG at %s:%d: %s", file, line, cond);
}
