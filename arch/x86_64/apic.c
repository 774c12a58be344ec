// SPDX-License-Identifier: MIT
/*
 * The local APIC driver: mode choice, per-CPU enable, EOI, IPIs, ESR.
 *
 * xAPIC: the registers are a 4 KiB MMIO page at the base from the MADT
 * (or IA32_APIC_BASE before the ACPI tables are parsed), mapped uncached;
 * every register is a 32-bit access at a 16-byte aligned offset.
 * x2APIC: the same registers are MSRs 0x800 + offset / 16 (SDM 11.12); the
 * ICR becomes one 64-bit MSR with the destination in bits 32-63, EOI and
 * ESR take only 0, and WRMSR to these MSRs is not serializing, so an IPI
 * is preceded by a fence to make earlier stores visible to its target.
 */
#include <acpi.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/irq_vectors.h>
#include <asm/paging.h>
#include <delay.h>
#include <kernel.h>
#include <printk.h>

#define MSR_IA32_APIC_BASE 0x1bu
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_X2APIC_ENABLE (1ull << 10)  /* EXTD */
#define APIC_BASE_ENABLE (1ull << 11)         /* EN */
#define APIC_BASE_ADDRESS_MASK 0x000ffffffffff000ull

#define X2APIC_MSR_BASE 0x800u
#define X2APIC_MSR_ICR 0x830u

#define CPUID1_EDX_APIC (1u << 9)
#define CPUID1_ECX_X2APIC (1u << 21)

#define XAPIC_MMIO_SIZE 4096

enum apic_mode apic_mode;
static volatile uint32_t *xapic_mmio;
static uint64_t xapic_phys;

/*
 * The ACPI parser provides the real acpi_get_info(); until it is linked in,
 * this one says "no tables" and the base comes from IA32_APIC_BASE.
 */
__attribute__((weak)) const struct acpi_info *acpi_get_info(void)
{
	return NULL;
}

uint32_t lapic_read(uint32_t reg)
{
	if (apic_mode == APIC_MODE_X2APIC)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + (reg >> 4));
	return xapic_mmio[reg / 4];
}

void lapic_write(uint32_t reg, uint32_t value)
{
	if (apic_mode == APIC_MODE_X2APIC)
		wrmsr(X2APIC_MSR_BASE + (reg >> 4), value);
	else
		xapic_mmio[reg / 4] = value;
}

uint32_t lapic_id(void)
{
	if (apic_mode == APIC_MODE_X2APIC)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + (APIC_ID >> 4));
	if (apic_mode == APIC_MODE_XAPIC)
		return xapic_mmio[APIC_ID / 4] >> 24;
	return cpuid(1, 0).ebx >> 24;
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

bool lapic_vector_in_service(uint8_t vector)
{
	return lapic_read(APIC_ISR + (vector / 32) * 0x10) & (1u << (vector % 32));
}

bool lapic_vector_pending(uint8_t vector)
{
	return lapic_read(APIC_IRR + (vector / 32) * 0x10) & (1u << (vector % 32));
}

uint32_t lapic_read_esr(void)
{
	lapic_write(APIC_ESR, 0);
	return lapic_read(APIC_ESR);
}

bool lapic_wait_icr_idle(uint64_t timeout_us)
{
	uint64_t waited_us = 0;

	if (apic_mode != APIC_MODE_XAPIC)
		return true;
	while (lapic_read(APIC_ICR_LOW) & APIC_DELIVERY_PENDING) {
		if (waited_us++ >= timeout_us)
			return false;
		udelay(1);
	}
	return true;
}

/* Send one IPI: @low is ICR bits 0-31 (vector, delivery mode, shorthand...). */
static void send_ipi(uint32_t apic_id, uint32_t low)
{
	uint64_t flags;

	if (apic_mode == APIC_MODE_NONE)
		return;
	/* ICR high and low are two writes: an interrupt between them must not send an IPI of its own. */
	flags = local_irq_save();
	if (apic_mode == APIC_MODE_X2APIC) {
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(X2APIC_MSR_ICR, ((uint64_t)apic_id << 32) | low);
	} else {
		if (!lapic_wait_icr_idle(1000))
			pr_warn("APIC: ICR still busy after 1 ms; sending anyway\n");
		xapic_mmio[APIC_ICR_HIGH / 4] = apic_id << 24;
		xapic_mmio[APIC_ICR_LOW / 4] = low;
	}
	local_irq_restore(flags);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	send_ipi(apic_id, APIC_DM_FIXED | APIC_INT_ASSERT | vector);
}

void lapic_send_ipi_all_but_self(uint8_t vector)
{
	send_ipi(0, APIC_DEST_ALLBUT | APIC_DM_FIXED | APIC_INT_ASSERT | vector);
}

void lapic_send_nmi(uint32_t apic_id)
{
	send_ipi(apic_id, APIC_DM_NMI | APIC_INT_ASSERT);
}

void lapic_send_init(uint32_t apic_id)
{
	send_ipi(apic_id, APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT);
}

void lapic_send_init_deassert(uint32_t apic_id)
{
	if (apic_mode == APIC_MODE_XAPIC)
		send_ipi(apic_id, APIC_DM_INIT | APIC_INT_LEVELTRIG);
}

