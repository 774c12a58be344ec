// SPDX-License-Identifier: MIT
/*
 * Every allocator on every CPU at once.  Each online CPU runs a loop of
 * random allocations and frees -- the page allocator (orders 0-4),
 * vmalloc, kmalloc of random sizes and two private caches -- and hands a
 * share of what it allocated to the others through shared queues, so
 * that most frees are remote.  Meanwhile the timer interrupt allocates
 * and frees GFP_ATOMIC pages and kmalloc objects on every CPU.  Every
 * object is stamped when allocated and its stamp checked when freed.
 * buddy_check() and vmalloc_check() run while the CPUs work; at the quiet
 * point between rounds every validator runs; at the end no page is missing.
 *
 * The run is seeded: mm_stress_seed=N on the command line repeats each
 * CPU's sequence of operations (not the interleaving between CPUs); the
 * seed in use is printed as "mm_stress_seed=N".
 *
 * Every allocator runs on every CPU.  SLAB_ON_EVERY_CPU 0 keeps the slab
 * layer and vmalloc (whose bookkeeping lives in slab caches) on the boot
 * CPU, to tell a page-allocator failure from a slab one.
 */
#include <asm/cpu.h>
#include <asm/tsc.h>
#include <boot.h>
#include <buddy.h>
#include <cmdline.h>
#include <gfp.h>
#include <hardirq.h>
#include <kernel.h>
#include <kstring.h>
#include <ktest.h>
#include <mm.h>
#include <page_alloc.h>
#include <printk.h>
#include <slab.h>
#include <smp.h>
#include <spinlock.h>
#include <timer.h>
#include <vmalloc.h>
#include <xorshift.h>

#define SLAB_ON_EVERY_CPU 1

#define ROUNDS 3
#define ROUND_MS 400            /* of the boot CPU's ticks */
#define LIVE_MAX 48             /* objects a CPU holds */
#define QUEUE_SLOTS 128
#define ATOMIC_SLOTS 8          /* objects a CPU's timer interrupt holds */
#define STAMP_BYTES 32          /* stamped at the start of every page (or the object) */
#define WAIT_LIMIT_MS 20000

enum kind { KIND_PAGE, KIND_VMALLOC, KIND_KMALLOC, KIND_CACHE_A, KIND_CACHE_B };
enum { QUEUE_PAGES, QUEUE_SLAB, NR_QUEUES };  /* slab and vmalloc objects go to QUEUE_SLAB */
enum { RUN, PAUSE, STOP };

struct object {
	void *address;
	struct page *page;
	uint32_t size;          /* bytes (pages for KIND_PAGE: 1 << order) */
	uint8_t order;
	uint8_t kind;
	uint8_t stamp;
};

struct handoff_queue {
	spinlock_t lock;
	struct object slots[QUEUE_SLOTS];
	unsigned int head, count;
};

struct stress_cpu {
	uint64_t random;
	struct object live[LIVE_MAX];
	unsigned int live_count;
	uint64_t ops, remote_frees, alloc_failures;
	const char *failure;            /* the first thing found wrong */
	int running, paused;            /* set by the CPU, read by the boot CPU */
	/* Only this CPU's timer interrupt touches these. */
	struct object atomic[ATOMIC_SLOTS];
	unsigned int atomic_count;
	uint64_t atomic_ops, atomic_failures;
	uint64_t atomic_random;
} __attribute__((aligned(64)));

static struct stress_cpu stress[NR_CPUS];
static struct handoff_queue queues[NR_QUEUES];
static struct kmem_cache *cache_a, *cache_b;
static int phase;

static bool may_use_slab(unsigned int cpu)
{
	return SLAB_ON_EVERY_CPU || cpu == 0;
}

static bool waited_too_long(uint64_t start)
{
	return tsc_khz && rdtsc() - start > tsc_khz * WAIT_LIMIT_MS;
}

