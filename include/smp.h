/* SPDX-License-Identifier: MIT */
/*
 * smp.h: the CPUs, which of them are online, and running a function on
 * other CPUs (inter-processor interrupts).
 *
 * CPU numbers are dense, 0 (the boot CPU) to NR_CPUS - 1, in the order the
 * MADT lists the processors; cpu_apic_id[] maps them to local APIC IDs.
 * A CPU is online from the moment it finished its start-up until the boot
 * ends or a panic stops it; no CPU ever goes offline otherwise.
 *
 * Cross calls (kernel/smp.c): each CPU has a queue of requests (a lock-free
 * list); a sender pushes a request onto the target's queue and sends it a
 * CALL_FUNCTION_VECTOR interrupt if the queue was empty.  The target runs
 * the queued functions from the interrupt handler, in interrupt context
 * with interrupts off, and releases each request when its function
 * returned.  A sender that waits (for the request to be released) keeps
 * running its own queue meanwhile, so two CPUs calling each other at once
 * both make progress; it may wait with interrupts on or off.
 *
 * Rules for the function: it runs with interrupts off, must not sleep,
 * must not wait for the sender, and must not take a lock the sender holds
 * while it waits.
 */
#ifndef FERRITE_SMP_H
#define FERRITE_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include <percpu.h>

_Static_assert(NR_CPUS <= 64, "struct cpumask is one 64-bit word");

/* A set of CPUs, bit n = CPU n. */
struct cpumask {
	uint64_t bits;
};

typedef void (*smp_call_func_t)(void *info);

/* The CPUs online now (read with cpu_online()/num_online_cpus()). */
extern struct cpumask cpu_online_mask;

/* Local APIC ID of each CPU number; filled in before the CPU starts. */
extern uint32_t cpu_apic_id[NR_CPUS];

static inline bool cpumask_test_cpu(unsigned int cpu, const struct cpumask *mask)
{
	return cpu < NR_CPUS && (__atomic_load_n(&mask->bits, __ATOMIC_ACQUIRE) >> cpu) & 1;
}

static inline void cpumask_set_cpu(unsigned int cpu, struct cpumask *mask)
{
	__atomic_fetch_or(&mask->bits, 1ull << cpu, __ATOMIC_SEQ_CST);
}

static inline void cpumask_clear_cpu(unsigned int cpu, struct cpumask *mask)
{
	__atomic_fetch_and(&mask->bits, ~(1ull << cpu), __ATOMIC_SEQ_CST);
}

/* Bits set in @w (no POPCNT: the kernel is built for any x86_64). */
static inline unsigned int hweight64(uint64_t w)
{
	unsigned int n = 0;

	for (; w; w &= w - 1)
		n++;
	return n;
}

static inline unsigned int cpumask_weight(const struct cpumask *mask)
{
	return hweight64(__atomic_load_n(&mask->bits, __ATOMIC_ACQUIRE));
}

