/**
 * The bisect runner: child-process probes with limits, the crash and performance searches,
 * their statistics, the exhaustive matrix, the summary and the record.
 *
 * @example
 * ```ts
 * import { buildPlan, formatReport, runBisect } from "./mod.ts";
 * const plan = buildPlan({
 *   manifest: "bisect/fixtures/versions/crash_history.json", mode: "crash",
 *   layouts: ["cat-self"], seeds: ["1"],
 * });
 * console.log(formatReport(await runBisect(plan)));
 * ```
 *
 * @module
 */

export { narrowBoundary, nearestMiddle } from "./boundary_search.ts";
export type { Ends, SearchRange, Side } from "./boundary_search.ts";
export { classifyExit, lastResultLine } from "./classify.ts";
export type { ChildExit, Classified } from "./classify.ts";
export { crashSearch, goodRunsNeeded, isFailure } from "./crash_search.ts";
export type {
  CrashSearchOptions,
  CrashVerdict,
  Reproduction,
  VersionVerdict,
} from "./crash_search.ts";
export { EXIT, verdictExitCode } from "./exit_code.ts";
export { exhaustive } from "./exhaustive.ts";
export type { ExhaustiveOptions, ExhaustiveResult, PerfTable } from "./exhaustive.ts";
export { crashMatrix, DEFAULT_CRASH, DEFAULT_CRASH_GROUPS, DEFAULT_PERF } from "./matrix.ts";
export type { MatrixAxes } from "./matrix.ts";
export { compareVersions, DEFAULT_SAMPLES, judge, perfSearch } from "./perf_search.ts";
export type { CompareOptions, Comparison, PerfSearchOptions, PerfVerdict } from "./perf_search.ts";
export { buildPlan, buildSettings, loadVersions, UsageError } from "./plan.ts";
export type { PlanArgs, ProbeSettings } from "./plan.ts";
export { formatProgress, progressLine } from "./progress.ts";
export type { ProgressLine, ProgressOptions } from "./progress.ts";
export { probeEntry, recordInput } from "./record.ts";
export {
  formatCrash,
  formatExhaustive,
  formatPerf,
  formatReport,
  OUTCOME_LETTERS,
  probeLabel,
  reproduceCommand,
  robotTable,
} from "./report.ts";
export { PROBE_ENTRY, ProbeRunner, ProbeSpecRejected } from "./runner.ts";
export { SUITE_ROOT } from "./child.ts";
export type { ProbeCase, ProbeLimits, ProbeRun, RunnerOptions, VersionRef } from "./runner.ts";
export { CLOCKS, metricName, throughput, throughputUnit } from "./throughput.ts";
export type { Clock } from "./throughput.ts";
export { DEFAULT_CRASH_LIMITS, DEFAULT_PERF_LIMITS, estimateProbes, runBisect } from "./session.ts";
export type { BisectPlan, BisectReport, Mode, Progress, VersionInfo } from "./session.ts";
export { bootstrapMedianRatio, mannWhitneyU, median, normalCdf, summarize } from "./stats.ts";
export type { Alternative, BootstrapOptions, RankTest, RatioInterval, Summary } from "./stats.ts";
export { VersionChecker } from "./version_check.ts";
export type { CheckerOptions, VersionCheck } from "./version_check.ts";
export type {
  Failure,
  Outcome,
  ProbeResult,
  ProbeSpec,
  StressorName,
} from "../workloads/probe_types.ts";
