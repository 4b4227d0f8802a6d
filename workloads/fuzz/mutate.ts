/**
 * Mutations of a real layout: the small edits that turn one process's map into a family of
 * plausible others (a library missing, a hole punched, a region fragmented, a mapping marked
 * DONTCOPY), so that the fuzzer explores around layouts that exist. `mutateNear` adds the
 * edits that search close to one user's layout (a VMA grown into its gap, a gap closed, a
 * VMA mapped into a gap).
 *
 * @example
 * ```ts
 * import { Mwc } from "../prng.ts";
 * import { resolveLayout } from "../layouts/mod.ts";
 * import { mutateLayout } from "./mutate.ts";
 * const vmas = mutateLayout(new Mwc(3), resolveLayout("cat-self", 1).vmas, 5);
 * console.log(vmas.length > 0);
 * ```
 *
 * @module
 */

import { TASK_SIZE } from "../mm.ts";
import type { Mwc } from "../prng.ts";
import {
  ADVICE_FLAGS,
  makeVma,
  PAGE_SIZE,
  pagesOf,
  PROT_READ,
  PROT_WRITE,
  type Vma,
  VmFlag,
} from "../vma.ts";

type Mutation = (rng: Mwc, vmas: Vma[]) => void;

function pickIndex(rng: Mwc, vmas: readonly Vma[]): number {
  return rng.below(vmas.length);
}

/** Remove one VMA, leaving a gap. */
const dropVma: Mutation = (rng, vmas) => {
  if (vmas.length > 1) vmas.splice(pickIndex(rng, vmas), 1);
};

/** Punch a one-or-more-page hole into a VMA of three or more pages. */
const punchHole: Mutation = (rng, vmas) => {
  const i = pickIndex(rng, vmas);
  const vma = vmas[i];
  const pages = pagesOf(vma);
  if (pages < 3) return;
  const at = rng.between(1, pages - 2);
  const length = rng.between(1, Math.min(pages - 1 - at, 8));
  const head = makeVma({ ...vma, end: vma.start + at * PAGE_SIZE });
  const tailStart = vma.start + (at + length) * PAGE_SIZE;
  const tail = makeVma({
    ...vma,
    start: tailStart,
    offset: vma.path ? vma.offset + (tailStart - vma.start) : 0,
  });
  vmas.splice(i, 1, head, tail);
};

/** Split a VMA in two with different protections (no gap). */
const splitVma: Mutation = (rng, vmas) => {
  const i = pickIndex(rng, vmas);
  const vma = vmas[i];
  const pages = pagesOf(vma);
  if (pages < 2) return;
  const cut = vma.start + rng.between(1, pages - 1) * PAGE_SIZE;
  const head = makeVma({ ...vma, end: cut });
  const tail = makeVma({
    ...vma,
    start: cut,
    prot: vma.prot ^ PROT_WRITE,
    offset: vma.path ? vma.offset + (cut - vma.start) : 0,
  });
  vmas.splice(i, 1, head, tail);
};

/** Fill part of a gap with a run of single pages that cannot merge (stress-ng's mmap worker). */
const fragmentGap: Mutation = (rng, vmas) => {
  const i = rng.below(Math.max(1, vmas.length - 1));
  const left = vmas[i];
  const right = vmas[i + 1];
  const room = right ? (right.start - left.end) / PAGE_SIZE : 64;
  if (room < 2) return;
  const count = rng.between(1, Math.min(room - 1, 48));
  const gapFirst = rng.chance(0.5);
  const run: Vma[] = [];
  for (let k = 0; k < count; k++) {
    const start = left.end + (k + (gapFirst ? 1 : 0)) * PAGE_SIZE;
    const flags = k % 2 === 0 ? VmFlag[rng.pick(ADVICE_FLAGS)] : 0;
    run.push(makeVma({ start, end: start + PAGE_SIZE, prot: PROT_READ | PROT_WRITE, flags }));
  }
  vmas.splice(i + 1, 0, ...run);
};

/** Mark a VMA DONTCOPY, so the child's dup leaves it out. */
const markDontcopy: Mutation = (rng, vmas) => {
  const i = pickIndex(rng, vmas);
  vmas[i] = makeVma({ ...vmas[i], flags: vmas[i].flags | VmFlag.dontcopy });
};

/** Shrink a VMA from its top, widening the gap above it. */
const shrinkTop: Mutation = (rng, vmas) => {
  const i = pickIndex(rng, vmas);
  const vma = vmas[i];
  const pages = pagesOf(vma);
  if (pages < 2) return;
  vmas[i] = makeVma({ ...vma, end: vma.end - rng.between(1, pages - 1) * PAGE_SIZE });
};

/**
 * Open a one-page gap above each VMA of a window of neighbours (a library loaded with holes
 * between its segments, or a map after many partial unmaps): gapped trees are where node
 * estimates are tightest.
 */
const openGaps: Mutation = (rng, vmas) => {
  const from = pickIndex(rng, vmas);
  const to = Math.min(vmas.length, from + rng.between(4, 64));
  for (let i = from; i < to; i++) {
    const vma = vmas[i];
    const next = vmas[i + 1];
    if (pagesOf(vma) >= 2 && next && next.start === vma.end) {
      vmas[i] = makeVma({ ...vma, end: vma.end - PAGE_SIZE });
    }
  }
};

