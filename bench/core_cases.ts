/**
 * The core benchmark cases (issue 2), each for any maple tree version and for the npm peers
 * doing the same range-map job (range_peers.ts):
 *
 * - `core/load-random`: load at random addresses in a tree of 100,000 VMA-like ranges;
 * - `core/store-inorder`: append VMA-like ranges in address order (a fresh tree per 10,000);
 * - `core/store-random`: the same ranges in random order;
 * - `core/churn`: in a tree of 10,000 ranges, store a value or nothing over a sub-range inside
 *   one range (splitting it in three, as mprotect/munmap do), then restore the whole range
 *   (merging it back); one store per call;
 * - `core/dup-30`, `core/dup-300`, `core/dup-3000`: copy a tree (fork); reported per entry;
 * - `core/empty-area`, `core/empty-area-rev`: gap searches in a tree of 10,000 ranges;
 * - `core/prealloc-churn`: the VMA write pattern of mmap/munmap/mprotect — `preallocate`
 *   then `store` through a cursor — splitting and restoring ranges of a 1,000-range tree
 *   (peers do the same stores; they have nothing to preallocate).
 *
 * Each case builds its state once in `setup(module)` / `peer(make)` and returns the call to
 * time, so the same cases run on every version through the bench harness, kernel versions
 * (`core/kernel/`, over FFI) included: `ffiCalls` says how many FFI calls one timed call makes
 * there. `setup` and `peer` write their loops out twice on purpose: closures made from one
 * shared literal share V8's type feedback, so the tree's calls would be timed through a site
 * polymorphic over the peers' classes (for the same reason core_bench.ts runs the kernel on
 * its own instance of this module). The dup cases also have a `floor`: the least any real
 * copy of the maple layout has to move (see {@linkcode copyFloor}).
 *
 * @example
 * ```ts
 * import { coreCases } from "./core_cases.ts";
 * import * as head from "../core/head/mod.ts";
 * const load = coreCases().find((c) => c.name === "core/load-random")!;
 * const call = load.setup(head);
 * call();
 * ```
 *
 * @module
 */

import type { MapleModule, MapleTree } from "../core/contract.ts";
import type { RangeMapPeer } from "./range_peers.ts";

/** One core case, runnable on a maple tree version or on a peer. */
export interface CoreCase {
  /** `core/<job>`. */
  readonly name: string;
  readonly group: "core";
  readonly unit: "ns/op";
  readonly better: "lower";
  /** Entries handled by one call when the figure is reported per entry (dup), else 1. */
  readonly entriesPerCall: number;
  /** The row's name in the closing table and the README, e.g. `load, 100,000 ranges`. */
  readonly title: string;
  /**
   * The kernel's C figure quoted in issue 2 (ns per op or per entry; 0 when none was quoted).
   * Quoted, not measured here: the measured kernel column is a kernel version run over FFI.
   */
  readonly kernelNs: number;
  /**
   * FFI calls one timed call makes on a kernel version (counted in `core/kernel/tree.ts`;
   * `core_bench_test.ts` checks the counts), so that a kernel figure splits into crossings and
   * the rest. Per call, not per entry.
   */
  readonly ffiCalls: number;
  /** Build the state on a maple tree version; returns the timed call. */
  setup(module: MapleModule): () => unknown;
  /** Build the same state on a peer; returns the timed call. */
  peer(make: () => RangeMapPeer<number>): () => unknown;
  /** A lower bound on the case's cost for this layout, when one is known; the timed call. */
  floor?(module: MapleModule): () => unknown;
}

/** A small seeded PRNG (mulberry32), so every run measures the same layouts. */
export function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PAGE = 4096;

/** VMA-like ranges: page-aligned, 1..64 pages long, a third of them adjacent, a few far apart. */
export interface Layout {
  readonly first: Float64Array;
  readonly last: Float64Array;
}

