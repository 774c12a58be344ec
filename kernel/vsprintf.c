// SPDX-License-Identifier: MIT
/*
 * vsnprintf: the kernel's string formatter.  Pure code with no global
 * state, compiled unmodified into the host tests.
 */
#include <stdbool.h>
#include <stdint.h>

#include <printk.h>

struct output {
	char *buf;
	size_t size;   /* capacity of buf including the NUL */
	size_t length; /* characters the full output has so far */
};

static void put_char(struct output *out, char c)
{
	if (out->length + 1 < out->size)
		out->buf[out->length] = c;
	out->length++;
}

static void put_repeated(struct output *out, char c, int count)
{
	while (count-- > 0)
		put_char(out, c);
}

struct spec {
	bool left;      /* '-' */
	bool zero;      /* '0' */
	bool plus;      /* '+' */
	bool space;     /* ' ' */
	bool alternate; /* '#' */
	int width;
	int precision;  /* -1: none */
};

static void put_string(struct output *out, const char *s, const struct spec *spec)
{
	int length = 0;

	if (!s)
		s = "(null)";
	while (s[length] && (spec->precision < 0 || length < spec->precision))
		length++;
	if (!spec->left)
		put_repeated(out, ' ', spec->width - length);
	for (int i = 0; i < length; i++)
		put_char(out, s[i]);
	if (spec->left)
		put_repeated(out, ' ', spec->width - length);
}

static void put_number(struct output *out, unsigned long long value, bool negative,
		       unsigned base, bool upper, const struct spec *spec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int count = 0;
	const char *prefix = "";
	int prefix_length, zeros = 0, pad;

	do {
		tmp[count++] = digits[value % base];
		value /= base;
	} while (value);
	if (spec->precision == 0 && count == 1 && tmp[0] == '0')
		count = 0;

	if (negative)
		prefix = "-";
	else if (spec->plus)
		prefix = "+";
	else if (spec->space)
		prefix = " ";
	if (spec->alternate && base == 16)
		prefix = upper ? "0X" : "0x";
	else if (spec->alternate && base == 8 && (count == 0 || tmp[count - 1] != '0'))
		prefix = "0";
	for (prefix_length = 0; prefix[prefix_length]; prefix_length++)
		;

	if (spec->precision > count)
		zeros = spec->precision - count;
	pad = spec->width - prefix_length - zeros - count;
	if (spec->zero && !spec->left && spec->precision < 0 && pad > 0) {
		zeros += pad;
		pad = 0;
	}

	if (!spec->left)
		put_repeated(out, ' ', pad);
	for (int i = 0; i < prefix_length; i++)
		put_char(out, prefix[i]);
	put_repeated(out, '0', zeros);
	while (count > 0)
		put_char(out, tmp[--count]);
	if (spec->left)
		put_repeated(out, ' ', pad);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LONG_LONG, LEN_SIZE };

static unsigned long long fetch_unsigned(va_list *args, enum length length)
{
	switch (length) {
	case LEN_CHAR: return (unsigned char)va_arg(*args, unsigned int);
	case LEN_SHORT: return (unsigned short)va_arg(*args, unsigned int);
	case LEN_LONG: return va_arg(*args, unsigned long);
	case LEN_LONG_LONG: return va_arg(*args, unsigned long long);
	case LEN_SIZE: return va_arg(*args, size_t);
	default: return va_arg(*args, unsigned int);
	}
}

static long long fetch_signed(va_list *args, enum length length)
{
	switch (length) {
	case LEN_CHAR: return (signed char)va_arg(*args, int);
	case LEN_SHORT: return (short)va_arg(*args, int);
	case LEN_LONG: return va_arg(*args, long);
	case LEN_LONG_LONG: return va_arg(*args, long long);
	case LEN_SIZE: return (long long)va_arg(*args, size_t);
	default: return va_arg(*args, int);
	}
}

