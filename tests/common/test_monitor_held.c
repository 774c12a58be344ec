// SPDX-License-Identifier: MIT
/* test_monitor_held.c: the table of what the monitor handed out (host and kernel). */
#include <kstring.h>
#include <ktest.h>

#include "../../kernel/monitor/held.h"

static void test_held_add_find_remove(struct ktest *t)
{
	static struct held_list list;
	static const int cache_a = 1, cache_b = 2;
	struct held_entry *k, *c1, *c2;

	memset(&list, 0, sizeof(list));
	k = held_add(&list, HELD_KMALLOC, 0x1000, 100, NULL);
	c1 = held_add(&list, HELD_CACHE_OBJECT, 0x2000, 64, &cache_a);
	c2 = held_add(&list, HELD_CACHE_OBJECT, 0x3000, 64, &cache_a);
	KASSERT_NOT_NULL(t, k);
	KASSERT_NOT_NULL(t, c1);
	KASSERT_NOT_NULL(t, c2);
	KEXPECT_EQ(t, list.count, 3);
	KEXPECT_PTR_EQ(t, held_find(&list, HELD_KMALLOC, 0x1000), k);
	KEXPECT_NULL(t, held_find(&list, HELD_VMALLOC, 0x1000));   /* wrong kind */
	KEXPECT_PTR_EQ(t, held_find(&list, -1, 0x1000), k);        /* any kind */
	KEXPECT_NULL(t, held_find(&list, -1, 0x1001));
	KEXPECT_EQ(t, held_count_cache(&list, &cache_a), 2);
	KEXPECT_EQ(t, held_count_cache(&list, &cache_b), 0);
	held_remove(&list, c1);
	held_remove(&list, c1);                 /* twice: counted once */
	KEXPECT_EQ(t, list.count, 2);
	KEXPECT_EQ(t, held_count_cache(&list, &cache_a), 1);
	KEXPECT_NULL(t, held_find(&list, HELD_CACHE_OBJECT, 0x2000));
}

static void test_held_order_and_full(struct ktest *t)
{
	static struct held_list list;
	const struct held_entry *e = NULL;
	uint64_t expected = 0x10, seen = 0;

	memset(&list, 0, sizeof(list));
	for (unsigned i = 0; i < HELD_MAX; i++)
		KASSERT_NOT_NULL(t, held_add(&list, HELD_PAGES, 0x10 * (i + 1), 0, NULL));
	KEXPECT_NULL(t, held_add(&list, HELD_PAGES, 0xdead, 0, NULL));
	KEXPECT_EQ(t, list.count, HELD_MAX);
	/* Free the first; a new entry reuses its slot but lists last. */
	held_remove(&list, held_find(&list, HELD_PAGES, 0x10));
	KASSERT_NOT_NULL(t, held_add(&list, HELD_VMALLOC, 0xbeef, 4096, NULL));
	expected = 0x20;
	while ((e = held_next(&list, e))) {
		if (seen < HELD_MAX - 1)
			KEXPECT_UEQ(t, e->address, expected);
		expected += 0x10;
		seen++;
		if (seen == HELD_MAX)
			KEXPECT_UEQ(t, e->address, 0xbeef);
	}
	KEXPECT_EQ(t, seen, HELD_MAX);
	KEXPECT_STREQ(t, held_kind_name(HELD_VMALLOC), "vmalloc");
}

KTEST_SUITE(monitor_held, KTEST_CASE(test_held_add_find_remove), KTEST_CASE(test_held_order_and_full));
