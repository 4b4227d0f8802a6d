// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator stand-in (see alloc.h). It is compiled apart from the kernel file so
 * that it needs none of the kernel's headers and the prototypes a release declares
 * for these calls never clash with ours: C links them by name.
 *
 * Invariants kept here:
 * - every object handed out is charged once to the current account, and every
 *   object given back is counted once as freed, so live = allocations - frees;
 * - a budget of 0 makes every allocation fail (NULL, bulk 0): the tree turns
 *   that into -ENOMEM, which is what a budget is for;
 * - freed objects are poisoned, so a tree that reads a node after freeing it
 *   sees garbage (and usually crashes) rather than stale but plausible data;
 * - objects are zeroed only when the caller asks (__GFP_ZERO): newer trees
 *   dropped zeroing, and zeroing by default would hide their bugs;
 * - every slab is aligned to its own size (MB_SLAB_BYTES) and its base is kept
 *   in a set, so kfree() of a cache object (6.19 frees nodes with kfree) goes
 *   back to its cache instead of corrupting the C heap.
 */
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include "alloc.h"

/* __GFP_ZERO is bit 8 in every release from 6.1 on (___GFP_ZERO 0x100). */
#define MB_GFP_ZERO 0x100u
#define MB_POISON 0x6b
#define MB_SLAB_BYTES (64 * 1024)

struct kmem_cache {
	const char *name;
	size_t size;
	size_t align;
	void (*ctor)(void *);
	void *free_list;
	long live;
	unsigned int sheaf_capacity;
};

/* Slab bases and their caches: open addressing, grown at half load. */
static struct slab_entry {
	void *base;
	struct kmem_cache *cache;
} *slabs;
static size_t slab_slots;
static size_t slab_count;

static size_t slab_hash(void *base)
{
	return ((size_t)base / MB_SLAB_BYTES) * 0x9e3779b97f4a7c15ull;
}

static int slab_insert(void *base, struct kmem_cache *cache)
{
	if (2 * (slab_count + 1) > slab_slots) {
		size_t old_slots = slab_slots;
		struct slab_entry *old = slabs;
		size_t slots = old_slots ? 2 * old_slots : 64;

		slabs = calloc(slots, sizeof(*slabs));
		if (!slabs) {
			slabs = old;
			return 0;
		}
		slab_slots = slots;
		slab_count = 0;
		for (size_t i = 0; i < old_slots; i++)
			if (old[i].base)
				slab_insert(old[i].base, old[i].cache);
		free(old);
	}
	for (size_t i = slab_hash(base) & (slab_slots - 1);; i = (i + 1) & (slab_slots - 1)) {
		if (!slabs[i].base) {
			slabs[i].base = base;
			slabs[i].cache = cache;
			slab_count++;
			return 1;
		}
	}
}

static struct kmem_cache *slab_owner(void *obj)
{
	void *base = (void *)((size_t)obj & ~(size_t)(MB_SLAB_BYTES - 1));

	if (!slab_slots)
		return NULL;
	for (size_t i = slab_hash(base) & (slab_slots - 1); slabs[i].base;
	     i = (i + 1) & (slab_slots - 1))
		if (slabs[i].base == base)
			return slabs[i].cache;
	return NULL;
}

static struct mb_account *current_account;
static long live_objects;

void mb_charge_to(struct mb_account *account)
{
	current_account = account;
}

long mb_live_objects(void)
{
	return live_objects;
}

static int take_budget(size_t count)
{
	struct mb_account *a = current_account;

	if (!a)
		return 1;
	if (a->budget >= 0) {
		if ((size_t)a->budget < count)
			return 0;
		a->budget -= (long)count;
	}
	a->allocations += (long)count;
	return 1;
}

static void count_free(size_t count)
{
	if (current_account)
		current_account->frees += (long)count;
	live_objects -= (long)count;
}

/* Carve a fresh slab of aligned objects onto the free list. */
static int grow(struct kmem_cache *cache)
{
	size_t align = cache->align ? cache->align : sizeof(void *);
	size_t stride = (cache->size + align - 1) / align * align;
	size_t objects = MB_SLAB_BYTES / stride;
	char *slab = aligned_alloc(MB_SLAB_BYTES, MB_SLAB_BYTES);

	if (!slab || !slab_insert(slab, cache)) {
		free(slab);
		return 0;
	}
	for (size_t i = objects; i-- > 0;) {
		void **obj = (void **)(slab + i * stride);
		*obj = cache->free_list;
		cache->free_list = obj;
	}
	return 1;
}

