/* SPDX-License-Identifier: MIT */
/*
 * SLOB's part of struct kmem_cache and struct slab_allocator (the
 * back-end's half of the interface in mm/slab_backend.h).  Only
 * mm/slob*.c read these fields; the design is in mm/slob.c.
 */
#ifndef FERRITE_MM_SLOB_DEF_H
#define FERRITE_MM_SLOB_DEF_H

#include <list.h>
#include <spinlock.h>
#include <stdint.h>

#define SLAB_BACKEND_NAME "slob"
/* One lock, interrupts off while held: correct on any number of CPUs. */
#define SLAB_BACKEND_SMP_SAFE 1
/* kmalloc carves its objects itself, each with a header giving its size. */
#define SLAB_BACKEND_KMALLOC_CACHES 0

/* Caches an instance can hold at once (the owner tag of a block header indexes them). */
#define SLOB_MAX_CACHES 1024
/* Freed objects a debug cache keeps at most ("held", so that misuse of them is found). */
#define SLOB_MAX_HELD 16u

struct slob_header;

/* What a cache is: a real one, or one of the instance's two pseudo caches. */
enum slob_cache_kind {
	SLOB_OBJECTS,       /* kmem_cache_create()'s: objects of one size */
	SLOB_KMALLOC,       /* "kmalloc-slob": every kmalloc object, each of its own size */
	SLOB_FREE_SPACE,    /* "slob-free": the free space of the shared pages (no objects) */
};

struct kmem_cache_backend {
	/* Set at creation, then constant. */
	enum slob_cache_kind kind;
	uint16_t id;                /* owner tag in the headers of its blocks */
	unsigned int red_left;      /* left red zone before each object (SLAB_RED_ZONE), bytes */
	bool big;                   /* objects too large for a page: a block of pages each */
	unsigned int big_order;     /* then: the order of those blocks */

	/* The allocator's backend.lock must be held. */
	unsigned long live;         /* objects handed out and not freed */
	unsigned long held;         /* freed objects a debug cache keeps (held_ring) */
	unsigned long big_blocks;   /* blocks of pages of its own */
	uint64_t bytes;             /* bytes its blocks take, headers and debug metadata included */
	uint64_t big_bytes;         /* of which in blocks of pages of its own */
	/*
	 * Debug caches: the blocks of the objects held, oldest at held_oldest.
	 * Kept here, not in the freed objects, so that a write after free
	 * cannot break the chain that finds them.
	 */
	struct slob_header *held_ring[SLOB_MAX_HELD];
	unsigned int held_oldest;
	uint64_t allocations, frees;
	bool dying;                 /* destroyed: frees into it are refused */
};

/*
 * The instance: one lock over everything, the shared pages on lists,
 * and the table from owner tags to caches.
 */
struct slab_allocator_backend {
	spinlock_t lock;            /* "slob_lock": guards every field below and every SLOB page */
	uint64_t key;               /* seals block headers (mm/slob.c) */
	/* Pages with free space, by the size of the request they were last used for. */
	struct list_head free_pages[3];
	struct list_head full_pages;    /* pages without free space */
	struct list_head big_blocks;    /* blocks of pages holding one object each */
	unsigned long pages;            /* shared pages held */
	struct page *spare;             /* the last page that became wholly free, kept for reuse, or NULL */
	uint64_t block_bytes;           /* bytes of blocks (not free space) in the shared pages */
	struct kmem_cache *kmalloc_cache;   /* pseudo caches, set up with the cache of caches */
	struct kmem_cache *free_cache;
	struct kmem_cache *caches[SLOB_MAX_CACHES];  /* by owner tag; NULL: unused */
};

#endif
