/**
 * The flags `bisect` and `probe` share, declared once: the crash matrix (`--stressor`,
 * `--layout`, `--seed`, `--ops`, `--no-verify`), the perf workload and statistics, the
 * probes' limits and concurrency, and how their values become the bisect's plan arguments.
 * Each command adds its own flags and keeps its own help text.
 *
 * @example
 * ```ts
 * import { parseArgs } from "node:util";
 * import { PROBE_FLAGS, probePlanArgs } from "./probe_flags.ts";
 * const { values } = parseArgs({ args: ["--layout", "cat-self"], options: PROBE_FLAGS });
 * console.log(probePlanArgs(values).layouts); // ["cat-self"]
 * ```
 *
 * @module
 */

import type { ParseArgsOptionsConfig } from "node:util";
import type { PlanArgs } from "../bisect/mod.ts";
import { resolveLayout } from "../workloads/layouts/mod.ts";
import type { ParsedFlags } from "./cli.ts";

/**
 * The shared flag table (strings as typed: the bisect's plan checks and converts them).
 *
 * @example
 * ```ts
 * import { PROBE_FLAGS } from "./probe_flags.ts";
 * const options = { ...PROBE_FLAGS, quiet: { type: "boolean", default: false } } as const;
 * console.log(Object.keys(options).includes("perf-ops")); // true
 * ```
 */
export const PROBE_FLAGS = {
  manifest: { type: "string" },
  strict: { type: "boolean", default: false },
  stressor: { type: "string", multiple: true },
  layout: { type: "string", multiple: true },
  seed: { type: "string", multiple: true },
  ops: { type: "string" },
  "no-verify": { type: "boolean", default: false },
  "shape-oracle": { type: "string" },
  "perf-stressor": { type: "string" },
  "perf-layout": { type: "string" },
  "perf-ops": { type: "string" },
  samples: { type: "string" },
  threshold: { type: "string" },
  alpha: { type: "string" },
  "time-limit": { type: "string" },
  "memory-limit": { type: "string" },
  jobs: { type: "string" },
  clock: { type: "string" },
  "probe-entry": { type: "string" },
} satisfies ParseArgsOptionsConfig;

/**
 * The plan arguments the shared flags give, for `buildPlan` or `buildSettings`.
 *
 * @example
 * ```ts
 * import { buildSettings } from "../bisect/mod.ts";
 * import { checkLayout, probePlanArgs } from "./probe_flags.ts";
 * const settings = buildSettings(
 *   { mode: "crash", ...probePlanArgs({ "no-verify": false, strict: false, seed: ["3"] }) },
 *   checkLayout,
 * );
 * console.log(settings.crashMatrix.length);
 * ```
 */
export function probePlanArgs(values: ParsedFlags<typeof PROBE_FLAGS>): PlanArgs {
  return {
    manifest: values.manifest,
    stressors: values.stressor,
    layouts: values.layout,
    seeds: values.seed,
    ops: values.ops,
    noVerify: values["no-verify"],
    shapeOracle: values["shape-oracle"],
    perfStressor: values["perf-stressor"],
    perfLayout: values["perf-layout"],
    perfOps: values["perf-ops"],
    samples: values.samples,
    threshold: values.threshold,
    alpha: values.alpha,
    timeLimit: values["time-limit"],
    memoryLimit: values["memory-limit"],
    jobs: values.jobs,
    clock: values.clock,
    probeEntry: values["probe-entry"],
  };
}

/**
 * Throws for a layout the workloads do not know, so the plan refuses it before any child
 * runs.
 *
 * @example
 * ```ts
 * import { checkLayout } from "./probe_flags.ts";
 * checkLayout("cat-self", 1); // fine; "moon-base" would throw
 * ```
 */
export function checkLayout(layout: string, seed: number): void {
  resolveLayout(layout, seed);
}
