/**
 * The slow write path: rebuild one level at a time, from the leaves up (facts §5.3–§5.6).
 *
 * A write that cannot be done inside one node puts the new data of its level in a big node,
 * which replaces every node from the left path's node to the right path's node at that depth
 * (one node for a split or rebalance, a run of nodes for a spanning store). The kernel has
 * two such loops, and their shapes differ, so there are two modes:
 *
 * - **Split** (`mas_split`): a level too big for one node first tries to push data into a
 *   sibling with room (left, then right; the ripple then stops at the parent), else cuts in
 *   two (split.ts; bulk mode cuts left-favouring). It stops at the first level that fits.
 * - **Balance** (`mas_spanning_rebalance`, for rebalances and spanning stores): a level is
 *   cut in one, two or three, never pushed. A level with `mt_min_slots` entries or fewer
 *   that does not cover the whole index space takes in the whole nearest node at its depth,
 *   once: the kernel looks one ancestor up at a time, right before left, so the node taken
 *   may be a sibling or a cousin on either side. Right-most nodes are not spared (only the
 *   validator spares them). A rebalance first takes in its nearest node whatever its count
 *   (`mas_rebalance`), then checks like any level.
 *
 * Each round, the new nodes plus the parent's slots left of the left path and right of the
 * right path become the next level's big node; everything in between is dropped. It stops
 * when one new node exactly replaces one old node (linked into the parent in place) or at the
 * root (a new root above two or three nodes). In balance mode the kernel rebuilds every
 * ancestor up to the root, which changes nothing unless one of them is under-filled, so the
 * rebuild goes on past a one-for-one level only then; and a single node that covers the
 * whole index space becomes the root at once (the tree shrinks). Nothing in the tree changes
 * before the final link, and every node comes from the pool requested up front, so a pool
 * that runs dry leaves the tree as it was.
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
import { type BigNode, nextNode, prevNode, slotMax, slotMin } from "./path.ts";
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

/** Rebuild modes (see the module doc). */
export const SPLIT = 0;
/** Balance mode for a spanning store. */
export const SPANNING = 1;
/** Balance mode for a rebalance: takes in a sibling first. */
export const REBALANCE = 2;

/**
 * Rebuild from `depth` (whose data is in `core.big`, replacing `left.node[depth]` ..
 * `right.node[depth]`) up to where the change is absorbed, in `mode`. Replaced nodes are
 * collected in `core.freed` and handed back by the caller after the commit.
 */
