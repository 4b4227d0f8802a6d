// SPDX-License-Identifier: GPL-2.0
/*
 * maple-bisect's shim around a kernel's own lib/maple_tree.c.
 *
 * The kernel file is not part of this project: the build (build.ts) compiles this
 * shim with the user's source tree on the include path, and the #include of
 * <lib/maple_tree.c> below pulls that tree's file in, as the kernel's userspace
 * harness (tools/testing/radix-tree/maple.c) does. What comes out is a shared
 * library with a flat C API (the mb_* functions) that core/kernel/mod.ts drives
 * through Deno FFI.
 *
 * Conventions at the boundary:
 * - keys cross as doubles, exact up to the suite's top key 2^53-1, which stands
 *   for the kernel's keys from 2^53-1 to ULONG_MAX (see key_first);
 * - values cross as ids: id 0 is NULL (empty), id n > 0 is xa_mk_value(n), and
 *   the TypeScript side keeps the id -> value table;
 * - answers go into a caller's double array `out` (first, last, id, ...);
 * - errors are the kernel's negative errnos (-ENOMEM, -EEXIST, -EINVAL, -EBUSY).
 *
 * Features that differ between releases arrive as MB_* macros from the build's
 * compile probes (see build.ts), never from a version number.
 */

#define _GNU_SOURCE
#define CONFIG_DEBUG_MAPLE_TREE
#define CONFIG_MAPLE_SEARCH
#include "test.h"
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>
#include <dlfcn.h>
#include <execinfo.h>
#include "linux/init.h"
#include "alloc.h"

#define module_init(x)
#define module_exit(x)
#define MODULE_AUTHOR(x)
#define MODULE_LICENSE(x)

/*
 * Every MT_BUG_ON (and its later siblings) ends in dump_stack(): the kernel's
 * harness turns that into a failed assert. Ours reports where the bug was seen
 * and, inside mb_validate, returns to the caller instead of aborting, so a broken
 * invariant found by mt_validate is an answer (MapleInvariantError) rather than
 * the end of the process.
 */
static void mb_kernel_bug(const char *func, int line);
#define dump_stack() mb_kernel_bug(__func__, __LINE__)

/*
 * Trees here are never in RCU mode and one thread drives them, so a node freed
 * "after a grace period" can go back at once (6.19 frees nodes with kfree_rcu;
 * alloc.c's kfree routes cache objects back to their cache).
 */
#define kfree_rcu(ptr, member) kfree(ptr)

#include <lib/maple_tree.c>

#ifdef MB_HAVE_SHEAVES
/*
 * The slab-sheaf allocator generation (6.18 on): a cache made from kmem_cache_args,
 * and sheaves, arrays of preallocated objects a maple state draws its nodes from.
 * The tree's own header defines the structs, so this glue lives here; the objects
 * come from alloc.c, counted and budgeted like every other allocation.
 */
struct kmem_cache *__kmem_cache_create_args(const char *name, unsigned int size,
					    struct kmem_cache_args *args, unsigned int flags)
{
	(void)flags;
	return mb_cache_create(name, size, args->align, args->ctor, args->sheaf_capacity);
}

struct slab_sheaf *kmem_cache_prefill_sheaf(struct kmem_cache *s, gfp_t gfp, unsigned int size)
{
	unsigned int capacity = max(size, mb_cache_sheaf_capacity(s));
	struct slab_sheaf *sheaf = calloc(1, sizeof(*sheaf) + sizeof(void *) * capacity);

	if (!sheaf)
		return NULL;
	sheaf->cache = s;
	sheaf->capacity = capacity;
	if (size && kmem_cache_alloc_bulk(s, gfp, size, sheaf->objects) == 0) {
		free(sheaf);
		return NULL;
	}
	sheaf->size = size;
	return sheaf;
}

void kmem_cache_return_sheaf(struct kmem_cache *s, gfp_t gfp, struct slab_sheaf *sheaf)
{
	(void)gfp;
	if (sheaf->size)
		kmem_cache_free_bulk(s, sheaf->size, sheaf->objects);
	free(sheaf);
}

