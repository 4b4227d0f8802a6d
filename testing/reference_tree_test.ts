import assert from "node:assert/strict";
import { MAX_INDEX } from "../core/contract.ts";
import { createReferenceTree } from "./reference_tree.ts";

Deno.test("reference: store splits and overwrites ranges", () => {
  const tree = createReferenceTree<string>();
  tree.store(10, 29, "a");
  tree.store(15, 19, "b");
  assert.deepEqual([...tree.entries()].map((e) => [e.first, e.last, e.value]), [
    [10, 14, "a"],
    [15, 19, "b"],
    [20, 29, "a"],
  ]);
  tree.store(12, 25, undefined);
  assert.deepEqual([...tree.entries()].map((e) => [e.first, e.last]), [[10, 11], [26, 29]]);
  tree.validate();
});

Deno.test("reference: walk reports empty ranges", () => {
  const tree = createReferenceTree<number>();
  assert.deepEqual(tree.walk(5), { first: 0, last: MAX_INDEX, value: undefined });
  tree.store(10, 19, 1);
  assert.deepEqual(tree.walk(25), { first: 20, last: MAX_INDEX, value: undefined });
  assert.deepEqual(tree.walk(3), { first: 0, last: 9, value: undefined });
});

Deno.test("reference: insert refuses taken indices", () => {
  const tree = createReferenceTree<number>();
  assert.equal(tree.insert(5, 9, 1), true);
  assert.equal(tree.insert(9, 12, 2), false);
  assert.equal(tree.insert(10, 12, 2), true);
});

Deno.test("reference: empty area examples from the facts", () => {
  const tree = createReferenceTree<number>();
  for (let i = 1; i <= 20; i++) if (i !== 16) tree.store(10 * i, 10 * i + 9, i);
  assert.equal(tree.emptyAreaRev(5, 90, 10), undefined);
  assert.deepEqual(tree.emptyAreaRev(5, 90, 5), { first: 5, last: 9 });
  assert.deepEqual(tree.emptyAreaRev(5, 217, 9), { first: 161, last: 169 });
  assert.deepEqual(tree.emptyAreaRev(100, 218, 3), { first: 216, last: 218 });
  assert.equal(tree.emptyAreaRev(100, 218, 16), undefined);
  assert.equal(tree.emptyAreaRev(167, 200, 4), undefined);
  assert.deepEqual(tree.emptyArea(0, 100, 9), { first: 0, last: 8 });
  assert.equal(tree.emptyArea(5, 100, 6), undefined);
  assert.equal(tree.emptyArea(100, 163, 6), undefined);
});

Deno.test("reference: keys are checked", () => {
  const tree = createReferenceTree<number>();
  assert.throws(() => tree.store(-1, 3, 1), /first/);
  assert.throws(() => tree.store(4, 3, 1), /first \(4\) must not exceed last/);
  assert.throws(() => tree.load(1.5), /index/);
});

Deno.test("reference: cursor find, next and prev", () => {
  const tree = createReferenceTree<number>();
  tree.store(10, 19, 1);
  tree.store(30, 39, 2);
  tree.store(50, 59, 3);
  const cur = tree.cursor(0);
  assert.equal(cur.find(100), 1);
  assert.equal(cur.find(100), 2);
  cur.pause();
  assert.equal(cur.find(100), 3);
  assert.equal(cur.find(100), undefined);
  cur.set(35);
  assert.equal(cur.next(100), 3);
  assert.equal(cur.prev(0), 2);
  assert.equal(cur.prev(0), 1);
  assert.equal(cur.prev(0), undefined);
});
