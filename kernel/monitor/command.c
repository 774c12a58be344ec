// SPDX-License-Identifier: MIT
/* command: splitting, lookup, argument checks and number parsing (see command.h). */
#include <kstring.h>
#include <printk.h>

#include "command.h"

int split_words(char *line, char **words, int max)
{
	int count = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			return count;
		if (count == max)
			return -1;
		words[count++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
}

/* Does @name equal @words[0..] joined by single spaces? Return: words used, or 0. */
static int name_matches(const char *name, char **words, int count)
{
	int used = 0;

	while (used < count) {
		size_t length = strlen(words[used]);

		if (strncmp(name, words[used], length) != 0)
			return 0;
		name += length;
		used++;
		if (!*name)
			return used;
		if (*name++ != ' ')
			return 0;
	}
	return 0;
}

const struct monitor_command *command_find(const struct monitor_command *table, size_t entries,
					   char **words, int count, int *name_words)
{
	const struct monitor_command *best = NULL;
	int best_words = 0;

	for (size_t i = 0; i < entries; i++) {
		int used = name_matches(table[i].name, words, count);

		if (used > best_words) {
			best = &table[i];
			best_words = used;
		}
	}
	*name_words = best_words;
	return best;
}

size_t command_group(const struct monitor_command *table, size_t entries, const char *word,
		     char *out, size_t size)
{
	size_t length = strlen(word), found = 0, used = 0;

	if (size)
		out[0] = '\0';
	for (size_t i = 0; i < entries; i++) {
		const char *name = table[i].name;

		if (strncmp(name, word, length) != 0 || name[length] != ' ')
			continue;
		if (used < size)
			used += (size_t)snprintf(out + used, size - used, "%s%s", found ? ", " : "",
						 name + length + 1);
		found++;
	}
	return found;
}

bool command_check_arguments(const struct monitor_command *c, int argc, char *message, size_t size)
{
	if (argc >= c->min_args && argc <= c->max_args)
		return true;
	snprintf(message, size, "usage: %s%s%s", c->name, c->arguments[0] ? " " : "", c->arguments);
	return false;
}

static int digit_value(char c, unsigned base)
{
	int v = c >= '0' && c <= '9' ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;

	return v < (int)base ? v : -1;
}

bool parse_u64(const char *text, uint64_t *value)
{
	unsigned base = 10, shift = 0;
	uint64_t v = 0;
	const char *p = text;
	int digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; *p; p++, digits++) {
		int d = digit_value(*p, base);

		if (d < 0)
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	if (!digits)
		return false;
	switch (*p) {
	case '\0': break;
	case 'k': case 'K': shift = 10; p++; break;
	case 'm': case 'M': shift = 20; p++; break;
	case 'g': case 'G': shift = 30; p++; break;
	default: return false;
	}
	if (*p || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*value = v << shift;
	return true;
}

static const struct {
	const char *name;
	gfp_t flags;
} gfp_names[] = {
	/* Combinations first, so format_gfp() prefers them. */
	{ "GFP_KERNEL", GFP_KERNEL },
	{ "GFP_ATOMIC", GFP_ATOMIC },
	{ "GFP_NOWAIT", GFP_NOWAIT },
	{ "GFP_DMA", GFP_DMA },
	{ "GFP_DMA32", GFP_DMA32 },
	{ "__GFP_ZERO", __GFP_ZERO },
	{ "__GFP_NOWARN", __GFP_NOWARN },
	{ "__GFP_HIGH", __GFP_HIGH },
	{ "__GFP_COMP", __GFP_COMP },
	{ "__GFP_NOFAIL", __GFP_NOFAIL },
	{ "__GFP_IO", __GFP_IO },
	{ "__GFP_FS", __GFP_FS },
	{ "__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM },
	{ "__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM },
};

#define GFP_NAME_COUNT (sizeof(gfp_names) / sizeof(gfp_names[0]))

/* Every bit some name above stands for: a number may use only these. */
static gfp_t gfp_known_bits(void)
{
	gfp_t bits = 0;

	for (size_t i = 0; i < GFP_NAME_COUNT; i++)
		bits |= gfp_names[i].flags;
	return bits;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Does @part (@length chars) name @name, ignoring case and the GFP_ / __GFP_ prefix? */
static bool gfp_name_is(const char *name, const char *part, size_t length)
{
	const char *bare = name + (name[0] == '_' ? 6 : 4);

	for (int pass = 0; pass < 2; pass++) {
		const char *candidate = pass ? bare : name;
		size_t i = 0;

		while (i < length && candidate[i] && lower(candidate[i]) == lower(part[i]))
			i++;
		if (i == length && !candidate[i])
			return true;
	}
	return false;
}

bool parse_gfp(const char *text, gfp_t *gfp)
{
	gfp_t flags = 0;
	const char *p = text;

	if (!*p)
		return false;
	while (*p) {
		const char *end = p;
		char number[24];
		uint64_t value;
		size_t length;
		bool known = false;

		while (*end && *end != '|')
			end++;
		length = (size_t)(end - p);
		for (size_t i = 0; i < GFP_NAME_COUNT && !known; i++)
			if (gfp_name_is(gfp_names[i].name, p, length)) {
				flags |= gfp_names[i].flags;
				known = true;
			}
		if (!known) {
			if (length == 0 || length >= sizeof(number))
				return false;
			memcpy(number, p, length);
			number[length] = '\0';
			if (!parse_u64(number, &value) || (value & ~(uint64_t)gfp_known_bits()))
				return false;
			flags |= (gfp_t)value;
		}
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return false;   /* a trailing '|' */
	}
	*gfp = flags;
	return true;
}

void format_gfp(gfp_t gfp, char *buf, size_t size)
{
	size_t used = 0;
	gfp_t left = gfp;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < GFP_NAME_COUNT && left; i++) {
		if ((left & gfp_names[i].flags) != gfp_names[i].flags)
			continue;
		if (used < size)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "|" : "",
						 gfp_names[i].name);
		left &= ~gfp_names[i].flags;
	}
	if (!gfp)
		snprintf(buf, size, "0");
	else if (left && used < size)
		snprintf(buf + used, size - used, "%s%#x", used ? "|" : "", left);
}