int kmem_cache_refill_sheaf(struct kmem_cache *s, gfp_t gfp, struct slab_sheaf **sheafp,
			    unsigned int size)
{
	struct slab_sheaf *sheaf = *sheafp;

	if (sheaf->size >= size)
		return 0;
	if (size > sheaf->capacity) {
		struct slab_sheaf *bigger = kmem_cache_prefill_sheaf(s, gfp, size);

		if (!bigger)
			return -ENOMEM;
		kmem_cache_return_sheaf(s, gfp, sheaf);
		*sheafp = bigger;
		return 0;
	}
	if (kmem_cache_alloc_bulk(s, gfp, size - sheaf->size, &sheaf->objects[sheaf->size]) == 0)
		return -ENOMEM;
	sheaf->size = size;
	return 0;
}

void *kmem_cache_alloc_from_sheaf(struct kmem_cache *s, gfp_t gfp, struct slab_sheaf *sheaf)
{
	(void)s;
	(void)gfp;
	if (!sheaf->size)
		return NULL;
	return sheaf->objects[--sheaf->size];
}

/* Nodes a maple state holds for its next writes: its sheaf and its single node. */
static inline unsigned long mb_pooled(struct ma_state *mas)
{
	return (mas->sheaf ? kmem_cache_sheaf_size(mas->sheaf) : 0) + (mas->alloc ? 1 : 0);
}
#else
static inline unsigned long mb_pooled(struct ma_state *mas)
{
	return mas_allocated(mas);
}
#endif

/* The suite's top key (2^53 - 1), which stands for ULONG_MAX at the boundary. */
#define MB_TOP_KEY 9007199254740991.0

struct mb_tree {
	struct maple_tree mt;	/* first: a cursor finds its tree from mas->tree */
	unsigned int flags;
	struct mb_account account;
	/* The head and its cursors: the struct lives until the last of them is freed. */
	int refs;
};

struct mb_cursor {
	struct ma_state mas;
	struct mb_tree *tree;
	/*
	 * Where the next store starts, as the suite set it: from about 6.6 a preallocation
	 * walks and may widen mas.index/last over the empty neighbours a store of NULL will
	 * merge with, so the state no longer says which entry the store replaces.
	 */
	unsigned long store_index;
	int store_pending;
};

/*
 * The suite's keys stop at 2^53-1; the kernel's go on to ULONG_MAX. The suite's top
 * key stands for the whole kernel region [2^53-1, ULONG_MAX]: a range's start maps as
 * it is, a range's end (or an upper limit) at the top key maps to ULONG_MAX, and any
 * kernel key in the region reads back as the top key. No write can then put a boundary
 * inside the region, so both key spaces hold the same ranges.
 */
static inline unsigned long key_first(double key)
{
	return key >= MB_TOP_KEY ? (unsigned long)MB_TOP_KEY : (unsigned long)key;
}

static inline unsigned long key_last(double key)
{
	return key >= MB_TOP_KEY ? ULONG_MAX : (unsigned long)key;
}

static inline double key_out(unsigned long key)
{
	return key >= (unsigned long)MB_TOP_KEY ? MB_TOP_KEY : (double)key;
}

static inline void *entry_in(double id)
{
	return id > 0 ? xa_mk_value((unsigned long)id) : NULL;
}

static inline double entry_out(void *entry)
{
	return entry && xa_is_value(entry) ? (double)xa_to_value(entry) : 0;
}

static inline void put_range(double *out, unsigned long first, unsigned long last, void *entry)
{
	out[0] = key_out(first);
	out[1] = key_out(last);
	out[2] = entry_out(entry);
}

/* ---- kernel bugs, crashes and captured output ---- */

static jmp_buf validate_jump;
static int validating;
static char bug_where[160];

static void mb_kernel_bug(const char *func, int line)
{
	snprintf(bug_where, sizeof(bug_where), "%s (lib/maple_tree.c:%d)", func, line);
	if (validating)
		longjmp(validate_jump, 1);
	fflush(stdout);
	fprintf(stderr, "maple-bisect: kernel BUG in %s\n", bug_where);
	abort();
}

/*
 * A fatal signal in the tree kills the process (the probe's child); before it goes,
 * name the native frames as library-relative offsets, which the parent turns into
 * function, file and line with addr2line (static functions are not in the dynamic
 * symbol table, so this process cannot name them itself).
 */
