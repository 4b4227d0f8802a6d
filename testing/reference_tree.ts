/**
 * A plain reference model of the maple tree contract: a sorted array of non-empty ranges.
 *
 * It has no nodes, so it cannot be wrong in the ways a B-tree can; property tests compare
 * every version against it, and test fixtures wrap it to misbehave on purpose. It is
 * deliberately simple and slow (O(n) writes).
 *
 * @example
 * ```ts
 * import { createReferenceTree } from "./reference_tree.ts";
 * const tree = createReferenceTree<string>();
 * tree.store(10, 19, "a");
 * console.log(tree.walk(25)); // { first: 20, last: MAX_INDEX, value: undefined }
 * ```
 *
 * @module
 */

import {
  type AllocatorStats,
  type Area,
  type DupReport,
  type Entry,
  type MapleCursor,
  type MapleTree,
  MAX_INDEX,
  type NodeCounts,
  type Slot,
  type TreeOptions,
} from "../core/contract.ts";

/** Throw a RangeError naming `name` unless `value` is an integer key in [0, MAX_INDEX]. */
export function checkKey(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_INDEX) {
    throw new RangeError(`${name} must be an integer in [0, ${MAX_INDEX}], got ${value}`);
  }
}

/** Throw unless `first`..`last` is a valid inclusive range. */
export function checkRange(first: number, last: number): void {
  checkKey("first", first);
  checkKey("last", last);
  if (first > last) throw new RangeError(`first (${first}) must not exceed last (${last})`);
}

/** The reference tree. Entries are kept sorted and never overlap. */
export class ReferenceTree<T> implements MapleTree<T> {
  readonly allocRange: boolean;
  readonly dupReport: DupReport | undefined;
  #firsts: number[] = [];
  #lasts: number[] = [];
  #values: T[] = [];
  #budget: number | null;

  /**
   * @param options tree options; `nodeBudget` is recorded but never consumed (no nodes)
   * @param dupReport set when the tree was made by `dup()`
   */
  constructor(options: TreeOptions = {}, dupReport?: DupReport) {
    this.allocRange = options.allocRange ?? false;
    this.#budget = options.nodeBudget ?? null;
    this.dupReport = dupReport;
  }

  /** Index of the first entry whose `last` is >= index (entries.length if none). */
  #lowerBound(index: number): number {
    let lo = 0;
    let hi = this.#lasts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#lasts[mid] < index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #entry(i: number): Entry<T> {
    return { first: this.#firsts[i], last: this.#lasts[i], value: this.#values[i] };
  }

