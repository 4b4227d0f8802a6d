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
 * a.meta[leaf] = LEAF;
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
import { type Arena, AT_BITS, AT_SHIFT, BLOCK_SHIFT, GAPS, KIND, LEAF, STRIDE } from "./node.ts";
import { MAX_DEPTH, type Path } from "./path.ts";

/** Largest empty run of a leaf covering `[min, max]`. */
export function leafMaxGap(a: Arena, leaf: number, min: number, max: number): number {
  const piv = a.piv;
  const slots = a.slots;
  const b = leaf * STRIDE;
  const end = piv[b];
  if (end > 0 && slots[b + end] === undefined) {
    // An empty last run longer than the rest of the leaf is the largest, without a scan
    // (the right-most leaf of a VMA tree: the free space up to the top of the index space).
    const lastLo = piv[b + end] + 1;
    if (max - lastLo + 1 > lastLo - min) return max - lastLo + 1;
  }
  let best = 0;
  let lo = min;
  for (let i = 0; i < end; i++) {
    const hi = piv[b + 1 + i];
    if (slots[b + i] === undefined && hi - lo + 1 > best) best = hi - lo + 1;
    lo = hi + 1;
  }
  // The last slot runs to the leaf's max.
  if (slots[b + end] === undefined && max - lo + 1 > best) best = max - lo + 1;
  return best;
}

/** Recompute an arange node's gap offset from its gaps; returns the largest gap. */
export function refreshGapOffset(a: Arena, node: number): number {
  const gaps = a.gaps;
  const g = a.gapBase(node);
  const end = a.piv[node * STRIDE];
  let best = 0;
  let at = 0;
  for (let i = 0; i <= end; i++) {
    if (gaps[g + i] > best) {
      best = gaps[g + i];
      at = i;
    }
  }
  a.meta[node] = (a.meta[node] & ~AT_BITS) | (at << AT_SHIFT);
  return best;
}

/** Largest empty run under a node covering `[min, max]`. */
export function nodeMaxGap(a: Arena, node: number, min: number, max: number): number {
  return (a.meta[node] & KIND) === LEAF
    ? leafMaxGap(a, node, min, max)
    : a.gaps[a.gapBase(node) + ((a.meta[node] & AT_BITS) >> AT_SHIFT)];
}

/**
 * After the node at `path.node[depth]` changed, carry its largest gap up to the root,
 * stopping as soon as a parent already records the same value (facts §5.7).
 */
export function updateGaps(a: Arena, path: Path, depth: number): void {
  const gaps = a.gaps;
  const meta = a.meta;
  let gap = nodeMaxGap(a, path.node[depth], path.min[depth], path.max[depth]);
  for (let d = depth; d > 0; d--) {
    // `gap` is the largest gap under path.node[d]; record it in the parent.
    const pm = path.node[d - 1];
    const word = meta[pm];
    const g = ((word >> BLOCK_SHIFT) - 1) * GAPS;
    const off = path.off[d - 1];
    const old = gaps[g + off];
    if (old === gap) return;
    const at = (word & AT_BITS) >> AT_SHIFT;
    const parentMax = gaps[g + at];
    gaps[g + off] = gap;
    if (at === off) {
      // The largest gap changed: growing, it stays the largest; shrinking needs a scan,
      // unless it still exceeds the whole width of the parent's other children.
      if (gap < old) {
        const others = path.max[d - 1] - path.min[d - 1] - (path.max[d] - path.min[d]);
        if (gap <= others) gap = refreshGapOffset(a, path.node[d - 1]);
      }
    } else if (gap > parentMax) {
      // Strictly larger than every other gap: the new largest.
      meta[pm] = (word & ~AT_BITS) | (off << AT_SHIFT);
    } else {
      return; // the parent's largest gap is unchanged, and so is everything above it
    }
  }
}

/**
 * Where a search puts the area it found: `[first, last]`, in a Float64Array so the
 * searches store plain doubles (no object fields to keep in a double representation).
 */
type Found = Float64Array;

/**
 * Where a search left each ancestor: the node, the next slot to look at, that slot's bound
 * toward the search direction (its lower bound going forward, its upper bound going back)
 * and the node's far bound. The searches are loops over this stack, not recursive calls.
 */
const stackNode = new Int32Array(MAX_DEPTH);
const stackSlot = new Int32Array(MAX_DEPTH);
const stackNear = new Float64Array(MAX_DEPTH);
const stackFar = new Float64Array(MAX_DEPTH);

/**
 * The lowest `size` empty indices inside `[wmin, wmax]`: descend into the first child that
 * reaches `wmin` and whose recorded gap can hold `size` (any child when the internal nodes
 * are not `tracked`, i.e. outside allocation trees: every internal node of a tree is of the
 * one kind, so the node's kind need not be read), and step back up to the next such child
 * when a subtree has no fit.
 */
