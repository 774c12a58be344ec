// SPDX-License-Identifier: MIT
/*
 * vmap_area.c: the vmalloc area's free-space allocator (contract and
 * design note in vmap_area.h).
 *
 * The free ranges form a red-black tree keyed by start address (the
 * classic algorithm, as in CLRS chapter 13, with NULL leaves), and every
 * node caches subtree_max_size[order]: the largest block aligned to
 * 2^order pages that fits in one range of its subtree.  The cache is
 * repaired in two ways:
 *
 *  - a rotation moves two nodes; both are recomputed from their children
 *    (lower one first), which is exact because the rest of their
 *    subtrees did not change;
 *  - a node whose range changed, or a place where a node was linked in or
 *    cut out, is recomputed along its path to the root (propagate()).
 *
 * Each child[] pair is indexed by side (VMAP_LEFT, VMAP_RIGHT), so every
 * fix-up case is written once for a side and its mirror is !side.
 */
#include <errno.h>
#include <kernel.h>
#include <printk.h>
#include <vmap_area.h>

#define PAGE_MASK (VMAP_PAGE_SIZE - 1)

/*
 * A red-black tree of n nodes is at most 2 * log2(n + 1) deep; 128 levels
 * would need more nodes than 64-bit memory holds.  The validator stops
 * there, so a corrupted (cyclic) tree cannot run it off the stack.
 */
#define VMAP_MAX_DEPTH 128

/* ---- node helpers ------------------------------------------------------- */

static uint64_t range_size(const struct vmap_free_range *range)
{
	return range->end - range->start;
}

/*
 * The largest block starting at a multiple of @align that fits in
 * @range, 0 if none.  Example: [0x3000, 0x9000) holds 0x5000 bytes at
 * 0x4000 for 16 KiB alignment, and nothing for 64 KiB.
 */
static uint64_t aligned_room(const struct vmap_free_range *range, uint64_t align)
{
	uint64_t start = ALIGN_UP(range->start, align);

	if (start < range->start || start >= range->end)
		return 0;	/* (start < range->start: rounding wrapped past 2^64) */
	return range->end - start;
}

static uint64_t order_align(unsigned order)
{
	return VMAP_PAGE_SIZE << order;
}

static uint64_t subtree_max(const struct vmap_free_range *range, unsigned order)
{
	return range ? range->subtree_max_size[order] : 0;
}

static bool is_red(const struct vmap_free_range *range)
{
	return range && range->color == VMAP_RED;
}

/* What subtree_max_size[@order] of @range must be, given its children's. */
static uint64_t compute_subtree_max(const struct vmap_free_range *range, unsigned order)
{
	uint64_t left = subtree_max(range->child[VMAP_LEFT], order);
	uint64_t right = subtree_max(range->child[VMAP_RIGHT], order);

	return MAX(aligned_room(range, order_align(order)), MAX(left, right));
}

static void update_subtree_max(struct vmap_free_range *range)
{
	for (unsigned order = 0; order < VMAP_TRACKED_ALIGN_ORDERS; order++)
		range->subtree_max_size[order] = compute_subtree_max(range, order);
}

/* Recompute subtree_max_size from @range up to the root. */
static void propagate(struct vmap_free_range *range)
{
	for (; range; range = range->parent)
		update_subtree_max(range);
}

static enum vmap_side side_of(const struct vmap_free_range *range)
{
	return range == range->parent->child[VMAP_LEFT] ? VMAP_LEFT : VMAP_RIGHT;
}

static struct vmap_free_range *lowest_in(struct vmap_free_range *range)
{
	while (range->child[VMAP_LEFT])
		range = range->child[VMAP_LEFT];
	return range;
}

/* The next range in address order (in-order successor), or NULL. */
static struct vmap_free_range *successor(struct vmap_free_range *range)
{
	if (range->child[VMAP_RIGHT])
		return lowest_in(range->child[VMAP_RIGHT]);
	while (range->parent && side_of(range) == VMAP_RIGHT)
		range = range->parent;
	return range->parent;
}

