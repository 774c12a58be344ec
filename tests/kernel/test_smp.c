// SPDX-License-Identifier: MIT
/*
 * SMP on the running machine: the CPUs the MADT listed came up (less what
 * nosmp/maxcpus= left out), each has its own per-CPU area and finds its
 * own number, cross calls reach one CPU, several and all of them with and
 * without waiting, two CPUs calling each other at once both finish, and an
 * NMI to another CPU spinning with interrupts off runs the stop handler's
 * ping path, reports where that CPU was, and the CPU goes on.
 * Cases that need a second CPU skip on one.
 */
#include <acpi.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/memlayout.h>
#include <asm/tsc.h>
#include <errno.h>
#include <kernel.h>
#include <ktest.h>
#include <smp.h>
#include <spinlock.h>
#include <symbols.h>

#define CROSS_CALLS 2000
#define WAIT_LIMIT_MS 5000

static bool need_two_cpus(struct ktest *t)
{
	if (num_online_cpus() >= 2)
		return true;
	ktest_skip(t, "one CPU online");
	return false;
}

/* Spin (PAUSE) until *@flag reaches @value or WAIT_LIMIT_MS passes. Return: true if reached. */
static bool wait_for_count(volatile unsigned int *flag, unsigned int value)
{
	uint64_t start = rdtsc();

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) < value) {
		if (tsc_khz && rdtsc() - start > tsc_khz * WAIT_LIMIT_MS)
			return false;
		cpu_relax();
	}
	return true;
}

/* wait_for_count() for a CPU with interrupts off: serve its call queue meanwhile. */
static bool wait_serving_calls(volatile unsigned int *flag, unsigned int value)
{
	uint64_t start = rdtsc();

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) < value) {
		if (tsc_khz && rdtsc() - start > tsc_khz * WAIT_LIMIT_MS)
			return false;
		smp_call_function_interrupt();
		cpu_relax();
	}
	return true;
}

static void test_online_count(struct ktest *t)
{
	const struct acpi_info *acpi = acpi_get_info();
	unsigned int listed = acpi && acpi->valid && acpi->madt.cpu_count ? acpi->madt.cpu_count : 1;

	KEXPECT_EQ(t, smp_cpus_listed, listed);
	KEXPECT_LE(t, smp_cpus_wanted, smp_cpus_listed);
	KEXPECT_EQ(t, num_online_cpus(), smp_cpus_wanted);
	KEXPECT_TRUE(t, cpu_online(0));
	KEXPECT_EQ(t, smp_processor_id(), 0);
	if (apic_mode != APIC_MODE_NONE)
		KEXPECT_UEQ(t, cpu_apic_id[0], lapic_id());
}

struct cpu_report {
	unsigned int calls;
	unsigned int cpu;
	uint32_t apic_id;
	struct percpu_area *area;
	bool irqs_off;
};

static struct cpu_report reports[NR_CPUS];

static void report_self(void *info)
{
	unsigned int cpu = smp_processor_id();
	struct cpu_report *r = &reports[cpu];

	r->cpu = cpu;
	r->apic_id = lapic_id();
	r->area = this_cpu_area();
	r->irqs_off = irqs_disabled();
	__atomic_fetch_add(&r->calls, 1, __ATOMIC_RELEASE);
}

static void test_percpu_areas_distinct(struct ktest *t)
{
	unsigned int cpu;

	if (!need_two_cpus(t))
		return;
	for (unsigned int i = 0; i < NR_CPUS; i++)
		reports[i] = (struct cpu_report){ 0 };
	on_each_cpu(report_self, NULL, true);
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		if (!cpu_online(i)) {
			KEXPECT_EQ(t, reports[i].calls, 0);
			continue;
		}
		KEXPECT_EQ(t, reports[i].calls, 1);
		KEXPECT_EQ(t, reports[i].cpu, i);
		/* The APIC ID is the hardware's own answer to "which CPU is this". */
		KEXPECT_UEQ(t, reports[i].apic_id, cpu_apic_id[i]);
		KEXPECT_PTR_EQ(t, reports[i].area, &percpu_areas[i]);
		KEXPECT_TRUE(t, reports[i].irqs_off);
	}
	for_each_online_cpu(cpu)
		for (unsigned int other = cpu + 1; other < NR_CPUS; other++)
			if (cpu_online(other))
				KEXPECT_UNE(t, cpu_apic_id[cpu], cpu_apic_id[other]);
}

