// SPDX-License-Identifier: MIT
/*
 * Interrupt entry and exit: one self-IPI round trip -- the ICR write, the
 * delivery, the stub, irq_dispatch on the interrupt stack, a handler that
 * counts, the EOI and the IRETQ -- measured from the send until the
 * sender sees the count move.  Interrupts are on only inside the loop.
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/irq_vectors.h>
#include <bench.h>
#include <irq.h>

#define SELF_IPIS 2000

static volatile uint64_t self_ipis_taken;

static void count_self_ipi(struct trap_frame *frame)
{
	self_ipis_taken++;
}

static void bench_self_ipi(struct bench *b)
{
	uint64_t runs[BENCH_REPEATS];
	uint32_t self = lapic_id();
	uint64_t flags;

	if (apic_mode == APIC_MODE_NONE) {
		bench_fail(b, "no local APIC");
		return;
	}
	set_system_vector(IRQ_SELFTEST_VECTOR, count_self_ipi);
	flags = local_irq_save();
	local_irq_enable();
	for (unsigned r = 0; r < BENCH_REPEATS; r++) {
		uint64_t start = bench_cycles();

		for (unsigned i = 0; i < SELF_IPIS; i++) {
			uint64_t seen = self_ipis_taken;

			lapic_send_ipi(self, IRQ_SELFTEST_VECTOR);
			while (self_ipis_taken == seen)
				cpu_relax();
		}
		runs[r] = bench_cycles() - start;
	}
	local_irq_disable();
	local_irq_restore(flags);
	set_system_vector(IRQ_SELFTEST_VECTOR, NULL);
	bench_median_report(b, "irq_self_ipi", 0, SELF_IPIS, runs, BENCH_REPEATS);
}
BENCH_CASE(self_ipi, bench_self_ipi);