void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	send_ipi(apic_id, APIC_DM_STARTUP | page);
}

/* Boot CPU: which mode and where.  Return: false if this CPU has no local APIC. */
static bool choose_mode(void)
{
	struct cpuid_regs leaf1 = cpuid(1, 0);
	const struct acpi_info *acpi = acpi_get_info();
	uint64_t base_msr, base;

	if (!(leaf1.edx & CPUID1_EDX_APIC)) {
		pr_warn("APIC: no local APIC (CPUID.1:EDX[9] clear); interrupts stay off\n");
		return false;
	}
	base_msr = rdmsr(MSR_IA32_APIC_BASE);
	/* Firmware that handed over in x2APIC mode cannot be taken back to xAPIC without a reset of the APIC. */
	if ((leaf1.ecx & CPUID1_ECX_X2APIC) || (base_msr & APIC_BASE_X2APIC_ENABLE)) {
		apic_mode = APIC_MODE_X2APIC;
		pr_info("APIC: x2APIC mode (MSRs)\n");
		return true;
	}
	base = base_msr & APIC_BASE_ADDRESS_MASK;
	if (acpi && acpi->valid && acpi->madt.lapic_address) {
		if (acpi->madt.lapic_address != base)
			pr_info("APIC: MADT says LAPIC at %#llx, IA32_APIC_BASE %#llx; using the MADT's\n",
				(unsigned long long)acpi->madt.lapic_address, (unsigned long long)base);
		base = acpi->madt.lapic_address;
	}
	if (!IS_ALIGNED(base, XAPIC_MMIO_SIZE) || !base) {
		pr_err("APIC: LAPIC base %#llx is not page aligned; interrupts stay off\n",
		       (unsigned long long)base);
		return false;
	}
	xapic_mmio = ioremap(base, XAPIC_MMIO_SIZE, PAGE_KERNEL_IO);
	if (!xapic_mmio) {
		pr_err("APIC: cannot map the LAPIC at %#llx; interrupts stay off\n", (unsigned long long)base);
		return false;
	}
	xapic_phys = base;
	apic_mode = APIC_MODE_XAPIC;
	pr_info("APIC: xAPIC mode, LAPIC at %#llx\n", (unsigned long long)base);
	return true;
}

/* Turn the APIC on in IA32_APIC_BASE, in the chosen mode (SDM 11.12.5: xAPIC first, then x2APIC). */
static void enable_in_msr(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	if (apic_mode == APIC_MODE_XAPIC) {
		base = (base & ~APIC_BASE_ADDRESS_MASK) | xapic_phys;
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
		return;
	}
	if (!(base & APIC_BASE_ENABLE)) {
		base |= APIC_BASE_ENABLE;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	if (!(base & APIC_BASE_X2APIC_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_X2APIC_ENABLE);
}

/* The LINT pin wired to NMI: the MADT's, or LINT1 (the PC convention) without one; -1 for none. */
static int nmi_lint_pin(void)
{
	const struct acpi_info *acpi = acpi_get_info();

	if (!acpi || !acpi->valid)
		return 1;
	return acpi->madt.nmi_lint <= 1 ? (int)acpi->madt.nmi_lint : -1;
}

/* Acknowledge in-service vectors left over from the firmware or a previous kernel. */
static void drain_in_service(void)
{
	for (int round = 0; round < 256; round++) {
		bool any = false;

		for (int i = 0; i < 8; i++)
			any |= lapic_read(APIC_ISR + i * 0x10) != 0;
		if (!any)
			return;
		lapic_eoi();
	}
	pr_warn("APIC: in-service bits stuck on CPU with APIC ID %u\n", lapic_id());
}

void lapic_init(void)
{
	static bool mode_chosen;
	int nmi_pin;

	if (!mode_chosen) {
		mode_chosen = true;
		if (!choose_mode())
			apic_mode = APIC_MODE_NONE;
	}
	if (apic_mode == APIC_MODE_NONE)
		return;
	enable_in_msr();

	lapic_write(APIC_TPR, 0);
	lapic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_APIC_VECTOR);
	nmi_pin = nmi_lint_pin();
	lapic_write(APIC_LVT_LINT0, nmi_pin == 0 ? APIC_LVT_DM_NMI : APIC_LVT_MASKED);
	lapic_write(APIC_LVT_LINT1, nmi_pin == 1 ? APIC_LVT_DM_NMI : APIC_LVT_MASKED);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	/* The version register's max-LVT field (bits 16-23) says whether these exist. */
	if (((lapic_read(APIC_VERSION) >> 16) & 0xff) >= 4)
		lapic_write(APIC_LVT_PERF, APIC_LVT_MASKED);
	if (((lapic_read(APIC_VERSION) >> 16) & 0xff) >= 5)
		lapic_write(APIC_LVT_THERMAL, APIC_LVT_MASKED);
	lapic_write(APIC_LVT_ERROR, ERROR_APIC_VECTOR);
	/* Back-to-back writes clear ESR (SDM 11.5.3). */
	lapic_write(APIC_ESR, 0);
	lapic_write(APIC_ESR, 0);
	drain_in_service();
}