static void test_call_single_wait_and_nowait(struct ktest *t)
{
	unsigned int cpu;

	if (!need_two_cpus(t))
		return;
	for_each_online_cpu(cpu) {
		reports[cpu] = (struct cpu_report){ 0 };
		KEXPECT_EQ(t, smp_call_function_single(cpu, report_self, NULL, true), 0);
		/* With wait, the call has run when the function returns. */
		KEXPECT_EQ(t, reports[cpu].calls, 1);
		KEXPECT_EQ(t, reports[cpu].cpu, cpu);
		KEXPECT_EQ(t, smp_call_function_single(cpu, report_self, NULL, false), 0);
		KEXPECT_TRUE(t, wait_for_count(&reports[cpu].calls, 2));
		KEXPECT_EQ(t, reports[cpu].cpu, cpu);
	}
}

static void test_call_offline_cpu_refused(struct ktest *t)
{
	unsigned int offline = NR_CPUS;

	for (unsigned int i = NR_CPUS; i-- > 0;)
		if (!cpu_online(i)) {
			offline = i;
			break;
		}
	if (offline == NR_CPUS) {
		ktest_skip(t, "every possible CPU is online");
		return;
	}
	KEXPECT_EQ(t, smp_call_function_single(offline, report_self, NULL, true), -ENXIO);
	KEXPECT_EQ(t, smp_call_function_single(NR_CPUS + 5, report_self, NULL, true), -ENXIO);
}

static unsigned int many_calls[NR_CPUS];

static void count_call(void *info)
{
	__atomic_fetch_add(&many_calls[smp_processor_id()], 1, __ATOMIC_RELEASE);
}

static void test_call_many_and_all(struct ktest *t)
{
	struct cpumask odd = { 0 };
	unsigned int cpu;

	if (!need_two_cpus(t))
		return;
	for (unsigned int i = 0; i < NR_CPUS; i++)
		many_calls[i] = 0;
	for (unsigned int i = 1; i < NR_CPUS; i += 2)
		cpumask_set_cpu(i, &odd);
	cpumask_set_cpu(0, &odd); /* this CPU: smp_call_function_many leaves it out */
	smp_call_function_many(&odd, count_call, NULL, true);
	for (unsigned int i = 0; i < NR_CPUS; i++)
		KEXPECT_EQ(t, many_calls[i], cpu_online(i) && (i & 1) ? 1 : 0);

	smp_call_function_many(&cpu_online_mask, count_call, NULL, false);
	for_each_online_cpu(cpu)
		if (cpu != 0)
			KEXPECT_TRUE(t, wait_for_count(&many_calls[cpu], (cpu & 1) + 1));
	KEXPECT_EQ(t, many_calls[0], 0);

	on_each_cpu(count_call, NULL, true);
	for_each_online_cpu(cpu)
		KEXPECT_EQ(t, many_calls[cpu], cpu == 0 ? 1 : (cpu & 1) + 2);
	on_each_cpu(count_call, NULL, false);
	for_each_online_cpu(cpu)
		KEXPECT_TRUE(t, wait_for_count(&many_calls[cpu], cpu == 0 ? 2 : (cpu & 1) + 3));
}

