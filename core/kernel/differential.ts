/**
 * Head against a kernel tree, side by side: seeded random operations of every contract kind
 * on both tree kinds, every answer compared, and the shape (height and node census) compared
 * after every write. A difference throws (naming the seed and the operation) unless it is one
 * of the named, known differences below, which are counted instead; which of them a release
 * may show is the caller's to check.
 *
 * @example
 * ```ts
 * import { compareWithKernel } from "./differential.ts";
 * import { loadVersion } from "../loader.ts";
 * export async function counts() {
 *   const head = (await loadVersion("head")).module;
 *   const kernel = (await loadVersion("kernel-6.1")).module;
 *   return compareWithKernel(head, kernel, { ops: 2_000, seed: 1 });
 * }
 * ```
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type Area,
  type MapleCursor,
  type MapleModule,
  type MapleTree,
  MAX_INDEX,
} from "../contract.ts";

/**
 * Differences between head and a kernel tree that are known and intended, each with when an
 * answer pair is that difference; anything else that differs throws.
 */
const KNOWN_TEMPLATE = {
  /** 6.1's mas_empty_area_rev can answer a START below MIN when the window is narrower
   * than SIZE; fixed in May 2023 ("Revise limit checks in mas_empty_area{_rev}()"). Head
   * answers nothing there. */
  "6.1 reverse gap search below the window": 0,
  /** The suite's top key stands for the kernel's keys 2^53-1 to ULONG_MAX: a gap search
   * whose window reaches the top finds room there that head, whose keys stop, lacks. */
  "gap search reaching the top key": 0,
  /** Gap searches are for allocation trees: in a plain tree 6.1 keeps no gaps in its
   * internal nodes and its answers are not meaningful; head searches anyway. */
  "gap search in a plain tree": 0,
  /** The kernel's gap searches can miss the best fitting gap (answer -EBUSY or a worse
   * gap) in trees where head, checked against the reference model, finds it; counted only
   * when the kernel's own tree shows head's answer empty and inside the window. Seen on 6.1,
   * 6.12 and 6.19 alike. */
  "kernel gap search misses the best fitting gap": 0,
  /** From about 6.5 a gap search whose size exceeds its window is -EINVAL (a RangeError
   * here); head, like 6.1, answers that nothing fits. */
  "gap search larger than its window is -EINVAL (6.5 on)": 0,
  /** From about 6.5 a one-wide window (min equal to max) is searched; 6.1 and head refuse
   * it (-EINVAL, a RangeError). */
  "one-wide gap search window (6.5 on)": 0,
  /** 6.1's gap searches on an empty tree check no size against the window. */
  "6.1 empty-tree gap search ignores the size": 0,
  /** Head's dup is 6.8's node-by-node copy (the copy keeps its source's shape); 6.1
   * rebuilds the copy by in-order bulk stores, so only the copies' entries are compared. */
  "dup shape: head copies like 6.8's __mt_dup": 0,
  /** A fresh cursor asked to find beyond a bound behind its start (find with max below the
   * index, findRev with min above it): 6.1 answers nothing and leaves the cursor where it
   * was; head moves to the bound, and its findRev may answer an entry below the bound. */
  "fresh cursor with a bound behind its start": 0,
  /** From about 6.6, next (prev) on a fresh cursor whose set range already reaches the
   * bound answers nothing; 6.1 and head walk to the range's start first and go on from the
   * entry there. */
  "fresh cursor next/prev past a range that reaches the bound (6.6 on)": 0,
  /** Where a cursor rests after it found nothing: 6.1 leaves the range its last walk saw
   * (its none/underflow states), head rests on the bound. */
  "cursor position after a miss": 0,
  /** After a miss 6.1's cursor is in a none/underflow/overflow state that head does not
   * model (a later findRev from none answers nothing in 6.1, head searches from the bound),
   * so no cursor is driven past a miss: each such sequence is cut and counted here. */
  "cursor not driven past a miss": 0,
  /** The cursor's range after a store or erase: 6.1 widens it over the empty neighbours
   * the write merged with; head keeps the range it wrote. */
  "cursor range after a write": 0,
};
/** The name of a known difference. */
export type KnownDifference = keyof typeof KNOWN_TEMPLATE;

