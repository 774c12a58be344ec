// SPDX-License-Identifier: MIT
/*
 * kernel_main: the C entry point, called by boot/entry.asm on the kernel
 * stack with the boot page tables still live.  Brings up the consoles and
 * exception handling, reads the boot information and the memory map,
 * then runs the self-tests and benchmarks the command line selects, and
 * the monitor if it asks for it ("monitor").
 */
#include <stdint.h>

#include <asm/cpufeature.h>
#include <asm/paging_init.h>
#include <asm/traps.h>
#include <asm/tsc.h>
#include <acpi.h>
#include <bench.h>
#include <boot.h>
#include <cmdline.h>
#include <crash_test.h>
#include <gdb_checkpoint.h>
#include <irq.h>
#include <kernel.h>
#include <ktest.h>
#include <lockdep.h>
#include <mm.h>
#include <monitor.h>
#include <percpu.h>
#include <printk.h>
#include <replay.h>
#include <serial.h>
#include <shutdown.h>
#include <slab.h>
#include <smp.h>
#include <spinlock.h>

/* A spin longer than this is reported as a lockup: generous, as TCG with 4 vCPUs on 2 host cores is slow. */
#define SPIN_LOCKUP_MS 10000

/* page_poison=1 (or 0) on the command line, else the build's PAGE_POISON default. */
static bool page_poison_requested(void)
{
	const char *value = boot_cmdline_get("page_poison");
	bool on;

	if (!value)
		return CONFIG_PAGE_POISON_DEFAULT;
	if (kstrtobool(value, &on))
		return on;
	pr_warn("page_poison=%s: expected 1 or 0 (or on/off, y/n); poisoning stays %s\n", value,
		CONFIG_PAGE_POISON_DEFAULT ? "on" : "off");
	return CONFIG_PAGE_POISON_DEFAULT;
}

/*
 * Run the self-tests @glob selects, the trace replay if the command line
 * asks for it (replay[=N], include/replay.h), then the benchmarks @bench_glob
 * selects; then offer the monitor's prompt if @monitor, else end the run.
 */
static void run_selftests(const char *glob, const char *bench_glob, bool monitor)
{
	unsigned failed = 0;

	if (!glob && !bench_glob && !monitor && !boot_cmdline_get("replay"))
		pr_info("ktest: %zu suites built in; none selected (boot with ktest=GLOB)\n",
			ktest_suite_count());
	if (glob) {
		failed += ktest_run_all(glob);
		/* What the slab back-end holds once the self-tests are done. */
		slab_memory_print();
	}
	if (glob && lockdep_enabled)
		lockdep_print_dependencies();
	if (boot_cmdline_get("replay"))
		failed += replay_boot(boot_cmdline_get("replay"));
	if (bench_glob)
		failed += bench_run_all(bench_glob);
	gdb_checkpoint_run(boot_cmdline_get("gdb_checkpoint"));
	if (monitor)
		monitor_run();
	kernel_exit(failed ? EXIT_FAIL : EXIT_PASS);
}

void kernel_main(uint32_t magic, uint32_t info_phys)
{
	percpu_init_cpu(0);
	serial_init();
	tsc_calibrate();
	gdt_init();
	idt_init();
	drop_identity_map();
	cpu_features_init();

	boot_setup(magic, info_phys);
	if (tsc_khz)
		spin_lockup_cycles = tsc_khz * SPIN_LOCKUP_MS;
	lockdep_boot_option(boot_cmdline_get("lockdep"));
	cpu_features_print();
	mm_init(boot_get_firmware_map(), page_poison_requested(), boot_cmdline_get("slab_debug"));
	boot_start_deferred_console();
	acpi_init();
	irq_init();
	local_irq_enable();
	smp_init();
	crash_test_run(boot_cmdline_get("crash_on_cpu"));
	run_selftests(boot_cmdline_get("ktest"), boot_cmdline_get("bench"),
		      boot_cmdline_get("monitor") != NULL);
}