static void *take_object(struct kmem_cache *cache, unsigned int gfp)
{
	void **obj;

	if (!cache->free_list && !grow(cache))
		return NULL;
	obj = cache->free_list;
	cache->free_list = *obj;
	if (cache->ctor)
		cache->ctor(obj);
	else if (gfp & MB_GFP_ZERO)
		memset(obj, 0, cache->size);
	else
		*obj = NULL;
	cache->live++;
	live_objects++;
	return obj;
}

static void give_object(struct kmem_cache *cache, void *obj)
{
	memset(obj, MB_POISON, cache->size);
	*(void **)obj = cache->free_list;
	cache->free_list = obj;
	cache->live--;
}

struct kmem_cache *mb_cache_create(const char *name, unsigned int size, unsigned int align,
				   void (*ctor)(void *), unsigned int sheaf_capacity)
{
	struct kmem_cache *cache = calloc(1, sizeof(*cache));

	if (!cache)
		return NULL;
	cache->name = name;
	cache->size = size < sizeof(void *) ? sizeof(void *) : size;
	cache->align = align;
	cache->ctor = ctor;
	cache->sheaf_capacity = sheaf_capacity;
	return cache;
}

unsigned int mb_cache_sheaf_capacity(struct kmem_cache *cache)
{
	return cache->sheaf_capacity;
}

/* The older form (6.1 to 6.17); newer trees reach mb_cache_create through the shim. */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *))
{
	(void)flags;
	return mb_cache_create(name, size, align, ctor, 0);
}

void *kmem_cache_alloc_lru(struct kmem_cache *cache, void *lru, unsigned int gfp)
{
	(void)lru;
	if (!take_budget(1))
		return NULL;
	return take_object(cache, gfp);
}

void *kmem_cache_alloc(struct kmem_cache *cache, unsigned int gfp)
{
	return kmem_cache_alloc_lru(cache, NULL, gfp);
}

void kmem_cache_free(struct kmem_cache *cache, void *obj)
{
	if (!obj)
		return;
	count_free(1);
	give_object(cache, obj);
}

int kmem_cache_alloc_bulk(struct kmem_cache *cache, unsigned int gfp, size_t size,
			  void **list)
{
	if (!take_budget(size))
		return 0;
	for (size_t i = 0; i < size; i++) {
		list[i] = take_object(cache, gfp);
		if (!list[i]) {
			for (size_t j = 0; j < i; j++)
				give_object(cache, list[j]);
			live_objects -= (long)i;
			return 0;
		}
	}
	return (int)size;
}

void kmem_cache_free_bulk(struct kmem_cache *cache, size_t size, void **list)
{
	for (size_t i = 0; i < size; i++)
		kmem_cache_free(cache, list[i]);
}

void kmem_cache_shrink(struct kmem_cache *cache)
{
	(void)cache;
}

void kmem_cache_set_non_kernel(struct kmem_cache *cache, unsigned int val)
{
	(void)cache;
	(void)val;
}

/* Test hooks some releases' userspace section declares; the suite does not use them. */
void kmem_cache_set_callback(struct kmem_cache *cache, void (*callback)(void *))
{
	(void)cache;
	(void)callback;
}

void kmem_cache_set_private(struct kmem_cache *cache, void *private)
{
	(void)cache;
	(void)private;
}

unsigned long kmem_cache_get_alloc(struct kmem_cache *cache)
{
	return (unsigned long)cache->live * cache->size;
}

unsigned long kmem_cache_nr_allocated(struct kmem_cache *cache)
{
	return (unsigned long)cache->live;
}

unsigned long kmem_cache_nr_tallocated(struct kmem_cache *cache)
{
	(void)cache;
	return 0;
}

void kmem_cache_zero_nr_tallocated(struct kmem_cache *cache)
{
	(void)cache;
}

void *kmalloc(size_t size, unsigned int gfp)
{
	void *p = (gfp & MB_GFP_ZERO) ? calloc(1, size) : malloc(size);
	return p;
}

void kfree(void *p)
{
	struct kmem_cache *cache = p ? slab_owner(p) : NULL;

	if (cache)
		kmem_cache_free(cache, p);
	else
		free(p);
}

/* Globals the harness headers declare and some releases' code reads. */
int nr_allocated;
int preempt_count;
int kmalloc_verbose;
int test_verbose;
