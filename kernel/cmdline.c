// SPDX-License-Identifier: MIT
/* Kernel command-line parsing, number parsing and glob matching. */
#include <cmdline.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool same_string(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/*
 * Copy @text into cmdline->text, then split it in place: every parameter
 * ends with a NUL where its separating space was; quotes are removed.
 */
void cmdline_parse(struct cmdline *cmdline, const char *text)
{
	char *write = cmdline->text;
	char *end = cmdline->text + CMDLINE_MAX_LENGTH - 1;
	const char *read = text ? text : "";

	cmdline->count = 0;
	cmdline->truncated = false;
	cmdline->too_many = false;

	while (*read) {
		char *key, *value = NULL;
		bool quoted = false;

		while (is_space(*read))
			read++;
		if (!*read)
			break;
		if (write >= end) {
			cmdline->truncated = true;
			break;
		}
		key = write;
		while (*read && (quoted || !is_space(*read))) {
			if (*read == '"') {
				quoted = !quoted;
				read++;
				continue;
			}
			if (write >= end) {
				cmdline->truncated = true;
				break;
			}
			if (*read == '=' && !value && !quoted) {
				*write++ = '\0';
				value = write;
				read++;
				continue;
			}
			*write++ = *read++;
		}
		if (cmdline->truncated)
			break;
		*write++ = '\0';
		if (cmdline->count == CMDLINE_MAX_PARAMS) {
			cmdline->too_many = true;
			continue;
		}
		cmdline->params[cmdline->count].key = key;
		cmdline->params[cmdline->count].value = value ? value : write - 1;
		cmdline->count++;
	}
	*write = '\0';
}

const char *cmdline_get(const struct cmdline *cmdline, const char *key)
{
	for (size_t i = cmdline->count; i-- > 0;)
		if (same_string(cmdline->params[i].key, key))
			return cmdline->params[i].value;
	return NULL;
}

bool parse_uint(const char *text, uint64_t *out)
{
	uint64_t value = 0;
	unsigned base = 10;
	bool any = false;

	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		text += 2;
	}
	for (; *text; text++) {
		unsigned digit;
		if (*text >= '0' && *text <= '9')
			digit = (unsigned)(*text - '0');
		else if (base == 16 && *text >= 'a' && *text <= 'f')
			digit = (unsigned)(*text - 'a' + 10);
		else if (base == 16 && *text >= 'A' && *text <= 'F')
			digit = (unsigned)(*text - 'A' + 10);
		else
			return false;
		if (value > (UINT64_MAX - digit) / base)
			return false;
		value = value * base + digit;
		any = true;
	}
	if (!any)
		return false;
	*out = value;
	return true;
}

bool parse_size(const char *text, uint64_t *out)
{
	char digits[24];
	size_t length = 0;
	unsigned shift = 0;
	uint64_t value;

	while (text[length] && length < sizeof(digits) - 1) {
		digits[length] = text[length];
		length++;
	}
	if (text[length] || length == 0)
		return false;
	switch (digits[length - 1]) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	case 't': case 'T': shift = 40; break;
	default: break;
	}
	if (shift)
		length--;
	digits[length] = '\0';
	if (!parse_uint(digits, &value))
		return false;
	if (shift && value > (UINT64_MAX >> shift))
		return false;
	*out = value << shift;
	return true;
}

bool glob_match(const char *pattern, const char *text)
{
	const char *star = NULL, *resume = NULL;

	/* Greedy match with one level of backtracking to the last '*'. */
	while (*text) {
		if (*pattern == '*') {
			star = pattern++;
			resume = text;
		} else if (*pattern == '?' || *pattern == *text) {
			pattern++;
			text++;
		} else if (star) {
			pattern = star + 1;
			text = ++resume;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}