/* ---- red-black tree ------------------------------------------------------ */

/* Put @new where @old hangs under @parent (or at the root). */
static void replace_child(struct vmap_space *s, struct vmap_free_range *parent,
			  struct vmap_free_range *old, struct vmap_free_range *new)
{
	if (!parent)
		s->root = new;
	else if (parent->child[VMAP_LEFT] == old)
		parent->child[VMAP_LEFT] = new;
	else
		parent->child[VMAP_RIGHT] = new;
}

/*
 * Rotate @node down towards @side: its child on the other side takes its
 * place.  rotate(s, x, VMAP_LEFT) is CLRS's LEFT-ROTATE(x).
 */
static void rotate(struct vmap_space *s, struct vmap_free_range *node, enum vmap_side side)
{
	struct vmap_free_range *riser = node->child[!side];
	struct vmap_free_range *inner = riser->child[side];

	node->child[!side] = inner;
	if (inner)
		inner->parent = node;
	riser->parent = node->parent;
	replace_child(s, node->parent, node, riser);
	riser->child[side] = node;
	node->parent = riser;
	update_subtree_max(node);
	update_subtree_max(riser);
}

static void insert_fixup(struct vmap_space *s, struct vmap_free_range *node)
{
	struct vmap_free_range *parent, *grandparent, *uncle;
	enum vmap_side side;

	while ((parent = node->parent) && is_red(parent)) {
		grandparent = parent->parent;	/* exists: the root is black */
		side = side_of(parent);
		uncle = grandparent->child[!side];
		if (is_red(uncle)) {
			parent->color = VMAP_BLACK;
			uncle->color = VMAP_BLACK;
			grandparent->color = VMAP_RED;
			node = grandparent;
			continue;
		}
		if (node == parent->child[!side]) {
			rotate(s, parent, side);
			node = parent;
			parent = node->parent;
		}
		parent->color = VMAP_BLACK;
		grandparent->color = VMAP_RED;
		rotate(s, grandparent, !side);
	}
	s->root->color = VMAP_BLACK;
}

/* Link @node (start and end set) into the tree. Its range touches no other. */
static void insert_range(struct vmap_space *s, struct vmap_free_range *node)
{
	struct vmap_free_range *parent = NULL, **link = &s->root;

	while (*link) {
		parent = *link;
		link = &parent->child[node->start < parent->start ? VMAP_LEFT : VMAP_RIGHT];
	}
	node->parent = parent;
	node->child[VMAP_LEFT] = NULL;
	node->child[VMAP_RIGHT] = NULL;
	node->color = VMAP_RED;
	*link = node;
	propagate(node);
	insert_fixup(s, node);
}

/* Hang @replacement (may be NULL) where @node was. */
static void transplant(struct vmap_space *s, struct vmap_free_range *node,
		       struct vmap_free_range *replacement)
{
	replace_child(s, node->parent, node, replacement);
	if (replacement)
		replacement->parent = node->parent;
}

/* @node (may be NULL) under @parent carries an extra black: push it up or absorb it. */
static void erase_fixup(struct vmap_space *s, struct vmap_free_range *node,
			struct vmap_free_range *parent)
{
	struct vmap_free_range *sibling;
	enum vmap_side side;

	while (node != s->root && !is_red(node)) {
		/* The sibling has black height >= 1, so it is not NULL. */
		side = parent->child[VMAP_LEFT] == node ? VMAP_LEFT : VMAP_RIGHT;
		sibling = parent->child[!side];
		if (is_red(sibling)) {
			sibling->color = VMAP_BLACK;
			parent->color = VMAP_RED;
			rotate(s, parent, side);
			sibling = parent->child[!side];
		}
		if (!is_red(sibling->child[VMAP_LEFT]) && !is_red(sibling->child[VMAP_RIGHT])) {
			sibling->color = VMAP_RED;
			node = parent;
			parent = node->parent;
			continue;
		}
		if (!is_red(sibling->child[!side])) {
			sibling->child[side]->color = VMAP_BLACK;
			sibling->color = VMAP_RED;
			rotate(s, sibling, !side);
			sibling = parent->child[!side];
		}
		sibling->color = parent->color;
		parent->color = VMAP_BLACK;
		sibling->child[!side]->color = VMAP_BLACK;
		rotate(s, parent, side);
		node = s->root;
	}
	if (node)
		node->color = VMAP_BLACK;
}

