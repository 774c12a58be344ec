// SPDX-License-Identifier: MIT
/*
 * test_vmap_area.c: the vmalloc area's free-space allocator on private
 * instances (host and kernel).
 *
 * Tree nodes come from a static pool with a free list, which can be told
 * to fail its next allocation; every case ends by destroying its space
 * and checking that all nodes came back.  Table cases call
 * vmap_space_check() after every step; refused calls are checked against
 * a snapshot of the whole tree (nodes, links, colors, counters).  A seeded
 * random sequence is checked step by step against a shadow model: a
 * sorted array of allocated ranges whose gaps must equal the free ranges,
 * and which predicts the lowest fit of every allocation.
 */
#include <errno.h>
#include <kernel.h>
#include <ktest.h>
#include <printk.h>
#include <vmap_area.h>
#include <xorshift.h>

#define PAGE 4096ull
/* The real vmalloc area's start: the tests run at kernel-like addresses. */
#define BASE 0xffffc90000000000ull
#define P(n) (BASE + (uint64_t)(n) * PAGE)
#define NONE UINT64_MAX

/* ---- node pool ------------------------------------------------------------ */

#define POOL_NODES 1600

union pool_node {
	struct vmap_free_range range;
	union pool_node *next_free;
};

struct node_pool {
	union pool_node nodes[POOL_NODES];
	union pool_node *free_list;
	size_t in_use;
	size_t foreign_frees;	/* frees of pointers the pool never gave */
	bool fail_next;		/* the next alloc_node fails (once) */
	size_t failures;
};

static struct node_pool pool;

static void *pool_alloc(void *context)
{
	struct node_pool *p = context;
	union pool_node *node = p->free_list;

	if (p->fail_next) {
		p->fail_next = false;
		p->failures++;
		return NULL;
	}
	if (!node)
		return NULL;
	p->free_list = node->next_free;
	p->in_use++;
	return &node->range;
}

static void pool_free(void *context, void *pointer)
{
	struct node_pool *p = context;
	union pool_node *node = pointer;

	if (node < p->nodes || node >= p->nodes + POOL_NODES || p->in_use == 0) {
		p->foreign_frees++;
		return;
	}
	node->next_free = p->free_list;
	p->free_list = node;
	p->in_use--;
}

static const struct vmap_node_allocator pool_allocator = {
	.alloc_node = pool_alloc,
	.free_node = pool_free,
	.context = &pool,
};

static void pool_reset(void)
{
	pool.free_list = NULL;
	for (size_t i = POOL_NODES; i-- > 0;) {
		pool.nodes[i].next_free = pool.free_list;
		pool.free_list = &pool.nodes[i];
	}
	pool.in_use = 0;
	pool.foreign_frees = 0;
	pool.fail_next = false;
	pool.failures = 0;
}

/* ---- helpers -------------------------------------------------------------- */

static struct vmap_space space;

static void start_space(struct ktest *t, uint64_t start, uint64_t end)
{
	pool_reset();
	KASSERT_EQ(t, vmap_space_init(&space, start, end, &pool_allocator), 0);
	KASSERT_STREQ(t, vmap_space_check(&space), NULL);
	KASSERT_EQ(t, pool.in_use, 1);
}

/* Every node the space took is back, and only those. */
static void finish_space(struct ktest *t)
{
	KEXPECT_STREQ(t, vmap_space_check(&space), NULL);
	KEXPECT_EQ(t, pool.in_use, vmap_space_free_range_count(&space));
	vmap_space_destroy(&space);
	KEXPECT_EQ(t, pool.in_use, 0);
	KEXPECT_EQ(t, pool.foreign_frees, 0);
	KEXPECT_EQ(t, vmap_space_free_range_count(&space), 0);
	KEXPECT_EQ(t, vmap_space_alloc(&space, PAGE, PAGE), 0);
}

static uint64_t alloc_checked(struct ktest *t, uint64_t size, uint64_t align)
{
	uint64_t addr = vmap_space_alloc(&space, size, align);

	KASSERT_STREQ(t, vmap_space_check(&space), NULL);
	return addr;
}

static int free_checked(struct ktest *t, uint64_t start, uint64_t size)
{
	int ret = vmap_space_free(&space, start, size);

	KASSERT_STREQ(t, vmap_space_check(&space), NULL);
	return ret;
}

struct page_range {
	uint64_t first, last;	/* pages [first, last) */
};

#define TABLE(type, ...) \
	(const type[]){ __VA_ARGS__ }, sizeof((const type[]){ __VA_ARGS__ }) / sizeof(type)
#define RANGES(...) TABLE(struct page_range, __VA_ARGS__)

/* The free ranges are exactly @expect (in pages from BASE), counters agree. */
static void expect_free(struct ktest *t, const struct page_range *expect, size_t n)
{
	const struct vmap_free_range *range = vmap_space_first(&space);
	uint64_t bytes = 0, largest = 0;

	KEXPECT_STREQ(t, vmap_space_check(&space), NULL);
	for (size_t i = 0; i < n; i++, range = vmap_space_next(range)) {
		KASSERT_NOT_NULL(t, range);
		KEXPECT_UEQ(t, range->start, P(expect[i].first));
		KEXPECT_UEQ(t, range->end, P(expect[i].last));
		bytes += (expect[i].last - expect[i].first) * PAGE;
		largest = MAX(largest, (expect[i].last - expect[i].first) * PAGE);
	}
	KEXPECT_NULL(t, range);
	KEXPECT_EQ(t, vmap_space_free_range_count(&space), n);
	KEXPECT_UEQ(t, vmap_space_free_bytes(&space), bytes);
	KEXPECT_UEQ(t, vmap_space_largest_free(&space), largest);
}

