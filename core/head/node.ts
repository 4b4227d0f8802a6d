/**
 * Maple tree nodes, stored struct-of-arrays in one arena per tree.
 *
 * A node is a small integer id (0 is "no node"). Its data lives in flat arrays at
 * `id * STRIDE`: `piv[base]` is `end` (the last used slot) and `piv[base + 1 + i]` is pivot
 * `i`; `slots[base + i]` is slot `i` (a user value in a leaf, a child id in an internal
 * node); arange nodes keep 10 gaps in a block of `gaps` (below). A walk down the tree then
 * touches about two cache lines per level, as the kernel's 256-byte nodes do, instead of
 * chasing a chain of small objects (measured: about 3x faster random loads in a tree of
 * 100,000 ranges).
 *
 * A node covers an implied interval `[min, max]` handed down by its parent (the root covers
 * `[0, MAX_INDEX]`). Slot `i` covers `[pivot(i-1) + 1, pivot(i)]`; the last used slot runs to
 * the node's max, so only `end` pivots are stored. Unused pivots stay 0 and unused slots stay
 * `undefined` (facts §1.3), which `validate()` checks.
 *
 * Gaps live in blocks of their own, handed to a node id when it becomes an arange node and
 * given back when the id is freed (`meta[id] >> BLOCK_SHIFT`: block `b >= 1` sits at
 * `(b - 1) * GAPS`, 0 meaning none). Leaves, nine nodes in ten, carry no gap storage, and
 * the blocks in use stay close to the live arange nodes however often nodes are replaced:
 * a tree's arrays, and so a fork's copy of them, stay small.
 *
 * @example
 * ```ts
 * import { Arena, LEAF, STRIDE } from "./node.ts";
 * const arena = new Arena(4);
 * const leaf = arena.take();
 * arena.meta[leaf] = LEAF; // kind
 * arena.slots[leaf * STRIDE] = "a";
 * arena.piv[leaf * STRIDE + 1] = 9; // slot 0 covers [min, 9], slot 1 covers [10, max]
 * arena.piv[leaf * STRIDE] = 1; // end
 * ```
 *
 * @module
 */

import { ARANGE_SLOTS, RANGE_SLOTS } from "../contract.ts";

/** Node kind: a leaf (`maple_leaf_64`). */
export const LEAF = 1;
/** Node kind: a plain internal node (`maple_range_64`). */
export const RANGE = 2;
/** Node kind: a gap-tracking internal node (`maple_arange_64`). */
export const ARANGE = 3;

/** Doubles per node in `piv` and slots per node in `slots` (16: `end` + 15 pivots). */
export const STRIDE = RANGE_SLOTS;
/** Gap entries per node in `gaps`. */
export const GAPS = ARANGE_SLOTS;
/** Pivots a node can hold. */
export const PIVOTS = RANGE_SLOTS - 1;

/** Bits of a node's `meta` word holding its kind. */
export const KIND = 3;
/** Shift of the arange gap offset (4 bits) in a node's `meta` word. */
export const AT_SHIFT = 2;
/** Bits of a node's `meta` word holding the arange gap offset. */
export const AT_BITS = 15 << AT_SHIFT;
/** Flag bit: the node is free (on the free list). */
export const FREE = 1 << 6;
/** Flag bit: during one write, the node's data was copied into a big node (it is replaced). */
export const ABSORBED = 1 << 7;
/** Shift of the gap block number in a node's `meta` word (bits below it are per use). */
export const BLOCK_SHIFT = 8;
/** Bits of a node's `meta` word that describe its current use (all but the gap block). */
export const USE_BITS = (1 << BLOCK_SHIFT) - 1;

/** Slots of a node of `kind`. */
export function slotsOf(kind: number): number {
  return kind === ARANGE ? ARANGE_SLOTS : RANGE_SLOTS;
}

/**
 * `mt_min_slots`: a non-root node whose max is not MAX_INDEX must have `end >= minSlots`
 * (so at least `minSlots + 1` used slots): 6 for leaves and range nodes, 4 for arange.
 */
export function minSlotsOf(kind: number): number {
  return kind === ARANGE ? ARANGE_SLOTS / 2 - 1 : RANGE_SLOTS / 2 - 2;
}

