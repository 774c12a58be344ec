// SPDX-License-Identifier: MIT
/*
 * Cross calls: running a function on other CPUs (the contract is in smp.h).
 *
 * Requests.  Each CPU owns one request slot per target CPU
 * (call_slots[sender][target]).  A slot is busy from the moment it is
 * queued until the target has run its function (a call with wait) or is
 * about to run it (without: the function may run long, e.g. one that
 * itself calls back, and must not hold the slot meanwhile); a sender that finds its
 * slot for a target still busy (an earlier call without wait) waits for
 * it, serving its own queue meanwhile.  So no allocation, no lock, and at
 * most NR_CPUS requests ever sit in one queue.
 *
 * Queues.  call_queue[cpu] is a lock-free LIFO list: senders push with a
 * compare-and-swap; the target takes the whole list with one exchange,
 * reverses it (first queued, first run) and runs it.  A push onto an empty
 * queue sends the interrupt; a push onto a non-empty one needs none, the
 * interrupt already on its way will take it (the exchange happens after
 * the interrupt is taken, so nothing is missed).
 *
 * Ordering.  The sender writes func/info, then publishes the slot with a
 * release compare-and-swap; the target reads them after an acquire
 * exchange.  The target releases the slot with a release store after the
 * function returned; a waiting sender's acquire load then sees every
 * store the function made.
 *
 * No deadlock between two CPUs calling each other: a waiting sender runs
 * its own queue in its wait loop (interrupts may be off), so it serves the
 * other CPU while the other serves it.  TLB shootdowns are served there
 * too (tlb_shootdown_poll()).
 *
 * But a CPU spinning on a spinlock serves only shootdowns, not its call
 * queue: a sender that waits for its call while holding a lock another
 * CPU spins on (interrupts off) would wait forever.  So a sender that
 * waits must hold no spinlock (check_may_wait()), as in Linux -- except
 * one marked with spin_lock_allow_cross_calls(), which no CPU may spin on
 * with interrupts off (the spinlock code reports such a spin).
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/irq_vectors.h>
#include <asm/tlb.h>
#include <asm/tsc.h>
#include <errno.h>
#include <hardirq.h>
#include <kernel.h>
#include <printk.h>
#include <smp.h>
#include <spinlock.h>
#include <symbols.h>

/* A call not taken within this long is a hang (wait_for_slot()). */
#define CALL_TIMEOUT_MS 10000

struct call_request {
	struct call_request *next;
	smp_call_func_t func;
	void *info;
	unsigned int busy;      /* 1 from queueing until released (below) */
	bool wait;              /* released after the function returned; else before it runs */
};

struct cpumask cpu_online_mask;
uint32_t cpu_apic_id[NR_CPUS];

static struct call_request call_slots[NR_CPUS][NR_CPUS];
static struct call_request *call_queue[NR_CPUS];
static struct smp_call_stats call_stats;

/*
 * What each run_queue() in progress on a CPU has taken and not yet
 * released (runs nest: a function that waits for a call serves its queue).
 * A self-test case aborted out of a function (panic, KASSERT) on CPU 0
 * never returns to run_queue(): smp_call_abort_cleanup() releases the
 * request it was running and puts back the ones it had not run yet, so
 * their senders do not wait forever.  Not on the stack: the abort leaves
 * the stack behind.
 */
#define QUEUE_RUN_DEPTH 8
struct queue_run {
	struct call_request *current;   /* running now, not yet released */
	struct call_request *rest;      /* taken, not yet run (linked by next) */
};
static struct queue_run queue_runs[NR_CPUS][QUEUE_RUN_DEPTH];
static unsigned int queue_run_depth[NR_CPUS];

