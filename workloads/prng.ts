/**
 * The seeded pseudo-random generator every workload draws from: Marsaglia's
 * multiply-with-carry, the generator stress-ng uses (`stress_mwc32`), so that a seed means
 * the same thing run after run and machine after machine.
 *
 * @example
 * ```ts
 * import { Mwc } from "./prng.ts";
 * const rng = new Mwc(7);
 * console.log(rng.next32(), rng.below(10), rng.chance(0.5));
 * ```
 *
 * @module
 */

/** stress-ng's constant seed halves (`--no-rand-seed`). */
export const MWC_DEFAULT_Z = 362436069;
/** stress-ng's constant seed halves (`--no-rand-seed`). */
export const MWC_DEFAULT_W = 521288629;

const TWO_32 = 0x1_0000_0000;

/** murmur3's 32-bit finaliser: every output bit depends on every input bit. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Multiply-with-carry generator with two 32-bit halves (stress-ng's `stress_mwc32`).
 *
 * One deliberate difference from stress-ng's `--seed N` (z = N >> 32, w = N & 0xffffffff):
 * the seed is scrambled into the two halves first. With the plain split every seed below 2^32
 * shares z, and since z supplies the high bits of the first outputs, seeds 1, 2, 3, ... would
 * start with the same choices (the fuzzer's consecutive seeds would all pick the same kind
 * of layout). Use {@linkcode Mwc.fromState} for stress-ng's exact halves.
 */
export class Mwc {
  #z: number;
  #w: number;

  /** @param seed a non-negative integer up to 2^53 */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    }
    const high = Math.floor(seed / TWO_32);
    const low = seed % TWO_32;
    const z = fmix32(low ^ fmix32(high ^ 0x243f_6a88));
    const w = fmix32(z ^ 0x9e37_79b9);
    this.#z = z === 0 ? MWC_DEFAULT_Z : z;
    this.#w = w === 0 ? MWC_DEFAULT_W : w;
  }

  /** A generator with stress-ng's state halves as given (zero halves take the defaults). */
  static fromState(z: number, w: number): Mwc {
    const rng = new Mwc(0);
    rng.#z = z >>> 0 || MWC_DEFAULT_Z;
    rng.#w = w >>> 0 || MWC_DEFAULT_W;
    return rng;
  }

  /** The next 32-bit unsigned value. */
  next32(): number {
    this.#z = (36969 * (this.#z & 0xffff) + (this.#z >>> 16)) >>> 0;
    this.#w = (18000 * (this.#w & 0xffff) + (this.#w >>> 16)) >>> 0;
    return ((this.#z << 16) + this.#w) >>> 0;
  }

  /** A uniform integer in [0, n) for 0 < n <= 2^32 (multiply-shift, no modulo bias worth noting). */
  below(n: number): number {
    if (!(n > 0)) throw new RangeError(`below() needs a positive bound, got ${n}`);
    return Math.floor((this.next32() / TWO_32) * n);
  }

  /** A uniform integer in [min, max], both inclusive. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next32() / TWO_32 < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick() from an empty array");
    return items[this.below(items.length)];
  }

  /** Shuffle `items` in place (Fisher-Yates) and return it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** A new generator derived from this one, so sub-tasks do not disturb the main stream. */
  fork(): Mwc {
    return new Mwc(this.next32() * 0x20_0000 + (this.next32() >>> 11));
  }
}
