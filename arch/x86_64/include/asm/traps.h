/* SPDX-License-Identifier: MIT */
/* The register frame the exception entry stubs build, and trap helpers. */
#ifndef FERRITE_ASM_TRAPS_H
#define FERRITE_ASM_TRAPS_H

#include <stdint.h>

/*
 * Pushed by arch/x86_64/exception_entry.asm: general registers (last pushed
 * first here), the vector number, the error code (0 where the CPU pushes
 * none), then the CPU's own frame.
 */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

enum x86_vector {
	X86_DE = 0, X86_DB = 1, X86_NMI = 2, X86_BP = 3, X86_OF = 4, X86_BR = 5,
	X86_UD = 6, X86_NM = 7, X86_DF = 8, X86_TS = 10, X86_NP = 11, X86_SS = 12,
	X86_GP = 13, X86_PF = 14, X86_MF = 16, X86_AC = 17, X86_MC = 18, X86_XM = 19,
	X86_VE = 20, X86_CP = 21,
};

/* Page-fault error code bits (Intel SDM vol. 3, 4.7). */
#define PF_PRESENT (1u << 0)  /* 0: page not present; 1: protection violation */
#define PF_WRITE (1u << 1)    /* access was a write */
#define PF_USER (1u << 2)     /* access from CPL 3 */
#define PF_RSVD (1u << 3)     /* a reserved bit was set in a paging entry */
#define PF_INSTR (1u << 4)    /* instruction fetch */
#define PF_PK (1u << 5)       /* protection key */
#define PF_SS (1u << 6)       /* shadow stack */
#define PF_SGX (1u << 15)

/* C side of the entry stubs. Context: interrupts off, any stack. */
void exception_dispatch(struct trap_frame *frame);

/* Fill the IDT (exceptions and interrupt vectors) and load it. Context: boot CPU, once. */
void idt_init(void);

/* Load the IDT idt_init() filled on this CPU. Context: each AP early in its start-up. */
void idt_load(void);

/* Load the kernel GDT and TSS (with IST stacks for #DF, NMI and #MC). */
void gdt_init(void);

/*
 * gdt_init_cpu - load CPU @cpu's own GDT and TSS (IST stacks from
 * irq_stacks_alloc(), asm/tss.h).  Does not reload GS (percpu.h).
 * Context: on CPU @cpu, interrupts off.
 */
void gdt_init_cpu(unsigned int cpu);

/* Print a full report of @frame (vector, error code, symbolized RIP, CR2, registers, backtrace). */
void exception_report(const struct trap_frame *frame);

/*
 * Print "Call trace:": @rip (if not 0), then the return address of every
 * frame on the saved frame-pointer chain starting at @rbp.
 */
void backtrace_from(uint64_t rip, uint64_t rbp);

/* Human-readable name of exception vector @vector ("#PF page fault"). */
const char *exception_name(uint64_t vector);

#endif
