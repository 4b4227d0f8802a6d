/* SPDX-License-Identifier: GPL-2.0 */
/*
 * maple-bisect's allocator stand-in: the kmem_cache and kmalloc calls a kernel
 * lib/maple_tree.c asks of its allocator, served from a free list of aligned
 * objects, with every allocation charged to the tree being worked on.
 *
 * The kernel keeps one global node cache; the suite needs counts and a budget per
 * tree. The shim names the tree an operation works on (mb_charge_to) before it
 * calls into the tree, so every allocation and free in between is that tree's.
 */
#ifndef MAPLE_BISECT_ALLOC_H
#define MAPLE_BISECT_ALLOC_H

struct mb_account {
	long allocations;
	long frees;
	/* Allocations still allowed, or -1 for no limit. */
	long budget;
};

struct kmem_cache;

/* A cache, for the newer kmem_cache_args form the shim translates (6.18 on). */
struct kmem_cache *mb_cache_create(const char *name, unsigned int size, unsigned int align,
				   void (*ctor)(void *), unsigned int sheaf_capacity);
/* The sheaf capacity a cache was made with (0 for the older form). */
unsigned int mb_cache_sheaf_capacity(struct kmem_cache *cache);

/* Charge what follows to @account (NULL: to nobody). */
void mb_charge_to(struct mb_account *account);
/* Nodes allocated and not freed across all trees (for leak checks of the shim itself). */
long mb_live_objects(void);

#endif