/*
 * Cross calls: every other CPU calls CPU 0 CROSS_CALLS times, waiting each
 * time, from inside a cross call, while CPU 0 calls each of them the same
 * number of times.  Each side waits with interrupts off for the other (the
 * others inside their cross call, CPU 0 by choice), so each serves the
 * other's calls only by polling its queue in its wait loop: run_polling
 * must grow.  A deadlock is not a hang but a failure: a call not taken
 * within the cross-call timeout panics.
 */
static unsigned int cross_done[NR_CPUS];
static unsigned int cross_received[NR_CPUS];
static unsigned int cross_finished;

static void cross_receive(void *info)
{
	__atomic_fetch_add(&cross_received[smp_processor_id()], 1, __ATOMIC_RELAXED);
}

static void cross_storm(void *info)
{
	for (unsigned int i = 0; i < CROSS_CALLS; i++) {
		smp_call_function_single(0, cross_receive, NULL, true);
		cross_done[smp_processor_id()]++;
	}
	__atomic_fetch_add(&cross_finished, 1, __ATOMIC_RELEASE);
}

static void test_concurrent_cross_calls(struct ktest *t)
{
	unsigned int cpu, others = num_online_cpus() - 1;
	struct smp_call_stats before, after;
	uint64_t flags;

	if (!need_two_cpus(t))
		return;
	for (unsigned int i = 0; i < NR_CPUS; i++)
		cross_done[i] = cross_received[i] = 0;
	cross_finished = 0;
	smp_get_call_stats(&before);
	flags = local_irq_save();
	for_each_online_cpu(cpu)
		if (cpu != 0)
			smp_call_function_single(cpu, cross_storm, NULL, false);
	for (unsigned int i = 0; i < CROSS_CALLS; i++)
		for_each_online_cpu(cpu)
			if (cpu != 0)
				smp_call_function_single(cpu, cross_receive, NULL, true);
	/* The others may still be calling: serve them by polling until they finished. */
	KEXPECT_TRUE(t, wait_serving_calls(&cross_finished, others));
	local_irq_restore(flags);
	smp_get_call_stats(&after);
	KEXPECT_UGT(t, after.run_polling, before.run_polling);
	KEXPECT_EQ(t, cross_received[0], CROSS_CALLS * others);
	for_each_online_cpu(cpu) {
		if (cpu == 0)
			continue;
		KEXPECT_EQ(t, cross_done[cpu], CROSS_CALLS);
		KEXPECT_EQ(t, cross_received[cpu], CROSS_CALLS);
	}
}

static unsigned int nmi_target_spinning, nmi_target_release;

/* Spin with interrupts off until released (or a few seconds): where the NMI must land. */
static __attribute__((noinline)) void nmi_target_spin(void *info)
{
	uint64_t flags = local_irq_save(), start = rdtsc();

	__atomic_store_n(&nmi_target_spinning, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&nmi_target_release, __ATOMIC_ACQUIRE) &&
	       !(tsc_khz && rdtsc() - start > tsc_khz * WAIT_LIMIT_MS))
		cpu_relax();
	__atomic_store_n(&nmi_target_spinning, 0, __ATOMIC_RELEASE);
	local_irq_restore(flags);
}

static void test_nmi_ping_and_resume(struct ktest *t)
{
	unsigned int cpu;
	uint64_t rip = 0;
	struct symbol sym;

	if (!need_two_cpus(t))
		return;
	for_each_online_cpu(cpu) {
		if (cpu == 0)
			continue;
		/* The NMI gets through interrupts off and reports where the CPU was. */
		nmi_target_spinning = nmi_target_release = 0;
		KASSERT_EQ(t, smp_run_on_idle_cpu(cpu, nmi_target_spin, NULL), 0);
		KASSERT_TRUE(t, wait_for_count(&nmi_target_spinning, 1));
		KEXPECT_EQ(t, smp_nmi_ping(cpu, &rip), 0);
		KEXPECT_TRUE(t, symbol_lookup(rip, &sym) && ktest_streq(sym.name, "nmi_target_spin"));
		/* It went on spinning after the NMI: it still answers the release. */
		__atomic_store_n(&nmi_target_release, 1, __ATOMIC_RELEASE);
		while (smp_idle_work_pending(cpu))
			cpu_relax();
		KEXPECT_EQ(t, nmi_target_spinning, 0);
		/* Still alive and serving calls after its NMI returned. */
		reports[cpu].calls = 0;
		KEXPECT_EQ(t, smp_call_function_single(cpu, report_self, NULL, true), 0);
		KEXPECT_EQ(t, reports[cpu].calls, 1);
	}
	KEXPECT_EQ(t, smp_nmi_ping(0, &rip), -1);
}

