// SPDX-License-Identifier: MIT
/*
 * Boot-time setup from the multiboot2 handoff: check and parse the
 * information block, bring up the screen console, apply the command line,
 * and build the sanitized physical memory map.
 */
#include <asm/memlayout.h>
#include <asm/pat.h>
#include <boot.h>
#include <console.h>
#include <kernel.h>
#include <kstring.h>
#include <printk.h>
#include <screen.h>
#include <shutdown.h>
#include <spinlock.h>

/* Largest information block accepted (GRUB's are a few KiB; EFI maps add tens). */
#define BOOTINFO_MAX_SIZE (16 * MiB)
/* Ranges in the raw and sanitized memory map; real UEFI maps exceed 256. */
#define FIRMWARE_MAP_CAPACITY 1024
#define MAX_CARVES (3 + BOOTINFO_MAX_MODULES)

extern char __kernel_phys_start[], __kernel_phys_end[];

static struct boot_info info;
static struct cmdline cmdline;
static struct mem_range firmware_map_storage[FIRMWARE_MAP_CAPACITY];
static struct firmware_map_change
	firmware_map_scratch[FIRMWARE_MAP_SCRATCH_ENTRIES(FIRMWARE_MAP_CAPACITY, MAX_CARVES)];
static struct firmware_map firmware_map;
static struct mem_range carves[MAX_CARVES];
static size_t carve_count;

const struct boot_info *boot_get_info(void)
{
	return &info;
}

const struct cmdline *boot_get_cmdline(void)
{
	return &cmdline;
}

const struct firmware_map *boot_get_firmware_map(void)
{
	return &firmware_map;
}

const struct mem_range *boot_get_carves(size_t *count)
{
	*count = carve_count;
	return carves;
}

const char *boot_cmdline_get(const char *key)
{
	return cmdline_get(&cmdline, key);
}

bool boot_is_uefi(void)
{
	return info.efi_mmap.entries != NULL;
}

/* Stop the boot: the information we were given cannot be trusted. */
static __noreturn void boot_fail(const char *what, const char *detail)
{
	/* Without a parsed framebuffer, VGA text is the only screen we may have. */
	if (!console_find("fb0") && !console_find("vga"))
		vga_text_init();
	pr_emerg("Boot stopped: %s: %s\n", what, detail);
	kernel_exit(EXIT_CRASH);
}

static void parse_boot_info(uint32_t magic, uint64_t info_phys)
{
	struct bootinfo_error err;
	char detail[160];
	uint64_t avail;

	if (magic != MULTIBOOT2_BOOTLOADER_MAGIC) {
		snprintf(detail, sizeof(detail), "magic 0x%08x is not the multiboot2 magic 0x%08x",
			 magic, MULTIBOOT2_BOOTLOADER_MAGIC);
		boot_fail("not started by a multiboot2 boot loader", detail);
	}
	if (info_phys == 0 || info_phys >= BOOT_DIRECT_MAP_LIMIT - 8) {
		snprintf(detail, sizeof(detail), "information block at 0x%llx is outside the low 4 GiB",
			 (unsigned long long)info_phys);
		boot_fail("malformed boot information", detail);
	}
	avail = MIN(BOOT_DIRECT_MAP_LIMIT - info_phys, (uint64_t)BOOTINFO_MAX_SIZE);
	if (bootinfo_parse(__va(info_phys), avail, info_phys, &info, &err) != BOOTINFO_OK) {
		if (err.tag_type == BOOTINFO_NO_TAG)
			snprintf(detail, sizeof(detail), "%s (block at 0x%llx, offset %zu)", err.message,
				 (unsigned long long)info_phys, err.offset);
		else
			snprintf(detail, sizeof(detail), "%s (tag type %u at offset %zu of the block at 0x%llx)",
				 err.message, err.tag_type, err.offset, (unsigned long long)info_phys);
		boot_fail("malformed multiboot2 information", detail);
	}
}

static bool screen_deferred;

static void start_screen_console(void)
{
	const struct boot_framebuffer *fb = &info.framebuffer;

	pat_init();
	if (fb->present && fb->type == MULTIBOOT2_FRAMEBUFFER_TYPE_RGB &&
	    fb->addr + (uint64_t)fb->pitch * fb->height > BOOT_DIRECT_MAP_LIMIT) {
		/* Common on UEFI PCs: only the kernel's own page tables can reach it. */
		screen_deferred = true;
		return;
	}
	if (fb->present && fb->type == MULTIBOOT2_FRAMEBUFFER_TYPE_RGB) {
		if (fbcon_init(fb))
			return;
		pr_warn("framebuffer %ux%u %ubpp at 0x%llx not usable; no screen console\n",
			fb->width, fb->height, fb->bpp, (unsigned long long)fb->addr);
		return;
	}
	if (!fb->present || fb->type == MULTIBOOT2_FRAMEBUFFER_TYPE_EGA_TEXT)
		vga_text_init();
}

/* The parameters the kernel knows; anything else is reported. */
static const char *const known_params[] = {
	"ktest", "bench", "loglevel", "mem", "exit", "page_poison", "slab_debug",
	"slab_seed", "lockdep", "gdb_checkpoint", "nosmp", "maxcpus", "mm_stress_seed",
	"crash_on_cpu", "replay",
};

