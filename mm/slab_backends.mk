# SPDX-License-Identifier: MIT
# The slab back-ends a kernel can be built with (make SLAB_BACKEND=NAME),
# each with its sources; mm/NAME_def.h is its half of the instance
# structures.  mm/slab_backend.h says what a back-end provides.
SLAB_BACKENDS += slub
SLAB_BACKEND_SRCS_slub := mm/slub.c mm/slub_debug.c
SLAB_BACKENDS += slob
SLAB_BACKEND_SRCS_slob := mm/slob.c mm/slob_debug.c
SLAB_BACKEND_HOST_TESTS_slob := tests/host/test_slob.c
