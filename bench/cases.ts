/**
 * Every benchmark case that `deno task bench` runs, in a fixed order: the core cases
 * (`core_cases.ts`, issue 2) first, then one bogo-ops/s case per stressor
 * (`workloads_cases.ts`, issue 3), then the node count and height after a fixed workload
 * (`shape_cases.ts`), which draw a history's memory beside its speed.
 *
 * @example
 * ```ts
 * import { benchCases } from "./cases.ts";
 * console.log(benchCases().map((c) => c.name)); // ["core/load-random", ..., "shape/height"]
 * ```
 *
 * @module
 */

import { coreCases } from "./core_cases.ts";
import type { BenchCase } from "./harness.ts";
import { shapeCases } from "./shape_cases.ts";
import { workloadCases } from "./workloads_cases.ts";

/**
 * The cases, in the harness's {@linkcode BenchCase} shape.
 *
 * @example
 * ```ts
 * import { benchCases } from "./cases.ts";
 * console.log(new Set(benchCases().map((c) => c.group))); // Set { "core", "workloads", "shape" }
 * ```
 */
export function benchCases(): BenchCase[] {
  return [...coreCases(), ...workloadCases(), ...shapeCases()];
}
