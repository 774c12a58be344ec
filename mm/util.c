// SPDX-License-Identifier: MIT
/*
 * Allocators built on the others, as Linux's mm/util.c: kvmalloc and its
 * family take kmalloc memory where that is sensible and fall back to
 * vmalloc (contract in include/vmalloc.h); kvfree frees either.
 */
#include <kernel.h>
#include <kstring.h>
#include <slab.h>
#include <vmalloc.h>

#include "vmalloc_internal.h"

void *kvmalloc(size_t size, gfp_t gfp)
{
	void *address;

	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return kmalloc(size, gfp);
	/* Contiguous only if it is there now: no warning, no reserves. */
	if (size <= (PAGE_SIZE << 3)) {
		address = kmalloc(size, (gfp & ~(__GFP_HIGH | __GFP_NOFAIL)) | __GFP_NOWARN |
				       __GFP_NORETRY);
		if (address)
			return address;
	}
	return __vmalloc_caller(size, gfp, __builtin_return_address(0));
}

void *kvzalloc(size_t size, gfp_t gfp)
{
	return kvmalloc(size, gfp | __GFP_ZERO);
}

void *kvcalloc(size_t count, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(count, size, &bytes))
		return NULL;
	return kvmalloc(bytes, gfp | __GFP_ZERO);
}

/* Bytes usable at @address, from kmalloc or vmalloc. */
static size_t kv_usable_size(const void *address)
{
	return is_vmalloc_addr(address) ? vmalloc_area_size(address) : ksize(address);
}

void *kvrealloc(const void *address, size_t new_size, gfp_t gfp)
{
	size_t old_size;
	void *fresh;

	if (!address || ZERO_OR_NULL_PTR(address))
		return kvmalloc(new_size, gfp);
	old_size = kv_usable_size(address);
	if (new_size && new_size <= old_size)
		return (void *)address;
	fresh = kvmalloc(new_size, gfp);
	if (!fresh)
		return NULL;
	memcpy(fresh, address, MIN(old_size, new_size));
	kvfree(address);
	return fresh;
}

void kvfree(const void *address)
{
	if (is_vmalloc_addr(address))
		vfree(address);
	else
		kfree(address);
}
