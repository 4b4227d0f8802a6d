/**
 * Gap tracking (allocation trees) and the empty-area searches (facts §2.3, §5.7).
 *
 * Invariant kept here: in an allocation tree every arange node's gap `i` equals the largest
 * empty run (in indices) under child `i`, and its gap offset names the largest of them.
 * Leaves keep no gaps; their largest gap is found by scanning their empty slots.
 *
 * @example
 * ```ts
 * import { leafMaxGap } from "./gaps.ts";
 * import { Arena, LEAF, STRIDE } from "./node.ts";
 * const a = new Arena(2);
 * const leaf = a.take();
 * a.meta[leaf << 2] = LEAF;
 * a.slots[leaf * STRIDE] = "a";
 * a.piv[leaf * STRIDE + 1] = 9;
 * a.piv[leaf * STRIDE] = 1;
 * console.log(leafMaxGap(a, leaf, 0, 99)); // 90
 * ```
 *
 * @module
 */

import type { Area } from "../contract.ts";
import type { TreeCore } from "./core.ts";
import { ARANGE, type Arena, GAPS, LEAF, STRIDE } from "./node.ts";
import type { Path } from "./path.ts";

/** Largest empty run of a leaf covering `[min, max]`. */
export function leafMaxGap(a: Arena, leaf: number, min: number, max: number): number {
  const piv = a.piv;
  const slots = a.slots;
  const b = leaf * STRIDE;
  const end = piv[b];
  let best = 0;
  let lo = min;
  for (let i = 0; i <= end; i++) {
    const hi = i < end ? piv[b + 1 + i] : max;
    if (slots[b + i] === undefined && hi - lo + 1 > best) best = hi - lo + 1;
    lo = hi + 1;
  }
  return best;
}

/** Recompute an arange node's gap offset from its gaps; returns the largest gap. */
export function refreshGapOffset(a: Arena, node: number): number {
  const gaps = a.gaps;
  const g = node * GAPS;
  const end = a.piv[node * STRIDE];
  let best = 0;
  let at = 0;
  for (let i = 0; i <= end; i++) {
    if (gaps[g + i] > best) {
      best = gaps[g + i];
      at = i;
    }
  }
  a.meta[(node << 2) + 1] = at;
  return best;
}

/** Largest empty run under a node covering `[min, max]`. */
export function nodeMaxGap(a: Arena, node: number, min: number, max: number): number {
  return a.meta[node << 2] === LEAF
    ? leafMaxGap(a, node, min, max)
    : a.gaps[node * GAPS + a.meta[(node << 2) + 1]];
}

/**
 * After the node at `path.node[depth]` changed, carry its largest gap up to the root,
 * stopping as soon as a parent already records the same value (facts §5.7).
 */
export function updateGaps(a: Arena, path: Path, depth: number): void {
  const gaps = a.gaps;
  for (let d = depth; d > 0; d--) {
    const gap = nodeMaxGap(a, path.node[d], path.min[d], path.max[d]);
    const parent = path.node[d - 1];
    const g = parent * GAPS;
    const off = path.off[d - 1];
    if (gaps[g + off] === gap) return;
    const wasMax = a.meta[(parent << 2) + 1] === off;
    const parentMax = gaps[g + a.meta[(parent << 2) + 1]];
    gaps[g + off] = gap;
    if (!wasMax && gap <= parentMax) return;
    refreshGapOffset(a, parent);
  }
}

/** Scratch result of a search. */
interface Found {
  first: number;
  last: number;
}