/** `n` VMA-like ranges in address order. */
export function vmaLayout(n: number, seed: number): Layout {
  const rnd = prng(seed);
  const first = new Float64Array(n);
  const last = new Float64Array(n);
  let addr = 0x400000;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const gap = r < 0.35 ? 0 : r < 0.99 ? (1 + Math.floor(rnd() * 64)) * PAGE : 2 ** 30;
    const len = (1 + Math.floor(rnd() * (rnd() < 0.9 ? 16 : 256))) * PAGE;
    first[i] = addr + gap;
    last[i] = first[i] + len - 1;
    addr = last[i] + 1;
  }
  return { first, last };
}

function mapleTree(module: MapleModule, layout: Layout): MapleTree<number> {
  const tree = module.createTree<number>({ allocRange: true });
  for (let i = 0; i < layout.first.length; i++) tree.store(layout.first[i], layout.last[i], i + 1);
  return tree;
}

function peerMap(make: () => RangeMapPeer<number>, layout: Layout): RangeMapPeer<number> {
  const map = make();
  for (let i = 0; i < layout.first.length; i++) map.store(layout.first[i], layout.last[i], i + 1);
  return map;
}

/** 64Ki random addresses across the layout's span (some in gaps). */
function addresses(layout: Layout, seed: number): Float64Array {
  const rnd = prng(seed);
  const lo = layout.first[0];
  const n = layout.first.length;
  const out = new Float64Array(65536);
  for (let i = 0; i < out.length; i++) {
    // Pick a range and an offset around it, so hits and misses both happen.
    const k = Math.floor(rnd() * n);
    out[i] = Math.max(lo, layout.first[k] + Math.floor((rnd() - 0.1) * 8) * PAGE);
  }
  return out;
}