/** The node storage of one tree. Ids run from 1; arrays grow by doubling. */
export class Arena {
  /** Per node: `end`, then 15 pivots. */
  piv: number[];
  /** Per node: 16 slots (values in leaves, child ids in internal nodes). */
  slots: unknown[];
  /** Per gap block: 10 gaps (block `b` at `(b - 1) * GAPS`). */
  gaps: number[];
  /**
   * Per node, one small integer: the kind in the low bits ({@link KIND}), the arange gap
   * offset (the kernel's metadata gap offset) at {@link AT_SHIFT}, the {@link FREE} and
   * {@link ABSORBED} flags, and the node's gap block from {@link BLOCK_SHIFT} up. One word
   * rather than four keeps the array a fork copies small.
   */
  meta: number[];
  /** Ids available. */
  capacity: number;
  /** The next never-used id. */
  next = 1;
  /** Gap blocks available, and the next never-used one. */
  gapCapacity = 0;
  gapNext = 1;
  /** Blocks given back by freed nodes, reused first (made on the first give-back). */
  gapFree: number[] | null = null;

  /**
   * @param capacity nodes to make room for up front; 0 allocates nothing until the first
   *   node (a fork's child is filled by {@link Arena.copyFrom}, so making one stays cheap)
   */
  constructor(capacity: number) {
    const cap = capacity > 0 ? capacity + 1 : 0;
    this.capacity = cap;
    // An empty arena shares the module's empty arrays: they are never written in place,
    // only replaced (growth and copies make new arrays), so a tree costs nothing to make.
    this.piv = cap > 0 ? doubleArray(cap * STRIDE) : EMPTY_DOUBLES;
    this.slots = cap > 0 ? genericArray(cap * STRIDE) : EMPTY_GENERIC;
    this.gaps = EMPTY_DOUBLES;
    this.meta = cap > 0 ? smiArray(cap) : EMPTY_SMIS;
  }

  /**
   * Become an exact copy of `src` (the same ids, so child links need no rewriting): one
   * slice per array over the used ids only, which is how a fork copies the whole tree
   * node by node at memcpy speed. (Compacting the copy to the live ids, moving the few
   * nodes above the free ids into them, copied fewer bytes but measured no faster.)
   */
  copyFrom(src: Arena): void {
    const n = src.next;
    this.piv = src.piv.slice(0, n * STRIDE);
    this.slots = src.slots.slice(0, n * STRIDE);
    this.meta = src.meta.slice(0, n);
    this.gaps = src.gaps.slice(0, (src.gapNext - 1) * GAPS);
    this.capacity = n;
    this.next = n;
    this.gapCapacity = src.gapNext;
    this.gapNext = src.gapNext;
    const free = src.gapFree;
    this.gapFree = free === null || free.length === 0 ? null : free.slice();
  }

  /** A never-used id, growing the arrays when full. Every array may move: re-read them. */
  take(): number {
    if (this.next >= this.capacity) this.#grow(Math.max(8, this.capacity * 2));
    return this.next++;
  }

  /** Make room for `count` more never-used ids at once. */
  reserve(count: number): void {
    if (this.next + count > this.capacity) {
      this.#grow(Math.max(this.capacity * 2, this.next + count + 1));
    }
  }

