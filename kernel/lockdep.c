// SPDX-License-Identifier: MIT
/*
 * lockdep-lite (include/lockdep.h): lock classes, the dependency graph
 * between them, and the reports.
 *
 * The graph is a bitmap per class: bit B of after[A] means "a lock of
 * class B was taken while one of class A was held".  With at most 64
 * classes, "can B reach A" is a breadth-first walk over 64-bit words.
 * For each dependency the first acquisition pair (where A was taken,
 * where B was taken) is kept in deps[] to be printed when an inversion
 * needs it.  Everything here is guarded by graph_lock, taken with
 * interrupts off; busy[] keeps a CPU from validating the locks it takes
 * while printing a report (printk takes printk's lock).
 */
#include <lockdep.h>

#include <asm/cpu.h>
#include <hardirq.h>
#include <kernel.h>
#include <kstring.h>
#include <printk.h>
#include <symbols.h>

struct lock_class {
	const char *name;
	uintptr_t in_irq_ip;    /* first taken in interrupt context, or 0 */
	uintptr_t irqs_on_ip;   /* first taken with interrupts enabled, outside interrupts, or 0 */
	bool irq_reported;
};

struct lock_dependency {
	uint8_t from, to;
	uintptr_t from_ip, to_ip;
};

bool lockdep_enabled;

static arch_spinlock_t graph_lock = ARCH_SPINLOCK_INIT;
/* graph_lock must be held for all of these. */
static struct lock_class classes[LOCKDEP_MAX_CLASSES];
static unsigned int class_count;
static uint64_t after[LOCKDEP_MAX_CLASSES];
static uint64_t reported[LOCKDEP_MAX_CLASSES];   /* pairs already reported */
static struct lock_dependency deps[LOCKDEP_MAX_DEPENDENCIES];
static unsigned int dep_count;
static bool classes_full_reported, deps_full_reported;
static unsigned int class_limit = LOCKDEP_MAX_CLASSES;
static unsigned int dep_limit = LOCKDEP_MAX_DEPENDENCIES;

static unsigned int busy[NR_CPUS];

#define BIT64(n) (1ull << (n))

static const char *where(uintptr_t ip, char *buf, size_t size)
{
	return ip ? symbol_format(ip, buf, size) : "(unknown)";
}

/* Return: the class of @lock (found by name, created if new), or -1 if the table is full. */
static int class_of(spinlock_t *lock)
{
	const char *name = lock->name;

	if (lock->lockdep_class)
		return lock->lockdep_class - 1;
	if (!name)
		return -1;   /* a zeroed lock, never named: no class to put it in */
	for (unsigned int i = 0; i < class_count; i++) {
		if (classes[i].name == name || strcmp(classes[i].name, name) == 0) {
			lock->lockdep_class = (uint16_t)(i + 1);
			return (int)i;
		}
	}
	if (class_count >= class_limit) {
		if (!classes_full_reported) {
			classes_full_reported = true;
			lock_report_counted();
			printk(KERN_ERR "lockdep: more than %u lock classes; '%s' and later new "
			       "classes are not validated\n", class_limit, name);
		}
		return -1;
	}
	classes[class_count] = (struct lock_class){ .name = name };
	lock->lockdep_class = (uint16_t)(class_count + 1);
	return (int)class_count++;
}

static const struct lock_dependency *find_dependency(unsigned int from, unsigned int to)
{
	for (unsigned int i = 0; i < dep_count; i++)
		if (deps[i].from == from && deps[i].to == to)
			return &deps[i];
	return NULL;
}

static void add_dependency(unsigned int from, unsigned int to, uintptr_t from_ip,
			   uintptr_t to_ip)
{
	after[from] |= BIT64(to);
	if (dep_count < dep_limit) {
		deps[dep_count++] = (struct lock_dependency){ (uint8_t)from, (uint8_t)to, from_ip,
							      to_ip };
		return;
	}
	if (!deps_full_reported) {
		deps_full_reported = true;
		lock_report_counted();
		printk(KERN_ERR "lockdep: more than %u dependencies; later ones are validated but "
		       "printed without addresses\n", dep_limit);
	}
}

/*
 * Breadth-first from @from along recorded dependencies.  Return: true if
 * @target is reachable; @parent[c] then gives the class before c on a
 * shortest path.
 */