function shuffled(n: number, seed: number): Int32Array {
  const rnd = prng(seed);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** Churn targets: ranges of >= 3 pages and a sub-range strictly inside each. */
function churnPlan(layout: Layout, seed: number): Float64Array {
  const rnd = prng(seed);
  const plan: number[] = [];
  const n = layout.first.length;
  while (plan.length < 4096 * 5) {
    const k = Math.floor(rnd() * n);
    const pages = (layout.last[k] + 1 - layout.first[k]) / PAGE;
    if (pages < 3) continue;
    const a = 1 + Math.floor(rnd() * (pages - 2));
    const b = a + 1 + Math.floor(rnd() * (pages - 1 - a));
    // k's range, the sub-range, and whether the sub-range is unmapped (else reprotected).
    plan.push(k, layout.first[k] + a * PAGE, layout.first[k] + b * PAGE - 1, rnd() < 0.5 ? 1 : 0);
    plan.push(0);
  }
  return Float64Array.from(plan);
}

/** Window searches: [lo, hi] and a size, 4096 of them. */
function areaQueries(layout: Layout, seed: number): Float64Array {
  const rnd = prng(seed);
  const n = layout.first.length;
  const out = new Float64Array(4096 * 3);
  const end = layout.last[n - 1];
  for (let i = 0; i < 4096; i++) {
    const k = Math.floor(rnd() * n);
    out[3 * i] = layout.first[k];
    out[3 * i + 1] = end;
    out[3 * i + 2] = (1 + Math.floor(rnd() * 32)) * PAGE;
  }
  return out;
}

const LOAD_LAYOUT = 100_000;
const SMALL_LAYOUT = 10_000;

function loadCase(): CoreCase {
  const layout = vmaLayout(LOAD_LAYOUT, 1);
  const addr = addresses(layout, 2);
  return {
    name: "core/load-random",
    title: "load, 100,000 ranges",
    group: "core",
    unit: "ns/op",
    better: "lower",
    entriesPerCall: 1,
    kernelNs: 90,
    // mb_load
    ffiCalls: 1,
    setup(module) {
      const tree = mapleTree(module, layout);
      let i = 0;
      return () => tree.load(addr[i++ & 65535]);
    },
    peer(make) {
      const map = peerMap(make, layout);
      let i = 0;
      return () => map.load(addr[i++ & 65535]);
    },
  };
}

function storeCase(name: "core/store-inorder" | "core/store-random", random: boolean): CoreCase {
  const layout = vmaLayout(SMALL_LAYOUT, 3);
  const order = random ? shuffled(SMALL_LAYOUT, 4) : shuffled(0, 0);
  const at = (i: number) => (random ? order[i] : i);
  return {
    name,
    title: random ? "store in random order" : "store in order",
    group: "core",
    unit: "ns/op",
    better: "lower",
    entriesPerCall: 1,
    kernelNs: random ? 0 : 280,
    // mb_store (and one mb_tree_new per 10,000 calls, left out)
    ffiCalls: 1,
    setup(module) {
      let tree = module.createTree<number>({ allocRange: true });
      let i = 0;
      return () => {
        if (i === SMALL_LAYOUT) {
          tree = module.createTree<number>({ allocRange: true });
          i = 0;
        }
        const k = at(i++);
        tree.store(layout.first[k], layout.last[k], k + 1);
      };
    },
    peer(make) {
      let map = make();
      let i = 0;
      return () => {
        if (i === SMALL_LAYOUT) {
          map = make();
          i = 0;
        }
        const k = at(i++);
        map.store(layout.first[k], layout.last[k], k + 1);
      };
    },
  };
}

function churnCase(): CoreCase {
  const layout = vmaLayout(SMALL_LAYOUT, 5);
  const plan = churnPlan(layout, 6);
  const steps = plan.length / 5;
  return {
    name: "core/churn",
    title: "churn, 10,000 ranges",
    group: "core",
    unit: "ns/op",
    better: "lower",
    entriesPerCall: 1,
    kernelNs: 345,
    // mb_store
    ffiCalls: 1,
    setup(module) {
      const tree = mapleTree(module, layout);
      let step = 0;
      let split = true;
      return () => {
        const p = (step % steps) * 5;
        const k = plan[p];
        if (split) {
          tree.store(plan[p + 1], plan[p + 2], plan[p + 3] === 1 ? undefined : -1);
        } else {
          tree.store(layout.first[k], layout.last[k], k + 1);
          step++;
        }
        split = !split;
      };
    },
    peer(make) {
      const map = peerMap(make, layout);
      let step = 0;
      let split = true;
      return () => {
        const p = (step % steps) * 5;
        const k = plan[p];
        if (split) {
          map.store(plan[p + 1], plan[p + 2], plan[p + 3] === 1 ? undefined : -1);
        } else {
          map.store(layout.first[k], layout.last[k], k + 1);
          step++;
        }
        split = !split;
      };
    },
  };
}

function dupCase(n: 30 | 300 | 3000, kernelNs: number): CoreCase {
  const layout = vmaLayout(n, 7 + n);
  return {
    name: `core/dup-${n}`,
    title: `dup, ${n.toLocaleString("en-US")} ranges`,
    group: "core",
    unit: "ns/op",
    better: "lower",
    entriesPerCall: n,
    kernelNs,
    // mb_stats, mb_tree_new, mb_count, mb_entries (all entries at once) and mb_dup_bulk
    ffiCalls: 5,
    setup(module) {
      const tree = mapleTree(module, layout);
      return () => tree.dup();
    },
    peer(make) {
      const map = peerMap(make, layout);
      return () => map.dup();
    },
    floor(module) {
      const { pivots, slots } = copyFloor(mapleTree(module, layout));
      return () => [pivots.slice(), slots.slice()];
    },
  };
}

/**
 * The used slots of `tree`, packed: one pivot and one slot for every range its leaves hold,
 * the empty ranges between entries included, and for every child link. Slicing these two
 * plain arrays is the least work a real copy of the maple layout can do in JavaScript: no
 * node slack, no free ids, no metadata or gap arrays. The count is a lower bound (an empty
 * range split across two leaves is counted once). A dup slower than a peer whose time is
 * below this floor is slower by layout (about 1.65 slots per VMA), not by code.
 *
 * @example
 * ```ts
 * import * as head from "../core/head/mod.ts";
 * import { copyFloor } from "./core_cases.ts";
 * const tree = head.createTree<number>({ allocRange: true });
 * tree.store(0x1000, 0x1fff, 1);
 * console.log(copyFloor(tree).slots.length); // 3: gap, entry, gap
 * ```
 */
export function copyFloor(tree: MapleTree<number>): { pivots: number[]; slots: unknown[] } {
  const pivots: number[] = [];
  const slots: unknown[] = [];
  const top = Number.MAX_SAFE_INTEGER;
  for (let index = 0;;) {
    const slot = tree.walk(index);
    pivots.push(slot.last);
    slots.push(slot.value);
    if (slot.last >= top) break;
    index = slot.last + 1;
  }
  // Child links: every node but the root sits in one slot of its parent.
  for (let link = 1; link < tree.nodeCounts().total; link++) {
    pivots.push(link);
    slots.push(link);
  }
  return { pivots, slots };
}

function areaCase(reverse: boolean): CoreCase {
  const layout = vmaLayout(SMALL_LAYOUT, 8);
  const q = areaQueries(layout, 9);
  const lo = layout.first[0];
  return {
    name: reverse ? "core/empty-area-rev" : "core/empty-area",
    title: reverse ? "emptyAreaRev, 10,000 ranges" : "emptyArea, 10,000 ranges",
    group: "core",
    unit: "ns/op",
    better: "lower",
    entriesPerCall: 1,
    kernelNs: 83,
    // mb_empty_area or mb_empty_area_rev
    ffiCalls: 1,
    setup(module) {
      const tree = mapleTree(module, layout);
      let i = 0;
      return reverse
        ? () => {
          const p = 3 * (i++ & 4095);
          return tree.emptyAreaRev(lo, q[p], q[p + 2]);
        }
        : () => {
          const p = 3 * (i++ & 4095);
          return tree.emptyArea(q[p], q[p + 1], q[p + 2]);
        };
    },
    peer(make) {
      const map = peerMap(make, layout);
      let i = 0;
      return reverse
        ? () => {
          const p = 3 * (i++ & 4095);
          return map.emptyAreaRev(lo, q[p], q[p + 2]);
        }
        : () => {
          const p = 3 * (i++ & 4095);
          return map.emptyArea(q[p], q[p + 1], q[p + 2]);
        };
    },
  };
}

function preallocCase(): CoreCase {
  const layout = vmaLayout(1000, 11);
  const plan = churnPlan(layout, 12);
  const steps = plan.length / 5;
  return {
    name: "core/prealloc-churn",
    title: "preallocate + store, 1,000",
    group: "core",
    unit: "ns/op",
    better: "lower",
    entriesPerCall: 1,
    kernelNs: 0,
    // mb_cursor_set, mb_cursor_preallocate, mb_cursor_store
    ffiCalls: 3,
    setup(module) {
      const tree = mapleTree(module, layout);
      const cursor = tree.cursor();
      let step = 0;
      let split = true;
      return () => {
        const p = (step % steps) * 5;
        const k = plan[p];
        if (split) {
          const value = plan[p + 3] === 1 ? undefined : -1;
          cursor.setRange(plan[p + 1], plan[p + 2]);
          cursor.preallocate(value);
          cursor.store(value);
        } else {
          cursor.setRange(layout.first[k], layout.last[k]);
          cursor.preallocate(k + 1);
          cursor.store(k + 1);
          step++;
        }
        split = !split;
      };
    },
    peer(make) {
      const map = peerMap(make, layout);
      let step = 0;
      let split = true;
      return () => {
        const p = (step % steps) * 5;
        const k = plan[p];
        if (split) map.store(plan[p + 1], plan[p + 2], plan[p + 3] === 1 ? undefined : -1);
        else {
          map.store(layout.first[k], layout.last[k], k + 1);
          step++;
        }
        split = !split;
      };
    },
  };
}

/** Every core case, in a fixed order. */
export function coreCases(): CoreCase[] {
  return [
    loadCase(),
    storeCase("core/store-inorder", false),
    storeCase("core/store-random", true),
    churnCase(),
    dupCase(30, 106),
    dupCase(300, 127),
    dupCase(3000, 179),
    areaCase(false),
    areaCase(true),
    preallocCase(),
  ];
}
