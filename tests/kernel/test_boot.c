// SPDX-License-Identifier: MIT
/* The real boot's information and memory map are sane. */
#include <asm/memlayout.h>
#include <boot.h>
#include <ktest.h>

extern char __kernel_phys_start[], __kernel_phys_end[];

static bool usable_overlaps(const struct firmware_map *m, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < m->count; i++)
		if (m->ranges[i].type == MEM_USABLE && m->ranges[i].base < end && start < m->ranges[i].end)
			return true;
	return false;
}

static void test_firmware_map_is_sane(struct ktest *t)
{
	const struct firmware_map *m = boot_get_firmware_map();

	KASSERT_GT(t, m->count, 0);
	KEXPECT_NULL(t, firmware_map_check(m));
	KEXPECT_UGT(t, firmware_map_usable_bytes(m), 8 * 1024 * 1024);
}

static void test_kernel_ranges_not_usable(struct ktest *t)
{
	const struct firmware_map *m = boot_get_firmware_map();
	const struct boot_info *bi = boot_get_info();

	KEXPECT_FALSE(t, usable_overlaps(m, 0, 0x100000));
	KEXPECT_FALSE(t, usable_overlaps(m, (uint64_t)__kernel_phys_start, (uint64_t)__kernel_phys_end));
	KEXPECT_FALSE(t, usable_overlaps(m, bi->info_phys, bi->info_phys + bi->info_size));
}

static void test_boot_info_present(struct ktest *t)
{
	const struct boot_info *bi = boot_get_info();

	KEXPECT_NOT_NULL(t, bi->cmdline);
	KEXPECT_NOT_NULL(t, bi->loader_name);
	KEXPECT_TRUE(t, bi->mmap.entries != NULL || bi->efi_mmap.entries != NULL);
	KEXPECT_TRUE(t, bi->rsdp_v1 != NULL || bi->rsdp_v2 != NULL);
	/* The harness boots with ktest=...; the parsed command line must show it. */
	KEXPECT_NOT_NULL(t, boot_cmdline_get("ktest"));
}

KTEST_SUITE(boot,
	    KTEST_CASE(test_firmware_map_is_sane),
	    KTEST_CASE(test_kernel_ranges_not_usable),
	    KTEST_CASE(test_boot_info_present));
