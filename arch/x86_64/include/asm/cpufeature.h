/* SPDX-License-Identifier: MIT */
/*
 * CPU features the kernel may use, read once from CPUID at boot.  Every
 * optional feature is used only when its flag here is set: real CPUs and
 * emulators differ (QEMU's qemu64 has no 1 GiB pages, TCG has no PCID).
 */
#ifndef FERRITE_ASM_CPUFEATURE_H
#define FERRITE_ASM_CPUFEATURE_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_features {
	char vendor[13];
	uint32_t max_leaf, max_extended_leaf;
	bool nx;            /* CPUID 0x80000001 EDX[20]: no-execute pages (EFER.NXE) */
	bool pge;           /* CPUID 1 EDX[13]: global pages (CR4.PGE) */
	bool pat;           /* CPUID 1 EDX[16]: page attribute table */
	bool mce;           /* CPUID 1 EDX[7]: machine-check exception (CR4.MCE) */
	bool gbpages;       /* CPUID 0x80000001 EDX[26]: 1 GiB pages */
	bool pcid;          /* CPUID 1 ECX[17]: process-context identifiers */
	bool invpcid;       /* CPUID 7.0 EBX[10]: INVPCID instruction */
	bool smep;          /* CPUID 7.0 EBX[7]: supervisor-mode execution prevention */
	bool smap;          /* CPUID 7.0 EBX[20]: supervisor-mode access prevention */
	bool invariant_tsc; /* CPUID 0x80000007 EDX[8]: TSC rate is constant */
	bool la57;          /* CPUID 7.0 ECX[16]: 5-level paging (advertised, not used) */
	bool rdrand;        /* CPUID 1 ECX[30]: RDRAND instruction */
	bool rdseed;        /* CPUID 7.0 EBX[18]: RDSEED instruction */
	uint8_t physical_address_bits; /* CPUID 0x80000008 EAX[7:0] */
	uint8_t virtual_address_bits;  /* CPUID 0x80000008 EAX[15:8] */
};

extern struct cpu_features boot_cpu;

/* Read CPUID into boot_cpu. Context: boot CPU, once, before paging setup. */
void cpu_features_init(void);

/* Print the features on one line ("CPU: GenuineIntel, NX PGE 1GB ..."). */
void cpu_features_print(void);

#endif
