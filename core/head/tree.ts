/**
 * The maple tree: the normal API, introspection and the cursor factory.
 *
 * Keys are integers in `[0, MAX_INDEX]` (RangeError otherwise, naming the argument). Values
 * are any JavaScript value except `undefined`, which means "empty" (`null` is a value).
 *
 * @example
 * ```ts
 * import { MapleTreeImpl } from "./tree.ts";
 * const tree = new MapleTreeImpl<string>({ allocRange: true });
 * tree.store(0x1000, 0x1fff, "text");
 * tree.store(0x3000, 0x3fff, "data");
 * console.log(tree.load(0x1800), tree.emptyArea(0, 0xffff, 0x1000)); // text {first:0,last:4095}
 * ```
 *
 * @module
 */

import type {
  AllocatorStats,
  Area,
  DupReport,
  Entry,
  MapleTree,
  NodeCounts,
  Slot,
  TreeOptions,
} from "../contract.ts";
import { MAX_INDEX } from "../contract.ts";
import { TreeCore } from "./core.ts";
import { MapleCursorImpl } from "./cursor.ts";
import { dumpTree } from "./dump.ts";
import { dupStructural } from "./dup.ts";
import { checkAreaArgs, emptyArea } from "./gaps.ts";
import { checkKey, checkRange } from "./keys.ts";
import { ARANGE, type Arena, KIND, LEAF, RANGE, STRIDE } from "./node.ts";
import { LeafWalker, load } from "./read.ts";
import { validateTree } from "./validate.ts";
import { write } from "./write.ts";

/** A maple tree (this version). */
export class MapleTreeImpl<T> implements MapleTree<T> {
  /** The state shared with the modules of this folder. */
  readonly core: TreeCore;
  static readonly #walker = new LeafWalker();

  /**
   * @param options tree options (see the contract)
   * @param capacity nodes to make room for up front (0: none until the first store)
   */
  constructor(options: TreeOptions = {}, capacity = 0) {
    const budget = options.nodeBudget ?? null;
    if (budget !== null && (!Number.isInteger(budget) || budget < 0)) {
      throw new RangeError(`nodeBudget must be a non-negative integer, got ${budget}`);
    }
    this.core = new TreeCore(options.allocRange ?? false, budget, capacity);
  }

  get allocRange(): boolean {
    return this.core.allocRange;
  }

  get dupReport(): DupReport | undefined {
    const core = this.core;
    if (core.dupNodes >= 0) core.settleDupReport();
    return core.dupReport;
  }

  store(first: number, last: number, value: T | undefined): void {
    checkRange(first, last);
    const core = this.core;
    try {
      write(core, core.pool, first, last, value, false);
    } finally {
      core.pool.release();
    }
  }

  insert(first: number, last: number, value: T): boolean {
    checkRange(first, last);
    const w = MapleTreeImpl.#walker;
    w.seek(this.core, first);
    if (w.value !== undefined || w.hi < last) return false;
    if (value !== undefined) this.store(first, last, value);
    return true;
  }

  erase(index: number): T | undefined {
    checkKey("index", index);
    const w = MapleTreeImpl.#walker;
    w.seek(this.core, index);
    const old = w.value as T | undefined;
    if (old !== undefined) this.store(w.lo, w.hi, undefined);
    return old;
  }

  load(index: number): T | undefined {
    checkKey("index", index);
    return load(this.core, index) as T | undefined;
  }

  find(index: number, max: number = MAX_INDEX): Entry<T> | undefined {
    checkKey("index", index);
    checkKey("max", max);
    if (index > max) return undefined;
    const w = MapleTreeImpl.#walker;
    w.seek(this.core, index);
    if (!w.toEntryForward() || w.lo > max) return undefined;
    return { first: w.lo, last: w.hi, value: w.value as T };
  }

  *entries(first = 0, last: number = MAX_INDEX): IterableIterator<Entry<T>> {
    checkRange(first, last);
    const core = this.core;
    const w = new LeafWalker();
    w.seek(core, first);
    if (!w.toEntryForward()) return;
    while (w.lo <= last) {
      const hi = w.hi;
      yield { first: w.lo, last: hi, value: w.value as T };
      if (hi === MAX_INDEX) return;
      if (w.version !== core.version) w.seek(core, hi + 1);
      else if (!w.forward()) return;
      if (!w.toEntryForward()) return;
    }
  }

