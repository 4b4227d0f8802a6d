/**
 * What a performance sample's figure is: bogo ops per second of CPU time (default) or of wall
 * time. CPU time comes from the `cpuMs` of a timed probe's result (`mode: "timed"` in its spec);
 * a result without it (a checked probe, or another probe entry) falls back to wall time.
 *
 * @example
 * ```ts
 * import { throughput } from "./throughput.ts";
 * const spec = { version: "v1", stressor: "mmap" as const, layout: "glibc", seed: 1, ops: 200, verify: false };
 * const result = { spec, outcome: "pass" as const, bogoOps: 200, elapsedMs: 400, opsPerSecond: 500,
 *   digest: "", layoutVmas: 48, cpuMs: 250 };
 * console.log(throughput({ spec, outcome: "pass", wallMs: 450, result }, "cpu")); // 800
 * ```
 *
 * @module
 */

import type { ProbeRun } from "./runner.ts";

/** Which clock divides the bogo ops. */
export type Clock = "cpu" | "wall";

/** The clocks, for argument checking. */
export const CLOCKS: readonly Clock[] = ["cpu", "wall"];

/**
 * Bogo ops per second of `clock` for a passing run; `undefined` when it has no result.
 *
 * @example
 * ```ts
 * import { throughput } from "./throughput.ts";
 * const spec = { version: "v1", stressor: "mmap" as const, layout: "glibc", seed: 1, ops: 1, verify: false };
 * console.log(throughput({ spec, outcome: "crash", wallMs: 1 }, "wall")); // undefined
 * ```
 */
export function throughput(run: ProbeRun, clock: Clock): number | undefined {
  const result = run.result;
  if (run.outcome !== "pass" || result === undefined) return undefined;
  if (clock === "cpu" && result.cpuMs !== undefined && result.cpuMs > 0) {
    return result.bogoOps / (result.cpuMs / 1000);
  }
  return result.opsPerSecond;
}

/**
 * The metric's name in the kernel test robot's style.
 *
 * @example
 * ```ts
 * import { metricName } from "./throughput.ts";
 * console.log(metricName("mmap", "cpu")); // maple-bisect.mmap.ops_per_cpu_sec
 * ```
 */
export function metricName(stressor: string, clock: Clock): string {
  return `maple-bisect.${stressor}.${clock === "cpu" ? "ops_per_cpu_sec" : "ops_per_sec"}`;
}

/**
 * The unit of the figures, for tables and records.
 *
 * @example
 * ```ts
 * import { throughputUnit } from "./throughput.ts";
 * console.log(throughputUnit("cpu")); // ops per CPU second
 * ```
 */
export function throughputUnit(clock: Clock): string {
  return clock === "cpu" ? "ops per CPU second" : "ops/s";
}