/* Unlink @node from the tree (the caller frees it). Other nodes keep their addresses. */
static void erase_range(struct vmap_space *s, struct vmap_free_range *node)
{
	struct vmap_free_range *moved, *orphan, *orphan_parent;
	enum vmap_color removed_color = node->color;

	if (!node->child[VMAP_LEFT] || !node->child[VMAP_RIGHT]) {
		orphan = node->child[node->child[VMAP_LEFT] ? VMAP_LEFT : VMAP_RIGHT];
		orphan_parent = node->parent;
		transplant(s, node, orphan);
	} else {
		/* Two children: the successor takes @node's place and color. */
		moved = lowest_in(node->child[VMAP_RIGHT]);
		removed_color = moved->color;
		orphan = moved->child[VMAP_RIGHT];
		if (moved->parent == node) {
			orphan_parent = moved;
		} else {
			orphan_parent = moved->parent;
			transplant(s, moved, orphan);
			moved->child[VMAP_RIGHT] = node->child[VMAP_RIGHT];
			moved->child[VMAP_RIGHT]->parent = moved;
		}
		transplant(s, node, moved);
		moved->child[VMAP_LEFT] = node->child[VMAP_LEFT];
		moved->child[VMAP_LEFT]->parent = moved;
		moved->color = node->color;
	}
	/* The path from orphan_parent up passes every node whose subtree changed. */
	propagate(orphan_parent);
	if (removed_color == VMAP_BLACK)
		erase_fixup(s, orphan, orphan_parent);
}

/* ---- lookups ------------------------------------------------------------- */

/* The free range with the highest start <= @addr, or NULL. */
static struct vmap_free_range *last_starting_at_or_below(const struct vmap_space *s,
							  uint64_t addr)
{
	struct vmap_free_range *node = s->root, *best = NULL;

	while (node) {
		if (node->start <= addr) {
			best = node;
			node = node->child[VMAP_RIGHT];
		} else {
			node = node->child[VMAP_LEFT];
		}
	}
	return best;
}

/* The free range with the lowest start > @addr, or NULL. */
static struct vmap_free_range *first_starting_above(const struct vmap_space *s, uint64_t addr)
{
	struct vmap_free_range *node = s->root, *best = NULL;

	while (node) {
		if (node->start > addr) {
			best = node;
			node = node->child[VMAP_LEFT];
		} else {
			node = node->child[VMAP_RIGHT];
		}
	}
	return best;
}

/*
 * Searches look for candidates: ranges with room for @size bytes at
 * 2^@order pages alignment, as recorded in subtree_max_size[@order].
 * For a tracked alignment every candidate fits; for a larger one a
 * candidate may still miss and the walk goes on in address order.
 */

/* The lowest candidate in the subtree at @node, or NULL: one path down. */
static struct vmap_free_range *first_candidate(struct vmap_space *s, struct vmap_free_range *node,
					       uint64_t size, unsigned order)
{
	while (node) {
		s->last_search_visits++;
		if (subtree_max(node->child[VMAP_LEFT], order) >= size)
			node = node->child[VMAP_LEFT];
		else if (aligned_room(node, order_align(order)) >= size)
			return node;
		else if (subtree_max(node->child[VMAP_RIGHT], order) >= size)
			node = node->child[VMAP_RIGHT];
		else
			return NULL;
	}
	return NULL;
}