static DEFINE_SPINLOCK(held_across_call);

static void case_wait_holding_lock(struct ktest *t)
{
	spin_lock(&held_across_call);
	smp_call_function_single(1, count_call, NULL, true);
	spin_unlock(&held_across_call);
	KEXPECT_TRUE(t, false); /* never reached */
}

/* A call with wait while holding a spinlock panics (it could deadlock) and fails its case. */
/* Wait until CPU @cpu has no idle work. Return: false after WAIT_LIMIT_MS. */
static bool wait_for_idle(unsigned int cpu)
{
	uint64_t start = rdtsc();

	while (smp_idle_work_pending(cpu)) {
		if (tsc_khz && rdtsc() - start > tsc_khz * WAIT_LIMIT_MS)
			return false;
		cpu_relax();
	}
	return true;
}

static void test_wait_holding_lock_refused(struct ktest *t)
{
	static const struct ktest_case holding = KTEST_CASE(case_wait_holding_lock);
	struct ktest result;
	const char *reason;

	if (!need_two_cpus(t))
		return;
	/* Two failures: the panic, and the lock the aborted case still held. */
	KEXPECT_EQ(t, ktest_run_nested(&holding, &result, &reason), 2);
	KEXPECT_STREQ(t, reason, "panic");
	KEXPECT_FALSE(t, spin_is_locked(&held_across_call));
	/* Calls still work afterwards. */
	reports[1].calls = 0;
	KEXPECT_EQ(t, smp_call_function_single(1, report_self, NULL, true), 0);
	KEXPECT_EQ(t, reports[1].calls, 1);
}

/* Run on CPU 0 by a call from CPU 1: fails the case from inside the cross call. */
static void panic_in_call(void *info)
{
	panic("planted in a cross call");
}

static unsigned int caller_returned;

/* On CPU 1: call CPU 0 with wait, @info (panic_in_call or count_call). */
static void call_cpu0(void *info)
{
	smp_call_function_single(0, (smp_call_func_t)info, NULL, true);
	__atomic_store_n(&caller_returned, 1, __ATOMIC_RELEASE);
}

static void case_panic_in_cross_call(struct ktest *t)
{
	KASSERT_EQ(t, smp_run_on_idle_cpu(1, call_cpu0, (void *)panic_in_call), 0);
	/* The call arrives as an interrupt here and panics; the case never goes on. */
	wait_for_count(&caller_returned, 1);
}

/*
 * A case aborted inside a cross-call function on CPU 0 releases the
 * request: the caller's wait returns, and its slot works again.
 */
static void test_abort_in_cross_call_releases_request(struct ktest *t)
{
	static const struct ktest_case panicking = KTEST_CASE(case_panic_in_cross_call);
	struct ktest result;
	const char *reason;

	if (!need_two_cpus(t))
		return;
	caller_returned = 0;
	KEXPECT_EQ(t, ktest_run_nested(&panicking, &result, &reason), 1);
	KEXPECT_STREQ(t, reason, "panic");
	KEXPECT_TRUE(t, wait_for_count(&caller_returned, 1));
	KASSERT_TRUE(t, wait_for_idle(1));
	caller_returned = 0;
	KASSERT_EQ(t, smp_run_on_idle_cpu(1, call_cpu0, (void *)count_call), 0);
	KEXPECT_TRUE(t, wait_for_count(&caller_returned, 1));
	KASSERT_TRUE(t, wait_for_idle(1));
}

