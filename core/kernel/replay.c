// SPDX-License-Identifier: GPL-2.0
/*
 * maple-replay: replays a recorded stream of tree operations through the shim, so
 * that valgrind can count the instructions a kernel tree executes for each kind of
 * operation. Built beside a kernel version's library from the same shim.c (see
 * build.ts), linked statically with it rather than loaded through FFI, so nothing
 * but C runs under valgrind.
 *
 * The stream is text, one operation per line, keys in the suite's domain:
 *   new T ALLOC           make tree T (ALLOC 1: an allocation tree)
 *   store T FIRST LAST ID insert T FIRST LAST ID
 *   erase T INDEX         load T INDEX          walk T INDEX
 *   find T INDEX MAX      next T INDEX MAX      prev T INDEX MIN
 *   area T MIN MAX SIZE   arearev T MIN MAX SIZE
 *   fork T CHILD PATH     (PATH 1: 6.1's bulk sequence, 2: __mt_dup, 0: the tree's own
 *                         fork path, __mt_dup where it exists; every entry kept)
 *   free T                clear T
 *
 * Each kind runs in a function of its own (op_store, op_load, ...), never inlined,
 * so callgrind's inclusive cost of op_X is the tree's work for kind X: the parsing
 * and the loop stay outside every op_ function. The whole stream is parsed before
 * the first operation runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mb_tree;
extern int mb_init(void);
extern struct mb_tree *mb_tree_new(int alloc_range, double budget);
extern void mb_tree_clear(struct mb_tree *t);
extern void mb_tree_free(struct mb_tree *t);
extern int mb_store(struct mb_tree *t, double first, double last, double id);
extern int mb_insert(struct mb_tree *t, double first, double last, double id);
extern double mb_erase(struct mb_tree *t, double index);
extern double mb_load(struct mb_tree *t, double index);
extern void mb_walk(struct mb_tree *t, double index, double *out);
extern int mb_find(struct mb_tree *t, double index, double max, double *out);
extern int mb_next(struct mb_tree *t, double index, double max, double *out);
extern int mb_prev(struct mb_tree *t, double index, double min, double *out);
extern int mb_empty_area(struct mb_tree *t, double min, double max, double size, double *out);
extern int mb_empty_area_rev(struct mb_tree *t, double min, double max, double size,
			     double *out);
extern int mb_entries(struct mb_tree *t, double first, double last, double *out, int cap);
extern double mb_count(struct mb_tree *t);
extern int mb_dup_bulk(struct mb_tree *old, struct mb_tree *new, const double *triples, int n,
		       int undercount, double *report);
extern int mb_dup_copy(struct mb_tree *old, struct mb_tree *new, const double *triples, int n,
		       int fail_at, double *report);
extern int mb_dup_paths(void);

#define MAX_TREES 4096
#define NOINLINE __attribute__((noinline))

enum kind { NEW, STORE, INSERT, ERASE, LOAD, WALK, FIND, NEXT, PREV, AREA, AREAREV, FORK,
	    FREE, CLEAR };

static const char *const names[] = { "new", "store", "insert", "erase", "load", "walk", "find",
				     "next", "prev", "area", "arearev", "fork", "free", "clear" };

struct op {
	enum kind kind;
	int tree;
	double a, b, c;
};

static struct mb_tree *trees[MAX_TREES];
static double out[3];
/* Answers are summed so no operation can be optimised away; printed at the end. */
static double checksum;

static NOINLINE void op_new(int t, double alloc) { trees[t] = mb_tree_new(alloc != 0, -1); }
static NOINLINE void op_store(struct mb_tree *t, double f, double l, double id)
{
	checksum += mb_store(t, f, l, id);
}
static NOINLINE void op_insert(struct mb_tree *t, double f, double l, double id)
{
	checksum += mb_insert(t, f, l, id);
}
static NOINLINE void op_erase(struct mb_tree *t, double i) { checksum += mb_erase(t, i); }
static NOINLINE void op_load(struct mb_tree *t, double i) { checksum += mb_load(t, i); }
static NOINLINE void op_walk(struct mb_tree *t, double i)
{
	mb_walk(t, i, out);
	checksum += out[2];
}
static NOINLINE void op_find(struct mb_tree *t, double i, double m)
{
	checksum += mb_find(t, i, m, out);
}
static NOINLINE void op_next(struct mb_tree *t, double i, double m)
{
	checksum += mb_next(t, i, m, out);
}
static NOINLINE void op_prev(struct mb_tree *t, double i, double m)
{
	checksum += mb_prev(t, i, m, out);
}
static NOINLINE void op_area(struct mb_tree *t, double lo, double hi, double size)
{
	checksum += mb_empty_area(t, lo, hi, size, out);
}
static NOINLINE void op_arearev(struct mb_tree *t, double lo, double hi, double size)
{
	checksum += mb_empty_area_rev(t, lo, hi, size, out);
}

