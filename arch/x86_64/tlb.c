// SPDX-License-Identifier: MIT
/*
 * TLB flushing, shootdowns and the range-flush ceiling (see asm/tlb.h).
 *
 * Shootdown protocol.  One shootdown runs at a time (shootdown_lock).  The
 * initiator has already changed the page tables; it flushes its own TLB,
 * writes the request (start, pages; 0 pages = everything), sets the bit of
 * every other online CPU in shootdown_pending, sends each a
 * CALL_FUNCTION_VECTOR interrupt, and waits until every bit is clear.  A
 * target flushes what the request says, then clears its bit.  Ordering
 * rules, each with its reason:
 *
 * 1. Page-table stores come before the pending bits are set (x86 keeps
 *    stores in order; the bits are set with a sequentially consistent
 *    read-modify-write): a target that saw its bit and flushed can only
 *    refill its TLB from the new entries.
 * 2. A target clears its bit only after its flush (release): when the
 *    initiator sees every bit clear, no CPU can still use the old
 *    translation, so the caller may hand the old page out again.
 * 3. Nothing is freed until the shootdown returned -- page-table pages
 *    included (arch/x86_64/paging.c releases them after the flush; vmalloc
 *    frees unmapped pages after its purge's flush): paging-structure
 *    caches are filled speculatively and may still point into a table
 *    page after it was unlinked.
 * 4. The request is read by targets only between seeing their bit and
 *    clearing it, and the initiator holds shootdown_lock until all bits
 *    are clear: the request cannot change under a target.  A target polls
 *    with interrupts off from seeing its bit to clearing it, so a nested
 *    poll (from an interrupt) cannot clear the bit first and let a newer
 *    request take the older one's place under the outer poll.
 * 5. The initiator waits with interrupts off (a handler on this CPU that
 *    flushed would deadlock on shootdown_lock); every wait loop with
 *    interrupts off -- spinlocks included -- calls tlb_shootdown_poll(), so
 *    a target spinning on a lock the initiator holds still flushes, and
 *    two CPUs shooting down at once serve each other while one waits for
 *    shootdown_lock.
 * 6. A target that has not flushed within SHOOTDOWN_TIMEOUT_MS is a hang,
 *    reported by a panic naming it, never a silent wait.
 *
 * Lock order: shootdown_lock is innermost -- taken under pagetable_lock
 * and vmap_lock, and no lock is taken while it is held.
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <asm/irq_vectors.h>
#include <asm/memlayout.h>
#include <asm/tlb.h>
#include <asm/tsc.h>
#include <kernel.h>
#include <printk.h>
#include <smp.h>
#include <spinlock.h>

#define INVPCID_ALL_INCLUDING_GLOBAL 2
#define CEILING_MIN 8
#define CEILING_MAX 512
#define SHOOTDOWN_TIMEOUT_MS 10000

struct tlb_stats tlb_stats;
/* Linux's default until measured (tlb_single_page_flush_ceiling). */
unsigned long tlb_flush_ceiling = 33;
bool tlb_shootdown_enabled = true;

static DEFINE_SPINLOCK(shootdown_lock);
/* Guarded by shootdown_lock; read by targets while their pending bit is set. */
static struct {
	uint64_t start;
	uint64_t pages;         /* 0: flush everything */
} shootdown_request;
/* CPUs that have not yet flushed the current request. */
static uint64_t shootdown_pending;

