// SPDX-License-Identifier: MIT
/*
 * Bringing up the other CPUs (application processors, APs).
 *
 * For each processor the MADT lists, one at a time, the boot CPU:
 *   1. allocates everything the AP will need -- its kernel stack, its IST
 *      and interrupt stacks (vmalloc areas: each ends above an unmapped
 *      guard page) -- because APs call no allocator (below);
 *   2. fills in the trampoline (trampoline.asm) in its page below 1 MiB
 *      and the start-up parameters (ap_boot_*);
 *   3. sends INIT, waits 10 ms, then up to two start-up IPIs 200 us apart,
 *      checking that each left the ICR and the ESR stays clear (Intel SDM
 *      vol. 3, 8.4.4.1; the MP specification's universal algorithm);
 *   4. waits up to AP_ANSWER_TIMEOUT_MS for the AP to mark itself online.
 *      An AP that does not answer is reported, sent INIT again (so it waits
 *      for a start-up IPI that never comes) and left out; the boot goes on.
 *      ap_entry64 lets only the AP whose CPUID reports ap_boot_apic_id
 *      claim the parameters: one answering late halts instead.
 * The AP, in smp_ap_start(): GS base, the boot CPU's CR0/CR4/EFER/PAT after
 * checking its CPUID has each feature they enable, its own GDT and TSS, the
 * shared IDT, a full TLB flush, its local APIC and timer, online, then the
 * idle loop (sti; hlt) serving interrupts.
 *
 * Works whether the firmware left the APs halted in wait-for-SIPI (SeaBIOS,
 * Bochs) or parked them in a loop of its own (OVMF): INIT resets either.
 *
 * Allocators.  All an AP needs (stacks, its GDT and TSS) is allocated
 * here, on the boot CPU, before it starts; once online it may call the
 * allocators like any CPU (see README's "on many CPUs" sections).
 */
#include <acpi.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <asm/irq_vectors.h>
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <asm/pat.h>
#include <asm/pgtable.h>
#include <asm/smpboot.h>
#include <asm/tlb.h>
#include <asm/traps.h>
#include <asm/tss.h>
#include <boot.h>
#include <delay.h>
#include <errno.h>
#include <irq.h>
#include <kernel.h>
#include <kstring.h>
#include <firmware_map.h>
#include <printk.h>
#include <smp.h>
#include <timer.h>
#include <vmalloc.h>

#define AP_STACK_SIZE (16 * 1024)
#define AP_ANSWER_TIMEOUT_MS 1000
#define ICR_IDLE_TIMEOUT_US 1000
#define LOW_MEMORY_END (1ul << 20)
#define X86_CR4_MCE (1ul << 6)
#define X86_CR4_SMEP (1ul << 20)
#define X86_CR4_SMAP (1ul << 21)
#define EFER_LMA (1ul << 10)

/* The trampoline's pages: code, then its top-level table, PDPT and page directory. */
enum { TRAMPOLINE_CODE, TRAMPOLINE_PML4, TRAMPOLINE_PDPT, TRAMPOLINE_PD, TRAMPOLINE_PAGES };

extern const char trampoline_start[], trampoline_end[];
extern const uint64_t trampoline_offsets[11];
enum {
	OFF_GDT, OFF_PROTECTED, OFF_LONG, OFF_GDT_POINTER_BASE, OFF_PROTECTED_JUMP,
	OFF_LONG_JUMP, OFF_CR3, OFF_EFER, OFF_CR0, OFF_ENTRY64, OFF_NO_NX,
};
extern char ap_entry64[];

/* Start-up parameters of the AP being started, read by ap_entry64. */
uint64_t ap_boot_cr3;
uint64_t ap_boot_stack;
uint32_t ap_boot_cpu;
uint32_t ap_boot_apic_id;   /* only the AP whose CPUID reports this ID may claim them */
uint32_t ap_boot_claimed;

unsigned int smp_cpus_listed = 1;
unsigned int smp_cpus_wanted = 1;

static uint64_t trampoline_phys[TRAMPOLINE_PAGES];
static unsigned int trampoline_pages_found;

/* What the boot CPU enabled; each AP enables exactly the same. */
static struct {
	uint64_t cr0, cr4, efer, pat;
	bool pat_written;
} boot_cpu_state;

/* Set by an AP that refused to start (written before it halts). */
static const char *volatile ap_refusal;

