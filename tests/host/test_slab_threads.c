// SPDX-License-Identifier: MIT
/*
 * The slab layer on many CPUs, on the host, for any back-end (SLUB's frozen
 * slabs: test_slub_threads.c): each case plays several CPUs,
 * either one thread switching its CPU number (host_set_cpu) for exact
 * sequences -- an object allocated on one CPU and freed on another, wrong
 * frees from another CPU, shrink/destroy/statistics reaching every CPU's
 * slab -- or real threads (pthreads), one CPU each, allocating and
 * freeing at once and handing objects to each other through shared
 * queues, so that remote frees are common.  Run under ASan/UBSan
 * (make test-host) and ThreadSanitizer (make test-host-tsan).
 */
#include <pthread.h>
#include <string.h>

#include <buddy.h>
#include <kernel.h>
#include <ktest.h>
#include <percpu.h>
#include <printk.h>
#include <slab.h>
#include <smp.h>
#include <xorshift.h>

#include "host_support.h"
#include "slab_arena.h"

#include "../common/byte_patterns.h"

/* ---- exact sequences over CPU numbers --------------------------------- */

static void *alloc_on(unsigned int cpu, struct kmem_cache *cache)
{
	void *object;

	host_set_cpu(cpu);
	object = slab_backend_alloc(cache, GFP_KERNEL, NULL);
	host_set_cpu(0);
	return object;
}

static void free_on(unsigned int cpu, struct kmem_cache *cache, void *object)
{
	host_set_cpu(cpu);
	slab_backend_free(cache, object, NULL);
	host_set_cpu(0);
}

/*
 * Statistics, shrink and destroy see what every CPU holds, not only this
 * one's: objects allocated on CPUs 1..4 keep destroy from going ahead;
 * freed, and with CPUs 1..4 each having allocated and freed again, shrink
 * and destroy give every page back.
 */
static void test_every_cpu_slab_is_seen(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "percpu", 200, 0, 0, NULL);
	void *objects[4];
	struct slab_stats stats;

	for (unsigned int cpu = 1; cpu <= 4; cpu++)
		KASSERT_NOT_NULL(t, objects[cpu - 1] = alloc_on(cpu, cache));
	stats = stats_of(cache);
	KEXPECT_UGE(t, stats.slabs, 1);
	KEXPECT_EQ(t, stats.objects_in_use, 4);
	KEXPECT_UEQ(t, stats.allocations, 4);
	CHECK(t, cache);
	/* Objects still in use on CPUs 1..4: destroy refuses, and says why. */
	capture_start();
	KEXPECT_FALSE(t, slab_cache_destroy(&a->slab, cache));
	capture_stop();
	KEXPECT_REPORTED(t, "kmem_cache_destroy percpu: 4 objects still in use");
	a->slab.reports = 0;
	CHECK(t, cache);
	/* Freed from CPU 0: all remote frees. */
	for (unsigned int i = 0; i < 4; i++)
		free_on(0, cache, objects[i]);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	/* Each CPU allocates and frees: whatever it keeps for itself is free. */
	for (unsigned int cpu = 1; cpu <= 4; cpu++)
		free_on(cpu, cache, alloc_on(cpu, cache));
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.objects_in_use, 0);
	KEXPECT_UEQ(t, stats.allocations, stats.frees);
	slab_backend_shrink(cache);
	stats = stats_of(cache);
	KEXPECT_EQ(t, stats.cpu_slabs, 0);
	KEXPECT_EQ(t, stats.slabs, 0);
	KEXPECT_UEQ(t, stats.bytes_used, 0);
	CHECK(t, cache);
	for (unsigned int cpu = 1; cpu <= 4; cpu++)
		free_on(cpu, cache, alloc_on(cpu, cache));
	/* Destroy from CPU 0 after CPUs 1..4 allocated and freed: every page goes back. */
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	KEXPECT_UEQ(t, a->slab.reports, 0);
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* Double frees on another CPU than the first free's: reported, and nothing lost. */
static void test_remote_double_free(struct ktest *t)
{
	static const char *const debug_settings[] = { NULL, "F" };

	for (unsigned int d = 0; d < ARRAY_SIZE(debug_settings); d++) {
		struct slab_arena *a = slab_arena_create(t, debug_settings[d]);
		struct kmem_cache *cache = make_cache(t, a, "twice", 64, 0, 0, NULL);
		void *x = alloc_on(1, cache), *y = alloc_on(1, cache);

		printk("        # slab_debug=%s\n", debug_settings[d] ? debug_settings[d] : "(none)");
		KASSERT_TRUE(t, x && y);
		free_on(2, cache, x);               /* remote */
		capture_start();
		free_on(2, cache, x);               /* the same CPU again */
		capture_stop();
		KEXPECT_REPORTED(t, "double free: cache twice");
		KEXPECT_UEQ(t, cache->bad_frees, 1);
		CHECK(t, cache);
		if (debug_settings[d]) {
			/* Checked caches find every double free, from any CPU. */
			free_on(1, cache, y);
			capture_start();
			free_on(3, cache, x);
			capture_stop();
			KEXPECT_REPORTED(t, "double free: cache twice");
			KEXPECT_UEQ(t, cache->bad_frees, 2);
		} else {
			free_on(3, cache, y);
		}
		CHECK(t, cache);
		KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
		a->slab.reports = 0;
		expect_all_returned(t, a);
		slab_arena_destroy(a);
	}
}