/*
 * The next candidate after @node in address order, or NULL: in the right
 * subtree if it has one, else at the first ancestor reached from its left
 * side, or in that ancestor's right subtree.
 */
static struct vmap_free_range *next_candidate(struct vmap_space *s, struct vmap_free_range *node,
					      uint64_t size, unsigned order)
{
	if (subtree_max(node->child[VMAP_RIGHT], order) >= size)
		return first_candidate(s, node->child[VMAP_RIGHT], size, order);
	for (;;) {
		while (node->parent && side_of(node) == VMAP_RIGHT)
			node = node->parent;
		node = node->parent;
		if (!node)
			return NULL;
		s->last_search_visits++;
		if (aligned_room(node, order_align(order)) >= size)
			return node;
		if (subtree_max(node->child[VMAP_RIGHT], order) >= size)
			return first_candidate(s, node->child[VMAP_RIGHT], size, order);
	}
}

static struct vmap_free_range *lowest_fit(struct vmap_space *s, uint64_t size, uint64_t align,
					  uint64_t *addr)
{
	/* @align is a power of two >= one page: order = log2(align / page). */
	unsigned order = __builtin_ctzll(align / VMAP_PAGE_SIZE);
	struct vmap_free_range *range;

	order = MIN(order, VMAP_TRACKED_ALIGN_ORDERS - 1);
	s->last_search_visits = 0;
	for (range = first_candidate(s, s->root, size, order); range;
	     range = next_candidate(s, range, size, order)) {
		if (aligned_room(range, align) >= size) {
			*addr = ALIGN_UP(range->start, align);
			return range;
		}
	}
	return NULL;
}

/* ---- node allocation ----------------------------------------------------- */

static struct vmap_free_range *new_range(struct vmap_space *s, uint64_t start, uint64_t end)
{
	struct vmap_free_range *range = s->nodes.alloc_node(s->nodes.context);

	if (!range)
		return NULL;
	range->start = start;
	range->end = end;
	return range;
}

static void delete_range(struct vmap_space *s, struct vmap_free_range *range)
{
	erase_range(s, range);
	s->nodes.free_node(s->nodes.context, range);
	s->free_range_count--;
}

/* ---- the API ------------------------------------------------------------- */

int vmap_space_init(struct vmap_space *s, uint64_t start, uint64_t end,
		    const struct vmap_node_allocator *nodes)
{
	struct vmap_free_range *range;

	*s = (struct vmap_space){ .start = start, .end = end, .nodes = *nodes };
	if (start == 0 || start >= end || (start & PAGE_MASK) || (end & PAGE_MASK)) {
		s->end = s->start;
		return -EINVAL;
	}
	range = new_range(s, start, end);
	if (!range) {
		s->end = s->start;
		return -ENOMEM;
	}
	insert_range(s, range);
	s->free_bytes = end - start;
	s->free_range_count = 1;
	return 0;
}

void vmap_space_destroy(struct vmap_space *s)
{
	struct vmap_free_range *node = s->root, *parent;

	/* Post-order without a stack: free leaves, cutting them off as we go. */
	while (node) {
		if (node->child[VMAP_LEFT]) {
			node = node->child[VMAP_LEFT];
			continue;
		}
		if (node->child[VMAP_RIGHT]) {
			node = node->child[VMAP_RIGHT];
			continue;
		}
		parent = node->parent;
		if (parent)
			parent->child[side_of(node)] = NULL;
		s->nodes.free_node(s->nodes.context, node);
		node = parent;
	}
	s->root = NULL;
	s->free_bytes = 0;
	s->free_range_count = 0;
}

static bool bad_request(uint64_t size, uint64_t align)
{
	return size == 0 || (size & PAGE_MASK) || align < VMAP_PAGE_SIZE ||
	       (align & (align - 1));
}

