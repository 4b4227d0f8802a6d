/**
 * The contract every maple tree version implements.
 *
 * Each folder under `core/` (the live `core/head/` and every frozen snapshot) exports a
 * {@linkcode MapleModule} from its `mod.ts`. The rest of the suite reaches a version only
 * through these types, so `deno check` holds every version to one interface.
 *
 * Runtime values here are limited to constants and the error classes that cross the
 * boundary; a version imports nothing else from outside its own folder.
 *
 * @example
 * ```ts
 * import type { MapleModule } from "./contract.ts";
 * const mod: MapleModule = await import("./head/mod.ts");
 * const tree = mod.createTree<string>({ allocRange: true });
 * tree.store(0x1000, 0x1fff, "text");
 * console.log(tree.load(0x1800)); // "text"
 * ```
 *
 * @module
 */

/** The largest key, playing the kernel's ULONG_MAX. */
export const MAX_INDEX: number = Number.MAX_SAFE_INTEGER;

/** Slots of a leaf or a plain internal node (`maple_leaf_64`, `maple_range_64`). */
export const RANGE_SLOTS = 16;
/** Slots of a gap-tracking internal node (`maple_arange_64`) in allocation trees. */
export const ARANGE_SLOTS = 10;

/** Thrown when a node cannot be had: an exhausted budget, or a promised pool that ran dry. */
export class MapleAllocationError extends Error {
  override name = "MapleAllocationError";
  /** Nodes the operation needed beyond what it had. */
  readonly shortfall: number;
  /**
   * @param message what ran out and where
   * @param shortfall how many nodes were missing (0 when unknown)
   */
  constructor(message: string, shortfall = 0) {
    super(message);
    this.shortfall = shortfall;
  }
}

/** Thrown by `validate()`: names the node, the slot and the broken rule. */
export class MapleInvariantError extends Error {
  override name = "MapleInvariantError";
  /** Short name of the broken rule, e.g. `"pivot-order"` or `"gap"`. */
  readonly rule: string;
  /** Where: a node path like `root/3/7`, and the slot when there is one. */
  readonly node: string;
  /** The slot involved, or -1. */
  readonly slot: number;
  /**
   * @param rule the broken rule
   * @param node the node's path
   * @param slot the slot, or -1
   * @param detail what was seen
   */
  constructor(rule: string, node: string, slot: number, detail: string) {
    super(`invariant ${rule} broken at node ${node}${slot >= 0 ? ` slot ${slot}` : ""}: ${detail}`);
    this.rule = rule;
    this.node = node;
    this.slot = slot;
  }
}

/** One stored range, `first` and `last` inclusive. */
export interface Entry<T> {
  readonly first: number;
  readonly last: number;
  readonly value: T;
}

/** A range that may be empty (`value === undefined`), as `walk()` reports it. */
export interface Slot<T> {
  readonly first: number;
  readonly last: number;
  readonly value: T | undefined;
}

/** An index range with no stored entry. */
export interface Area {
  readonly first: number;
  readonly last: number;
}

/** Node census by kind (facts §1.2). */
export interface NodeCounts {
  readonly leaves: number;
  /** Plain internal nodes (`maple_range_64`), used in non-allocation trees. */
  readonly ranges: number;
  /** Gap-tracking internal nodes (`maple_arange_64`), used in allocation trees. */
  readonly aranges: number;
  readonly total: number;
}

/** Counters of the node allocator that backs one tree. */
export interface AllocatorStats {
  /** Nodes handed out since the tree was made. */
  readonly allocations: number;
  /** Nodes given back since the tree was made. */
  readonly frees: number;
  /** Nodes allocated and not yet freed: in the tree, in a pool, or leaked. */
  readonly live: number;
  /** Further allocations allowed, or `null` for no limit. */
  readonly budget: number | null;
}

/** How a `dup()` used its promised node pool (the maintainer's thorough node-count check). */
export interface DupReport {
  /** `"bulk"` (6.1 expected entries), `"store"` (one allocation at a time) or `"structural"`. */
  readonly strategy: "bulk" | "store" | "structural";
  /** Entries announced with `expectedEntries`, or the source's count. */
  readonly expectedEntries: number;
  /** Nodes promised up front (0 when the strategy promises none). */
  readonly promised: number;
  /**
   * Pops from the promised pool. A pool recycles the node a split replaces, so one node can
   * be taken more than once and `taken` may exceed `promised` in a correct copy.
   */
  readonly taken: number;
  /**
   * Nodes allocated beyond the pool. The maintainer's thorough check is that a bulk copy
   * never needs any: `extra === 0`, and the copy's allocations stay within `promised`.
   */
  readonly extra: number;
}

/** Options for a new tree. */
export interface TreeOptions {
  /** Track gaps in internal nodes (the kernel's MT_FLAGS_ALLOC_RANGE), as a VMA tree does. */
  readonly allocRange?: boolean;
  /** Node allocations allowed before `MapleAllocationError`; omitted for no limit. */
  readonly nodeBudget?: number;
}

