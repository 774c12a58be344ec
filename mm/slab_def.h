/* SPDX-License-Identifier: MIT */
/*
 * SLAB's part of struct kmem_cache and struct slab_allocator (the
 * back-end's half of the interface in mm/slab_backend.h).  Only
 * mm/slab*.c read these fields; the design is in mm/slab.c.
 */
#ifndef FERRITE_MM_SLAB_DEF_H
#define FERRITE_MM_SLAB_DEF_H

#include <list.h>
#include <percpu.h>
#include <spinlock.h>
#include <stdint.h>

#define SLAB_BACKEND_NAME "slab"
/* Correct on any number of CPUs, interrupt handlers included. */
#define SLAB_BACKEND_SMP_SAFE 1
/* kmalloc uses the common size-class caches. */
#define SLAB_BACKEND_KMALLOC_CACHES 1
/* slab_backend_tick() reaps the arrays every second. */
#define SLAB_BACKEND_TICK 1
/* The fast paths inline in kmalloc, kfree, kmem_cache_alloc and kmem_cache_free. */
#define SLAB_BACKEND_INLINE_H "slab_inline.h"

/* An entry of a slab's index array: the number of an object in its slab. */
typedef uint16_t freelist_idx_t;

/*
 * A LIFO of free objects (Linux's struct array_cache): a CPU's own, which
 * only that CPU touches, with interrupts off, or the cache's shared one,
 * under the cache lock.  entry[avail - 1] is the object freed last and
 * handed out next; entry[0] the oldest, flushed first.
 */
struct array_cache {
	unsigned int avail;         /* objects in entry[0 .. avail) */
	unsigned int limit;         /* at most this many */
	uint16_t batchcount;        /* moved at once to or from the slabs */
	uint8_t touched;            /* taken from since the last reap */
	unsigned int moves;         /* batches moved in or out (refill, flush, reap), for the validator */
	uint64_t allocations;       /* a CPU array's counts (folded into the cache's when freed) */
	uint64_t frees;
	void *entry[];
};

/*
 * A slab's management block (page->freelist points at it): where its
 * first object starts -- its colour -- and the index array.  The objects
 * index[inuse .. objects) & FREELIST_INDEX_MASK are free in the slab,
 * the last freed first; the entries below inuse are stale.  Each entry's
 * top bit is the state of one object, whatever the entry's position
 * means: index[i] & OBJECT_FREE is set while object i is free in the
 * slab.  That makes "is this object free here already?" one bit test, so
 * a double free is refused before it reaches the free part, at no cost
 * in memory (indices need 12 bits).  On-slab the block ends the slab;
 * off-slab it is an object of cache->backend.mgmt_cache (a kmalloc cache).
 */
struct slab_freelist {
	uint32_t first_object;      /* bytes from the slab start to object 0's stride */
	freelist_idx_t index[];
};

#define OBJECT_FREE ((freelist_idx_t)0x8000)        /* in index[i]: object i is free in the slab */
#define FREELIST_INDEX_MASK ((freelist_idx_t)0x7fff)  /* in index[i]: an object's number */

/*
 * Object layout (offsets from the start of each stride; stride 0 starts
 * first_object bytes into the slab):
 *
 *   [red_left][ object_size ][ red zone / padding ][ tracks ]
 *   0         red_left      +object_size           track_offset  stride
 *
 * No free pointer lives in an object: the index array says what is free.
 * Red zones and tracks exist only with SLAB_RED_ZONE and SLAB_STORE_USER.
 */
struct kmem_cache_backend {
	/* Each CPU's array: read and written only on that CPU, interrupts off. */
	struct array_cache *cpu_array[NR_CPUS];

	/* Set at creation, then constant. */
	unsigned int stride;        /* bytes from one object to the next (Linux's size) */
	unsigned int red_left;      /* left red zone (SLAB_RED_ZONE) */
	unsigned int track_offset;  /* where the two tracks are (SLAB_STORE_USER) */
	unsigned int order;         /* slab size: PAGE_SIZE << order */
	unsigned int objects;       /* objects per slab (Linux's num) */
	uint32_t stride_reciprocal; /* offset / stride == (offset * reciprocal) >> 32 */
	uintptr_t slab_mask;        /* slab size - 1: an address's offset in its slab */
	unsigned int mgmt_size;     /* bytes of a slab's management block */
	struct kmem_cache *mgmt_cache;  /* off-slab: where management blocks come from; NULL: on-slab */
	unsigned int colour_off;    /* one colour step: a cache line, or the alignment if larger */
	unsigned int colours;       /* distinct colours (first_object = colour * colour_off) */
	unsigned int limit, batchcount, shared_limit;  /* array sizes; 0: no arrays (debug caches) */
	unsigned int free_limit;    /* free objects kept in free slabs before slabs go back */

	/* lock must be held. */
	spinlock_t lock;
	struct list_head slabs_full, slabs_partial, slabs_free;
	unsigned long total_slabs;
	unsigned long partial_slabs;
	unsigned long free_slabs;
	unsigned long free_objects; /* free in slabs (not in arrays) */
	unsigned int colour_next;
	bool free_touched;          /* a free slab was used since the last reap */
	unsigned long drains;       /* CPU arrays drained and freed (the validator's change count) */
	struct array_cache *shared; /* shared array, or NULL */
	uint64_t allocations, frees;    /* not counted in a CPU array */

	/* Atomic: this cache's objects that are the back-end's own (arrays, off-slab index arrays). */
	uint64_t internal_allocations, internal_frees;
	bool dying;                 /* kmem_cache_destroy() is freeing it: frees are refused */

	/* The allocator's reap_lock must be held. */
	struct list_head reap_node; /* in allocator->backend.reap_list */
};

/* Per allocator instance: the reaper's list and the per-CPU array set-up guard. */
struct slab_allocator_backend {
	spinlock_t reap_lock;       /* guards reap_list; taken from the timer tick */
	struct list_head reap_list; /* every cache with arrays */
	/* Per CPU: nonzero while it allocates an array (no nested array set-up then). */
	unsigned int building_array[NR_CPUS];
	unsigned int ticks[NR_CPUS];    /* each CPU's timer ticks, counted by slab_backend_tick() */
};

struct slab_allocator;

/*
 * slab_reap - one reap pass of this CPU over every cache of @a: an array
 * not taken from since the last pass gives (limit + 4) / 5 of its oldest
 * objects back to the slabs, the shared array likewise, and a cache whose
 * free slabs were not used since gives up to a fifth of free_limit worth
 * of them back to the page allocator (mm/slab.c).
 * Context: any, an interrupt handler too; no slab lock held.
 */
void slab_reap(struct slab_allocator *a);

#endif