  /** Overwrite [first, last]; returns the value that covered `first`. */
  write(first: number, last: number, value: T | undefined): T | undefined {
    const i = this.#lowerBound(first);
    const previous = i < this.#firsts.length && this.#firsts[i] <= first
      ? this.#values[i]
      : undefined;
    const insertFirsts: number[] = [];
    const insertLasts: number[] = [];
    const insertValues: T[] = [];
    let j = i;
    while (j < this.#firsts.length && this.#firsts[j] <= last) {
      if (this.#firsts[j] < first) {
        insertFirsts.push(this.#firsts[j]);
        insertLasts.push(first - 1);
        insertValues.push(this.#values[j]);
      }
      j++;
    }
    if (value !== undefined) {
      insertFirsts.push(first);
      insertLasts.push(last);
      insertValues.push(value);
    }
    if (j > i && this.#lasts[j - 1] > last) {
      insertFirsts.push(last + 1);
      insertLasts.push(this.#lasts[j - 1]);
      insertValues.push(this.#values[j - 1]);
    }
    this.#firsts.splice(i, j - i, ...insertFirsts);
    this.#lasts.splice(i, j - i, ...insertLasts);
    this.#values.splice(i, j - i, ...insertValues);
    return previous;
  }

  store(first: number, last: number, value: T | undefined): void {
    checkRange(first, last);
    this.write(first, last, value);
  }

  insert(first: number, last: number, value: T): boolean {
    checkRange(first, last);
    const i = this.#lowerBound(first);
    if (i < this.#firsts.length && this.#firsts[i] <= last) return false;
    if (value !== undefined) this.write(first, last, value);
    return true;
  }

  erase(index: number): T | undefined {
    checkKey("index", index);
    const i = this.#lowerBound(index);
    if (i >= this.#firsts.length || this.#firsts[i] > index) return undefined;
    const old = this.#values[i];
    this.#firsts.splice(i, 1);
    this.#lasts.splice(i, 1);
    this.#values.splice(i, 1);
    return old;
  }

  load(index: number): T | undefined {
    checkKey("index", index);
    const i = this.#lowerBound(index);
    return i < this.#firsts.length && this.#firsts[i] <= index ? this.#values[i] : undefined;
  }

  find(index: number, max: number = MAX_INDEX): Entry<T> | undefined {
    checkKey("index", index);
    checkKey("max", max);
    if (index > max) return undefined;
    const i = this.#lowerBound(index);
    return i < this.#firsts.length && this.#firsts[i] <= max ? this.#entry(i) : undefined;
  }

  *entries(first = 0, last: number = MAX_INDEX): IterableIterator<Entry<T>> {
    checkRange(first, last);
    for (let i = this.#lowerBound(first); i < this.#firsts.length; i++) {
      if (this.#firsts[i] > last) return;
      yield this.#entry(i);
    }
  }

  walk(index: number): Slot<T> {
    checkKey("index", index);
    const i = this.#lowerBound(index);
    if (i < this.#firsts.length && this.#firsts[i] <= index) return this.#entry(i);
    const first = i > 0 ? this.#lasts[i - 1] + 1 : 0;
    const last = i < this.#firsts.length ? this.#firsts[i] - 1 : MAX_INDEX;
    return { first, last, value: undefined };
  }

  next(index: number, max: number = MAX_INDEX): Entry<T> | undefined {
    checkKey("index", index);
    checkKey("max", max);
    let i = this.#lowerBound(index);
    if (i < this.#firsts.length && this.#firsts[i] <= index) i++;
    return i < this.#firsts.length && this.#firsts[i] <= max ? this.#entry(i) : undefined;
  }

  prev(index: number, min = 0): Entry<T> | undefined {
    checkKey("index", index);
    checkKey("min", min);
    const i = this.#lowerBound(index) - 1;
    return i >= 0 && this.#lasts[i] >= min ? this.#entry(i) : undefined;
  }

  /** Empty ranges (complement of the entries) clipped to [min, max], in order. */
  *#gaps(min: number, max: number): IterableIterator<Area> {
    let start = min;
    for (let i = this.#lowerBound(min); i < this.#firsts.length && start <= max; i++) {
      if (this.#firsts[i] > start) yield { first: start, last: Math.min(this.#firsts[i] - 1, max) };
      start = this.#lasts[i] + 1;
      if (this.#lasts[i] === MAX_INDEX) return;
    }
    if (start <= max) yield { first: start, last: max };
  }

  emptyArea(min: number, max: number, size: number): Area | undefined {
    checkArea(min, max, size);
    for (const gap of this.#gaps(min, max)) {
      if (gap.last - gap.first + 1 >= size) return { first: gap.first, last: gap.first + size - 1 };
    }
    return undefined;
  }

  emptyAreaRev(min: number, max: number, size: number): Area | undefined {
    checkArea(min, max, size);
    let found: Area | undefined;
    for (const gap of this.#gaps(min, max)) {
      if (gap.last - gap.first + 1 >= size) found = { first: gap.last - size + 1, last: gap.last };
    }
    return found;
  }

  clear(): void {
    this.#firsts = [];
    this.#lasts = [];
    this.#values = [];
  }

  cursor(first = 0, last: number = first): MapleCursor<T> {
    return new ReferenceCursor(this, first, last);
  }

  dup(copy: (value: T) => T | undefined = (value) => value): MapleTree<T> {
    const child = new ReferenceTree<T>({ allocRange: this.allocRange }, {
      strategy: "store",
      expectedEntries: this.count(),
      promised: 0,
      taken: 0,
      extra: 0,
    });
    for (let i = 0; i < this.#firsts.length; i++) {
      const value = copy(this.#values[i]);
      if (value !== undefined) child.write(this.#firsts[i], this.#lasts[i], value);
    }
    return child;
  }

  validate(): void {
    for (let i = 0; i < this.#firsts.length; i++) {
      if (this.#firsts[i] > this.#lasts[i]) throw new Error(`reference entry ${i} is inverted`);
      if (i > 0 && this.#firsts[i] <= this.#lasts[i - 1]) {
        throw new Error(`reference entries ${i - 1} and ${i} overlap`);
      }
    }
  }

  dump(): string {
    return [...this.entries()].map((e) => `${e.first}-${e.last}: ${String(e.value)}`).join("\n");
  }

  count(): number {
    return this.#firsts.length;
  }

  height(): number {
    return 0;
  }

  nodeCounts(): NodeCounts {
    return { leaves: 0, ranges: 0, aranges: 0, total: 0 };
  }

  allocatorStats(): AllocatorStats {
    return { allocations: 0, frees: 0, live: 0, budget: this.#budget };
  }

  setNodeBudget(budget: number | null): void {
    this.#budget = budget;
  }
}

function checkArea(min: number, max: number, size: number): void {
  checkKey("min", min);
  checkKey("max", max);
  if (min >= max) throw new RangeError(`min (${min}) must be below max (${max})`);
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`size must be a positive integer, got ${size}`);
  }
}

type CursorStatus = "start" | "active" | "paused" | "none";

/** The reference cursor: positions only, no node pool. */
class ReferenceCursor<T> implements MapleCursor<T> {
  index: number;
  last: number;
  readonly pooled = 0;
  #status: CursorStatus = "start";
  readonly #tree: ReferenceTree<T>;

  constructor(tree: ReferenceTree<T>, first: number, last: number) {
    checkRange(first, last);
    this.#tree = tree;
    this.index = first;
    this.last = last;
  }

  set(index: number): this {
    return this.setRange(index, index);
  }

  setRange(first: number, last: number): this {
    checkRange(first, last);
    this.index = first;
    this.last = last;
    this.#status = "start";
    return this;
  }

  #take(entry: Entry<T> | Slot<T>): T | undefined {
    this.index = entry.first;
    this.last = entry.last;
    this.#status = "active";
    return entry.value;
  }

  #miss(bound: number): undefined {
    this.index = bound;
    this.last = bound;
    this.#status = "none";
    return undefined;
  }

  walk(): T | undefined {
    return this.#take(this.#tree.walk(this.index));
  }

  find(max: number): T | undefined {
    checkKey("max", max);
    let from: number;
    if (this.#status === "active" || this.#status === "none") {
      if (this.last === MAX_INDEX) return this.#miss(max);
      from = this.last + 1;
    } else {
      from = this.#status === "paused" ? this.last + 1 : this.index;
      if (this.#status === "paused" && this.last === MAX_INDEX) return this.#miss(max);
    }
    const hit = from <= max ? this.#tree.find(from, max) : undefined;
    return hit ? this.#take(hit) : this.#miss(max);
  }

  findRev(min: number): T | undefined {
    checkKey("min", min);
    let from: number;
    if (this.#status === "start") {
      const here = this.#tree.walk(this.index);
      if (here.value !== undefined) return this.#take(here);
      from = this.index;
    } else {
      if (this.index === 0) return this.#miss(min);
      from = this.index;
    }
    const hit = this.#tree.prev(from, min);
    return hit ? this.#take(hit) : this.#miss(min);
  }

  next(max: number): T | undefined {
    checkKey("max", max);
    if (this.#status === "start") this.#take(this.#tree.walk(this.index));
    if (this.last === MAX_INDEX) return this.#miss(max);
    const hit = this.#tree.next(this.last, max);
    return hit ? this.#take(hit) : this.#miss(max);
  }

  prev(min: number): T | undefined {
    checkKey("min", min);
    if (this.#status === "start") this.#take(this.#tree.walk(this.index));
    if (this.index === 0) return this.#miss(min);
    const hit = this.#tree.prev(this.index, min);
    return hit ? this.#take(hit) : this.#miss(min);
  }

  store(value: T | undefined): T | undefined {
    const previous = this.#tree.write(this.index, this.last, value);
    this.#status = "active";
    return previous;
  }

  erase(): T | undefined {
    const here = this.#tree.walk(this.index);
    this.index = here.first;
    this.last = here.last;
    this.#status = "active";
    if (here.value === undefined) return undefined;
    this.#tree.write(here.first, here.last, undefined);
    return here.value;
  }

  preallocate(_value: T | undefined): void {}

  expectedEntries(count: number): void {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`count must be a non-negative integer, got ${count}`);
    }
  }

  destroy(): void {}

  pause(): void {
    this.#status = "paused";
  }
}

/** Make an empty reference tree (the {@linkcode MapleModule} shape). */
export function createReferenceTree<T>(options?: TreeOptions): ReferenceTree<T> {
  return new ReferenceTree<T>(options);
}
