/**
 * Unit tests of the normal API, the cursor API and every argument error.
 *
 * @module
 */

import assert from "node:assert/strict";
import { MAX_INDEX } from "../contract.ts";
import { MapleTreeImpl } from "./tree.ts";

Deno.test("api: bad keys are RangeErrors naming the argument", () => {
  const tree = new MapleTreeImpl<number>();
  const cases: [() => unknown, RegExp][] = [
    [() => tree.store(-1, 5, 1), /^first must be/],
    [() => tree.store(1.5, 5, 1), /^first must be/],
    [() => tree.store(0, NaN, 1), /^last must be/],
    [() => tree.store(0, MAX_INDEX + 1, 1), /^last must be/],
    [() => tree.store(9, 5, 1), /first \(9\) must not exceed last \(5\)/],
    [() => tree.insert(9, 5, 1), /first \(9\)/],
    [() => tree.load(-1), /^index must be/],
    [() => tree.erase(2 ** 60), /^index must be/],
    [() => tree.find(0, -3), /^max must be/],
    [() => tree.prev(5, 0.5), /^min must be/],
    [() => tree.emptyArea(5, 5, 1), /min \(5\) must be below max \(5\)/],
    [() => tree.emptyAreaRev(0, 10, 0), /^size must be/],
    [() => [...tree.entries(3, 2)], /first \(3\)/],
    [() => tree.cursor(4, 1), /first \(4\)/],
    [() => tree.cursor().expectedEntries(-1), /^count must be/],
    [() => tree.setNodeBudget(-2), /^budget must be/],
  ];
  for (const [fn, message] of cases) {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof RangeError, String(e));
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("api: load, walk, find, next, prev and entries", () => {
  const tree = new MapleTreeImpl<string>({ allocRange: true });
  tree.store(10, 19, "a");
  tree.store(30, 39, "b");
  tree.store(40, 49, "c");
  assert.equal(tree.load(15), "a");
  assert.equal(tree.load(25), undefined);
  assert.deepEqual(tree.walk(25), { first: 20, last: 29, value: undefined });
  assert.deepEqual(tree.find(20), { first: 30, last: 39, value: "b" });
  assert.equal(tree.find(20, 29), undefined);
  assert.deepEqual(tree.next(35), { first: 40, last: 49, value: "c" });
  assert.deepEqual(tree.prev(35), { first: 10, last: 19, value: "a" });
  assert.equal(tree.prev(35, 20), undefined);
  assert.deepEqual([...tree.entries(15, 35)].map((e) => e.value), ["a", "b"]);
  assert.equal(tree.count(), 3);
});

Deno.test("api: insert fails when any index is taken; erase removes the whole range", () => {
  const tree = new MapleTreeImpl<number>();
  assert.equal(tree.insert(10, 19, 1), true);
  assert.equal(tree.insert(19, 25, 2), false);
  assert.equal(tree.insert(20, 25, 2), true);
  assert.equal(tree.erase(12), 1);
  assert.equal(tree.load(10), undefined);
  assert.equal(tree.erase(12), undefined);
  assert.equal(tree.load(22), 2);
});

Deno.test("api: null is a value, undefined means empty", () => {
  const tree = new MapleTreeImpl<null>();
  tree.store(5, 6, null);
  assert.equal(tree.load(5), null);
  assert.deepEqual(tree.find(0), { first: 5, last: 6, value: null });
  tree.store(5, 6, undefined);
  assert.equal(tree.count(), 0);
});

Deno.test("api: entries survive stores made while iterating", () => {
  const tree = new MapleTreeImpl<number>();
  for (let i = 0; i < 100; i++) tree.store(i * 10, i * 10 + 3, i);
  const seen: number[] = [];
  for (const e of tree.entries()) {
    seen.push(e.value);
    if (e.value % 10 === 0) tree.store(e.first, e.last, e.value + 1000); // overwrite current
  }
  assert.equal(seen.length, 100);
});

Deno.test("api: clear frees every node", () => {
  const tree = new MapleTreeImpl<number>({ allocRange: true });
  for (let i = 0; i < 500; i++) tree.store(i * 10, i * 10 + 3, i);
  assert.ok(tree.allocatorStats().live > 30);
  tree.clear();
  const stats = tree.allocatorStats();
  assert.equal(stats.live, 0);
  assert.equal(stats.frees, stats.allocations);
  assert.equal(tree.height(), 0);
  tree.validate();
});

Deno.test("cursor: walk, find, findRev, next, prev, pause", () => {
  const tree = new MapleTreeImpl<string>();
  tree.store(10, 19, "a");
  tree.store(30, 39, "b");
  tree.store(50, 59, "c");
  const c = tree.cursor(25);
  assert.equal(c.walk(), undefined);
  assert.deepEqual([c.index, c.last], [20, 29]);
  c.set(0);
  assert.equal(c.find(100), "a");
  assert.equal(c.find(100), "b");
  c.pause();
  assert.equal(c.find(100), "c");
  assert.equal(c.find(100), undefined);
  assert.deepEqual([c.index, c.last], [100, 100]);
  c.set(45);
  assert.equal(c.findRev(0), "b");
  assert.equal(c.findRev(0), "a");
  assert.equal(c.findRev(0), undefined);
  c.set(35);
  assert.equal(c.next(MAX_INDEX), "c");
  assert.equal(c.prev(0), "b");
  assert.equal(c.prev(0), "a");
  assert.equal(c.prev(15), undefined);
});

Deno.test("cursor: store and erase through the cursor", () => {
  const tree = new MapleTreeImpl<number>({ allocRange: true });
  const c = tree.cursor(100, 199);
  assert.equal(c.store(1), undefined);
  c.setRange(150, 160);
  assert.equal(c.store(2), 1);
  c.set(155);
  assert.equal(c.erase(), 2);
  assert.deepEqual([c.index, c.last], [150, 160]);
  assert.deepEqual(tree.walk(155), { first: 150, last: 160, value: undefined });
  tree.validate();
});

Deno.test("dump names every node and slot", () => {
  const tree = new MapleTreeImpl<number>({ allocRange: true });
  for (let i = 0; i < 40; i++) tree.store(i * 10, i * 10 + 5, i);
  const text = tree.dump();
  assert.match(text, /^maple_tree\(alloc, height 2\)/);
  assert.match(text, /type arange_64 gaps/);
  assert.match(text, /\n {4}390-395: 39\n/);
  assert.equal(new MapleTreeImpl().dump(), "maple_tree(plain, height 0)\n(empty)");
});