/* Take [@addr, @addr + @size) out of @range, which holds it. Return: 0 or -ENOMEM. */
static int carve(struct vmap_space *s, struct vmap_free_range *range, uint64_t addr,
		 uint64_t size)
{
	uint64_t end = addr + size;
	struct vmap_free_range *tail;

	if (addr == range->start && end == range->end) {
		delete_range(s, range);
	} else if (addr == range->start) {
		range->start = end;
		propagate(range);
	} else if (end == range->end) {
		range->end = addr;
		propagate(range);
	} else {
		tail = new_range(s, end, range->end);
		if (!tail)
			return -ENOMEM;
		range->end = addr;
		propagate(range);
		insert_range(s, tail);
		s->free_range_count++;
	}
	s->free_bytes -= size;
	return 0;
}

uint64_t vmap_space_alloc(struct vmap_space *s, uint64_t size, uint64_t align)
{
	struct vmap_free_range *range;
	uint64_t addr;

	if (bad_request(size, align))
		return 0;
	range = lowest_fit(s, size, align, &addr);
	if (!range || carve(s, range, addr, size))
		return 0;
	return addr;
}

/* Check a range given back against the space and the free ranges around it. */
static int check_freed_range(const struct vmap_space *s, uint64_t start, uint64_t end,
			     const struct vmap_free_range *left,
			     const struct vmap_free_range *right)
{
	if (start < s->start || end > s->end)
		return -ERANGE;
	if ((left && left->end > start) || (right && right->start < end))
		return -ENOENT;
	return 0;
}

/* Return [start, end) to the tree: grow a touching neighbour, or add a node. */
static int merge_free(struct vmap_space *s, uint64_t start, uint64_t end,
		      struct vmap_free_range *left, struct vmap_free_range *right)
{
	bool touches_left = left && left->end == start;
	bool touches_right = right && right->start == end;
	struct vmap_free_range *range;

	if (touches_left && touches_right) {
		uint64_t merged_end = right->end;

		delete_range(s, right);
		left->end = merged_end;
		propagate(left);
	} else if (touches_left) {
		left->end = end;
		propagate(left);
	} else if (touches_right) {
		right->start = start;
		propagate(right);
	} else {
		range = new_range(s, start, end);
		if (!range)
			return -ENOMEM;
		insert_range(s, range);
		s->free_range_count++;
	}
	return 0;
}

int vmap_space_free(struct vmap_space *s, uint64_t start, uint64_t size)
{
	struct vmap_free_range *left, *right;
	uint64_t end = start + size;
	int error;

	if (size == 0 || (start & PAGE_MASK) || (size & PAGE_MASK) || end < start)
		return -EINVAL;
	left = last_starting_at_or_below(s, start);
	right = first_starting_above(s, start);
	error = check_freed_range(s, start, end, left, right);
	if (!error)
		error = merge_free(s, start, end, left, right);
	if (!error)
		s->free_bytes += size;
	return error;
}

bool vmap_space_is_free(const struct vmap_space *s, uint64_t addr)
{
	const struct vmap_free_range *range = last_starting_at_or_below(s, addr);

	return range && addr < range->end;
}

const struct vmap_free_range *vmap_space_first(const struct vmap_space *s)
{
	return s->root ? lowest_in(s->root) : NULL;
}

const struct vmap_free_range *vmap_space_next(const struct vmap_free_range *range)
{
	/* The walk only reads; successor() takes a non-const pointer to share code. */
	return successor((struct vmap_free_range *)range);
}

uint64_t vmap_space_free_bytes(const struct vmap_space *s)
{
	return s->free_bytes;
}

uint64_t vmap_space_free_range_count(const struct vmap_space *s)
{
	return s->free_range_count;
}

uint64_t vmap_space_largest_free(const struct vmap_space *s)
{
	return subtree_max(s->root, 0);
}

/* ---- validator ----------------------------------------------------------- */

struct check_state {
	const struct vmap_space *space;
	const struct vmap_free_range *previous;	/* last range in address order */
	uint64_t ranges;
	uint64_t bytes;
	const char *error;
};

