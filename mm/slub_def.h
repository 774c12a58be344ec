/* SPDX-License-Identifier: MIT */
/*
 * SLUB's part of struct kmem_cache and struct slab_allocator (the
 * back-end's half of the interface in mm/slab_backend.h).  Only
 * mm/slub*.c read these fields; the design is in mm/slub.c.
 */
#ifndef FERRITE_MM_SLUB_DEF_H
#define FERRITE_MM_SLUB_DEF_H

#include <list.h>
#include <percpu.h>
#include <spinlock.h>

#define SLAB_BACKEND_NAME "slub"
/* Correct on any number of CPUs, interrupt handlers included. */
#define SLAB_BACKEND_SMP_SAFE 1
/* kmalloc uses the common size-class caches. */
#define SLAB_BACKEND_KMALLOC_CACHES 1
/* The fast paths of kmalloc, kfree, kmem_cache_alloc and kmem_cache_free, inline. */
#define SLAB_BACKEND_INLINE_H "slub_inline.h"

/*
 * One CPU's slab of a cache.  Only that CPU touches it, with interrupts
 * off (other CPUs reach it only through a cross call that runs there).
 * One cache line per CPU: no two CPUs write the same line on the fast path.
 */
struct kmem_cache_cpu {
	void *freelist;         /* encoded chain of free objects of slab */
	uintptr_t first;        /* address of slab's first object, or SLUB_NO_CPU_SLAB */
	struct page *slab;      /* the slab those objects belong to (frozen), or NULL */
	/*
	 * Frees counted by this CPU, summed on read.  Allocations are not
	 * counted on the fast path: they are the frees plus the objects in use.
	 */
	uint64_t frees;
} __attribute__((aligned(64)));

/* kmem_cache_cpu.first without a CPU slab: non-canonical, so no object is ever in its range. */
#define SLUB_NO_CPU_SLAB ((uintptr_t)1 << 63)

/*
 * Object layout in a slab (offsets from the start of each stride):
 *
 *   [red_left][ object_size ][ red zone / padding ][ free pointer ][ tracks ]
 *   0         red_left      +object_size           free_offset     track_offset  stride
 *
 * The free pointer overlays the object's first word unless the object
 * must keep its contents while free (a constructor, or poisoning), then
 * it sits after the object.  Red zones and tracks exist only with
 * SLAB_RED_ZONE and SLAB_STORE_USER.
 */
struct kmem_cache_backend {
	/* Each CPU's slab (this_cpu_ptr, interrupts off). */
	struct kmem_cache_cpu cpu_slab[NR_CPUS];

	/* Set at creation, then constant. */
	unsigned int stride;        /* bytes from one object to the next */
	unsigned int red_left;      /* left red zone (SLAB_RED_ZONE) */
	unsigned int free_offset;   /* where the free pointer is, from the object start */
	unsigned int track_offset;  /* where the two tracks are (SLAB_STORE_USER) */
	unsigned int order;         /* slab size: PAGE_SIZE << order */
	unsigned int objects;       /* objects per slab */
	uint32_t stride_reciprocal; /* offset / stride == (offset * reciprocal) >> 32 */
	/* stride == odd * 2^stride_shift; stride_inverse * odd == 1 modulo 2^64 (slub_object_at) */
	uint64_t stride_inverse;
	unsigned int stride_shift;
	uint64_t objects_bound;     /* objects, 64 bits wide: compared in one instruction */
	unsigned int max_empty;     /* empty slabs kept on the partial list */
	unsigned int slab_shift;    /* log2 of the slab size: PAGE_SHIFT + order */
	uintptr_t slab_mask;        /* slab size - 1: an address's offset in its slab */

	/* lock must be held. */
	spinlock_t lock;
	struct list_head partial;   /* slabs with free objects (not frozen) */
	struct list_head full;      /* no free object: all in use, or given up (corrupted link) */
	unsigned long partial_count;
	unsigned long empty_count;  /* partial slabs with no object in use */
	unsigned long frozen_count; /* CPU slabs: on no list */
	unsigned long slabs;        /* all slabs of the cache */
	bool dying;                 /* kmem_cache_destroy() is freeing it: frees are refused */
};

/* SLUB keeps nothing per allocator instance beyond the common part. */
struct slab_allocator_backend {
};

#endif
