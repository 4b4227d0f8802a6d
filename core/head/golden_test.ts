/**
 * The kernel's own node counts (facts §1.7, §6.2 and §6.4) as tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import { bulkEstimate } from "./bulk.ts";
import { MapleTreeImpl } from "./tree.ts";

/** Ranges [10i, 10i + 9 - gap] for i = 0..n, as `check_dup_gaps` builds them. */
function gapped(n: number, allocRange: boolean, gap: number): MapleTreeImpl<number> {
  const tree = new MapleTreeImpl<number>({ allocRange });
  for (let i = 0; i <= n; i++) tree.store(10 * i, 10 * i + 9 - gap, i + 1);
  return tree;
}

Deno.test("golden: in-order copy of 1,001 gapped ranges: height 4, 143 nodes (126 leaves)", () => {
  const tree = gapped(1000, true, 4);
  tree.validate();
  assert.equal(tree.height(), 4);
  assert.deepEqual(tree.nodeCounts(), { leaves: 126, ranges: 0, aranges: 17, total: 143 });
  assert.equal(tree.allocatorStats().live, 143);
});

Deno.test("golden: insert 0..1000 one by one: 73 nodes (plain), 76 (allocation), height 3", () => {
  for (const [allocRange, total] of [[false, 73], [true, 76]] as const) {
    const tree = new MapleTreeImpl<number>({ allocRange });
    for (let i = 0; i <= 1000; i++) tree.store(i, i, i + 1);
    tree.validate();
    assert.equal(tree.height(), 3);
    assert.equal(tree.nodeCounts().total, total);
  }
  const plain = new MapleTreeImpl<number>();
  for (let i = 0; i <= 1000; i++) plain.store(i, i, i + 1);
  assert.equal(plain.nodeCounts().leaves, 67);
});

Deno.test("golden: expectedEntries(1000) requests 164 nodes", () => {
  assert.equal(bulkEstimate(1000, true), 164);
  const tree = new MapleTreeImpl<number>({ allocRange: true });
  const cursor = tree.cursor();
  cursor.expectedEntries(1000);
  assert.equal(cursor.pooled, 164);
  assert.equal(tree.allocatorStats().live, 164);
  cursor.destroy();
  assert.equal(tree.allocatorStats().live, 0);
});

// facts §6.4: n, tree kind, gap -> request, final nodes, height, leftover.
const TABLE: [number, boolean, number, number, number, number, number][] = [
  [1, true, 4, 5, 1, 1, 4],
  [10, true, 4, 6, 3, 2, 3],
  [134, true, 4, 26, 20, 3, 6],
  [134, true, 0, 26, 10, 2, 16],
  [134, false, 4, 25, 20, 3, 5],
  [1000, true, 4, 164, 143, 4, 21],
  [2000, true, 4, 325, 283, 4, 42],
  [10000, true, 4, 1611, 1409, 5, 202],
];

Deno.test("golden: bulk copies match the §6.4 table (request, final nodes, height, leftover)", () => {
  for (const [n, allocRange, gap, request, nodes, height, leftover] of TABLE) {
    const source = gapped(n, allocRange, gap);
    const copy = new MapleTreeImpl<number>({ allocRange });
    const cursor = copy.cursor();
    // check_dup_gaps announces n entries and stores n + 1 (the estimate tolerates one more).
    cursor.expectedEntries(n);
    assert.equal(cursor.pooled, request, `request for n=${n}`);
    for (const e of source.entries()) cursor.setRange(e.first, e.last).store(e.value);
    assert.equal(cursor.pooled, leftover, `leftover for n=${n} gap=${gap}`);
    cursor.destroy();
    copy.validate();
    assert.equal(copy.nodeCounts().total, nodes, `nodes for n=${n} gap=${gap}`);
    assert.equal(copy.height(), height, `height for n=${n}`);
    assert.equal(copy.allocatorStats().live, nodes);
  }
});

Deno.test("golden: preallocating a spanning store reserves 1 + 3h nodes (check_prealloc)", () => {
  for (let h = 2; h <= 4; h++) {
    const tree = new MapleTreeImpl<number>({ allocRange: true });
    for (let n = 0; tree.height() < h; n++) tree.store(10 * n, 10 * n + 5, n + 1);
    // An empty store over [0, 200] leaves the first leaf (16 slots cover 80 indices).
    const cursor = tree.cursor(0, 200);
    cursor.preallocate(undefined);
    assert.equal(cursor.pooled, 1 + 3 * h, `height ${h}`);
    cursor.store(undefined);
    assert.equal(cursor.pooled, 0);
    tree.validate();
    assert.equal(tree.allocatorStats().live, tree.nodeCounts().total);
  }
});
