/**
 * The write path: classify a store into the kernel's cases and run it (facts §5.1).
 *
 * Cheapest first: a store into a node-less tree (root store / root expand); then, when the
 * write stays inside one leaf, an **exact slot store**, an **append** into the last slot, a
 * **slot store** that moves one pivot, or a **node store** that rewrites the leaf in place;
 * anything else goes through rebuild.ts as a **split**, **rebalance** or **spanning store**.
 *
 * Rules kept here:
 * - writing empty (`undefined`) widens the range over the empty neighbours, so two empty
 *   ranges are never adjacent (facts §1.4);
 * - empty written up to the end of a leaf that is not the last one is a spanning store, so
 *   it can merge with an empty range at the start of the next leaf;
 * - a spanning store takes in the leaf holding `last + 1`, as far as the node where the
 *   write spans reaches, so the shapes after it are the kernel's;
 * - a leaf that would keep `mt_min_slots` entries or fewer rebalances, the right-most one
 *   too: only the validator spares right-most nodes, the kernel's write path does not;
 * - a case that needs nodes requests them from the pool before anything changes: a split
 *   what it can take given the lowest ancestor with room (at most 1 + 2h; 6.16's "vacant
 *   height", facts §6.5), rebalance and spanning store their worst case 1 + 3h, root expand 1
 *   (facts §6.2); the in-place cases nothing. A write therefore allocates only what it uses.
 *
 * @example
 * ```ts
 * import { TreeCore } from "./core.ts";
 * import { write } from "./write.ts";
 * const core = new TreeCore(true, null);
 * write(core, core.pool, 10, 19, "a", false);
 * console.log(core.height); // 1
 * ```
 *
 * @module
 */

import type { NodePool } from "./allocator.ts";
import { MAX, type TreeCore, type WriteCase } from "./core.ts";
import { updateGaps } from "./gaps.ts";
import { LEAF, minSlotsOf, slotsOf, STRIDE } from "./node.ts";
import { asDouble, walkTo } from "./path.ts";
import { normalizeRoot, REBALANCE, rebuild, SPANNING, SPLIT } from "./rebuild.ts";
import { fillNode } from "./split.ts";

/** The classified write, shared by `preallocate` (which only needs `request`). */
export interface WritePlan {
  kind: WriteCase;
  /** Worst-case nodes this case may take from the pool. */
  request: number;
  /** Range after widening over empty neighbours. */
  index: number;
  last: number;
  /** Slots of the left leaf / right leaf holding `index` / `last`. */
  offL: number;
  offR: number;
  /** Part of slot `offL` kept before the write / of slot `offR` kept after it. */
  head: boolean;
  tail: boolean;
  /** Slots of the leaf after a write inside one leaf. */
  newCount: number;
  /** Value that covered `index` before the write. */
  previous: unknown;
}

const plan: WritePlan = {
  kind: "exact-slot",
  request: 0,
  index: 0,
  last: 0,
  offL: 0,
  offR: 0,
  head: false,
  tail: false,
  newCount: 0,
  previous: undefined,
};

/**
 * Classify a write of `value` over `[index, last]` (walking `core.left`, and `core.right`
 * for a spanning store) without changing anything.
 */