static void count(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static void invpcid_all(void)
{
	struct {
		uint64_t pcid, address;
	} descriptor = { 0, 0 };

	__asm__ volatile("invpcid %0, %1"
			 : : "m"(descriptor), "r"((uint64_t)INVPCID_ALL_INCLUDING_GLOBAL)
			 : "memory");
}

static void flush_everything(void)
{
	uint64_t flags = local_irq_save();
	uint64_t cr4 = read_cr4();

	if (boot_cpu.invpcid) {
		invpcid_all();
	} else if (cr4 & X86_CR4_PGE) {
		write_cr4(cr4 & ~X86_CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
	local_irq_restore(flags);
}

void __flush_tlb_all(void)
{
	flush_everything();
}

/* Flush @pages pages from @start on this CPU; 0 pages: everything. */
static void flush_local(uint64_t start, uint64_t pages)
{
	if (!pages) {
		flush_everything();
		return;
	}
	for (uint64_t i = 0; i < pages; i++)
		invlpg(start + i * PAGE_SIZE);
}

/*
 * Interrupts stay off from reading the pending bit to clearing it: an
 * interrupt in between could serve the same request, let its initiator
 * finish and a second initiator post a new one, and this outer poll would
 * then clear the new request's bit having flushed the old request's range.
 * With the bit set and interrupts off, only this CPU can clear it, so the
 * initiator holds the request still until then.
 */
void tlb_shootdown_poll(void)
{
	uint64_t bit = 1ull << raw_smp_processor_id();
	uint64_t flags;

	if (!(__atomic_load_n(&shootdown_pending, __ATOMIC_ACQUIRE) & bit))
		return;
	flags = local_irq_save();
	if (__atomic_load_n(&shootdown_pending, __ATOMIC_ACQUIRE) & bit) {
		flush_local(shootdown_request.start, shootdown_request.pages);
		count(&tlb_stats.served, 1);
		__atomic_fetch_and(&shootdown_pending, ~bit, __ATOMIC_RELEASE);
	}
	local_irq_restore(flags);
}

/*
 * A target that never flushed.  The request is dropped first: a panic on
 * CPU 0 during a self-test fails only the case and the run goes on, and a
 * pending bit left set would make that CPU flush a stale request later
 * and the next initiator's wait start from a wrong mask.
 */
static void shootdown_timeout(uint64_t missing)
{
	__atomic_store_n(&shootdown_pending, 0, __ATOMIC_SEQ_CST);
	panic("TLB shootdown: CPU(s) %#llx did not flush within %d ms",
	      (unsigned long long)missing, SHOOTDOWN_TIMEOUT_MS);
}

/* Flush on this CPU, then on every other online CPU; return when all did. */
static void shootdown(uint64_t start, uint64_t pages)
{
	uint64_t self = 1ull << raw_smp_processor_id();
	uint64_t others, flags, started, limit, left;
	unsigned int cpu;

	flush_local(start, pages);
	others = __atomic_load_n(&cpu_online_mask.bits, __ATOMIC_ACQUIRE) & ~self;
	if (!others || !tlb_shootdown_enabled)
		return;

	flags = local_irq_save();
	spin_lock(&shootdown_lock);
	shootdown_request.start = start;
	shootdown_request.pages = pages;
	__atomic_store_n(&shootdown_pending, others, __ATOMIC_SEQ_CST);
	for (uint64_t left_to_send = others; left_to_send; left_to_send &= left_to_send - 1) {
		cpu = (unsigned int)__builtin_ctzll(left_to_send);
		lapic_send_ipi(cpu_apic_id[cpu], CALL_FUNCTION_VECTOR);
	}
	count(&tlb_stats.shootdowns, 1);
	count(&tlb_stats.ipis, hweight64(others));
	count(pages ? &tlb_stats.pages : &tlb_stats.full_shootdowns, pages ? pages : 1);

	started = rdtsc();
	limit = tsc_khz ? tsc_khz * SHOOTDOWN_TIMEOUT_MS : ~0ull;
	while ((left = __atomic_load_n(&shootdown_pending, __ATOMIC_ACQUIRE)) != 0) {
		if (rdtsc() - started > limit)
			shootdown_timeout(left);
		cpu_relax();
	}
	spin_unlock(&shootdown_lock);
	local_irq_restore(flags);
}

void flush_tlb_one_kernel(uint64_t va)
{
	count(&tlb_stats.single, 1);
	shootdown(va & ~(PAGE_SIZE - 1), 1);
}

void flush_tlb_all(void)
{
	count(&tlb_stats.full, 1);
	shootdown(0, 0);
}

void flush_tlb_kernel_range(uint64_t start, uint64_t end)
{
	uint64_t pages;

	start &= ~(PAGE_SIZE - 1);
	if (end == start)
		return;
	/* Unsigned arithmetic: a range ending at the top of the address space has end == 0. */
	pages = (end - start + PAGE_SIZE - 1) / PAGE_SIZE;
	if (pages > tlb_flush_ceiling) {
		flush_tlb_all();
		return;
	}
	count(&tlb_stats.range, 1);
	shootdown(start, pages);
}

void tlb_stats_print(void)
{
	pr_info("tlb: flushes: %llu single, %llu range, %llu full; shootdowns: %llu rounds "
		"(%llu full), %llu IPIs, %llu pages, %llu requests served\n",
		(unsigned long long)tlb_stats.single, (unsigned long long)tlb_stats.range,
		(unsigned long long)tlb_stats.full, (unsigned long long)tlb_stats.shootdowns,
		(unsigned long long)tlb_stats.full_shootdowns, (unsigned long long)tlb_stats.ipis,
		(unsigned long long)tlb_stats.pages, (unsigned long long)tlb_stats.served);
}

#define MEASURE_PAGES 64

void tlb_measure_ceiling(void)
{
	/* The kernel's own data: mapped, and touching it is harmless. */
	static volatile uint8_t probe[MEASURE_PAGES][PAGE_SIZE] __attribute__((aligned(4096)));
	uint64_t start, invlpg_cycles, full_cycles, ceiling;

	for (int i = 0; i < MEASURE_PAGES; i++)
		(void)probe[i][0];
	start = rdtsc();
	for (int i = 0; i < MEASURE_PAGES; i++)
		invlpg((uint64_t)&probe[i][0]);
	invlpg_cycles = (rdtsc() - start) / MEASURE_PAGES;

	/* A full flush costs the flush itself plus refilling the working set. */
	start = rdtsc();
	flush_everything();
	for (int i = 0; i < MEASURE_PAGES; i++)
		(void)probe[i][0];
	full_cycles = rdtsc() - start;

	ceiling = invlpg_cycles ? full_cycles / invlpg_cycles : CEILING_MAX;
	if (ceiling < CEILING_MIN)
		ceiling = CEILING_MIN;
	if (ceiling > CEILING_MAX)
		ceiling = CEILING_MAX;
	tlb_flush_ceiling = ceiling;
	pr_info("TLB: invlpg %llu cycles/page, full flush + refill of %d pages %llu cycles; "
		"range flush ceiling %lu pages\n", (unsigned long long)invlpg_cycles, MEASURE_PAGES,
		(unsigned long long)full_cycles, tlb_flush_ceiling);
}
