/**
 * Key checking: every key is an integer in `[0, MAX_INDEX]`; anything else is a RangeError
 * that names the argument.
 *
 * @example
 * ```ts
 * import { checkKey } from "./keys.ts";
 * checkKey("index", 42); // fine
 * try { checkKey("index", -1); } catch (e) { console.log((e as Error).message); }
 * ```
 *
 * @module
 */

import { MAX_INDEX } from "../contract.ts";

/** Throw a RangeError naming `name` unless `value` is an integer key. */
export function checkKey(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_INDEX) {
    throw new RangeError(`${name} must be an integer in [0, ${MAX_INDEX}], got ${value}`);
  }
}

/** Throw unless `[first, last]` is a valid inclusive range. */
export function checkRange(first: number, last: number): void {
  checkKey("first", first);
  checkKey("last", last);
  if (first > last) throw new RangeError(`first (${first}) must not exceed last (${last})`);
}
