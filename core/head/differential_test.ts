/**
 * Differential property tests: random mixes of every operation on the head tree and on the
 * reference model (a sorted array), both tree kinds, `validate()` after every operation and
 * node accounting checked (live nodes == nodes in the tree while no cursor holds a pool).
 *
 * At least 200,000 operations per run, seeded: the seed is fixed unless `MAPLE_SEED` is set,
 * and a failure prints the seed and fast-check's counterexample path for replay.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { MapleAllocationError, MAX_INDEX } from "../contract.ts";
import { ReferenceTree } from "../../testing/reference_tree.ts";
import { MapleTreeImpl } from "./tree.ts";
import { WRITE_CASES } from "./core.ts";

const SEED = Number(Deno.env.get("MAPLE_SEED") ?? 20220729);

/** Keys: mostly a small space (so trees split and merge), sometimes huge near MAX_INDEX. */
const key = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 2000 }) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_INDEX - 40, max: MAX_INDEX }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 2, MAX_INDEX) },
);
const span = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 12 }) },
  { weight: 3, arbitrary: fc.integer({ min: 13, max: 400 }) },
  { weight: 1, arbitrary: fc.constant(MAX_INDEX) },
);
const value = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 1_000_000 }) },
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant(null) },
);

type Value = number | null;
type Op =
  | { op: "store"; first: number; span: number; value: Value | undefined }
  | { op: "insert"; first: number; span: number; value: Value }
  | { op: "erase" | "load" | "walk"; index: number }
  | { op: "find" | "next"; index: number; span: number }
  | { op: "prev"; index: number; span: number }
  | { op: "entries"; first: number; span: number }
  | { op: "area" | "areaRev"; min: number; span: number; size: number }
  | { op: "clear" }
  | { op: "fill"; first: number; count: number; step: number; len: number }
  | { op: "dup" }
  | { op: "bulk"; count: number }
  | { op: "cursor"; first: number; span: number; steps: CursorStep[] };

type CursorStep =
  | { s: "walk" | "erase" | "pause" }
  | { s: "find" | "next"; bound: number }
  | { s: "findRev" | "prev"; bound: number }
  | { s: "store"; value: Value | undefined; prealloc: boolean }
  | { s: "set"; first: number; span: number };

