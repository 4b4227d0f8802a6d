/**
 * Head's tree shape equals the kernel's after writes (issue 15): node count by kind and
 * height, and where the counts alone cannot tell, the leaves' bounds.
 *
 * Every expected figure came from kernel 6.1's own lib/maple_tree.c run through the FFI shim
 * (core/kernel), on the same writes; the kernel's bulk loads through its bulk-path dup
 * (`mas_expected_entries`, in-order `mas_store`, `mas_destroy`). Each case failed on head
 * before the write case it names was made to follow the kernel.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { MapleTree } from "../contract.ts";
import { MapleTreeImpl } from "./tree.ts";

type Shape = [leaves: number, internal: number, height: number];

/** Leaves, internal nodes (range or arange, as the tree kind has) and height. */
function shapeOf(tree: MapleTree<number>): Shape {
  const c = tree.nodeCounts();
  return [c.leaves, c.ranges + c.aranges, tree.height()];
}

/** `n` ranges [10i, 10i + 9 - gap] stored in order, values from 1. */
function inOrder(allocRange: boolean, n: number, gap: number): MapleTreeImpl<number> {
  const tree = new MapleTreeImpl<number>({ allocRange });
  for (let i = 0; i < n; i++) tree.store(10 * i, 10 * i + 9 - gap, i + 1);
  return tree;
}

/** Check the shape, the node accounting and every invariant. */
function expectShape(tree: MapleTreeImpl<number>, want: Shape, what: string): void {
  assert.deepEqual(shapeOf(tree), want, what);
  assert.equal(tree.allocatorStats().live, tree.nodeCounts().total, `${what}: node accounting`);
  tree.validate();
}

/** Bounds of the first `k` leaves, as `min-max`. */
function leafBounds(tree: MapleTree<number>, k: number): string[] {
  return tree.dump().split("\n").filter((line) => line.includes("leaf_64")).slice(0, k)
    .map((line) => line.trim().split(":")[0]);
}

Deno.test("shape: the issue's 16 stores end as 2 leaves under 1 arange node, height 2", () => {
  // Allocation tree; value 0 stores empty. The last store leaves the right-most leaf with
  // 5 entries: the kernel rebalances it with its left sibling (head kept 3 leaves).
  const stores = [
    [4194304, 4423679, 1],
    [4476928, 4481023, 2],
    [21983232, 22159359, 7],
    [22183936, 22196223, 8],
    [22249472, 28278783, 9],
    [48963584, 48971775, 19],
    [49020928, 56385535, 20],
    [22577152, 22941695, 0],
    [4521984, 21962751, 3],
    [28418048, 28422143, 28],
    [28499968, 34877439, 12],
    [50110464, 55357439, 0],
    [28450816, 28475391, 11],
    [32419840, 34689023, 29],
    [22175744, 22179839, 39],
    [28499968, 68513791, 12],
  ];
  const tree = new MapleTreeImpl<number>({ allocRange: true });
  for (const [first, last, value] of stores) {
    tree.store(first, last, value === 0 ? undefined : value);
  }
  assert.deepEqual(tree.nodeCounts(), { leaves: 2, ranges: 0, aranges: 1, total: 3 });
  assert.equal(tree.height(), 2);
  tree.validate();
});

Deno.test("shape: an under-filled right-most leaf rebalances (node store refused)", () => {
  for (const allocRange of [true, false]) {
    const tree = inOrder(allocRange, 20, 4);
    tree.store(126, 175, 7777);
    expectShape(tree, [2, 1, 2], `allocRange ${allocRange}`);
  }
});

Deno.test("shape: a spanning store ending a leaf takes in the next leaf", () => {
  // 365 ends the second leaf: the kernel's right side walks to 366, in the third leaf, and
  // the three leaves' data make two.
  for (const allocRange of [true, false]) {
    const tree = inOrder(allocRange, 40, 4);
    tree.store(110, 365, 7777);
    expectShape(tree, [2, 1, 2], `allocRange ${allocRange}`);
  }
});

Deno.test("shape: a spanning store ending where its spanning node ends stays in that node", () => {
  // In the allocation tree (height 3) 475 ends the root's first child, where the store is
  // found to span: the kernel's walk to 476 stays in that child, at the leaf holding 475.
  // The plain tree (height 2) has no such node and takes in the next leaf.
  const tree = inOrder(true, 100, 4);
  tree.store(76, 475, 7777);
  expectShape(tree, [8, 1, 2], "allocation tree");
  const plain = inOrder(false, 100, 4);
  plain.store(76, 475, 7777);
  expectShape(plain, [9, 1, 2], "plain tree");
});

