// SPDX-License-Identifier: MIT
/* The string formatter behind printk (host and kernel). */
#include <stdarg.h>
#include <stdint.h>

#include <ktest.h>
#include <printk.h>

#define CHECK_FORMAT(t, expected, ...)                                        \
	do {                                                                  \
		char buf_[128];                                               \
		int n_ = snprintf(buf_, sizeof(buf_), __VA_ARGS__);           \
		KEXPECT_STREQ(t, buf_, expected);                             \
		KEXPECT_EQ(t, n_, (long long)__builtin_strlen(expected));     \
	} while (0)

/* Formats the compiler would reject, checked at run time instead. */
static int format_unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

static void test_integers(struct ktest *t)
{
	char buf[32];

	CHECK_FORMAT(t, "0", "%d", 0);
	CHECK_FORMAT(t, "-42", "%d", -42);
	CHECK_FORMAT(t, "42", "%i", 42);
	CHECK_FORMAT(t, "-2147483648", "%d", (int)INT32_MIN);
	CHECK_FORMAT(t, "4294967295", "%u", 0xffffffffu);
	CHECK_FORMAT(t, "-9223372036854775808", "%lld", (long long)INT64_MIN);
	CHECK_FORMAT(t, "18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	CHECK_FORMAT(t, "18446744073709551615", "%lu", (unsigned long)UINT64_MAX);
	CHECK_FORMAT(t, "12345678901", "%zu", (size_t)12345678901ull);
	CHECK_FORMAT(t, "-5", "%zd", (long)-5);
	CHECK_FORMAT(t, "255 -1", "%hhu %hhd", (unsigned char)255, (signed char)-1);
	CHECK_FORMAT(t, "65535", "%hu", (unsigned short)0xffff);
	/* hh and h convert the promoted int back to char and short. */
	KEXPECT_EQ(t, format_unchecked(buf, sizeof(buf), "%hhu %hhd %hd", 0x1ff, 0xff, 0x18000), 13);
	KEXPECT_STREQ(t, buf, "255 -1 -32768");
}

static void test_hex_and_octal(struct ktest *t)
{
	CHECK_FORMAT(t, "dead", "%x", 0xdead);
	CHECK_FORMAT(t, "BEEF", "%X", 0xbeef);
	CHECK_FORMAT(t, "ffffffff", "%x", -1);
	CHECK_FORMAT(t, "ffffffffffffffff", "%lx", -1l);
	CHECK_FORMAT(t, "0x1f", "%#x", 0x1f);
	CHECK_FORMAT(t, "0X1F", "%#X", 0x1f);
	CHECK_FORMAT(t, "17", "%o", 15);
	CHECK_FORMAT(t, "017", "%#o", 15);
}

static void test_width_and_padding(struct ktest *t)
{
	CHECK_FORMAT(t, "   42", "%5d", 42);
	CHECK_FORMAT(t, "42   |", "%-5d|", 42);
	CHECK_FORMAT(t, "00042", "%05d", 42);
	CHECK_FORMAT(t, "-0042", "%05d", -42);
	CHECK_FORMAT(t, "0x00ff", "%#06x", 0xff);
	CHECK_FORMAT(t, "000000000000beef", "%016llx", 0xbeefull);
	CHECK_FORMAT(t, "  007", "%5.3d", 7);
	CHECK_FORMAT(t, "   ab", "%*s", 5, "ab");
	CHECK_FORMAT(t, "ab   |", "%*s|", -5, "ab");
	CHECK_FORMAT(t, "+5  5", "%+d % d", 5, 5);
	CHECK_FORMAT(t, "12345", "%3d", 12345);
}

static void test_strings_and_chars(struct ktest *t)
{
	CHECK_FORMAT(t, "hello", "%s", "hello");
	const char *volatile null_string = NULL;
	char buf[16];

	CHECK_FORMAT(t, "(null)", "%s", null_string);
	CHECK_FORMAT(t, "hel", "%.3s", "hello");
	CHECK_FORMAT(t, "he", "%.*s", 2, "hello");
	CHECK_FORMAT(t, "  x", "%3c", 'x');
	CHECK_FORMAT(t, "x  |", "%-3c|", 'x');
	CHECK_FORMAT(t, "100%", "100%%");
	KEXPECT_EQ(t, format_unchecked(buf, sizeof(buf), "a%"), 2);
	KEXPECT_STREQ(t, buf, "a%");
	KEXPECT_EQ(t, format_unchecked(buf, sizeof(buf), "%y"), 2);
	KEXPECT_STREQ(t, buf, "%y");
}

static void test_pointer(struct ktest *t)
{
	CHECK_FORMAT(t, "0xffffffff80001000", "%p", (void *)0xffffffff80001000ull);
	CHECK_FORMAT(t, "0x0000000000000010", "%p", (void *)0x10);
}

static void test_truncation(struct ktest *t)
{
	char buf[8] = "XXXXXXX";
	int n = snprintf(buf, sizeof(buf), "%s-%d", "abcdef", 1234);

	KEXPECT_EQ(t, n, 11);
	KEXPECT_STREQ(t, buf, "abcdef-");
	buf[0] = 'Z';
	KEXPECT_EQ(t, snprintf(buf, 0, "%d", 12345), 5);
	KEXPECT_EQ(t, buf[0], 'Z');
	KEXPECT_EQ(t, snprintf(buf, 1, "%d", 12345), 5);
	KEXPECT_EQ(t, buf[0], '\0');
}

KTEST_SUITE(vsprintf,
	    KTEST_CASE(test_integers),
	    KTEST_CASE(test_hex_and_octal),
	    KTEST_CASE(test_width_and_padding),
	    KTEST_CASE(test_strings_and_chars),
	    KTEST_CASE(test_pointer),
	    KTEST_CASE(test_truncation));
