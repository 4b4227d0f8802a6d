/**
 * The advanced API: a cursor over one tree with its own node pool (the kernel's `ma_state`).
 *
 * Modes: plain (each store requests its worst case and gives back the rest), preallocated
 * (`preallocate` promised the nodes of the next store; that store may not allocate and
 * frees the leftovers, like `mas_store_prealloc`), and bulk (`expectedEntries` promised the
 * nodes of a whole in-order load; `destroy` runs the fix-up and frees the rest). A promised
 * pool is never topped up; running it dry raises MapleAllocationError (facts §6.3).
 *
 * Preallocation reserves the worst case of any store, 1 + 3h nodes (facts §6.2), whatever
 * the store turns out to be; the store then frees what it did not use.
 *
 * @example
 * ```ts
 * import { MapleTreeImpl } from "./tree.ts";
 * const tree = new MapleTreeImpl<string>({ allocRange: true });
 * const cur = tree.cursor(0x1000, 0x1fff);
 * cur.preallocate("text");
 * cur.store("text");
 * console.log(tree.load(0x1800)); // "text"
 * ```
 *
 * @module
 */

import { type MapleCursor, MAX_INDEX } from "../contract.ts";
import { NodePool } from "./allocator.ts";
import { bulkEstimate, bulkFixup } from "./bulk.ts";
import type { TreeCore } from "./core.ts";
import { checkKey, checkRange } from "./keys.ts";
import { LeafWalker } from "./read.ts";
import { lastWrite, write } from "./write.ts";

type Status = "start" | "active" | "paused" | "none";
type Mode = "plain" | "prealloc" | "bulk";

/** A cursor; see the module doc. */
export class MapleCursorImpl<T> implements MapleCursor<T> {
  index: number;
  last: number;
  readonly #core: TreeCore;
  readonly #pool: NodePool;
  readonly #walker: LeafWalker = new LeafWalker();
  #status: Status = "start";
  #mode: Mode = "plain";
  /** A bulk leaf split happened: the fix-up must look at the last leaf. */
  #fixupPending = false;
  #lastWritten = 0;
  /** Nodes promised by the last `expectedEntries`. */
  promisedCount = 0;

  /**
   * @param core the tree's state
   * @param first start of the range of interest
   * @param last end of the range of interest
   */
  constructor(core: TreeCore, first: number, last: number) {
    checkRange(first, last);
    this.#core = core;
    this.#pool = new NodePool(core.allocator);
    this.index = first;
    this.last = last;
  }

  /** Nodes still in this cursor's pool. */
  get pooled(): number {
    return this.#pool.count;
  }

  /** The pool's counters (for dup reports). */
  get pool(): NodePool {
    return this.#pool;
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

  /** Put the walker on the slot holding `index`. */
  #seek(index: number): LeafWalker {
    this.#walker.seek(this.#core, index);
    return this.#walker;
  }

  #take(w: LeafWalker): T | undefined {
    this.index = w.lo;
    this.last = w.hi;
    this.#status = "active";
    return w.value as T | undefined;
  }

  #miss(bound: number): undefined {
    this.index = bound;
    this.last = bound;
    this.#status = "none";
    return undefined;
  }

  walk(): T | undefined {
    return this.#take(this.#seek(this.index));
  }

  find(max: number): T | undefined {
    checkKey("max", max);
    let from: number;
    if (this.#status === "start") {
      from = this.index;
    } else {
      if (this.last === MAX_INDEX) return this.#miss(max);
      from = this.last + 1;
    }
    if (from > max) return this.#miss(max);
    const w = this.#seek(from);
    if (!w.toEntryForward() || w.lo > max) return this.#miss(max);
    return this.#take(w);
  }

  findRev(min: number): T | undefined {
    checkKey("min", min);
    let w: LeafWalker;
    if (this.#status === "start") {
      w = this.#seek(this.index);
      if (w.value !== undefined) return this.#take(w);
    } else {
      if (this.index === 0) return this.#miss(min);
      w = this.#seek(this.index);
    }
    if (!w.backward() || !w.toEntryBackward() || w.hi < min) return this.#miss(min);
    return this.#take(w);
  }

  next(max: number): T | undefined {
    checkKey("max", max);
    if (this.#status === "start") this.#take(this.#seek(this.index));
    if (this.last === MAX_INDEX) return this.#miss(max);
    const w = this.#seek(this.last);
    if (!w.forward() || !w.toEntryForward() || w.lo > max) return this.#miss(max);
    return this.#take(w);
  }

  prev(min: number): T | undefined {
    checkKey("min", min);
    if (this.#status === "start") this.#take(this.#seek(this.index));
    if (this.index === 0) return this.#miss(min);
    const w = this.#seek(this.index);
    if (!w.backward() || !w.toEntryBackward() || w.hi < min) return this.#miss(min);
    return this.#take(w);
  }

  store(value: T | undefined): T | undefined {
    const core = this.#core;
    const mode = this.#mode;
    const pool = mode === "plain" ? core.pool : this.#pool;
    try {
      const previous = write(core, pool, this.index, this.last, value, mode === "bulk");
      if (mode === "bulk") {
        if (lastWrite.bulkLeafSplit) this.#fixupPending = true;
        this.#lastWritten = this.last;
      }
      return previous as T | undefined;
    } finally {
      this.#status = "active";
      if (mode === "plain") core.pool.release();
      else if (mode === "prealloc") this.destroy();
    }
  }

  erase(): T | undefined {
    const w = this.#seek(this.index);
    this.index = w.lo;
    this.last = w.hi;
    const old = w.value as T | undefined;
    if (old === undefined) {
      this.#status = "active";
      return undefined;
    }
    this.store(undefined);
    return old;
  }

  preallocate(_value: T | undefined): void {
    // The worst case of any store, whatever the entry and the place: 1 + 3h (facts §6.2).
    this.#promise(1 + 3 * this.#core.height);
    this.#mode = "prealloc";
  }

  expectedEntries(count: number): void {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`count must be a non-negative integer, got ${count}`);
    }
    const estimate = bulkEstimate(count, this.#core.allocRange);
    this.#promise(estimate);
    this.promisedCount = estimate;
    this.#mode = "bulk";
    this.#fixupPending = false;
  }

  /** Fill the pool with `request` nodes up front and stop it being topped up. */
  #promise(request: number): void {
    const pool = this.#pool;
    pool.promised = false;
    try {
      pool.fill(request);
    } catch (error) {
      this.destroy();
      throw error;
    }
    pool.promised = true;
    pool.taken = 0;
    pool.extra = 0;
  }

  destroy(): void {
    if (this.#mode === "bulk" && this.#fixupPending) bulkFixup(this.#core, this.#lastWritten);
    this.#fixupPending = false;
    this.#mode = "plain";
    this.#pool.release();
  }

  pause(): void {
    this.#status = "paused";
  }
}
