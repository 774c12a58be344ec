/* SPDX-License-Identifier: MIT */
/*
 * Stops for a debugger after the self-tests (gdb_checkpoint= on the
 * command line): the kernel prints its own slabinfo, buddyinfo, zones,
 * meminfo and vmallocinfo, then calls ferrite_checkpoint(), an empty
 * function a debugger breaks on to compare its view of the allocators
 * with the kernel's (scripts/gdb-check.sh does, with the commands of
 * scripts/gdb/ferrite/).
 *
 *   gdb_checkpoint=1        the dumps, then ferrite_checkpoint()
 *   gdb_checkpoint=corrupt  the same, then a write after free overwrites
 *                           one free pointer of the cache "gdb-check",
 *                           ferrite_checkpoint_corrupted() is called (the
 *                           debugger's validator must name that cache and
 *                           slab), and the word is put back
 */
#ifndef FERRITE_GDB_CHECKPOINT_H
#define FERRITE_GDB_CHECKPOINT_H

#include <stdbool.h>

/*
 * gdb_checkpoint_run - run the checkpoints @mode asks for ("1", "corrupt"),
 * or none if @mode is NULL.  Everything it allocates is freed, and the
 * overwritten word put back, before it returns.
 * Context: boot CPU, no lock held (after the self-tests; the gdb_checkpoint
 * suite runs it too).
 * Return: false if @mode is none of these (reported, nothing done).
 */
bool gdb_checkpoint_run(const char *mode);

/* The breakpoints: empty, never inlined. */
void ferrite_checkpoint(void);
void ferrite_checkpoint_corrupted(void);

#endif
