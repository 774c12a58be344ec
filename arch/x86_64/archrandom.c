// SPDX-License-Identifier: MIT
/*
 * RDSEED and RDRAND behind <asm/archrandom.h>.  Intel's guide: RDRAND
 * fails only when the DRBG is drawn from faster than it reseeds, and ten
 * retries make a failure vanishingly rare; RDSEED runs dry more easily and
 * wants a PAUSE between tries.  Both loops stop after RETRIES attempts.
 */
#include <asm/archrandom.h>
#include <asm/cpu.h>
#include <asm/cpufeature.h>

#define RETRIES 10

bool arch_get_random_seed_u64(uint64_t *value)
{
	for (int attempt = 0; boot_cpu.rdseed && attempt < RETRIES; attempt++) {
		uint8_t ok;

		__asm__ volatile("rdseed %0; setc %1" : "=r"(*value), "=qm"(ok));
		if (ok)
			return true;
		cpu_relax();
	}
	return false;
}

bool arch_get_random_u64(uint64_t *value)
{
	for (int attempt = 0; boot_cpu.rdrand && attempt < RETRIES; attempt++) {
		uint8_t ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(*value), "=qm"(ok));
		if (ok)
			return true;
		cpu_relax();
	}
	return false;
}
