/**
 * The slow write path: rebuild one level at a time, from the leaves up (facts §5.3–§5.6).
 *
 * A write that cannot be done inside one node puts the new data of its level in a big node,
 * which replaces every node from the left path's node to the right path's node at that depth
 * (one node for a split or rebalance, a run of nodes for a spanning store). Each round:
 *
 * 1. **Rebalance**: a level that would leave a non-right-most node under-filled pulls in the
 *    whole next node at its depth (a sibling or a cousin) — the right path moves to it.
 * 2. **Split**: a level too big for one node first tries to push data into a sibling with
 *    room (left, then right; the ripple then stops at the parent), else cuts in two or three
 *    (split.ts). Bulk mode cuts left-favouring.
 * 3. The new nodes, plus the parent's slots left of the left path and right of the right
 *    path, become the next level's big node. Everything in between is dropped.
 *
 * It stops when one new node exactly replaces one old node (linked into the parent in place)
 * or at the root (a new root above two or three nodes, or a root collapsing while it has a
 * single child). Nothing in the tree changes before that final link, and every node comes
 * from the pool requested up front, so a pool that runs dry leaves the tree as it was.
 *
 * @example
 * ```ts
 * // Used by write.ts; see write.ts for a complete write.
 * import { rebuild } from "./rebuild.ts";
 * console.log(typeof rebuild); // "function"
 * ```
 *
 * @module
 */

import type { NodePool } from "./allocator.ts";
import { MAX, type TreeCore, type WriteCase } from "./core.ts";
import { updateGaps } from "./gaps.ts";
import { ABSORBED, type Arena, KIND, LEAF, minSlotsOf, slotsOf, STRIDE } from "./node.ts";
import { type BigNode, nextNode, slotMax, slotMin } from "./path.ts";
import {
  bulkSplit,
  fillNode,
  middleSplit,
  needsThreeWay,
  noNullSplit,
  sliceOk,
  threeWaySplit,
} from "./split.ts";

const cuts = new Int32Array(2);
const built = new Int32Array(3);
const builtMax = new Float64Array(3);
const builtGap = new Float64Array(3);

/**
 * Nodes touched by the write in progress, to undo flags if it fails: stacks with explicit
 * counts (resetting an array's `length` is a runtime call on every write).
 */
const absorbedList: number[] = [];
let absorbedCount = 0;
const takenList: number[] = [];
let takenCount = 0;

/** Mark `node` as copied into a big node (replaced, children reused). */
function absorb(a: Arena, node: number): void {
  a.meta[node] |= ABSORBED;
  absorbedList[absorbedCount++] = node;
}

/** Record `node` and, unless its children were reused, its whole subtree as replaced. */
function drop(a: Arena, node: number, freed: number[]): void {
  if ((a.meta[node] & ABSORBED) === 0 && (a.meta[node] & KIND) !== LEAF) {
    const b = node * STRIDE;
    const end = a.piv[b];
    for (let i = 0; i <= end; i++) drop(a, a.slots[b + i] as number, freed);
  }
  freed.push(node);
}

/** Take a node from the pool, remembering it so a failed write can give it back. */
function take(pool: NodePool): number {
  const node = pool.pop();
  takenList[takenCount++] = node;
  return node;
}

/** What the rebuild did, for the case counters and the bulk fix-up. */
export interface RebuildResult {
  /** The case label of the first level (split, push-left, push-right, rebalance). */
  first: WriteCase | null;
  /** A bulk cut was made at the leaves (arms the end-of-bulk fix-up). */
  bulkLeafSplit: boolean;
}

const result: RebuildResult = { first: null, bulkLeafSplit: false };

/**
 * Try to push a full level into a sibling with room (facts §5.4 step 1). On success the
 * combined data is in `nb` and the paths point at both nodes.
 */
