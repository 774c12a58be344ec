// SPDX-License-Identifier: MIT
/*
 * Exception handling: fixups for instructions allowed to fault, and a
 * full report for every other exception.
 *
 * A report names the vector, the error code (decoded for #PF), RIP as
 * function+offset, CR2 and its region for #PF, the registers and a
 * frame-pointer backtrace.  Then the CPU halts -- unless a self-test is
 * running, in which case that test fails and the runner goes on.
 */
#include <asm/cpu.h>
#include <asm/extable.h>
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <asm/probe.h>
#include <asm/traps.h>
#include <hardirq.h>
#include <kernel.h>
#include <ktest.h>
#include <nmi.h>
#include <printk.h>
#include <shutdown.h>
#include <spinlock.h>
#include <smp.h>
#include <symbols.h>
#include <vmalloc.h>

#define BACKTRACE_DEPTH 24

/* Interrupt nesting per CPU (<hardirq.h>). */
struct irq_context irq_context[NR_CPUS];

static const char *const vector_names[32] = {
	[X86_DE] = "#DE divide error",
	[X86_DB] = "#DB debug",
	[X86_NMI] = "NMI",
	[X86_BP] = "#BP breakpoint",
	[X86_OF] = "#OF overflow",
	[X86_BR] = "#BR bound range exceeded",
	[X86_UD] = "#UD invalid opcode",
	[X86_NM] = "#NM device not available",
	[X86_DF] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[X86_TS] = "#TS invalid TSS",
	[X86_NP] = "#NP segment not present",
	[X86_SS] = "#SS stack-segment fault",
	[X86_GP] = "#GP general protection",
	[X86_PF] = "#PF page fault",
	[X86_MF] = "#MF x87 floating-point error",
	[X86_AC] = "#AC alignment check",
	[X86_MC] = "#MC machine check",
	[X86_XM] = "#XM SIMD floating-point",
	[X86_VE] = "#VE virtualization exception",
	[X86_CP] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security exception",
};

/* Reports under way on each CPU (a fault while reporting one is nested). */
static int nesting[NR_CPUS];

const char *exception_name(uint64_t vector)
{
	if (vector < 32 && vector_names[vector])
		return vector_names[vector];
	return "reserved vector";
}

static void print_page_fault_bits(uint64_t error)
{
	pr_emerg("error code 0x%llx: %s, %s, %s mode%s%s%s%s\n", (unsigned long long)error,
		 error & PF_PRESENT ? "protection violation" : "page not present",
		 error & PF_INSTR ? "instruction fetch" : error & PF_WRITE ? "write" : "read",
		 error & PF_USER ? "user" : "kernel",
		 error & PF_RSVD ? ", reserved bit set" : "",
		 error & PF_PK ? ", protection key" : "",
		 error & PF_SS ? ", shadow stack" : "",
		 error & PF_SGX ? ", SGX" : "");
}

void backtrace_from(uint64_t rip, uint64_t rbp)
{
	unsigned int switched_stacks = 0;
	char sym[96];

	pr_emerg("Call trace:\n");
	if (rip)
		pr_emerg(" [<%016llx>] %s\n", (unsigned long long)rip,
			 symbol_format(rip, sym, sizeof(sym)));
	for (int depth = 0; depth < BACKTRACE_DEPTH && rbp; depth++) {
		uint64_t next_rbp, return_address;

		if (!IS_ALIGNED(rbp, 8) || rbp < KERNEL_VMA / 2)
			break;
		if (probe_read_u64((void *)rbp, &next_rbp) || probe_read_u64((void *)(rbp + 8), &return_address))
			break;
		if (!return_address)
			break;
		pr_emerg(" [<%016llx>] %s\n", (unsigned long long)return_address,
			 symbol_format(return_address - 1, sym, sizeof(sym)));
		/*
		 * Frames grow upward; an interrupt handler's chain goes on, once,
		 * into the stack it interrupted (call_on_stack), wherever that is.
		 */
		if (next_rbp <= rbp && switched_stacks++)
			break;
		rbp = next_rbp;
	}
}