/** How often each known difference was met. */
export type DifferenceCounts = Record<KnownDifference, number>;

/**
 * Every known difference's name.
 *
 * @example
 * ```ts
 * import { KNOWN_DIFFERENCES } from "./differential.ts";
 * console.log(KNOWN_DIFFERENCES.includes("gap search in a plain tree")); // true
 * ```
 */
export const KNOWN_DIFFERENCES: readonly KnownDifference[] = Object.keys(
  KNOWN_TEMPLATE,
) as KnownDifference[];

/** mulberry32: small, fast and seedable, so a failure replays from its seed alone. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Ops {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = random(seed);
  }
  int(max: number): number {
    return Math.floor(this.#next() * (max + 1));
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
  key(): number {
    const r = this.#next();
    if (r < 0.9) return this.int(4000);
    if (r < 0.96) return MAX_INDEX - this.int(40);
    return [0, 1, 2, MAX_INDEX][this.int(3)];
  }
  end(first: number): number {
    const r = this.#next();
    const span = r < 0.7 ? this.int(12) : r < 0.95 ? this.int(400) : MAX_INDEX;
    return Math.min(MAX_INDEX, first + span);
  }
  value(): number | undefined {
    return this.chance(0.25) ? undefined : 1 + this.int(999_999);
  }
}

type Tree = MapleTree<number>;

function isThrown(a: unknown): boolean {
  return typeof a === "object" && a !== null && "threw" in a && a.threw === "RangeError";
}

function isArea(a: unknown): a is Area {
  return typeof a === "object" && a !== null && "first" in a && "last" in a;
}

function sameArea(a: Area, b: unknown): boolean {
  return isArea(b) && a.first === b.first && a.last === b.last;
}

/** Whether `area` lies inside `[min, max]` and is empty in `tree` (one walk covers it). */
function provenGap(tree: Tree, area: Area, min: number, max: number): boolean {
  if (area.first < min || area.last > max) return false;
  const slot = tree.walk(area.first);
  return slot.value === undefined && slot.last >= area.last;
}

/** An answer, or the name of the error thrown instead (both versions must throw alike). */
function outcome<T>(call: () => T): T | { readonly threw: string } {
  try {
    return call();
  } catch (error) {
    return { threw: (error as Error).name };
  }
}

function shapeOf(tree: Tree) {
  return { height: tree.height(), ...tree.nodeCounts() };
}

interface Pair {
  readonly head: Tree;
  readonly kernel: Tree;
}