function searchForward(
  a: Arena,
  leafDepth: number,
  tracked: boolean,
  root: number,
  wmin: number,
  wmax: number,
  size: number,
  out: Found,
): boolean {
  const piv = a.piv;
  const slots = a.slots;
  const gaps = a.gaps;
  const meta = a.meta;
  let node = root | 0;
  let d = 0;
  let i = 0;
  let lo = 0;
  let max = TOP;
  let entering = true;
  for (;;) {
    const b = node * STRIDE;
    const end = piv[b];
    if (entering) {
      // Start at the slot holding `wmin`: the slots before it cannot hold an area.
      if (lo < wmin) {
        let j = 0;
        while (j < end && piv[b + 1 + j] < wmin) j++;
        if (j > 0) lo = piv[b + j] + 1;
        i = j;
      } else {
        i = 0;
      }
      entering = false;
    }
    if (d === leafDepth) {
      for (; i <= end; i++) {
        if (lo > wmax) return false;
        const hi = i < end ? piv[b + 1 + i] : max;
        if (slots[b + i] === undefined && hi >= wmin) {
          const first = lo > wmin ? lo : wmin;
          const last = hi < wmax ? hi : wmax;
          if (last - first + 1 >= size) {
            out[0] = first;
            out[1] = first + size - 1;
            return true;
          }
        }
        lo = hi + 1;
      }
    } else {
      const g = ((meta[node] >> BLOCK_SHIFT) - 1) * GAPS;
      let child = 0;
      for (; i <= end; i++) {
        if (lo > wmax) return false;
        const hi = i < end ? piv[b + 1 + i] : max;
        if (hi >= wmin && (!tracked || gaps[g + i] >= size)) {
          stackNode[d] = node;
          stackSlot[d] = i + 1;
          stackNear[d] = hi + 1;
          stackFar[d] = max;
          child = (slots[b + i] as number) | 0;
          max = hi;
          break;
        }
        lo = hi + 1;
      }
      if (child !== 0) {
        node = child;
        d++;
        entering = true;
        continue;
      }
    }
    // Nothing fits below this node: resume its parent after it.
    if (d === 0) return false;
    d--;
    node = stackNode[d];
    i = stackSlot[d];
    lo = stackNear[d];
    max = stackFar[d];
  }
}

/** Mirror image of {@link searchForward}: the highest fit, scanning slots right to left. */
function searchReverse(
  a: Arena,
  leafDepth: number,
  tracked: boolean,
  root: number,
  wmin: number,
  wmax: number,
  size: number,
  out: Found,
): boolean {
  const piv = a.piv;
  const slots = a.slots;
  const gaps = a.gaps;
  const meta = a.meta;
  let node = root | 0;
  let d = 0;
  let i = 0;
  let hi = TOP;
  let min = 0;
  let entering = true;
  for (;;) {
    const b = node * STRIDE;
    if (entering) {
      // Start at the slot holding `wmax`, found by a forward pivot scan as a walk does
      // (reading the pivots in memory order), instead of stepping back over every slot above.
      const end = piv[b];
      let j = 0;
      if (hi > wmax) {
        while (j < end && piv[b + 1 + j] < wmax) j++;
        if (j < end) hi = piv[b + 1 + j];
      } else {
        j = end;
      }
      i = j;
      entering = false;
    }
    if (d === leafDepth) {
      for (; i >= 0; i--) {
        if (hi < wmin) return false;
        const lo = i > 0 ? piv[b + i] + 1 : min;
        if (lo <= wmax && slots[b + i] === undefined) {
          const first = lo > wmin ? lo : wmin;
          const last = hi < wmax ? hi : wmax;
          if (last - first + 1 >= size) {
            out[0] = last - size + 1;
            out[1] = last;
            return true;
          }
        }
        hi = lo - 1;
      }
    } else {
      const g = ((meta[node] >> BLOCK_SHIFT) - 1) * GAPS;
      let child = 0;
      for (; i >= 0; i--) {
        if (hi < wmin) return false;
        const lo = i > 0 ? piv[b + i] + 1 : min;
        if (lo <= wmax && (!tracked || gaps[g + i] >= size)) {
          stackNode[d] = node;
          stackSlot[d] = i - 1;
          stackNear[d] = lo - 1;
          stackFar[d] = min;
          child = (slots[b + i] as number) | 0;
          min = lo;
          break;
        }
        hi = lo - 1;
      }
      if (child !== 0) {
        node = child;
        d++;
        entering = true;
        continue;
      }
    }
    if (d === 0) return false;
    d--;
    node = stackNode[d];
    i = stackSlot[d];
    hi = stackNear[d];
    min = stackFar[d];
  }
}

/** The top of the index space, as the root's implied max. */
const TOP = Number.MAX_SAFE_INTEGER;

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

const found: Found = new Float64Array(2);

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
  const hit = reverse
    ? searchReverse(a, ld, core.allocRange, root, min, max, size, found)
    : searchForward(a, ld, core.allocRange, root, min, max, size, found);
  return hit ? { first: found[0], last: found[1] } : undefined;
}
