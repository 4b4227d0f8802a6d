/**
 * The contract over a kernel's own maple tree: {@linkcode KernelTree} and its cursor call the
 * shim through FFI and translate at the boundary.
 *
 * - Values live here, in a per-tree table; the C tree holds their ids (`xa_mk_value(id)`).
 *   One value stored many times keeps one id, so a table grows with distinct values only.
 * - The kernel's -ENOMEM (a budget ran out) becomes {@linkcode MapleAllocationError}, a broken
 *   invariant found by `mt_validate` becomes {@linkcode MapleInvariantError} named after the
 *   kernel function that saw it, and bad keys are a RangeError before anything crosses.
 * - C memory follows the JavaScript objects: a tree or cursor that is collected frees its
 *   nodes and state (FinalizationRegistry), so long runs do not leak native memory.
 *
 * @example
 * ```ts
 * import { KernelTree } from "./tree.ts";
 * import { openShim } from "./ffi.ts";
 * export function demo(libraryPath: string): string | undefined {
 *   const tree = new KernelTree<string>(openShim(libraryPath), { allocRange: true }, {});
 *   tree.store(0x1000, 0x1fff, "text");
 *   return tree.load(0x1800); // "text"
 * }
 * ```
 *
 * @module
 */

import {
  type Area,
  type DupReport,
  type Entry,
  MapleAllocationError,
  type MapleCursor,
  MapleInvariantError,
  type MapleTree,
  MAX_INDEX,
  type NodeCounts,
  type Slot,
  type TreeOptions,
} from "../contract.ts";
import { CURSOR_OP, ERRNO, type Shim } from "./ffi.ts";

/** How this version's fork runs, and what is injected into it. */
export interface KernelTreeOptions {
  /** `bulk` (6.1's expected entries and in-order stores) or `copy` (`__mt_dup`, 6.8 on). */
  readonly dupPath?: "bulk" | "copy";
  /** Nodes dropped from the bulk pool right after `mas_expected_entries` (July 2022's bug). */
  readonly undercount?: number;
  /** On the copy path: the k-th node allocation of `__mt_dup` fails. */
  readonly copyFailAt?: number;
}

type Pointer = Deno.PointerValue;

const treeFinalizer = new FinalizationRegistry<{ shim: Shim; pointer: Pointer }>((held) => {
  held.shim.symbols.mb_tree_free(held.pointer);
});
const cursorFinalizer = new FinalizationRegistry<{ shim: Shim; pointer: Pointer }>((held) => {
  held.shim.symbols.mb_cursor_free(held.pointer);
});

/** Ids for values: 0 is empty (`undefined`), each distinct value gets the next id. */
class ValueTable<T> {
  #values: (T | undefined)[] = [undefined];
  #ids = new Map<T, number>();

  idOf(value: T | undefined): number {
    if (value === undefined) return 0;
    let id = this.#ids.get(value);
    if (id === undefined) {
      id = this.#values.length;
      this.#values.push(value);
      this.#ids.set(value, id);
    }
    return id;
  }

  valueOf(id: number): T | undefined {
    return this.#values[id];
  }
}