/* A free into the wrong cache from another CPU is reported; the object stays usable. */
static void test_remote_free_into_wrong_cache(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *right = make_cache(t, a, "right", 96, 0, 0, NULL);
	struct kmem_cache *wrong = make_cache(t, a, "wrong", 96, 0, 0, NULL);
	void *x = alloc_on(1, right);

	KASSERT_NOT_NULL(t, x);
	fill(x, 96, 0x5a);
	capture_start();
	free_on(2, wrong, x);
	capture_stop();
	KEXPECT_REPORTED(t, "free into the wrong cache: cache wrong");
	KEXPECT_REPORTED(t, "the object belongs to cache right");
	KEXPECT_UEQ(t, wrong->bad_frees, 1);
	KEXPECT_TRUE(t, holds(x, 96, 0x5a));
	KEXPECT_EQ(t, stats_of(right).objects_in_use, 1);
	CHECK(t, right);
	CHECK(t, wrong);
	free_on(2, right, x);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, right));
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, wrong));
	a->slab.reports = 0;
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/*
 * Bulk free on another CPU than the one that allocated; an object twice
 * in a row is the second time a reported double free, not a loop.
 */
static void test_remote_bulk_free(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	struct kmem_cache *cache = make_cache(t, a, "bulk", 328, 0, 0, NULL);
	static void *objects[MAX_TEST_OBJECTS];
	unsigned int count = MIN(3 * slab_objects_per_slab(cache) + 5, MAX_TEST_OBJECTS);
	void *twice[3];

	KASSERT_TRUE(t, count <= MAX_TEST_OBJECTS);
	host_set_cpu(1);
	KASSERT_EQ(t, slab_backend_alloc_bulk(cache, GFP_KERNEL, count, objects, NULL), (int)count);
	KASSERT_EQ(t, slab_backend_alloc_bulk(cache, GFP_KERNEL, 2, twice, NULL), 2);
	host_set_cpu(0);
	for (unsigned int i = 0; i < count; i++)
		fill(objects[i], 328, (uint8_t)i);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, count + 2);
	CHECK(t, cache);
	host_set_cpu(2);
	slab_backend_free_bulk(cache, count, objects, NULL);
	host_set_cpu(0);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 2);
	KEXPECT_UEQ(t, cache->bad_frees, 0);
	CHECK(t, cache);
	twice[2] = twice[1];
	capture_start();
	host_set_cpu(2);
	slab_backend_free_bulk(cache, 3, twice, NULL);
	host_set_cpu(0);
	capture_stop();
	KEXPECT_REPORTED(t, "double free: cache bulk");
	KEXPECT_UEQ(t, cache->bad_frees, 1);
	CHECK(t, cache);
	KEXPECT_EQ(t, stats_of(cache).objects_in_use, 0);
	KEXPECT_UEQ(t, stats_of(cache).allocations, count + 2);
	KEXPECT_UEQ(t, stats_of(cache).frees, count + 2);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, cache));
	a->slab.reports = 0;
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

/* ---- real threads ------------------------------------------------------ */

#define WORKERS 4
#define PHASES 4
#define OPS_PER_PHASE 6000
#define MAX_LOCAL 256
#define QUEUE_SLOTS 512
#define THREAD_CACHES 2     /* private caches; index THREAD_CACHES means kmalloc */

