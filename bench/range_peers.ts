/**
 * The npm ordered maps the core is measured against, doing the same range-map job: ranges
 * keyed by their start, a predecessor look-up to load, and overwrite semantics for stores
 * (trim the range before, split the range after, delete everything in between).
 *
 * - {@linkcode BTreeRanges}: `sorted-btree`'s B+ tree (`BTree`), dup by `greedyClone()`.
 * - {@linkcode SdslRanges}: `@js-sdsl/ordered-map` (a red-black tree), dup by an in-order
 *   rebuild.
 *
 * @example
 * ```ts
 * import { BTreeRanges } from "./range_peers.ts";
 * const map = new BTreeRanges<string>();
 * map.store(10, 19, "a");
 * map.store(15, 16, "b");
 * console.log(map.load(12), map.load(15), map.load(18)); // a b a
 * ```
 *
 * @module
 */

import sortedBtree from "sorted-btree";
import { OrderedMap } from "@js-sdsl/ordered-map";

/** sorted-btree is CommonJS with `exports.default`; Deno's interop hands us the exports. */
const BTreeClass = sortedBtree.default;
/** A sorted-btree BTree from keys `K` to values `V`. */
type BTree<K, V> = InstanceType<typeof BTreeClass<K, V>>;

/** One stored range: its end and value (the start is the key). */
export interface RangeRecord<V> {
  readonly last: number;
  readonly value: V;
}

/** The job every peer does. */
export interface RangeMapPeer<V> {
  load(index: number): V | undefined;
  store(first: number, last: number, value: V | undefined): void;
  emptyArea(min: number, max: number, size: number): number | undefined;
  emptyAreaRev(min: number, max: number, size: number): number | undefined;
  dup(): RangeMapPeer<V>;
  count(): number;
}

/** Ranges in a `sorted-btree` BTree. */
export class BTreeRanges<V> implements RangeMapPeer<V> {
  readonly tree: BTree<number, RangeRecord<V>>;
  readonly #pair: [number, RangeRecord<V>] = [0, { last: 0, value: undefined as V }];

  /** @param tree an existing tree to wrap (for dup) */
  constructor(tree?: BTree<number, RangeRecord<V>>) {
    this.tree = tree ??
      new BTreeClass<number, RangeRecord<V>>(undefined, (a: number, b: number) => a - b);
  }

  load(index: number): V | undefined {
    const p = this.tree.getPairOrNextLower(index, this.#pair);
    return p !== undefined && p[1].last >= index ? p[1].value : undefined;
  }

  store(first: number, last: number, value: V | undefined): void {
    const tree = this.tree;
    const q = tree.getPairOrNextLower(last);
    const tail = q !== undefined && q[1].last > last ? q[1] : undefined;
    if (first > 0) {
      const p = tree.getPairOrNextLower(first - 1);
      if (p !== undefined && p[1].last >= first) {
        tree.set(p[0], { last: first - 1, value: p[1].value });
      }
    }
    tree.deleteRange(first, last, true);
    if (tail !== undefined) tree.set(last + 1, { last: tail.last, value: tail.value });
    if (value !== undefined) tree.set(first, { last, value });
  }

  emptyArea(min: number, max: number, size: number): number | undefined {
    const p = this.tree.getPairOrNextLower(min);
    let start = p !== undefined && p[1].last >= min ? p[1].last + 1 : min;
    for (const [key, rec] of this.tree.entries(min + 1)) {
      if (start > max) return undefined;
      const end = Math.min(key - 1, max);
      if (end - start + 1 >= size) return start;
      start = rec.last + 1;
    }
    return max - start + 1 >= size ? start : undefined;
  }

  emptyAreaRev(min: number, max: number, size: number): number | undefined {
    let end = max;
    for (const [key, rec] of this.tree.entriesReversed(max)) {
      if (rec.last < min) break;
      if (end < min) return undefined;
      const start = Math.max(rec.last + 1, min);
      if (rec.last < end && end - start + 1 >= size) return end - size + 1;
      end = Math.min(end, key - 1);
    }
    return end - min + 1 >= size ? end - size + 1 : undefined;
  }

  dup(): BTreeRanges<V> {
    return new BTreeRanges(this.tree.greedyClone(true));
  }

  count(): number {
    return this.tree.size;
  }
}

/** Ranges in an `@js-sdsl/ordered-map` OrderedMap. */
export class SdslRanges<V> implements RangeMapPeer<V> {
  readonly map: OrderedMap<number, RangeRecord<V>> = new OrderedMap<number, RangeRecord<V>>(
    [],
    (a, b) => a - b,
  );

  load(index: number): V | undefined {
    const it = this.map.reverseLowerBound(index);
    if (!it.isAccessible()) return undefined;
    const rec = it.pointer[1];
    return rec.last >= index ? rec.value : undefined;
  }

  store(first: number, last: number, value: V | undefined): void {
    const map = this.map;
    const q = map.reverseLowerBound(last);
    const tail = q.isAccessible() && q.pointer[1].last > last ? q.pointer[1] : undefined;
    if (first > 0) {
      const p = map.reverseLowerBound(first - 1);
      if (p.isAccessible() && p.pointer[1].last >= first) {
        const [key, rec] = p.pointer;
        map.setElement(key, { last: first - 1, value: rec.value });
      }
    }
    let it = map.lowerBound(first);
    while (it.isAccessible() && it.pointer[0] <= last) it = map.eraseElementByIterator(it);
    if (tail !== undefined) map.setElement(last + 1, { last: tail.last, value: tail.value });
    if (value !== undefined) map.setElement(first, { last, value });
  }

  emptyArea(min: number, max: number, size: number): number | undefined {
    const p = this.map.reverseLowerBound(min);
    let start = p.isAccessible() && p.pointer[1].last >= min ? p.pointer[1].last + 1 : min;
    const it = this.map.upperBound(min);
    for (; it.isAccessible(); it.next()) {
      if (start > max) return undefined;
      const [key, rec] = it.pointer;
      if (Math.min(key - 1, max) - start + 1 >= size) return start;
      start = rec.last + 1;
    }
    return max - start + 1 >= size ? start : undefined;
  }

  emptyAreaRev(min: number, max: number, size: number): number | undefined {
    let end = max;
    const it = this.map.reverseLowerBound(max);
    const begin = this.map.begin();
    while (it.isAccessible()) {
      const [key, rec] = it.pointer;
      if (rec.last < min) break;
      if (end < min) return undefined;
      const start = Math.max(rec.last + 1, min);
      if (rec.last < end && end - start + 1 >= size) return end - size + 1;
      end = Math.min(end, key - 1);
      if (it.equals(begin)) break;
      it.pre();
    }
    return end - min + 1 >= size ? end - size + 1 : undefined;
  }

  dup(): SdslRanges<V> {
    const copy = new SdslRanges<V>();
    const end = this.map.end();
    let hint = copy.map.end();
    for (const it = this.map.begin(); !it.equals(end); it.next()) {
      const [key, rec] = it.pointer;
      copy.map.setElement(key, rec, hint);
      hint = copy.map.end();
    }
    return copy;
  }

  count(): number {
    return this.map.size();
  }
}
