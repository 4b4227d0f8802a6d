/**
 * Paths from the root to a node, and the big node used while splitting and merging.
 *
 * A {@linkcode Path} records, per depth, the node, the slot taken and the node's implied
 * `[min, max]`; the write path keeps a left and a right one (facts §5.5) instead of parent
 * pointers, so there is no back-link to keep right. A {@linkcode BigNode} holds the data of
 * one level while a write rebuilds it (facts §5.2), with an explicit upper bound per entry.
 *
 * @example
 * ```ts
 * import { BigNode } from "./path.ts";
 * const big = new BigNode();
 * big.start(0, 99);
 * big.push("a", 9, 0);
 * big.push(undefined, 99, 90);
 * console.log(big.count); // 2
 * ```
 *
 * @module
 */

import { MAX_INDEX } from "../contract.ts";
import { ARANGE, type Arena, genericArray, KIND, STRIDE } from "./node.ts";

/** Deeper than any tree can grow (the kernel's MAPLE_HEIGHT_MAX is 31). */
export const MAX_DEPTH = 40;

/** The nodes from the root down to some depth. */
export class Path {
  readonly node: Int32Array = new Int32Array(MAX_DEPTH);
  readonly off: Int32Array = new Int32Array(MAX_DEPTH);
  readonly min: Float64Array = new Float64Array(MAX_DEPTH);
  readonly max: Float64Array = new Float64Array(MAX_DEPTH);

  /** Copy levels `0 .. depth` of `other`. */
  copyFrom(other: Path, depth: number): void {
    for (let d = 0; d <= depth; d++) {
      this.node[d] = other.node[d];
      this.off[d] = other.off[d];
      this.min[d] = other.min[d];
      this.max[d] = other.max[d];
    }
  }
}

/**
 * Keys pass through a one-element Float64Array so optimized code always sees a float64:
 * callers mix small keys (Smis) and large ones (heap numbers), and comparing a pivot with
 * a parameter of either kind sent V8's optimizing tiers into a deoptimization loop
 * (measured: writes 5x slower).
 */
const keyBox = new Float64Array(1);

/** `value` as a float64 (see {@link keyBox}). */
export function asDouble(value: number): number {
  keyBox[0] = value;
  return keyBox[0];
}

/**
 * Fill `path` from `root` down to the leaf holding `index`: at each node take the first slot
 * whose pivot is >= index, or the last used slot (facts §3). Returns the leaf.
 */
export function walkTo(
  a: Arena,
  root: number,
  height: number,
  path: Path,
  index: number,
): number {
  const piv = a.piv;
  const slots = a.slots;
  const key = asDouble(index);
  // Node ids are small integers; `| 0` keeps them int32 in optimized code, so the id this
  // returns is a Smi (a float64 phi here made V8 return heap numbers and deoptimize callers).
  let node = root | 0;
  let min = 0;
  let max = MAX_INDEX;
  const leafDepth = height - 1;
  for (let d = 0;; d++) {
    path.node[d] = node;
    path.min[d] = min;
    path.max[d] = max;
    const b = node * STRIDE;
    // An int32 end keeps the slot index an integer (a double read from `piv` does not).
    const end = piv[b] | 0;
    let off = 0;
    if (d === leafDepth) {
      while (off < end && piv[b + 1 + off] < key) off++;
      path.off[d] = off;
      return node;
    }
    // Internal nodes count the pivots below `key` (pivots increase up to `end`, so the count
    // is the slot): no loop exit that depends on the data, as in load and the gap searches.
    for (let k = b + 1; k <= b + end; k++) off += +(piv[k] < key);
    path.off[d] = off;
    if (off > 0) min = piv[b + off] + 1;
    if (off < end) max = piv[b + 1 + off];
    node = (slots[b + off] as number) | 0;
  }
}

/** Set level `d + 1` of `path` to child `path.off[d]` of level `d`; returns the child. */
function descendOne(a: Arena, path: Path, d: number): number {
  const node = path.node[d];
  const off = path.off[d];
  const b = node * STRIDE;
  const child = a.slots[b + off] as number;
  path.node[d + 1] = child;
  path.min[d + 1] = off > 0 ? a.piv[b + off] + 1 : path.min[d];
  path.max[d + 1] = off < a.piv[b] ? a.piv[b + 1 + off] : path.max[d];
  return child;
}