static void fail(struct stress_cpu *c, const char *what)
{
	if (!c->failure)
		c->failure = what;
}

static uint8_t *first_byte(const struct object *o, uint32_t page)
{
	if (o->kind == KIND_PAGE)
		return (uint8_t *)page_address(o->page) + (uint64_t)page * PAGE_SIZE;
	return (uint8_t *)o->address + (uint64_t)page * PAGE_SIZE;
}

/* Pages stamped: every page of a page block or vmalloc area; else the object's first bytes. */
static uint32_t stamped_pages(const struct object *o)
{
	if (o->kind == KIND_PAGE)
		return o->size;
	if (o->kind == KIND_VMALLOC)
		return o->size / PAGE_SIZE;
	return 1;
}

static uint32_t stamp_length(const struct object *o)
{
	return o->kind == KIND_PAGE || o->kind == KIND_VMALLOC ? STAMP_BYTES : MIN(o->size, STAMP_BYTES);
}

/* Stamp a fresh object; a page block must come with exactly one reference. */
static void stamp(struct stress_cpu *c, struct object *o)
{
	if (o->kind == KIND_PAGE && page_count(o->page) != 1)
		fail(c, "a fresh page block's reference count is not 1");
	for (uint32_t p = 0; p < stamped_pages(o); p++)
		memset(first_byte(o, p), o->stamp, stamp_length(o));
}

static bool stamp_intact(const struct object *o)
{
	for (uint32_t p = 0; p < stamped_pages(o); p++) {
		const uint8_t *bytes = first_byte(o, p);

		for (uint32_t i = 0; i < stamp_length(o); i++)
			if (bytes[i] != o->stamp)
				return false;
	}
	return true;
}

/* Allocate an object of @kind.  Return: false if the allocator had nothing (not an error). */
static bool allocate(struct object *o, enum kind kind, uint64_t r, gfp_t gfp)
{
	*o = (struct object){ .kind = (uint8_t)kind, .stamp = (uint8_t)(r >> 56) };
	switch (kind) {
	case KIND_PAGE:
		o->order = (r >> 8) % 4 ? 0 : (uint8_t)((r >> 12) % 5);
		o->size = 1u << o->order;
		o->page = alloc_pages(gfp | __GFP_NOWARN, o->order);
		return o->page;
	case KIND_VMALLOC:
		o->size = (uint32_t)(1 + (r >> 8) % 8) * PAGE_SIZE;
		o->address = vmalloc(o->size);
		return o->address;
	case KIND_KMALLOC:
		o->size = (uint32_t)(1 + (r >> 8) % 3000);
		o->address = kmalloc(o->size, gfp | __GFP_NOWARN);
		return o->address;
	case KIND_CACHE_A:
	case KIND_CACHE_B:
		o->size = kind == KIND_CACHE_A ? 96 : 328;
		o->address = kmem_cache_alloc(kind == KIND_CACHE_A ? cache_a : cache_b, gfp | __GFP_NOWARN);
		return o->address;
	}
	return false;
}

static void release(struct stress_cpu *c, const struct object *o)
{
	if (!stamp_intact(o))
		fail(c, o->kind == KIND_PAGE ? "a page block changed while allocated"
					     : "an object changed while allocated");
	switch (o->kind) {
	case KIND_PAGE:
		__free_pages(o->page, o->order);
		break;
	case KIND_VMALLOC:
		vfree(o->address);
		break;
	case KIND_KMALLOC:
		kfree(o->address);
		break;
	case KIND_CACHE_A:
		kmem_cache_free(cache_a, o->address);
		break;
	case KIND_CACHE_B:
		kmem_cache_free(cache_b, o->address);
		break;
	}
}

