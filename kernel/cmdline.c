// SPDX-License-Identifier: MIT
/* Kernel command-line parsing, number and boolean parsing, glob matching and glob lists. */
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

bool kstrtobool(const char *text, bool *out)
{
	static const struct { const char *word; bool value; } words[] = {
		{ "1", true }, { "y", true }, { "yes", true }, { "on", true }, { "true", true },
		{ "0", false }, { "n", false }, { "no", false }, { "off", false }, { "false", false },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *a = text, *b = words[i].word;

		/* Case-insensitive compare: the words are lower case. */
		while (*a && (*a | 0x20) == *b) {
			a++;
			b++;
		}
		if (!*a && !*b) {
			*out = words[i].value;
			return true;
		}
	}
	return false;
}

/* Match @text against the first @length bytes of @pattern. */
static bool glob_match_length(const char *pattern, size_t length, const char *text)
{
	const char *end = pattern + length, *star = NULL, *resume = NULL;

	/* Greedy match with one level of backtracking to the last '*'. */
	while (*text) {
		if (pattern < end && *pattern == '*') {
			star = pattern++;
			resume = text;
		} else if (pattern < end && (*pattern == '?' || *pattern == *text)) {
			pattern++;
			text++;
		} else if (star) {
			pattern = star + 1;
			text = ++resume;
		} else {
			return false;
		}
	}
	while (pattern < end && *pattern == '*')
		pattern++;
	return pattern == end;
}

bool glob_match(const char *pattern, const char *text)
{
	size_t length = 0;

	while (pattern[length])
		length++;
	return glob_match_length(pattern, length, text);
}

/* The next pattern of a glob list at @list: its length up to ',' or the end. */
static size_t glob_list_item(const char *list)
{
	size_t length = 0;

	while (list[length] && list[length] != ',')
		length++;
	return length;
}

bool glob_list_match(const char *list, const char *name)
{
	bool included = false, excluded = false;

	if (!list || !*list)
		return true;
	for (;;) {
		size_t length = glob_list_item(list);

		if (length && list[0] == '-')
			excluded |= glob_match_length(list + 1, length - 1, name);
		else
			included |= glob_match_length(list, length, name);
		if (!list[length])
			break;
		list += length + 1;
	}
	return included && !excluded;
}

static bool glob_char_valid(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '*' || c == '?';
}

static bool glob_list_fail(struct glob_list_error *err, const char *message, const char *pattern,
			   size_t length)
{
	err->message = message;
	err->pattern = pattern;
	err->length = length;
	return false;
}

bool glob_list_check(const char *list, const char *(*name_at)(size_t index, const void *set),
		     const void *set, size_t count, struct glob_list_error *err)
{
	const char *item = list ? list : "";
	size_t selected = 0;

	if (count == 0)
		return glob_list_fail(err, "there is nothing to select", item, 0);
	if (!*item)
		return true; /* empty: everything */
	for (;;) {
		size_t length = glob_list_item(item), body = length;
		const char *pattern = item;
		bool matched = false;

		if (length && pattern[0] == '-') {
			pattern++;
			body--;
		}
		if (body == 0)
			return glob_list_fail(err, "empty pattern", item, length);
		for (size_t i = 0; i < body; i++)
			if (!glob_char_valid(pattern[i]))
				return glob_list_fail(err, "malformed pattern (letters, digits, '_', '*' and '?' only)",
						      item, length);
		for (size_t i = 0; i < count && !matched; i++)
			matched = glob_match_length(pattern, body, name_at(i, set));
		if (!matched)
			return glob_list_fail(err, "pattern matches nothing", item, length);
		if (!item[length])
			break;
		item += length + 1;
	}
	for (size_t i = 0; i < count; i++)
		selected += glob_list_match(list, name_at(i, set));
	if (selected == 0) {
		size_t length = 0;

		while (list[length])
			length++;
		return glob_list_fail(err, "the patterns together select nothing", list, length);
	}
	return true;
}
