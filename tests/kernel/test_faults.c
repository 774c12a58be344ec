// SPDX-License-Identifier: MIT
/*
 * Exceptions: faults that are expected are recovered through the fixup
 * table with the right vector and details; the symbol table names code.
 */
#include <asm/extable.h>
#include <asm/memlayout.h>
#include <asm/paging.h>
#include <asm/probe.h>
#include <asm/traps.h>
#include <ktest.h>
#include <symbols.h>

void kernel_main(uint32_t magic, uint32_t info_phys);

static void test_page_fault_on_null_read(struct ktest *t)
{
	uint64_t before = last_exception_fixup.count, value;

	KEXPECT_EQ(t, probe_read_u64((void *)0x8, &value), -1);
	KEXPECT_UEQ(t, last_exception_fixup.count, before + 1);
	KEXPECT_UEQ(t, last_exception_fixup.vector, X86_PF);
	KEXPECT_UEQ(t, last_exception_fixup.cr2, 0x8);
	/* Not present, read, kernel mode. */
	KEXPECT_UEQ(t, last_exception_fixup.error_code & (PF_PRESENT | PF_WRITE | PF_USER), 0);
}

static void test_page_fault_on_unmapped_write(struct ktest *t)
{
	/* The self-test window is empty outside the paging tests. */
	volatile void *target = (void *)(KTEST_WINDOW_START + 0x1234000);
	struct page_walk walk;

	KASSERT_FALSE(t, walk_kernel_address((uint64_t)target, &walk));
	KEXPECT_EQ(t, probe_write_u64(target, 42), -1);
	KEXPECT_UEQ(t, last_exception_fixup.vector, X86_PF);
	KEXPECT_UEQ(t, last_exception_fixup.cr2, (uint64_t)target);
	KEXPECT_UEQ(t, last_exception_fixup.error_code & PF_WRITE, PF_WRITE);
}

static void test_mapped_access_does_not_fault(struct ktest *t)
{
	static uint64_t cell = 7;
	uint64_t before = last_exception_fixup.count, value = 0;

	KEXPECT_EQ(t, probe_write_u64(&cell, 99), 0);
	KEXPECT_EQ(t, probe_read_u64(&cell, &value), 0);
	KEXPECT_UEQ(t, value, 99);
	KEXPECT_UEQ(t, last_exception_fixup.count, before);
}

static void test_invalid_opcode(struct ktest *t)
{
	KEXPECT_EQ(t, probe_invalid_opcode(), -1);
	KEXPECT_UEQ(t, last_exception_fixup.vector, X86_UD);
}

static void test_divide_error(struct ktest *t)
{
	uint64_t quotient = 0;

	KEXPECT_EQ(t, probe_divide(100, 7, &quotient), 0);
	KEXPECT_UEQ(t, quotient, 14);
	KEXPECT_EQ(t, probe_divide(100, 0, &quotient), -1);
	KEXPECT_UEQ(t, last_exception_fixup.vector, X86_DE);
}

static void test_non_canonical_is_general_protection(struct ktest *t)
{
	uint64_t value;

	KEXPECT_EQ(t, probe_read_u64((void *)0x8000000000000000ul, &value), -1);
	KEXPECT_UEQ(t, last_exception_fixup.vector, X86_GP);
}

static void test_symbol_lookup(struct ktest *t)
{
	struct symbol sym;
	uint64_t main_address = (uint64_t)&kernel_main;
	char text[96];

	KASSERT_TRUE(t, symbol_count() > 10);
	KASSERT_TRUE(t, symbol_lookup(main_address + 3, &sym));
	KEXPECT_STREQ(t, sym.name, "kernel_main");
	KEXPECT_UEQ(t, sym.address, main_address);
	KEXPECT_UGT(t, sym.size, 3);
	KEXPECT_UEQ(t, symbol_address("exception_dispatch"), (uint64_t)&exception_dispatch);
	symbol_format(main_address + 0x10, text, sizeof(text));
	KEXPECT_TRUE(t, text[0] == 'k' && text[11] == '+' && text[12] == '0' && text[13] == 'x');
	KEXPECT_FALSE(t, symbol_lookup(0x1000, &sym));
}

static void case_unexpected_page_fault(struct ktest *t)
{
	volatile uint64_t *unmapped = (uint64_t *)(KTEST_WINDOW_START + 0x5000);

	(void)*unmapped;
	KEXPECT_TRUE(t, false); /* never reached */
}

static void case_unexpected_invalid_opcode(struct ktest *t)
{
	__asm__ volatile("ud2");
}

/* An exception nobody expected fails the running case; the runner goes on. */
static void test_unexpected_exception_fails_the_case(struct ktest *t)
{
	static const struct ktest_case page_fault = KTEST_CASE(case_unexpected_page_fault);
	static const struct ktest_case invalid_opcode = KTEST_CASE(case_unexpected_invalid_opcode);
	struct ktest result;
	const char *reason;

	KEXPECT_EQ(t, ktest_run_nested(&page_fault, &result, &reason), 1);
	KEXPECT_STREQ(t, reason, "unexpected exception");
	KEXPECT_EQ(t, ktest_run_nested(&invalid_opcode, &result, &reason), 1);
	KEXPECT_STREQ(t, reason, "unexpected exception");
	/* Exception handling still works after the aborted cases. */
	KEXPECT_EQ(t, probe_invalid_opcode(), -1);
}

static void test_exception_names(struct ktest *t)
{
	KEXPECT_STREQ(t, exception_name(X86_PF), "#PF page fault");
	KEXPECT_STREQ(t, exception_name(X86_DE), "#DE divide error");
	KEXPECT_STREQ(t, exception_name(15), "reserved vector");
}

KTEST_SUITE(faults,
	    KTEST_CASE(test_page_fault_on_null_read),
	    KTEST_CASE(test_page_fault_on_unmapped_write),
	    KTEST_CASE(test_mapped_access_does_not_fault),
	    KTEST_CASE(test_invalid_opcode),
	    KTEST_CASE(test_divide_error),
	    KTEST_CASE(test_non_canonical_is_general_protection),
	    KTEST_CASE(test_symbol_lookup),
	    KTEST_CASE(test_unexpected_exception_fails_the_case),
	    KTEST_CASE(test_exception_names));
