/**
 * Where to cut a big node, and how to turn a slice of it into a node (facts §5.4).
 *
 * Rules kept here:
 * - a node never ends on an empty slot unless it is the right-most node (max === MAX_INDEX),
 *   so a cut that would leave one there moves by one (`mab_no_null_split`);
 * - the ordinary cut is the middle (the left node gets the extra entry); a level too big for
 *   two nodes is cut in three;
 * - in bulk mode the cut favours the left node, leaving the right-most node only the minimum
 *   (`b_end - mt_min_slots`), because more in-order stores will follow; the end-of-bulk
 *   fix-up repairs the last node (bulk.ts).
 *
 * @example
 * ```ts
 * import { middleSplit } from "./split.ts";
 * import { BigNode } from "./path.ts";
 * import { LEAF } from "./node.ts";
 * const big = new BigNode();
 * big.start(0, 999);
 * for (let i = 0; i < 17; i++) big.push(i, i * 10 + 9, 0);
 * console.log(middleSplit(big, LEAF)); // 8: entries 0..8 go left
 * ```
 *
 * @module
 */

import { MAX_INDEX } from "../contract.ts";
import {
  ARANGE,
  type Arena,
  AT_BITS,
  AT_SHIFT,
  GAPS,
  KIND,
  LEAF,
  minSlotsOf,
  PIVOTS,
  slotsOf,
  STRIDE,
} from "./node.ts";
import type { BigNode } from "./path.ts";

/** Move a cut off an empty slot: right if the right part stays above minimum, else left. */
export function noNullSplit(big: BigNode, split: number, kind: number): number {
  if (kind !== LEAF || big.slots[split] !== undefined) return split;
  const bEnd = big.count - 1;
  if (split < slotsOf(kind) - 1 && bEnd - split > minSlotsOf(kind)) return split + 1;
  return split - 1;
}

/** The ordinary two-way cut: index of the last entry of the left node. */
export function middleSplit(big: BigNode, kind: number): number {
  return noNullSplit(big, (big.count - 1) >> 1, kind);
}

/** The bulk cut: the right node gets only the minimum (left-favouring). */
export function bulkSplit(big: BigNode, kind: number): number {
  let split = big.count - 1 - minSlotsOf(kind);
  if (kind === LEAF && big.slots[split] === undefined) split--;
  return split;
}

/** Whether a level of `count` entries needs a three-way cut. */
export function needsThreeWay(big: BigNode, kind: number): boolean {
  const slots = slotsOf(kind);
  const bEnd = big.count - 1;
  if (bEnd >= 2 * slots) return true;
  return kind === LEAF && bEnd >= 2 * slots - 1 && big.slots[bEnd >> 1] === undefined;
}

/**
 * The two cuts of a three-way split: a third and two thirds of the last index, each moved
 * off an empty slot (`mab_calc_split`); the right node gets what the rounding leaves over.
 */
export function threeWaySplit(big: BigNode, kind: number, out: Int32Array): void {
  const third = Math.floor((big.count - 1) / 3);
  out[0] = noNullSplit(big, third, kind);
  out[1] = noNullSplit(big, 2 * third, kind);
}

/**
 * Fill `node` with entries `from .. to` of `big` as a node of `kind`; returns its largest
 * gap (0 outside allocation trees).
 */
export function fillNode(
  a: Arena,
  node: number,
  kind: number,
  big: BigNode,
  from: number,
  to: number,
  trackGaps: boolean,
): number {
  // Node 0 is NULL. The kernel faults when it writes through a NULL node; arrays do not,
  // so the node layer faults here, the way JavaScript reports a null dereference.
  if (!(node > 0)) {
    throw new TypeError(`Cannot set properties of null (setting 'parent'): node ${node}`);
  }
  const piv = a.piv;
  const slots = a.slots;
  const bigSlots = big.slots;
  const bigPivots = big.pivots;
  const b = node * STRIDE;
  const end = to - from;
  a.meta[node] = (a.meta[node] & ~KIND) | kind;
  piv[b] = end;
  for (let j = 0; j <= end; j++) slots[b + j] = bigSlots[from + j];
  for (let j = end + 1; j < STRIDE; j++) slots[b + j] = undefined;
  for (let j = 0; j < end; j++) piv[b + 1 + j] = bigPivots[from + j];
  for (let j = end; j < PIVOTS; j++) piv[b + 1 + j] = 0;
  if (!trackGaps) return 0;
  let best = 0;
  if (kind === ARANGE) {
    // Copy the children's gaps and find the largest (the gap offset) in the same pass.
    const g = a.gapBlock(node);
    const gaps = a.gaps;
    const bigGaps = big.gaps;
    let at = 0;
    for (let j = 0; j <= end; j++) {
      const gap = bigGaps[from + j];
      gaps[g + j] = gap;
      if (gap > best) {
        best = gap;
        at = j;
      }
    }
    for (let j = end + 1; j < GAPS; j++) gaps[g + j] = 0;
    a.meta[node] = (a.meta[node] & ~AT_BITS) | (at << AT_SHIFT);
    return best;
  }
  // A leaf's largest empty run, from the big node's explicit bounds (no second pass).
  let lo = big.lo(from);
  for (let j = 0; j <= end; j++) {
    const hi = bigPivots[from + j];
    if (bigSlots[from + j] === undefined && hi - lo + 1 > best) best = hi - lo + 1;
    lo = hi + 1;
  }
  return best;
}

/** Whether a slice would be a valid non-root node: not under-filled unless right-most. */
export function sliceOk(big: BigNode, from: number, to: number, kind: number): boolean {
  const count = to - from + 1;
  if (count > slotsOf(kind)) return false;
  if (big.pivots[to] === MAX_INDEX) return true;
  if (count - 1 < minSlotsOf(kind)) return false;
  return kind !== LEAF || big.slots[to] !== undefined;
}
