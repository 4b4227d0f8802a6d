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
 * The path a search took: per depth, the node and the slot of the child it is in (kept up to
 * date as the search steps right or left, so `stackSlot[k]` always names the child holding
 * depth `k + 1`). Only these two are kept: a node's bounds are rebuilt from them on the rare
 * occasions they are needed ({@link boundBelow}, {@link boundAbove}), which keeps the walk
 * down as cheap as a load's. One stack serves every tree: a search runs to completion and
 * calls out to nothing. The searches are loops over it, not recursive calls.
 */
const stackNode = new Int32Array(MAX_DEPTH);
const stackSlot = new Int32Array(MAX_DEPTH);

/** The lower bound of the node at depth `d` of the search stack. */
function boundBelow(piv: number[], d: number): number {
  for (let k = d - 1; k >= 0; k--) {
    const s = stackSlot[k];
    if (s > 0) return piv[stackNode[k] * STRIDE + s] + 1;
  }
  return 0;
}

/** The upper bound of the node at depth `d` of the search stack. */
function boundAbove(piv: number[], d: number): number {
  for (let k = d - 1; k >= 0; k--) {
    const b = stackNode[k] * STRIDE;
    const s = stackSlot[k];
    if (s < (piv[b] | 0)) return piv[b + 1 + s];
  }
  return TOP;
}

/**
 * The lowest `size` empty indices inside `[wmin, wmax]`. Walk down to the leaf holding
 * `wmin` as a load does, and scan it from there; when it has no fit, step to the next child
 * to the right, at the lowest level that has one, whose recorded gap can hold `size`, and
 * go down its left-most such children. When the internal nodes are not `tracked` (outside
 * allocation trees: every internal node of a tree is of the one kind, so the node's kind
 * need not be read) every child qualifies.
 *
 * On the way down, the slot holding `wmin` is found by counting the pivots below it rather
 * than by a loop that stops at the first pivot at or above it: the count has no branch that
 * depends on the data, and a mispredicted loop exit per level cost more than the extra
 * compares (measured: about 13 ns less per search in a tree of 10,000 ranges). Pivots are
 * increasing up to `end`, so the count is the slot. Leaves keep the early-exit loop, which
 * measured as fast there. `end` is read as `piv[b] | 0`: a count read from the pivots'
 * double array would make every slot index a double (measured: 8-15 ns more per search).
 * The recorded gap of the child holding `wmin` is checked only at the leaf's parent: a gap
 * higher up says nothing of where in the subtree the room lies, so a check there only saves a
 * few cheap levels, while skipping a leaf saves a whole scan (measured: about 5 ns less per
 * search than checking at every level).
 */
function searchForward(
  a: Arena,
  leafDepth: number,
  tracked: boolean,
  root: number,
  wmin: number,
  wmax: number,
  size: number,
): Area | undefined {
  const piv = a.piv;
  const slots = a.slots;
  const gaps = a.gaps;
  const meta = a.meta;
  let node = root | 0;
  let d = 0;
  let i = 0;
  let inLeaf = true;
  for (;; d++) {
    const b = node * STRIDE;
    const end = piv[b] | 0;
    i = 0;
    if (d === leafDepth) {
      while (i < end && piv[b + 1 + i] < wmin) i++;
      break;
    }
    for (let k = b + 1; k <= b + end; k++) i += +(piv[k] < wmin);
    stackNode[d] = node;
    stackSlot[d] = i;
    if (
      tracked && d === leafDepth - 1 && gaps[((meta[node] >> BLOCK_SHIFT) - 1) * GAPS + i] < size
    ) {
      inLeaf = false; // the leaf holding `wmin` is too small: move right from it
      break;
    }
    node = (slots[b + i] as number) | 0;
  }
  for (;;) {
    if (inLeaf) {
      // Scan leaf `node` (at depth `d`) from slot `i`; only its first slot may start below wmin.
      const b = node * STRIDE;
      const end = piv[b] | 0;
      let lo = i > 0 ? piv[b + i] + 1 : boundBelow(piv, d);
      for (; i < end; i++) {
        if (lo > wmax) return undefined;
        if (slots[b + i] === undefined) {
          const hi = piv[b + 1 + i];
          const first = lo > wmin ? lo : wmin;
          const last = hi < wmax ? hi : wmax;
          if (last - first + 1 >= size) return { first, last: first + size - 1 };
        }
        lo = piv[b + 1 + i] + 1;
      }
      // The last slot runs to the leaf's max.
      if (lo > wmax) return undefined;
      if (slots[b + end] === undefined) {
        const hi = boundAbove(piv, d);
        const first = lo > wmin ? lo : wmin;
        const last = hi < wmax ? hi : wmax;
        if (last - first + 1 >= size) return { first, last: first + size - 1 };
      }
      d--;
    }
    // Step right at depth `d`, climbing while a node has no further child that can hold `size`.
    let s = 0;
    for (;; d--) {
      if (d < 0) return undefined;
      node = stackNode[d];
      const b = node * STRIDE;
      const end = piv[b] | 0;
      s = stackSlot[d] + 1;
      if (tracked) {
        const g = ((meta[node] >> BLOCK_SHIFT) - 1) * GAPS;
        while (s <= end && gaps[g + s] < size) s++;
      }
      if (s <= end) {
        // Every child from here on starts after `wmax`.
        if (piv[b + s] + 1 > wmax) return undefined;
        stackSlot[d] = s;
        break;
      }
    }
    // Go down the left-most children that can hold `size` (tracked gaps promise one).
    inLeaf = true;
    node = (slots[node * STRIDE + s] as number) | 0;
    for (d++; d < leafDepth; d++) {
      const b = node * STRIDE;
      const end = piv[b] | 0;
      s = 0;
      if (tracked) {
        const g = ((meta[node] >> BLOCK_SHIFT) - 1) * GAPS;
        while (s <= end && gaps[g + s] < size) s++;
      }
      stackNode[d] = node;
      if (s > end) {
        stackSlot[d] = end; // no child fits after all: move right from the last one
        inLeaf = false;
        break;
      }
      stackSlot[d] = s;
      node = (slots[b + s] as number) | 0;
    }
    i = 0;
  }
}

