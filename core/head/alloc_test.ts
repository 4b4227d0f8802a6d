/**
 * Node allocation: budgets, promised pools (MA_STATE_PREALLOC), bulk mode and dup, plus the
 * maintainer's thorough node-count test of the bulk estimate.
 *
 * @module
 */

import assert from "node:assert/strict";
import { MapleAllocationError } from "../contract.ts";
import { MapleTreeImpl } from "./tree.ts";
import { dupBulk } from "./dup.ts";

function ranges(n: number, allocRange = true, gap = 4): MapleTreeImpl<number> {
  const tree = new MapleTreeImpl<number>({ allocRange });
  for (let i = 0; i < n; i++) tree.store(10 * i, 10 * i + 9 - gap, i + 1);
  return tree;
}

function snapshot(tree: MapleTreeImpl<number>): string {
  return JSON.stringify([...tree.entries()]) + tree.dump();
}

Deno.test("alloc: an exhausted budget throws before the tree changes", () => {
  const tree = ranges(8); // a full root leaf (16 slots): the next store must split
  assert.equal(tree.height(), 1);
  tree.setNodeBudget(2); // a split at height 1 requests 1 + 2h = 3
  const before = snapshot(tree);
  const stats = tree.allocatorStats();
  assert.throws(() => tree.store(1000, 1005, 99), MapleAllocationError);
  assert.equal(snapshot(tree), before);
  assert.deepEqual(tree.allocatorStats(), stats);
  tree.validate();
  tree.setNodeBudget(3);
  tree.store(1000, 1005, 99);
  tree.validate();
  assert.equal(tree.allocatorStats().budget, 0);
  assert.equal(tree.allocatorStats().live, tree.nodeCounts().total);
});

Deno.test("alloc: in-place writes need no node even with a zero budget", () => {
  const tree = ranges(100);
  tree.setNodeBudget(0);
  tree.store(100, 105, 5); // exact slot
  tree.store(100, 107, 6); // slot store
  tree.erase(100); // node store (the leaf loses two slots)
  assert.deepEqual(tree.walk(100), { first: 96, last: 109, value: undefined });
  tree.validate();
});

Deno.test("alloc: a promised pool that runs dry raises MapleAllocationError, tree intact", () => {
  const tree = ranges(100);
  const cursor = tree.cursor(100, 105);
  cursor.preallocate(7); // an exact slot store: nothing to reserve
  assert.equal(cursor.pooled, 0);
  cursor.setRange(0, 500); // but then a spanning store, which needs nodes
  const before = snapshot(tree);
  assert.throws(() => cursor.store(undefined), /promised node pool ran dry/);
  assert.equal(snapshot(tree), before);
  tree.validate();
  assert.equal(cursor.pooled, 0);
  assert.equal(tree.allocatorStats().live, tree.nodeCounts().total);
});

Deno.test("alloc: a bulk pool is not topped up; running dry throws and changes nothing", () => {
  const tree = new MapleTreeImpl<number>({ allocRange: true });
  const cursor = tree.cursor();
  cursor.expectedEntries(0); // promises 5 nodes, far too few for 100 entries
  assert.equal(cursor.pooled, 5);
  let stored = 0;
  let error: unknown;
  try {
    for (let i = 0; i < 100; i++) {
      cursor.setRange(10 * i, 10 * i + 5).store(i + 1);
      stored++;
    }
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof MapleAllocationError, String(error));
  assert.match(error.message, /promised node pool ran dry/);
  tree.validate();
  assert.equal(tree.count(), stored);
  cursor.destroy();
  assert.equal(tree.allocatorStats().live, tree.nodeCounts().total);
});

Deno.test("alloc: preallocate is case-aware (nothing for in-place cases)", () => {
  const tree = ranges(100);
  const c = tree.cursor(100, 105);
  c.preallocate(5);
  assert.equal(c.pooled, 0, "exact slot store");
  c.store(5);
  c.setRange(0, 500);
  c.preallocate(undefined);
  assert.equal(c.pooled, 1 + 3 * tree.height(), "spanning store");
  c.destroy();
  assert.equal(c.pooled, 0);
  assert.equal(tree.allocatorStats().live, tree.nodeCounts().total);
});