struct handed_object {
	uint8_t *address;
	uint32_t size;
	uint8_t cache;          /* 0..THREAD_CACHES-1, or THREAD_CACHES for kmalloc */
	uint8_t seed;
};

/* A queue other threads push objects onto and its owner pops (and frees) from. */
struct object_queue {
	pthread_mutex_t lock;
	struct handed_object slots[QUEUE_SLOTS];
	unsigned int head, count;
};

struct smp_run {
	struct slab_arena *arena;
	struct kmem_cache *caches[THREAD_CACHES];
	pthread_barrier_t phase_done, phase_go;
	struct object_queue queues[WORKERS];
	uint64_t seed;
	/* Counted by the workers (atomics), checked by the main thread. */
	uint64_t corrupted, failed_allocations, operations, remote_handoffs;
};

struct worker {
	struct smp_run *run;
	unsigned int index;
	uint64_t random;
	struct handed_object local[MAX_LOCAL];
	unsigned int local_count;
};

static bool queue_push(struct object_queue *q, struct handed_object object)
{
	bool pushed = false;

	pthread_mutex_lock(&q->lock);
	if (q->count < QUEUE_SLOTS) {
		q->slots[(q->head + q->count++) % QUEUE_SLOTS] = object;
		pushed = true;
	}
	pthread_mutex_unlock(&q->lock);
	return pushed;
}

static bool queue_pop(struct object_queue *q, struct handed_object *object)
{
	bool popped = false;

	pthread_mutex_lock(&q->lock);
	if (q->count) {
		*object = q->slots[q->head];
		q->head = (q->head + 1) % QUEUE_SLOTS;
		q->count--;
		popped = true;
	}
	pthread_mutex_unlock(&q->lock);
	return popped;
}

static bool worker_allocate(struct worker *w, struct handed_object *object)
{
	struct smp_run *run = w->run;
	unsigned int which = (unsigned int)(xorshift64(&w->random) % (THREAD_CACHES + 2));

	object->seed = (uint8_t)xorshift64(&w->random);
	if (which < THREAD_CACHES) {
		object->cache = (uint8_t)which;
		object->size = run->caches[which]->object_size;
		object->address = slab_backend_alloc(run->caches[which], GFP_KERNEL, NULL);
	} else {
		object->cache = THREAD_CACHES;
		object->size = 1 + (uint32_t)(xorshift64(&w->random) % 1024);
		object->address = slab_kmalloc(&run->arena->slab, object->size, GFP_KERNEL, NULL);
	}
	if (!object->address) {
		__atomic_fetch_add(&run->failed_allocations, 1, __ATOMIC_RELAXED);
		return false;
	}
	fill(object->address, object->size, object->seed);
	return true;
}

/* Check the contents, then free, on whatever CPU this thread is. */
static void worker_free(struct worker *w, struct handed_object object)
{
	struct smp_run *run = w->run;

	if (!holds(object.address, object.size, object.seed))
		__atomic_fetch_add(&run->corrupted, 1, __ATOMIC_RELAXED);
	if (object.cache < THREAD_CACHES)
		slab_backend_free(run->caches[object.cache], object.address, NULL);
	else
		slab_kfree(&run->arena->slab, object.address, NULL);
}

static void worker_step(struct worker *w)
{
	struct smp_run *run = w->run;
	unsigned int choice = (unsigned int)(xorshift64(&w->random) % 100);
	struct handed_object object;

	if (choice < 50 && w->local_count < MAX_LOCAL) {
		if (!worker_allocate(w, &object))
			return;
		if (choice < 30) {
			unsigned int to = (w->index + 1 + (unsigned int)(xorshift64(&w->random) %
									(WORKERS - 1))) % WORKERS;

			if (queue_push(&run->queues[to], object)) {
				__atomic_fetch_add(&run->remote_handoffs, 1, __ATOMIC_RELAXED);
				return;
			}
		}
		w->local[w->local_count++] = object;
	} else if (choice < 80) {
		if (queue_pop(&run->queues[w->index], &object))
			worker_free(w, object);
	} else if (w->local_count) {
		unsigned int i = (unsigned int)(xorshift64(&w->random) % w->local_count);

		worker_free(w, w->local[i]);
		w->local[i] = w->local[--w->local_count];
	}
}

