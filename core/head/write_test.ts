/**
 * Unit tests: one per write case of facts §5.1, each checked by the case counter, the
 * resulting entries and `validate()`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { MAX_INDEX } from "../contract.ts";
import type { WriteCase } from "./core.ts";
import { MapleTreeImpl } from "./tree.ts";

/** A tree of `n` ranges [10i, 10i + 5] holding i + 1. */
function ranges(n: number, allocRange = true): MapleTreeImpl<number> {
  const tree = new MapleTreeImpl<number>({ allocRange });
  for (let i = 0; i < n; i++) tree.store(10 * i, 10 * i + 5, i + 1);
  return tree;
}

/** Run `fn` and return the write cases it counted. */
function casesOf(tree: MapleTreeImpl<number>, fn: () => void): Partial<Record<WriteCase, number>> {
  const before = new Map(tree.core.cases);
  fn();
  const out: Partial<Record<WriteCase, number>> = {};
  for (const [k, v] of tree.core.cases) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0) out[k] = d;
  }
  tree.validate();
  assert.equal(tree.allocatorStats().live, tree.nodeCounts().total, "node accounting");
  return out;
}

Deno.test("write: root store keeps a lone [0, 0] entry without a node", () => {
  const tree = new MapleTreeImpl<string>();
  tree.store(0, 0, "zero");
  assert.equal(tree.height(), 0);
  assert.equal(tree.nodeCounts().total, 0);
  assert.equal(tree.load(0), "zero");
  assert.deepEqual(tree.walk(5), { first: 1, last: MAX_INDEX, value: undefined });
  tree.validate();
  tree.store(5, 9, "five");
  assert.equal(tree.height(), 1);
  tree.erase(5);
  // The kernel keeps the leaf (kernel 6.1 through the FFI shim: 1 leaf, height 1).
  assert.equal(tree.height(), 1, "the leaf stays");
  assert.equal(tree.allocatorStats().live, 1);
  assert.equal(tree.load(0), "zero");
});

Deno.test("write: root expand makes one leaf", () => {
  const tree = ranges(0);
  assert.deepEqual(casesOf(tree, () => tree.store(100, 199, 1)), { "root-expand": 1 });
  assert.equal(tree.height(), 1);
  assert.deepEqual(tree.walk(50), { first: 0, last: 99, value: undefined });
});

Deno.test("write: exact slot store overwrites one slot in place", () => {
  const tree = ranges(40);
  const allocations = tree.allocatorStats().allocations;
  assert.deepEqual(casesOf(tree, () => tree.store(100, 105, 99)), { "exact-slot": 1 });
  assert.equal(tree.load(103), 99);
  assert.equal(tree.allocatorStats().allocations, allocations, "no node allocated");
});

Deno.test("write: append adds a slot at the end of the last leaf", () => {
  const tree = ranges(3);
  assert.deepEqual(casesOf(tree, () => tree.store(1000, 1005, 7)), { "node-store": 1 });
  // Head of the last range: index at the start of the trailing empty range.
  assert.deepEqual(casesOf(tree, () => tree.store(1006, 1009, 8)), { append: 1 });
  assert.deepEqual(tree.walk(1010), { first: 1010, last: MAX_INDEX, value: undefined });
});

Deno.test("write: slot store moves one pivot", () => {
  const tree = ranges(40);
  // Overwrite all of [100,105] and the head of the gap [106,109].
  assert.deepEqual(casesOf(tree, () => tree.store(100, 107, 5)), { "slot-store": 1 });
  assert.deepEqual(tree.walk(108), { first: 108, last: 109, value: undefined });
});

Deno.test("write: node store rewrites a leaf in place", () => {
  const tree = ranges(5);
  assert.deepEqual(casesOf(tree, () => tree.store(22, 23, 9)), { "node-store": 1 });
  assert.deepEqual(tree.walk(21), { first: 20, last: 21, value: 3 });
  assert.deepEqual(tree.walk(24), { first: 24, last: 25, value: 3 });
});

Deno.test("write: a full leaf splits, pushes left when the left sibling has room", () => {
  const tree = ranges(8);
  assert.deepEqual(casesOf(tree, () => tree.store(80, 85, 9)), { split: 1 });
  assert.equal(tree.height(), 2);
  let sawPush = false;
  for (let i = 9; i < 40; i++) {
    const c = casesOf(tree, () => tree.store(10 * i, 10 * i + 5, i + 1));
    if (c["push-left"]) sawPush = true;
  }
  assert.ok(sawPush, "in-order stores push into the left sibling");
});

Deno.test("write: a split can push right into a sibling with room", () => {
  const tree = ranges(60);
  let sawPush = false;
  // Fill the first leaf with small pieces until it must split or push.
  for (let i = 0; i < 40 && !sawPush; i++) {
    const c = casesOf(tree, () => tree.store(i * 2 + 1, i * 2 + 1, 100 + i));
    if (c["push-right"]) sawPush = true;
  }
  assert.ok(sawPush);
});

Deno.test("write: erasing from a minimal leaf rebalances with a neighbour", () => {
  const tree = ranges(200);
  let saw = false;
  for (let i = 0; i < 200 && !saw; i++) {
    const c = casesOf(tree, () => tree.erase(10 * i));
    if (c.rebalance) saw = true;
  }
  assert.ok(saw);
});

Deno.test("write: spanning store over many leaves, and shrinking back to nothing", () => {
  const tree = ranges(500);
  assert.equal(tree.height(), 3);
  assert.deepEqual(casesOf(tree, () => tree.store(1003, 3997, 42)), { spanning: 1 });
  assert.deepEqual(tree.walk(2000), { first: 1003, last: 3997, value: 42 });
  casesOf(tree, () => tree.store(55, 4900, undefined));
  assert.deepEqual(tree.walk(100), { first: 55, last: 4900, value: undefined });
  assert.deepEqual(tree.walk(54), { first: 50, last: 54, value: 6 });
  casesOf(tree, () => tree.store(0, MAX_INDEX, undefined));
  assert.equal(tree.height(), 0);
  assert.equal(tree.allocatorStats().live, 0);
});

Deno.test("write: storing over the whole range makes a one-slot leaf", () => {
  const tree = ranges(300);
  tree.store(0, MAX_INDEX, 1);
  tree.validate();
  assert.equal(tree.height(), 1);
  assert.equal(tree.count(), 1);
  assert.equal(tree.allocatorStats().live, 1);
});

Deno.test("write: empty writes merge with empty neighbours (no two empty ranges in a row)", () => {
  const tree = ranges(50);
  tree.store(106, 109, 1); // fill the gap after [100,105]
  tree.store(100, 105, undefined);
  assert.deepEqual(tree.walk(100), { first: 96, last: 105, value: undefined });
  tree.store(106, 109, undefined);
  assert.deepEqual(tree.walk(100), { first: 96, last: 109, value: undefined });
  tree.validate();
});
