// SPDX-License-Identifier: MIT
/*
 * The NMI handler (the contract is in include/nmi.h).
 *
 * Handler slots are published with release stores and read with acquire
 * loads; unregister clears the slot, then waits until no CPU is inside
 * the NMI path (nmi_running), so the handler's code and data may go away
 * after it returns.  No lock: an NMI must never wait for one.
 */
#include <asm/cpu.h>
#include <asm/io.h>
#include <errno.h>
#include <hardirq.h>
#include <irq.h>
#include <kernel.h>
#include <nmi.h>
#include <percpu.h>
#include <printk.h>

#define NMI_HANDLER_SLOTS 8
#define NMI_REASON_PORT 0x61
#define NMI_REASON_SERR 0x80
#define NMI_REASON_IOCHK 0x40
#define UNKNOWN_REPORT_LIMIT 5

static nmi_handler_t nmi_handlers[NMI_HANDLER_SLOTS];
static int nmi_running;

__attribute__((weak)) void nmi_handler_hook(struct trap_frame *frame)
{
}

int register_nmi_handler(nmi_handler_t handler)
{
	int free_slot = -1;

	for (int i = 0; i < NMI_HANDLER_SLOTS; i++) {
		nmi_handler_t h = __atomic_load_n(&nmi_handlers[i], __ATOMIC_ACQUIRE);

		if (h == handler)
			return -EEXIST;
		if (!h && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return -EBUSY;
	nmi_handler_t expected = NULL;
	if (!__atomic_compare_exchange_n(&nmi_handlers[free_slot], &expected, handler, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return register_nmi_handler(handler);
	return 0;
}

void unregister_nmi_handler(nmi_handler_t handler)
{
	for (int i = 0; i < NMI_HANDLER_SLOTS; i++) {
		nmi_handler_t expected = handler;

		if (__atomic_compare_exchange_n(&nmi_handlers[i], &expected, NULL, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			while (__atomic_load_n(&nmi_running, __ATOMIC_SEQ_CST))
				cpu_relax();
			return;
		}
	}
	pr_err("unregister_nmi_handler: %p is not registered\n", (void *)handler);
}

static void unknown_nmi(struct trap_frame *frame, struct irq_cpu_stats *stats)
{
	uint8_t reason = inb(NMI_REASON_PORT);

	if (++stats->nmi_unknown > UNKNOWN_REPORT_LIMIT)
		return;
	pr_emerg("Uhhuh. NMI received for unknown reason %02x on CPU %u.\n", reason, smp_processor_id());
	if (reason & NMI_REASON_SERR)
		pr_emerg("NMI: PCI system error (SERR)\n");
	if (reason & NMI_REASON_IOCHK)
		pr_emerg("NMI: I/O channel check (IOCHK)\n");
	pr_emerg("NMI at RIP %016llx; going on\n", (unsigned long long)frame->rip);
}

void nmi_dispatch(struct trap_frame *frame)
{
	unsigned int cpu = smp_processor_id();
	struct irq_cpu_stats *stats = &irq_stats[cpu];
	bool handled = false;

	irq_context[cpu].nmi_depth++;
	__atomic_add_fetch(&nmi_running, 1, __ATOMIC_SEQ_CST);
	stats->nmi++;
	for (int i = 0; i < NMI_HANDLER_SLOTS; i++) {
		nmi_handler_t h = __atomic_load_n(&nmi_handlers[i], __ATOMIC_ACQUIRE);

		if (h && h(frame) == NMI_HANDLED)
			handled = true;
	}
	nmi_handler_hook(frame);
	if (!handled)
		unknown_nmi(frame, stats);
	__atomic_sub_fetch(&nmi_running, 1, __ATOMIC_SEQ_CST);
	irq_context[cpu].nmi_depth--;
}