/* ---- snapshot: proof that a refused call changed nothing ------------------ */

#define SNAPSHOT_NODES 160

struct snapshot {
	struct vmap_free_range copy[SNAPSHOT_NODES];
	const struct vmap_free_range *where[SNAPSHOT_NODES];
	size_t count;
	struct vmap_space header;
	size_t pool_in_use;
};

static struct snapshot before;

static void take_snapshot(struct snapshot *s)
{
	const struct vmap_free_range *range;

	s->count = 0;
	s->header = space;
	s->pool_in_use = pool.in_use;
	for (range = vmap_space_first(&space); range && s->count < SNAPSHOT_NODES;
	     range = vmap_space_next(range), s->count++) {
		s->copy[s->count] = *range;
		s->where[s->count] = range;
	}
}

static bool same_node(const struct vmap_free_range *a, const struct vmap_free_range *b)
{
	for (unsigned order = 0; order < VMAP_TRACKED_ALIGN_ORDERS; order++)
		if (a->subtree_max_size[order] != b->subtree_max_size[order])
			return false;
	return a->start == b->start && a->end == b->end && a->color == b->color &&
	       a->parent == b->parent && a->child[VMAP_LEFT] == b->child[VMAP_LEFT] &&
	       a->child[VMAP_RIGHT] == b->child[VMAP_RIGHT];
}

static bool unchanged(const struct snapshot *s)
{
	const struct vmap_free_range *range = vmap_space_first(&space);
	size_t i;

	if (space.root != s->header.root || space.free_bytes != s->header.free_bytes ||
	    space.free_range_count != s->header.free_range_count ||
	    space.start != s->header.start || space.end != s->header.end ||
	    pool.in_use != s->pool_in_use || s->count == SNAPSHOT_NODES)
		return false;
	for (i = 0; i < s->count && range; i++, range = vmap_space_next(range))
		if (range != s->where[i] || !same_node(range, &s->copy[i]))
			return false;
	return i == s->count && !range;
}

/* ---- table-driven sequences ----------------------------------------------- */

enum step_kind { ALLOC, FREE };

/*
 * ALLOC: @pages at @align pages, expect page @expect (NONE: no fit).
 * FREE:  @pages at page @at, expect return @expect_ret.
 */
struct step {
	enum step_kind kind;
	uint64_t pages;
	uint64_t align_or_at;
	uint64_t expect;
	int expect_ret;
};

#define A(pages, align, expect) { ALLOC, pages, align, expect, 0 }
#define F(at, pages) { FREE, pages, at, 0, 0 }

static void run_steps(struct ktest *t, const struct step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct step *step = &steps[i];

		if (step->kind == ALLOC) {
			uint64_t addr = alloc_checked(t, step->pages * PAGE, step->align_or_at * PAGE);

			KEXPECT_UEQ(t, addr, step->expect == NONE ? 0 : P(step->expect));
		} else {
			KEXPECT_EQ(t, free_checked(t, P(step->align_or_at), step->pages * PAGE),
				   step->expect_ret);
		}
		if (t->failures) {
			KEXPECT_EQ(t, i, -1); /* names the step that failed */
			return;
		}
	}
}

/* ---- cases ---------------------------------------------------------------- */

static void test_init_one_range(struct ktest *t)
{
	static const struct { uint64_t start, end; } bad[] = {
		{ 0, P(0) }, { P(1), P(1) }, { P(2), P(1) }, { P(0) + 1, P(4) },
		{ P(0), P(4) - 512 },
	};

	start_space(t, P(0), P(64));
	expect_free(t, RANGES({ 0, 64 }));
	KEXPECT_TRUE(t, vmap_space_is_free(&space, P(0)));
	KEXPECT_TRUE(t, vmap_space_is_free(&space, P(64) - 1));
	KEXPECT_FALSE(t, vmap_space_is_free(&space, P(64)));
	KEXPECT_FALSE(t, vmap_space_is_free(&space, P(0) - 1));
	finish_space(t);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		pool_reset();
		KEXPECT_EQ(t, vmap_space_init(&space, bad[i].start, bad[i].end, &pool_allocator),
			   -EINVAL);
		KEXPECT_EQ(t, pool.in_use, 0);
		KEXPECT_EQ(t, vmap_space_alloc(&space, PAGE, PAGE), 0);
		KEXPECT_EQ(t, vmap_space_free(&space, P(1), PAGE), -ERANGE);
	}

	pool_reset();
	pool.fail_next = true;
	KEXPECT_EQ(t, vmap_space_init(&space, P(0), P(64), &pool_allocator), -ENOMEM);
	KEXPECT_EQ(t, pool.in_use, 0);
	KEXPECT_STREQ(t, vmap_space_check(&space), NULL);
	KEXPECT_EQ(t, vmap_space_alloc(&space, PAGE, PAGE), 0);
	KEXPECT_EQ(t, vmap_space_free(&space, P(1), PAGE), -ERANGE);
	finish_space(t);
}