static void on_fatal_signal(int sig)
{
	void *frames[48];
	char line[512];
	int n = backtrace(frames, 48);

	fflush(stdout);
	snprintf(line, sizeof(line), "maple-bisect: native signal %d (%s)\n", sig, strsignal(sig));
	write(2, line, strlen(line));
	for (int i = 0; i < n; i++) {
		Dl_info info;

		if (!dladdr(frames[i], &info) || !info.dli_fname)
			continue;
		snprintf(line, sizeof(line), "maple-bisect: frame %s +0x%lx\n", info.dli_fname,
			 (unsigned long)((char *)frames[i] - (char *)info.dli_fbase));
		write(2, line, strlen(line));
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_crash_handlers(void)
{
	static char alt_stack[1 << 16];
	stack_t ss = { .ss_sp = alt_stack, .ss_size = sizeof(alt_stack), .ss_flags = 0 };
	struct sigaction sa;
	const int signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	void *warm[2];

	backtrace(warm, 2);	/* loads the unwinder now, not inside a handler */
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (unsigned int i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaction(signals[i], &sa, NULL);
}

/*
 * The kernel's dump and validation print with printk (stdout here). While a
 * capture is open, stdout goes to one reused temporary file; capture_end puts
 * stdout back and returns what was printed (malloc'd, or NULL).
 */
static FILE *capture_file;
static int capture_saved = -1;

static int capture_begin(void)
{
	if (!capture_file && !(capture_file = tmpfile()))
		return 0;
	fflush(stdout);
	rewind(capture_file);
	if (ftruncate(fileno(capture_file), 0))
		return 0;
	capture_saved = dup(1);
	dup2(fileno(capture_file), 1);
	return 1;
}

static char *capture_end(void)
{
	long size;
	char *text;

	fflush(stdout);
	dup2(capture_saved, 1);
	close(capture_saved);
	capture_saved = -1;
	size = lseek(fileno(capture_file), 0, SEEK_END);
	text = malloc(size > 0 ? size + 1 : 1);
	if (!text)
		return NULL;
	size = size > 0 ? pread(fileno(capture_file), text, size, 0) : 0;
	text[size > 0 ? size : 0] = '\0';
	return text;
}

/* ---- set-up ---- */

static int initialised;

/*
 * Register the calling thread with liburcu once. liburcu is one per process while each
 * kernel version is a library of its own, so ask liburcu, not a flag of this library.
 */
static void register_rcu_thread(void)
{
	if (!URCU_TLS(rcu_reader).registered)
		rcu_register_thread();
}

int mb_init(void)
{
	register_rcu_thread();
	if (initialised)
		return 0;
	maple_tree_init();
	install_crash_handlers();
	initialised = 1;
	return 0;
}

/* Free a string this library returned. */
void mb_free_string(char *text)
{
	free(text);
}

/* ---- trees ---- */

struct mb_tree *mb_tree_new(int alloc_range, double budget)
{
	struct mb_tree *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	register_rcu_thread();
	t->flags = alloc_range ? MT_FLAGS_ALLOC_RANGE : 0;
	t->account.budget = budget < 0 ? -1 : (long)budget;
	t->refs = 1;
	mt_init_flags(&t->mt, t->flags);
	return t;
}

void mb_tree_clear(struct mb_tree *t)
{
	mb_charge_to(&t->account);
	mtree_destroy(&t->mt);
	mt_init_flags(&t->mt, t->flags);
	mb_charge_to(NULL);
}

static void tree_put(struct mb_tree *t)
{
	if (--t->refs == 0)
		free(t);
}

void mb_tree_free(struct mb_tree *t)
{
	mb_tree_clear(t);
	tree_put(t);
}

void mb_set_budget(struct mb_tree *t, double budget)
{
	t->account.budget = budget < 0 ? -1 : (long)budget;
}

/* out: allocations, frees, budget (-1: none). */
void mb_stats(struct mb_tree *t, double *out)
{
	out[0] = (double)t->account.allocations;
	out[1] = (double)t->account.frees;
	out[2] = (double)t->account.budget;
}

/*
 * One write as mtree_store_range / mtree_insert_range / mas_store_gfp make it (a
 * mas_store or mas_insert, retried after -ENOMEM through the kernel's own mas_nomem),
 * with one difference: it retries only while the allocator still hands out nodes. Under
 * a budget the kernel's loop would spin for ever once it holds any node (holding one
 * counts as progress to mas_nomem); without a budget the two behave alike. Leftover
 * nodes are freed at the end, as mas_nomem's mas_destroy does.
 */
static int write_retrying(struct mb_tree *t, struct ma_state *mas, void *entry, int insert)
{
	unsigned long held;
	int ret;

	mb_charge_to(&t->account);
	/* Held as mtree_store_range holds it: mas_nomem drops and retakes it around allocation. */
	mtree_lock(mas->tree);
	for (;;) {
		if (insert)
			mas_insert(mas, entry);
		else
			mas_store(mas, entry);
		if (!mas_is_err(mas) || xa_err(mas->node) != -ENOMEM)
			break;
		held = mb_pooled(mas);
		if (!mas_nomem(mas, GFP_KERNEL))
			break;
		if (mb_pooled(mas) == held) {
			mas_set_err(mas, -ENOMEM);
			break;
		}
	}
	ret = mas_is_err(mas) ? xa_err(mas->node) : 0;
	mas_destroy(mas);
	mtree_unlock(mas->tree);
	mb_charge_to(NULL);
	return ret;
}

int mb_store(struct mb_tree *t, double first, double last, double id)
{
	MA_STATE(mas, &t->mt, key_first(first), key_last(last));

	if (mas.index > mas.last)
		return -EINVAL;
	return write_retrying(t, &mas, entry_in(id), 0);
}

int mb_insert(struct mb_tree *t, double first, double last, double id)
{
	MA_STATE(mas, &t->mt, key_first(first), key_last(last));

	if (mas.index > mas.last || !id)
		return -EINVAL;
	return write_retrying(t, &mas, entry_in(id), 1);
}

/* mtree_erase: the entry's whole range, found by a walk, written empty; -1 on -ENOMEM. */
double mb_erase(struct mb_tree *t, double index)
{
	MA_STATE(mas, &t->mt, key_first(index), key_first(index));
	void *old = mas_walk(&mas);

	if (old && write_retrying(t, &mas, NULL, 0) != 0)
		return -1;
	return entry_out(old);
}

double mb_load(struct mb_tree *t, double index)
{
	return entry_out(mtree_load(&t->mt, key_first(index)));
}

/* The range around @index, empty or not. */
void mb_walk(struct mb_tree *t, double index, double *out)
{
	MA_STATE(mas, &t->mt, key_first(index), key_first(index));
	void *entry;

	rcu_read_lock();
	entry = mas_walk(&mas);
	put_range(out, mas.index, mas.last, entry);
	rcu_read_unlock();
}

/* First entry intersecting [index, max]; returns 1 when found. */
int mb_find(struct mb_tree *t, double index, double max, double *out)
{
	MA_STATE(mas, &t->mt, key_first(index), key_first(index));
	void *entry;

	rcu_read_lock();
	entry = mas_find(&mas, key_last(max));
	if (entry)
		put_range(out, mas.index, mas.last, entry);
	rcu_read_unlock();
	return entry != NULL;
}

/* Next entry after the range holding @index, up to @max; 1 when found. */
int mb_next(struct mb_tree *t, double index, double max, double *out)
{
	MA_STATE(mas, &t->mt, key_first(index), key_first(index));
	void *entry;

	rcu_read_lock();
	entry = mas_next(&mas, key_last(max));
	if (entry)
		put_range(out, mas.index, mas.last, entry);
	rcu_read_unlock();
	return entry != NULL;
}

/* Entry before the range holding @index, down to @min; 1 when found. */
int mb_prev(struct mb_tree *t, double index, double min, double *out)
{
	MA_STATE(mas, &t->mt, key_first(index), key_first(index));
	void *entry;

	rcu_read_lock();
	entry = mas_prev(&mas, key_first(min));
	if (entry)
		put_range(out, mas.index, mas.last, entry);
	rcu_read_unlock();
	return entry != NULL;
}

/*
 * Up to @cap entries intersecting [first, last], in order, as triples in @out;
 * returns how many. The caller continues after the last one returned.
 */
int mb_entries(struct mb_tree *t, double first, double last, double *out, int cap)
{
	MA_STATE(mas, &t->mt, key_first(first), key_first(first));
	void *entry;
	int n = 0;

	rcu_read_lock();
	while (n < cap && (entry = mas_find(&mas, key_last(last))) != NULL) {
		put_range(out + 3 * n, mas.index, mas.last, entry);
		n++;
	}
	rcu_read_unlock();
	return n;
}

double mb_count(struct mb_tree *t)
{
	MA_STATE(mas, &t->mt, 0, 0);
	void *entry;
	double n = 0;

	rcu_read_lock();
	mas_for_each(&mas, entry, ULONG_MAX)
		n++;
	rcu_read_unlock();
	return n;
}

/* Gap searches: 0 and the area in out[0..1], or the kernel's -EBUSY / -EINVAL. */
int mb_empty_area(struct mb_tree *t, double min, double max, double size, double *out)
{
	MA_STATE(mas, &t->mt, 0, 0);
	int ret;

	rcu_read_lock();
	ret = mas_empty_area(&mas, key_first(min), key_last(max), key_first(size));
	if (!ret) {
		out[0] = key_out(mas.index);
		out[1] = out[0] + size - 1;
	}
	rcu_read_unlock();
	return ret;
}

int mb_empty_area_rev(struct mb_tree *t, double min, double max, double size, double *out)
{
	MA_STATE(mas, &t->mt, 0, 0);
	int ret;

	rcu_read_lock();
	ret = mas_empty_area_rev(&mas, key_first(min), key_last(max), key_first(size));
	if (!ret) {
		out[1] = key_out(mas.last);
		out[0] = out[1] - size + 1;
	}
	rcu_read_unlock();
	return ret;
}

int mb_height(struct mb_tree *t)
{
	return (int)mt_height(&t->mt);
}

/* Count nodes by kind below @enode, whose range ends at @max. */
static void census_walk(struct maple_tree *mt, struct maple_enode *enode, unsigned long max,
			double *out)
{
	enum maple_type type = mte_node_type(enode);
	struct maple_node *node = mte_to_node(enode);
	unsigned long *pivots;
	void __rcu **slots;
	unsigned char end;

	if (ma_is_leaf(type)) {
		out[0]++;
		return;
	}
	out[type == maple_arange_64 ? 2 : 1]++;
	pivots = ma_pivots(node, type);
	slots = ma_slots(node, type);
	end = ma_data_end(node, type, pivots, max);
	for (unsigned char i = 0; i <= end; i++)
		census_walk(mt, mt_slot(mt, slots, i), i < end ? pivots[i] : max, out);
}

/* out: leaves, plain internal nodes (range_64), gap-tracking internal nodes (arange_64). */
void mb_census(struct mb_tree *t, double *out)
{
	void *root = rcu_dereference_raw(t->mt.ma_root);

	out[0] = out[1] = out[2] = 0;
	if (xa_is_node(root))
		census_walk(&t->mt, root, ULONG_MAX, out);
}

/* The line printed just before the "BUG at" line, if any: what the check saw. */
static void bug_detail(const char *printed, char *detail, int cap)
{
	const char *bug = printed ? strstr(printed, "BUG at ") : NULL;
	const char *start, *end;

	detail[0] = '\0';
	if (!bug || bug == printed)
		return;
	end = bug - 1;
	start = end;
	while (start > printed && start[-1] != '\n')
		start--;
	if (end > start)
		snprintf(detail, cap, "%.*s", (int)(end - start), start);
}

/*
 * mt_validate; 0 when every invariant holds, else 1 with the kernel's words in
 * @message: the BUG site and what the check printed just before it.
 */
int mb_validate(struct mb_tree *t, char *message, int cap)
{
	volatile int broken = 0;
	char detail[256];
	char *printed;

	if (!capture_begin()) {
		mt_validate(&t->mt);
		return 0;
	}
	bug_where[0] = '\0';
	validating = 1;
	if (setjmp(validate_jump) == 0) {
		mt_validate(&t->mt);
	} else {
		broken = 1;
		while (rcu_read_ongoing())
			rcu_read_unlock();
	}
	validating = 0;
	printed = capture_end();
	if (broken) {
		bug_detail(printed, detail, sizeof(detail));
		snprintf(message, cap, "BUG at %s%s%s", bug_where, detail[0] ? ": " : "", detail);
	}
	free(printed);
	return broken;
}

/* The kernel's own mt_dump of the tree (free with mb_free_string). */
char *mb_dump(struct mb_tree *t)
{
	if (!capture_begin())
		return NULL;
#ifdef MB_MT_DUMP_FORMAT
	mt_dump(&t->mt, mt_dump_hex);
#else
	mt_dump(&t->mt);
#endif
	return capture_end();
}

/* ---- the fork path ---- */

/*
 * 6.1's dup_mmap, the tree part: mas_expected_entries(count of the parent's
 * entries), then one in-order mas_store per copied entry, then mas_destroy.
 * @triples holds (first, last, id) of the parent's entries in order; id 0 marks
 * an entry not copied (VM_DONTCOPY), which still counts in the expectation, as
 * map_count does.
 *
 * @undercount drops that many nodes from the bulk pool right after
 * mas_expected_entries, re-creating July 2022's miscount in real code.
 *
 * report: promised (what mas_expected_entries allocated), taken (net pops from the
 * pool, the stolen nodes included), extra (allocations beyond it).
 */
int mb_dup_bulk(struct mb_tree *old, struct mb_tree *new, const double *triples, int n,
		int undercount, double *report)
{
#ifdef MB_HAVE_EXPECTED_ENTRIES
	MA_STATE(mas, &new->mt, 0, 0);
	long promised, before;
	int ret;

	(void)old;
	report[0] = report[1] = report[2] = 0;
	mb_charge_to(&new->account);
	ret = mas_expected_entries(&mas, n);
	if (ret) {
		mb_charge_to(NULL);
		return ret;
	}
	/* The promise is what mas_expected_entries allocated; the injected fault steals from it. */
	promised = (long)mas_allocated(&mas);
	for (int i = 0; i < undercount && mas_allocated(&mas) > 0; i++)
		kmem_cache_free(maple_node_cache, mas_pop_node(&mas));
	before = new->account.allocations;
	for (int i = 0; i < n; i++) {
		if (triples[3 * i + 2] <= 0)
			continue;
		mas.index = key_first(triples[3 * i]);
		mas.last = key_last(triples[3 * i + 1]);
		mas_store(&mas, entry_in(triples[3 * i + 2]));
		if (mas_is_err(&mas)) {
			ret = xa_err(mas.node);
			break;
		}
	}
	report[0] = (double)promised;
	report[1] = (double)(promised - (long)mas_allocated(&mas));
	report[2] = (double)(new->account.allocations - before);
	mas_destroy(&mas);
	mb_charge_to(NULL);
	return ret;
#else
	(void)old; (void)new; (void)triples; (void)n; (void)undercount; (void)report;
	return -EOPNOTSUPP;
#endif
}

/*
 * 6.8's dup_mmap, the tree part: __mt_dup copies the parent's tree node by node,
 * then one pass over the copy replaces every entry in place and clears the ranges
 * of entries not copied (id 0). @triples and @report are as for mb_dup_bulk;
 * @fail_at > 0 gives the copy a budget of fail_at - 1 nodes, so its fail_at-th
 * allocation fails: the copy must survive that or report -ENOMEM, never corrupt.
 */
int mb_dup_copy(struct mb_tree *old, struct mb_tree *new, const double *triples, int n,
		int fail_at, double *report)
{
#ifdef MB_HAVE_MT_DUP
	MA_STATE(mas, &new->mt, 0, 0);
	long saved_budget = new->account.budget;
	void *entry;
	int i = 0;
	int ret;

	report[0] = report[1] = report[2] = 0;
	if (fail_at > 0)
		new->account.budget = fail_at - 1;
	mb_charge_to(&new->account);
	ret = __mt_dup(&old->mt, &new->mt, GFP_KERNEL);
	if (fail_at > 0)
		new->account.budget = saved_budget < 0 ? -1 :
			saved_budget - (new->account.allocations);
	if (ret) {
		mb_charge_to(NULL);
		return ret;
	}
	mas_for_each(&mas, entry, ULONG_MAX) {
		double id = i < n ? triples[3 * i + 2] : 0;
		unsigned long last = mas.last;

		i++;
		if (id <= 0)
			ret = mas_store_gfp(&mas, NULL, GFP_KERNEL);
		else
			mas_store(&mas, entry_in(id));
		if (ret || mas_is_err(&mas)) {
			ret = ret ? ret : xa_err(mas.node);
			break;
		}
		/*
		 * A store into a tree whose one entry is [0, 0] (held in the root, no node)
		 * leaves the state at the start, and the next find would meet the same entry
		 * again and take it for one beyond the copy: go on after it instead.
		 */
		if (mas_is_start(&mas)) {
			if (last == ULONG_MAX)
				break;
			mas_set(&mas, last + 1);
		}
	}
	report[2] = (double)new->account.allocations;
	mb_charge_to(NULL);
	return ret;
#else
	(void)old; (void)new; (void)triples; (void)n; (void)fail_at; (void)report;
	return -EOPNOTSUPP;
#endif
}

/* Which fork paths this tree offers: 1 = bulk (6.1 to 6.17), 2 = __mt_dup (6.8 on). */
int mb_dup_paths(void)
{
	int paths = 0;
#ifdef MB_HAVE_EXPECTED_ENTRIES
	paths |= 1;
#endif
#ifdef MB_HAVE_MT_DUP
	paths |= 2;
#endif
	return paths;
}

/*
 * For the fork benchmark: fork @old @reps times by @path (1 bulk, 2 __mt_dup), each
 * copy keeping every entry, and return the nanoseconds spent in the forks alone (the
 * copies' teardown, which is exit's work, is not timed). -1 when the path is missing
 * or a fork fails. Timing here, not across FFI, keeps the crossing out of the figure.
 */
double mb_fork_nanoseconds(struct mb_tree *old, int path, int reps)
{
	MA_STATE(mas, &old->mt, 0, 0);
	double report[3], total = 0;
	double *triples;
	void *entry;
	int n = 0, cap = 64;

	triples = malloc(sizeof(double) * 3 * cap);
	mas_for_each(&mas, entry, ULONG_MAX) {
		if (n == cap) {
			cap *= 2;
			triples = realloc(triples, sizeof(double) * 3 * cap);
		}
		triples[3 * n] = key_out(mas.index);
		triples[3 * n + 1] = key_out(mas.last);
		triples[3 * n + 2] = entry_out(entry);
		n++;
	}
	for (int r = 0; r < reps && total >= 0; r++) {
		struct mb_tree *copy = mb_tree_new(old->flags & MT_FLAGS_ALLOC_RANGE, -1);
		struct timespec start, end;
		int ret;

		clock_gettime(CLOCK_MONOTONIC, &start);
		ret = path == 2 ? mb_dup_copy(old, copy, triples, n, 0, report)
				: mb_dup_bulk(old, copy, triples, n, 0, report);
		clock_gettime(CLOCK_MONOTONIC, &end);
		total = ret ? -1 : total + (end.tv_sec - start.tv_sec) * 1e9 +
				    (end.tv_nsec - start.tv_nsec);
		mb_tree_free(copy);
	}
	free(triples);
	return total;
}

/* ---- cursors (the advanced API) ---- */

struct mb_cursor *mb_cursor_new(struct mb_tree *t, double first, double last)
{
	struct mb_cursor *c = calloc(1, sizeof(*c));
	MA_STATE(start, &t->mt, key_first(first), key_last(last));

	if (!c)
		return NULL;
	c->mas = start;
	c->tree = t;
	t->refs++;
	return c;
}

void mb_cursor_set(struct mb_cursor *c, double first, double last)
{
	mas_set_range(&c->mas, key_first(first), key_last(last));
}

/* The cursor's range and the entry just answered, into out. */
static int cursor_answer(struct mb_cursor *c, void *entry, double *out)
{
	put_range(out, c->mas.index, c->mas.last, entry);
	return entry != NULL;
}

enum mb_cursor_op { MB_WALK, MB_FIND, MB_FIND_REV, MB_NEXT, MB_PREV, MB_ERASE };

/* 1 when an entry was found, 0 when not, -ENOMEM when an erase ran out of nodes. */
int mb_cursor_op(struct mb_cursor *c, int op, double limit, double *out)
{
	void *entry = NULL;
	int failed = 0;

	mb_charge_to(&c->tree->account);
	switch (op) {
	case MB_WALK:
		/* A walk starts from the root: the state may be paused or past its limits. */
		mas_reset(&c->mas);
		entry = mas_walk(&c->mas);
		break;
	case MB_FIND: entry = mas_find(&c->mas, key_last(limit)); break;
	case MB_FIND_REV: entry = mas_find_rev(&c->mas, key_first(limit)); break;
	case MB_NEXT: entry = mas_next(&c->mas, key_last(limit)); break;
	case MB_PREV: entry = mas_prev(&c->mas, key_first(limit)); break;
	case MB_ERASE:
		mas_reset(&c->mas);
		entry = mas_walk(&c->mas);
		failed = entry && write_retrying(c->tree, &c->mas, NULL, 0) != 0;
		break;
	}
	mb_charge_to(NULL);
	return failed ? -ENOMEM : cursor_answer(c, entry, out);
}

/*
 * Store @id over the cursor's range: a preallocated cursor stores without
 * allocating (mas_store_prealloc), any other retries with GFP_KERNEL. out[0] gets
 * the id that covered the range's start before, out[1..2] the state's range after.
 */
static int cursor_store(struct mb_cursor *c, double id)
{
	int ret;

#ifdef MA_STATE_BULK
	/*
	 * Bulk mode draws on the expected-entries pool, which a destroy would end. Checked
	 * first: mas_expected_entries sets MA_STATE_PREALLOC as well as MA_STATE_BULK.
	 */
	if (c->mas.mas_flags & MA_STATE_BULK) {
		mb_charge_to(&c->tree->account);
		mas_store(&c->mas, entry_in(id));
		ret = mas_is_err(&c->mas) ? xa_err(c->mas.node) : 0;
		mb_charge_to(NULL);
		return ret;
	}
#endif
	if (c->mas.mas_flags & MA_STATE_PREALLOC) {
		mb_charge_to(&c->tree->account);
		mas_store_prealloc(&c->mas, entry_in(id));
		mb_charge_to(NULL);
		return 0;
	}
	/*
	 * Walk from the root: the state may still point at a node an earlier write of this
	 * cursor replaced (6.1's store set-up reuses mas->node), as every mtree_* call does.
	 */
	mas_reset(&c->mas);
	return write_retrying(c->tree, &c->mas, entry_in(id), 0);
}

int mb_cursor_store(struct mb_cursor *c, double id, double *out)
{
	unsigned long start = c->store_pending ? c->store_index : c->mas.index;
	MA_STATE(probe, &c->tree->mt, start, start);
	int ret;

	c->store_pending = 0;
	out[0] = entry_out(mas_walk(&probe));
	ret = cursor_store(c, id);
	/* The range the write left the state on (widened over merged empty neighbours). */
	out[1] = key_out(c->mas.index);
	out[2] = key_out(c->mas.last);
	return ret;
}

int mb_cursor_preallocate(struct mb_cursor *c, double id)
{
	int ret;

	mb_charge_to(&c->tree->account);
	mas_reset(&c->mas);
	c->store_index = c->mas.index;
	c->store_pending = 1;
#ifdef MB_PREALLOCATE_TAKES_ENTRY
	ret = mas_preallocate(&c->mas, entry_in(id), GFP_KERNEL);
#else
	(void)id;
	ret = mas_preallocate(&c->mas, GFP_KERNEL);
#endif
	mb_charge_to(NULL);
	return ret;
}

int mb_cursor_expected(struct mb_cursor *c, double count)
{
#ifdef MB_HAVE_EXPECTED_ENTRIES
	int ret;

	mb_charge_to(&c->tree->account);
	ret = mas_expected_entries(&c->mas, (unsigned long)count);
	mb_charge_to(NULL);
	return ret;
#else
	(void)c; (void)count;
	return -EOPNOTSUPP;
#endif
}

void mb_cursor_destroy(struct mb_cursor *c)
{
	mb_charge_to(&c->tree->account);
	mas_destroy(&c->mas);
	mb_charge_to(NULL);
}

void mb_cursor_pause(struct mb_cursor *c)
{
	mas_pause(&c->mas);
}

double mb_cursor_pooled(struct mb_cursor *c)
{
	return (double)mb_pooled(&c->mas);
}

/*
 * Free the cursor's pool. Its tree may be gone already (both were collected
 * together), so only the pool is released: no end-of-bulk fix-up walks the tree.
 */
void mb_cursor_free(struct mb_cursor *c)
{
#ifdef MA_STATE_REBALANCE
	c->mas.mas_flags &= ~MA_STATE_REBALANCE;
#endif
	mb_cursor_destroy(c);
	tree_put(c->tree);
	free(c);
}

/* An empty call: what one FFI crossing costs, for the benchmarks. */
int mb_nop(void)
{
	return 0;
}