/** Run `ops` random operations on both trees of one kind; throws on a new difference. */
function run(pair: Pair, ops: number, seed: number, where: string, KNOWN: DifferenceCounts): void {
  const rnd = new Ops(seed);
  let step = 0;
  const same = (a: unknown, b: unknown, what: string) =>
    assert.deepEqual(a, b, `${where} op ${step} (seed ${seed}): ${what}`);
  const known = (name: KnownDifference) => KNOWN[name]++;
  const afterWrite = () => {
    const [h, k] = [shapeOf(pair.head), shapeOf(pair.kernel)];
    same(h, k, "shape (height and node census) after a write");
  };
  for (step = 0; step < ops; step++) {
    const r = rnd.int(99);
    const { head, kernel } = pair;
    if (r < 30) {
      const first = rnd.key();
      const last = rnd.end(first);
      const value = rnd.value();
      head.store(first, last, value);
      kernel.store(first, last, value);
      afterWrite();
    } else if (r < 34) {
      const first = rnd.key();
      const last = rnd.end(first);
      const value = 1 + rnd.int(9);
      same(head.insert(first, last, value), kernel.insert(first, last, value), "insert");
      afterWrite();
    } else if (r < 42) {
      const index = rnd.key();
      same(head.erase(index), kernel.erase(index), "erase");
      afterWrite();
    } else if (r < 48) {
      const index = rnd.key();
      same(head.load(index), kernel.load(index), "load");
      same(head.walk(index), kernel.walk(index), "walk");
    } else if (r < 54) {
      const index = rnd.key();
      const bound = rnd.end(index);
      same(head.find(index, bound), kernel.find(index, bound), "find");
      same(head.next(index, bound), kernel.next(index, bound), "next");
      const low = Math.max(0, index - (bound - index));
      same(head.prev(index, low), kernel.prev(index, low), "prev");
    } else if (r < 56) {
      const first = rnd.key();
      const last = rnd.end(first);
      same([...head.entries(first, last)], [...kernel.entries(first, last)], "entries");
    } else if (r < 60) {
      const min = rnd.key();
      const max = rnd.end(min);
      const size = 1 + rnd.int(29);
      const empty = head.count() === 0;
      for (const rev of [false, true]) {
        const h = outcome(() =>
          rev ? head.emptyAreaRev(min, max, size) : head.emptyArea(min, max, size)
        );
        const k = outcome(() =>
          rev ? kernel.emptyAreaRev(min, max, size) : kernel.emptyArea(min, max, size)
        );
        const topmost = (a: typeof h) => a !== undefined && "last" in a && a.last >= MAX_INDEX;
        if (min === max && max !== MAX_INDEX && isThrown(h) && !isThrown(k)) {
          known("one-wide gap search window (6.5 on)");
        } else if (h === undefined && isThrown(k) && size > max - min + 1) {
          known("gap search larger than its window is -EINVAL (6.5 on)");
        } else if (!head.allocRange) {
          if (JSON.stringify(h) !== JSON.stringify(k)) known("gap search in a plain tree");
        } else if (max === MAX_INDEX && (topmost(h) || topmost(k) || min >= MAX_INDEX - 64)) {
          if (JSON.stringify(h) !== JSON.stringify(k)) known("gap search reaching the top key");
        } else if (isArea(h) && provenGap(kernel, h, min, max) && !sameArea(h, k)) {
          known("kernel gap search misses the best fitting gap");
        } else if (h === undefined && k !== undefined && empty) {
          known("6.1 empty-tree gap search ignores the size");
        } else if (rev && h === undefined && k !== undefined && "first" in k && k.first < min) {
          known("6.1 reverse gap search below the window");
        } else {
          same(h, k, rev ? "emptyAreaRev" : "emptyArea");
        }
      }
    } else if (r < 68) {
      const first = rnd.key();
      const last = rnd.end(first);
      const [a, b] = [head.cursor(first, last), kernel.cursor(first, last)];
      cursorSteps(a, b, rnd, same, afterWrite, known);
    } else if (r < 70) {
      const first = rnd.int(3000);
      const count = 10 + rnd.int(140);
      const gap = 1 + rnd.int(8);
      const len = rnd.int(7);
      for (let i = 0; i < count; i++) {
        const at = first + i * (len + gap);
        head.store(at, at + len, i + 1);
        kernel.store(at, at + len, i + 1);
        afterWrite();
      }
    } else if (r < 71) {
      const h = head.dup();
      const k = kernel.dup();
      same([...h.entries()], [...k.entries()], "dup entries");
      if (h.nodeCounts().total !== k.nodeCounts().total) {
        // The sources' shapes are equal (checked after every write), so this is the fork path.
        known("dup shape: head copies like 6.8's __mt_dup");
      }
      k.validate();
    } else if (r < 72 && rnd.chance(0.3)) {
      head.clear();
      kernel.clear();
      same(shapeOf(head), shapeOf(kernel), "shape after clear");
    } else {
      same(head.count(), kernel.count(), "count");
    }
    if (step % 997 === 0) {
      head.validate();
      kernel.validate();
      same([...head.entries()], [...kernel.entries()], "all entries");
    }
  }
  same([...pair.head.entries()], [...pair.kernel.entries()], "all entries at the end");
}