static bool queue_push(struct handoff_queue *q, const struct object *o)
{
	uint64_t flags;
	bool pushed = false;

	spin_lock_irqsave(&q->lock, flags);
	if (q->count < QUEUE_SLOTS) {
		q->slots[(q->head + q->count++) % QUEUE_SLOTS] = *o;
		pushed = true;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return pushed;
}

static bool queue_pop(struct handoff_queue *q, struct object *o)
{
	uint64_t flags;
	bool popped = false;

	spin_lock_irqsave(&q->lock, flags);
	if (q->count) {
		*o = q->slots[q->head];
		q->head = (q->head + 1) % QUEUE_SLOTS;
		q->count--;
		popped = true;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return popped;
}

static int queue_of(const struct object *o)
{
	return o->kind == KIND_PAGE ? QUEUE_PAGES : QUEUE_SLAB;
}

/* One random step of CPU @cpu: allocate, hand over, take over and free, or free. */
static void stress_step(unsigned int cpu, struct stress_cpu *c)
{
	uint64_t r = xorshift64(&c->random);
	bool slab = may_use_slab(cpu);
	struct object o;

	c->ops++;
	switch (r % 8) {
	case 0: case 1: case 2:
		if (c->live_count < LIVE_MAX) {
			enum kind kind = slab ? (enum kind)((r >> 4) % 5) : KIND_PAGE;

			if (allocate(&o, kind, r, GFP_KERNEL)) {
				stamp(c, &o);
				c->live[c->live_count++] = o;
			} else {
				c->alloc_failures++;
			}
		}
		break;
	case 3: case 4:
		if (c->live_count && queue_push(&queues[queue_of(&c->live[c->live_count - 1])],
						&c->live[c->live_count - 1]))
			c->live_count--;
		break;
	case 5: case 6:
		if (queue_pop(&queues[QUEUE_PAGES], &o) || (slab && queue_pop(&queues[QUEUE_SLAB], &o))) {
			release(c, &o);
			c->remote_frees++;
		}
		break;
	default:
		if (c->live_count) {
			unsigned int i = (unsigned int)((r >> 8) % c->live_count);

			o = c->live[i];
			c->live[i] = c->live[--c->live_count];
			release(c, &o);
		}
		break;
	}
}

static void release_all_live(struct stress_cpu *c)
{
	while (c->live_count)
		release(c, &c->live[--c->live_count]);
}

/* The loop every CPU other than the boot CPU runs, interrupts on, until STOP. */
static void stress_worker(void *info)
{
	unsigned int cpu = smp_processor_id();
	struct stress_cpu *c = info;

	__atomic_store_n(&c->running, 1, __ATOMIC_RELEASE);
	for (;;) {
		int now = __atomic_load_n(&phase, __ATOMIC_ACQUIRE);

		if (now == STOP)
			break;
		if (now == PAUSE) {
			__atomic_store_n(&c->paused, 1, __ATOMIC_RELEASE);
			while (__atomic_load_n(&phase, __ATOMIC_ACQUIRE) == PAUSE)
				cpu_relax();
			__atomic_store_n(&c->paused, 0, __ATOMIC_RELEASE);
			continue;
		}
		stress_step(cpu, c);
	}
	release_all_live(c);
	__atomic_store_n(&c->running, 0, __ATOMIC_RELEASE);
}

/* The timer interrupt's share: a GFP_ATOMIC allocation or free per tick. */
static void stress_tick(unsigned int cpu)
{
	struct stress_cpu *c = &stress[cpu];
	uint64_t r = xorshift64(&c->atomic_random);
	struct object o;

	c->atomic_ops++;
	if (c->atomic_count < ATOMIC_SLOTS && (r & 1)) {
		enum kind kind = may_use_slab(cpu) && (r & 2) ? KIND_KMALLOC : KIND_PAGE;

		if (allocate(&o, kind, r, GFP_ATOMIC)) {
			stamp(c, &o);
			c->atomic[c->atomic_count++] = o;
		} else {
			c->atomic_failures++;
		}
	} else if (c->atomic_count) {
		release(c, &c->atomic[--c->atomic_count]);
	}
}

/* Cross call: free what this CPU's timer interrupt still holds (interrupt context). */
static void release_atomic_objects(void *unused)
{
	struct stress_cpu *c = &stress[smp_processor_id()];

	while (c->atomic_count)
		release(c, &c->atomic[--c->atomic_count]);
}

/* Wait until every online CPU took @ticks more timer ticks. */
static bool wait_ticks(unsigned int ticks)
{
	uint64_t before[NR_CPUS] = { 0 }, start = rdtsc();
	unsigned int cpu;

	for_each_online_cpu(cpu)
		before[cpu] = timer_ticks[cpu];
	for_each_online_cpu(cpu)
		while (timer_ticks[cpu] < before[cpu] + ticks) {
			if (waited_too_long(start))
				return false;
			cpu_relax();
		}
	return true;
}

static uint64_t stress_seed(void)
{
	const char *text = boot_cmdline_get("mm_stress_seed");
	uint64_t seed;

	if (text && parse_uint(text, &seed) && seed)
		return seed;
	if (text)
		pr_warn("mm_stress_seed=%s: expected a nonzero decimal or 0x-hex number; seed drawn\n",
			text);
	return rdtsc() | 1;
}

/* Pages not in use: free, or held by a slab cache (they may keep slabs partly used). */
static uint64_t settled_pages(void)
{
	vmalloc_purge();
	kmem_cache_shrink_all();
	buddy_drain_pcp(&kernel_buddy);
	return buddy_free_pages(&kernel_buddy) + slab_pages();
}

/* Pages on every CPU's per-CPU lists (a quiet system: nobody else changes them). */
static uint64_t pages_on_cpu_lists(void)
{
	uint64_t pages = 0;

	for (int z = 0; z < NR_ZONES; z++)
		for (int cpu = 0; cpu < NR_CPUS; cpu++)
			pages += kernel_buddy.zones[z].pcp[cpu].count;
	return pages;
}

/* The validators of every allocator; each names what it found. */
static void check_all(struct ktest *t, bool quiet)
{
	KEXPECT_STREQ(t, buddy_check(&kernel_buddy), NULL);
	KEXPECT_STREQ(t, vmalloc_check(), NULL);
	if (quiet) {
		KEXPECT_STREQ(t, slab_check(cache_a), NULL);
		KEXPECT_STREQ(t, slab_check(cache_b), NULL);
	}
}

static bool all_workers(int field_offset, int value)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		if (cpu && __atomic_load_n((int *)((char *)&stress[cpu] + field_offset),
					   __ATOMIC_ACQUIRE) != value)
			return false;
	return true;
}

static bool wait_workers(int field_offset, int value)
{
	uint64_t start = rdtsc();

	while (!all_workers(field_offset, value)) {
		if (waited_too_long(start))
			return false;
		cpu_relax();
	}
	return true;
}

/*
 * Stop the other CPUs and the tick hook, and free what they still hold.
 * Return: false if a CPU did not stop (it is then left running).
 */
static bool stop_everything(void)
{
	struct object o;
	unsigned int cpu;
	bool stopped;

	__atomic_store_n(&phase, STOP, __ATOMIC_RELEASE);
	release_all_live(&stress[0]);
	stopped = wait_workers(__builtin_offsetof(struct stress_cpu, running), 0);
	for_each_online_cpu(cpu)
		while (stopped && smp_idle_work_pending(cpu))
			cpu_relax();
	/* No tick may still be in the hook once its objects are freed. */
	timer_tick_hook = NULL;
	stopped = wait_ticks(2) && stopped;
	if (!stopped)
		return false;
	on_each_cpu(release_atomic_objects, NULL, true);
	for (int q = 0; q < NR_QUEUES; q++)
		while (queue_pop(&queues[q], &o))
			release(&stress[0], &o);
	return true;
}

/* Run ROUNDS rounds on every CPU, validators in the middle of each and between them. */
static bool run_rounds(struct ktest *t)
{
	unsigned int cpu;

	__atomic_store_n(&phase, RUN, __ATOMIC_RELEASE);
	timer_tick_hook = stress_tick;
	for_each_online_cpu(cpu)
		if (cpu && smp_run_on_idle_cpu(cpu, stress_worker, &stress[cpu])) {
			printk("# CPU %u did not take the work\n", cpu);
			return false;
		}
	for (int round = 0; round < ROUNDS; round++) {
		uint64_t end = jiffies + msecs_to_jiffies(ROUND_MS);
		uint64_t halfway = end - msecs_to_jiffies(ROUND_MS / 2);
		bool checked_live = false;

		while (jiffies < end) {
			stress_step(0, &stress[0]);
			if (!checked_live && jiffies >= halfway) {
				check_all(t, false);       /* while the other CPUs work */
				checked_live = true;
			}
		}
		__atomic_store_n(&phase, PAUSE, __ATOMIC_RELEASE);
		if (!wait_workers(__builtin_offsetof(struct stress_cpu, paused), 1)) {
			printk("# a CPU did not pause\n");
			return false;
		}
		check_all(t, true);                /* the quiet point */
		__atomic_store_n(&phase, RUN, __ATOMIC_RELEASE);
	}
	return true;
}

static void test_every_allocator_on_every_cpu(struct ktest *t)
{
	uint64_t seed = stress_seed(), before, after, ops = 0, remote = 0, atomic = 0;
	unsigned int cpu, cpus = num_online_cpus();
	bool ran;

	if (cpus < 2) {
		ktest_skip(t, "one CPU online: nothing runs concurrently");
		return;
	}
	printk("# mm_stress_seed=%llu on %u CPUs\n", (unsigned long long)seed, cpus);
	cache_a = kmem_cache_create("mm_stress_a", 96, 0, 0, NULL);
	cache_b = kmem_cache_create("mm_stress_b", 328, 8, SLAB_HWCACHE_ALIGN, NULL);
	KASSERT_NOT_NULL(t, cache_a);
	KASSERT_NOT_NULL(t, cache_b);
	before = settled_pages();
	memset(stress, 0, sizeof(stress));
	memset(queues, 0, sizeof(queues));
	for (int q = 0; q < NR_QUEUES; q++)
		spin_lock_init(&queues[q].lock, "mm_stress queue");
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		stress[cpu].random = seed ^ (0x9e3779b97f4a7c15ull * (cpu + 1));
		stress[cpu].atomic_random = ~stress[cpu].random | 1;
	}
	ran = run_rounds(t);
	KEXPECT_TRUE(t, ran);
	KASSERT_TRUE(t, stop_everything());

	for_each_online_cpu(cpu) {
		struct stress_cpu *c = &stress[cpu];

		if (c->failure)
			printk("# CPU %u: %s\n", cpu, c->failure);
		KEXPECT_NULL(t, c->failure);
		ops += c->ops;
		remote += c->remote_frees;
		atomic += c->atomic_ops;
	}
	printk("# %llu operations, %llu frees of another CPU's object, %llu timer-interrupt operations\n",
	       (unsigned long long)ops, (unsigned long long)remote, (unsigned long long)atomic);
	KEXPECT_UGT(t, remote, ops / 50);
	KEXPECT_UGT(t, atomic, (uint64_t)cpus * 10);
	check_all(t, true);
	kmem_cache_destroy(cache_a);
	kmem_cache_destroy(cache_b);
	after = settled_pages();
	KEXPECT_UEQ(t, after, before);
	/* The drain reached every CPU, not only this one. */
	KEXPECT_UEQ(t, pages_on_cpu_lists(), 0);
}

KTEST_SUITE(mm_stress,
	    KTEST_CASE(test_every_allocator_on_every_cpu));