static bool reaches(unsigned int from, unsigned int target, uint8_t parent[LOCKDEP_MAX_CLASSES])
{
	uint64_t seen = BIT64(from), frontier = BIT64(from);

	while (frontier) {
		uint64_t next = 0;

		for (uint64_t f = frontier; f; f &= f - 1) {
			unsigned int c = (unsigned int)__builtin_ctzll(f);
			uint64_t fresh = after[c] & ~seen & ~next;

			for (uint64_t n = fresh; n; n &= n - 1)
				parent[__builtin_ctzll(n)] = (uint8_t)c;
			next |= fresh;
		}
		if (next & BIT64(target))
			return true;
		seen |= next;
		frontier = next;
	}
	return false;
}

static void print_dependency(bool error, unsigned int from, unsigned int to)
{
	const struct lock_dependency *d = find_dependency(from, to);
	char a[96], b[96];
	const char *from_at = d ? where(d->from_ip, a, sizeof(a)) : "(not recorded)";
	const char *to_at = d ? where(d->to_ip, b, sizeof(b)) : "(not recorded)";

	if (error)
		printk(KERN_ERR "  '%s' (taken at %s) -> '%s' (taken at %s)\n", classes[from].name,
		       from_at, classes[to].name, to_at);
	else
		printk(KERN_INFO "  '%s' (taken at %s) -> '%s' (taken at %s)\n", classes[from].name,
		       from_at, classes[to].name, to_at);
}

static void report_cycle(const struct held_lock *held, unsigned int held_class,
			 unsigned int new_class, uintptr_t ip, const uint8_t *parent)
{
	uint8_t path[LOCKDEP_MAX_CLASSES];
	unsigned int length = 0;
	char a[96], b[96];

	lock_report_counted();
	printk(KERN_ERR "======================================================\n");
	printk(KERN_ERR "WARNING: possible circular locking dependency detected\n");
	printk(KERN_ERR "CPU#%u is taking '%s' at %s\n", smp_processor_id(),
	       classes[new_class].name, where(ip, a, sizeof(a)));
	printk(KERN_ERR "while holding '%s', taken at %s,\n", classes[held_class].name,
	       where(held->lock->owner_ip, b, sizeof(b)));
	printk(KERN_ERR "but the reverse order was seen before:\n");
	/* Walk back from held_class to new_class, then print forwards. */
	for (unsigned int c = held_class; c != new_class && length < LOCKDEP_MAX_CLASSES;
	     c = parent[c])
		path[length++] = (uint8_t)c;
	path[length] = (uint8_t)new_class;
	for (unsigned int i = length; i > 0; i--)
		print_dependency(true, path[i], path[i - 1]);
	printk(KERN_ERR "Two CPUs taking these in the two orders can deadlock.\n");
	printk(KERN_ERR "lockdep: reported once; this dependency is not recorded and the kernel "
	       "goes on\n");
	printk(KERN_ERR "======================================================\n");
}

static void report_recursive(const struct held_lock *held, unsigned int class, uintptr_t ip)
{
	char a[96], b[96];

	lock_report_counted();
	printk(KERN_ERR "======================================================\n");
	printk(KERN_ERR "WARNING: possible recursive locking detected\n");
	printk(KERN_ERR "CPU#%u is taking '%s' at %s\n", smp_processor_id(), classes[class].name,
	       where(ip, a, sizeof(a)));
	printk(KERN_ERR "while already holding a lock of that class, taken at %s\n",
	       where(held->lock->owner_ip, b, sizeof(b)));
	printk(KERN_ERR "lockdep: reported once; the kernel goes on\n");
	printk(KERN_ERR "======================================================\n");
}

static void report_irq_inconsistent(unsigned int class)
{
	struct lock_class *c = &classes[class];
	char a[96], b[96];

	lock_report_counted();
	printk(KERN_ERR "======================================================\n");
	printk(KERN_ERR "WARNING: inconsistent lock state\n");
	printk(KERN_ERR "'%s' taken in interrupt context at %s\n", c->name,
	       where(c->in_irq_ip, a, sizeof(a)));
	printk(KERN_ERR "and with interrupts enabled at %s:\n", where(c->irqs_on_ip, b, sizeof(b)));
	printk(KERN_ERR "an interrupt arriving there while the lock is held deadlocks the CPU.\n");
	printk(KERN_ERR "lockdep: reported once; the kernel goes on\n");
	printk(KERN_ERR "======================================================\n");
}

/* Record how @class is taken, and report a lock both used in and exposed to interrupts. */
static void check_irq_usage(unsigned int class, uintptr_t ip, bool irqs_on)
{
	struct lock_class *c = &classes[class];

	if (in_irq()) {
		if (!c->in_irq_ip)
			c->in_irq_ip = ip;
	} else if (irqs_on) {
		if (!c->irqs_on_ip)
			c->irqs_on_ip = ip;
	} else {
		return;
	}
	if (c->in_irq_ip && c->irqs_on_ip && !c->irq_reported) {
		c->irq_reported = true;
		report_irq_inconsistent(class);
	}
}