/**
 * Move level `depth` of `path` to the next node at that depth (a sibling or a cousin),
 * climbing until an ancestor has a further slot. Returns false at the right edge.
 */
export function nextNode(a: Arena, path: Path, depth: number): boolean {
  let d = depth - 1;
  while (d >= 0 && path.off[d] === a.piv[path.node[d] * STRIDE]) d--;
  if (d < 0) return false;
  path.off[d]++;
  for (; d < depth; d++) {
    descendOne(a, path, d);
    if (d + 1 < depth) path.off[d + 1] = 0;
  }
  return true;
}

/** Mirror image of {@link nextNode}. */
export function prevNode(a: Arena, path: Path, depth: number): boolean {
  let d = depth - 1;
  while (d >= 0 && path.off[d] === 0) d--;
  if (d < 0) return false;
  path.off[d]--;
  for (; d < depth; d++) {
    const child = descendOne(a, path, d);
    if (d + 1 < depth) path.off[d + 1] = a.piv[child * STRIDE];
  }
  return true;
}

/** Lower bound of slot `off` of `node`, whose own range starts at `min`. */
export function slotMin(a: Arena, node: number, off: number, min: number): number {
  return off > 0 ? a.piv[node * STRIDE + off] + 1 : min;
}

/** Upper bound of slot `off` of `node`, whose own range ends at `max`. */
export function slotMax(a: Arena, node: number, off: number, max: number): number {
  const b = node * STRIDE;
  return off < a.piv[b] ? a.piv[b + 1 + off] : max;
}

/** Room for the biggest level a write can build (two nodes plus a neighbour). */
const BIG_SLOTS = 72;

/** One level's data during a rebuild: entries with explicit upper bounds (facts §5.2). */
export class BigNode {
  readonly slots: unknown[] = genericArray(BIG_SLOTS);
  readonly pivots: Float64Array = new Float64Array(BIG_SLOTS);
  /** Internal levels of allocation trees: the largest gap under each child. */
  readonly gaps: Float64Array = new Float64Array(BIG_SLOTS);
  count = 0;
  min = 0;
  max = 0;

  /** Empty the big node; it will cover `[min, max]`. */
  start(min: number, max: number): void {
    this.count = 0;
    this.min = min;
    this.max = max;
  }

  /** Append one entry ending at `pivot`. */
  push(slot: unknown, pivot: number, gap: number): void {
    const i = this.count++;
    this.slots[i] = slot;
    this.pivots[i] = pivot;
    this.gaps[i] = gap;
  }

  /** Append slots `from .. to` of `node`, whose implied max is `max`. */
  pushFrom(a: Arena, node: number, from: number, to: number, max: number): void {
    const b = node * STRIDE;
    const piv = a.piv;
    const src = a.slots;
    const end = piv[b];
    const slots = this.slots;
    const pivots = this.pivots;
    const gaps = this.gaps;
    let n = this.count;
    for (let i = from; i <= to; i++, n++) {
      slots[n] = src[b + i];
      pivots[n] = i < end ? piv[b + 1 + i] : max;
    }
    if ((a.meta[node] & KIND) === ARANGE) {
      const g = a.gapBase(node);
      for (let i = from, j = this.count; i <= to; i++, j++) gaps[j] = a.gaps[g + i];
    } else {
      for (let j = this.count; j < n; j++) gaps[j] = 0;
    }
    this.count = n;
  }

  /** Append every entry of `other`. */
  pushAll(other: BigNode): void {
    for (let i = 0; i < other.count; i++) this.push(other.slots[i], other.pivots[i], other.gaps[i]);
  }

  /** Lower bound of entry `i`. */
  lo(i: number): number {
    return i > 0 ? this.pivots[i - 1] + 1 : this.min;
  }

  /** Drop references so values can be collected (a loop: `fill` calls into C++). */
  clearRefs(): void {
    const slots = this.slots;
    for (let i = 0; i < this.count; i++) slots[i] = undefined;
  }
}