/* The example of vmap_area.h's design note, step by step. */
static void test_worked_example(struct ktest *t)
{
	start_space(t, P(1), P(64));
	run_steps(t, TABLE(struct step,
		A(63, 1, 1),			/* everything */
		F(2, 1), F(8, 8), F(20, 1), F(32, 32)));
	expect_free(t, RANGES({ 2, 3 }, { 8, 16 }, { 20, 21 }, { 32, 64 }));
	run_steps(t, TABLE(struct step,
		A(4, 1, 8),
		A(4, 16, 32),
		F(16, 4)));
	expect_free(t, RANGES({ 2, 3 }, { 12, 21 }, { 36, 64 }));
	finish_space(t);
}

static void test_lowest_address_first(struct ktest *t)
{
	start_space(t, P(0), P(64));
	run_steps(t, TABLE(struct step,
		A(1, 1, 0), A(2, 1, 1), A(3, 1, 3),
		F(1, 2),			/* hole [1, 3) */
		A(3, 1, 6),			/* too big for the hole: above */
		A(1, 1, 1),			/* the hole is lowest */
		A(1, 1, 2),			/* fills it */
		A(1, 1, 9),
		F(6, 3),			/* hole [6, 9) */
		A(4, 1, 10),			/* does not fit the hole */
		A(2, 1, 6),			/* does */
		A(2, 1, 14),			/* [8, 9) is one page */
		A(1, 1, 8)));
	expect_free(t, RANGES({ 16, 64 }));
	finish_space(t);
}

/* 2 MiB aligned requests (512 pages) between small allocations. */
static void test_alignment(struct ktest *t)
{
	start_space(t, P(1), P(4096));	/* [BASE + 4 KiB, BASE + 16 MiB) */
	run_steps(t, TABLE(struct step,
		A(1, 1, 1),
		A(512, 512, 512),		/* 2 MiB at 2 MiB */
		A(1, 1, 2),
		A(1024, 1024, 1024),		/* 4 MiB at 4 MiB */
		A(256, 256, 256),		/* 1 MiB at 1 MiB, below the first */
		A(512, 512, 2048),		/* 2 MiB: next 2 MiB boundary free */
		A(16, 16, 16),			/* 64 KiB at 64 KiB */
		F(1024, 1024),			/* 4 MiB hole at 4 MiB */
		A(512, 512, 1024),		/* fills the hole's first half */
		/* [6, 8) MiB is big enough but not 4 MiB aligned: skipped. */
		A(512, 1024, 3072),
		A(1, 262144, NONE)));		/* 1 GiB aligned: none in the space */
	expect_free(t, RANGES({ 3, 16 }, { 32, 256 }, { 1536, 2048 }, { 2560, 3072 },
			      { 3584, 4096 }));
	/* Rounding up to 2^63 wraps past 2^64: no fit, no overflow. */
	take_snapshot(&before);
	KEXPECT_EQ(t, alloc_checked(t, PAGE, 1ull << 63), 0);
	KEXPECT_TRUE(t, unchanged(&before));
	finish_space(t);
}

static void test_exhaustion_changes_nothing(struct ktest *t)
{
	static const struct { uint64_t size, align; } bad[] = {
		{ 17 * PAGE, PAGE },		/* larger than the space */
		{ 0, PAGE },			/* empty */
		{ 100, PAGE },			/* not whole pages */
		{ PAGE + 512, PAGE },
		{ PAGE, 0 },			/* no alignment */
		{ PAGE, 2048 },			/* below a page */
		{ PAGE, 3 * PAGE },		/* not a power of two */
		{ UINT64_MAX & ~(PAGE - 1), PAGE },
		{ UINT64_MAX & ~(PAGE - 1), 1ull << 63 },
	};

	start_space(t, P(0), P(16));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		take_snapshot(&before);
		KEXPECT_EQ(t, alloc_checked(t, bad[i].size, bad[i].align), 0);
		KEXPECT_TRUE(t, unchanged(&before));
	}
	KEXPECT_UEQ(t, alloc_checked(t, 16 * PAGE, PAGE), P(0));
	expect_free(t, NULL, 0);
	KEXPECT_UEQ(t, vmap_space_largest_free(&space), 0);
	KEXPECT_FALSE(t, vmap_space_is_free(&space, P(0)));
	for (uint64_t align = PAGE; align <= 64 * PAGE; align <<= 1) {
		take_snapshot(&before);
		KEXPECT_EQ(t, alloc_checked(t, PAGE, align), 0);
		KEXPECT_TRUE(t, unchanged(&before));
	}
	KEXPECT_EQ(t, free_checked(t, P(0), 16 * PAGE), 0);
	expect_free(t, RANGES({ 0, 16 }));
	finish_space(t);
}

/* Four blocks A B C D of 4 pages fill the space; frees in these orders. */
static const struct merge_case {
	const char *what;
	uint64_t frees[3];		/* block numbers, A = 1; 0 ends */
	struct page_range expect[2];
	size_t expect_count;
} merge_cases[] = {
	{ "neither", { 2 }, { { 4, 8 } }, 1 },
	{ "left", { 1, 2 }, { { 0, 8 } }, 1 },
	{ "right", { 3, 2 }, { { 4, 12 } }, 1 },
	{ "both", { 1, 3, 2 }, { { 0, 12 } }, 1 },
	{ "both, to the end", { 4, 2, 3 }, { { 4, 16 } }, 1 },
	{ "neither, twice", { 1, 3 }, { { 0, 4 }, { 8, 12 } }, 2 },
};

