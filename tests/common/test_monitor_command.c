// SPDX-License-Identifier: MIT
/*
 * test_monitor_command.c: the monitor's command parsing (host and kernel):
 * word splitting, two-word command lookup, argument counts, numbers and
 * GFP flags, each bad input refused.
 */
#include <kstring.h>
#include <ktest.h>

#include "../../kernel/monitor/command.h"

static void run_nothing(int argc, char **argv)
{
}

static const struct monitor_command table[] = {
	{ "cache", "", "", NULL, 0, 0, run_nothing },
	{ "cache alloc", "NAME", "", NULL, 1, 1, run_nothing },
	{ "cache create", "NAME SIZE [ALIGN]", "", NULL, 2, 3, run_nothing },
	{ "kmalloc", "SIZE [GFP]", "", NULL, 1, 2, run_nothing },
};

static void test_split_words(struct ktest *t)
{
	char line[] = "  kmalloc\t 100   GFP_KERNEL ";
	char many[] = "a b c d";
	char empty[] = "   ";
	char *words[3];

	KEXPECT_EQ(t, split_words(line, words, 3), 3);
	KEXPECT_STREQ(t, words[0], "kmalloc");
	KEXPECT_STREQ(t, words[1], "100");
	KEXPECT_STREQ(t, words[2], "GFP_KERNEL");
	KEXPECT_EQ(t, split_words(many, words, 3), -1);
	KEXPECT_EQ(t, split_words(empty, words, 3), 0);
}

static void test_command_find(struct ktest *t)
{
	char w0[] = "cache", w1[] = "alloc", w2[] = "foo", w3[] = "cach";
	char *words[] = { w0, w1, w2 };
	char *other[] = { w0, w2 };
	char *prefix[] = { w3 };
	int used = -1;

	KEXPECT_PTR_EQ(t, command_find(table, 4, words, 3, &used), &table[1]);
	KEXPECT_EQ(t, used, 2);
	/* "cache foo": the one-word command, "foo" its argument. */
	KEXPECT_PTR_EQ(t, command_find(table, 4, other, 2, &used), &table[0]);
	KEXPECT_EQ(t, used, 1);
	/* A prefix of a name is not the name. */
	KEXPECT_NULL(t, command_find(table, 4, prefix, 1, &used));
	KEXPECT_EQ(t, used, 0);
}

static void test_command_group(struct ktest *t)
{
	static const struct monitor_command group[] = {
		{ "cache create", "", "", NULL, 0, 0, run_nothing },
		{ "kmalloc", "", "", NULL, 0, 0, run_nothing },
		{ "cache free", "", "", NULL, 0, 0, run_nothing },
		{ "cachet x", "", "", NULL, 0, 0, run_nothing },
	};
	char out[32];

	KEXPECT_EQ(t, command_group(group, 4, "cache", out, sizeof(out)), 2);
	KEXPECT_STREQ(t, out, "create, free");
	KEXPECT_EQ(t, command_group(group, 4, "kmalloc", out, sizeof(out)), 0);
	KEXPECT_STREQ(t, out, "");
	KEXPECT_EQ(t, command_group(group, 4, "cache", out, 8), 2);   /* truncated, terminated */
	KEXPECT_STREQ(t, out, "create,");
}

static void test_command_arguments(struct ktest *t)
{
	char message[64] = "";

	KEXPECT_TRUE(t, command_check_arguments(&table[2], 2, message, sizeof(message)));
	KEXPECT_TRUE(t, command_check_arguments(&table[2], 3, message, sizeof(message)));
	KEXPECT_STREQ(t, message, "");
	KEXPECT_FALSE(t, command_check_arguments(&table[2], 1, message, sizeof(message)));
	KEXPECT_STREQ(t, message, "usage: cache create NAME SIZE [ALIGN]");
	KEXPECT_FALSE(t, command_check_arguments(&table[0], 1, message, sizeof(message)));
	KEXPECT_STREQ(t, message, "usage: cache");
}

static void test_parse_u64(struct ktest *t)
{
	static const struct {
		const char *text;
		bool ok;
		uint64_t value;
	} cases[] = {
		{ "0", true, 0 }, { "100", true, 100 }, { "0x1f", true, 31 }, { "0XFF", true, 255 },
		{ "4K", true, 4096 }, { "2m", true, 2u << 20 }, { "1G", true, 1u << 30 },
		{ "0x10k", true, 16384 }, { "18446744073709551615", true, UINT64_MAX },
		{ "0xffffffffffffffff", true, UINT64_MAX },
		{ "", false, 0 }, { "0x", false, 0 }, { "-1", false, 0 }, { "12a", false, 0 },
		{ "1KB", false, 0 }, { "K", false, 0 }, { "18446744073709551616", false, 0 },
		{ "0x10000000000000000", false, 0 }, { "17179869184G", false, 0 }, { "1 2", false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t value = 12345;

		KEXPECT_EQ(t, parse_u64(cases[i].text, &value), cases[i].ok);
		KEXPECT_UEQ(t, value, cases[i].ok ? cases[i].value : 12345);
	}
}

static void test_parse_gfp(struct ktest *t)
{
	gfp_t gfp = 0;
	char text[96];

	KEXPECT_TRUE(t, parse_gfp("GFP_KERNEL", &gfp));
	KEXPECT_UEQ(t, gfp, GFP_KERNEL);
	KEXPECT_TRUE(t, parse_gfp("kernel|zero", &gfp));
	KEXPECT_UEQ(t, gfp, GFP_KERNEL | __GFP_ZERO);
	KEXPECT_TRUE(t, parse_gfp("GFP_ATOMIC|__GFP_NOWARN|0x40000", &gfp));
	KEXPECT_UEQ(t, gfp, GFP_ATOMIC | __GFP_NOWARN | __GFP_COMP);
	KEXPECT_TRUE(t, parse_gfp("dma32", &gfp));
	KEXPECT_UEQ(t, gfp, GFP_DMA32);
	gfp = 77;
	KEXPECT_FALSE(t, parse_gfp("GFP_KERNAL", &gfp));
	KEXPECT_FALSE(t, parse_gfp("", &gfp));
	KEXPECT_FALSE(t, parse_gfp("kernel|", &gfp));
	KEXPECT_FALSE(t, parse_gfp("|kernel", &gfp));
	KEXPECT_FALSE(t, parse_gfp("0x100000000", &gfp));
	KEXPECT_FALSE(t, parse_gfp("kernel|0x2", &gfp));     /* a bit no flag stands for */
	KEXPECT_UEQ(t, gfp, 77);            /* untouched by a refusal */

	format_gfp(GFP_KERNEL | __GFP_ZERO, text, sizeof(text));
	KEXPECT_STREQ(t, text, "GFP_KERNEL|__GFP_ZERO");
	format_gfp(GFP_ATOMIC | 0x1000000, text, sizeof(text));
	KEXPECT_STREQ(t, text, "GFP_ATOMIC|0x1000000");
	format_gfp(0, text, sizeof(text));
	KEXPECT_STREQ(t, text, "0");
	format_gfp(GFP_KERNEL, text, 5);     /* truncated, still terminated */
	KEXPECT_STREQ(t, text, "GFP_");
}

KTEST_SUITE(monitor_command, KTEST_CASE(test_split_words), KTEST_CASE(test_command_find),
	    KTEST_CASE(test_command_group), KTEST_CASE(test_command_arguments), KTEST_CASE(test_parse_u64), KTEST_CASE(test_parse_gfp));
