/**
 * Fuzz cases: a layout and an explicit operation list, generated from a seed. The layout
 * comes from a generator with random tunables or from a mutated real map (or, given a
 * user's own layouts, from one of those with a few small edits); the operations are
 * some random churn (maps, unmaps, protection and advice changes, brk) followed by the chosen
 * stressor's own operations, recorded while running on a trusted version so that every
 * address in them makes sense for the layout.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../../core/loader.ts";
 * import { generateCase } from "./case_gen.ts";
 * const { module } = await loadVersion("testing/reference");
 * const fuzzCase = generateCase(module, "fork", 7);
 * console.log(fuzzCase.layout.length > 0, fuzzCase.operations.length > 0);
 * ```
 *
 * @module
 */

import type { MapleModule } from "../../core/contract.ts";
import { fixtureNames, resolveLayout } from "../layouts/mod.ts";
import { Mm } from "../mm.ts";
import { encodeOperation, type Operation } from "../operations.ts";
import type { ProbeSpec, StressorName } from "../probe_types.ts";
import { Mwc } from "../prng.ts";
import { ProcessTree } from "../process.ts";
import {
  DEFAULT_STRESSOR_OPTIONS,
  stressorByName,
  type StressorOptions,
} from "../stressors/mod.ts";
import { ADVICE_FLAGS, PAGE_SIZE, pagesOf, PROT_READ, PROT_WRITE, type Vma } from "../vma.ts";
import { encodeVma } from "../vma_records.ts";
import { mutateLayout, mutateNear } from "./mutate.ts";

/** One fuzz case. */
export interface FuzzCase {
  /** Where the layout came from, e.g. `random:vmas=120,gap=0.4` or `cat-self+7 mutations`. */
  readonly label: string;
  readonly stressor: StressorName;
  readonly seed: number;
  readonly layout: readonly Vma[];
  readonly operations: readonly Operation[];
}

/** A layout to fuzz near, e.g. the maps file of the machine that failed. */
export interface SeedLayout {
  /** How cases name it, e.g. `failing.maps`. */
  readonly label: string;
  readonly vmas: readonly Vma[];
}

/** Edits of a seed layout per case at most (case by case 0 to this many; 0: as it is). */
export const MAX_NEAR_MUTATIONS = 8;

/** Stressor sizes for fuzz cases: small, so that a case runs in milliseconds. */
export const FUZZ_SIZES: Partial<StressorOptions> = {
  mmapPages: 4,
  mremapPages: 16,
  mmapforkChildren: 4,
  mmapforkPages: 256,
  forkheavyAllocs: 256,
  cloneRegionPages: 1024,
};

/** Operations a case may hold, so that its spec fits one command-line argument. */
export const MAX_CASE_OPERATIONS = 600;

function pickLayout(rng: Mwc): { label: string; vmas: Vma[] } {
  const seed = rng.below(1_000_000);
  switch (rng.below(5)) {
    case 0: {
      const label = `glibc:libs=${rng.between(1, 30)},threads=${rng.between(0, 6)}`;
      return { label, vmas: [...resolveLayout(label, seed).vmas] };
    }
    case 1: {
      const gap = rng.pick([0, 0.1, 0.3, 0.5, 0.7, 0.9, 1, 1]);
      const label = `random:vmas=${rng.between(10, 300)},gap=${gap},` +
        `align=${rng.pick([1, 1, 2, 16])},maxPages=${rng.between(1, 32)},` +
        `dontcopy=${rng.pick([0, 0, 0.05, 0.3])}`;
      return { label, vmas: [...resolveLayout(label, seed).vmas] };
    }
    case 2: {
      const label = `fragmented:pages=${rng.between(16, 300)},gaps=${rng.between(0, 40)}`;
      return { label, vmas: [...resolveLayout(label, seed).vmas] };
    }
    default: {
      const base = rng.pick(fixtureNames());
      const count = rng.between(1, 24);
      const vmas = mutateLayout(rng, resolveLayout(base, seed).vmas, count);
      return { label: `${base}+${count} mutations`, vmas };
    }
  }
}