function checkKey(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be an integer in [0, ${MAX_INDEX}], got ${value}`);
  }
}

function checkRange(first: number, last: number): void {
  checkKey("first", first);
  checkKey("last", last);
  if (first > last) throw new RangeError(`first (${first}) must not exceed last (${last})`);
}

function checkGap(min: number, max: number, size: number): void {
  checkKey("min", min);
  checkKey("max", max);
  checkKey("size", size);
}

function checkBudget(budget: number | null | undefined): number {
  if (budget === null || budget === undefined) return -1;
  if (!Number.isSafeInteger(budget) || budget < 0) {
    throw new RangeError(`budget must be a non-negative integer or null, got ${budget}`);
  }
  return budget;
}

/** Turn a kernel error number into the contract's error; 0 passes. */
function raise(ret: number, what: string): void {
  if (ret === 0) return;
  if (ret === -ERRNO.ENOMEM) {
    throw new MapleAllocationError(`${what}: the kernel tree returned -ENOMEM (node budget)`);
  }
  if (ret === -ERRNO.EINVAL) throw new RangeError(`${what}: the kernel tree returned -EINVAL`);
  if (ret === -ERRNO.EOPNOTSUPP) {
    throw new Error(`${what}: this kernel tree does not offer it`);
  }
  throw new Error(`${what}: the kernel tree returned error ${ret}`);
}

/** A maple tree held by the kernel's C code. */
export class KernelTree<T> implements MapleTree<T> {
  readonly allocRange: boolean;
  dupReport: DupReport | undefined = undefined;
  /** @internal the C tree */
  readonly pointer: Pointer;
  /** @internal */
  readonly shim: Shim;
  /** @internal the id table (shared with copies made without a callback) */
  values: ValueTable<T> = new ValueTable<T>();
  readonly #options: KernelTreeOptions;
  readonly #out = new Float64Array(3);

  /**
   * @param shim the opened library
   * @param options tree kind and budget
   * @param kernelOptions the fork path and injected faults
   */
  constructor(shim: Shim, options: TreeOptions | undefined, kernelOptions: KernelTreeOptions) {
    this.shim = shim;
    this.allocRange = options?.allocRange ?? false;
    this.#options = kernelOptions;
    const budget = checkBudget(options?.nodeBudget);
    const pointer = shim.symbols.mb_tree_new(this.allocRange ? 1 : 0, budget);
    if (pointer === null) throw new MapleAllocationError("cannot allocate a kernel tree head");
    this.pointer = pointer;
    treeFinalizer.register(this, { shim, pointer });
  }

  store(first: number, last: number, value: T | undefined): void {
    checkRange(first, last);
    raise(this.shim.symbols.mb_store(this.pointer, first, last, this.values.idOf(value)), "store");
  }

  insert(first: number, last: number, value: T): boolean {
    checkRange(first, last);
    const ret = this.shim.symbols.mb_insert(this.pointer, first, last, this.values.idOf(value));
    if (ret === -ERRNO.EEXIST) return false;
    raise(ret, "insert");
    return true;
  }

  erase(index: number): T | undefined {
    checkKey("index", index);
    const id = this.shim.symbols.mb_erase(this.pointer, index);
    if (id < 0) raise(-ERRNO.ENOMEM, "erase");
    return this.values.valueOf(id);
  }

  load(index: number): T | undefined {
    checkKey("index", index);
    return this.values.valueOf(this.shim.symbols.mb_load(this.pointer, index));
  }

  #entry(found: number): Entry<T> | undefined {
    if (found === 0) return undefined;
    const out = this.#out;
    return { first: out[0], last: out[1], value: this.values.valueOf(out[2]) as T };
  }

  find(index: number, max: number = MAX_INDEX): Entry<T> | undefined {
    checkKey("index", index);
    checkKey("max", max);
    if (index > max) return undefined;
    return this.#entry(this.shim.symbols.mb_find(this.pointer, index, max, this.#out));
  }

  *entries(first = 0, last: number = MAX_INDEX): IterableIterator<Entry<T>> {
    checkRange(first, last);
    const batch = new Float64Array(3 * 64);
    let from = first;
    for (;;) {
      const n = this.shim.symbols.mb_entries(this.pointer, from, last, batch, 64);
      for (let i = 0; i < n; i++) {
        const value = this.values.valueOf(batch[3 * i + 2]) as T;
        yield { first: batch[3 * i], last: batch[3 * i + 1], value };
      }
      const end = batch[3 * (n - 1) + 1];
      if (n < 64 || end >= last) return;
      from = end + 1;
    }
  }

  walk(index: number): Slot<T> {
    checkKey("index", index);
    const out = this.#out;
    this.shim.symbols.mb_walk(this.pointer, index, out);
    return { first: out[0], last: out[1], value: this.values.valueOf(out[2]) };
  }

  next(index: number, max: number = MAX_INDEX): Entry<T> | undefined {
    checkKey("index", index);
    checkKey("max", max);
    return this.#entry(this.shim.symbols.mb_next(this.pointer, index, max, this.#out));
  }

  prev(index: number, min = 0): Entry<T> | undefined {
    checkKey("index", index);
    checkKey("min", min);
    return this.#entry(this.shim.symbols.mb_prev(this.pointer, index, min, this.#out));
  }

  // The two searches call C from call sites of their own: one shared call site taking the
  // function as an argument made whichever search ran second several times slower.
  emptyArea(min: number, max: number, size: number): Area | undefined {
    checkGap(min, max, size);
    return this.#area(this.shim.symbols.mb_empty_area(this.pointer, min, max, size, this.#out));
  }

  emptyAreaRev(min: number, max: number, size: number): Area | undefined {
    checkGap(min, max, size);
    const ret = this.shim.symbols.mb_empty_area_rev(this.pointer, min, max, size, this.#out);
    return this.#area(ret);
  }

  #area(ret: number): Area | undefined {
    if (ret === -ERRNO.EINVAL) {
      throw new RangeError("gap search: the kernel tree refuses this window (-EINVAL)");
    }
    if (ret !== 0) return undefined;
    return { first: this.#out[0], last: this.#out[1] };
  }

  clear(): void {
    this.shim.symbols.mb_tree_clear(this.pointer);
    // A new table, not a reset one: a copy made without a callback shares this one.
    this.values = new ValueTable<T>();
  }

  cursor(first = 0, last: number = first): MapleCursor<T> {
    checkRange(first, last);
    return new KernelCursor<T>(this, first, last);
  }

  dup(copy?: (value: T) => T | undefined): MapleTree<T> {
    const budget = this.allocatorStats().budget;
    const child = new KernelTree<T>(this.shim, {
      allocRange: this.allocRange,
      nodeBudget: budget ?? undefined,
    }, this.#options);
    // The parent's entries in one crossing; without a callback the copy keeps the same
    // values, so it shares the parent's table and the ids stand as they are.
    const count = this.count();
    const triples = new Float64Array(3 * count);
    const n = this.shim.symbols.mb_entries(this.pointer, 0, MAX_INDEX, triples, count);
    if (copy === undefined) {
      child.values = this.values;
    } else {
      for (let i = 0; i < n; i++) {
        const value = this.values.valueOf(triples[3 * i + 2]) as T;
        triples[3 * i + 2] = child.values.idOf(copy(value));
      }
    }
    const source = { length: n };
    const report = new Float64Array(3);
    const path = this.#options.dupPath ?? "bulk";
    const ret = path === "copy"
      ? this.shim.symbols.mb_dup_copy(
        this.pointer,
        child.pointer,
        triples,
        source.length,
        this.#options.copyFailAt ?? 0,
        report,
      )
      : this.shim.symbols.mb_dup_bulk(
        this.pointer,
        child.pointer,
        triples,
        source.length,
        this.#options.undercount ?? 0,
        report,
      );
    raise(ret, `dup (${path === "copy" ? "__mt_dup" : "bulk"})`);
    child.dupReport = path === "copy"
      ? {
        strategy: "structural",
        expectedEntries: source.length,
        promised: 0,
        taken: 0,
        extra: report[2],
      }
      : {
        strategy: "bulk",
        expectedEntries: source.length,
        promised: report[0],
        taken: report[1],
        extra: report[2],
      };
    return child;
  }

  validate(): void {
    const message = new Uint8Array(512);
    if (this.shim.symbols.mb_validate(this.pointer, message, message.length) === 0) return;
    const text = new TextDecoder().decode(message.subarray(0, message.indexOf(0)));
    const rule = /BUG at (\w+)/.exec(text)?.[1] ?? "kernel";
    throw new MapleInvariantError(rule, "root", -1, `mt_validate: ${text}`);
  }

  dump(): string {
    const pointer = this.shim.symbols.mb_dump(this.pointer);
    if (pointer === null) return "(the kernel's dump could not be captured)";
    const text = Deno.UnsafePointerView.getCString(pointer);
    this.shim.symbols.mb_free_string(pointer);
    return text;
  }

  count(): number {
    return this.shim.symbols.mb_count(this.pointer);
  }

  height(): number {
    return this.shim.symbols.mb_height(this.pointer);
  }

  nodeCounts(): NodeCounts {
    const out = this.#out;
    this.shim.symbols.mb_census(this.pointer, out);
    return { leaves: out[0], ranges: out[1], aranges: out[2], total: out[0] + out[1] + out[2] };
  }

  allocatorStats() {
    const out = this.#out;
    this.shim.symbols.mb_stats(this.pointer, out);
    return {
      allocations: out[0],
      frees: out[1],
      live: out[0] - out[1],
      budget: out[2] < 0 ? null : out[2],
    };
  }

  setNodeBudget(budget: number | null): void {
    this.shim.symbols.mb_set_budget(this.pointer, checkBudget(budget));
  }
}

/** The kernel's `ma_state`, owned by one {@linkcode KernelTree}. */
class KernelCursor<T> implements MapleCursor<T> {
  index: number;
  last: number;
  readonly #tree: KernelTree<T>;
  readonly #pointer: Pointer;
  readonly #out = new Float64Array(3);

  constructor(tree: KernelTree<T>, first: number, last: number) {
    this.#tree = tree;
    this.index = first;
    this.last = last;
    const pointer = tree.shim.symbols.mb_cursor_new(tree.pointer, first, last);
    if (pointer === null) throw new MapleAllocationError("cannot allocate a kernel ma_state");
    this.#pointer = pointer;
    cursorFinalizer.register(this, { shim: tree.shim, pointer });
  }

  set(index: number): this {
    return this.setRange(index, index);
  }

  setRange(first: number, last: number): this {
    checkRange(first, last);
    this.#tree.shim.symbols.mb_cursor_set(this.#pointer, first, last);
    this.index = first;
    this.last = last;
    return this;
  }

  #op(op: number, limit: number): T | undefined {
    const out = this.#out;
    const found = this.#tree.shim.symbols.mb_cursor_op(this.#pointer, op, limit, out);
    if (found < 0) raise(found, "cursor erase");
    this.index = out[0];
    this.last = out[1];
    return found === 0 ? undefined : this.#tree.values.valueOf(out[2]);
  }

  walk(): T | undefined {
    return this.#op(CURSOR_OP.walk, 0);
  }

  find(max: number): T | undefined {
    checkKey("max", max);
    return this.#op(CURSOR_OP.find, max);
  }

  findRev(min: number): T | undefined {
    checkKey("min", min);
    return this.#op(CURSOR_OP.findRev, min);
  }

  next(max: number): T | undefined {
    checkKey("max", max);
    return this.#op(CURSOR_OP.next, max);
  }

  prev(min: number): T | undefined {
    checkKey("min", min);
    return this.#op(CURSOR_OP.prev, min);
  }

  store(value: T | undefined): T | undefined {
    const tree = this.#tree;
    const ret = tree.shim.symbols.mb_cursor_store(
      this.#pointer,
      tree.values.idOf(value),
      this.#out,
    );
    raise(ret, "cursor store");
    this.index = this.#out[1];
    this.last = this.#out[2];
    return tree.values.valueOf(this.#out[0]);
  }

  erase(): T | undefined {
    return this.#op(CURSOR_OP.erase, 0);
  }

  preallocate(value: T | undefined): void {
    const tree = this.#tree;
    raise(
      tree.shim.symbols.mb_cursor_preallocate(this.#pointer, tree.values.idOf(value)),
      "preallocate",
    );
  }

  expectedEntries(count: number): void {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`count must be a non-negative integer, got ${count}`);
    }
    raise(this.#tree.shim.symbols.mb_cursor_expected(this.#pointer, count), "expectedEntries");
  }

  destroy(): void {
    this.#tree.shim.symbols.mb_cursor_destroy(this.#pointer);
  }

  pause(): void {
    this.#tree.shim.symbols.mb_cursor_pause(this.#pointer);
  }

  get pooled(): number {
    return this.#tree.shim.symbols.mb_cursor_pooled(this.#pointer);
  }
}
