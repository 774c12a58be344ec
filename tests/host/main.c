// SPDX-License-Identifier: MIT
/*
 * Host test runner: the kernel's pure code and its ktest suites, built
 * for the host with AddressSanitizer and UBSan.
 *
 * usage: ktest-host [GLOB]    (GLOB selects suites, like ktest= in the kernel)
 * The lock validator (lockdep) is on, as in the test kernel.
 * Exit status: 0 if every case passed, 1 otherwise.
 */
#include <stdio.h>

#include <ktest.h>
#include <lockdep.h>

#include "../../mm/slab.h"

int main(int argc, char **argv)
{
	unsigned failed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The lock validator watches every test, as lockdep=1 does in the test kernel. */
	lockdep_enabled = true;
	/* Which suites must run depends on it (tests/ktest.manifest's @BACKEND). */
	printf("# slab: back-end %s\n", slab_backend_name);
	failed = ktest_run_all(argc > 1 ? argv[1] : NULL);
	return failed ? 1 : 0;
}