Deno.test("alloc: dup fills dupReport and keeps node accounting", () => {
  const tree = ranges(300);
  const child = tree.dup();
  child.validate();
  assert.deepEqual([...child.entries()], [...tree.entries()]);
  const report = child.dupReport;
  assert.ok(report);
  assert.equal(report.expectedEntries, 300);
  assert.equal(child.allocatorStats().live, child.nodeCounts().total);
  assert.equal(tree.dupReport, undefined);
  const skipped = tree.dup((v) => (v % 2 === 0 ? undefined : v));
  skipped.validate();
  assert.equal(skipped.count(), 150);
});

Deno.test("alloc: thorough node-count test: the bulk estimate always suffices", () => {
  // The test the maintainer added with the fix: many sizes, with and without gaps, both kinds.
  for (const allocRange of [true, false]) {
    for (const gap of [0, 4]) {
      for (let n = 0; n <= 400; n += n < 200 ? 1 : 7) {
        const source = ranges(n, allocRange, gap);
        const copy = new MapleTreeImpl<number>({ allocRange });
        const cursor = copy.cursor();
        cursor.expectedEntries(n);
        const promised = cursor.pooled;
        for (const e of source.entries()) cursor.setRange(e.first, e.last).store(e.value);
        const left = cursor.pooled;
        cursor.destroy();
        copy.validate();
        const nodes = copy.nodeCounts().total;
        assert.equal(promised - left, nodes, `n=${n} gap=${gap}: pool accounts for every node`);
        assert.equal(copy.allocatorStats().live, nodes);
        assert.equal(copy.allocatorStats().allocations, promised, "nothing beyond the promise");
      }
    }
  }
});

Deno.test("alloc: 6.1's bulk dup (still here for comparison) reports its pool use", () => {
  const source = ranges(1001);
  const child = new MapleTreeImpl<number>({ allocRange: true });
  const report = dupBulk(source, child, (v) => v);
  child.validate();
  assert.deepEqual([...child.entries()], [...source.entries()]);
  assert.equal(report.strategy, "bulk");
  assert.equal(report.expectedEntries, 1001);
  assert.equal(report.promised, 165);
  assert.equal(report.extra, 0);
  assert.ok(report.taken >= child.nodeCounts().total);
  assert.deepEqual(child.nodeCounts(), { leaves: 126, ranges: 0, aranges: 17, total: 143 });
  assert.equal(child.allocatorStats().live, 143, "destroy gave back the unused nodes");
});

Deno.test("alloc: structural dup is the source's exact shape and fails cleanly on budget", () => {
  const source = ranges(3000);
  const child = source.dup((v) => v + 1);
  child.validate();
  assert.equal(child.dupReport?.strategy, "structural");
  assert.equal(child.dupReport?.expectedEntries, 3000);
  assert.deepEqual(child.nodeCounts(), source.nodeCounts());
  assert.equal(child.load(10), 3);
  assert.equal(source.load(10), 2, "the source keeps its values");
  child.store(0, 100, 7);
  assert.equal(child.load(50), 7);
  assert.equal(source.load(50), 6, "the copy shares no node with the source");
  source.setNodeBudget(5);
  assert.throws(() => source.dup(), MapleAllocationError);
  source.validate();
});

Deno.test("alloc: the end-of-bulk fix-up leaves in-order loads as the kernel does", () => {
  // Kernel 6.1 (through the FFI shim) fixes up only a last leaf of 4 entries or fewer, which
  // no in-order load leaves: these loads' shapes match its bulk-path dup with no fix-up.
  let repaired = 0;
  for (const gap of [0, 4]) {
    for (let n = 1; n <= 400; n++) {
      const tree = new MapleTreeImpl<number>({ allocRange: gap === 4 });
      const cursor = tree.cursor();
      cursor.expectedEntries(n);
      for (let i = 0; i < n; i++) cursor.setRange(10 * i, 10 * i + 9 - gap).store(i + 1);
      const before = tree.core.version;
      cursor.destroy();
      if (tree.core.version !== before) repaired++;
      tree.validate();
      assert.equal(tree.count(), n);
    }
  }
  assert.equal(repaired, 0, "no in-order load ends in a leaf short enough to fix up");
});