/**
 * The advanced API: a cursor over one tree, like the kernel's `ma_state`.
 *
 * `index` and `last` hold the range of interest before an operation and the range found
 * after it. Node pools (`preallocate`, `expectedEntries`) live on the cursor until
 * `destroy()`.
 */
export interface MapleCursor<T> {
  /** Start of the current range. */
  readonly index: number;
  /** End (inclusive) of the current range. */
  readonly last: number;
  /** Move to a single index; the next operation walks from the root. */
  set(index: number): this;
  /** Move to a range; the next operation walks from the root. */
  setRange(first: number, last: number): this;
  /** Entry covering `index`; sets `index`/`last` to that slot's range, empty ranges too. */
  walk(): T | undefined;
  /** First call: entry at or after `index`; later calls: the following entry; up to `max`. */
  find(max: number): T | undefined;
  /** Mirror image of `find`, going down to `min`. */
  findRev(min: number): T | undefined;
  /** Entry after the current range, up to `max`. */
  next(max: number): T | undefined;
  /** Entry before the current range, down to `min`. */
  prev(min: number): T | undefined;
  /** Write `value` over `[index, last]`; returns what covered `index` before. */
  store(value: T | undefined): T | undefined;
  /** Erase the whole range containing `index`; `index`/`last` become that range. */
  erase(): T | undefined;
  /** Reserve the nodes the next `store(value)` may need, so that it cannot allocate. */
  preallocate(value: T | undefined): void;
  /** Enter bulk mode for `count` in-order stores, reserving nodes for all of them. */
  expectedEntries(count: number): void;
  /** Leave bulk or preallocated mode: fix up the last bulk node and free unused nodes. */
  destroy(): void;
  /** Forget the position; the next `find`/`next` resumes after `last`. */
  pause(): void;
  /** Nodes still in this cursor's pool. */
  readonly pooled: number;
}

/** A maple tree: the normal API plus introspection. */
export interface MapleTree<T> {
  /** Whether internal nodes track gaps. */
  readonly allocRange: boolean;
  /** Overwrite `[first, last]` with `value` (`undefined` erases that sub-range). */
  store(first: number, last: number, value: T | undefined): void;
  /** Store only if all of `[first, last]` is empty; returns whether it stored. */
  insert(first: number, last: number, value: T): boolean;
  /** Erase the whole range containing `index`; returns the old entry value. */
  erase(index: number): T | undefined;
  /** Value covering `index`. */
  load(index: number): T | undefined;
  /** First entry intersecting `[index, max]`. */
  find(index: number, max?: number): Entry<T> | undefined;
  /** Entries intersecting `[first, last]`, in order. */
  entries(first?: number, last?: number): IterableIterator<Entry<T>>;
  /** The range around `index`, empty ranges too. */
  walk(index: number): Slot<T>;
  /** First entry starting after `index`, not beyond `max`. */
  next(index: number, max?: number): Entry<T> | undefined;
  /** Last entry ending before `index`, not below `min`. */
  prev(index: number, min?: number): Entry<T> | undefined;
  /** Lowest empty area of `size` indices inside `[min, max]` (kernel `mas_empty_area`). */
  emptyArea(min: number, max: number, size: number): Area | undefined;
  /** Highest empty area of `size` indices inside `[min, max]` (kernel `mas_empty_area_rev`). */
  emptyAreaRev(min: number, max: number, size: number): Area | undefined;
  /** Remove every entry and free every node. */
  clear(): void;
  /** A cursor positioned at `[first, last]` (default `[0, 0]`). */
  cursor(first?: number, last?: number): MapleCursor<T>;
  /**
   * Copy the tree the way this version's fork does. `copy` maps each value for the child;
   * returning `undefined` leaves the entry out (VM_DONTCOPY).
   */
  dup(copy?: (value: T) => T | undefined): MapleTree<T>;
  /** How the `dup()` that made this tree used its node pool; `undefined` if not made by dup. */
  readonly dupReport: DupReport | undefined;
  /** Check every invariant; throws {@linkcode MapleInvariantError}. */
  validate(): void;
  /** Human-readable dump of every node. */
  dump(): string;
  /** Number of non-empty entries. */
  count(): number;
  /** Levels of nodes (0 for an empty tree or a lone [0,0] entry). */
  height(): number;
  /** Node census. */
  nodeCounts(): NodeCounts;
  /** Allocator counters. */
  allocatorStats(): AllocatorStats;
  /** Set the remaining node allocations allowed (`null` = unlimited). */
  setNodeBudget(budget: number | null): void;
}

/** What a version's `mod.ts` exports. */
export interface MapleModule {
  /** Make an empty tree. */
  createTree<T>(options?: TreeOptions): MapleTree<T>;
}
