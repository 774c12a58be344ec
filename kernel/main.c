// SPDX-License-Identifier: MIT
/*
 * kernel_main: the C entry point, called by boot/entry.asm on the kernel
 * stack with the boot page tables still live.  Brings up the consoles and
 * exception handling, reads the boot information and the memory map,
 * then runs the self-tests the command line selects.
 */
#include <stdint.h>

#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <asm/memlayout.h>
#include <asm/traps.h>
#include <asm/tsc.h>
#include <boot.h>
#include <kernel.h>
#include <ktest.h>
#include <mm.h>
#include <printk.h>
#include <serial.h>
#include <shutdown.h>

extern uint64_t boot_pml4[512];

/* The identity map was needed only to reach the kernel window; drop it so page 0 faults. */
static void drop_identity_map(void)
{
	uint64_t *pml4 = __va((uint64_t)boot_pml4);

	pml4[0] = 0;
	write_cr3(read_cr3());
}

static void run_selftests(const char *glob)
{
	unsigned failed;

	if (!glob) {
		pr_info("ktest: %zu suites built in; none selected (boot with ktest=GLOB)\n",
			ktest_suite_count());
		kernel_exit(EXIT_PASS);
	}
	failed = ktest_run_all(glob);
	kernel_exit(failed ? EXIT_FAIL : EXIT_PASS);
}

void kernel_main(uint32_t magic, uint32_t info_phys)
{
	serial_init();
	tsc_calibrate();
	gdt_init();
	idt_init();
	drop_identity_map();
	cpu_features_init();

	boot_setup(magic, info_phys);
	cpu_features_print();
	mm_init(boot_get_memmap());
	run_selftests(boot_cmdline_get("ktest"));
}