function tryPush(
  core: TreeCore,
  b: BigNode,
  nb: BigNode,
  kind: number,
  d: number,
  left: boolean,
): boolean {
  const a = core.arena;
  const lp = core.left;
  const rp = core.right;
  const parent = lp.node[d - 1];
  const pb = parent * STRIDE;
  const o = lp.off[d - 1];
  const cap = slotsOf(kind);
  let space = 2 * cap - 2;
  if (kind === LEAF) space--;
  if (b.max === MAX) space--;
  if (left) {
    if (o === 0) return false;
    const sib = a.slots[pb + o - 1] as number;
    const sibEnd = a.piv[sib * STRIDE];
    if (b.count - 1 + sibEnd >= space) return false;
    const sibMin = slotMin(a, parent, o - 1, lp.min[d - 1]);
    const sibMax = a.piv[pb + o];
    nb.start(sibMin, b.max);
    nb.pushFrom(a, sib, 0, sibEnd, sibMax);
    for (let i = 0; i < b.count; i++) nb.push(b.slots[i], b.pivots[i], b.gaps[i]);
    const split = noNullSplit(nb, cap - 2, kind);
    if (!sliceOk(nb, 0, split, kind) || !sliceOk(nb, split + 1, nb.count - 1, kind)) {
      return false;
    }
    absorb(a, sib);
    lp.node[d] = sib;
    lp.off[d - 1] = o - 1;
    lp.min[d] = sibMin;
    lp.max[d] = sibMax;
    cuts[0] = split;
    return true;
  }
  if (o >= a.piv[pb]) return false;
  const sib = a.slots[pb + o + 1] as number;
  const sibEnd = a.piv[sib * STRIDE];
  const total = b.count - 1 + sibEnd;
  if (total >= space) return false;
  const sibMin = a.piv[pb + 1 + o] + 1;
  const sibMax = slotMax(a, parent, o + 1, lp.max[d - 1]);
  nb.start(b.min, sibMax);
  for (let i = 0; i < b.count; i++) nb.push(b.slots[i], b.pivots[i], b.gaps[i]);
  nb.pushFrom(a, sib, 0, sibEnd, sibMax);
  const split = noNullSplit(nb, total - (cap - 2), kind);
  if (!sliceOk(nb, 0, split, kind) || !sliceOk(nb, split + 1, nb.count - 1, kind)) {
    return false;
  }
  absorb(a, sib);
  rp.node[d] = sib;
  rp.off[d - 1] = o + 1;
  rp.min[d] = sibMin;
  rp.max[d] = sibMax;
  cuts[0] = split;
  return true;
}

/** Cut `b` for a level of `kind`; returns the number of nodes (1..3), cuts in `cuts`. */
function plan(b: BigNode, kind: number, bulk: boolean): number {
  if (b.count <= slotsOf(kind)) return 1;
  if (needsThreeWay(b, kind)) {
    threeWaySplit(b, kind, cuts);
    return 3;
  }
  if (bulk && b.max === MAX) {
    cuts[0] = bulkSplit(b, kind);
    if (kind === LEAF) result.bulkLeafSplit = true;
  } else {
    cuts[0] = middleSplit(b, kind);
  }
  return 2;
}

/** Build the `k` nodes of a level from `b`. */
function buildLevel(core: TreeCore, pool: NodePool, b: BigNode, kind: number, k: number): void {
  let from = 0;
  for (let i = 0; i < k; i++) {
    const to = i < k - 1 ? cuts[i] : b.count - 1;
    const node = take(pool);
    builtGap[i] = fillNode(core.arena, node, kind, b, from, to, core.allocRange);
    built[i] = node;
    builtMax[i] = b.pivots[to];
    from = to + 1;
  }
}

/**
 * Rebuild from `depth` (whose data is in `core.big`, replacing `left.node[depth]` ..
 * `right.node[depth]`) up to where the change is absorbed. Replaced nodes are collected in
 * `core.freed` and handed back by the caller after the commit.
 */
export function rebuild(
  core: TreeCore,
  pool: NodePool,
  depth: number,
  bulk: boolean,
): RebuildResult {
  result.first = null;
  result.bulkLeafSplit = false;
  absorbedCount = 0;
  takenCount = 0;
  try {
    rebuildLevels(core, pool, depth, bulk);
  } catch (error) {
    // Nothing was linked: give back what was taken, forget what was marked.
    const a = core.arena;
    for (let i = 0; i < absorbedCount; i++) a.meta[absorbedList[i]] &= ~ABSORBED;
    for (let i = 0; i < takenCount; i++) if (takenList[i] > 0) pool.push(takenList[i]);
    core.freed.length = 0;
    throw error;
  } finally {
    absorbedCount = 0;
    takenCount = 0;
  }
  return result;
}