Deno.test("shape: an under-filled level takes in its left neighbour when it has no right one", () => {
  // Erasing 76..205 leaves the right-most leaf short; it merges with its left sibling and
  // the tree shrinks to one leaf.
  for (const allocRange of [true, false]) {
    const tree = inOrder(allocRange, 20, 4);
    tree.store(76, 205, undefined);
    expectShape(tree, [1, 0, 1], `allocRange ${allocRange}`);
  }
});

Deno.test("shape: a three-way split cuts at a third and two thirds", () => {
  // Two full leaves (16 slots each) and a store over their boundary: 33 entries, cut in
  // three. Only the bounds show the cuts; the counts match either way.
  for (const allocRange of [true, false]) {
    const tree = inOrder(allocRange, 100, 0);
    tree.store(270, 274, 5555);
    tree.store(310, 314, 6666);
    tree.store(297, 301, 7777);
    expectShape(tree, [8, 1, 2], `allocRange ${allocRange}`);
    assert.deepEqual(leafBounds(tree, 4), ["0-149", "150-259", "260-329", "330-449"]);
  }
});

/** The fuzzer's bulk layout: `n` entries `stride` apart, some adjacent, from an LCG. */
function bulkLoad(allocRange: boolean, n: number, stride: number, v0: number) {
  const tree = new MapleTreeImpl<number>({ allocRange });
  const cursor = tree.cursor();
  cursor.expectedEntries(n);
  let x = v0 >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const first = 4096 + i * stride;
    const len = x % 5 === 0 ? stride : 1 + ((x >>> 8) % Math.max(1, stride - 1));
    cursor.setRange(first, first + len - 1).store(v0 + i + 1);
  }
  cursor.destroy();
  return tree;
}

/** Ops of the fuzzer: 0 store, 2 erase, 3 preallocated store (value 0 stores empty). */
function replay(tree: MapleTreeImpl<number>, ops: number[][]): void {
  for (const [op, first, last, value] of ops) {
    const v = value === 0 ? undefined : value;
    if (op === 2) {
      tree.erase(first);
    } else if (op === 3) {
      const cursor = tree.cursor(first, last);
      cursor.preallocate(v);
      cursor.store(v);
    } else {
      tree.store(first, last, v);
    }
  }
}

Deno.test("shape: an under-filled right-most ancestor takes in a neighbour (after a bulk load)", () => {
  // Bulk splits leave the right-most node of each level with the minimum; the kernel's
  // balance loop rebuilds every ancestor and rebalances such a node when a write passes
  // through it (head stopped at the first level that fitted).
  const tree = bulkLoad(true, 7126, 44, 123374);
  replay(tree, [
    [3, 175371, 175382, 130514],
    [0, 183445, 183458, 0],
    [3, 192230, 192245, 130545],
    [3, 173829, 173836, 130549],
    [3, 208213, 208215, 130552],
    [0, 268657, 270635, 0],
    [3, 191266, 191311, 130582],
    [0, 207399, 207406, 130590],
  ]);
  expectShape(tree, [848, 112, 5], "before the last store");
  tree.store(182429, 182432, undefined);
  expectShape(tree, [849, 114, 5], "allocation tree");

  const plain = bulkLoad(false, 15358, 339968, 215943);
  replay(plain, [
    [0, 4551944126, 4552078525, 231344],
    [0, 4704866304, 4704968703, 231375],
    [0, 3977793536, 3977809919, 231378],
    [3, 3953258496, 3953360895, 231438],
    [0, 4388433920, 4388519935, 231452],
    [0, 3753713664, 3753869311, 231468],
    [0, 4520714240, 4520824831, 231501],
    [0, 4715466752, 4715642879, 231509],
    [0, 3363225600, 3363278847, 231512],
    [3, 5164457984, 5168197631, 231524],
    [3, 4402814976, 4402847743, 231533],
    [0, 3768098816, 3768176639, 231546],
    [0, 3368935424, 3369144319, 231552],
  ]);
  expectShape(plain, [1835, 138, 4], "plain tree");
});