const MUTATIONS: readonly Mutation[] = [
  openGaps,
  dropVma,
  punchHole,
  splitVma,
  fragmentGap,
  markDontcopy,
  shrinkTop,
];

/** `count` random mutations of `layout` (a copy; the input is untouched). */
export function mutateLayout(rng: Mwc, layout: readonly Vma[], count: number): Vma[] {
  const vmas = [...layout];
  for (let n = 0; n < count; n++) rng.pick(MUTATIONS)(rng, vmas);
  return vmas;
}

/** Pages free above `vmas[i]`, up to the next VMA (or a bounded room above the last). */
function roomAbove(vmas: readonly Vma[], i: number): number {
  const next = vmas[i + 1];
  if (next) return (next.start - vmas[i].end) / PAGE_SIZE;
  return Math.max(0, Math.min(256, (TASK_SIZE - vmas[i].end) / PAGE_SIZE));
}

/** Grow a VMA into the gap above it by a page or more, keeping at least a page of gap. */
const growTop: Mutation = (rng, vmas) => {
  const i = pickIndex(rng, vmas);
  const room = roomAbove(vmas, i);
  if (room < 2) return;
  const vma = vmas[i];
  vmas[i] = makeVma({ ...vma, end: vma.end + rng.between(1, Math.min(room - 1, 64)) * PAGE_SIZE });
};

/** Close the gap above a VMA: it now reaches its neighbour (merging if they are alike). */
const closeGap: Mutation = (rng, vmas) => {
  const i = rng.below(Math.max(1, vmas.length - 1));
  const next = vmas[i + 1];
  if (!next || next.start === vmas[i].end) return;
  vmas[i] = makeVma({ ...vmas[i], end: next.start });
};

/** Map a new anonymous VMA in the middle of a gap (a library or an arena loaded there). */
const insertVma: Mutation = (rng, vmas) => {
  const i = pickIndex(rng, vmas);
  const room = roomAbove(vmas, i);
  if (room < 3) return;
  const pages = rng.between(1, Math.min(room - 2, 32));
  const start = vmas[i].end + rng.between(1, room - 1 - pages) * PAGE_SIZE;
  const prot = rng.pick([PROT_READ, PROT_READ | PROT_WRITE]);
  vmas.splice(i + 1, 0, makeVma({ start, end: start + pages * PAGE_SIZE, prot }));
};

/** Gaps narrower than this (in pages) keep VMAs in one region (libraries, their data, arenas). */
const REGION_GAP_PAGES = 64;

/**
 * Space out one region: every VMA of a run of near neighbours moves up so that a one-page gap
 * separates it from the one below, as when libraries load with guard pages between them. The
 * region's VMAs keep their sizes; the region must have room above it. Gapped trees are where
 * node estimates are tightest, and a real map's VMAs are mostly adjacent.
 */
const spreadRegion: Mutation = (rng, vmas) => {
  let from = pickIndex(rng, vmas);
  let to = from;
  const near = (i: number) => (vmas[i + 1].start - vmas[i].end) / PAGE_SIZE < REGION_GAP_PAGES;
  while (from > 0 && near(from - 1)) from--;
  while (to + 1 < vmas.length && near(to)) to++;
  const shifts: number[] = [];
  let shift = 0;
  for (let i = from; i <= to; i++) {
    if (i > from && vmas[i].start === vmas[i - 1].end) shift += PAGE_SIZE;
    shifts.push(shift);
  }
  if (shift === 0 || roomAbove(vmas, to) * PAGE_SIZE <= shift) return;
  for (let i = from; i <= to; i++) {
    const moved = shifts[i - from];
    vmas[i] = makeVma({ ...vmas[i], start: vmas[i].start + moved, end: vmas[i].end + moved });
  }
};

/**
 * The mutations that search near a user's layout: those of {@linkcode mutateLayout}, plus
 * VMAs that grow into their gaps, gaps that close, VMAs mapped into gaps, and a region spaced
 * out, so sizes, gaps and the VMA count all move a little either way.
 */
const NEAR_MUTATIONS: readonly Mutation[] = [
  ...MUTATIONS,
  growTop,
  closeGap,
  insertVma,
  spreadRegion,
];

/**
 * `count` random small edits of a user's `layout` (a copy): sizes, gaps, VMAs removed and
 * inserted, protections split, DONTCOPY marks.
 *
 * @example
 * ```ts
 * import { Mwc } from "../prng.ts";
 * import { resolveLayout } from "../layouts/mod.ts";
 * import { mutateNear } from "./mutate.ts";
 * const layout = resolveLayout("node-self", 1).vmas;
 * console.log(mutateNear(new Mwc(1), layout, 0).length === layout.length); // true
 * ```
 */
export function mutateNear(rng: Mwc, layout: readonly Vma[], count: number): Vma[] {
  const vmas = [...layout];
  for (let n = 0; n < count; n++) rng.pick(NEAR_MUTATIONS)(rng, vmas);
  return vmas;
}