/** Forward search below `node` (covering `[min, max]`) for `size` empty indices in the window. */
function searchForward(
  a: Arena,
  leafDepth: number,
  node: number,
  min: number,
  max: number,
  depth: number,
  wmin: number,
  wmax: number,
  size: number,
  out: Found,
): boolean {
  const piv = a.piv;
  const b = node * STRIDE;
  const end = piv[b];
  let lo = min;
  if (depth === leafDepth) {
    for (let i = 0; i <= end && lo <= wmax; i++) {
      const hi = i < end ? piv[b + 1 + i] : max;
      if (a.slots[b + i] === undefined && hi >= wmin) {
        const first = lo > wmin ? lo : wmin;
        const last = hi < wmax ? hi : wmax;
        if (last - first + 1 >= size) {
          out.first = first;
          out.last = first + size - 1;
          return true;
        }
      }
      lo = hi + 1;
    }
    return false;
  }
  const tracked = a.meta[node << 2] === ARANGE;
  const g = node * GAPS;
  for (let i = 0; i <= end && lo <= wmax; i++) {
    const hi = i < end ? piv[b + 1 + i] : max;
    if (hi >= wmin && (!tracked || a.gaps[g + i] >= size)) {
      const child = a.slots[b + i] as number;
      if (searchForward(a, leafDepth, child, lo, hi, depth + 1, wmin, wmax, size, out)) {
        return true;
      }
    }
    lo = hi + 1;
  }
  return false;
}

/** Reverse search: the highest fitting area. */
function searchReverse(
  a: Arena,
  leafDepth: number,
  node: number,
  min: number,
  max: number,
  depth: number,
  wmin: number,
  wmax: number,
  size: number,
  out: Found,
): boolean {
  const piv = a.piv;
  const b = node * STRIDE;
  const end = piv[b];
  const leaf = depth === leafDepth;
  const tracked = a.meta[node << 2] === ARANGE;
  const g = node * GAPS;
  let hi = max;
  for (let i = end; i >= 0 && hi >= wmin; i--) {
    const lo = i > 0 ? piv[b + i] + 1 : min;
    if (lo <= wmax) {
      if (leaf) {
        if (a.slots[b + i] === undefined) {
          const first = lo > wmin ? lo : wmin;
          const last = hi < wmax ? hi : wmax;
          if (last - first + 1 >= size) {
            out.first = last - size + 1;
            out.last = last;
            return true;
          }
        }
      } else if (!tracked || a.gaps[g + i] >= size) {
        const child = a.slots[b + i] as number;
        if (searchReverse(a, leafDepth, child, lo, hi, depth + 1, wmin, wmax, size, out)) {
          return true;
        }
      }
    }
    hi = lo - 1;
  }
  return false;
}

/** A key checker (keys.ts) passed in to keep this module free of policy. */
export type CheckKey = (name: string, value: number) => void;

/** Check the arguments of an empty-area search (RangeError naming the argument). */
export function checkAreaArgs(min: number, max: number, size: number, check: CheckKey): void {
  check("min", min);
  check("max", max);
  if (min >= max) throw new RangeError(`min (${min}) must be below max (${max})`);
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`size must be a positive integer, got ${size}`);
  }
}

const found: Found = { first: 0, last: 0 };

/**
 * The lowest (or, `reverse`, highest) empty area of `size` indices inside `[min, max]`.
 * Searches descend only into children whose recorded gap can hold `size` (allocation trees).
 */
export function emptyArea(
  core: TreeCore,
  min: number,
  max: number,
  size: number,
  reverse: boolean,
): Area | undefined {
  const root = core.root;
  if (root === 0) {
    // Empty tree, or a lone [0, 0] entry: index 0 is taken in the latter.
    const lo = core.rootValue !== undefined && min === 0 ? 1 : min;
    if (max - lo + 1 < size) return undefined;
    return reverse ? { first: max - size + 1, last: max } : { first: lo, last: lo + size - 1 };
  }
  const a = core.arena;
  const ld = core.height - 1;
  const top = Number.MAX_SAFE_INTEGER;
  const hit = reverse
    ? searchReverse(a, ld, root, 0, top, 0, min, max, size, found)
    : searchForward(a, ld, root, 0, top, 0, min, max, size, found);
  return hit ? { first: found.first, last: found.last } : undefined;
}
