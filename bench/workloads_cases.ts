/**
 * Workload benchmark cases: one per stressor, bogo ops/s on the glibc-like layout (seed 7,
 * no checks, so the figure is the tree's and the mm model's cost), parameterised by a
 * version's module so that `deno task bench` can run them over every version.
 *
 * Sizes are our defaults except forkheavy (4,096 resource rounds, ~1,100 VMAs) and mmapfork
 * (8 children per round), so that one timed call stays in the millisecond range.
 *
 * @example
 * ```ts
 * import { workloadCases } from "./workloads_cases.ts";
 * console.log(workloadCases().map((c) => c.name)); // ["workloads/fork-glibc", ...]
 * ```
 *
 * @module
 */

import type { MapleModule } from "../core/contract.ts";
import { resolveLayout } from "../workloads/layouts/mod.ts";
import { STRESSOR_NAMES, type StressorName } from "../workloads/probe_types.ts";
import { openSession } from "../workloads/runner.ts";
import type { StressorOptions } from "../workloads/stressors/mod.ts";
import type { BenchCase } from "./harness.ts";

/** Bogo ops per timed call, per stressor: about a millisecond of work on head. */
export const OPS_PER_CALL: Readonly<Record<StressorName, number>> = {
  fork: 20,
  vfork: 200,
  clone: 20,
  forkheavy: 2,
  mmapfork: 1,
  mmap: 2,
  munmap: 100,
  mprotect: 100,
  mremap: 2,
  brk: 200,
  tree: 5,
};

/** Stressor sizes used by the benchmark. */
export const BENCH_SIZES: Partial<StressorOptions> = { forkheavyAllocs: 4096, mmapforkChildren: 8 };

/** The layout and seed the cases run on. */
export const BENCH_LAYOUT = "glibc";
/** The seed the cases run with. */
export const BENCH_SEED = 7;

/** A function that runs one call's worth of `stressor` bogo ops on a fresh session. */
export function stressorCall(module: MapleModule, stressor: StressorName): () => number {
  const session = openSession({
    module,
    stressor,
    layout: resolveLayout(BENCH_LAYOUT, BENCH_SEED).vmas,
    seed: BENCH_SEED,
    checkMode: "none",
    options: BENCH_SIZES,
  });
  const count = OPS_PER_CALL[stressor];
  return () => session.runBogoOps(count);
}

/** One `ops/s` case per stressor. */
export function workloadCases(): BenchCase[] {
  return STRESSOR_NAMES.map((stressor) => ({
    name: `workloads/${stressor}-${BENCH_LAYOUT}`,
    group: "workloads",
    unit: "ops/s" as const,
    better: "higher" as const,
    opsPerCall: OPS_PER_CALL[stressor],
    setup: (module: MapleModule) => stressorCall(module, stressor),
  }));
}
