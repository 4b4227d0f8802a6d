/**
 * The empty-area searches: the worked examples of facts §2.3 (`check_empty_area_window`)
 * and gap tracking in deep trees.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ReferenceTree } from "../../testing/reference_tree.ts";
import { MapleTreeImpl } from "./tree.ts";

/** [10i, 10i + 9] for i = 1..20, leaving 0..9 free, a hole at 160..169 and 210.. free. */
function windowTree(): MapleTreeImpl<number> {
  const tree = new MapleTreeImpl<number>({ allocRange: true });
  for (let i = 1; i <= 20; i++) tree.store(10 * i, 10 * i + 9, i);
  tree.store(160, 169, undefined);
  tree.validate();
  return tree;
}

Deno.test("gaps: emptyAreaRev worked examples (facts §2.3)", () => {
  const t = windowTree();
  assert.equal(t.emptyAreaRev(5, 90, 10), undefined);
  assert.deepEqual(t.emptyAreaRev(5, 90, 5), { first: 5, last: 9 });
  assert.deepEqual(t.emptyAreaRev(5, 217, 9), { first: 161, last: 169 });
  assert.deepEqual(t.emptyAreaRev(100, 218, 3), { first: 216, last: 218 });
  assert.equal(t.emptyAreaRev(100, 218, 16), undefined);
  assert.equal(t.emptyAreaRev(167, 200, 4), undefined);
  assert.equal(t.emptyAreaRev(100, 162, 4), undefined);
});

Deno.test("gaps: emptyArea worked examples (facts §2.3)", () => {
  const t = windowTree();
  assert.deepEqual(t.emptyArea(0, 100, 9), { first: 0, last: 8 });
  assert.equal(t.emptyArea(5, 100, 6), undefined);
  assert.equal(t.emptyArea(0, 8, 10), undefined);
  assert.equal(t.emptyArea(100, 163, 6), undefined);
  assert.deepEqual(t.emptyArea(100, 300, 10), { first: 160, last: 169 });
});

Deno.test("gaps: searches skip full subtrees in a deep tree and agree with a scan", () => {
  for (const allocRange of [true, false]) {
    const tree = new MapleTreeImpl<number>({ allocRange });
    for (let i = 0; i < 5000; i++) tree.store(i * 10, i * 10 + 9, i + 1);
    tree.store(31_000, 31_049, undefined); // one hole of 50
    tree.store(7_000, 7_019, undefined); // one hole of 20
    tree.validate();
    assert.ok(tree.height() >= 4);
    assert.deepEqual(tree.emptyArea(0, 49_999, 30), { first: 31_000, last: 31_029 });
    assert.deepEqual(tree.emptyArea(0, 49_999, 20), { first: 7_000, last: 7_019 });
    assert.deepEqual(tree.emptyAreaRev(0, 49_999, 20), { first: 31_030, last: 31_049 });
    assert.deepEqual(tree.emptyAreaRev(0, 30_000, 5), { first: 7_015, last: 7_019 });
    assert.deepEqual(tree.emptyArea(40_000, 60_000, 100), { first: 50_000, last: 50_099 });
  }
});

Deno.test("gaps: node-less trees", () => {
  const tree = new MapleTreeImpl<number>({ allocRange: true });
  assert.deepEqual(tree.emptyArea(0, 100, 10), { first: 0, last: 9 });
  tree.store(0, 0, 1);
  assert.deepEqual(tree.emptyArea(0, 100, 10), { first: 1, last: 10 });
  assert.deepEqual(tree.emptyAreaRev(0, 100, 10), { first: 91, last: 100 });
  assert.equal(tree.emptyArea(0, 5, 6), undefined);
});

Deno.test("gaps: searches agree with the reference model in tall VMA-like trees", () => {
  // Tall trees (height 4-5) with holes of every size, so searches walk down many levels,
  // skip subtrees whose gaps are too small and step right (or left) across leaves and
  // parents; both tree kinds, as untracked trees take every child.
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (const allocRange of [true, false]) {
    const tree = new MapleTreeImpl<number>({ allocRange });
    const ref = new ReferenceTree<number>({ allocRange });
    let at = 100;
    for (let i = 0; i < 6000; i++) {
      const r = rnd();
      at += r < 0.35 ? 0 : r < 0.98 ? 1 + Math.floor(rnd() * 40) : 500 + Math.floor(rnd() * 500);
      const len = 1 + Math.floor(rnd() * 16);
      tree.store(at, at + len - 1, i + 1);
      ref.store(at, at + len - 1, i + 1);
      at += len;
    }
    tree.validate();
    assert.ok(tree.height() >= 4);
    for (let q = 0; q < 4000; q++) {
      const min = Math.floor(rnd() * (at + 200));
      const max = min + 1 + Math.floor(rnd() * (rnd() < 0.5 ? 500 : at));
      const size = 1 + Math.floor(rnd() * (rnd() < 0.8 ? 40 : 1200));
      assert.deepEqual(tree.emptyArea(min, max, size), ref.emptyArea(min, max, size));
      assert.deepEqual(tree.emptyAreaRev(min, max, size), ref.emptyAreaRev(min, max, size));
    }
  }
});
