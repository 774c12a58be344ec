# SPDX-License-Identifier: MIT
# The slab back-ends a kernel can be built with (make SLAB_BACKEND=NAME),
# each with its sources; mm/NAME_def.h is its half of the instance
# structures.  mm/slab_backend.h says what a back-end provides.
#
# Tests of one back-end's internals are built only with that back-end:
#   SLAB_BACKEND_KTESTS_NAME       kernel self-test files (tests/kernel/)
#   SLAB_BACKEND_HOST_TESTS_NAME   host test files (tests/host/)
#   SLAB_BACKEND_TSAN_SUITES_NAME  their threaded host suites, run under TSan
# Their suites are marked kernel@NAME / host@NAME in tests/ktest.manifest.
# The conformance suites (tests/*/test_slab*.c, test_mm_stress.c) run
# with every back-end.
SLAB_BACKENDS += slub
SLAB_BACKEND_SRCS_slub := mm/slub.c mm/slub_debug.c
SLAB_BACKEND_KTESTS_slub := tests/kernel/test_slub.c tests/kernel/test_slub_smp.c
SLAB_BACKEND_HOST_TESTS_slub := tests/host/test_slub.c tests/host/test_slub_threads.c
SLAB_BACKEND_TSAN_SUITES_slub := slub_threads
SLAB_BACKENDS += slab
SLAB_BACKEND_SRCS_slab := mm/slab.c mm/slab_debug.c
SLAB_BACKEND_HOST_TESTS_slab := tests/host/test_slab_internals.c
SLAB_BACKEND_KTESTS_slab := tests/kernel/test_slab_arrays.c
SLAB_BACKENDS += slob
SLAB_BACKEND_SRCS_slob := mm/slob.c mm/slob_debug.c
SLAB_BACKEND_HOST_TESTS_slob := tests/host/test_slob.c
