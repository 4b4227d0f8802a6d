/**
 * Named matrices for `deno task mutate --matrix NAME`: `default` is the bisect's own crash
 * matrix (whatever `bisect/matrix.ts` makes the default, so the score measures what a user
 * of `deno task bisect` gets); `fork` is its first group alone (the default until the
 * write-path groups joined it); `broad` runs all seven stressors over the fork group's
 * layouts and seeds, so the three can be compared.
 *
 * @example
 * ```ts
 * import { presetMatrix } from "./presets.ts";
 * console.log(presetMatrix("default").length, presetMatrix("fork").length); // 36 16
 * ```
 *
 * @module
 */

import { crashMatrix, DEFAULT_CRASH, DEFAULT_CRASH_GROUPS, type MatrixAxes } from "../matrix.ts";
import type { ProbeCase } from "../runner.ts";

/** The preset names. */
export const MATRIX_PRESET_NAMES = ["default", "fork", "broad"] as const;

/** One preset's name. */
export type MatrixPresetName = typeof MATRIX_PRESET_NAMES[number];

/**
 * The broad matrix: the default's layouts and seeds, verified, with fork and clone for the
 * seed's class of bug (20 ops, as the default) and mmap, munmap, mprotect, mremap and brk for
 * the read and write paths (50 ops: each does several writes, and the trees must grow and
 * shrink across node boundaries).
 */
export const BROAD_CRASH: readonly MatrixAxes[] = [
  { ...DEFAULT_CRASH, stressors: ["fork", "clone"] },
  { ...DEFAULT_CRASH, stressors: ["mmap", "munmap", "mprotect", "mremap", "brk"], ops: 50 },
];

/**
 * The probes of preset `name`.
 *
 * @example
 * ```ts
 * import { presetMatrix } from "./presets.ts";
 * console.log(presetMatrix("broad").at(-1)); // { stressor: "brk", layout: "random:vmas=150,gap=0.7", seed: 2, ops: 50, verify: true }
 * ```
 */
export function presetMatrix(name: MatrixPresetName): ProbeCase[] {
  const groups = name === "broad"
    ? BROAD_CRASH
    : name === "fork"
    ? [DEFAULT_CRASH]
    : DEFAULT_CRASH_GROUPS;
  return groups.flatMap((axes) => crashMatrix(axes));
}
