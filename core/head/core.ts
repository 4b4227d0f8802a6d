/**
 * The state every part of the head tree works on: root, height, allocator and scratch space.
 *
 * A tree is either empty (`root === 0`, `rootValue === undefined`), a lone entry at
 * `[0, 0]` held without a node (`root === 0`, `rootValue` set; facts §1.5), or a node tree
 * of `height` levels whose leaves all sit at depth `height - 1`.
 *
 * @example
 * ```ts
 * import { TreeCore } from "./core.ts";
 * const core = new TreeCore(true, null);
 * console.log(core.height, core.internalKind); // 0 3
 * ```
 *
 * @module
 */

import { type DupReport, MAX_INDEX } from "../contract.ts";
import { NodeAllocator, NodePool } from "./allocator.ts";
import { ARANGE, type Arena, FREE, KIND, LEAF, RANGE, STRIDE } from "./node.ts";
import { BigNode, Path } from "./path.ts";

/** The write cases of facts §5.1, counted per tree so tests can see which path ran. */
export const WRITE_CASES = [
  "root-store",
  "root-expand",
  "exact-slot",
  "append",
  "slot-store",
  "node-store",
  "split",
  "push-left",
  "push-right",
  "rebalance",
  "spanning",
] as const;

/** One of {@link WRITE_CASES}. */
export type WriteCase = typeof WRITE_CASES[number];

/** Index of `kind` in {@link WRITE_CASES} (a switch: a lookup table went megamorphic). */
function caseIndex(kind: WriteCase): number {
  switch (kind) {
    case "root-store":
      return 0;
    case "root-expand":
      return 1;
    case "exact-slot":
      return 2;
    case "append":
      return 3;
    case "slot-store":
      return 4;
    case "node-store":
      return 5;
    case "split":
      return 6;
    case "push-left":
      return 7;
    case "push-right":
      return 8;
    case "rebalance":
      return 9;
    case "spanning":
      return 10;
  }
}

/**
 * Scratch space for writes, shared by every tree: a write runs to completion before any
 * other starts (JavaScript is single-threaded and writes never call out), so one set is
 * enough, and making a tree (as every fork does) stays cheap.
 */
const SCRATCH = {
  left: new Path(),
  right: new Path(),
  big: new BigNode(),
  big2: new BigNode(),
  freed: [] as number[],
};

/** Tree state plus the scratch objects the write path reuses (no allocation per write). */
export class TreeCore {
  /** Root node id, 0 when the tree has no node. */
  root = 0;
  /** The lone `[0, 0]` entry when `root === 0`. */
  rootValue: unknown = undefined;
  /** Levels of nodes. */
  height = 0;
  /** Bumped by every modification; iterators re-walk when it changed. */
  version = 0;
  readonly allocRange: boolean;
  /** Kind of every internal node: arange in allocation trees, range otherwise. */
  readonly internalKind: number;
  readonly allocator: NodeAllocator;
  #pool: NodePool | null = null;
  /** How often each write case ran, indexed like {@link WRITE_CASES} (made on first write). */
  #caseCounts: number[] | null = null;
  /** Scratch: the left path (also the only path of a non-spanning write). */
  readonly left: Path = SCRATCH.left;
  /** Scratch: the right path of a spanning write. */
  readonly right: Path = SCRATCH.right;
  /** Scratch big nodes, swapped level by level. */
  readonly big: BigNode = SCRATCH.big;
  readonly big2: BigNode = SCRATCH.big2;
  /** Scratch: nodes replaced by the current write, freed when it commits. */
  readonly freed: number[] = SCRATCH.freed;
  /**
   * The report of the `dup()` that made this tree. A structural copy without a copy function
   * leaves it pending (`dupNodes >= 0`): counting the entries is per-entry work a fork need
   * not do, so it is done on first read of the report, or before the first change.
   */
  dupReport: DupReport | undefined = undefined;
  /** Nodes a pending structural dup copied; -1 when no report is pending. */
  dupNodes = -1;

  /**
   * @param allocRange track gaps (arange internal nodes)
   * @param budget node allocations allowed (`null` = unlimited)
   * @param capacity nodes to make room for up front (0: none until the first node)
   */
  constructor(allocRange: boolean, budget: number | null, capacity = 0) {
    this.allocRange = allocRange;
    this.internalKind = allocRange ? ARANGE : RANGE;
    this.allocator = new NodeAllocator(budget, capacity);
  }

  /** The pool normal-API writes use (never promised; made on first use). */
  get pool(): NodePool {
    return this.#pool ??= new NodePool(this.allocator);
  }

  /** Fill in a pending dup report; call before anything changes the tree. */
  settleDupReport(): void {
    const nodes = this.dupNodes;
    if (nodes < 0) return;
    this.dupNodes = -1;
    this.dupReport = {
      strategy: "structural",
      expectedEntries: countLeafEntries(this.allocator.arena),
      promised: 0,
      taken: nodes,
      extra: 0,
    };
  }

  /** The node storage (its arrays move when it grows: read them after allocating). */
  get arena(): Arena {
    return this.allocator.arena;
  }

  /** Count one write case. */
  count(kind: WriteCase): void {
    (this.#caseCounts ??= [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])[caseIndex(kind)]++;
  }

  /** The non-zero case counters, by name. */
  get cases(): Map<WriteCase, number> {
    const out = new Map<WriteCase, number>();
    const counts = this.#caseCounts;
    if (counts === null) return out;
    WRITE_CASES.forEach((kind, i) => {
      if (counts[i] > 0) out.set(kind, counts[i]);
    });
    return out;
  }

  /** Depth of the leaves. */
  get leafDepth(): number {
    return this.height - 1;
  }
}

/** The index space's top, re-exported for the modules of this folder. */
export const MAX = MAX_INDEX;

/** Entries in the leaves of an arena (a linear pass over the ids, no walk). */
export function countLeafEntries(a: Arena): number {
  const meta = a.meta;
  const slots = a.slots;
  let n = 0;
  for (let id = 1; id < a.next; id++) {
    if ((meta[id] & KIND) !== LEAF || (meta[id] & FREE) !== 0) continue;
    const b = id * STRIDE;
    const end = a.piv[b];
    for (let i = 0; i <= end; i++) if (slots[b + i] !== undefined) n++;
  }
  return n;
}
