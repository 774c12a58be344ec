// SPDX-License-Identifier: MIT
/* CPUID feature detection (see asm/cpufeature.h). */
#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <printk.h>

struct cpu_features boot_cpu;

#define BIT(n) (1u << (n))

void cpu_features_init(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	struct cpu_features *f = &boot_cpu;

	*f = (struct cpu_features){ 0 };
	f->max_leaf = r.eax;
	for (int i = 0; i < 4; i++) {
		f->vendor[i] = (char)(r.ebx >> (8 * i));
		f->vendor[4 + i] = (char)(r.edx >> (8 * i));
		f->vendor[8 + i] = (char)(r.ecx >> (8 * i));
	}
	if (f->max_leaf >= 1) {
		r = cpuid(1, 0);
		f->pge = r.edx & BIT(13);
		f->pat = r.edx & BIT(16);
		f->mce = r.edx & BIT(7);
		f->pcid = r.ecx & BIT(17);
		f->rdrand = r.ecx & BIT(30);
	}
	if (f->max_leaf >= 7) {
		r = cpuid(7, 0);
		f->smep = r.ebx & BIT(7);
		f->invpcid = r.ebx & BIT(10);
		f->rdseed = r.ebx & BIT(18);
		f->smap = r.ebx & BIT(20);
		f->la57 = r.ecx & BIT(16);
	}
	f->max_extended_leaf = cpuid(0x80000000, 0).eax;
	if (f->max_extended_leaf >= 0x80000001) {
		r = cpuid(0x80000001, 0);
		f->nx = r.edx & BIT(20);
		f->gbpages = r.edx & BIT(26);
	}
	if (f->max_extended_leaf >= 0x80000007)
		f->invariant_tsc = cpuid(0x80000007, 0).edx & BIT(8);
	if (f->max_extended_leaf >= 0x80000008) {
		r = cpuid(0x80000008, 0);
		f->physical_address_bits = r.eax & 0xff;
		f->virtual_address_bits = (r.eax >> 8) & 0xff;
	} else {
		f->physical_address_bits = 36;
		f->virtual_address_bits = 48;
	}
}

void cpu_features_print(void)
{
	const struct cpu_features *f = &boot_cpu;

	pr_info("CPU: %s, %u-bit physical / %u-bit virtual addresses;%s%s%s%s%s%s%s%s%s%s%s%s\n",
		f->vendor, f->physical_address_bits, f->virtual_address_bits,
		f->nx ? " NX" : " no-NX", f->pge ? " PGE" : "", f->pat ? " PAT" : "",
		f->gbpages ? " 1GB-pages" : "", f->pcid ? " PCID" : "", f->invpcid ? " INVPCID" : "",
		f->smep ? " SMEP" : "", f->smap ? " SMAP" : "",
		f->invariant_tsc ? " invariant-TSC" : "", f->rdrand ? " RDRAND" : "",
		f->rdseed ? " RDSEED" : "", f->la57 ? " LA57(unused)" : "");
}