static void test_free_merges(struct ktest *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(merge_cases); i++) {
		const struct merge_case *c = &merge_cases[i];

		start_space(t, P(0), P(16));
		for (uint64_t block = 0; block < 4; block++)
			KASSERT_UEQ(t, alloc_checked(t, 4 * PAGE, PAGE), P(4 * block));
		for (size_t j = 0; j < ARRAY_SIZE(c->frees) && c->frees[j]; j++)
			KEXPECT_EQ(t, free_checked(t, P(4 * (c->frees[j] - 1)), 4 * PAGE), 0);
		expect_free(t, c->expect, c->expect_count);
		KEXPECT_EQ(t, pool.in_use, c->expect_count);
		if (t->failures)
			KASSERT_STREQ(t, c->what, NULL); /* names the case */
		finish_space(t);
	}
}

/* 128 single pages, every other one freed: holes everywhere, none of 2 pages. */
static void test_fragmentation(struct ktest *t)
{
	start_space(t, P(0), P(128));
	for (uint64_t page = 0; page < 128; page++)
		KASSERT_UEQ(t, alloc_checked(t, PAGE, PAGE), P(page));
	for (uint64_t page = 0; page < 128; page += 2)
		KASSERT_EQ(t, free_checked(t, P(page), PAGE), 0);
	KEXPECT_EQ(t, vmap_space_free_range_count(&space), 64);
	KEXPECT_UEQ(t, vmap_space_free_bytes(&space), 64 * PAGE);
	KEXPECT_UEQ(t, vmap_space_largest_free(&space), PAGE);

	take_snapshot(&before);
	KEXPECT_EQ(t, alloc_checked(t, 2 * PAGE, PAGE), 0);
	KEXPECT_TRUE(t, unchanged(&before));

	/* Freeing page 1 merges [0, 1) and [2, 3): a 3-page hole at the bottom. */
	KEXPECT_EQ(t, free_checked(t, P(1), PAGE), 0);
	KEXPECT_EQ(t, vmap_space_free_range_count(&space), 63);
	KEXPECT_UEQ(t, alloc_checked(t, 2 * PAGE, PAGE), P(0));
	KEXPECT_UEQ(t, alloc_checked(t, 2 * PAGE, PAGE), 0);

	/* Free the odd pages from the top down: one range grows downwards. */
	for (uint64_t page = 127; page >= 3; page -= 2)
		KASSERT_EQ(t, free_checked(t, P(page), PAGE), 0);
	expect_free(t, RANGES({ 2, 128 }));
	KEXPECT_UEQ(t, alloc_checked(t, 126 * PAGE, PAGE), P(2));
	expect_free(t, NULL, 0);
	KEXPECT_EQ(t, free_checked(t, P(0), 128 * PAGE), 0);
	expect_free(t, RANGES({ 0, 128 }));
	finish_space(t);
}

static const struct {
	uint64_t start, size;
	int ret;
} refused_frees[] = {
	{ P(2), 2 * PAGE, -ENOENT },		/* double free */
	{ P(3), PAGE, -ENOENT },		/* inside a free range */
	{ P(1), 2 * PAGE, -ENOENT },		/* runs into [2, 4) */
	{ P(7), 2 * PAGE, -ENOENT },		/* runs into [8, 16) */
	{ P(0), 16 * PAGE, -ENOENT },		/* covers both */
	{ P(12), PAGE, -ENOENT },		/* free, never handed out */
	{ P(0) - PAGE, PAGE, -ERANGE },		/* below the space */
	{ P(0) - PAGE, 2 * PAGE, -ERANGE },	/* straddles the start */
	{ P(16), PAGE, -ERANGE },		/* above */
	{ P(15), 2 * PAGE, -ERANGE },		/* straddles the end */
	{ 0, PAGE, -ERANGE },
	{ P(5), 0, -EINVAL },			/* empty */
	{ P(5) + 8, PAGE, -EINVAL },		/* unaligned start */
	{ P(5), 100, -EINVAL },			/* unaligned size */
	{ P(5), 0 - P(5), -EINVAL },		/* ends at 2^64 */
	{ P(5), 0 - PAGE, -EINVAL },		/* wraps */
	{ 0xfffffffffffff000ull, PAGE, -EINVAL },
};

static void test_bad_free_refused(struct ktest *t)
{
	start_space(t, P(0), P(16));
	KASSERT_UEQ(t, alloc_checked(t, 8 * PAGE, PAGE), P(0));
	KASSERT_EQ(t, free_checked(t, P(2), 2 * PAGE), 0);
	expect_free(t, RANGES({ 2, 4 }, { 8, 16 }));

	for (size_t i = 0; i < ARRAY_SIZE(refused_frees); i++) {
		take_snapshot(&before);
		KEXPECT_EQ(t, free_checked(t, refused_frees[i].start, refused_frees[i].size),
			   refused_frees[i].ret);
		KEXPECT_TRUE(t, unchanged(&before));
		if (t->failures)
			KASSERT_EQ(t, i, -1); /* names the entry */
	}
	/* The real owners can still give their pages back. */
	KEXPECT_EQ(t, free_checked(t, P(0), 2 * PAGE), 0);
	KEXPECT_EQ(t, free_checked(t, P(4), 4 * PAGE), 0);
	expect_free(t, RANGES({ 0, 16 }));
	finish_space(t);
}

