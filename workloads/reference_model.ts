/**
 * The plain model the differential check compares a tree against: a sorted array of
 * non-overlapping ranges with the same store, load and gap-search semantics as the contract,
 * written for obviousness rather than speed.
 *
 * @example
 * ```ts
 * import { RangeModel } from "./reference_model.ts";
 * const model = new RangeModel<string>();
 * model.store(0x1000, 0x2fff, "a");
 * model.store(0x2000, 0x2fff, undefined);
 * console.log(model.load(0x1800), model.count()); // "a" 1
 * ```
 *
 * @module
 */

import type { Area, Entry } from "../core/contract.ts";

/** A sorted list of non-empty ranges. */
export class RangeModel<T> {
  #entries: Entry<T>[] = [];

  /** A model holding `entries` (sorted, non-overlapping; checked). */
  static from<T>(entries: Iterable<Entry<T>>): RangeModel<T> {
    const model = new RangeModel<T>();
    for (const entry of entries) {
      const last = model.#entries.at(-1);
      if (entry.first > entry.last || (last && entry.first <= last.last)) {
        throw new RangeError(`entries out of order at ${entry.first}-${entry.last}`);
      }
      model.#entries.push({ first: entry.first, last: entry.last, value: entry.value });
    }
    return model;
  }

  /** Index of the first entry whose `last` is at or above `index`. */
  #firstEndingAtOrAfter(index: number): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#entries[mid].last < index) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Overwrite `[first, last]`; `undefined` empties it. */
  store(first: number, last: number, value: T | undefined): void {
    const from = this.#firstEndingAtOrAfter(first);
    let to = from;
    const replacement: Entry<T>[] = [];
    while (to < this.#entries.length && this.#entries[to].first <= last) {
      const old = this.#entries[to];
      if (old.first < first) {
        replacement.push({ first: old.first, last: first - 1, value: old.value });
      }
      if (old.last > last) replacement.push({ first: last + 1, last: old.last, value: old.value });
      to++;
    }
    if (value !== undefined) {
      const at = replacement.length > 0 && replacement[0].first < first ? 1 : 0;
      replacement.splice(at, 0, { first, last, value });
    }
    this.#entries.splice(from, to - from, ...replacement);
  }

  /** The value covering `index`. */
  load(index: number): T | undefined {
    const entry = this.#entries[this.#firstEndingAtOrAfter(index)];
    return entry && entry.first <= index ? entry.value : undefined;
  }

  /** The entry covering `index`, else the first one above it (a `find` from `index`). */
  findFrom(index: number): Entry<T> | undefined {
    return this.#entries[this.#firstEndingAtOrAfter(index)];
  }

  /** Entries intersecting `[first, last]`, in order. */
  entries(first = 0, last: number = Number.MAX_SAFE_INTEGER): Entry<T>[] {
    const out: Entry<T>[] = [];
    for (let i = this.#firstEndingAtOrAfter(first); i < this.#entries.length; i++) {
      if (this.#entries[i].first > last) break;
      out.push(this.#entries[i]);
    }
    return out;
  }

  /** Number of entries. */
  count(): number {
    return this.#entries.length;
  }

  /** Remove everything. */
  clear(): void {
    this.#entries = [];
  }

  /** The empty runs of `[min, max]`, lowest first. */
  #gaps(min: number, max: number): Area[] {
    const gaps: Area[] = [];
    let cursor = min;
    for (const entry of this.entries(min, max)) {
      if (entry.first > cursor) gaps.push({ first: cursor, last: entry.first - 1 });
      cursor = entry.last + 1;
    }
    if (cursor <= max) gaps.push({ first: cursor, last: max });
    return gaps;
  }

  /** Lowest `[first, first + size - 1]` that is empty and inside `[min, max]`. */
  emptyArea(min: number, max: number, size: number): Area | undefined {
    const gap = this.#gaps(min, max).find((g) => g.last - g.first + 1 >= size);
    return gap && { first: gap.first, last: gap.first + size - 1 };
  }

  /** Highest `[last - size + 1, last]` that is empty and inside `[min, max]`. */
  emptyAreaRev(min: number, max: number, size: number): Area | undefined {
    const gap = this.#gaps(min, max).findLast((g) => g.last - g.first + 1 >= size);
    return gap && { first: gap.last - size + 1, last: gap.last };
  }
}