export function rebuild(
  core: TreeCore,
  pool: NodePool,
  depth: number,
  bulk: boolean,
  mode: number,
): RebuildResult {
  result.first = null;
  result.bulkLeafSplit = false;
  absorbedCount = 0;
  takenCount = 0;
  try {
    rebuildLevels(core, pool, depth, bulk, mode);
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

function rebuildLevels(
  core: TreeCore,
  pool: NodePool,
  depth: number,
  bulk: boolean,
  mode: number,
): void {
  const a = core.arena;
  const lp = core.left;
  const rp = core.right;
  const freed = core.freed;
  let b = core.big;
  let nb = core.big2;
  absorb(a, lp.node[depth]);
  if (rp.node[depth] !== lp.node[depth]) absorb(a, rp.node[depth]);
  if (mode === REBALANCE) {
    // `mas_rebalance` takes in the next sibling under the same parent, or else the previous
    // one: the nearest node, as every node below the root has a sibling.
    result.first = "rebalance";
    if (takeNearest(core, b, nb, depth) !== b) [b, nb] = [nb, b];
  }
  for (let d = depth;; d--) {
    const kind = d === core.leafDepth ? LEAF : core.internalKind;
    // 1. Balance mode: an under-filled level takes in its nearest neighbour, once.
    if (mode !== SPLIT && d > 0 && b.count <= minSlotsOf(kind)) {
      if (takeNearest(core, b, nb, d) !== b) [b, nb] = [nb, b];
    }
    if (d === 0) {
      finishAtRoot(core, pool, b, kind, bulk);
      return;
    }
    // 2. Cut the level; split mode prefers a push into a sibling with room.
    let k: number;
    if (mode === SPLIT && b.count > slotsOf(kind) && !needsThreeWay(b, kind)) {
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
    if (k === 1) {
      // 3a. One node for the whole index space is the new root (balance mode only: a
      // split's levels never cover everything below the root).
      if (b.min === 0 && b.max === MAX) {
        newRootAt(core, d);
        b.clearRefs();
        return;
      }
      // 3b. One node for one node: link it in place and stop, unless balance mode has an
      // under-filled ancestor to reach.
      if (lp.node[d] === rp.node[d] && (mode === SPLIT || !thinAncestor(core, d))) {
        const parent = lp.node[d - 1];
        drop(a, lp.node[d], freed);
        a.slots[parent * STRIDE + lp.off[d - 1]] = built[0];
        lp.node[d] = built[0];
        if (core.allocRange) updateGaps(a, lp, d);
        return;
      }
    }
    // 3c. Otherwise the parents' level becomes the next big node.
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

/**
 * Take in the nearest node at depth `d` (`mast_spanning_rebalance`): climb both paths one
 * ancestor at a time and use the first that has a node to the right of the right path, or
 * else to the left of the left path. Returns the big node now holding the level; `b` itself
 * when the level spans its whole depth and there is nothing to take.
 */
function takeNearest(core: TreeCore, b: BigNode, nb: BigNode, d: number): BigNode {
  const a = core.arena;
  const lp = core.left;
  const rp = core.right;
  const piv = a.piv;
  for (let j = d - 1; j >= 0; j--) {
    if (rp.off[j] < piv[rp.node[j] * STRIDE]) {
      nextNode(a, rp, d);
      return takeRight(core, b, d);
    }
    if (lp.off[j] > 0) {
      prevNode(a, lp, d);
      return takeLeft(core, b, nb, d);
    }
  }
  return b;
}

/** Append the node the right path now points at (depth `d`) to `b`. */
function takeRight(core: TreeCore, b: BigNode, d: number): BigNode {
  const a = core.arena;
  const rp = core.right;
  const node = rp.node[d];
  absorb(a, node);
  b.pushFrom(a, node, 0, a.piv[node * STRIDE], rp.max[d]);
  b.max = rp.max[d];
  return b;
}

/** Put the node the left path now points at (depth `d`) in front of `b`, in `nb`. */
function takeLeft(core: TreeCore, b: BigNode, nb: BigNode, d: number): BigNode {
  const a = core.arena;
  const lp = core.left;
  const node = lp.node[d];
  absorb(a, node);
  nb.start(lp.min[d], b.max);
  nb.pushFrom(a, node, 0, a.piv[node * STRIDE], lp.max[d]);
  nb.pushAll(b);
  b.clearRefs();
  return nb;
}

/**
 * Whether an ancestor of level `d` below the root is under-filled. The kernel's balance loop
 * rebuilds every ancestor and would take in a neighbour there; only right-most nodes can be
 * in that state, since the validator spares them alone.
 */
function thinAncestor(core: TreeCore, d: number): boolean {
  const a = core.arena;
  const lp = core.left;
  const min = minSlotsOf(core.internalKind);
  for (let e = d - 1; e >= 1; e--) if (a.piv[lp.node[e] * STRIDE] < min) return true;
  return false;
}

/**
 * The single node just built at depth `d` covers the whole index space: it becomes the root
 * and the levels above it go. Every node of depth `d` was in the replaced run, so dropping
 * the old root frees exactly what the write replaced.
 */
function newRootAt(core: TreeCore, d: number): void {
  drop(core.arena, core.left.node[0], core.freed);
  core.root = built[0];
  core.height -= d;
  normalizeRoot(core);
}

/**
 * The root's level: it fits in one node, the new root, or is cut in two or three under a new
 * root (the tree grows by one level). It always has two children or more here: a level
 * below that is one node for the whole index space became the root already (newRootAt).
 */
function finishAtRoot(
  core: TreeCore,
  pool: NodePool,
  b: BigNode,
  kind: number,
  bulk: boolean,
): void {
  const a = core.arena;
  const k = plan(b, kind, bulk);
  if (k > 1 && result.first === null) result.first = "split";
  buildLevel(core, pool, b, kind, k);
  let root = built[0];
  let height = core.height;
  if (k > 1) {
    const nb = b === core.big ? core.big2 : core.big;
    nb.start(0, MAX);
    for (let i = 0; i < k; i++) nb.push(built[i], builtMax[i], builtGap[i]);
    root = take(pool);
    fillNode(a, root, core.internalKind, nb, 0, k - 1, core.allocRange);
    nb.clearRefs();
    height++;
  }
  drop(a, core.left.node[0], core.freed);
  core.root = root;
  core.height = height;
  b.clearRefs();
  normalizeRoot(core);
}

/**
 * A height-1 tree whose leaf holds one empty slot is the empty tree. (A lone `[0, 0]` entry
 * left in a leaf stays there: the kernel goes back to a node-less tree only when a store
 * covers `[0, MAX_INDEX]`, so facts §4's invariant 9 holds for stores into an empty tree
 * only.)
 */
export function normalizeRoot(core: TreeCore): void {
  const root = core.root;
  if (root === 0 || core.height !== 1) return;
  const a = core.arena;
  const b = root * STRIDE;
  if (a.piv[b] === 0 && a.slots[b] === undefined) {
    core.freed.push(root);
    core.root = 0;
    core.height = 0;
  }
}
