// SPDX-License-Identifier: MIT
/*
 * Self-tests of the debugger checkpoints (kernel/gdb_checkpoint.c): an
 * unknown mode is refused, and a full run -- allocations held, dumps, the
 * write over a free pointer and its repair -- gives back every page and
 * leaves the allocators' validators clean.  A debugger breaking on
 * ferrite_checkpoint stops in these runs too; the state it sees there is
 * the same as after the self-tests.
 */
#include <asm/paging.h>
#include <buddy.h>
#include <gdb_checkpoint.h>
#include <ktest.h>
#include <page_alloc.h>
#include <slab.h>
#include <vmalloc.h>

/* Pages not handed out (free, or in empty slabs), after purges and drains. */
static uint64_t idle_pages(void)
{
	vmalloc_purge();
	kmem_cache_shrink_all();
	buddy_drain_pcp(&kernel_buddy);
	return buddy_free_pages(&kernel_buddy) + slab_pages();
}

static void test_unknown_mode_refused(struct ktest *t)
{
	uint64_t before = idle_pages();

	KEXPECT_FALSE(t, gdb_checkpoint_run("2"));
	KEXPECT_FALSE(t, gdb_checkpoint_run(""));
	KEXPECT_FALSE(t, gdb_checkpoint_run("corrupted"));
	KEXPECT_TRUE(t, gdb_checkpoint_run(NULL));
	KEXPECT_UEQ(t, idle_pages(), before);
}

static void test_runs_leave_nothing(struct ktest *t)
{
	static const char *const modes[] = { "1", "corrupt" };

	for (unsigned int i = 0; i < 2; i++) {
		uint64_t before = idle_pages(), tables = pagetable_pages_in_use();

		KEXPECT_TRUE(t, gdb_checkpoint_run(modes[i]));
		KEXPECT_UEQ(t, idle_pages(), before);
		KEXPECT_UEQ(t, pagetable_pages_in_use(), tables);
		KEXPECT_NULL(t, buddy_check(&kernel_buddy));
		KEXPECT_NULL(t, vmalloc_check());
	}
}

KTEST_SUITE(gdb_checkpoint,
	    KTEST_CASE(test_unknown_mode_refused),
	    KTEST_CASE(test_runs_leave_nothing));