static unsigned int held_release;
static void *recorded_info;

/* A cross call on CPU 1 that keeps it from its idle loop until released. */
static void hold_cpu(void *info)
{
	uint64_t start = rdtsc();

	while (!__atomic_load_n(&held_release, __ATOMIC_ACQUIRE) &&
	       !(tsc_khz && rdtsc() - start > tsc_khz * WAIT_LIMIT_MS))
		cpu_relax();
}

static void record_info(void *info)
{
	__atomic_store_n(&recorded_info, info, __ATOMIC_RELEASE);
}

/* Idle work refused with -EBUSY leaves the pending work's info alone. */
static void test_idle_work_busy_keeps_info(struct ktest *t)
{
	static int first, second;

	if (!need_two_cpus(t))
		return;
	KASSERT_TRUE(t, wait_for_idle(1));
	held_release = 0;
	recorded_info = NULL;
	/* CPU 1 stays in this call, so the work below waits, published but not taken. */
	KASSERT_EQ(t, smp_call_function_single(1, hold_cpu, NULL, false), 0);
	KEXPECT_EQ(t, smp_run_on_idle_cpu(1, record_info, &first), 0);
	KEXPECT_EQ(t, smp_run_on_idle_cpu(1, record_info, &second), -EBUSY);
	__atomic_store_n(&held_release, 1, __ATOMIC_RELEASE);
	KASSERT_TRUE(t, wait_for_idle(1));
	KEXPECT_PTR_EQ(t, recorded_info, &first);
}

static void test_call_stats_count(struct ktest *t)
{
	struct smp_call_stats before, after;

	if (!need_two_cpus(t))
		return;
	smp_get_call_stats(&before);
	smp_call_function_single(1, count_call, NULL, true);
	smp_get_call_stats(&after);
	KEXPECT_UEQ(t, after.requests, before.requests + 1);
	KEXPECT_UGE(t, after.run, before.run + 1);
	KEXPECT_UGE(t, after.ipis, before.ipis + 1);
}

static void test_maxcpus_values(struct ktest *t)
{
	static const struct {
		const char *value;
		int result;
		unsigned int limit;
	} cases[] = {
		{ "2", 0, MIN(2, NR_CPUS) },
		{ "0", 0, 1 },
		{ "64", 0, MIN(64, NR_CPUS) },
		{ "99999999999999999999999", 0, NR_CPUS },
		{ "", -EINVAL, 77 },
		{ "two", -EINVAL, 77 },
		{ "2x", -EINVAL, 77 },
		{ "-1", -EINVAL, 77 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned int limit = 77;

		KEXPECT_EQ(t, smp_parse_maxcpus(cases[i].value, &limit), cases[i].result);
		KEXPECT_EQ(t, limit, cases[i].limit);
	}
	KEXPECT_EQ(t, smp_parse_maxcpus(NULL, NULL), -EINVAL);
}

KTEST_SUITE(smp,
	    KTEST_CASE(test_maxcpus_values),
	    KTEST_CASE(test_online_count),
	    KTEST_CASE(test_percpu_areas_distinct),
	    KTEST_CASE(test_call_single_wait_and_nowait),
	    KTEST_CASE(test_call_offline_cpu_refused),
	    KTEST_CASE(test_call_many_and_all),
	    KTEST_CASE(test_concurrent_cross_calls),
	    KTEST_CASE(test_nmi_ping_and_resume),
	    KTEST_CASE(test_wait_holding_lock_refused),
	    KTEST_CASE(test_abort_in_cross_call_releases_request),
	    KTEST_CASE(test_idle_work_busy_keeps_info),
	    KTEST_CASE(test_call_stats_count));