  /** Grow to `cap` ids: one `concat` with zeros per array (a memcpy, not a push per element). */
  #grow(cap: number): void {
    this.piv = this.piv.concat(zeroDoubles(cap * STRIDE - this.piv.length));
    this.meta = this.meta.concat(zeroSmis(cap - this.meta.length));
    this.slots = this.slots.concat(undefinedSlots(cap * STRIDE - this.slots.length));
    this.capacity = cap;
  }

  /** Zero node `id`, for a pool that takes it back unused (plain loops: `fill` calls into C++). */
  clear(id: number): void {
    const b = id * STRIDE;
    const piv = this.piv;
    const slots = this.slots;
    for (let i = b; i < b + STRIDE; i++) {
      piv[i] = 0;
      slots[i] = undefined;
    }
    const word = this.meta[id];
    if ((word & KIND) === ARANGE && word >> BLOCK_SHIFT !== 0) {
      const gaps = this.gaps;
      const g = ((word >> BLOCK_SHIFT) - 1) * GAPS;
      for (let i = g; i < g + GAPS; i++) gaps[i] = 0;
    }
    // The gap block stays with the id.
    this.meta[id] = word & ~USE_BITS;
  }

  /** Offset in `gaps` of arange node `id`'s gaps. */
  gapBase(id: number): number {
    return ((this.meta[id] >> BLOCK_SHIFT) - 1) * GAPS;
  }

  /**
   * Offset of node `id`'s gaps, giving it a gap block if it has none yet. The block's
   * contents are stale: the caller (fillNode in split.ts) writes all {@link GAPS} of them.
   */
  gapBlock(id: number): number {
    const word = this.meta[id];
    const block = word >> BLOCK_SHIFT;
    if (block !== 0) return (block - 1) * GAPS;
    const reused = this.gapFree === null ? undefined : this.gapFree.pop();
    if (reused !== undefined) {
      this.meta[id] = word | (reused << BLOCK_SHIFT);
      return (reused - 1) * GAPS;
    }
    if (this.gapNext >= this.gapCapacity) {
      const cap = Math.max(4, this.gapCapacity * 2);
      this.gaps = this.gaps.concat(zeroDoubles((cap - 1) * GAPS - this.gaps.length));
      this.gapCapacity = cap;
    }
    const fresh = this.gapNext++;
    this.meta[id] = word | (fresh << BLOCK_SHIFT);
    return (fresh - 1) * GAPS;
  }

  /** Give node `id`'s gap block (if any) back for the next arange node: `id` is being freed. */
  releaseGaps(id: number): void {
    const word = this.meta[id];
    const block = word >> BLOCK_SHIFT;
    if (block === 0) return;
    this.meta[id] = word & USE_BITS;
    (this.gapFree ??= []).push(block);
  }

  /** `end` of node `id`. */
  end(id: number): number {
    return this.piv[id * STRIDE];
  }

  /** Pivot `i` of node `id`. */
  pivot(id: number, i: number): number {
    return this.piv[id * STRIDE + 1 + i];
  }

  /** Slot `i` of node `id`. */
  slot(id: number, i: number): unknown {
    return this.slots[id * STRIDE + i];
  }

  /** Child `i` of internal node `id`. */
  child(id: number, i: number): number {
    return this.slots[id * STRIDE + i] as number;
  }
}

/**
 * An array of `length` undefined slots whose elements kind is generic from the start.
 * Otherwise V8 picks the kind from what is stored first (doubles for a tree of numbers,
 * objects for a tree of VMAs), every tree's array gets a different map, and optimized code
 * deoptimizes over and over (measured: writes 5x slower).
 */
export function genericArray(length: number): unknown[] {
  const out: unknown[] = [GENERIC];
  out.length = 0;
  for (let i = 0; i < length; i++) out.push(undefined);
  return out;
}

const GENERIC = Object.freeze({});

/**
 * A heap array of `length` zeros that V8 keeps as packed doubles: plain arrays (unlike typed
 * arrays) live on the JavaScript heap, so making and copying a small tree's arena is a bump
 * allocation and a memcpy, which keeps fork cheap for small trees.
 */
function doubleArray(length: number): number[] {
  const out = [0.5];
  out.length = 0;
  for (let i = 0; i < length; i++) out.push(0);
  return out;
}

/** A heap array of `length` small-integer zeros (packed Smis). */
function smiArray(length: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(0);
  return out;
}

/** Shared empty arrays of each elements kind (never written: see the Arena constructor). */
const EMPTY_DOUBLES: number[] = doubleArray(0);
const EMPTY_SMIS: number[] = smiArray(0);
const EMPTY_GENERIC: unknown[] = genericArray(0);

/**
 * Filler templates for growth, grown on demand up to {@link TEMPLATE_MAX} elements (at most
 * about 1 MB kept in all); a larger growth builds its filler afresh.
 */
const TEMPLATE_MAX = 1 << 16;
let doubleZeros: number[] = doubleArray(256);
let smiZeros: number[] = smiArray(64);
let undefinedFill: unknown[] = genericArray(256);

/** `n` packed-double zeros to append (the template itself when the size matches). */
function zeroDoubles(n: number): number[] {
  if (n > TEMPLATE_MAX) return doubleArray(n);
  if (doubleZeros.length < n) doubleZeros = doubleArray(Math.min(2 * n, TEMPLATE_MAX));
  return doubleZeros.length === n ? doubleZeros : doubleZeros.slice(0, n);
}

/** `n` Smi zeros to append. */
function zeroSmis(n: number): number[] {
  if (n > TEMPLATE_MAX) return smiArray(n);
  if (smiZeros.length < n) smiZeros = smiArray(Math.min(2 * n, TEMPLATE_MAX));
  return smiZeros.length === n ? smiZeros : smiZeros.slice(0, n);
}

/** `n` empty slots to append. */
function undefinedSlots(n: number): unknown[] {
  if (n > TEMPLATE_MAX) return genericArray(n);
  if (undefinedFill.length < n) undefinedFill = genericArray(Math.min(2 * n, TEMPLATE_MAX));
  return undefinedFill.length === n ? undefinedFill : undefinedFill.slice(0, n);
}
