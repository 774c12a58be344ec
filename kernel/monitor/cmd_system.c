// SPDX-License-Identifier: MIT
/*
 * The monitor's other commands: help, the self-tests and benchmarks, the
 * debugging switches that can change at run time, halt and reboot.
 */
#include <bench.h>
#include <kstring.h>
#include <ktest.h>
#include <page_alloc.h>
#include <printk.h>
#include <shutdown.h>

#include "../../mm/slab.h"
#include "commands.h"

/* Print @text indented by two spaces, broken at spaces into lines of at most 76 columns. */
static void print_wrapped(const char *text)
{
	while (*text) {
		size_t length = strlen(text), cut = length;

		if (length > 74) {
			cut = 74;
			while (cut && text[cut] != ' ')
				cut--;
			if (!cut)
				cut = 74;
		}
		pr_info("  %.*s\n", (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

COMMAND(help)
{
	const struct monitor_command *c;
	int name_words;

	if (argc == 0) {
		for (size_t i = 0; i < monitor_command_count; i++) {
			c = &monitor_commands[i];
			char usage[48];

			snprintf(usage, sizeof(usage), "%s %s", c->name, c->arguments);
			pr_info("  %-38s %s\n", usage, c->summary);
		}
		pr_info("Numbers: decimal or 0x hex, optional K/M/G suffix.  'help CMD' says more.\n");
		pr_info("Keys: Backspace, Ctrl-U erase line, Ctrl-C abandon line, Up/Down history.\n");
		return;
	}
	c = command_find(monitor_commands, monitor_command_count, argv, argc, &name_words);
	if (argc == 1 && !c) {
		char group[96];

		if (command_group(monitor_commands, monitor_command_count, argv[0], group, sizeof(group))) {
			pr_info("%s: %s (help %s NAME for one)\n", argv[0], group, argv[0]);
			return;
		}
	}
	if (!c || name_words != argc) {
		monitor_refuse("help", "no command '%s%s%s' (type 'help' for the list)", argv[0],
			       argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
		return;
	}
	pr_info("usage: %s%s%s\n  %s\n", c->name, c->arguments[0] ? " " : "", c->arguments, c->summary);
	if (c->details)
		print_wrapped(c->details);
}

COMMAND(test)
{
	unsigned failed;

	monitor_release_input();
	failed = ktest_run_all(argc ? argv[0] : "*");
	monitor_reclaim_input();
	pr_info("test: %u failed\n", failed);
}

COMMAND(bench)
{
	unsigned failed;

	monitor_release_input();
	failed = bench_run_all(argc ? argv[0] : "*");
	monitor_reclaim_input();
	pr_info("bench: %u failed\n", failed);
}

static void print_slab_debug(void)
{
	slab_flags_t f = kernel_slab.forced_debug;

	pr_info("slab_debug: %s%s%s%s%s%s%s for caches created from now on; existing caches keep the "
		"layout they were created with (red zones and tracks are laid out at creation)\n",
		f ? "" : "off", f & SLAB_CONSISTENCY_CHECKS ? "F" : "", f & SLAB_RED_ZONE ? "Z" : "",
		f & SLAB_POISON ? "P" : "", f & SLAB_STORE_USER ? "U" : "",
		f && kernel_slab.forced_debug_glob ? " on " : "",
		f && kernel_slab.forced_debug_glob ? kernel_slab.forced_debug_glob : "");
}

COMMAND(slab_debug)
{
	static char value[64];

	if (argc == 1) {
		if (strlen(argv[0]) >= sizeof(value)) {
			monitor_refuse("slab_debug", "value too long");
			return;
		}
		if (strcmp(argv[0], "off") == 0) {
			kernel_slab.forced_debug = 0;
			kernel_slab.forced_debug_glob = NULL;
		} else {
			static char spare[64];
			slab_flags_t old_flags = kernel_slab.forced_debug;
			const char *old_glob = kernel_slab.forced_debug_glob;
			char *text = old_glob >= value && old_glob < value + sizeof(value) ? spare : value;

			/* The glob stays in @text: parse into the buffer the current glob is not in. */
			memcpy(text, argv[0], strlen(argv[0]) + 1);
			if (!slab_parse_debug(&kernel_slab, text)) {
				kernel_slab.forced_debug = old_flags;
				kernel_slab.forced_debug_glob = old_glob;
				monitor_refuse("slab_debug", "'%s': use letters F Z P U, optionally "
					       "',GLOB' (as slab_debug= on the command line)", argv[0]);
				return;
			}
		}
	}
	print_slab_debug();
}

COMMAND(page_poison)
{
	if (argc == 1) {
		if (strcmp(argv[0], "on") == 0 || strcmp(argv[0], "1") == 0) {
			kernel_buddy.poison = true;
		} else if (strcmp(argv[0], "off") == 0 || strcmp(argv[0], "0") == 0) {
			kernel_buddy.poison = false;
		} else {
			monitor_refuse("page_poison", "say on or off");
			return;
		}
	}
	pr_info("page_poison: %s (pages freed from now on are %s; a page is checked on allocation "
		"only if it was poisoned when freed)\n", kernel_buddy.poison ? "on" : "off",
		kernel_buddy.poison ? "filled with 0xaa" : "left as they are");
}

COMMAND(halt)
{
	kernel_exit(EXIT_PASS);
}

COMMAND(reboot)
{
	pr_info("reboot: resetting the machine\n");
	kernel_restart();
}
