/**
 * Bulk mode (facts §6.4): the node estimate of `expectedEntries` and the end-of-bulk fix-up.
 *
 * The estimate assumes every entry is followed by an empty gap (2n + 1 ranges), leaves 14/16
 * full and internal nodes 8/10 full (14/16 outside allocation trees), counts one internal
 * level, and adds 3 nodes of working room for the split in progress: two new nodes and a new
 * parent. Replaced nodes go back to the pool (no RCU), so a split costs one node net.
 *
 * Bulk splits leave the right-most leaf with only the minimum; the kernel's fix-up moves
 * entries from its left sibling only when it ended up with fewer than that, in place.
 *
 * @example
 * ```ts
 * import { bulkEstimate } from "./bulk.ts";
 * console.log(bulkEstimate(1000, true)); // 164
 * ```
 *
 * @module
 */

import { ARANGE_SLOTS, RANGE_SLOTS } from "../contract.ts";
import type { TreeCore } from "./core.ts";
import { leafMaxGap, refreshGapOffset, updateGaps } from "./gaps.ts";
import { LEAF, minSlotsOf, STRIDE } from "./node.ts";
import { walkTo } from "./path.ts";
import { fillNode } from "./split.ts";

/** Working room of the estimate: two nodes for a split plus a new parent. */
export const BULK_WORKING_ROOM = 3;

/** Nodes `expectedEntries(count)` promises. */
export function bulkEstimate(count: number, allocRange: boolean): number {
  const ranges = Math.max(count, 2 * count + 1);
  const leaves = Math.ceil(ranges / (RANGE_SLOTS - 2));
  const internalFill = allocRange ? ARANGE_SLOTS - 2 : RANGE_SLOTS - 2;
  const internal = Math.ceil(leaves / internalFill);
  return leaves + internal + BULK_WORKING_ROOM;
}

/**
 * The end-of-bulk fix-up (`mas_destroy_rebalance`): if the leaf holding `lastIndex` has fewer
 * than `mt_min_slots - 1` entries (4 or fewer), its left sibling keeps its first half, one
 * more when that half would end on an empty slot, and hands the rest over, in place. A load in
 * address order never needs it: a bulk split leaves the last leaf `mt_min_slots` entries and
 * later stores only add to it (checked against kernel 6.1 on 4,800 loads); stores out of
 * order in bulk mode can.
 */
export function bulkFixup(core: TreeCore, lastIndex: number): void {
  const root = core.root;
  if (root === 0 || core.height < 2) return;
  const a = core.arena;
  const path = core.left;
  const ld = core.leafDepth;
  walkTo(a, root, core.height, path, lastIndex);
  const leaf = path.node[ld];
  const leafEnd = a.piv[leaf * STRIDE];
  if (leafEnd + 1 >= minSlotsOf(LEAF) - 1) return;
  const parent = path.node[ld - 1];
  const pb = parent * STRIDE;
  const o = path.off[ld - 1];
  if (o === 0) return;
  const sib = a.slots[pb + o - 1] as number;
  const sibEnd = a.piv[sib * STRIDE];
  let split = RANGE_SLOTS / 2;
  if (a.slots[sib * STRIDE + split] === undefined) split++;
  // A bulk split leaves the sibling more than that; the kernel would copy garbage otherwise.
  if (sibEnd <= split) return;
  const big = core.big;
  const sibMin = o > 1 ? a.piv[pb + o - 1] + 1 : path.min[ld - 1];
  const sibMax = a.piv[pb + o];
  big.start(sibMin, path.max[ld]);
  big.pushFrom(a, sib, 0, sibEnd, sibMax);
  big.pushFrom(a, leaf, 0, leafEnd, path.max[ld]);
  fillNode(a, sib, LEAF, big, 0, split, false);
  fillNode(a, leaf, LEAF, big, split + 1, big.count - 1, false);
  a.piv[pb + o] = big.pivots[split];
  if (core.allocRange) {
    const g = a.gapBase(parent);
    a.gaps[g + o - 1] = leafMaxGap(a, sib, sibMin, big.pivots[split]);
    a.gaps[g + o] = leafMaxGap(a, leaf, big.pivots[split] + 1, path.max[ld]);
    refreshGapOffset(a, parent);
    updateGaps(a, path, ld - 1);
  }
  big.clearRefs();
  core.version++;
}