Deno.test("alloc: a split reserves only up to the lowest ancestor with room (at most 1 + 2h)", () => {
  const tree = ranges(1);
  let splits = 0;
  let belowWorstCase = 0;
  for (let i = 1; i < 2000; i++) {
    const cursor = tree.cursor(10 * i, 10 * i + 5);
    cursor.preallocate(i + 1);
    const reserved = cursor.pooled;
    const worst = 1 + 2 * tree.height();
    if (reserved > 0 && tree.height() > 0) {
      splits++;
      assert.ok(reserved <= worst, `store ${i}: ${reserved} reserved, worst case ${worst}`);
      if (reserved < worst) belowWorstCase++;
    }
    cursor.store(i + 1); // a promised pool that ran short would throw here
    assert.equal(cursor.pooled, 0);
  }
  tree.validate();
  assert.equal(tree.allocatorStats().live, tree.nodeCounts().total);
  assert.ok(splits > 100 && belowWorstCase > 0, `${splits} splits, ${belowWorstCase} cheaper`);
});

Deno.test("alloc: a dup's report counts the entries copied, even after the copy changes", () => {
  const source = ranges(300);
  const changed = source.dup();
  changed.store(0, 999, undefined); // erases the first 100 entries
  assert.equal(changed.count(), 200);
  assert.equal(changed.dupReport?.expectedEntries, 300);
  const cleared = source.dup();
  cleared.clear();
  assert.equal(cleared.dupReport?.expectedEntries, 300);
  const kept = source.dup();
  source.clear();
  assert.equal(kept.count(), 300, "clearing the source leaves the copy alone");
  assert.deepEqual(kept.dupReport, {
    strategy: "structural",
    expectedEntries: 300,
    promised: 0,
    taken: kept.allocatorStats().allocations,
    extra: 0,
  });
  kept.validate();
});

Deno.test("alloc: a dup of a tree with free nodes and gap blocks keeps working", () => {
  for (const allocRange of [true, false]) {
    const source = ranges(400, allocRange);
    // Erasing every third entry and storing across others frees nodes (and gap blocks).
    for (let i = 0; i < 400; i += 3) source.erase(10 * i);
    for (let i = 0; i < 400; i += 17) source.store(10 * i + 2, 10 * i + 25, -i);
    const arena = source.core.arena;
    assert.ok(arena.next - 1 > source.allocatorStats().live, "the source has free ids");
    if (allocRange) {
      // Freed nodes give their gap blocks back: the blocks track the live arange nodes.
      const aranges = source.nodeCounts().aranges;
      const blocks = arena.gapNext - 1;
      assert.ok(blocks >= aranges && blocks < 2 * aranges + 8, `${blocks} gap blocks`);
    }
    const child = source.dup();
    child.validate();
    assert.deepEqual([...child.entries()], [...source.entries()]);
    assert.deepEqual(child.nodeCounts(), source.nodeCounts());
    assert.deepEqual(child.allocatorStats().live, source.allocatorStats().live);
    // The same writes on both trees give the same entries: the copy reuses its free ids
    // and gap blocks as the source does, and shares none of them.
    for (let i = 0; i < 400; i += 7) {
      for (const tree of [source, child]) tree.store(10 * i + 1, 10 * i + 33, i);
    }
    for (let i = 1; i < 400; i += 5) {
      for (const tree of [source, child]) tree.erase(10 * i + 4);
    }
    child.validate();
    source.validate();
    assert.deepEqual([...child.entries()], [...source.entries()]);
    assert.equal(child.allocatorStats().live, child.nodeCounts().total);
  }
});