void smp_reserve_trampoline(const struct firmware_map *map)
{
	trampoline_pages_found = 0;
	for (size_t i = map->count; i-- > 0 && trampoline_pages_found < TRAMPOLINE_PAGES;) {
		const struct mem_range *r = &map->ranges[i];
		uint64_t base = ALIGN_UP(MAX(r->base, PAGE_SIZE), PAGE_SIZE);
		uint64_t end = ALIGN_DOWN(MIN(r->end, LOW_MEMORY_END), PAGE_SIZE);

		if (r->type != MEM_LOW)
			continue;
		/* Highest pages first: the lowest hold the real-mode IVT and BIOS data. */
		while (end > base && trampoline_pages_found < TRAMPOLINE_PAGES) {
			end -= PAGE_SIZE;
			trampoline_phys[trampoline_pages_found++] = end;
		}
	}
}

/* Copy the code, fill in its fields, and build its tables. */
static void trampoline_prepare(void)
{
	uint8_t *code = __va(trampoline_phys[TRAMPOLINE_CODE]);
	uint64_t page = trampoline_phys[TRAMPOLINE_CODE];
	uint64_t *pml4 = __va(trampoline_phys[TRAMPOLINE_PML4]);
	uint64_t *pdpt = __va(trampoline_phys[TRAMPOLINE_PDPT]);
	uint64_t *pd = __va(trampoline_phys[TRAMPOLINE_PD]);
	const uint64_t *kernel_pml4 = __va(paging_root());
	const uint64_t *off = trampoline_offsets;

	memcpy(code, trampoline_start, (size_t)(trampoline_end - trampoline_start));
	*(uint32_t *)(code + off[OFF_GDT_POINTER_BASE]) = (uint32_t)(page + off[OFF_GDT]);
	*(uint32_t *)(code + off[OFF_PROTECTED_JUMP]) = (uint32_t)(page + off[OFF_PROTECTED]);
	*(uint32_t *)(code + off[OFF_LONG_JUMP]) = (uint32_t)(page + off[OFF_LONG]);
	*(uint32_t *)(code + off[OFF_CR3]) = (uint32_t)trampoline_phys[TRAMPOLINE_PML4];
	*(uint32_t *)(code + off[OFF_EFER]) = (uint32_t)(boot_cpu_state.efer & ~EFER_LMA);
	*(uint32_t *)(code + off[OFF_CR0]) = (uint32_t)boot_cpu_state.cr0;
	*(uint64_t *)(code + off[OFF_ENTRY64]) = (uint64_t)ap_entry64;

	/* Identity map of the first 2 MiB (present, writable, large, executable)... */
	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	memset(pd, 0, PAGE_SIZE);
	pd[0] = 0 | PTE_PRESENT | PTE_WRITABLE | PTE_LARGE;
	pdpt[0] = trampoline_phys[TRAMPOLINE_PD] | PTE_PRESENT | PTE_WRITABLE;
	pml4[0] = trampoline_phys[TRAMPOLINE_PDPT] | PTE_PRESENT | PTE_WRITABLE;
	/* ...and the kernel half of the kernel's own tables, so ap_entry64 is reachable. */
	memcpy(&pml4[PT_ENTRIES / 2], &kernel_pml4[PT_ENTRIES / 2], PT_ENTRIES / 2 * sizeof(uint64_t));
}

static void save_boot_cpu_state(void)
{
	boot_cpu_state.cr0 = read_cr0();
	boot_cpu_state.cr4 = read_cr4();
	boot_cpu_state.efer = rdmsr(MSR_EFER);
	boot_cpu_state.pat_written = pat_enabled();
	if (boot_cpu_state.pat_written)
		boot_cpu_state.pat = rdmsr(MSR_IA32_PAT);
}

/*
 * Return: the name of a feature the boot CPU enabled that this CPU's CPUID
 * lacks, or NULL.  (NX is checked earlier, by the trampoline: EFER.NXE is
 * written there, and would fault without it.)
 */
static const char *missing_feature(void)
{
	struct cpuid_regs leaf1 = cpuid(1, 0);
	struct cpuid_regs leaf7 = boot_cpu.max_leaf >= 7 ? cpuid(7, 0) : (struct cpuid_regs){ 0 };
	uint64_t cr4 = boot_cpu_state.cr4;

	if ((cr4 & X86_CR4_PGE) && !(leaf1.edx & (1u << 13)))
		return "PGE";
	if (boot_cpu_state.pat_written && !(leaf1.edx & (1u << 16)))
		return "PAT";
	if ((cr4 & X86_CR4_SMEP) && !(leaf7.ebx & (1u << 7)))
		return "SMEP";
	if ((cr4 & X86_CR4_SMAP) && !(leaf7.ebx & (1u << 20)))
		return "SMAP";
	if ((cr4 & X86_CR4_MCE) && !(leaf1.edx & (1u << 7)))
		return "MCE";
	if (boot_cpu.invpcid && !(leaf7.ebx & (1u << 10)))
		return "INVPCID";
	return NULL;
}

