// SPDX-License-Identifier: MIT
/*
 * Stopping the other CPUs when one crashes, and NMI "pings" for tests.
 *
 * smp_send_stop() takes the other CPUs out of cpu_online_mask (so no
 * shootdown or cross call waits for them), marks them in stop_mask and
 * sends each an NMI -- which arrives even with interrupts off or inside a
 * spinning loop.  Each stopped CPU's NMI handler waits for its turn (the
 * CPUs print one after another, so reports stay whole), prints its CPU
 * number, RIP and backtrace, says it is done and halts.  The crashing CPU
 * gives each up to STOP_TIMEOUT_MS, then goes on to end the run.
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/traps.h>
#include <asm/tsc.h>
#include <lockdep.h>
#include <nmi.h>
#include <printk.h>
#include <smp.h>
#include <symbols.h>

#define STOP_TIMEOUT_MS 1000

static uint64_t stop_mask;        /* CPUs told to stop */
static uint64_t stopped_mask;     /* CPUs that printed their report */
static uint64_t halted_mask;      /* CPUs in the stop handler, or given up on: they run nothing else */
static int print_turn = -1;       /* the stopped CPU whose turn it is to print */
static uint64_t ping_mask;        /* CPUs asked to answer a test NMI */
static uint64_t ping_rip[NR_CPUS];

static bool waited_too_long(uint64_t started, uint64_t ms)
{
	return tsc_khz && rdtsc() - started > tsc_khz * ms;
}

static int smp_stop_nmi(struct trap_frame *frame)
{
	unsigned int cpu = smp_processor_id();
	uint64_t bit = 1ull << cpu;
	int handled = NMI_DONE;

	if (__atomic_load_n(&ping_mask, __ATOMIC_ACQUIRE) & bit) {
		ping_rip[cpu] = frame->rip;
		__atomic_fetch_and(&ping_mask, ~bit, __ATOMIC_RELEASE);
		handled = NMI_HANDLED;
	}
	if (__atomic_load_n(&stop_mask, __ATOMIC_ACQUIRE) & bit) {
		uint64_t started = rdtsc();
		char sym[96];

		__atomic_fetch_or(&halted_mask, bit, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&print_turn, __ATOMIC_ACQUIRE) != (int)cpu &&
		       !waited_too_long(started, 10 * STOP_TIMEOUT_MS))
			cpu_relax();
		pr_emerg("NMI backtrace for cpu %u (stopped)\n", cpu);
		pr_emerg("RIP: %016llx %s\n", (unsigned long long)frame->rip,
			 symbol_format(frame->rip, sym, sizeof(sym)));
		backtrace_from(frame->rip, frame->rbp);
		__atomic_fetch_or(&stopped_mask, bit, __ATOMIC_RELEASE);
		cpu_halt_forever();
	}
	return handled;
}

void smp_stop_init(void)
{
	register_nmi_handler(smp_stop_nmi);
}

bool smp_send_stop(void)
{
	static int stopping;
	unsigned int self = smp_processor_id(), cpu;
	struct cpumask others;

	debug_locks_off();
	if (__atomic_exchange_n(&stopping, 1, __ATOMIC_SEQ_CST))
		return false; /* another CPU is stopping everyone, this one included */
	others.bits = __atomic_load_n(&cpu_online_mask.bits, __ATOMIC_ACQUIRE) & ~(1ull << self);
	if (!others.bits)
		return true;
	__atomic_fetch_and(&cpu_online_mask.bits, ~others.bits, __ATOMIC_SEQ_CST);
	__atomic_store_n(&stop_mask, others.bits, __ATOMIC_SEQ_CST);
	/* NMIs first: a CPU holding printk_lock is printed past only once it is stopped. */
	for_each_cpu(cpu, &others)
		lapic_send_nmi(cpu_apic_id[cpu]);
	pr_emerg("smp: CPU %u stopping %u other CPU(s) with an NMI\n", self,
		 cpumask_weight(&others));
	for_each_cpu(cpu, &others) {
		uint64_t started = rdtsc();

		__atomic_store_n(&print_turn, (int)cpu, __ATOMIC_RELEASE);
		while (!(__atomic_load_n(&stopped_mask, __ATOMIC_ACQUIRE) & (1ull << cpu))) {
			if (waited_too_long(started, STOP_TIMEOUT_MS)) {
				pr_emerg("smp: CPU %u did not answer the stop NMI within %d ms\n", cpu,
					 STOP_TIMEOUT_MS);
				__atomic_fetch_or(&halted_mask, 1ull << cpu, __ATOMIC_SEQ_CST);
				break;
			}
			cpu_relax();
		}
	}
	return true;
}

bool cpu_is_stopped(unsigned int cpu)
{
	return cpu < NR_CPUS && (__atomic_load_n(&halted_mask, __ATOMIC_ACQUIRE) & (1ull << cpu));
}

int smp_nmi_ping(unsigned int cpu, uint64_t *rip)
{
	uint64_t bit = 1ull << cpu, started;

	if (!cpu_online(cpu) || cpu == smp_processor_id())
		return -1;
	__atomic_fetch_or(&ping_mask, bit, __ATOMIC_SEQ_CST);
	lapic_send_nmi(cpu_apic_id[cpu]);
	started = rdtsc();
	while (__atomic_load_n(&ping_mask, __ATOMIC_ACQUIRE) & bit) {
		if (waited_too_long(started, STOP_TIMEOUT_MS)) {
			__atomic_fetch_and(&ping_mask, ~bit, __ATOMIC_SEQ_CST);
			return -1;
		}
		cpu_relax();
	}
	*rip = ping_rip[cpu];
	return 0;
}
