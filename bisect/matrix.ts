/**
 * The default probes of `deno task bisect`, chosen so that the bundled history is bisected
 * in both modes in a few minutes on two cores.
 *
 * Crash mode forks (the path of the seed's bug) over the real address spaces shipped with the
 * suite plus generated ones whose VMAs are separated by gaps, 13 to 153 of them being where
 * the kernel's own 6.1 bulk estimate went wrong, with two seeds each; clones; and maps,
 * unmaps, protects, remaps and moves the break over three layouts, for the write paths. Performance mode runs the
 * mmap stressor (a map, page-by-page unmaps, MAP_FIXED refills and unmaps per op: a stream of
 * stores) on the fragmented layout stress-ng's own mmap worker builds (tens of thousands of
 * unmergeable pages, so the tree is as tall as a busy process's), short enough for many
 * fresh-process samples. On a small glibc-shaped tree the per-store cost of a version is a
 * smaller share of each op, and a 15% slowdown of the tree's writes measured about 5–12%.
 *
 * @example
 * ```ts
 * import { crashMatrix, DEFAULT_CRASH_GROUPS } from "./matrix.ts";
 * const matrix = DEFAULT_CRASH_GROUPS.flatMap((axes) => crashMatrix(axes));
 * console.log(matrix.length, matrix[0]); // 36 { stressor: "fork", layout: "cat-self", ... }
 * ```
 *
 * @module
 */

import type { StressorName } from "../workloads/probe_types.ts";
import type { ProbeCase } from "./runner.ts";

/** What a crash matrix is the product of. */
export interface MatrixAxes {
  readonly stressors: readonly StressorName[];
  readonly layouts: readonly string[];
  readonly seeds: readonly number[];
  readonly ops: number;
  readonly verify: boolean;
}

/**
 * The default matrix's first group, the seed's class: fork × 8 layouts × 2 seeds, 20 forks
 * each, verified. Its axes also fill in those a user leaves out when naming others.
 */
export const DEFAULT_CRASH: MatrixAxes = {
  stressors: ["fork"],
  layouts: [
    "cat-self",
    "node-self",
    "python3-self",
    "stress-ng-main",
    "random:vmas=16,gap=1",
    "random:vmas=40,gap=1",
    "random:vmas=90,gap=1",
    "random:vmas=150,gap=0.7",
  ],
  seeds: [1, 2],
  ops: 20,
  verify: true,
};

/**
 * The default crash matrix, 36 probes: the fork group above; clone (the same copy path from
 * another door) over a real and a gapped layout; the five stressors that write the tree,
 * mmap, munmap, mprotect, mremap and brk, over a real layout, a small gapped one and a
 * 300-VMA one (a tree of height 3 to 4, where splits and rebalances climb), 50 ops each; and
 * the `tree` stressor, the tree's own API as the kernel's test module drives it, for what no
 * address space reaches (index 0, plain trees, narrow gap windows, inserts, clears). Chosen
 * by measuring which probes kill which of head's mutants (README, "Mutation testing"): the
 * fork group alone never overwrites or erases, so faults in those paths, in gap searches and
 * in node accounting passed it.
 */
export const DEFAULT_CRASH_GROUPS: readonly MatrixAxes[] = [
  DEFAULT_CRASH,
  {
    stressors: ["clone"],
    layouts: ["python3-self", "random:vmas=40,gap=1"],
    seeds: [1],
    ops: 20,
    verify: true,
  },
  {
    stressors: ["mmap", "munmap", "mprotect", "mremap", "brk"],
    layouts: ["stress-ng-main", "random:vmas=40,gap=1", "random:vmas=300,gap=0.5"],
    seeds: [2],
    ops: 50,
    verify: true,
  },
  // The tree's own API (the layout is only built): 1,000 sessions of 100 operations each.
  { stressors: ["tree"], layouts: ["glibc"], seeds: [1, 2, 3], ops: 1000, verify: true },
];

/** The default performance probe: timed, without checks (see `ProbeSpec.mode`). */
export const DEFAULT_PERF: ProbeCase = {
  stressor: "mmap",
  layout: "fragmented",
  seed: 1,
  ops: 2500,
  verify: false,
  mode: "timed",
};

/**
 * Every stressor × layout × seed, in that order of nesting.
 *
 * @example
 * ```ts
 * import { crashMatrix } from "./matrix.ts";
 * const m = crashMatrix({ stressors: ["fork"], layouts: ["glibc", "cat-self"], seeds: [1, 2], ops: 5, verify: true });
 * console.log(m.length); // 4
 * ```
 */
export function crashMatrix(axes: MatrixAxes): ProbeCase[] {
  const out: ProbeCase[] = [];
  for (const stressor of axes.stressors) {
    for (const layout of axes.layouts) {
      for (const seed of axes.seeds) {
        out.push({ stressor, layout, seed, ops: axes.ops, verify: axes.verify });
      }
    }
  }
  return out;
}

/**
 * The matrix in one line: `16 probes (fork × 8 layouts × 2 seeds, 20 ops, verified)`. A
 * matrix made of groups (the default is) is told group by group, each a product of its
 * stressors, layouts and seeds: probes with the same layouts, seeds and ops share a group.
 *
 * @example
 * ```ts
 * import { describeMatrix } from "./matrix.ts";
 * console.log(describeMatrix([
 *   { stressor: "fork", layout: "glibc", seed: 1, ops: 20, verify: true },
 *   { stressor: "fork", layout: "glibc", seed: 2, ops: 20, verify: true },
 *   { stressor: "mmap", layout: "cat-self", seed: 2, ops: 50, verify: true },
 * ])); // 3 probes (fork × 1 layout × 2 seeds, 20 ops; mmap × 1 layout × 1 seed, 50 ops; verified)
 * ```
 */
export function describeMatrix(matrix: readonly ProbeCase[]): string {
  const distinct = <T>(list: readonly ProbeCase[], pick: (p: ProbeCase) => T) => [
    ...new Set(list.map(pick)),
  ];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  // Each stressor's layouts, seeds and ops; stressors that agree on all three are one group.
  const groups = new Map<string, { stressors: string[]; probes: ProbeCase[] }>();
  for (const stressor of distinct(matrix, (p) => p.stressor)) {
    const probes = matrix.filter((p) => p.stressor === stressor);
    const key = JSON.stringify([
      distinct(probes, (p) => p.layout),
      distinct(probes, (p) => p.seed),
      distinct(probes, (p) => p.ops),
    ]);
    const group = groups.get(key) ?? { stressors: [], probes: [] };
    group.stressors.push(stressor);
    group.probes.push(...probes);
    groups.set(key, group);
  }
  const parts = [...groups.values()].map(({ stressors, probes }) =>
    `${stressors.join(", ")} × ${plural(distinct(probes, (p) => p.layout).length, "layout")} × ` +
    `${plural(distinct(probes, (p) => p.seed).length, "seed")}, ` +
    `${distinct(probes, (p) => p.ops).join("/")} ops`
  );
  const verify = distinct(matrix, (p) => p.verify);
  const checks = verify.length > 1 ? "partly verified" : verify[0] ? "verified" : "not verified";
  return `${plural(matrix.length, "probe")} (${parts.join("; ")}; ${checks})`;
}
