/**
 * `validate()` must catch every kind of damage, naming rule, node and slot.
 *
 * @module
 */

import assert from "node:assert/strict";
import { MapleInvariantError } from "../contract.ts";
import { FREE, STRIDE } from "./node.ts";
import { MapleTreeImpl } from "./tree.ts";

function tree(): MapleTreeImpl<number> {
  const t = new MapleTreeImpl<number>({ allocRange: true });
  for (let i = 0; i < 300; i++) t.store(10 * i, 10 * i + 5, i + 1);
  t.validate();
  return t;
}

/** Base offset (in the arena's `piv` / `slots`) of the first leaf. */
function firstLeaf(t: MapleTreeImpl<number>): number {
  let node = t.core.root;
  for (let d = 1; d < t.height(); d++) node = t.core.arena.child(node, 0);
  return node;
}

function expectRule(t: MapleTreeImpl<number>, rule: string, node?: RegExp): void {
  assert.throws(() => t.validate(), (e: unknown) => {
    assert.ok(e instanceof MapleInvariantError, String(e));
    assert.equal(e.rule, rule, e.message);
    if (node) assert.match(e.node, node);
    return true;
  });
}

Deno.test("validate: pivot order", () => {
  const t = tree();
  const b = firstLeaf(t) * STRIDE;
  t.core.arena.piv[b + 1 + 3] = t.core.arena.piv[b + 1 + 2];
  expectRule(t, "pivot-order", /^root\/0\/0$/);
});

Deno.test("validate: two empty ranges in a row", () => {
  const t = tree();
  t.core.arena.slots[firstLeaf(t) * STRIDE + 2] = undefined;
  expectRule(t, "null-run");
});

Deno.test("validate: stale gap", () => {
  const t = tree();
  t.core.arena.gaps[t.core.arena.gapBase(t.core.root)] += 1;
  expectRule(t, "gap", /^root$/);
});

Deno.test("validate: under-filled node", () => {
  const t = tree();
  const a = t.core.arena;
  const b = firstLeaf(t) * STRIDE;
  for (let i = 3; i <= a.piv[b]; i++) a.slots[b + i] = undefined;
  for (let i = 2; i < a.piv[b]; i++) a.piv[b + 1 + i] = 0;
  a.piv[b] = 2;
  expectRule(t, "occupancy");
});

Deno.test("validate: height and depth", () => {
  const t = tree();
  t.core.height++;
  expectRule(t, "node-type");
});

Deno.test("validate: a freed node in the tree", () => {
  const t = tree();
  t.core.arena.meta[firstLeaf(t)] |= FREE;
  expectRule(t, "dead");
});

Deno.test("validate: data past end", () => {
  const t = tree();
  const a = t.core.arena;
  const b = firstLeaf(t) * STRIDE;
  a.slots[b + 15] = 7;
  a.piv[b] = 14;
  a.piv[b + 1 + 14] = 0;
  expectRule(t, "unused-slot");
});