/* for_each_cpu(cpu, mask): each CPU in @mask, lowest first (a snapshot of it). */
#define for_each_cpu(cpu, mask)                                                        \
	for (uint64_t cpu##_left = __atomic_load_n(&(mask)->bits, __ATOMIC_ACQUIRE);   \
	     cpu##_left && ((cpu) = (unsigned int)__builtin_ctzll(cpu##_left), 1);     \
	     cpu##_left &= cpu##_left - 1)

#define for_each_online_cpu(cpu) for_each_cpu(cpu, &cpu_online_mask)

static inline bool cpu_online(unsigned int cpu)
{
	return cpumask_test_cpu(cpu, &cpu_online_mask);
}

static inline unsigned int num_online_cpus(void)
{
	return cpumask_weight(&cpu_online_mask);
}

/*
 * smp_call_function_single - run @func(@info) on CPU @cpu.
 * On this CPU it runs at once, with interrupts off.  With @wait, returns
 * after @func returned on @cpu; without, once the request is queued.
 * Context: any but NMI; interrupts on or off.  With @wait (and another CPU
 * to wait for), no spinlock may be held: a CPU spinning on it serves no
 * cross call, so the wait could never end; holding one panics.
 * Return: 0, or -ENXIO if @cpu is not online.
 */
int smp_call_function_single(unsigned int cpu, smp_call_func_t func, void *info, bool wait);

/*
 * smp_call_function_many - run @func(@info) on every online CPU in @mask
 * except this one (Linux semantics).  Offline CPUs in @mask are skipped.
 * Context and @wait: as smp_call_function_single().
 */
void smp_call_function_many(const struct cpumask *mask, smp_call_func_t func, void *info,
			    bool wait);

/* smp_call_function - smp_call_function_many() over every other online CPU. */
void smp_call_function(smp_call_func_t func, void *info, bool wait);

/*
 * on_each_cpu - run @func(@info) on every online CPU, this one included
 * (here with interrupts off).  With @wait, returns after all have run it.
 */
void on_each_cpu(smp_call_func_t func, void *info, bool wait);

/*
 * smp_call_function_interrupt - run this CPU's queued requests: the
 * handler of CALL_FUNCTION_VECTOR and CALL_FUNCTION_SINGLE_VECTOR, also
 * called by CPUs polling their queue while they wait.  Context: interrupts off.
 */
void smp_call_function_interrupt(void);

/*
 * smp_call_abort_cleanup - a self-test case was aborted (longjmp) out of a
 * cross-call function on this CPU: release the request it was running and
 * run the ones taken with it, so no sender waits forever.
 * Context: the self-test runner, after an abort (irq_abort_cleanup()).
 */
void smp_call_abort_cleanup(void);

/* Counters of the cross-call code (all CPUs). */
struct smp_call_stats {
	uint64_t requests;      /* requests queued */
	uint64_t ipis;          /* interrupts sent (a queue that was not empty needs none) */
	uint64_t run;           /* functions run from a queue */
	uint64_t run_polling;   /* ... of which by a CPU polling while it waited */
};

void smp_get_call_stats(struct smp_call_stats *stats);

/*
 * smp_init - bring up the other CPUs the MADT lists (arch/x86_64/smpboot.c),
 * honouring nosmp and maxcpus=N, and print "smp: Brought up 1 node, N CPUs".
 * Context: boot CPU, after irq_init(), interrupts on.
 */
void smp_init(void);

/*
 * smp_send_stop - stop every other online CPU with an NMI: each prints its
 * CPU number, RIP and backtrace, one after another, and halts.  Waits at
 * most a second for each.  Turns lockdep off first (debug_locks_off()).
 * Context: a crash (panic, unexpected exception).
 * Return: false if another CPU is already stopping everyone (this one
 * included: the caller should halt and wait for its NMI), true otherwise.
 */
bool smp_send_stop(void);

/*
 * cpu_is_stopped - whether smp_send_stop() has stopped CPU @cpu: it is in
 * the stop NMI handler (or never answered it), so whatever it was doing,
 * locks it held included, will never go on.
 * Return: true if stopped.  Context: any.
 */
bool cpu_is_stopped(unsigned int cpu);

/* Register the NMI handler behind smp_send_stop(). Context: boot CPU, smp_init(). */
void smp_stop_init(void);

/*
 * smp_nmi_ping - send CPU @cpu an NMI that its stop handler answers and
 * returns from (for tests of the NMI path); *@rip gets where it was.
 * Return: 0, or -1 if @cpu is not another online CPU or did not answer.
 */
int smp_nmi_ping(unsigned int cpu, uint64_t *rip);

/*
 * smp_run_on_idle_cpu - have idle CPU @cpu run @func(@info) from its idle
 * loop, with interrupts on (so it takes interrupts, shootdowns included,
 * while @func runs).  Returns once the work is handed over; @func must
 * return for the CPU to be idle again.  For tests and benchmarks.
 * Return: 0; -ENXIO if @cpu is this one or offline; -EBUSY if it has work.
 */
int smp_run_on_idle_cpu(unsigned int cpu, smp_call_func_t func, void *info);

/* True while CPU @cpu runs work from smp_run_on_idle_cpu(). */
bool smp_idle_work_pending(unsigned int cpu);

/*
 * smp_parse_maxcpus - read the value of maxcpus=: decimal digits only.
 * 0 means the boot CPU alone (as in Linux); values above NR_CPUS are NR_CPUS.
 * Return: 0 and *@limit, or -EINVAL (empty or not a number; *@limit untouched).
 */
int smp_parse_maxcpus(const char *value, unsigned int *limit);

/* CPUs the MADT listed as usable (1 without a usable MADT); set by smp_init(). */
extern unsigned int smp_cpus_listed;

/* CPUs smp_init() tried to start (listed, less nosmp/maxcpus=). */
extern unsigned int smp_cpus_wanted;

#endif /* FERRITE_SMP_H */
