// SPDX-License-Identifier: MIT
/*
 * The buddy allocator under real threads, each standing for one CPU
 * (host_set_cpu, tests/host/shim/percpu.h): every thread allocates and
 * frees blocks of orders 0-4, hands a share of them to the others through
 * one shared queue so that most frees are remote, and checks the contents
 * of each block it frees.  Built into the ASan/UBSan runner and, with
 * -fsanitize=thread, into `make test-host-tsan`, so a data race in the
 * core is found on the host.  Threads never call the ktest assertions:
 * each records its first failure, the main thread reports it.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <buddy.h>
#include <ktest.h>
#include <mm.h>
#include <printk.h>

#include "buddy_arena.h"
#include "host_support.h"

#define THREADS 4
#define ROUNDS 20000
#define LIVE_PER_THREAD 32
#define QUEUE_SLOTS 64
#define STAMP_BYTES 64          /* stamped at the start of every page of a block */

struct block {
	struct page *page;
	unsigned int order;
	uint8_t stamp;
};

/* Blocks in flight between threads; the allocator's locks are not used for it. */
struct handoff_queue {
	pthread_mutex_t lock;
	struct block slots[QUEUE_SLOTS];
	unsigned int head, count;
};

struct worker {
	pthread_t thread;
	unsigned int cpu;
	struct arena *arena;
	struct handoff_queue *queue;
	uint64_t random;
	struct block live[LIVE_PER_THREAD];
	unsigned int live_count;
	uint64_t remote_frees;
	const char *failure;
};

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static void stamp_block(struct arena *a, const struct block *block)
{
	for (uint64_t i = 0; i < (1ull << block->order); i++)
		memset(contents_of(a, block->page + i), block->stamp, STAMP_BYTES);
}

static bool stamp_intact(struct arena *a, const struct block *block)
{
	for (uint64_t i = 0; i < (1ull << block->order); i++) {
		const uint8_t *bytes = contents_of(a, block->page + i);

		for (int b = 0; b < STAMP_BYTES; b++)
			if (bytes[b] != block->stamp)
				return false;
	}
	return true;
}

static void fail(struct worker *w, const char *what)
{
	if (!w->failure)
		w->failure = what;
}

static void free_checked(struct worker *w, const struct block *block)
{
	if (!stamp_intact(w->arena, block))
		fail(w, "a block's contents changed while it was allocated");
	if (!buddy_free(&w->arena->buddy, block->page, block->order, NULL))
		fail(w, "a legal free was refused");
}

static bool queue_push(struct handoff_queue *q, const struct block *block)
{
	bool pushed = false;

	pthread_mutex_lock(&q->lock);
	if (q->count < QUEUE_SLOTS) {
		q->slots[(q->head + q->count++) % QUEUE_SLOTS] = *block;
		pushed = true;
	}
	pthread_mutex_unlock(&q->lock);
	return pushed;
}

static bool queue_pop(struct handoff_queue *q, struct block *block)
{
	bool popped = false;

	pthread_mutex_lock(&q->lock);
	if (q->count) {
		*block = q->slots[q->head];
		q->head = (q->head + 1) % QUEUE_SLOTS;
		q->count--;
		popped = true;
	}
	pthread_mutex_unlock(&q->lock);
	return popped;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct buddy *b = &w->arena->buddy;

	host_set_cpu(w->cpu);
	for (int round = 0; round < ROUNDS && !w->failure; round++) {
		uint64_t r = next_random(&w->random);
		struct block block;

		if (w->live_count < LIVE_PER_THREAD && (r & 1)) {
			/* Mostly order 0 (the per-CPU path), orders 1-4 now and then. */
			block.order = (r >> 8) % 4 == 0 ? (unsigned int)((r >> 16) % 5) : 0;
			block.page = buddy_alloc(b, GFP_KERNEL | __GFP_NOWARN, block.order, NULL);
			if (!block.page)
				continue; /* the others hold it all for now */
			if (page_ref_count(block.page) != 1)
				fail(w, "an allocated block's reference count is not 1");
			block.stamp = (uint8_t)(r >> 24);
			stamp_block(w->arena, &block);
			w->live[w->live_count++] = block;
		} else if (w->live_count && (r & 2) &&
			   queue_push(w->queue, &w->live[w->live_count - 1])) {
			w->live_count--;        /* someone else frees it */
		} else if ((r & 4) && queue_pop(w->queue, &block)) {
			free_checked(w, &block);
			w->remote_frees++;
		} else if (w->live_count) {
			free_checked(w, &w->live[--w->live_count]);
		}
	}
	while (w->live_count)
		free_checked(w, &w->live[--w->live_count]);
	buddy_drain_local_pcp(b);
	return NULL;
}