static void test_node_allocation_failure(struct ktest *t)
{
	start_space(t, P(0), P(64));
	pool.fail_next = true;
	/* At the start of a range: no node needed, so it works. */
	KEXPECT_UEQ(t, alloc_checked(t, 4 * PAGE, PAGE), P(0));
	KEXPECT_TRUE(t, pool.fail_next);

	/* 16-page aligned: in the middle of [4, 64), a split needs a node. */
	take_snapshot(&before);
	KEXPECT_EQ(t, alloc_checked(t, 4 * PAGE, 16 * PAGE), 0);
	KEXPECT_TRUE(t, unchanged(&before));
	KEXPECT_EQ(t, pool.failures, 1);
	KEXPECT_UEQ(t, alloc_checked(t, 4 * PAGE, 16 * PAGE), P(16));
	expect_free(t, RANGES({ 4, 16 }, { 20, 64 }));

	KEXPECT_UEQ(t, alloc_checked(t, 4 * PAGE, PAGE), P(4));
	/* [0, 4) touches no free range: it needs a node of its own. */
	pool.fail_next = true;
	take_snapshot(&before);
	KEXPECT_EQ(t, free_checked(t, P(0), 4 * PAGE), -ENOMEM);
	KEXPECT_TRUE(t, unchanged(&before));
	KEXPECT_EQ(t, pool.failures, 2);

	/* Merging frees need none, even while allocation fails. */
	pool.fail_next = true;
	KEXPECT_EQ(t, free_checked(t, P(4), 4 * PAGE), 0);
	KEXPECT_EQ(t, free_checked(t, P(0), 4 * PAGE), 0);
	KEXPECT_EQ(t, free_checked(t, P(16), 4 * PAGE), 0);
	KEXPECT_TRUE(t, pool.fail_next);
	expect_free(t, RANGES({ 0, 64 }));

	/* With nodes to spare, a free that touches nothing gets its own range. */
	pool.fail_next = false;
	KEXPECT_UEQ(t, alloc_checked(t, 8 * PAGE, PAGE), P(0));
	KEXPECT_EQ(t, free_checked(t, P(2), 2 * PAGE), 0);
	expect_free(t, RANGES({ 2, 4 }, { 8, 64 }));
	finish_space(t);
}

static unsigned log2_ceiling(uint64_t n)
{
	unsigned bits = 0;

	while ((1ull << bits) < n)
		bits++;
	return bits;
}

/* Every alignment up to 2 MiB is one path down the tree: O(log n) nodes. */
static void test_search_is_logarithmic(struct ktest *t)
{
	enum { HOLES = 1000 };
	/* A red-black tree of n nodes is at most 2 log2(n + 1) levels deep. */
	uint64_t depth_bound = 2 * log2_ceiling(HOLES + 2);
	static const struct { uint64_t pages, align, expect; } requests[] = {
		{ 2, 1, 2 * HOLES + 1 },	/* only the top range has 2 pages */
		{ 1, 2, 2 * HOLES + 4 },	/* every hole is at an odd page */
		{ 1, 512, 2 * HOLES + 48 },	/* 2 MiB aligned */
		{ 1, 1, 1 },			/* the lowest hole */
		{ 1, 1, 3 },
		{ 512, 512, 2 * HOLES + 560 },
	};

	start_space(t, P(0), P(4 * HOLES));
	/* Holes at pages 1, 3, ..., 2 * HOLES - 1; free from 2 * HOLES + 1 up. */
	for (uint64_t page = 0; page <= 2 * HOLES; page++)
		KASSERT_UEQ(t, vmap_space_alloc(&space, PAGE, PAGE), P(page));
	for (uint64_t page = 1; page < 2 * HOLES; page += 2)
		KASSERT_EQ(t, vmap_space_free(&space, P(page), PAGE), 0);
	KASSERT_STREQ(t, vmap_space_check(&space), NULL);
	KEXPECT_EQ(t, vmap_space_free_range_count(&space), HOLES + 1);

	for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
		KEXPECT_UEQ(t, alloc_checked(t, requests[i].pages * PAGE, requests[i].align * PAGE),
			    P(requests[i].expect));
		KEXPECT_ULE(t, space.last_search_visits, depth_bound);
	}
	/* Nothing fits: the root's maximum says so at once. */
	KEXPECT_UEQ(t, alloc_checked(t, 4 * HOLES * PAGE, PAGE), 0);
	KEXPECT_UEQ(t, space.last_search_visits, 1);
	finish_space(t);
}

/* Find a node matching @want in the subtree at @node (preorder). */
static struct vmap_free_range *find_node(struct vmap_free_range *node,
					 bool (*want)(const struct vmap_free_range *))
{
	struct vmap_free_range *found;

	if (!node || want(node))
		return node;
	found = find_node(node->child[VMAP_LEFT], want);
	return found ? found : find_node(node->child[VMAP_RIGHT], want);
}

static bool red_leaf(const struct vmap_free_range *r)
{
	return r->color == VMAP_RED && !r->child[VMAP_LEFT] && !r->child[VMAP_RIGHT];
}

static bool black_grandchild(const struct vmap_free_range *r)
{
	return r->color == VMAP_BLACK && r->parent && r->parent->parent &&
	       r->parent->color == VMAP_BLACK;
}