static void count(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* Run the requests taken from this CPU's queue. Interrupts off. */
static void run_queue(bool polling)
{
	unsigned int cpu = smp_processor_id(), depth = queue_run_depth[cpu];
	struct queue_run *run = depth < QUEUE_RUN_DEPTH ? &queue_runs[cpu][depth] : NULL;
	struct call_request *list = __atomic_exchange_n(&call_queue[cpu], NULL, __ATOMIC_ACQUIRE);
	struct call_request *ordered = NULL;

	while (list) {
		struct call_request *next = list->next;

		list->next = ordered;
		ordered = list;
		list = next;
	}
	while (ordered) {
		struct call_request *request = ordered;
		smp_call_func_t func = request->func;
		void *info = request->info;
		bool wait = request->wait;

		/* Read before the release: once free, the sender may reuse the slot. */
		ordered = request->next;
		if (run) {
			run->current = wait ? request : NULL;
			run->rest = ordered;
			queue_run_depth[cpu] = depth + 1;
		}
		if (!wait)
			__atomic_store_n(&request->busy, 0, __ATOMIC_RELEASE);
		func(info);
		count(&call_stats.run);
		if (polling)
			count(&call_stats.run_polling);
		if (wait)
			__atomic_store_n(&request->busy, 0, __ATOMIC_RELEASE);
		queue_run_depth[cpu] = depth;
	}
}

/* Push @request back onto this CPU's queue (it was taken but not run). */
static void requeue(unsigned int cpu, struct call_request *request)
{
	struct call_request *head = __atomic_load_n(&call_queue[cpu], __ATOMIC_RELAXED);

	do {
		request->next = head;
	} while (!__atomic_compare_exchange_n(&call_queue[cpu], &head, request, true,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

void smp_call_abort_cleanup(void)
{
	unsigned int cpu = smp_processor_id();
	uint64_t flags = local_irq_save();

	while (queue_run_depth[cpu]) {
		struct queue_run *run = &queue_runs[cpu][--queue_run_depth[cpu]];
		struct call_request *rest = run->rest;

		if (run->current)
			__atomic_store_n(&run->current->busy, 0, __ATOMIC_RELEASE);
		while (rest) {
			struct call_request *next = rest->next;

			requeue(cpu, rest);
			rest = next;
		}
	}
	if (__atomic_load_n(&call_queue[cpu], __ATOMIC_RELAXED))
		run_queue(false);
	local_irq_restore(flags);
}

void smp_call_function_interrupt(void)
{
	tlb_shootdown_poll();
	run_queue(false);
}

/* One turn of a wait loop: serve shootdowns and this CPU's queue, then pause. */
static void serve_while_waiting(void)
{
	uint64_t flags = local_irq_save();

	tlb_shootdown_poll();
	if (__atomic_load_n(&call_queue[smp_processor_id()], __ATOMIC_RELAXED))
		run_queue(true);
	local_irq_restore(flags);
	cpu_relax();
}

/*
 * Wait until @request (this CPU's slot for @cpu) is free.  A target that
 * has not taken it within CALL_TIMEOUT_MS is a hang (a deadlock, a CPU
 * stuck with interrupts off): reported by a panic naming both CPUs.
 */
static void wait_for_slot(struct call_request *request, unsigned int cpu)
{
	uint64_t started = rdtsc();
	uint64_t limit = tsc_khz ? tsc_khz * CALL_TIMEOUT_MS : ~0ull;

	while (__atomic_load_n(&request->busy, __ATOMIC_ACQUIRE)) {
		if (rdtsc() - started > limit) {
			char sym[96];

			panic("cross call: CPU %u waited %d ms for CPU %u to run %s",
			      smp_processor_id(), CALL_TIMEOUT_MS, cpu,
			      symbol_format((uintptr_t)request->func, sym, sizeof(sym)));
		}
		serve_while_waiting();
	}
}

/* Queue @func on @cpu (not this one) using this CPU's slot for it. */
static struct call_request *queue_request(unsigned int cpu, smp_call_func_t func, void *info,
					  bool wait)
{
	unsigned int self = smp_processor_id();
	struct call_request *request = &call_slots[self][cpu];
	struct call_request *head;
	uint64_t flags;

	/*
	 * From the last busy check to the push, interrupts stay off: an
	 * interrupt handler on this CPU may call this CPU's slot for @cpu too,
	 * and must find it either free and unqueued or busy and queued.
	 */
	for (;;) {
		wait_for_slot(request, cpu);
		flags = local_irq_save();
		if (!__atomic_load_n(&request->busy, __ATOMIC_ACQUIRE))
			break;
		local_irq_restore(flags);
	}
	request->func = func;
	request->info = info;
	request->wait = wait;
	request->busy = 1;
	head = __atomic_load_n(&call_queue[cpu], __ATOMIC_RELAXED);
	do {
		request->next = head;
	} while (!__atomic_compare_exchange_n(&call_queue[cpu], &head, request, true,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	count(&call_stats.requests);
	if (!head) {
		count(&call_stats.ipis);
		lapic_send_ipi(cpu_apic_id[cpu], CALL_FUNCTION_VECTOR);
	}
	local_irq_restore(flags);
	return request;
}

/* Panic if this CPU holds a spinlock: waiting for a call could deadlock (see top). */
static void check_may_wait(const char *caller)
{
	const struct held_locks *h = &held_locks[smp_processor_id()];

	for (unsigned int i = 0; i < h->depth && i < HELD_LOCKS_MAX; i++) {
		const spinlock_t *lock = h->stack[i].lock;

		if (!lock->cross_call_ok)
			panic("%s: waiting for other CPUs while holding spinlock '%s'", caller,
			      lock->name ? lock->name : "(unnamed)");
	}
}

static void run_here(smp_call_func_t func, void *info)
{
	uint64_t flags = local_irq_save();

	func(info);
	local_irq_restore(flags);
}

int smp_call_function_single(unsigned int cpu, smp_call_func_t func, void *info, bool wait)
{
	struct call_request *request;

	if (!cpu_online(cpu))
		return -ENXIO;
	if (cpu == smp_processor_id()) {
		run_here(func, info);
		return 0;
	}
	if (wait)
		check_may_wait(__func__);
	request = queue_request(cpu, func, info, wait);
	if (wait)
		wait_for_slot(request, cpu);
	return 0;
}

void smp_call_function_many(const struct cpumask *mask, smp_call_func_t func, void *info,
			    bool wait)
{
	unsigned int self = smp_processor_id(), cpu;
	struct cpumask targets = { __atomic_load_n(&mask->bits, __ATOMIC_ACQUIRE) &
				   __atomic_load_n(&cpu_online_mask.bits, __ATOMIC_ACQUIRE) &
				   ~(1ull << self) };

	if (wait && targets.bits)
		check_may_wait(__func__);
	for_each_cpu(cpu, &targets)
		queue_request(cpu, func, info, wait);
	if (wait)
		for_each_cpu(cpu, &targets)
			wait_for_slot(&call_slots[self][cpu], cpu);
}

void smp_call_function(smp_call_func_t func, void *info, bool wait)
{
	smp_call_function_many(&cpu_online_mask, func, info, wait);
}

void on_each_cpu(smp_call_func_t func, void *info, bool wait)
{
	unsigned int self = smp_processor_id(), cpu;
	struct cpumask others = { __atomic_load_n(&cpu_online_mask.bits, __ATOMIC_ACQUIRE) &
				  ~(1ull << self) };

	if (wait && others.bits)
		check_may_wait(__func__);
	for_each_cpu(cpu, &others)
		queue_request(cpu, func, info, wait);
	run_here(func, info);
	if (wait)
		for_each_cpu(cpu, &others)
			wait_for_slot(&call_slots[self][cpu], cpu);
}

void smp_get_call_stats(struct smp_call_stats *stats)
{
	stats->requests = __atomic_load_n(&call_stats.requests, __ATOMIC_RELAXED);
	stats->ipis = __atomic_load_n(&call_stats.ipis, __ATOMIC_RELAXED);
	stats->run = __atomic_load_n(&call_stats.run, __ATOMIC_RELAXED);
	stats->run_polling = __atomic_load_n(&call_stats.run_polling, __ATOMIC_RELAXED);
}