export function planWrite(
  core: TreeCore,
  index: number,
  last: number,
  value: unknown,
  bulk: boolean,
): WritePlan {
  // Keys arrive as Smis or heap numbers; work on float64 copies (see path.ts asDouble).
  index = asDouble(index);
  last = asDouble(last);
  const root = core.root;
  const h = core.height;
  if (root === 0) {
    plan.previous = index === 0 ? core.rootValue : undefined;
    plan.index = index;
    plan.last = last;
    const stays = value === undefined || (index === 0 && last === 0);
    plan.kind = stays ? "root-store" : "root-expand";
    plan.request = stays ? 0 : 1;
    return plan;
  }
  const a = core.arena;
  const piv = a.piv;
  const slots = a.slots;
  const lp = core.left;
  const ld = h - 1;
  const lb = walkTo(a, root, h, lp, index) << 4;
  const lmin = lp.min[ld];
  const lmax = lp.max[ld];
  const end = piv[lb];
  let offL = lp.off[ld];
  plan.previous = slots[lb + offL];
  const empty = value === undefined;
  // Left edge: widen an empty write over the empty range at or before `index`.
  let lo = offL > 0 ? piv[lb + offL] + 1 : lmin;
  if (empty) {
    if (slots[lb + offL] === undefined) {
      index = lo;
    } else if (index === lo && offL > 0 && slots[lb + offL - 1] === undefined) {
      offL--;
      lo = offL > 0 ? piv[lb + offL] + 1 : lmin;
      index = lo;
    }
  }
  // Right edge: look at the slot after the write when writing empty (it may merge), and
  // after any write that leaves the leaf: a spanning store takes in the leaf holding
  // `last + 1` even when `last` ends a leaf (`mas_wr_spanning_store`). That walk starts at
  // the node where the write was found to span, which holds `last`: when `last` ends that
  // node too (an ancestor's max), it stops at the leaf holding `last`. (An empty write
  // spans as soon as a slot ends at `last`, so its node always reaches past `last`.)
  let rIndex = last;
  if (last < MAX && (empty || last > lmax)) {
    rIndex = last + 1;
    for (let d = ld - 1; !empty && d >= 0 && lp.max[d] <= last; d--) {
      if (lp.max[d] === last) rIndex = last;
    }
  }
  let rb = lb;
  let s: number;
  let rmin = lmin;
  let rmax = lmax;
  const spanning = rIndex > lmax;
  if (spanning) {
    const rp = core.right;
    rb = walkTo(a, root, h, rp, rIndex) << 4;
    s = rp.off[ld];
    rmin = rp.min[ld];
    rmax = rp.max[ld];
  } else {
    s = offL;
    while (s < end && piv[lb + 1 + s] < rIndex) s++;
  }
  const rEnd = piv[rb];
  const sLo = s > 0 ? piv[rb + s] + 1 : rmin;
  const sHi = s < rEnd ? piv[rb + 1 + s] : rmax;
  let offR: number;
  let tail: boolean;
  if (rIndex === last) {
    offR = s;
    tail = last < sHi;
  } else if (empty && slots[rb + s] === undefined) {
    last = sHi;
    offR = s;
    tail = false;
  } else if (sLo <= last) {
    offR = s;
    tail = true;
  } else {
    offR = s - 1;
    tail = false;
  }
  const head = index > lo;
  plan.index = index;
  plan.last = last;
  plan.offL = offL;
  plan.offR = offR;
  plan.head = head;
  plan.tail = tail;
  if (spanning) {
    plan.kind = "spanning";
    plan.request = 1 + 3 * h;
    return plan;
  }
  const newCount = offL + (head ? 1 : 0) + 1 + (tail ? 1 : 0) + (end - offR);
  plan.newCount = newCount;
  plan.request = 0;
  if (offL === offR && !head && !tail) {
    plan.kind = "exact-slot";
  } else if (
    !empty && offL === end && offR === end && newCount === end + 2 && newCount <= slotsOf(LEAF)
  ) {
    plan.kind = "append";
  } else if (offR === offL + 1 && newCount === end + 1 && head !== tail) {
    plan.kind = "slot-store";
  } else if (newCount <= slotsOf(LEAF) && (h === 1 || newCount - 1 >= minSlotsOf(LEAF) || bulk)) {
    // The right-most leaf is not spared: with `mt_min_slots` entries or fewer it rebalances
    // (`mas_commit_b_node`), though the validator would accept it under-filled.
    plan.kind = "node-store";
  } else if (newCount > slotsOf(LEAF)) {
    plan.kind = "split";
    plan.request = splitRequest(core);
  } else {
    plan.kind = "rebalance";
    plan.request = 1 + 3 * h;
  }
  return plan;
}

/**
 * Nodes a split of the leaf on `core.left` can take (6.16's "vacant height"): two per level
 * that splits, plus one for the lowest ancestor with room for one more child, which absorbs
 * the split by being rebuilt. Without such an ancestor the root splits too: 2 per level plus
 * a new root, the 1 + 2h worst case. A push into a sibling takes two nodes at its level and
 * stops the ripple at the parent, so it never needs more.
 */