/*
 * Work handed to an idle AP, run with interrupts on (smp_run_on_idle_cpu).
 * The sender claims the entry first (busy 0 -> 1), then writes info, then
 * publishes func with a release store: a sender refused with -EBUSY has
 * written nothing.  The AP clears func, then busy, once the work returned.
 */
static struct {
	smp_call_func_t func;
	void *info;
	unsigned int busy;
} idle_work[NR_CPUS];

static void take_idle_work(void *info)
{
	/* Nothing to do here: the interrupt woke the CPU, and the idle loop looks. */
}

int smp_run_on_idle_cpu(unsigned int cpu, smp_call_func_t func, void *info)
{
	unsigned int free = 0;

	if (!cpu_online(cpu) || cpu == smp_processor_id())
		return -ENXIO;
	if (!__atomic_compare_exchange_n(&idle_work[cpu].busy, &free, 1, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return -EBUSY;
	idle_work[cpu].info = info;
	__atomic_store_n(&idle_work[cpu].func, func, __ATOMIC_RELEASE);
	return smp_call_function_single(cpu, take_idle_work, NULL, false);
}

/*
 * Idle: halt until an interrupt (cross calls, the timer, shootdowns) and
 * serve it; run work handed over by smp_run_on_idle_cpu() with interrupts
 * on.  cli before the check, sti;hlt after it: an interrupt arriving in
 * between is taken after the hlt starts (STI's one-instruction shadow),
 * so no wake-up is lost.
 */
bool smp_idle_work_pending(unsigned int cpu)
{
	return __atomic_load_n(&idle_work[cpu].busy, __ATOMIC_ACQUIRE) != 0;
}

static __attribute__((noreturn)) void idle_loop(unsigned int cpu)
{
	for (;;) {
		smp_call_func_t func;

		__asm__ volatile("cli" ::: "memory");
		func = __atomic_load_n(&idle_work[cpu].func, __ATOMIC_ACQUIRE);
		if (func) {
			void *info = idle_work[cpu].info;

			__asm__ volatile("sti" ::: "memory");
			func(info);
			__atomic_store_n(&idle_work[cpu].func, NULL, __ATOMIC_RELAXED);
			__atomic_store_n(&idle_work[cpu].busy, 0, __ATOMIC_RELEASE);
			continue;
		}
		__asm__ volatile("sti; hlt" ::: "memory");
	}
}

static __attribute__((noreturn)) void ap_refuse(const char *why)
{
	ap_refusal = why;
	cpu_halt_forever();
}

/* C entry of an AP, on its own stack, on the kernel's tables, interrupts off. */
__attribute__((noreturn)) void smp_ap_start(unsigned int cpu);
__attribute__((noreturn)) void smp_ap_start(unsigned int cpu)
{
	const char *missing;

	percpu_init_cpu(cpu);
	missing = missing_feature();
	if (missing)
		ap_refuse(missing);
	wrmsr(MSR_EFER, boot_cpu_state.efer);
	write_cr4(boot_cpu_state.cr4);
	if (boot_cpu_state.pat_written)
		wrmsr(MSR_IA32_PAT, boot_cpu_state.pat);
	__asm__ volatile("mov %0, %%cr0" : : "r"(boot_cpu_state.cr0) : "memory");
	/* The PAT changed under entries the trampoline's tables may have cached. */
	write_cr3(read_cr3());
	gdt_init_cpu(cpu);
	idt_load();
	lapic_init();
	if (lapic_id() != cpu_apic_id[cpu])
		ap_refuse("started with another CPU's parameters");
	apic_timer_init_this_cpu();
	cpumask_set_cpu(cpu, &cpu_online_mask);
	/*
	 * Shootdowns skip CPUs not yet online: one made since this CPU loaded
	 * the kernel's tables may have found it offline.  From here on every
	 * shootdown includes it, so one flush now covers all it missed.
	 */
	__flush_tlb_all();
	idle_loop(cpu);
}

/* Everything CPU @cpu needs, allocated here: APs call no allocator. Return: 0 or -ENOMEM. */
static int allocate_cpu_resources(unsigned int cpu)
{
	static uint64_t stack_top[NR_CPUS];

	if (irq_stacks_alloc(cpu))
		return -ENOMEM;
	if (!stack_top[cpu]) {
		uint8_t *stack = vmalloc(AP_STACK_SIZE);

		if (!stack)
			return -ENOMEM;
		stack_top[cpu] = (uint64_t)stack + AP_STACK_SIZE;
	}
	ap_boot_stack = stack_top[cpu];
	return 0;
}

static bool send_and_check(const char *what, unsigned int cpu, uint32_t apic_id)
{
	uint32_t esr;

	if (!lapic_wait_icr_idle(ICR_IDLE_TIMEOUT_US)) {
		pr_err("smp: CPU %u (APIC ID %u): %s IPI not accepted (ICR still busy)\n", cpu,
		       apic_id, what);
		return false;
	}
	esr = lapic_read_esr();
	if (esr) {
		pr_err("smp: CPU %u (APIC ID %u): APIC error 0x%x after the %s IPI\n", cpu, apic_id,
		       esr, what);
		return false;
	}
	return true;
}

/* An AP that halted in the trampoline for want of NX (tr_no_nx set). */
static bool trampoline_found_no_nx(void)
{
	const volatile uint32_t *no_nx = __va(trampoline_phys[TRAMPOLINE_CODE] +
					      trampoline_offsets[OFF_NO_NX]);

	return *no_nx != 0;
}

static bool wait_online(unsigned int cpu, uint64_t timeout_us)
{
	for (uint64_t waited = 0; waited < timeout_us; waited += 10) {
		if (!ap_refusal && trampoline_found_no_nx())
			ap_refusal = "NX";
		if (cpu_online(cpu) || ap_refusal)
			return cpu_online(cpu);
		udelay(10);
	}
	return cpu_online(cpu);
}

/* INIT, SIPI, SIPI (Intel SDM vol. 3, 8.4.4.1). Return: true once CPU @cpu is online. */
static bool wake_cpu(unsigned int cpu, uint32_t apic_id)
{
	uint8_t vector = (uint8_t)(trampoline_phys[TRAMPOLINE_CODE] >> PAGE_SHIFT);

	lapic_read_esr();
	lapic_send_init(apic_id);
	if (!send_and_check("INIT", cpu, apic_id))
		return false;
	lapic_send_init_deassert(apic_id);
	send_and_check("INIT de-assert", cpu, apic_id);
	mdelay(10);
	for (int sipi = 0; sipi < 2; sipi++) {
		lapic_read_esr();
		lapic_send_sipi(apic_id, vector);
		udelay(200);
		if (!send_and_check("start-up", cpu, apic_id))
			return false;
		if (cpu_online(cpu))
			return true;
	}
	return wait_online(cpu, AP_ANSWER_TIMEOUT_MS * 1000ull);
}

/* Start the processor with APIC ID @apic_id as CPU @cpu. Return: true if it came online. */
static bool start_cpu(unsigned int cpu, uint32_t apic_id)
{
	if (allocate_cpu_resources(cpu)) {
		pr_err("smp: CPU %u (APIC ID %u): no memory for its stacks; left out\n", cpu, apic_id);
		return false;
	}
	cpu_apic_id[cpu] = apic_id;
	ap_boot_cr3 = paging_root();
	ap_boot_cpu = cpu;
	ap_boot_apic_id = apic_id;
	ap_refusal = NULL;
	trampoline_prepare();
	/* Parameters before the claim flag is opened; the IPIs come after both. */
	__atomic_store_n(&ap_boot_claimed, 0, __ATOMIC_SEQ_CST);
	if (wake_cpu(cpu, apic_id)) {
		pr_debug("smp: CPU %u (APIC ID %u) online\n", cpu, apic_id);
		return true;
	}
	/* Closed, so that an AP arriving late halts instead of using these parameters. */
	__atomic_store_n(&ap_boot_claimed, 1, __ATOMIC_SEQ_CST);
	/*
	 * And held in INIT (wait-for-SIPI), so that it does not run the
	 * trampoline while the next CPU's parameters are in it.  (A late AP
	 * that got past this still halts: its APIC ID is not the next one's.)
	 */
	lapic_read_esr();
	lapic_send_init(apic_id);
	send_and_check("INIT after the timeout", cpu, apic_id);
	if (ap_refusal)
		pr_err("smp: CPU %u (APIC ID %u) refused to start: %s; left out\n", cpu, apic_id,
		       ap_refusal);
	else
		pr_err("smp: CPU %u (APIC ID %u) did not answer within %d ms; left out\n", cpu,
		       apic_id, AP_ANSWER_TIMEOUT_MS);
	return false;
}

int smp_parse_maxcpus(const char *value, unsigned int *limit)
{
	unsigned long n = 0;

	if (!value || !*value)
		return -EINVAL;
	for (const char *p = value; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		n = n * 10 + (unsigned long)(*p - '0');
		if (n > NR_CPUS)
			n = NR_CPUS; /* more than can exist: no limit, and no overflow */
	}
	/* As in Linux, maxcpus=0 means the boot CPU alone. */
	*limit = n ? (unsigned int)n : 1;
	return 0;
}

/* How many CPUs the command line allows (nosmp, maxcpus=N); NR_CPUS if no limit. */
static unsigned int cmdline_cpu_limit(void)
{
	const char *maxcpus = boot_cmdline_get("maxcpus");
	unsigned int limit = NR_CPUS;

	if (boot_cmdline_get("nosmp"))
		return 1;
	if (maxcpus && smp_parse_maxcpus(maxcpus, &limit)) {
		pr_warn("smp: maxcpus=%s is not a number; ignored\n", maxcpus);
		return NR_CPUS;
	}
	return limit;
}

static void call_function_vector(struct trap_frame *frame)
{
	smp_call_function_interrupt();
}

void smp_init(void)
{
	const struct acpi_info *acpi = acpi_get_info();
	uint32_t self_id = apic_mode == APIC_MODE_NONE ? 0 : lapic_id();
	unsigned int limit = cmdline_cpu_limit(), next_cpu = 1;

	cpu_apic_id[0] = self_id;
	cpumask_set_cpu(0, &cpu_online_mask);
	set_system_vector(CALL_FUNCTION_VECTOR, call_function_vector);
	set_system_vector(CALL_FUNCTION_SINGLE_VECTOR, call_function_vector);
	smp_stop_init();

	smp_cpus_listed = acpi && acpi->valid && acpi->madt.cpu_count ? acpi->madt.cpu_count : 1;
	smp_cpus_wanted = MIN(smp_cpus_listed, limit);
	pr_info("smp: Bringing up secondary CPUs ...\n");
	if (smp_cpus_wanted > 1 && apic_mode == APIC_MODE_NONE) {
		pr_err("smp: no local APIC; running on one CPU\n");
		smp_cpus_wanted = 1;
	}
	if (smp_cpus_wanted > 1 && trampoline_pages_found < TRAMPOLINE_PAGES) {
		pr_err("smp: no %d free pages below 1 MiB for the start-up code (found %u); running "
		       "on one CPU\n", TRAMPOLINE_PAGES, trampoline_pages_found);
		smp_cpus_wanted = 1;
	}
	if (smp_cpus_wanted > 1) {
		save_boot_cpu_state();
		pr_debug("smp: start-up code at 0x%llx\n",
			 (unsigned long long)trampoline_phys[TRAMPOLINE_CODE]);
	}
	if (NR_CPUS == 1 && smp_cpus_listed > 1)
		pr_info("smp: a uniprocessor kernel (make NR_CPUS=1): %u CPUs left idle\n",
			smp_cpus_listed - 1);
	/* NR_CPUS > 1 first: a uniprocessor build compiles no start-up at all. */
	for (unsigned int i = 0; NR_CPUS > 1 && smp_cpus_wanted > 1 && i < acpi->madt.cpu_count; i++) {
		uint32_t apic_id = acpi->madt.cpus[i].apic_id;

		if (next_cpu >= smp_cpus_wanted)
			break;
		if (apic_id == self_id)
			continue;
		if (apic_mode == APIC_MODE_XAPIC && apic_id > 0xfe) {
			/* xAPIC IPIs carry an 8-bit destination (0xff is broadcast). */
			pr_err("smp: APIC ID %u cannot be reached in xAPIC mode; left out\n", apic_id);
			continue;
		}
		if (start_cpu(next_cpu, apic_id))
			next_cpu++;
	}
	pr_info("smp: Brought up 1 node, %u CPU%s\n", num_online_cpus(),
		num_online_cpus() == 1 ? "" : "s");
}
