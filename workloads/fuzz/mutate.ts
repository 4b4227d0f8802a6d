/**
 * Mutations of a real layout: the small edits that turn one process's map into a family of
 * plausible others (a library missing, a hole punched, a region fragmented, a mapping marked
 * DONTCOPY), so that the fuzzer explores around layouts that exist.
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