/** A random operation that changes the parent's layout, or `undefined` when none fits. */
export function churnOperation(rng: Mwc, mm: Mm): Operation | undefined {
  const vmas = mm.vmas();
  if (vmas.length === 0) return { op: "mmap", length: rng.between(1, 16) * PAGE_SIZE, prot: 3 };
  const vma = rng.pick(vmas);
  const pages = pagesOf(vma);
  const first = rng.below(pages);
  const count = rng.between(1, pages - first);
  const addr = vma.start + first * PAGE_SIZE;
  const length = count * PAGE_SIZE;
  switch (rng.below(6)) {
    case 0:
      return { op: "munmap", addr, length };
    case 1:
      return {
        op: "mprotect",
        addr,
        length,
        prot: rng.pick([0, PROT_READ, PROT_READ | PROT_WRITE]),
      };
    case 2:
      return {
        op: "madvise",
        addr,
        length,
        flag: rng.pick([...ADVICE_FLAGS, "dontcopy"]),
        set: true,
      };
    case 3: {
      const next = vmas[vmas.indexOf(vma) + 1];
      const room = next ? (next.start - vma.end) / PAGE_SIZE : 16;
      if (room < 1) return undefined;
      return {
        op: "mmap",
        addr: vma.end,
        length: rng.between(1, Math.min(room, 16)) * PAGE_SIZE,
        prot: rng.pick([PROT_READ, PROT_READ | PROT_WRITE]),
        fixed: true,
      };
    }
    case 4:
      return { op: "mmap", length: rng.between(1, 32) * PAGE_SIZE, prot: PROT_READ | PROT_WRITE };
    default:
      return { op: "brk", addr: mm.brkEnd + (rng.between(0, 16) - 4) * PAGE_SIZE };
  }
}

/** One of `layouts` as it is or with a few small edits (see `mutateNear`). */
function nearLayout(rng: Mwc, layouts: readonly SeedLayout[]): { label: string; vmas: Vma[] } {
  const base = rng.pick(layouts);
  const count = rng.below(MAX_NEAR_MUTATIONS + 1);
  const vmas = mutateNear(rng, base.vmas, count);
  return { label: count === 0 ? base.label : `${base.label}+${count} edits`, vmas };
}

/**
 * Generate case `seed` for `stressor`, recording its operations on `trusted` (a version
 * believed correct, e.g. the reference model). With `near`, the layout is one of those
 * layouts, edited a little (sizes, gaps, VMAs removed or added), instead of a generator's.
 */
export function generateCase(
  trusted: MapleModule,
  stressor: StressorName,
  seed: number,
  near?: readonly SeedLayout[],
): FuzzCase {
  const rng = new Mwc(seed);
  const { label, vmas } = near && near.length > 0 ? nearLayout(rng, near) : pickLayout(rng);
  const operations: Operation[] = [];
  const mm = Mm.create(trusted, vmas, {});
  const processes = new ProcessTree(mm, "none");
  const run = (op: Operation) => {
    if (operations.length >= MAX_CASE_OPERATIONS) return "ENOMEM";
    operations.push(op);
    return processes.apply(op);
  };
  const churn = () => {
    for (let n = rng.below(12); n > 0; n--) {
      const op = churnOperation(rng, mm);
      if (op) run(op);
    }
  };
  churn();
  const step = stressorByName(stressor).start({
    rng: rng.fork(),
    processes,
    options: { ...DEFAULT_STRESSOR_OPTIONS, ...FUZZ_SIZES },
    run,
  });
  for (let rounds = rng.between(1, 8); rounds > 0; rounds--) {
    if (operations.length >= MAX_CASE_OPERATIONS) break;
    step();
    if (rng.chance(0.5)) churn();
  }
  processes.finish();
  return { label, stressor, seed, layout: vmas, operations };
}

/** The probe (without its version) that runs `fuzzCase`, with every check on. */
export function caseProbe(fuzzCase: FuzzCase): Omit<ProbeSpec, "version"> {
  return {
    stressor: fuzzCase.stressor,
    layout: fuzzCase.label,
    seed: fuzzCase.seed,
    ops: fuzzCase.operations.length,
    verify: true,
    inlineLayout: fuzzCase.layout.map(encodeVma),
    operations: fuzzCase.operations.map(encodeOperation),
  };
}