static void *worker_main(void *argument)
{
	struct worker *w = argument;
	struct smp_run *run = w->run;
	struct handed_object object;

	host_set_cpu(1 + w->index);
	for (int phase = 0; phase < PHASES; phase++) {
		for (int op = 0; op < OPS_PER_PHASE; op++)
			worker_step(w);
		__atomic_fetch_add(&run->operations, OPS_PER_PHASE, __ATOMIC_RELAXED);
		/* A quiet point: the main thread checks every cache meanwhile. */
		pthread_barrier_wait(&run->phase_done);
		pthread_barrier_wait(&run->phase_go);
	}
	while (w->local_count)
		worker_free(w, w->local[--w->local_count]);
	/* Nobody pushes any more once every worker is here: empty the own queue. */
	pthread_barrier_wait(&run->phase_done);
	while (queue_pop(&run->queues[w->index], &object))
		worker_free(w, object);
	return NULL;
}

/*
 * WORKERS threads, CPUs 1..WORKERS, allocate from kmalloc (1..1024 bytes)
 * and two private caches (one of them checked: slab_debug=FZP), free their
 * own objects and hand others to the other threads, which free them
 * (remote frees).  Every object's contents are checked before its free;
 * every cache is checked at the quiet point after each phase.
 */
static void test_threads_hand_objects_around(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, "FZP,handed-checked");
	static struct smp_run run;
	static struct worker workers[WORKERS];
	pthread_t threads[WORKERS];
	struct kmem_cache *cache;

	memset(&run, 0, sizeof(run));
	run.arena = a;
	run.seed = ARENA_SEED ^ 0x11;
	printk("        # seed %#llx, %d threads\n", (unsigned long long)run.seed, WORKERS);
	run.caches[0] = make_cache(t, a, "handed-plain", 328, 0, 0, NULL);
	run.caches[1] = make_cache(t, a, "handed-checked", 72, 0, 0, NULL);
	KASSERT_TRUE(t, run.caches[1]->flags & SLAB_POISON);
	KASSERT_EQ(t, pthread_barrier_init(&run.phase_done, NULL, WORKERS + 1), 0);
	KASSERT_EQ(t, pthread_barrier_init(&run.phase_go, NULL, WORKERS + 1), 0);
	for (int i = 0; i < WORKERS; i++)
		pthread_mutex_init(&run.queues[i].lock, NULL);
	for (int i = 0; i < WORKERS; i++) {
		workers[i] = (struct worker){ .run = &run, .index = (unsigned int)i,
					      .random = run.seed + (uint64_t)i * 0x9e3779b97f4a7c15ull };
		KASSERT_EQ(t, pthread_create(&threads[i], NULL, worker_main, &workers[i]), 0);
	}
	for (int phase = 0; phase < PHASES; phase++) {
		pthread_barrier_wait(&run.phase_done);
		/* Expectations, not assertions: the workers wait at the barrier. */
		for_each_cache(cache, a)
			KEXPECT_STREQ(t, slab_check(cache), NULL);
		KEXPECT_STREQ(t, buddy_check(&a->mem.buddy), NULL);
		pthread_barrier_wait(&run.phase_go);
	}
	pthread_barrier_wait(&run.phase_done);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(threads[i], NULL);
	printk("        # %llu operations, %llu objects handed to another thread, %llu failed allocations\n",
		  (unsigned long long)run.operations, (unsigned long long)run.remote_handoffs,
		  (unsigned long long)run.failed_allocations);
	KEXPECT_UEQ(t, run.corrupted, 0);
	KEXPECT_UEQ(t, run.failed_allocations, 0);
	KEXPECT_TRUE(t, run.remote_handoffs > WORKERS * PHASES * OPS_PER_PHASE / 20);
	KEXPECT_UEQ(t, a->slab.reports, 0);
	for_each_cache(cache, a) {
		struct slab_stats stats = stats_of(cache);

		KEXPECT_UEQ(t, cache->bad_frees, 0);
		if (cache != &a->slab.cache_cache) {
			KEXPECT_EQ(t, stats.objects_in_use, 0);
			KEXPECT_UEQ(t, stats.allocations, stats.frees);
		}
	}
	for (int c = 0; c < THREAD_CACHES; c++)
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, run.caches[c]));
	expect_all_returned(t, a);
	pthread_barrier_destroy(&run.phase_done);
	pthread_barrier_destroy(&run.phase_go);
	for (int i = 0; i < WORKERS; i++)
		pthread_mutex_destroy(&run.queues[i].lock);
	slab_arena_destroy(a);
}

