/**
 * Wraps a version so that its trees misbehave on purpose: the checks' own tests need code
 * under test that is wrong in known ways (a lying load, a leak, a broken invariant, a crash
 * during dup), and a fixture version for the fuzzer can be built the same way.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { withFaults } from "./fault_injection.ts";
 * const { module } = await loadVersion("testing/reference");
 * const leaky = withFaults(module, { leakAfterClear: 2 });
 * const tree = leaky.createTree<number>({ allocRange: true });
 * tree.clear();
 * console.log(tree.allocatorStats().live); // 2
 * ```
 *
 * @module
 */

import type {
  AllocatorStats,
  Area,
  DupReport,
  Entry,
  MapleCursor,
  MapleModule,
  MapleTree,
  NodeCounts,
  Slot,
  TreeOptions,
} from "../core/contract.ts";

/** Which faults to inject. */
export interface Faults {
  /** `load(index)` returns `undefined` for these indices. */
  readonly loadHides?: (index: number) => boolean;
  /** `allocatorStats().live` reports this many nodes after `clear()`. */
  readonly leakAfterClear?: number;
  /** `validate()` throws this when it returns an error (checked on every call). */
  readonly validateFails?: (tree: MapleTree<unknown>) => Error | undefined;
  /** `dup()` calls this first with the source's entry count; it may throw. */
  readonly beforeDup?: (count: number, entries: readonly Entry<unknown>[]) => void;
  /** Replace the dup report of every dup. */
  readonly dupReport?: DupReport;
  /** `nodeCounts().total` reports this many nodes. */
  readonly nodeTotal?: number;
  /** `allocatorStats().live` reports this many nodes more than are live (a hoarded pool). */
  readonly liveExtra?: number;
  /** A cursor's `store()` returns `undefined` instead of the old value. */
  readonly storeReturnsNothing?: boolean;
}

class FaultyTree<T> implements MapleTree<T> {
  readonly #inner: MapleTree<T>;
  readonly #faults: Faults;
  readonly #report: DupReport | undefined;
  #cleared = false;

  constructor(inner: MapleTree<T>, faults: Faults, report?: DupReport) {
    this.#inner = inner;
    this.#faults = faults;
    this.#report = report;
  }

  get allocRange(): boolean {
    return this.#inner.allocRange;
  }
  get dupReport(): DupReport | undefined {
    return this.#report ?? this.#inner.dupReport;
  }
  store(first: number, last: number, value: T | undefined): void {
    this.#inner.store(first, last, value);
  }
  insert(first: number, last: number, value: T): boolean {
    return this.#inner.insert(first, last, value);
  }
  erase(index: number): T | undefined {
    return this.#inner.erase(index);
  }
  load(index: number): T | undefined {
    return this.#faults.loadHides?.(index) ? undefined : this.#inner.load(index);
  }
  find(index: number, max?: number): Entry<T> | undefined {
    return this.#inner.find(index, max);
  }
  entries(first?: number, last?: number): IterableIterator<Entry<T>> {
    return this.#inner.entries(first, last);
  }
  walk(index: number): Slot<T> {
    return this.#inner.walk(index);
  }
  next(index: number, max?: number): Entry<T> | undefined {
    return this.#inner.next(index, max);
  }
  prev(index: number, min?: number): Entry<T> | undefined {
    return this.#inner.prev(index, min);
  }
  emptyArea(min: number, max: number, size: number): Area | undefined {
    return this.#inner.emptyArea(min, max, size);
  }
  emptyAreaRev(min: number, max: number, size: number): Area | undefined {
    return this.#inner.emptyAreaRev(min, max, size);
  }
  clear(): void {
    this.#inner.clear();
    this.#cleared = true;
  }
  cursor(first?: number, last?: number): MapleCursor<T> {
    const cursor = this.#inner.cursor(first, last);
    if (!this.#faults.storeReturnsNothing) return cursor;
    const faulty: MapleCursor<T> = new Proxy(cursor, {
      get(target, key) {
        if (key === "store") {
          return (value: T | undefined) => {
            target.store(value);
            return undefined;
          };
        }
        const member: unknown = Reflect.get(target, key, target);
        if (typeof member !== "function") return member;
        // A chained call (`set`, `setRange` return the cursor) stays on the faulty cursor.
        return (...args: unknown[]) => {
          const result: unknown = member.apply(target, args);
          return result === target ? faulty : result;
        };
      },
    });
    return faulty;
  }
  dup(copy?: (value: T) => T | undefined): MapleTree<T> {
    this.#faults.beforeDup?.(this.#inner.count(), [...this.#inner.entries()]);
    return new FaultyTree(this.#inner.dup(copy), this.#faults, this.#faults.dupReport);
  }
  validate(): void {
    const error = this.#faults.validateFails?.(this as MapleTree<unknown>);
    if (error) throw error;
    this.#inner.validate();
  }
  dump(): string {
    return this.#inner.dump();
  }
  count(): number {
    return this.#inner.count();
  }
  height(): number {
    return this.#inner.height();
  }
  nodeCounts(): NodeCounts {
    const counts = this.#inner.nodeCounts();
    const total = this.#faults.nodeTotal;
    return total === undefined ? counts : { ...counts, total };
  }
  allocatorStats(): AllocatorStats {
    const stats = this.#inner.allocatorStats();
    const leak = this.#cleared ? this.#faults.leakAfterClear ?? 0 : 0;
    return { ...stats, live: stats.live + leak + (this.#faults.liveExtra ?? 0) };
  }
  setNodeBudget(budget: number | null): void {
    this.#inner.setNodeBudget(budget);
  }
}

/** `base` with `faults` injected into every tree it makes. */
export function withFaults(base: MapleModule, faults: Faults): MapleModule {
  return {
    createTree<T>(options?: TreeOptions): MapleTree<T> {
      return new FaultyTree(base.createTree<T>(options), faults);
    },
  };
}