const cursorStep: fc.Arbitrary<CursorStep> = fc.oneof(
  fc.record({ s: fc.constantFrom("walk" as const, "erase" as const, "pause" as const) }),
  fc.record({ s: fc.constantFrom("find" as const, "next" as const), bound: key }),
  fc.record({ s: fc.constantFrom("findRev" as const, "prev" as const), bound: key }),
  fc.record({ s: fc.constant("store" as const), value, prealloc: fc.boolean() }),
  fc.record({ s: fc.constant("set" as const), first: key, span }),
);

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.record({ op: fc.constant("store" as const), first: key, span, value }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("insert" as const),
      first: key,
      span,
      value: fc.integer({ min: 1, max: 9 }),
    }),
  },
  { weight: 8, arbitrary: fc.record({ op: fc.constant("erase" as const), index: key }) },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constantFrom("load" as const, "walk" as const),
      index: key,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constantFrom("find" as const, "next" as const, "prev" as const),
      index: key,
      span,
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("entries" as const), first: key, span }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constantFrom("area" as const, "areaRev" as const),
      min: key,
      span,
      size: fc.integer({ min: 1, max: 30 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant("cursor" as const),
      first: key,
      span,
      steps: fc.array(cursorStep, { maxLength: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("dup" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("bulk" as const),
      count: fc.integer({ min: 0, max: 200 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("clear" as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("fill" as const),
      first: fc.integer({ min: 0, max: 2000 }),
      count: fc.integer({ min: 10, max: 150 }),
      step: fc.integer({ min: 1, max: 8 }),
      len: fc.integer({ min: 0, max: 7 }),
    }),
  },
);

function end(first: number, span: number): number {
  return Math.min(MAX_INDEX, first + span);
}

/** Check the head tree against the reference after an operation. */
function checkSame(head: MapleTreeImpl<Value>, ref: ReferenceTree<Value>, full: boolean): void {
  head.validate();
  const stats = head.allocatorStats();
  assert.equal(stats.live, head.nodeCounts().total, "live nodes == nodes in the tree");
  if (full) {
    assert.deepEqual([...head.entries()], [...ref.entries()]);
    assert.equal(head.count(), ref.count());
  }
}

function runCursor(
  head: MapleTreeImpl<Value>,
  ref: ReferenceTree<Value>,
  o: Extract<Op, { op: "cursor" }>,
): void {
  const a = head.cursor(o.first, end(o.first, o.span));
  const b = ref.cursor(o.first, end(o.first, o.span));
  for (const step of o.steps) {
    switch (step.s) {
      case "walk":
        assert.equal(a.walk(), b.walk());
        break;
      case "erase":
        assert.equal(a.erase(), b.erase());
        break;
      case "pause":
        a.pause();
        b.pause();
        break;
      case "find":
        assert.equal(a.find(step.bound), b.find(step.bound));
        break;
      case "next":
        assert.equal(a.next(step.bound), b.next(step.bound));
        break;
      case "findRev":
        assert.equal(a.findRev(step.bound), b.findRev(step.bound));
        break;
      case "prev":
        assert.equal(a.prev(step.bound), b.prev(step.bound));
        break;
      case "store":
        if (step.prealloc) a.preallocate(step.value);
        assert.equal(a.store(step.value), b.store(step.value));
        assert.equal(a.pooled, 0, "a preallocated store frees its leftovers");
        break;
      case "set":
        a.setRange(step.first, end(step.first, step.span));
        b.setRange(step.first, end(step.first, step.span));
        break;
    }
    assert.deepEqual([a.index, a.last], [b.index, b.last], `cursor position after ${step.s}`);
    checkSame(head, ref, false);
  }
}

function runOp(head: MapleTreeImpl<Value>, ref: ReferenceTree<Value>, o: Op): void {
  switch (o.op) {
    case "store":
      head.store(o.first, end(o.first, o.span), o.value);
      ref.store(o.first, end(o.first, o.span), o.value);
      break;
    case "insert":
      assert.equal(
        head.insert(o.first, end(o.first, o.span), o.value),
        ref.insert(o.first, end(o.first, o.span), o.value),
      );
      break;
    case "erase":
      assert.equal(head.erase(o.index), ref.erase(o.index));
      break;
    case "load":
      assert.equal(head.load(o.index), ref.load(o.index));
      return;
    case "walk":
      assert.deepEqual(head.walk(o.index), ref.walk(o.index));
      return;
    case "find":
      assert.deepEqual(
        head.find(o.index, end(o.index, o.span)),
        ref.find(o.index, end(o.index, o.span)),
      );
      return;
    case "next":
      assert.deepEqual(
        head.next(o.index, end(o.index, o.span)),
        ref.next(o.index, end(o.index, o.span)),
      );
      return;
    case "prev": {
      const min = Math.max(0, o.index - o.span);
      assert.deepEqual(head.prev(o.index, min), ref.prev(o.index, min));
      return;
    }
    case "entries":
      assert.deepEqual(
        [...head.entries(o.first, end(o.first, o.span))],
        [...ref.entries(o.first, end(o.first, o.span))],
      );
      return;
    case "area":
    case "areaRev": {
      const max = Math.max(o.min + 1, end(o.min, o.span));
      if (max > MAX_INDEX) return;
      const rev = o.op === "areaRev";
      assert.deepEqual(
        rev ? head.emptyAreaRev(o.min, max, o.size) : head.emptyArea(o.min, max, o.size),
        rev ? ref.emptyAreaRev(o.min, max, o.size) : ref.emptyArea(o.min, max, o.size),
      );
      return;
    }
    case "fill":
      // A run of VMA-like ranges, so trees grow tall enough to split at every level.
      for (let i = 0; i < o.count; i++) {
        const first = o.first + i * o.step;
        const last = Math.min(first + Math.min(o.len, o.step - 1), MAX_INDEX);
        head.store(first, last, i + 1);
        ref.store(first, last, i + 1);
      }
      break;
    case "clear":
      head.clear();
      ref.clear();
      assert.equal(head.allocatorStats().live, 0, "clear frees every node");
      break;
    case "dup": {
      const child = head.dup();
      child.validate();
      assert.deepEqual([...child.entries()], [...ref.entries()]);
      assert.equal(child.allocatorStats().live, child.nodeCounts().total);
      break;
    }
    case "bulk": {
      // A bulk load of the reference's entries into a fresh tree, as fork does.
      const fresh = new MapleTreeImpl<Value>({ allocRange: head.allocRange });
      const c = fresh.cursor();
      c.expectedEntries(ref.count());
      for (const e of ref.entries()) c.setRange(e.first, e.last).store(e.value);
      c.destroy();
      fresh.validate();
      assert.deepEqual([...fresh.entries()], [...ref.entries()]);
      assert.equal(fresh.allocatorStats().live, fresh.nodeCounts().total);
      void o.count;
      break;
    }
    case "cursor":
      runCursor(head, ref, o);
      break;
  }
  stats.ops++;
  checkSame(head, ref, o.op !== "store" || stats.ops % 16 === 0);
}

/** What the runs exercised, so a test can insist the interesting paths ran. */
const stats = { ops: 0, maxHeight: 0, cases: new Map<string, number>() };

function collect(head: MapleTreeImpl<Value>): void {
  stats.maxHeight = Math.max(stats.maxHeight, head.height());
  for (const [k, v] of head.core.cases) stats.cases.set(k, (stats.cases.get(k) ?? 0) + v);
}

function runProperty(allocRange: boolean, runs: number, maxOps: number, seed: number): number {
  let total = 0;
  const result = fc.check(
    fc.property(fc.array(op, { minLength: maxOps / 2, maxLength: maxOps }), (ops) => {
      const head = new MapleTreeImpl<Value>({ allocRange });
      const ref = new ReferenceTree<Value>({ allocRange });
      for (const o of ops) runOp(head, ref, o);
      assert.deepEqual([...head.entries()], [...ref.entries()]);
      collect(head);
      total += ops.length;
    }),
    { seed, numRuns: runs },
  );
  if (result.failed) {
    throw new Error(
      `differential test failed (allocRange ${allocRange}): MAPLE_SEED=${seed} ` +
        `counterexample path "${result.counterexamplePath}"\n` +
        `counterexample: ${JSON.stringify(result.counterexample)?.slice(0, 2000)}\n` +
        `error: ${String(result.errorInstance)}`,
    );
  }
  return total;
}

Deno.test("differential: head vs reference, allocation tree", () => {
  const ops = runProperty(true, 200, 1000, SEED);
  assert.ok(ops >= 100_000, `ran ${ops} operations`);
});

Deno.test("differential: head vs reference, plain tree", () => {
  const ops = runProperty(false, 200, 1000, SEED + 1);
  assert.ok(ops >= 100_000, `ran ${ops} operations`);
  console.log(
    `differential: ${stats.ops} operations, max height ${stats.maxHeight}`,
    Object.fromEntries(stats.cases),
  );
});

Deno.test("differential: the runs reached every write case and height 3", () => {
  for (const kind of WRITE_CASES) {
    assert.ok((stats.cases.get(kind) ?? 0) > 0, `write case ${kind} never ran`);
  }
  assert.ok(stats.maxHeight >= 3, `max height ${stats.maxHeight}`);
});

Deno.test("differential: stores under a node budget fail cleanly or succeed", () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ first: key, span, value }), { minLength: 50, maxLength: 300 }),
      fc.integer({ min: 0, max: 40 }),
      (stores, budget) => {
        const head = new MapleTreeImpl<Value>({ allocRange: true });
        const ref = new ReferenceTree<Value>({ allocRange: true });
        head.setNodeBudget(budget);
        for (const s of stores) {
          try {
            head.store(s.first, end(s.first, s.span), s.value);
            ref.store(s.first, end(s.first, s.span), s.value);
          } catch (error) {
            assert.ok(error instanceof MapleAllocationError, String(error));
          }
          head.validate();
          assert.equal(head.allocatorStats().live, head.nodeCounts().total);
        }
        assert.deepEqual([...head.entries()], [...ref.entries()]);
      },
    ),
    { seed: SEED + 2, numRuns: 100 },
  );
});