/* The range's own rules, and its order against the range before it. */
static const char *check_range(struct check_state *state, const struct vmap_free_range *range)
{
	const struct vmap_free_range *previous = state->previous;

	if (range->start >= range->end)
		return "free range is empty or inverted";
	if ((range->start & PAGE_MASK) || (range->end & PAGE_MASK))
		return "free range is not page aligned";
	if (range->start < state->space->start || range->end > state->space->end)
		return "free range lies outside the space";
	if (previous && previous->start >= range->start)
		return "tree is not in address order";
	if (previous && previous->end > range->start)
		return "free ranges overlap";
	if (previous && previous->end == range->start)
		return "free ranges touch (not merged)";
	state->previous = range;
	state->ranges++;
	state->bytes += range_size(range);
	return NULL;
}

/* Node-local rules: link back to the parent, color, no red-red. */
static const char *check_node(const struct vmap_free_range *node,
			      const struct vmap_free_range *parent, unsigned depth)
{
	if (depth > VMAP_MAX_DEPTH)
		return "tree deeper than a red-black tree can be (cycle?)";
	if (node->parent != parent)
		return "parent link does not match the tree";
	if (node->color != VMAP_RED && node->color != VMAP_BLACK)
		return "node color is neither red nor black";
	if (is_red(node) && is_red(parent))
		return "red node has a red child";
	return NULL;
}

/*
 * Check the subtree at @node (in address order, for check_range()).
 * Return: its black height (NULL leaves count 1); 0 once state->error is set.
 */
static unsigned check_subtree(struct check_state *state, const struct vmap_free_range *node,
			      const struct vmap_free_range *parent, unsigned depth)
{
	unsigned left_height, right_height;

	if (!node)
		return 1;
	state->error = check_node(node, parent, depth);
	if (state->error)
		return 0;
	left_height = check_subtree(state, node->child[VMAP_LEFT], node, depth + 1);
	if (state->error)
		return 0;
	state->error = check_range(state, node);
	if (state->error)
		return 0;
	right_height = check_subtree(state, node->child[VMAP_RIGHT], node, depth + 1);
	if (state->error)
		return 0;
	if (left_height != right_height)
		state->error = "black heights differ";
	for (unsigned order = 0; order < VMAP_TRACKED_ALIGN_ORDERS && !state->error; order++)
		if (node->subtree_max_size[order] != compute_subtree_max(node, order))
			state->error = "subtree_max_size is wrong";
	return left_height + (node->color == VMAP_BLACK);
}

const char *vmap_space_check(const struct vmap_space *s)
{
	struct check_state state = { .space = s };

	if (s->start == 0 || s->start > s->end || (s->start & PAGE_MASK) || (s->end & PAGE_MASK))
		return "space bounds are bad";
	if (s->root && s->root->parent)
		return "root has a parent";
	if (is_red(s->root))
		return "root is red";
	check_subtree(&state, s->root, NULL, 0);
	if (state.error)
		return state.error;
	if (state.ranges != s->free_range_count)
		return "free range count is wrong";
	if (state.bytes != s->free_bytes)
		return "free byte count is wrong";
	return NULL;
}

void vmap_space_dump(const struct vmap_space *s)
{
	const struct vmap_free_range *range;

	pr_info("vmap space [0x%016llx-0x%016llx): %llu KiB free in %llu ranges, largest %llu KiB\n",
		(unsigned long long)s->start, (unsigned long long)s->end,
		(unsigned long long)(s->free_bytes >> 10),
		(unsigned long long)s->free_range_count,
		(unsigned long long)(vmap_space_largest_free(s) >> 10));
	for (range = vmap_space_first(s); range; range = vmap_space_next(range))
		pr_info("  free [0x%016llx-0x%016llx) %8llu pages %s\n",
			(unsigned long long)range->start, (unsigned long long)range->end,
			(unsigned long long)(range_size(range) / VMAP_PAGE_SIZE),
			range->color == VMAP_RED ? "red" : "black");
}
