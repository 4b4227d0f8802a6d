/**
 * Workloads: a simulated address space on a maple tree of any version, realistic layouts,
 * stress-ng-like stressors with their checks, and the probe entry point the bisect runner
 * uses.
 *
 * @example
 * ```ts
 * import { runProbe } from "./mod.ts";
 * const result = await runProbe({
 *   version: "testing/reference", stressor: "mmap", layout: "glibc", seed: 7, ops: 20,
 *   verify: true,
 * });
 * console.log(result.outcome, result.digest);
 * ```
 *
 * @module
 */

export { classify, parseFrames, topFrame } from "./classify.ts";
export { DifferentialMismatchError, LeakError, NodeAccountingError } from "./check_errors.ts";
export { digestVmas } from "./digest.ts";
export { type Layout, LayoutError, layoutNames, parseMaps, resolveLayout } from "./layouts/mod.ts";
export { metricsLines, metricsRecord } from "./metrics.ts";
export { DEFAULT_MAX_MAP_COUNT, type Errno, Mm, type MmOptions } from "./mm.ts";
export { decodeOperation, encodeOperation, type Operation } from "./operations.ts";
export { parseProbeSpec, prepareProbe, ProbeSpecError, runProbe, runProbeWith } from "./probe.ts";
export * from "./probe_types.ts";
export { Mwc } from "./prng.ts";
export { type CheckMode, ProcessTree } from "./process.ts";
export { RangeModel } from "./reference_model.ts";
export { runStress, type StressConfig, type StressRun } from "./runner.ts";
export {
  DEFAULT_STRESSOR_OPTIONS,
  stressorByName,
  type StressorOptions,
  STRESSORS,
} from "./stressors/mod.ts";
export { type Vma, VmFlag } from "./vma.ts";
export { decodeVmas, encodeVma } from "./vma_records.ts";
