/**
 * `validate()`: every invariant of facts §4, plus the checks the kernel's validator skips
 * (leaf depth, height, strictly increasing pivots, `end` and metadata consistency).
 *
 * Each failure is a MapleInvariantError naming the rule, the node path (`root/3/7`: slot
 * numbers from the root) and the slot.
 *
 * @example
 * ```ts
 * import { MapleTreeImpl } from "./tree.ts";
 * const tree = new MapleTreeImpl<number>({ allocRange: true });
 * for (let i = 0; i < 100; i++) tree.store(i * 10, i * 10 + 5, i);
 * tree.validate(); // throws MapleInvariantError if anything is wrong
 * ```
 *
 * @module
 */

import { MapleInvariantError, MAX_INDEX } from "../contract.ts";
import type { TreeCore } from "./core.ts";
import { leafMaxGap } from "./gaps.ts";
import {
  ARANGE,
  type Arena,
  AT_BITS,
  AT_SHIFT,
  FREE,
  GAPS,
  KIND,
  LEAF,
  minSlotsOf,
  PIVOTS,
  slotsOf,
  STRIDE,
} from "./node.ts";

interface Walk {
  seen: Set<number>;
  /** Whether the previous leaf slot (in index order) was empty. */
  prevEmpty: boolean;
  /** Next index the leaves must cover. */
  nextIndex: number;
}

function fail(rule: string, node: string, slot: number, detail: string): never {
  throw new MapleInvariantError(rule, node, slot, detail);
}

/** Check the whole tree; throws on the first broken rule. */
export function validateTree(core: TreeCore): void {
  const root = core.root;
  if (root === 0) {
    if (core.height !== 0) fail("height", "root", -1, `no root node but height ${core.height}`);
    return;
  }
  const a = core.arena;
  if (core.rootValue !== undefined) {
    fail("root-entry", "root", -1, "a root node and a root entry at once");
  }
  if (core.height < 1) fail("height", "root", -1, `root node but height ${core.height}`);
  const walk: Walk = { seen: new Set(), prevEmpty: false, nextIndex: 0 };
  checkNode(core, a, root, "root", 0, 0, MAX_INDEX, walk);
  if (walk.nextIndex !== MAX_INDEX + 1) {
    fail("coverage", "root", -1, `leaves stop at ${walk.nextIndex - 1}`);
  }
}

/** Check one node and its subtree; returns its largest gap. */
function checkNode(
  core: TreeCore,
  a: Arena,
  node: number,
  name: string,
  depth: number,
  min: number,
  max: number,
  walk: Walk,
): number {
  if (!Number.isInteger(node) || node <= 0 || node >= a.next) {
    fail("child", name, -1, `not a node id: ${String(node)}`);
  }
  if ((a.meta[node] & FREE) !== 0) fail("dead", name, -1, `node n${node} was freed`);
  if (walk.seen.has(node)) fail("shared-node", name, -1, `node n${node} appears twice`);
  walk.seen.add(node);
  const leaf = depth === core.height - 1;
  const kind = leaf ? LEAF : core.internalKind;
  if ((a.meta[node] & KIND) !== kind) {
    const found = a.meta[node] & KIND;
    fail(leaf ? "depth" : "node-type", name, -1, `kind ${found} at depth ${depth}`);
  }
  const b = node * STRIDE;
  const cap = slotsOf(kind);
  const end = a.piv[b];
  if (!Number.isInteger(end) || end < 0 || end >= cap) fail("end", name, -1, `end ${end}`);
  // Occupancy: non-root nodes below MAX_INDEX must be sufficient (invariant 7).
  if (depth > 0 && max !== MAX_INDEX && end < minSlotsOf(kind)) {
    fail("occupancy", name, -1, `end ${end} below minimum ${minSlotsOf(kind)}`);
  }
  // Pivots: strictly increasing, inside [min, max), the last slot reaching max (invariant 3).
  let lo = min;
  for (let i = 0; i < end; i++) {
    const p = a.piv[b + 1 + i];
    if (p < lo || p >= max) fail("pivot-order", name, i, `pivot ${p} outside [${lo}, ${max})`);
    lo = p + 1;
  }
  for (let i = end; i < PIVOTS; i++) {
    if (a.piv[b + 1 + i] !== 0) fail("unused-pivot", name, i, `pivot ${a.piv[b + 1 + i]}`);
  }
  for (let i = end + 1; i < STRIDE; i++) {
    if (a.slots[b + i] !== undefined) fail("unused-slot", name, i, "slot past end is set");
  }
  if (leaf) return checkLeaf(core, a, node, name, min, max, walk);
  let best = 0;
  lo = min;
  const g = kind === ARANGE ? a.gapBase(node) : 0;
  for (let i = 0; i <= end; i++) {
    const hi = i < end ? a.piv[b + 1 + i] : max;
    const child = a.slots[b + i];
    if (typeof child !== "number") fail("child", name, i, "internal slot without a node");
    const gap = checkNode(core, a, child, `${name}/${i}`, depth + 1, lo, hi, walk);
    if (kind === ARANGE && a.gaps[g + i] !== gap) {
      fail("gap", name, i, `recorded ${a.gaps[g + i]}, actual ${gap}`);
    }
    if (gap > best) best = gap;
    lo = hi + 1;
  }
  if (kind === ARANGE) {
    for (let i = end + 1; i < GAPS; i++) {
      if (a.gaps[g + i] !== 0) fail("gap", name, i, `unused gap ${a.gaps[g + i]}`);
    }
    const at = (a.meta[node] & AT_BITS) >> AT_SHIFT;
    if (at > end || a.gaps[g + at] !== best) {
      fail("gap-meta", name, at, `gap offset does not name the largest gap ${best}`);
    }
  }
  return best;
}

function checkLeaf(
  core: TreeCore,
  a: Arena,
  node: number,
  name: string,
  min: number,
  max: number,
  walk: Walk,
): number {
  if (min !== walk.nextIndex) {
    fail("coverage", name, 0, `starts at ${min}, expected ${walk.nextIndex}`);
  }
  const b = node * STRIDE;
  const end = a.piv[b];
  for (let i = 0; i <= end; i++) {
    const empty = a.slots[b + i] === undefined;
    if (empty && walk.prevEmpty) fail("null-run", name, i, "two empty ranges in a row");
    walk.prevEmpty = empty;
  }
  if (max !== MAX_INDEX && a.slots[b + end] === undefined) {
    fail("null-end", name, end, "a leaf that is not the last ends with an empty range");
  }
  walk.nextIndex = max + 1;
  return core.allocRange ? leafMaxGap(a, node, min, max) : 0;
}
