/* SPDX-License-Identifier: MIT */
/*
 * vmap_area.h: the free-space allocator behind the vmalloc area.
 *
 * A vmap_space hands out page-aligned ranges of virtual addresses from a
 * fixed window [start, end).  It knows nothing of page tables or memory:
 * it is bookkeeping of which addresses are free.  vmalloc and vmap take a
 * range here, then map pages into it; guard pages are the caller's (ask
 * for one page more and leave it unmapped).
 *
 * Design: Linux's (mm/vmalloc.c).  The free ranges are the nodes of a
 * red-black tree sorted by address, each node augmented with the size of
 * the largest free range in its subtree (subtree_max_size).  A search
 * descends into the lower (left) subtree whenever that subtree holds a
 * range big enough, so the lowest-addressed fit is found in O(log n);
 * a free finds its two neighbours in O(log n) and merges with them, so
 * two free ranges never touch.
 *
 * One extension: Linux searches an aligned request by the size it needs
 * in the worst case (size + align - 1), which is fast but can pass over a
 * lower range where the block would have fitted.  Here each node keeps
 * one maximum per alignment: subtree_max_size[k] is the largest block
 * starting at a multiple of 2^k pages that fits in a range of the
 * subtree ([0] is Linux's plain size).  For k < VMAP_TRACKED_ALIGN_ORDERS
 * (4 KiB to 2 MiB) the same single descent finds the exact lowest fit.
 *
 * Why not a vmem arena (Bonwick & Adams; illumos, FreeBSD): vmem keeps
 * segregated power-of-two free lists and its "instant fit" takes the head
 * of the first list whose ranges are all large enough, in O(1).  That is
 * faster, but the answer is whatever range sits at the head of the list,
 * not the lowest address.  Lowest fit keeps the area compact (allocations
 * crowd the bottom, large holes survive at the top), makes the layout
 * predictable for debugging and ptdump, and behaves as Linux does.
 *
 * Worked example (addresses in pages of 4 KiB, space [1, 64)):
 *
 *   free ranges:  [2, 3)  [8, 16)  [20, 21)  [32, 64)      sizes 1 8 1 32
 *   tree, with max = subtree_max_size[0] in pages:
 *
 *                           [20,21) max 32
 *                          /              \
 *              [8,16) max 8               [32,64) max 32
 *              /
 *        [2,3) max 1
 *
 *   alloc 4 pages, align 1: the root's left subtree has max 8 >= 4, go
 *     left; [8,16)'s left subtree has max 1 < 4, and [8,16) itself fits:
 *     the answer is page 8, and [8,16) shrinks to [12,16).
 *   alloc 4 pages, align 16: the descent reads the maxima for 16-page
 *     alignment: [12,16) and [2,3) hold no 16-aligned page (max 0), the
 *     root [20,21) neither, its right subtree [32,64) has 32: go right,
 *     and the block lands at 32.  With the plain maxima [12,16) would
 *     have looked big enough and been tried first, in vain.
 *   free [16, 20): its neighbours are [12,16) on the left and [20,21) on
 *     the right; both touch it, so the three become one range [12, 21).
 *
 * Cost: alloc and free are O(log n) in the number n of free ranges, for
 * every alignment up to 2 MiB; updates touch VMAP_TRACKED_ALIGN_ORDERS
 * maxima per node on the path.  An alignment above 2 MiB is searched
 * with the 2 MiB maxima, which may offer ranges that then miss; the walk
 * goes on in address order, one O(log n) step per miss (a range of at
 * least size + align - 4 KiB never misses).
 *
 * Tree nodes come from callbacks given at init (the kernel uses a slab
 * cache, tests a static pool).  An alloc that splits a range in two, a
 * free that merges with no neighbour, and init need one node; a call
 * whose node allocation fails returns an error and changes nothing.
 *
 * Context for every function: any, but the caller serializes: this code
 * takes no lock and keeps no hidden state (vmalloc holds its own lock
 * around every call).  Nothing sleeps unless the node callbacks do.
 */
#ifndef FERRITE_VMAP_AREA_H
#define FERRITE_VMAP_AREA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMAP_PAGE_SIZE 4096ull

enum vmap_color {
	VMAP_RED,
	VMAP_BLACK,
};

/* Index into vmap_free_range.child[]. */
enum vmap_side {
	VMAP_LEFT,	/* lower addresses */
	VMAP_RIGHT,	/* higher addresses */
};

/* Alignments with their own maxima: 2^0 .. 2^9 pages (4 KiB .. 2 MiB). */
#define VMAP_TRACKED_ALIGN_ORDERS 10