function splitRequest(core: TreeCore): number {
  const a = core.arena;
  const lp = core.left;
  const ld = core.leafDepth;
  const room = slotsOf(core.internalKind) - 2;
  for (let d = ld - 1; d >= 0; d--) {
    if (a.piv[lp.node[d] * STRIDE] <= room) return 2 * (ld - d) + 1;
  }
  return 2 * core.height + 1;
}

/** Fill `core.big` with the leaf level after the planned write. */
function fillLeafBig(core: TreeCore, spanning: boolean, value: unknown): void {
  const a = core.arena;
  const piv = a.piv;
  const slots = a.slots;
  const ld = core.leafDepth;
  const lp = core.left;
  const rp = spanning ? core.right : core.left;
  const lb = lp.node[ld] * STRIDE;
  const rb = rp.node[ld] * STRIDE;
  const big = core.big;
  const rmax = rp.max[ld];
  big.start(lp.min[ld], rmax);
  const { offL, offR, index, last } = plan;
  for (let i = 0; i < offL; i++) big.push(slots[lb + i], piv[lb + 1 + i], 0);
  if (plan.head) big.push(slots[lb + offL], index - 1, 0);
  big.push(value, last, 0);
  const rEnd = piv[rb];
  if (plan.tail) big.push(slots[rb + offR], offR < rEnd ? piv[rb + 1 + offR] : rmax, 0);
  for (let i = offR + 1; i <= rEnd; i++) {
    big.push(slots[rb + i], i < rEnd ? piv[rb + 1 + i] : rmax, 0);
  }
}

/** Hand back the nodes a committed write replaced: to a promised pool, else to the allocator. */
function releaseFreed(core: TreeCore, pool: NodePool): void {
  const freed = core.freed;
  // Pop rather than reset `length`: most writes free nothing, and a length store is a call.
  while (freed.length > 0) {
    const node = freed.pop() as number;
    if (pool.promised) pool.push(node);
    else core.allocator.free(node);
  }
}

/** Result flags of the last write (the bulk fix-up watches `bulkLeafSplit`). */
export const lastWrite = { kind: "exact-slot" as WriteCase, bulkLeafSplit: false };

/**
 * Store `value` over `[index, last]` using nodes from `pool`; returns what covered `index`.
 * Throws MapleAllocationError, with the tree unchanged, when the nodes cannot be had.
 */
export function write(
  core: TreeCore,
  pool: NodePool,
  index: number,
  last: number,
  value: unknown,
  bulk: boolean,
): unknown {
  // A dup report still to be counted must see the tree as the dup left it.
  if (core.dupNodes >= 0) core.settleDupReport();
  const p = planWrite(core, index, last, value, bulk);
  const previous = p.previous;
  lastWrite.kind = p.kind;
  lastWrite.bulkLeafSplit = false;
  // The request may grow the arena: every array is read again below.
  if (p.request > 0) pool.request(p.request);
  core.version++;
  const a = core.arena;
  const ld = core.leafDepth;
  switch (p.kind) {
    case "root-store":
      rootStore(core, index, value);
      break;
    case "root-expand":
      rootExpand(core, pool, index, last, value);
      break;
    case "exact-slot": {
      const at = core.left.node[ld] * STRIDE + p.offL;
      const old = a.slots[at];
      a.slots[at] = value;
      if (core.allocRange && (old === undefined) !== (value === undefined)) {
        updateGaps(a, core.left, ld);
      }
      if (core.height === 1) normalizeRoot(core);
      break;
    }
    case "append": {
      const b = core.left.node[ld] * STRIDE;
      const piv = a.piv;
      const slots = a.slots;
      const end = piv[b];
      if (p.head) {
        // Tail of the last range: the old last slot now ends before the write.
        piv[b + 1 + end] = p.index - 1;
        slots[b + end + 1] = value;
      } else {
        // Head of the last range: the write goes in front of what is left of it.
        slots[b + end + 1] = slots[b + end];
        slots[b + end] = value;
        piv[b + 1 + end] = p.last;
      }
      piv[b] = end + 1;
      if (core.allocRange) updateGaps(a, core.left, ld);
      break;
    }
    case "slot-store": {
      const b = core.left.node[ld] * STRIDE;
      if (p.tail) {
        a.slots[b + p.offL] = value;
        a.piv[b + 1 + p.offL] = p.last;
      } else {
        a.piv[b + 1 + p.offL] = p.index - 1;
        a.slots[b + p.offR] = value;
      }
      if (core.allocRange) updateGaps(a, core.left, ld);
      if (core.height === 1) normalizeRoot(core);
      break;
    }
    case "node-store": {
      nodeStoreInPlace(core, value);
      if (core.allocRange) updateGaps(a, core.left, ld);
      if (core.height === 1) normalizeRoot(core);
      break;
    }
    default: {
      const spanning = p.kind === "spanning";
      fillLeafBig(core, spanning, value);
      if (!spanning) core.right.copyFrom(core.left, ld);
      const mode = spanning ? SPANNING : p.kind === "rebalance" ? REBALANCE : SPLIT;
      try {
        const r = rebuild(core, pool, ld, bulk, mode);
        if (!spanning && r.first !== null) lastWrite.kind = r.first;
        lastWrite.bulkLeafSplit = r.bulkLeafSplit;
      } finally {
        core.big.clearRefs();
        core.big2.clearRefs();
      }
    }
  }
  core.count(lastWrite.kind);
  releaseFreed(core, pool);
  return previous;
}

