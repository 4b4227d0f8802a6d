/**
 * The default probes of `deno task bisect`, chosen so that the bundled history is bisected
 * in both modes in a few minutes on two cores.
 *
 * Crash mode forks (the path of the seed's bug) over the real address spaces shipped with the
 * suite plus generated ones whose VMAs are separated by gaps, 13 to 153 of them being where
 * the kernel's own 6.1 bulk estimate went wrong, with two seeds each. Performance mode runs the
 * mmap stressor (a map, page-by-page unmaps, MAP_FIXED refills and unmaps per op: a stream of
 * stores) on the fragmented layout stress-ng's own mmap worker builds (tens of thousands of
 * unmergeable pages, so the tree is as tall as a busy process's), short enough for many
 * fresh-process samples. On a small glibc-shaped tree the per-store cost of a version is a
 * smaller share of each op, and a 15% slowdown of the tree's writes measured about 5–12%.
 *
 * @example
 * ```ts
 * import { crashMatrix, DEFAULT_CRASH } from "./matrix.ts";
 * const matrix = crashMatrix(DEFAULT_CRASH);
 * console.log(matrix.length, matrix[0]); // 16 { stressor: "fork", layout: "cat-self", ... }
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

/** The default crash matrix: fork × 8 layouts × 2 seeds, 20 forks each, verified. */
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