static int parse_int(const char **fmt)
{
	int value = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		if (value < 100000)
			value = value * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return value;
}

/* Parse flags, width, precision and length at *fmt; advance past them. */
static enum length parse_spec(const char **fmt, va_list *args, struct spec *spec)
{
	const char *p = *fmt;
	enum length length = LEN_INT;

	*spec = (struct spec){ .precision = -1 };
	for (;; p++) {
		if (*p == '-')
			spec->left = true;
		else if (*p == '0')
			spec->zero = true;
		else if (*p == '+')
			spec->plus = true;
		else if (*p == ' ')
			spec->space = true;
		else if (*p == '#')
			spec->alternate = true;
		else
			break;
	}
	if (*p == '*') {
		spec->width = va_arg(*args, int);
		if (spec->width < 0) {
			spec->left = true;
			spec->width = -spec->width;
		}
		p++;
	} else {
		spec->width = parse_int(&p);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			spec->precision = va_arg(*args, int);
			if (spec->precision < 0)
				spec->precision = -1;
			p++;
		} else {
			spec->precision = parse_int(&p);
		}
	}
	if (*p == 'h') {
		length = LEN_SHORT;
		if (*++p == 'h') {
			length = LEN_CHAR;
			p++;
		}
	} else if (*p == 'l') {
		length = LEN_LONG;
		if (*++p == 'l') {
			length = LEN_LONG_LONG;
			p++;
		}
	} else if (*p == 'z' || *p == 't') {
		length = LEN_SIZE;
		p++;
	}
	*fmt = p;
	return length;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct output out = { buf, size, 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		struct spec spec;
		enum length length;

		if (*fmt != '%') {
			put_char(&out, *fmt++);
			continue;
		}
		fmt++;
		length = parse_spec(&fmt, &args, &spec);
		switch (*fmt) {
		case 'd':
		case 'i': {
			long long v = fetch_signed(&args, length);
			unsigned long long magnitude = v < 0 ? 0ull - (unsigned long long)v
							     : (unsigned long long)v;
			put_number(&out, magnitude, v < 0, 10, false, &spec);
			break;
		}
		case 'u':
			put_number(&out, fetch_unsigned(&args, length), false, 10, false, &spec);
			break;
		case 'x':
		case 'X':
			put_number(&out, fetch_unsigned(&args, length), false, 16, *fmt == 'X', &spec);
			break;
		case 'o':
			put_number(&out, fetch_unsigned(&args, length), false, 8, false, &spec);
			break;
		case 'p': {
			struct spec pointer = { .alternate = true, .zero = true,
						.width = 18, .precision = -1,
						.left = spec.left };
			if (spec.width > 18)
				pointer.width = spec.width;
			put_number(&out, (uintptr_t)va_arg(args, void *), false, 16, false, &pointer);
			break;
		}
		case 's':
			put_string(&out, va_arg(args, const char *), &spec);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(args, int), 0 };
			spec.precision = 1;
			if (!c[0]) {
				/* A NUL character is output, not taken as end of string. */
				if (!spec.left)
					put_repeated(&out, ' ', spec.width - 1);
				put_char(&out, 0);
				if (spec.left)
					put_repeated(&out, ' ', spec.width - 1);
				break;
			}
			put_string(&out, c, &spec);
			break;
		}
		case '%':
			put_char(&out, '%');
			break;
		case '\0':
			/* A lone '%' at the end: print it rather than read past the string. */
			put_char(&out, '%');
			continue;
		default:
			/* Unknown conversion: show it as written, so the bug is visible. */
			put_char(&out, '%');
			put_char(&out, *fmt);
			break;
		}
		fmt++;
	}
	va_end(args);
	if (size)
		buf[out.length < size ? out.length : size - 1] = '\0';
	return out.length > INT32_MAX ? INT32_MAX : (int)out.length;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int length;

	va_start(args, fmt);
	length = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return length;
}