/* Check and record @class taken at @ip after every lock this CPU holds. */
static void check_order(unsigned int class, uintptr_t ip)
{
	const struct held_locks *h = &held_locks[smp_processor_id()];
	uint8_t parent[LOCKDEP_MAX_CLASSES];

	for (unsigned int i = 0; i < h->depth; i++) {
		const struct held_lock *held = &h->stack[i];
		unsigned int held_class;

		if (!held->lock->lockdep_class)
			continue;   /* taken before the validator was on, or not classed */
		held_class = held->lock->lockdep_class - 1u;
		if (held_class == class) {
			if (!(reported[class] & BIT64(class))) {
				reported[class] |= BIT64(class);
				report_recursive(held, class, ip);
			}
			continue;
		}
		if (after[held_class] & BIT64(class))
			continue;   /* known and fine */
		if (reaches(class, held_class, parent)) {
			if (!(reported[held_class] & BIT64(class))) {
				reported[held_class] |= BIT64(class);
				reported[class] |= BIT64(held_class);
				report_cycle(held, held_class, class, ip, parent);
			}
			continue;
		}
		add_dependency(held_class, class, held->lock->owner_ip, ip);
	}
}

void lockdep_acquire(spinlock_t *lock, uintptr_t ip, bool trylock)
{
	unsigned int cpu = smp_processor_id();
	bool irqs_on = !irqs_disabled();
	uint64_t flags;
	int class;

	flags = local_irq_save();
	if (!lockdep_enabled || busy[cpu]) {
		local_irq_restore(flags);
		return;
	}
	busy[cpu]++;
	arch_spin_lock(&graph_lock);
	class = class_of(lock);
	if (class >= 0 && !trylock) {
		check_irq_usage((unsigned int)class, ip, irqs_on);
		check_order((unsigned int)class, ip);
	}
	arch_spin_unlock(&graph_lock);
	busy[cpu]--;
	local_irq_restore(flags);
}

void debug_locks_off(void)
{
	__atomic_store_n(&lockdep_enabled, false, __ATOMIC_SEQ_CST);
}

bool lockdep_boot_option(const char *value)
{
	if (!value)
		return true;
	if (!strcmp(value, "1") || !strcmp(value, "on") || !strcmp(value, "y")) {
		lockdep_enabled = true;
		pr_info("lockdep: lock dependency validator on (up to %d classes, %d dependencies)\n",
			LOCKDEP_MAX_CLASSES, LOCKDEP_MAX_DEPENDENCIES);
		return true;
	}
	if (!strcmp(value, "0") || !strcmp(value, "off") || !strcmp(value, "n")) {
		lockdep_enabled = false;
		return true;
	}
	pr_warn("lockdep=%s: expected 1 (on) or 0 (off); the validator stays %s\n", value,
		lockdep_enabled ? "on" : "off");
	return false;
}

void lockdep_print_dependencies(void)
{
	uint64_t flags = local_irq_save();
	unsigned int cpu = smp_processor_id();

	busy[cpu]++;
	arch_spin_lock(&graph_lock);
	printk(KERN_INFO "lockdep: %u classes, %u dependencies\n", class_count, dep_count);
	for (unsigned int from = 0; from < class_count; from++)
		for (unsigned int to = 0; to < class_count; to++)
			if (after[from] & BIT64(to))
				print_dependency(false, from, to);
	arch_spin_unlock(&graph_lock);
	busy[cpu]--;
	local_irq_restore(flags);
}

unsigned int lockdep_class_count(void)
{
	return class_count;
}

unsigned int lockdep_dependency_count(void)
{
	return dep_count;
}

void lockdep_set_limits(unsigned int classes, unsigned int dependencies)
{
	uint64_t flags = local_irq_save();

	arch_spin_lock(&graph_lock);
	class_limit = classes && classes < LOCKDEP_MAX_CLASSES ? classes : LOCKDEP_MAX_CLASSES;
	dep_limit = dependencies && dependencies < LOCKDEP_MAX_DEPENDENCIES ?
			    dependencies : LOCKDEP_MAX_DEPENDENCIES;
	classes_full_reported = false;
	deps_full_reported = false;
	arch_spin_unlock(&graph_lock);
	local_irq_restore(flags);
}
