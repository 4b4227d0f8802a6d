/**
 * The fuzz loop: generate cases (layouts from the generators and from mutated real maps, or
 * near a user's own layouts; operations from churn and the stressor), run them against a version in child processes,
 * and stop at the first failure or when the time is up.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../../core/loader.ts";
 * import { fuzz } from "./fuzz.ts";
 * import { inProcessCaseRunner } from "./case_runner.ts";
 * const { module } = await loadVersion("testing/reference");
 * const report = await fuzz({
 *   trusted: module, stressor: "fork", timeMs: 200, firstSeed: 1,
 *   run: inProcessCaseRunner(module, "testing/reference"),
 * });
 * console.log(report.cases > 0, report.found === undefined);
 * ```
 *
 * @module
 */

import type { MapleModule } from "../../core/contract.ts";
import { type FuzzCase, generateCase, type SeedLayout } from "../../workloads/fuzz/mod.ts";
import type { StressorName } from "../../workloads/probe_types.ts";
import type { CaseRunner, CaseVerdict } from "./case_runner.ts";

/** What to fuzz. */
export interface FuzzOptions {
  /** A version believed correct, used to record the cases' operations. */
  readonly trusted: MapleModule;
  readonly stressor: StressorName;
  /** Stop after this long. */
  readonly timeMs: number;
  /** Seed of the first case; case k uses `firstSeed + k`. */
  readonly firstSeed: number;
  /** Runs one case against the version under test. */
  readonly run: CaseRunner;
  /** Cases run at once (default 1). */
  readonly concurrency?: number;
  /** Stop after this many cases (default: no limit). */
  readonly maxCases?: number;
  /**
   * Fuzz near these layouts (a user's maps files) instead of the generators: each case takes
   * one of them as it is or with a few small edits.
   */
  readonly layouts?: readonly SeedLayout[];
  /** Called after each case. */
  readonly onCase?: (fuzzCase: FuzzCase, verdict: CaseVerdict) => void;
}

/** How a fuzz session ended. */
export interface FuzzReport {
  readonly cases: number;
  readonly elapsedMs: number;
  readonly casesPerSecond: number;
  /** The first failing case and its verdict (`skip` counts: the version cannot run). */
  readonly found?: { readonly fuzzCase: FuzzCase; readonly verdict: CaseVerdict };
}

/** Fuzz until a failure, the time limit or the case limit. */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const deadline = started + options.timeMs;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const maxCases = options.maxCases ?? Infinity;
  let cases = 0;
  let found: FuzzReport["found"];
  while (!found && performance.now() < deadline && cases < maxCases) {
    const batch: FuzzCase[] = [];
    for (let i = 0; i < concurrency && cases + batch.length < maxCases; i++) {
      batch.push(
        generateCase(
          options.trusted,
          options.stressor,
          options.firstSeed + cases + i,
          options.layouts,
        ),
      );
    }
    const verdicts = await Promise.all(batch.map((fuzzCase) => options.run(fuzzCase)));
    for (let i = 0; i < batch.length; i++) {
      cases++;
      options.onCase?.(batch[i], verdicts[i]);
      if (verdicts[i].outcome !== "pass") {
        found = { fuzzCase: batch[i], verdict: verdicts[i] };
        break;
      }
    }
  }
  const elapsedMs = performance.now() - started;
  return {
    cases,
    elapsedMs,
    casesPerSecond: elapsedMs > 0 ? cases / (elapsedMs / 1000) : 0,
    ...(found ? { found } : {}),
  };
}