function cursorSteps(
  a: MapleCursor<number>,
  b: MapleCursor<number>,
  rnd: Ops,
  same: (a: unknown, b: unknown, what: string) => void,
  afterWrite: () => void,
  known: (name: KnownDifference) => void,
): void {
  const steps = rnd.int(8);
  let fresh = true;
  for (let i = 0; i < steps; i++) {
    const s = rnd.int(8);
    const bound = rnd.key();
    if (fresh && ((s === 1 && bound < a.index) || (s === 4 && bound > a.index))) {
      known("fresh cursor with a bound behind its start");
      break;
    }
    if (fresh && ((s === 2 && b.last >= bound) || (s === 3 && b.index <= bound))) {
      const [x, y] = s === 2 ? [a.next(bound), b.next(bound)] : [a.prev(bound), b.prev(bound)];
      if (x !== y) known("fresh cursor next/prev past a range that reaches the bound (6.6 on)");
      else if (x !== undefined) same([a.index, a.last], [b.index, b.last], "cursor position");
      else if (a.index !== b.index || a.last !== b.last) known("cursor position after a miss");
      break;
    }
    fresh = s === 8;
    let what: string;
    let missed = false;
    let wrote = false;
    const answer = (x: number | undefined, y: number | undefined) => {
      same(x, y, what);
      missed = x === undefined;
    };
    if (s === 0) {
      what = "cursor walk";
      answer(a.walk(), b.walk());
    } else if (s === 1) {
      what = "cursor find";
      answer(a.find(bound), b.find(bound));
    } else if (s === 2) {
      what = "cursor next";
      answer(a.next(bound), b.next(bound));
    } else if (s === 3) {
      what = "cursor prev";
      answer(a.prev(bound), b.prev(bound));
    } else if (s === 4) {
      what = "cursor findRev";
      answer(a.findRev(bound), b.findRev(bound));
    } else if (s === 5 || s === 6) {
      what = "cursor store";
      const value = rnd.value();
      if (s === 6) {
        a.preallocate(value);
        b.preallocate(value);
      }
      same(a.store(value), b.store(value), what);
      wrote = true;
      afterWrite();
    } else if (s === 7) {
      what = "cursor erase";
      answer(a.erase(), b.erase());
      wrote = !missed;
      afterWrite();
    } else {
      what = "cursor set";
      const first = bound;
      a.setRange(first, rnd.end(first));
      b.setRange(a.index, a.last);
    }
    if ((missed || wrote) && (a.index !== b.index || a.last !== b.last)) {
      known(wrote ? "cursor range after a write" : "cursor position after a miss");
      break;
    }
    same([a.index, a.last], [b.index, b.last], `${what}: cursor position`);
    if (missed && i < steps - 1) {
      known("cursor not driven past a miss");
      break;
    }
  }
  a.destroy();
  b.destroy();
}

/** Options of {@linkcode compareWithKernel}. */
export interface DifferentialOptions {
  /** Operations in all, split over the two tree kinds. */
  readonly ops: number;
  /** The seed; the allocation tree runs with `seed + 1`, the plain tree with `seed`. */
  readonly seed: number;
}

/**
 * Run head and `kernel` side by side; returns the known differences met, throws an
 * AssertionError naming the seed and operation at the first unknown one.
 *
 * @example
 * ```ts
 * import { compareWithKernel } from "./differential.ts";
 * import { loadVersion } from "../loader.ts";
 * export async function quick() {
 *   const head = (await loadVersion("head")).module;
 *   return compareWithKernel(head, (await loadVersion("kernel-6.1")).module, { ops: 1000, seed: 7 });
 * }
 * ```
 */
export function compareWithKernel(
  head: MapleModule,
  kernel: MapleModule,
  options: DifferentialOptions,
): DifferenceCounts {
  const counts = Object.fromEntries(KNOWN_DIFFERENCES.map((n) => [n, 0])) as DifferenceCounts;
  for (const allocRange of [true, false]) {
    const pair = {
      head: head.createTree<number>({ allocRange }),
      kernel: kernel.createTree<number>({ allocRange }),
    };
    const seed = options.seed + (allocRange ? 1 : 0);
    run(pair, Math.floor(options.ops / 2), seed, allocRange ? "alloc tree" : "plain tree", counts);
  }
  return counts;
}
