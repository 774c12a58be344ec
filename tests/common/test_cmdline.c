// SPDX-License-Identifier: MIT
/* Command-line parsing, size parsing and glob matching (host and kernel). */
#include <cmdline.h>
#include <ktest.h>

static struct cmdline parsed;

static void test_key_values(struct ktest *t)
{
	cmdline_parse(&parsed, "ktest=buddy* loglevel=8  quiet mem=512M");
	KASSERT_EQ(t, parsed.count, 4);
	KEXPECT_STREQ(t, cmdline_get(&parsed, "ktest"), "buddy*");
	KEXPECT_STREQ(t, cmdline_get(&parsed, "loglevel"), "8");
	KEXPECT_STREQ(t, cmdline_get(&parsed, "quiet"), "");
	KEXPECT_STREQ(t, cmdline_get(&parsed, "mem"), "512M");
	KEXPECT_NULL(t, cmdline_get(&parsed, "missing"));
	KEXPECT_NULL(t, cmdline_get(&parsed, "kte"));
	KEXPECT_FALSE(t, parsed.truncated);
}

static void test_quotes_and_last_wins(struct ktest *t)
{
	cmdline_parse(&parsed, "name=\"a b  c\" x=1 x=2 eq=a=b");
	KASSERT_EQ(t, parsed.count, 4);
	KEXPECT_STREQ(t, cmdline_get(&parsed, "name"), "a b  c");
	KEXPECT_STREQ(t, cmdline_get(&parsed, "x"), "2");
	KEXPECT_STREQ(t, cmdline_get(&parsed, "eq"), "a=b");
}

static void test_empty_and_null(struct ktest *t)
{
	cmdline_parse(&parsed, NULL);
	KEXPECT_EQ(t, parsed.count, 0);
	cmdline_parse(&parsed, "   \t ");
	KEXPECT_EQ(t, parsed.count, 0);
}

static void test_too_many_and_too_long(struct ktest *t)
{
	static char text[CMDLINE_MAX_LENGTH * 2];
	size_t n = 0;

	for (int i = 0; i < CMDLINE_MAX_PARAMS + 5; i++) {
		text[n++] = 'k';
		text[n++] = (char)('a' + i % 26);
		text[n++] = ' ';
	}
	text[n] = '\0';
	cmdline_parse(&parsed, text);
	KEXPECT_EQ(t, parsed.count, CMDLINE_MAX_PARAMS);
	KEXPECT_TRUE(t, parsed.too_many);

	for (n = 0; n < sizeof(text) - 1; n++)
		text[n] = n % 10 == 9 ? ' ' : 'x';
	text[n] = '\0';
	cmdline_parse(&parsed, text);
	KEXPECT_TRUE(t, parsed.truncated);
	KEXPECT_LE(t, parsed.count, CMDLINE_MAX_PARAMS);
}

static const struct {
	const char *text;
	bool ok;
	uint64_t value;
} size_cases[] = {
	{ "0", true, 0 },
	{ "4096", true, 4096 },
	{ "64K", true, 64ull << 10 },
	{ "512M", true, 512ull << 20 },
	{ "3g", true, 3ull << 30 },
	{ "1T", true, 1ull << 40 },
	{ "0x1000", true, 0x1000 },
	{ "", false, 0 },
	{ "M", false, 0 },
	{ "12Q", false, 0 },
	{ "-1", false, 0 },
	{ "99999999999999999999", false, 0 },
	{ "17179869184G", false, 0 },
};

static void test_parse_size(struct ktest *t)
{
	for (size_t i = 0; i < sizeof(size_cases) / sizeof(size_cases[0]); i++) {
		uint64_t value = 12345;
		bool ok = parse_size(size_cases[i].text, &value);

		KEXPECT_EQ(t, ok, size_cases[i].ok);
		if (ok && size_cases[i].ok)
			KEXPECT_UEQ(t, value, size_cases[i].value);
		else
			KEXPECT_UEQ(t, value, 12345);
	}
}

static const struct {
	const char *pattern, *text;
	bool match;
} glob_cases[] = {
	{ "*", "anything", true },
	{ "*", "", true },
	{ "buddy", "buddy", true },
	{ "buddy", "buddy2", false },
	{ "bud*", "buddy", true },
	{ "*dy", "buddy", true },
	{ "b?ddy", "buddy", true },
	{ "b?ddy", "bddy", false },
	{ "*a*b*c", "xxaxxbxxc", true },
	{ "*a*b*c", "xxaxxbxx", false },
	{ "slab_*", "slab_kmalloc", true },
	{ "slab_*", "buddy", false },
	{ "", "", true },
	{ "", "x", false },
};

static void test_glob(struct ktest *t)
{
	for (size_t i = 0; i < sizeof(glob_cases) / sizeof(glob_cases[0]); i++)
		KEXPECT_EQ(t, glob_match(glob_cases[i].pattern, glob_cases[i].text), glob_cases[i].match);
}

KTEST_SUITE(cmdline,
	    KTEST_CASE(test_key_values),
	    KTEST_CASE(test_quotes_and_last_wins),
	    KTEST_CASE(test_empty_and_null),
	    KTEST_CASE(test_too_many_and_too_long),
	    KTEST_CASE(test_parse_size),
	    KTEST_CASE(test_glob));