/* One free range [start, end): a node of the red-black tree (128 bytes). */
struct vmap_free_range {
	uint64_t start;
	uint64_t end;			/* exclusive */
	struct vmap_free_range *parent;
	struct vmap_free_range *child[2];
	enum vmap_color color;
	/*
	 * [k]: the largest block starting at a multiple of 2^k pages that
	 * fits inside one range of this subtree; [0] is the largest range.
	 */
	uint64_t subtree_max_size[VMAP_TRACKED_ALIGN_ORDERS];
};

/*
 * Where tree nodes come from.  alloc_node returns room for one struct
 * vmap_free_range (or NULL); free_node takes back what alloc_node gave.
 * @context is passed to both, untouched.
 */
struct vmap_node_allocator {
	void *(*alloc_node)(void *context);
	void (*free_node)(void *context, void *node);
	void *context;
};

struct vmap_space {
	uint64_t start;			/* managed window [start, end) */
	uint64_t end;
	struct vmap_free_range *root;
	struct vmap_node_allocator nodes;
	/* Counters, kept by every call; vmap_space_check() recomputes them. */
	uint64_t free_bytes;
	uint64_t free_range_count;
	/* Nodes the last vmap_space_alloc() examined (to show the cost). */
	uint64_t last_search_visits;
};

/*
 * vmap_space_init - manage [@start, @end) as one free range.
 * @start, @end: page aligned, 0 < @start < @end (0 is the failure value
 *               of vmap_space_alloc(), so it can never be handed out).
 * @nodes: copied; tree nodes are taken and given back through it.
 * Return: 0; -EINVAL for bad bounds; -ENOMEM if the first node could not
 * be allocated (then @s is empty: alloc fails, nothing to destroy).
 * Context: any.
 */
int vmap_space_init(struct vmap_space *s, uint64_t start, uint64_t end,
		    const struct vmap_node_allocator *nodes);

/*
 * vmap_space_destroy - give every node back; @s is then empty.
 * Allocated ranges are forgotten (the caller owns them).
 * Context: any, caller serializes.
 */
void vmap_space_destroy(struct vmap_space *s);

/*
 * vmap_space_alloc - take the lowest-addressed free range of @size bytes
 * starting at a multiple of @align.
 * @size:  a non-zero multiple of VMAP_PAGE_SIZE
 * @align: a power of two, at least VMAP_PAGE_SIZE
 * Return: the start address; 0 if no free range fits, if the arguments
 * are bad, or if a node was needed and could not be allocated.  On 0
 * nothing changed.
 * Context: any, caller serializes.  O(log n), see the note on alignment.
 */
uint64_t vmap_space_alloc(struct vmap_space *s, uint64_t size, uint64_t align);

/*
 * vmap_space_free - give back [@start, @start + @size), merging it with
 * the free ranges it touches.
 * Return: 0; -EINVAL if @start or @size is not page aligned, @size is 0
 * or the range wraps; -ERANGE if it is not inside the space; -ENOENT if
 * any part of it is already free (double free, or a range that was never
 * handed out); -ENOMEM if a node was needed and could not be allocated.
 * On an error nothing changed.
 * Context: any, caller serializes.  O(log n).
 */
int vmap_space_free(struct vmap_space *s, uint64_t start, uint64_t size);

/* Return: whether @addr lies in a free range of @s. Context: any, caller serializes. */
bool vmap_space_is_free(const struct vmap_space *s, uint64_t addr);

/*
 * Free ranges in address order: for (r = vmap_space_first(s); r; r = vmap_space_next(r)).
 * Return: the lowest (next) free range, NULL past the last.
 * Context: any, caller serializes; the tree must not change during the walk.
 */
const struct vmap_free_range *vmap_space_first(const struct vmap_space *s);
const struct vmap_free_range *vmap_space_next(const struct vmap_free_range *range);

/* Counters. Return: free bytes / number of free ranges / largest free range in bytes. */
uint64_t vmap_space_free_bytes(const struct vmap_space *s);
uint64_t vmap_space_free_range_count(const struct vmap_space *s);
uint64_t vmap_space_largest_free(const struct vmap_space *s);

/*
 * vmap_space_check - validate every invariant: tree order, red-black
 * rules (black root, no red node with a red child, equal black heights),
 * parent links, every subtree_max_size at every node, free ranges page aligned,
 * non-empty, inside the space, neither overlapping nor touching, and the
 * counters.
 * Return: NULL if all hold, else a constant string naming the first
 * broken invariant.
 * Context: any, caller serializes.  O(n).
 */
const char *vmap_space_check(const struct vmap_space *s);

/* vmap_space_dump - print the counters and every free range (printk). Context: any. */
void vmap_space_dump(const struct vmap_space *s);

#endif /* FERRITE_VMAP_AREA_H */