static bool has_left_child(const struct vmap_free_range *r)
{
	return r->child[VMAP_LEFT] != NULL;
}

static uint64_t child_max(const struct vmap_free_range *node, enum vmap_side side, unsigned order)
{
	return node->child[side] ? node->child[side]->subtree_max_size[order] : 0;
}

/* What the tree does after a range changed: its maxima up to the root. */
static void repair_maxima(struct vmap_free_range *node)
{
	for (; node; node = node->parent) {
		for (unsigned order = 0; order < VMAP_TRACKED_ALIGN_ORDERS; order++) {
			uint64_t aligned = ALIGN_UP(node->start, PAGE << order);
			uint64_t room = aligned < node->end ? node->end - aligned : 0;

			node->subtree_max_size[order] = MAX(room, MAX(child_max(node, VMAP_LEFT, order),
								      child_max(node, VMAP_RIGHT, order)));
		}
	}
}

/* Give @range the bounds [@start, @end), keeping the tree's maxima right. */
static void reshape(struct vmap_free_range *range, uint64_t start, uint64_t end)
{
	range->start = start;
	range->end = end;
	repair_maxima(range);
}

/* The validator names each kind of damage (and the tree is repaired after). */
static void test_check_reports(struct ktest *t)
{
	struct vmap_free_range *lowest, *last, *node;

	start_space(t, P(0), P(64));
	for (uint64_t page = 0; page < 64; page++)
		KASSERT_UEQ(t, vmap_space_alloc(&space, PAGE, PAGE), P(page));
	for (uint64_t page = 0; page < 64; page += 2)
		KASSERT_EQ(t, vmap_space_free(&space, P(page), PAGE), 0);
	KASSERT_STREQ(t, vmap_space_check(&space), NULL);
	/* Free ranges [0, 1) [2, 3) ... [62, 63). */
	lowest = (struct vmap_free_range *)vmap_space_first(&space);
	last = lowest;
	while (vmap_space_next(last))
		last = (struct vmap_free_range *)vmap_space_next(last);

	space.root->color = VMAP_RED;
	KEXPECT_STREQ(t, vmap_space_check(&space), "root is red");
	space.root->color = VMAP_BLACK;

	space.root->subtree_max_size[0] += PAGE;
	KEXPECT_STREQ(t, vmap_space_check(&space), "subtree_max_size is wrong");
	space.root->subtree_max_size[0] -= PAGE;
	lowest->subtree_max_size[VMAP_TRACKED_ALIGN_ORDERS - 1] += PAGE;
	KEXPECT_STREQ(t, vmap_space_check(&space), "subtree_max_size is wrong");
	lowest->subtree_max_size[VMAP_TRACKED_ALIGN_ORDERS - 1] -= PAGE;

	space.free_bytes += PAGE;
	KEXPECT_STREQ(t, vmap_space_check(&space), "free byte count is wrong");
	space.free_bytes -= PAGE;

	space.free_range_count++;
	KEXPECT_STREQ(t, vmap_space_check(&space), "free range count is wrong");
	space.free_range_count--;

	reshape(lowest, P(0), P(2));
	KEXPECT_STREQ(t, vmap_space_check(&space), "free ranges touch (not merged)");
	reshape(lowest, P(0), P(3));
	KEXPECT_STREQ(t, vmap_space_check(&space), "free ranges overlap");
	reshape(lowest, P(0) - PAGE, P(1));
	KEXPECT_STREQ(t, vmap_space_check(&space), "free range lies outside the space");
	reshape(lowest, P(0), P(1) + 8);
	KEXPECT_STREQ(t, vmap_space_check(&space), "free range is not page aligned");
	reshape(lowest, P(0), P(0));
	KEXPECT_STREQ(t, vmap_space_check(&space), "free range is empty or inverted");
	reshape(lowest, P(0), P(1));
	KEXPECT_STREQ(t, vmap_space_check(&space), NULL);

	/* Swapping the ends keeps every size: only the order is wrong. */
	reshape(lowest, P(62), P(63));
	reshape(last, P(0), P(1));
	KEXPECT_STREQ(t, vmap_space_check(&space), "tree is not in address order");
	reshape(last, P(62), P(63));
	reshape(lowest, P(0), P(1));

	node = find_node(space.root, red_leaf);
	KASSERT_NOT_NULL(t, node);
	node->color = VMAP_BLACK;
	KEXPECT_STREQ(t, vmap_space_check(&space), "black heights differ");
	node->color = VMAP_RED;

	node = find_node(space.root, black_grandchild);
	KASSERT_NOT_NULL(t, node);
	node->color = VMAP_RED;
	node->parent->color = VMAP_RED;
	KEXPECT_STREQ(t, vmap_space_check(&space), "red node has a red child");
	node->color = VMAP_BLACK;
	node->parent->color = VMAP_BLACK;

	node->color = 7;
	KEXPECT_STREQ(t, vmap_space_check(&space), "node color is neither red nor black");
	node->color = VMAP_BLACK;

	node = find_node(space.root, has_left_child);
	KASSERT_NOT_NULL(t, node);
	node->child[VMAP_LEFT]->parent = node->child[VMAP_LEFT];
	KEXPECT_STREQ(t, vmap_space_check(&space), "parent link does not match the tree");
	node->child[VMAP_LEFT]->parent = node;

	space.root->parent = space.root;
	KEXPECT_STREQ(t, vmap_space_check(&space), "root has a parent");
	space.root->parent = NULL;

	KEXPECT_STREQ(t, vmap_space_check(&space), NULL);
	finish_space(t);
}

