/**
 * Copying a tree for fork (facts §8).
 *
 * - `dupBulk` is 6.1's `dup_mmap`: promise `expectedEntries(count)` nodes, store every entry
 *   in address order through one bulk cursor, then `destroy()` (fix-up, free the rest).
 * - `dupStructural` is 6.8's `__mt_dup`: copy the source node by node in pre-order, so the
 *   copy has the source's exact shape and needs no split or rebalance; entries the copy
 *   function drops (VM_DONTCOPY) are erased afterwards. A copy that cannot get its nodes
 *   frees what it built and throws MapleAllocationError (the kernel's failure path).
 *
 * @example
 * ```ts
 * import { MapleTreeImpl } from "./tree.ts";
 * const tree = new MapleTreeImpl<number>({ allocRange: true });
 * for (let i = 0; i < 30; i++) tree.store(i * 0x3000, i * 0x3000 + 0x1fff, i);
 * const child = tree.dup();
 * console.log(child.count(), child.dupReport?.strategy);
 * ```
 *
 * @module
 */

import type { DupReport } from "../contract.ts";
import type { TreeCore } from "./core.ts";
import { type Arena, KIND, LEAF, STRIDE } from "./node.ts";
import { LeafWalker } from "./read.ts";
import type { MapleCursorImpl } from "./cursor.ts";

/** What dup needs of a tree (tree.ts provides it; kept as an interface to avoid a cycle). */
export interface DupTarget<T> {
  readonly core: TreeCore;
  cursor(first?: number, last?: number): MapleCursorImpl<T>;
  count(): number;
  store(first: number, last: number, value: T | undefined): void;
}

/** 6.1's bulk copy into the empty tree `child`; returns the pool report. */
export function dupBulk<T>(
  source: DupTarget<T>,
  child: DupTarget<T>,
  copy: (value: T) => T | undefined,
): DupReport {
  const count = source.count();
  const cursor = child.cursor();
  cursor.expectedEntries(count);
  try {
    const w = new LeafWalker();
    w.seek(source.core, 0);
    do {
      const value = w.value;
      if (value === undefined) continue;
      const copied = copy(value as T);
      if (copied === undefined) continue;
      cursor.setRange(w.lo, w.hi);
      cursor.store(copied);
    } while (w.forward());
    return {
      strategy: "bulk",
      expectedEntries: count,
      promised: cursor.promisedCount,
      taken: cursor.pool.taken,
      extra: cursor.pool.extra,
    };
  } finally {
    cursor.destroy();
  }
}

/**
 * 6.8's structural copy into the empty tree `child`: the source's nodes are copied as they
 * are (here all at once: node ids are offsets in the tree's arena, so copying the arena
 * copies every node and every link). No split, no rebalance, the same shape. Then values
 * are mapped through `copy` (when given) and refused entries erased. A copy the budget
 * cannot cover throws MapleAllocationError before anything is copied. Returns the report,
 * or `undefined` when it is left pending in the child's core (no copy function: see
 * `TreeCore.dupNodes`).
 */
export function dupStructural<T>(
  source: DupTarget<T>,
  child: DupTarget<T>,
  copy: ((value: T) => T | undefined) | undefined,
): DupReport | undefined {
  const src = source.core;
  const dst = child.core;
  if (src.root === 0) {
    let entries = 0;
    if (src.rootValue !== undefined) {
      entries = 1;
      const v = copy === undefined ? src.rootValue : copy(src.rootValue as T);
      if (v !== undefined) dst.rootValue = v;
    }
    return { strategy: "structural", expectedEntries: entries, promised: 0, taken: 0, extra: 0 };
  }
  dst.allocator.copyFrom(src.allocator);
  dst.root = src.root;
  dst.height = src.height;
  dst.version++;
  const nodes = dst.allocator.allocations;
  if (copy === undefined) {
    // Counting the entries is per-entry work: the report is filled in when first read.
    dst.dupNodes = nodes;
    return undefined;
  }
  const dropped: number[] = [];
  const entries = mapValues(dst.arena, dst.root, 0, Number.MAX_SAFE_INTEGER, copy, dropped);
  // Entries the copy function refused leave the child (kernel: vma_iter_clear_gfp).
  for (let i = 0; i < dropped.length; i += 2) {
    child.store(dropped[i], dropped[i + 1], undefined);
  }
  return {
    strategy: "structural",
    expectedEntries: entries,
    promised: 0,
    taken: nodes,
    extra: dst.allocator.allocations - nodes,
  };
}

/** Map every value under `node` (covering `[min, max]`); returns the entries seen. */
function mapValues<T>(
  a: Arena,
  node: number,
  min: number,
  max: number,
  copy: (value: T) => T | undefined,
  dropped: number[],
): number {
  const b = node * STRIDE;
  const end = a.piv[b];
  const leaf = (a.meta[node] & KIND) === LEAF;
  let n = 0;
  let lo = min;
  for (let i = 0; i <= end; i++) {
    const hi = i < end ? a.piv[b + 1 + i] : max;
    const slot = a.slots[b + i];
    if (!leaf) {
      n += mapValues(a, slot as number, lo, hi, copy, dropped);
    } else if (slot !== undefined) {
      n++;
      const v = copy(slot as T);
      // A refused value stays until the erase pass, so the tree stays valid meanwhile.
      if (v === undefined) dropped.push(lo, hi);
      else a.slots[b + i] = v;
    }
    lo = hi + 1;
  }
  return n;
}