function rebuildLevels(core: TreeCore, pool: NodePool, depth: number, bulk: boolean): void {
  const a = core.arena;
  const lp = core.left;
  const rp = core.right;
  const freed = core.freed;
  let b = core.big;
  let nb = core.big2;
  absorb(a, lp.node[depth]);
  if (rp.node[depth] !== lp.node[depth]) absorb(a, rp.node[depth]);
  for (let d = depth;; d--) {
    const kind = d === core.leafDepth ? LEAF : core.internalKind;
    const minCount = minSlotsOf(kind) + 1;
    // 1. Rebalance: a non-right-most level may not end up under-filled.
    while (d > 0 && b.count < minCount && b.max !== MAX) {
      if (!nextNode(a, rp, d)) throw new Error("no neighbour to rebalance with");
      const next = rp.node[d];
      absorb(a, next);
      b.pushFrom(a, next, 0, a.piv[next * STRIDE], rp.max[d]);
      b.max = rp.max[d];
      if (result.first === null) result.first = "rebalance";
    }
    if (d === 0) {
      finishAtRoot(core, pool, b, kind, bulk);
      return;
    }
    // 2. Split, preferring a push into a sibling with room.
    let k: number;
    if (b.count > slotsOf(kind) && lp.node[d] === rp.node[d] && !needsThreeWay(b, kind)) {
      if (tryPush(core, b, nb, kind, d, true)) {
        [b, nb] = [nb, b];
        k = 2;
        if (result.first === null) result.first = "push-left";
      } else if (tryPush(core, b, nb, kind, d, false)) {
        [b, nb] = [nb, b];
        k = 2;
        if (result.first === null) result.first = "push-right";
      } else {
        k = plan(b, kind, bulk);
      }
    } else {
      k = plan(b, kind, bulk);
    }
    if (k > 1 && result.first === null) result.first = "split";
    buildLevel(core, pool, b, kind, k);
    // 3a. One node for one node: link it in place and stop.
    if (k === 1 && lp.node[d] === rp.node[d]) {
      const parent = lp.node[d - 1];
      drop(a, lp.node[d], freed);
      a.slots[parent * STRIDE + lp.off[d - 1]] = built[0];
      lp.node[d] = built[0];
      if (core.allocRange) updateGaps(a, lp, d);
      return;
    }
    // 3b. Otherwise the parents' level becomes the next big node.
    const pl = lp.node[d - 1];
    const lo = lp.off[d - 1];
    const pr = rp.node[d - 1];
    const hi = rp.off[d - 1];
    const plEnd = a.piv[pl * STRIDE];
    const prEnd = a.piv[pr * STRIDE];
    nb.start(lp.min[d - 1], rp.max[d - 1]);
    if (lo > 0) nb.pushFrom(a, pl, 0, lo - 1, lp.max[d - 1]);
    for (let i = 0; i < k; i++) nb.push(built[i], builtMax[i], builtGap[i]);
    if (hi < prEnd) nb.pushFrom(a, pr, hi + 1, prEnd, rp.max[d - 1]);
    if (pl === pr) {
      for (let i = lo; i <= hi; i++) drop(a, a.slots[pl * STRIDE + i] as number, freed);
    } else {
      for (let i = lo; i <= plEnd; i++) drop(a, a.slots[pl * STRIDE + i] as number, freed);
      for (let i = 0; i <= hi; i++) drop(a, a.slots[pr * STRIDE + i] as number, freed);
    }
    absorb(a, pl);
    if (pr !== pl) absorb(a, pr);
    b.clearRefs();
    [b, nb] = [nb, b];
  }
}

/** The level covering the whole index space: it becomes the root. */
function finishAtRoot(
  core: TreeCore,
  pool: NodePool,
  b: BigNode,
  kind: number,
  bulk: boolean,
): void {
  const a = core.arena;
  const freed = core.freed;
  const oldRoot = core.left.node[0];
  let height = core.height;
  if (kind !== LEAF && b.count === 1) {
    // A root with one child gives way to the child, as often as needed.
    let root = b.slots[0] as number;
    height--;
    while ((a.meta[root] & KIND) !== LEAF && a.piv[root * STRIDE] === 0) {
      freed.push(root);
      root = a.slots[root * STRIDE] as number;
      height--;
    }
    drop(a, oldRoot, freed);
    core.root = root;
    core.height = height;
  } else if (kind === LEAF && b.count === 1 && b.slots[0] === undefined) {
    drop(a, oldRoot, freed);
    core.root = 0;
    core.height = 0;
  } else {
    const k = plan(b, kind, bulk);
    if (k > 1 && result.first === null) result.first = "split";
    buildLevel(core, pool, b, kind, k);
    let root = built[0];
    if (k > 1) {
      // The root split: a new root above the pieces (the tree grows by one level).
      const nb = b === core.big ? core.big2 : core.big;
      nb.start(0, MAX);
      for (let i = 0; i < k; i++) nb.push(built[i], builtMax[i], builtGap[i]);
      root = take(pool);
      fillNode(a, root, core.internalKind, nb, 0, k - 1, core.allocRange);
      nb.clearRefs();
      height++;
    }
    drop(a, oldRoot, freed);
    core.root = root;
    core.height = height;
  }
  b.clearRefs();
  normalizeRoot(core);
}

/**
 * Keep invariant 9 (facts §4): a tree whose only entry is at `[0, 0]` holds it in the root
 * pointer, without a node.
 */
export function normalizeRoot(core: TreeCore): void {
  const root = core.root;
  if (root === 0 || core.height !== 1) return;
  const a = core.arena;
  const b = root * STRIDE;
  const end = a.piv[b];
  if (end === 0 && a.slots[b] === undefined) {
    core.freed.push(root);
    core.root = 0;
    core.height = 0;
    return;
  }
  if (
    end === 1 && a.piv[b + 1] === 0 && a.slots[b] !== undefined && a.slots[b + 1] === undefined
  ) {
    core.rootValue = a.slots[b];
    core.freed.push(root);
    core.root = 0;
    core.height = 0;
  }
}
