/* SPDX-License-Identifier: MIT */
/*
 * nmi.h: non-maskable interrupts, on every CPU.
 *
 * An NMI runs on the CPU's own NMI stack (IST), with in_nmi() true, and
 * may arrive anywhere -- inside a spinlock, inside printk, inside another
 * handler.  The handler takes no lock a normal path may hold.
 *
 * Each NMI goes to the registered handlers (register_nmi_handler: one says
 * whether it was its NMI), then to nmi_handler_hook() (the SMP layer's
 * stop/backtrace hook; a weak default does nothing).  An NMI that no
 * registered handler claimed is reported like Linux's "NMI received for
 * unknown reason", with the platform's reason bits (port 0x61: bit 7 PCI
 * SERR, bit 6 I/O channel check), and counted.
 */
#ifndef FERRITE_NMI_H
#define FERRITE_NMI_H

#include <asm/traps.h>

#define NMI_DONE 0      /* not mine */
#define NMI_HANDLED 1

typedef int (*nmi_handler_t)(struct trap_frame *frame);

/*
 * register_nmi_handler - add @handler to the handlers every NMI runs.
 * Context: task context.  Return: 0, -EBUSY if all slots are taken,
 * -EEXIST if @handler is registered already.
 */
int register_nmi_handler(nmi_handler_t handler);

/* Remove @handler (waits for no CPU to be running it). */
void unregister_nmi_handler(nmi_handler_t handler);

/* The SMP layer's hook, called on every NMI after the handlers. Context: NMI. */
void nmi_handler_hook(struct trap_frame *frame);

/* C side of the NMI: called by the exception entry for vector 2. Context: NMI. */
void nmi_dispatch(struct trap_frame *frame);

#endif
