// SPDX-License-Identifier: MIT
/* Command-line parsing, size and boolean parsing, glob matching and glob lists (host and kernel). */
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

static const struct {
	const char *text;
	bool ok, value;
} bool_cases[] = {
	{ "1", true, true },   { "y", true, true },    { "Yes", true, true },
	{ "on", true, true },  { "TRUE", true, true },  { "0", true, false },
	{ "n", true, false },  { "no", true, false },   { "off", true, false },
	{ "False", true, false },
	{ "", false, false },  { "banana", false, false }, { "o", false, false },
	{ "onx", false, false }, { "2", false, false }, { "yes ", false, false },
};

/* page_poison=banana is an error, not "on" (as "o..." once was). */
static void test_kstrtobool(struct ktest *t)
{
	for (size_t i = 0; i < sizeof(bool_cases) / sizeof(bool_cases[0]); i++) {
		bool value = !bool_cases[i].value;
		bool ok = kstrtobool(bool_cases[i].text, &value);

		KEXPECT_EQ(t, ok, bool_cases[i].ok);
		if (ok && bool_cases[i].ok)
			KEXPECT_EQ(t, value, bool_cases[i].value);
	}
}

static const char *const fake_suites[] = { "buddy", "buddy_pcp", "slab", "vmap_area" };

static const char *fake_suite_at(size_t index, const void *set)
{
	return ((const char *const *)set)[index];
}

static const struct {
	const char *list, *name;
	bool match;
} glob_list_cases[] = {
	{ NULL, "buddy", true },
	{ "", "buddy", true },
	{ "*", "slab", true },
	{ "*,-vmap_area", "vmap_area", false },
	{ "*,-vmap_area", "slab", true },
	{ "buddy*,-buddy_pcp", "buddy", true },
	{ "buddy*,-buddy_pcp", "buddy_pcp", false },
	{ "slab,vmap_area", "vmap_area", true },
	{ "slab,vmap_area", "buddy", false },
	{ "-slab", "buddy", false },
	{ "bud", "buddy", false },
};

static void test_glob_list_match(struct ktest *t)
{
	for (size_t i = 0; i < sizeof(glob_list_cases) / sizeof(glob_list_cases[0]); i++)
		KEXPECT_EQ(t, glob_list_match(glob_list_cases[i].list, glob_list_cases[i].name),
			   glob_list_cases[i].match);
}

static const struct {
	const char *list;
	const char *message;  /* NULL: accepted */
	const char *culprit;  /* the pattern the error names */
} glob_check_cases[] = {
	{ NULL, NULL, NULL },
	{ "", NULL, NULL },
	{ "*", NULL, NULL },
	{ "*,-vmap_area", NULL, NULL },
	{ "b?ddy*,slab", NULL, NULL },
	{ "nosuchsuite", "pattern matches nothing", "nosuchsuite" },
	{ "*,-vmap_aera", "pattern matches nothing", "-vmap_aera" },
	{ "[", "malformed pattern (letters, digits, '_', '*' and '?' only)", "[" },
	{ "slab,bud dy", "malformed pattern (letters, digits, '_', '*' and '?' only)", "bud dy" },
	{ "slab,", "empty pattern", "" },
	{ "slab,,buddy", "empty pattern", "" },
	{ "-", "empty pattern", "-" },
	{ "slab,-slab", "the patterns together select nothing", "slab,-slab" },
	{ "-slab", "the patterns together select nothing", "-slab" },
};

static void test_glob_list_check(struct ktest *t)
{
	for (size_t i = 0; i < sizeof(glob_check_cases) / sizeof(glob_check_cases[0]); i++) {
		struct glob_list_error err = { NULL, NULL, 0 };
		bool ok = glob_list_check(glob_check_cases[i].list, fake_suite_at, fake_suites,
					  sizeof(fake_suites) / sizeof(fake_suites[0]), &err);
		char culprit[32] = "";

		KEXPECT_EQ(t, ok, glob_check_cases[i].message == NULL);
		if (ok || !glob_check_cases[i].message)
			continue;
		KEXPECT_STREQ(t, err.message, glob_check_cases[i].message);
		KASSERT_ULT(t, err.length, sizeof(culprit));
		for (size_t c = 0; c < err.length; c++)
			culprit[c] = err.pattern[c];
		culprit[err.length] = '\0';
		KEXPECT_STREQ(t, culprit, glob_check_cases[i].culprit);
	}
	/* Nothing to choose from is an error too. */
	{
		struct glob_list_error err;

		KEXPECT_FALSE(t, glob_list_check("*", fake_suite_at, fake_suites, 0, &err));
	}
}

KTEST_SUITE(cmdline,
	    KTEST_CASE(test_key_values),
	    KTEST_CASE(test_quotes_and_last_wins),
	    KTEST_CASE(test_empty_and_null),
	    KTEST_CASE(test_too_many_and_too_long),
	    KTEST_CASE(test_parse_size),
	    KTEST_CASE(test_glob),
	    KTEST_CASE(test_kstrtobool),
	    KTEST_CASE(test_glob_list_match),
	    KTEST_CASE(test_glob_list_check));