void exception_report(const struct trap_frame *f)
{
	char sym[96];

	pr_emerg("------------[ exception: %s ]------------\n", exception_name(f->vector));
	if (f->vector == X86_PF) {
		uint64_t cr2 = read_cr2();
		print_page_fault_bits(f->error_code);
		struct page_walk walk;
		bool mapped = walk_kernel_address_for_report(cr2, &walk);

		char area[160];

		pr_emerg("CR2: %016llx (%s, %s)\n", (unsigned long long)cr2, address_region_name(cr2),
			 mapped ? "mapped" : "not mapped");
		if (vmalloc_describe_address(cr2, area, sizeof(area)))
			pr_emerg("CR2 is in the %s\n", area);
		print_page_walk(cr2);
	} else {
		pr_emerg("error code 0x%llx\n", (unsigned long long)f->error_code);
	}
	pr_emerg("RIP: %04llx:%016llx %s\n", (unsigned long long)f->cs, (unsigned long long)f->rip,
		 symbol_format(f->rip, sym, sizeof(sym)));
	pr_emerg("RSP: %04llx:%016llx RFLAGS: %08llx\n", (unsigned long long)f->ss,
		 (unsigned long long)f->rsp, (unsigned long long)f->rflags);
	pr_emerg("RAX: %016llx RBX: %016llx RCX: %016llx\n", (unsigned long long)f->rax,
		 (unsigned long long)f->rbx, (unsigned long long)f->rcx);
	pr_emerg("RDX: %016llx RSI: %016llx RDI: %016llx\n", (unsigned long long)f->rdx,
		 (unsigned long long)f->rsi, (unsigned long long)f->rdi);
	pr_emerg("RBP: %016llx R08: %016llx R09: %016llx\n", (unsigned long long)f->rbp,
		 (unsigned long long)f->r8, (unsigned long long)f->r9);
	pr_emerg("R10: %016llx R11: %016llx R12: %016llx\n", (unsigned long long)f->r10,
		 (unsigned long long)f->r11, (unsigned long long)f->r12);
	pr_emerg("R13: %016llx R14: %016llx R15: %016llx\n", (unsigned long long)f->r13,
		 (unsigned long long)f->r14, (unsigned long long)f->r15);
	pr_emerg("CR0: %016llx CR3: %016llx CR4: %016llx\n", (unsigned long long)read_cr0(),
		 (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	backtrace_from(f->rip, f->rbp);
}

/*
 * A fault on the first instruction of a function reached through
 * probe_execute(): the table is keyed on the call's return address, which
 * is on top of the stack.  Return: the recovery address, or 0.
 */
static uint64_t fixup_for_failed_call(struct trap_frame *f)
{
	uint64_t return_address, fixup;

	if (f->vector != X86_PF || !(f->error_code & PF_INSTR) || f->rip != read_cr2())
		return 0;
	if (probe_read_u64((void *)f->rsp, &return_address))
		return 0;
	fixup = extable_search(return_address);
	if (fixup)
		f->rsp += 8;
	return fixup;
}

/* Faults a listed instruction may raise; an NMI or #MC arriving there is no fault of it. */
static bool fixup_applies(uint64_t vector)
{
	return vector == X86_DE || vector == X86_UD || vector == X86_GP || vector == X86_PF ||
	       vector == X86_SS || vector == X86_AC;
}

void exception_dispatch(struct trap_frame *f)
{
	uint64_t fixup;

	if (f->vector == X86_NMI) {
		nmi_dispatch(f);
		return;
	}
	fixup = fixup_applies(f->vector) ? extable_search(f->rip) : 0;

	assert_irqs_disabled();
	if (!fixup && fixup_applies(f->vector))
		fixup = fixup_for_failed_call(f);
	if (fixup) {
		last_exception_fixup = (struct exception_fixup_record){
			.count = last_exception_fixup.count + 1,
			.vector = f->vector,
			.error_code = f->error_code,
			.fault_rip = f->rip,
			.cr2 = f->vector == X86_PF ? read_cr2() : 0,
		};
		f->rip = fixup;
		return;
	}

	if (++*this_cpu_ptr(nesting) > 2) {
		/* Faulting while reporting a fault: say so with as little as possible. */
		pr_emerg("nested %s at %016llx; halted\n", exception_name(f->vector),
			 (unsigned long long)f->rip);
		cpu_halt_forever();
	}
	exception_report(f);
	if (f->vector == X86_BP) {
		--*this_cpu_ptr(nesting);
		return;
	}
	/* Self-tests run on the boot CPU: a fault there fails the case; elsewhere, the run. */
	if (ktest_is_running() && smp_processor_id() == 0) {
		--*this_cpu_ptr(nesting);
		ktest_abort("unexpected exception");
	}
	smp_send_stop();
	kernel_exit(EXIT_CRASH);
}