  walk(index: number): Slot<T> {
    checkKey("index", index);
    const w = MapleTreeImpl.#walker;
    w.seek(this.core, index);
    return { first: w.lo, last: w.hi, value: w.value as T | undefined };
  }

  next(index: number, max: number = MAX_INDEX): Entry<T> | undefined {
    checkKey("index", index);
    checkKey("max", max);
    const w = MapleTreeImpl.#walker;
    w.seek(this.core, index);
    if (!w.forward() || !w.toEntryForward() || w.lo > max) return undefined;
    return { first: w.lo, last: w.hi, value: w.value as T };
  }

  prev(index: number, min = 0): Entry<T> | undefined {
    checkKey("index", index);
    checkKey("min", min);
    const w = MapleTreeImpl.#walker;
    w.seek(this.core, index);
    if (!w.backward() || !w.toEntryBackward() || w.hi < min) return undefined;
    return { first: w.lo, last: w.hi, value: w.value as T };
  }

  emptyArea(min: number, max: number, size: number): Area | undefined {
    checkAreaArgs(min, max, size, checkKey);
    return emptyArea(this.core, min, max, size, false);
  }

  emptyAreaRev(min: number, max: number, size: number): Area | undefined {
    checkAreaArgs(min, max, size, checkKey);
    return emptyArea(this.core, min, max, size, true);
  }

  clear(): void {
    const core = this.core;
    if (core.dupNodes >= 0) core.settleDupReport();
    if (core.root !== 0) freeSubtree(core, core.root);
    core.root = 0;
    core.rootValue = undefined;
    core.height = 0;
    core.version++;
  }

  cursor(first = 0, last: number = first): MapleCursorImpl<T> {
    return new MapleCursorImpl<T>(this.core, first, last);
  }

  dup(copy?: (value: T) => T | undefined): MapleTreeImpl<T> {
    // The child draws on the same memory as the parent: it inherits the remaining budget.
    const child = new MapleTreeImpl<T>({
      allocRange: this.allocRange,
      nodeBudget: this.core.allocator.budget ?? undefined,
    });
    const report = dupStructural(this, child, copy);
    if (report !== undefined) child.core.dupReport = report;
    return child;
  }

  validate(): void {
    validateTree(this.core);
  }

  dump(): string {
    return dumpTree(this.core);
  }

  count(): number {
    const core = this.core;
    if (core.root === 0) return core.rootValue === undefined ? 0 : 1;
    return countEntries(core.arena, core.root);
  }

  height(): number {
    return this.core.height;
  }

  nodeCounts(): NodeCounts {
    const counts = { leaves: 0, ranges: 0, aranges: 0, total: 0 };
    if (this.core.root !== 0) censusOf(this.core.arena, this.core.root, counts);
    return counts;
  }

  allocatorStats(): AllocatorStats {
    const a = this.core.allocator;
    return { allocations: a.allocations, frees: a.frees, live: a.live, budget: a.budget };
  }

  setNodeBudget(budget: number | null): void {
    if (budget !== null && (!Number.isInteger(budget) || budget < 0)) {
      throw new RangeError(`budget must be a non-negative integer or null, got ${budget}`);
    }
    this.core.allocator.budget = budget;
  }
}

function freeSubtree(core: TreeCore, node: number): void {
  const a = core.arena;
  if ((a.meta[node] & KIND) !== LEAF) {
    const b = node * STRIDE;
    const end = a.piv[b];
    for (let i = 0; i <= end; i++) freeSubtree(core, a.slots[b + i] as number);
  }
  core.allocator.free(node);
}

function countEntries(a: Arena, node: number): number {
  const b = node * STRIDE;
  const end = a.piv[b];
  let n = 0;
  if ((a.meta[node] & KIND) === LEAF) {
    for (let i = 0; i <= end; i++) if (a.slots[b + i] !== undefined) n++;
    return n;
  }
  for (let i = 0; i <= end; i++) n += countEntries(a, a.slots[b + i] as number);
  return n;
}

function censusOf(
  a: Arena,
  node: number,
  c: { leaves: number; ranges: number; aranges: number; total: number },
): void {
  c.total++;
  const kind = a.meta[node] & KIND;
  if (kind === LEAF) {
    c.leaves++;
    return;
  }
  if (kind === ARANGE) c.aranges++;
  else if (kind === RANGE) c.ranges++;
  const b = node * STRIDE;
  const end = a.piv[b];
  for (let i = 0; i <= end; i++) censusOf(a, a.slots[b + i] as number, c);
}