static void test_iteration_and_dump(struct ktest *t)
{
	uint64_t expected_start = P(1);
	size_t count = 0;

	start_space(t, P(0), P(16));
	for (uint64_t page = 0; page < 16; page++)
		KASSERT_UEQ(t, vmap_space_alloc(&space, PAGE, PAGE), P(page));
	for (uint64_t page = 1; page < 16; page += 3)
		KASSERT_EQ(t, free_checked(t, P(page), PAGE), 0);
	for (const struct vmap_free_range *r = vmap_space_first(&space); r;
	     r = vmap_space_next(r), count++, expected_start += 3 * PAGE) {
		KEXPECT_UEQ(t, r->start, expected_start);
		KEXPECT_UEQ(t, r->end, expected_start + PAGE);
		KEXPECT_TRUE(t, vmap_space_is_free(&space, r->start));
		KEXPECT_TRUE(t, vmap_space_is_free(&space, r->end - 1));
		KEXPECT_FALSE(t, vmap_space_is_free(&space, r->end));
	}
	KEXPECT_EQ(t, count, 5);
	vmap_space_dump(&space);
	finish_space(t);
}

/* ---- random sequence against a shadow model ------------------------------- */

#define STRESS_START BASE
#define STRESS_END (BASE + 1 * GiB)
#define STRESS_STEPS 8000
#define MAX_LIVE 1536
_Static_assert(POOL_NODES > MAX_LIVE, "the free ranges of a full model need nodes");

struct live_range {
	uint64_t start, size;
};

/* Allocated ranges, sorted by start: the model the space must agree with. */
static struct live_range live[MAX_LIVE];
static size_t live_count;
static uint64_t random_state;

struct stress_tally {
	unsigned allocs, no_fit, frees, node_failures, refused;
	uint64_t visits, most_visits;	/* nodes examined by successful allocs */
	size_t most_live;
};

static uint64_t next_random(void)
{
	return xorshift64(&random_state);
}

/* Return: the model's lowest fit, 0 if none; *@needs_node: it splits a gap. */
static uint64_t model_lowest_fit(uint64_t size, uint64_t align, bool *needs_node)
{
	uint64_t gap_start = STRESS_START;

	for (size_t i = 0; i <= live_count; i++) {
		uint64_t gap_end = i < live_count ? live[i].start : STRESS_END;
		uint64_t addr = ALIGN_UP(gap_start, align);

		if (addr >= gap_start && addr <= gap_end && gap_end - addr >= size) {
			*needs_node = addr != gap_start && addr + size != gap_end;
			return addr;
		}
		if (i < live_count)
			gap_start = live[i].start + live[i].size;
	}
	return 0;
}

static void model_insert(uint64_t start, uint64_t size)
{
	size_t i = live_count;

	for (; i > 0 && live[i - 1].start > start; i--)
		live[i] = live[i - 1];
	live[i] = (struct live_range){ start, size };
	live_count++;
}

static void model_remove(size_t index)
{
	for (size_t i = index; i + 1 < live_count; i++)
		live[i] = live[i + 1];
	live_count--;
}

/* Whether live[@index], freed, touches no free range (so it needs a node). */
static bool model_touches_nothing(size_t index)
{
	uint64_t below = index ? live[index - 1].start + live[index - 1].size : STRESS_START;
	uint64_t above = index + 1 < live_count ? live[index + 1].start : STRESS_END;

	return below == live[index].start && above == live[index].start + live[index].size;
}

/* Return: NULL if the free ranges are exactly the model's gaps, else what differs. */
static const char *compare_with_model(void)
{
	const struct vmap_free_range *range = vmap_space_first(&space);
	uint64_t gap_start = STRESS_START, bytes = 0, largest = 0, count = 0;
	const char *broken = vmap_space_check(&space);

	if (broken)
		return broken;
	for (size_t i = 0; i <= live_count; i++) {
		uint64_t gap_end = i < live_count ? live[i].start : STRESS_END;

		if (gap_start > gap_end)
			return "model: allocations overlap";
		if (gap_start < gap_end) {
			if (!range || range->start != gap_start || range->end != gap_end)
				return "free ranges differ from the model's gaps";
			bytes += gap_end - gap_start;
			largest = MAX(largest, gap_end - gap_start);
			count++;
			range = vmap_space_next(range);
		}
		if (i < live_count)
			gap_start = live[i].start + live[i].size;
	}
	if (range)
		return "a free range the model does not have";
	if (bytes != vmap_space_free_bytes(&space) || count != vmap_space_free_range_count(&space) ||
	    largest != vmap_space_largest_free(&space))
		return "counters differ from the model";
	return NULL;
}

/* Mostly small sizes, some up to the maximum: 1..1024 pages. */
static uint64_t random_size(void)
{
	uint64_t limit = 1024;

	/* One draw per statement: the sequence must not depend on the compiler. */
	if (next_random() & 1)
		limit = 1ull << (next_random() % 11);
	return (1 + next_random() % limit) * PAGE;
}