static void apply_cmdline(uint64_t *mem_limit)
{
	const char *value;
	uint64_t number;

	cmdline_parse(&cmdline, info.cmdline);
	pr_info("Command line: %s\n", info.cmdline ? info.cmdline : "");
	if (cmdline.truncated)
		pr_warn("command line longer than %d bytes: the rest is ignored\n", CMDLINE_MAX_LENGTH - 1);
	if (cmdline.too_many)
		pr_warn("more than %d parameters: the rest are ignored\n", CMDLINE_MAX_PARAMS);

	for (size_t i = 0; i < cmdline.count; i++) {
		bool known = false;
		for (size_t k = 0; k < ARRAY_SIZE(known_params); k++)
			known |= strcmp(cmdline.params[i].key, known_params[k]) == 0;
		if (!known)
			pr_warn("unknown command-line parameter \"%s\" ignored\n", cmdline.params[i].key);
	}

	value = cmdline_get(&cmdline, "loglevel");
	if (value) {
		if (parse_uint(value, &number) && number <= 8)
			console_loglevel = (int)number;
		else
			pr_warn("loglevel=%s: expected a number 0..8\n", value);
	}
	value = cmdline_get(&cmdline, "exit");
	if (value && !shutdown_set_method(value))
		pr_warn("exit=%s: expected qemu, bochs, debugcon or halt\n", value);
	value = cmdline_get(&cmdline, "mem");
	*mem_limit = 0;
	if (value) {
		if (parse_size(value, &number) && number >= 16 * MiB)
			*mem_limit = number;
		else
			pr_warn("mem=%s: expected a size of at least 16M (K, M, G suffixes)\n", value);
	}
}

static void add_carve(uint64_t start, uint64_t end, uint32_t type)
{
	if (end > start && carve_count < MAX_CARVES)
		carves[carve_count++] = (struct mem_range){ start, end, type };
}

/* Print @r like Linux's e820 lines (inclusive end); firmware ranges at debug level. */
static void print_range(bool firmware, const struct mem_range *r)
{
	unsigned long long first = r->base, last = r->end - 1;

	if (firmware)
		pr_debug("%s: [mem 0x%016llx-0x%016llx] %s\n", boot_is_uefi() ? "efi" : "BIOS-e820",
			 first, last, mem_type_name(r->type));
	else
		pr_info("[mem 0x%016llx-0x%016llx] %s\n", first, last, mem_type_name(r->type));
}

static void build_firmware_map(uint64_t mem_limit)
{
	struct firmware_map_error err;
	const char *broken;
	uint64_t usable;

	firmware_map_init(&firmware_map, firmware_map_storage, FIRMWARE_MAP_CAPACITY);
	if (firmware_map_add_bootinfo(&firmware_map, &info))
		boot_fail("impossible memory map", "more ranges than the kernel can hold");
	if (firmware_map.count == 0)
		boot_fail("impossible memory map", "the boot loader gave no memory map");
	pr_info("%s-provided physical RAM map: %zu entries (shown with loglevel=8)\n",
		boot_is_uefi() ? "UEFI" : "BIOS", firmware_map.count);
	for (size_t i = 0; i < firmware_map.count; i++)
		print_range(true, &firmware_map.ranges[i]);

	carve_count = 0;
	add_carve(0, 1 * MiB, MEM_LOW);
	add_carve((uint64_t)__kernel_phys_start, (uint64_t)__kernel_phys_end, MEM_KERNEL);
	add_carve(info.info_phys, info.info_phys + info.info_size, MEM_BOOTINFO);
	for (size_t i = 0; i < info.module_count; i++)
		add_carve(info.modules[i].start, info.modules[i].end, MEM_MODULE);

	if (firmware_map_sanitize(&firmware_map, firmware_map_scratch,
				  ARRAY_SIZE(firmware_map_scratch), carves, carve_count, mem_limit, &err))
		boot_fail("impossible memory map", err.message);
	broken = firmware_map_check(&firmware_map);
	if (broken)
		boot_fail("memory map sanitizer produced a broken map", broken);
	usable = firmware_map_usable_bytes(&firmware_map);
	if (usable == 0)
		boot_fail("impossible memory map", "no usable RAM left after the kernel's own ranges");

	pr_info("Sanitized physical memory map%s:\n", mem_limit ? " (limited by mem=)" : "");
	for (size_t i = 0; i < firmware_map.count; i++)
		print_range(false, &firmware_map.ranges[i]);
	pr_info("Memory: %llu KiB usable (%llu MiB), top of RAM 0x%llx\n",
		(unsigned long long)(usable / KiB), (unsigned long long)(usable / MiB),
		(unsigned long long)firmware_map_top_of_ram(&firmware_map));
}

void boot_start_deferred_console(void)
{
	const struct boot_framebuffer *fb = &info.framebuffer;

	if (!screen_deferred)
		return;
	screen_deferred = false;
	if (fbcon_init(fb))
		pr_info("framebuffer at 0x%llx (above 4 GiB): screen console started; the lines "
			"before this one went to the serial port only\n", (unsigned long long)fb->addr);
	else
		pr_warn("framebuffer %ux%u %ubpp at 0x%llx not usable; no screen console\n",
			fb->width, fb->height, fb->bpp, (unsigned long long)fb->addr);
}

void boot_setup(uint32_t magic, uint64_t info_phys)
{
	uint64_t mem_limit;

	assert_irqs_disabled();
	parse_boot_info(magic, info_phys);
	start_screen_console();
	pr_info("Ferrite x86_64, booted by %s via %s\n",
		info.loader_name ? info.loader_name : "an unnamed loader",
		boot_is_uefi() ? "UEFI" : "BIOS");
	apply_cmdline(&mem_limit);
	if (info.framebuffer.present)
		pr_info("framebuffer: %ux%u, %u bpp, pitch %u, type %u, at 0x%llx\n",
			info.framebuffer.width, info.framebuffer.height, info.framebuffer.bpp,
			info.framebuffer.pitch, info.framebuffer.type,
			(unsigned long long)info.framebuffer.addr);
	pr_info("ACPI RSDP: %s%s\n", info.rsdp_v1 ? "v1 " : "", info.rsdp_v2 ? "v2" : "");
	build_firmware_map(mem_limit);
}
