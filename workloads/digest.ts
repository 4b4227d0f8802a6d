/**
 * Digests for determinism checks: a 64-bit FNV-1a (two 32-bit lanes) over the final VMA list,
 * and a rolling one over the operations applied.
 *
 * @example
 * ```ts
 * import { digestVmas } from "./digest.ts";
 * import { makeVma } from "./vma.ts";
 * console.log(digestVmas([makeVma({ start: 0x10000, end: 0x11000 })]).length); // 16
 * ```
 *
 * @module
 */

import { formatVma, type Vma } from "./vma.ts";

const FNV_PRIME = 0x01000193;

/** Fold `text` into a 32-bit FNV-1a state. */
export function fnv1a(state: number, text: string): number {
  let h = state;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** A rolling 64-bit digest built from two FNV-1a lanes with different offset bases. */
export class RollingDigest {
  #low = 0x811c9dc5;
  #high = 0x050c5d1f;

  /** Add one piece of text. */
  add(text: string): void {
    this.#low = fnv1a(this.#low, text);
    this.#high = fnv1a(this.#high, text + "\u0001");
  }

  /**
   * Add a flat record field by field, without building a string: the stressors add one per
   * operation, and serialising each one cost a tenth of a run's time.
   */
  addFields(record: object): void {
    let low = this.#low;
    let high = this.#high;
    for (const [key, value] of Object.entries(record)) {
      low = fnv1a(low, key);
      high = fnv1a(high, key);
      if (typeof value === "number") {
        const lo = value >>> 0;
        const hi = Math.floor(value / 0x1_0000_0000) >>> 0;
        low = Math.imul(low ^ lo, FNV_PRIME) >>> 0;
        low = Math.imul(low ^ hi, FNV_PRIME) >>> 0;
        high = Math.imul(high ^ hi, FNV_PRIME) >>> 0;
        high = Math.imul(high ^ lo, FNV_PRIME) >>> 0;
      } else {
        const text = typeof value === "string" ? value : JSON.stringify(value) ?? "";
        low = fnv1a(low, text);
        high = fnv1a(high ^ 1, text);
      }
    }
    this.#low = Math.imul(low ^ 0x0a, FNV_PRIME) >>> 0;
    this.#high = Math.imul(high ^ 0x01, FNV_PRIME) >>> 0;
  }

  /** 16 hex digits. */
  hex(): string {
    return this.#high.toString(16).padStart(8, "0") + this.#low.toString(16).padStart(8, "0");
  }
}

/** Digest of an address space: every VMA's maps line and flags, in order. */
export function digestVmas(vmas: readonly Vma[]): string {
  const digest = new RollingDigest();
  for (const vma of vmas) digest.add(`${formatVma(vma)}|${vma.flags}\n`);
  return digest.hex();
}