/**
 * Node store without a copy: shift the slots after the write by the change in slot count,
 * then write the kept head of slot `offL`, the new entry and the kept tail of slot `offR`.
 */
function nodeStoreInPlace(core: TreeCore, value: unknown): void {
  const a = core.arena;
  const piv = a.piv;
  const slots = a.slots;
  const ld = core.leafDepth;
  const b = core.left.node[ld] * STRIDE;
  const max = core.left.max[ld];
  const { offL, offR, head, tail, newCount } = plan;
  const end = piv[b];
  const newEnd = newCount - 1;
  const delta = newEnd - end;
  const headValue = slots[b + offL];
  const tailValue = slots[b + offR];
  const tailMax = offR < end ? piv[b + 1 + offR] : max;
  // Move the untouched slots after the write (pivot i lives at piv[b + 1 + i]).
  if (delta > 0) {
    for (let i = end; i > offR; i--) {
      slots[b + i + delta] = slots[b + i];
      if (i < end) piv[b + 1 + i + delta] = piv[b + 1 + i];
    }
  } else if (delta < 0) {
    for (let i = offR + 1; i <= end; i++) {
      slots[b + i + delta] = slots[b + i];
      if (i < end) piv[b + 1 + i + delta] = piv[b + 1 + i];
    }
  }
  let p = offL;
  if (head) {
    slots[b + p] = headValue;
    piv[b + 1 + p] = plan.index - 1;
    p++;
  }
  slots[b + p] = value;
  if (p < newEnd) piv[b + 1 + p] = plan.last;
  p++;
  if (tail) {
    slots[b + p] = tailValue;
    if (p < newEnd) piv[b + 1 + p] = tailMax;
  }
  // Unused pivots are 0 and unused slots empty (facts §1.3).
  for (let i = newEnd; i < end; i++) piv[b + 1 + i] = 0;
  for (let i = newEnd + 1; i <= end; i++) slots[b + i] = undefined;
  piv[b] = newEnd;
}

/** A write that keeps the tree node-less: the lone [0, 0] entry or nothing (facts §1.5). */
function rootStore(core: TreeCore, index: number, value: unknown): void {
  if (value !== undefined) core.rootValue = value;
  else if (index === 0) core.rootValue = undefined;
}

/** The first node: the old [0, 0] entry, an empty gap, the new entry, the empty rest. */
function rootExpand(
  core: TreeCore,
  pool: NodePool,
  index: number,
  last: number,
  value: unknown,
): void {
  const big = core.big;
  big.start(0, MAX);
  const old = core.rootValue;
  let next = 0;
  if (old !== undefined && index > 0) {
    big.push(old, 0, 0);
    next = 1;
  }
  if (index > next) big.push(undefined, index - 1, 0);
  big.push(value, last, 0);
  if (last < MAX) big.push(undefined, MAX, 0);
  const leaf = pool.pop();
  fillNode(core.arena, leaf, LEAF, big, 0, big.count - 1, false);
  big.clearRefs();
  core.root = leaf;
  core.rootValue = undefined;
  core.height = 1;
}