/* The copy keeps every entry: the entries' ids are read first, outside op_fork. */
static NOINLINE int op_fork(struct mb_tree *old, struct mb_tree *new, const double *triples,
			    int n, int path)
{
	double report[3];

	return path == 2 ? mb_dup_copy(old, new, triples, n, 0, report)
			 : mb_dup_bulk(old, new, triples, n, 0, report);
}
static NOINLINE void op_free(int t)
{
	mb_tree_free(trees[t]);
	trees[t] = NULL;
}
static NOINLINE void op_clear(struct mb_tree *t) { mb_tree_clear(t); }

static int fork_tree(int t, int child, int path)
{
	int n = (int)mb_count(trees[t]);
	double *triples = malloc(sizeof(double) * 3 * (n + 1));
	int got = mb_entries(trees[t], 0, 9007199254740991.0, triples, n + 1);
	int ret;

	trees[child] = mb_tree_new(1, -1);
	ret = op_fork(trees[t], trees[child], triples, got, path);
	free(triples);
	return ret;
}

static int parse(FILE *in, struct op **ops, size_t *count)
{
	size_t cap = 1024, n = 0;
	char word[16];
	struct op *list = malloc(sizeof(*list) * cap);

	while (fscanf(in, "%15s", word) == 1) {
		struct op op = { 0 };
		int k;

		for (k = 0; k <= CLEAR && strcmp(names[k], word); k++)
			;
		if (k > CLEAR || fscanf(in, "%d", &op.tree) != 1 || op.tree < 0 ||
		    op.tree >= MAX_TREES) {
			fprintf(stderr, "maple-replay: bad operation at line %zu\n", n + 1);
			return 0;
		}
		op.kind = (enum kind)k;
		if (k == STORE || k == INSERT || k == AREA || k == AREAREV)
			fscanf(in, "%lf %lf %lf", &op.a, &op.b, &op.c);
		else if (k == FIND || k == NEXT || k == PREV || k == FORK)
			fscanf(in, "%lf %lf", &op.a, &op.b);
		else if (k != FREE && k != CLEAR)
			fscanf(in, "%lf", &op.a);
		if (n == cap)
			list = realloc(list, sizeof(*list) * (cap *= 2));
		list[n++] = op;
	}
	*ops = list;
	*count = n;
	return 1;
}

int main(int argc, char **argv)
{
	FILE *in = argc > 1 ? fopen(argv[1], "r") : stdin;
	struct op *ops;
	size_t n;

	if (!in || !parse(in, &ops, &n)) {
		fprintf(stderr, "usage: maple-replay STREAM\n");
		return 2;
	}
	mb_init();
	for (size_t i = 0; i < n; i++) {
		struct op *op = &ops[i];
		struct mb_tree *t = trees[op->tree];

		if (op->kind != NEW && op->kind != FORK && !t) {
			fprintf(stderr, "maple-replay: tree %d used before new\n", op->tree);
			return 2;
		}
		switch (op->kind) {
		case NEW: op_new(op->tree, op->a); break;
		case STORE: op_store(t, op->a, op->b, op->c); break;
		case INSERT: op_insert(t, op->a, op->b, op->c); break;
		case ERASE: op_erase(t, op->a); break;
		case LOAD: op_load(t, op->a); break;
		case WALK: op_walk(t, op->a); break;
		case FIND: op_find(t, op->a, op->b); break;
		case NEXT: op_next(t, op->a, op->b); break;
		case PREV: op_prev(t, op->a, op->b); break;
		case AREA: op_area(t, op->a, op->b, op->c); break;
		case AREAREV: op_arearev(t, op->a, op->b, op->c); break;
		case FORK:
			fork_tree(op->tree, (int)op->a,
				  op->b ? (int)op->b : (mb_dup_paths() & 2) ? 2 : 1);
			break;
		case FREE: op_free(op->tree); break;
		case CLEAR: op_clear(t); break;
		}
	}
	printf("maple-replay: %zu operations, checksum %.0f\n", n, checksum);
	return 0;
}