/* Every thread allocating and freeing at once, most frees remote: nothing lost, nothing broken. */
static void test_threads_alloc_and_remote_free(struct ktest *t)
{
	struct arena *a = arena_create_full(t, LOW_START, LOW_END);
	struct worker *workers = arena_scratch(t, a, THREADS, sizeof(*workers));
	struct handoff_queue *queue = arena_scratch(t, a, 1, sizeof(*queue));
	uint64_t remote = 0;
	struct buddy_stats stats;
	struct block block;

	buddy_setup_watermarks(&a->buddy);
	pthread_mutex_init(&queue->lock, NULL);
	for (unsigned int i = 0; i < THREADS; i++) {
		workers[i] = (struct worker){ .cpu = i + 1, .arena = a, .queue = queue,
					      .random = 0x9e3779b97f4a7c15ull * (i + 1) };
		KASSERT_EQ(t, pthread_create(&workers[i].thread, NULL, worker_run, &workers[i]), 0);
	}
	for (unsigned int i = 0; i < THREADS; i++) {
		KASSERT_EQ(t, pthread_join(workers[i].thread, NULL), 0);
		if (workers[i].failure)
			printk("        # CPU %u: %s\n", workers[i].cpu, workers[i].failure);
		KEXPECT_NULL(t, workers[i].failure);
		remote += workers[i].remote_frees;
	}
	/* What is still queued is freed here, by yet another CPU (0). */
	while (queue_pop(queue, &block))
		KEXPECT_TRUE(t, buddy_free(&a->buddy, block.page, block.order, NULL));
	pthread_mutex_destroy(&queue->lock);
	buddy_drain_pcp(&a->buddy);
	CHECK(t, a);
	printk("        # %llu frees of a block another thread allocated\n", (unsigned long long)remote);
	KEXPECT_UGT(t, remote, ROUNDS / 20);
	KEXPECT_UEQ(t, free_page_count(a), LOW_END - LOW_START);
	buddy_read_stats(&a->buddy, &stats);
	KEXPECT_UEQ(t, stats.allocations, stats.frees);
	KEXPECT_UGT(t, stats.allocations, (uint64_t)THREADS * ROUNDS / 8);
	KEXPECT_UEQ(t, stats.bad_frees, 0);
	arena_destroy(a);
}

struct dropper {
	pthread_t thread;
	unsigned int cpu;
	struct arena *arena;
	struct page *page;
	pthread_barrier_t *start;
	bool freed;
};

static void *drop_reference(void *arg)
{
	struct dropper *d = arg;

	host_set_cpu(d->cpu);
	pthread_barrier_wait(d->start);
	d->freed = buddy_free(&d->arena->buddy, d->page, 0, NULL);
	return NULL;
}

/*
 * THREADS holders of one page drop their references at the same moment,
 * many times over: every drop is accepted, the page is freed exactly once
 * (the count of free pages comes back exactly) and no decrement is lost.
 */
static void test_threads_drop_references_at_once(struct ktest *t)
{
	struct arena *a = arena_create_full(t, LOW_START, LOW_END);
	struct dropper droppers[THREADS];
	pthread_barrier_t start;
	uint64_t managed = LOW_END - LOW_START;

	buddy_setup_watermarks(&a->buddy);
	for (int repeat = 0; repeat < 200; repeat++) {
		struct page *page = buddy_alloc(&a->buddy, GFP_KERNEL, 0, NULL);

		KASSERT_NOT_NULL(t, page);
		for (int i = 1; i < THREADS; i++)
			page_ref_inc(page);
		KASSERT_EQ(t, pthread_barrier_init(&start, NULL, THREADS), 0);
		for (unsigned int i = 0; i < THREADS; i++) {
			droppers[i] = (struct dropper){ .cpu = i + 1, .arena = a, .page = page,
							.start = &start };
			KASSERT_EQ(t, pthread_create(&droppers[i].thread, NULL, drop_reference,
						     &droppers[i]), 0);
		}
		for (unsigned int i = 0; i < THREADS; i++) {
			KASSERT_EQ(t, pthread_join(droppers[i].thread, NULL), 0);
			KEXPECT_TRUE(t, droppers[i].freed);
		}
		pthread_barrier_destroy(&start);
		KEXPECT_EQ(t, page_ref_count(page), 0);
		KEXPECT_UEQ(t, free_page_count(a), managed);
		if (t->failures)
			break;
	}
	buddy_drain_pcp(&a->buddy);
	CHECK(t, a);
	KEXPECT_UEQ(t, a->buddy.errors.bad_frees, 0);
	arena_destroy(a);
}

KTEST_SUITE_FULL(buddy_threads, NULL, arena_suite_exit,
		 KTEST_CASE(test_threads_alloc_and_remote_free),
		 KTEST_CASE(test_threads_drop_references_at_once));