#define RACE_OBJECTS 200

struct destroy_race {
	struct kmem_cache *cache;
	void *objects[RACE_OBJECTS];
	pthread_barrier_t start;
};

static void *free_twice_main(void *argument)
{
	struct destroy_race *race = argument;

	host_set_cpu(1);
	pthread_barrier_wait(&race->start);
	for (int i = 0; i < RACE_OBJECTS; i++)
		slab_backend_free(race->cache, race->objects[i], NULL);
	return NULL;
}

/*
 * Frees racing kmem_cache_destroy: CPU 1 frees (a second time) objects of
 * a checked cache while CPU 0 destroys it.  Each free finds the object
 * free, its slab given back, or the cache dying: each is reported once,
 * and nothing breaks.  CPU 1 holds nothing of the cache (every object
 * was allocated and freed on CPU 0, and its own frees are refused), so the
 * destroy's cross call has nothing to do there: the host's stand-in leaves
 * CPU 1 out of it, as it cannot interrupt the thread playing CPU 1.
 */
static void test_free_racing_destroy(struct ktest *t)
{
	struct slab_arena *a;
	static struct destroy_race race;
	static char reports[8192];
	pthread_t thread;
	unsigned long in_use;

#if defined(__SANITIZE_THREAD__)
	/* The late frees read page words the page allocator rewrites: a race by design. */
	ktest_skip(t, "a deliberate race with the page allocator's reuse of the freed slabs");
	return;
#endif
	a = slab_arena_create(t, "F");
	race.cache = make_cache(t, a, "doomed", 128, 0, 0, NULL);
	for (int i = 0; i < RACE_OBJECTS; i++)
		KASSERT_NOT_NULL(t, race.objects[i] = slab_backend_alloc(race.cache, GFP_KERNEL, NULL));
	for (int i = 0; i < RACE_OBJECTS; i++)
		slab_backend_free(race.cache, race.objects[i], NULL);
	KASSERT_EQ(t, pthread_barrier_init(&race.start, NULL, 2), 0);
	host_printk_capture(reports, sizeof(reports));
	host_online_cpus = 1;
	KASSERT_EQ(t, pthread_create(&thread, NULL, free_twice_main, &race), 0);
	pthread_barrier_wait(&race.start);
	in_use = slab_backend_destroy(race.cache);
	pthread_join(thread, NULL);
	host_online_cpus = NR_CPUS;
	host_printk_capture(NULL, 0);
	KEXPECT_UEQ(t, in_use, 0);
	KEXPECT_UEQ(t, race.cache->bad_frees, RACE_OBJECTS);
	KEXPECT_UEQ(t, a->slab.reports, RACE_OBJECTS);
	KEXPECT_TRUE(t, strstr(reports, "slab: ") != NULL);
	/* The destroy finishes as slab_cache_destroy() would. */
	list_del_init(&race.cache->list);
	slab_backend_free(&a->slab.cache_cache, race.cache, NULL);
	pthread_barrier_destroy(&race.start);
	a->slab.reports = 0;
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

#define CHECKED_ROUNDS 100000

struct checked_churn {
	struct kmem_cache *cache;
	bool done;
};

static void *churn_main(void *argument)
{
	struct checked_churn *churn = argument;

	host_set_cpu(1);
	for (int i = 0; i < CHECKED_ROUNDS; i++) {
		void *object = slab_backend_alloc(churn->cache, GFP_KERNEL, NULL);

		if (object)
			slab_backend_free(churn->cache, object, NULL);
	}
	__atomic_store_n(&churn->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * The validator runs while other CPUs allocate and free (mm/slab_backend.h):
 * CPU 1 allocates and frees objects of a red-zoned, poisoned cache while
 * CPU 0 runs slab_check() on it over and over.  An object is in use from
 * the moment the allocator takes it, so its red zones must say so by the
 * time any validator can see it taken: every pass must find nothing.
 */
static void test_validator_beside_checked_allocations(struct ktest *t)
{
	struct slab_arena *a = slab_arena_create(t, NULL);
	static struct checked_churn churn;
	unsigned long passes = 0, broken = 0;
	const char *first = NULL;
	pthread_t thread;

	churn = (struct checked_churn){
		.cache = make_cache(t, a, "checked-churn", 200, 0, SLAB_RED_ZONE | SLAB_POISON, NULL),
	};
	KASSERT_EQ(t, pthread_create(&thread, NULL, churn_main, &churn), 0);
	while (!__atomic_load_n(&churn.done, __ATOMIC_ACQUIRE)) {
		const char *found = slab_check(churn.cache);

		passes++;
		if (found) {
			broken++;
			first = first ? first : found;
		}
	}
	pthread_join(thread, NULL);
	printk("        # %lu validator passes beside %d allocations, %lu found something%s%s\n",
	       passes, CHECKED_ROUNDS, broken, first ? ": " : "", first ? first : "");
	KEXPECT_UEQ(t, broken, 0);
	KEXPECT_UEQ(t, a->slab.reports, 0);
	CHECK(t, churn.cache);
	KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, churn.cache));
	expect_all_returned(t, a);
	slab_arena_destroy(a);
}

#define GROWERS 4
#define GROWER_OBJECTS 64
#define GROWER_ROUNDS 300

struct grow_race {
	struct kmem_cache *cache;
	pthread_barrier_t start;
	uint64_t failed;
};

static void *grower_main(void *argument)
{
	static unsigned int next_cpu;
	struct grow_race *race = argument;
	void *objects[GROWER_OBJECTS];

	host_set_cpu(1 + __atomic_fetch_add(&next_cpu, 1, __ATOMIC_RELAXED) % (NR_CPUS - 1));
	pthread_barrier_wait(&race->start);
	for (int round = 0; round < GROWER_ROUNDS; round++) {
		unsigned int n = 0;

		for (; n < GROWER_OBJECTS; n++) {
			objects[n] = slab_backend_alloc(race->cache, GFP_KERNEL, NULL);
			if (!objects[n]) {
				__atomic_fetch_add(&race->failed, 1, __ATOMIC_RELAXED);
				break;
			}
		}
		while (n)
			slab_backend_free(race->cache, objects[--n], NULL);
	}
	return NULL;
}

/*
 * Allocations never fail while the page allocator has pages: CPUs that
 * all grow a cache at once (slabs of one object, which go back to the
 * page allocator as the objects are freed) may take each other's new
 * slabs, but each goes on until it gets an object.
 */
static void test_growing_together_never_fails(struct ktest *t)
{
	static const char *const debug_settings[] = { NULL, "F" };

	for (unsigned int d = 0; d < ARRAY_SIZE(debug_settings); d++) {
		struct slab_arena *a = slab_arena_create(t, debug_settings[d]);
		static struct grow_race race;
		pthread_t threads[GROWERS];

		race = (struct grow_race){ .cache = make_cache(t, a, "grown", 20000, 0, 0, NULL) };
		KASSERT_EQ(t, pthread_barrier_init(&race.start, NULL, GROWERS), 0);
		for (int i = 0; i < GROWERS; i++)
			KASSERT_EQ(t, pthread_create(&threads[i], NULL, grower_main, &race), 0);
		for (int i = 0; i < GROWERS; i++)
			pthread_join(threads[i], NULL);
		printk("        # slab_debug=%s: %llu failed allocations\n",
		       debug_settings[d] ? debug_settings[d] : "(none)", (unsigned long long)race.failed);
		KEXPECT_UEQ(t, race.failed, 0);
		CHECK(t, race.cache);
		KEXPECT_TRUE(t, slab_cache_destroy(&a->slab, race.cache));
		pthread_barrier_destroy(&race.start);
		expect_all_returned(t, a);
		slab_arena_destroy(a);
	}
}

KTEST_SUITE_FULL(slab_threads, NULL, arena_suite_exit,
		 KTEST_CASE(test_every_cpu_slab_is_seen),
		 KTEST_CASE(test_remote_double_free),
		 KTEST_CASE(test_remote_free_into_wrong_cache),
		 KTEST_CASE(test_remote_bulk_free),
		 KTEST_CASE(test_threads_hand_objects_around),
		 KTEST_CASE(test_free_racing_destroy),
		 KTEST_CASE(test_validator_beside_checked_allocations),
		 KTEST_CASE(test_growing_together_never_fails));