static const char *stress_alloc(struct stress_tally *tally)
{
	uint64_t size = random_size(), align = PAGE << (next_random() % 10);
	bool needs_node = false, inject = next_random() % 16 == 0;
	uint64_t expected = model_lowest_fit(size, align, &needs_node), addr;
	uint64_t depth_bound = 2 * log2_ceiling(vmap_space_free_range_count(&space) + 1);

	pool.fail_next = inject;
	addr = vmap_space_alloc(&space, size, align);
	pool.fail_next = false;
	if (space.last_search_visits > depth_bound)
		return "search left the path down the tree";
	if (inject && expected && needs_node) {
		if (addr)
			return "alloc succeeded although its node allocation failed";
		tally->node_failures++;
		return compare_with_model();
	}
	if (addr != expected)
		return expected ? "alloc is not the lowest fit" : "alloc succeeded with no fit";
	if (!addr) {
		tally->no_fit++;
		return NULL;
	}
	if (addr & (align - 1))
		return "alloc is misaligned";
	tally->visits += space.last_search_visits;
	tally->most_visits = MAX(tally->most_visits, space.last_search_visits);
	model_insert(addr, size);
	tally->allocs++;
	tally->most_live = MAX(tally->most_live, live_count);
	return NULL;
}

/* Free a random live range; sometimes inject a node failure or a bad free. */
static const char *stress_free(struct stress_tally *tally)
{
	size_t index = next_random() % live_count;
	struct live_range victim = live[index];
	bool inject = next_random() % 16 == 0, needs_node = model_touches_nothing(index);
	const char *broken;
	int ret;

	pool.fail_next = inject;
	ret = vmap_space_free(&space, victim.start, victim.size);
	pool.fail_next = false;
	if (inject && needs_node) {
		if (ret != -ENOMEM)
			return "free did not report its failed node allocation";
		tally->node_failures++;
		return compare_with_model();
	}
	if (ret)
		return "free of a live range refused";
	model_remove(index);
	tally->frees++;
	broken = compare_with_model();
	if (broken || next_random() % 4)
		return broken;
	/* Now free again, or shifted by a page (still overlapping free space). */
	if (victim.size > PAGE && next_random() % 2)
		victim.start += PAGE;
	if (vmap_space_free(&space, victim.start, victim.size) != -ENOENT)
		return "double or overlapping free not refused";
	tally->refused++;
	return NULL;
}

/* Phases: mostly allocating (fills the space), balanced, mostly freeing. */
static unsigned alloc_percent(int step)
{
	if (step < STRESS_STEPS / 3)
		return 75;
	return step < 2 * STRESS_STEPS / 3 ? 50 : 35;
}

static void test_random_against_shadow(struct ktest *t)
{
	struct stress_tally tally = { 0 };

	start_space(t, STRESS_START, STRESS_END);
	random_state = 0x9e3779b97f4a7c15ull;
	live_count = 0;

	for (int step = 0; step < STRESS_STEPS; step++) {
		bool alloc = live_count == 0 ||
			     (live_count < MAX_LIVE && next_random() % 100 < alloc_percent(step));
		const char *broken = alloc ? stress_alloc(&tally) : stress_free(&tally);

		if (!broken)
			broken = compare_with_model();
		if (broken) {
			KEXPECT_STREQ(t, broken, NULL);
			KASSERT_EQ(t, step, -1); /* names the step that broke */
		}
	}
	/* The sequence must have exercised every path. */
	KEXPECT_GT(t, tally.allocs, STRESS_STEPS / 4);
	KEXPECT_GT(t, tally.frees, STRESS_STEPS / 4);
	KEXPECT_GT(t, tally.no_fit, 0);
	KEXPECT_GT(t, tally.node_failures, 0);
	KEXPECT_GT(t, tally.refused, 0);
	printk(KERN_INFO "vmap_area stress: %u allocs (%llu nodes examined on average, at most %llu), "
	       "%u no fit, %u frees, %u refused, %u node failures, at most %zu live\n",
	       tally.allocs, (unsigned long long)(tally.visits / tally.allocs),
	       (unsigned long long)tally.most_visits, tally.no_fit, tally.frees, tally.refused,
	       tally.node_failures, tally.most_live);

	/* Everything goes back, in random order, and merges into one range. */
	while (live_count) {
		size_t index = next_random() % live_count;

		KASSERT_EQ(t, vmap_space_free(&space, live[index].start, live[index].size), 0);
		model_remove(index);
		if (live_count % 64 == 0)
			KASSERT_STREQ(t, compare_with_model(), NULL);
	}
	KEXPECT_EQ(t, vmap_space_free_range_count(&space), 1);
	KEXPECT_UEQ(t, vmap_space_largest_free(&space), STRESS_END - STRESS_START);
	finish_space(t);
}

KTEST_SUITE(vmap_area,
	    KTEST_CASE(test_init_one_range),
	    KTEST_CASE(test_worked_example),
	    KTEST_CASE(test_lowest_address_first),
	    KTEST_CASE(test_alignment),
	    KTEST_CASE(test_exhaustion_changes_nothing),
	    KTEST_CASE(test_free_merges),
	    KTEST_CASE(test_fragmentation),
	    KTEST_CASE(test_bad_free_refused),
	    KTEST_CASE(test_node_allocation_failure),
	    KTEST_CASE(test_search_is_logarithmic),
	    KTEST_CASE(test_check_reports),
	    KTEST_CASE(test_iteration_and_dump),
	    KTEST_CASE(test_random_against_shadow));