/**
 * Mirror image of {@link searchForward}: walk down to the leaf holding `wmax`, then the
 * highest fit, scanning slots right to left and stepping left across nodes.
 */
function searchReverse(
  a: Arena,
  leafDepth: number,
  tracked: boolean,
  root: number,
  wmin: number,
  wmax: number,
  size: number,
): Area | undefined {
  const piv = a.piv;
  const slots = a.slots;
  const gaps = a.gaps;
  const meta = a.meta;
  let node = root | 0;
  let d = 0;
  let i = 0;
  let inLeaf = true;
  for (;; d++) {
    const b = node * STRIDE;
    const end = piv[b] | 0;
    i = 0;
    if (d === leafDepth) {
      while (i < end && piv[b + 1 + i] < wmax) i++;
      break;
    }
    for (let k = b + 1; k <= b + end; k++) i += +(piv[k] < wmax);
    stackNode[d] = node;
    stackSlot[d] = i;
    if (
      tracked && d === leafDepth - 1 && gaps[((meta[node] >> BLOCK_SHIFT) - 1) * GAPS + i] < size
    ) {
      inLeaf = false; // the leaf holding `wmax` is too small: move left from it
      break;
    }
    node = (slots[b + i] as number) | 0;
  }
  for (;;) {
    if (inLeaf) {
      // Scan leaf `node` from slot `i` down; only its first slot may end above wmax.
      const b = node * STRIDE;
      let hi = i < (piv[b] | 0) ? piv[b + 1 + i] : boundAbove(piv, d);
      for (; i > 0; i--) {
        if (hi < wmin) return undefined;
        if (slots[b + i] === undefined) {
          const lo = piv[b + i] + 1;
          const first = lo > wmin ? lo : wmin;
          const last = hi < wmax ? hi : wmax;
          if (last - first + 1 >= size) return { first: last - size + 1, last };
        }
        hi = piv[b + i];
      }
      // The first slot starts at the leaf's min.
      if (hi < wmin) return undefined;
      if (slots[b] === undefined) {
        const lo = boundBelow(piv, d);
        const first = lo > wmin ? lo : wmin;
        const last = hi < wmax ? hi : wmax;
        if (last - first + 1 >= size) return { first: last - size + 1, last };
      }
      d--;
    }
    // Step left at depth `d`, climbing while a node has no earlier child that can hold `size`.
    let s = 0;
    for (;; d--) {
      if (d < 0) return undefined;
      node = stackNode[d];
      const b = node * STRIDE;
      s = stackSlot[d] - 1;
      if (tracked) {
        const g = ((meta[node] >> BLOCK_SHIFT) - 1) * GAPS;
        while (s >= 0 && gaps[g + s] < size) s--;
      }
      if (s >= 0) {
        // Every child from here on ends before `wmin`.
        if (piv[b + 1 + s] < wmin) return undefined;
        stackSlot[d] = s;
        break;
      }
    }
    // Go down the right-most children that can hold `size`.
    inLeaf = true;
    node = (slots[node * STRIDE + s] as number) | 0;
    for (d++; d < leafDepth; d++) {
      const b = node * STRIDE;
      s = piv[b] | 0;
      if (tracked) {
        const g = ((meta[node] >> BLOCK_SHIFT) - 1) * GAPS;
        while (s >= 0 && gaps[g + s] < size) s--;
      }
      stackNode[d] = node;
      if (s < 0) {
        stackSlot[d] = 0; // no child fits after all: move left from the first one
        inLeaf = false;
        break;
      }
      stackSlot[d] = s;
      node = (slots[b + s] as number) | 0;
    }
    i = piv[node * STRIDE] | 0;
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

/**
 * The lowest (or, `reverse`, highest) empty area of `size` indices inside `[min, max]`.
 * Past the leaf holding the window's near end, searches enter only children whose recorded
 * gap can hold `size` (allocation trees).
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
  return reverse
    ? searchReverse(a, ld, core.allocRange, root, min, max, size)
    : searchForward(a, ld, core.allocRange, root, min, max, size);
}
