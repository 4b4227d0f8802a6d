/**
 * The fuzz loop: generate cases (layouts from the generators and from mutated real maps, or
 * near a user's own layouts; operations from churn and the stressor), run them against a version in child processes,
 * and stop at the first failure or when the time is up.
 *
 * Case k is seed `firstSeed + k`, run in batches of `concurrency` in seed order; the first
 * failing case of a batch ends the campaign. A `shard` K of N runs only the plan's cases k
 * with k mod N = K - 1 (`--shard`, see `../shard.ts`), so that N shards of a campaign with
 * `maxCases` visit its cases between them. Verdicts given in `done` (a journal's) are taken
 * instead of running their cases, so a resumed campaign stops where an uninterrupted one
 * would; an aborted `signal` stops it between batches (children in flight are the runner's
 * to kill) and the report says so.
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
import { Interrupted } from "../runner.ts";

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
  /** Stop after this many cases (default: no limit); with a `shard`, the whole plan's cases. */
  readonly maxCases?: number;
  /** Run only this shard's cases (K of N, K from 1): case k when k mod N = K - 1. */
  readonly shard?: { readonly index: number; readonly count: number };
  /**
   * Fuzz near these layouts (a user's maps files) instead of the generators: each case takes
   * one of them as it is or with a few small edits.
   */
  readonly layouts?: readonly SeedLayout[];
  /** Called after each case run here (not for verdicts taken from `done`). */
  readonly onCase?: (fuzzCase: FuzzCase, verdict: CaseVerdict) => void;
  /** Verdicts of cases already run (by seed), taken instead of running them again. */
  readonly done?: ReadonlyMap<number, CaseVerdict>;
  /** Called with each case run here as soon as it finishes, before its batch ends: the journal's hook. */
  readonly onFinished?: (seed: number, verdict: CaseVerdict) => void;
  /** Once aborted (its reason the signal's name), no batch starts and the campaign ends. */
  readonly signal?: AbortSignal;
}

/** How a fuzz session ended. */
export interface FuzzReport {
  readonly cases: number;
  readonly elapsedMs: number;
  readonly casesPerSecond: number;
  /** The first failing case and its verdict (`skip` counts: the version cannot run). */
  readonly found?: { readonly fuzzCase: FuzzCase; readonly verdict: CaseVerdict };
  /** Cases whose verdict came from `done`. */
  readonly reused: number;
  /** The signal that stopped the campaign, when one did. */
  readonly interrupted?: string;
}

/** How often, at least, a campaign with a `signal` lets the event loop run (ms). */
const YIELD_EVERY_MS = 50;

/** Fuzz until a failure, the time limit or the case limit. */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const deadline = started + options.timeMs;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const stride = options.shard?.count ?? 1;
  const offset = (options.shard?.index ?? 1) - 1;
  // This session's j-th case is case offset + j * stride of the plan.
  const maxCases = shardCaseCount(options.maxCases ?? Infinity, options.shard);
  const seedOf = (j: number) => options.firstSeed + offset + j * stride;
  const done = options.done ?? new Map<number, CaseVerdict>();
  const generate = (seed: number) =>
    generateCase(options.trusted, options.stressor, seed, options.layouts);
  let cases = 0;
  let reused = 0;
  let found: FuzzReport["found"];
  let interrupted: string | undefined;
  let yielded = performance.now();
  while (!found && cases < maxCases) {
    const seeds: number[] = [];
    for (let i = 0; i < concurrency && cases + i < maxCases; i++) {
      seeds.push(seedOf(cases + i));
    }
    // Verdicts already known cost nothing: they are walked through even past the deadline.
    const replayOnly = seeds.every((seed) => done.has(seed));
    if (!replayOnly && performance.now() >= deadline) break;
    if (!replayOnly && options.signal) {
      // In-process cases never give the event loop a turn, so a signal would go unheard.
      if (performance.now() - yielded >= YIELD_EVERY_MS) {
        await new Promise((wake) => setTimeout(wake, 0));
        yielded = performance.now();
      }
      if (options.signal.aborted) {
        interrupted = typeof options.signal.reason === "string" ? options.signal.reason : "SIGINT";
        break;
      }
    }
    const settled = await Promise.allSettled(seeds.map(async (seed) => {
      const known = done.get(seed);
      if (known) return { seed, verdict: known, reused: true };
      const fuzzCase = generate(seed);
      const verdict = await options.run(fuzzCase);
      options.onFinished?.(seed, verdict);
      options.onCase?.(fuzzCase, verdict);
      return { seed, fuzzCase, verdict, reused: false };
    }));
    const failed = settled.flatMap((s) => s.status === "rejected" ? [s.reason as unknown] : []);
    const stop = failed.find((e) => e instanceof Interrupted);
    const other = failed.find((e) => !(e instanceof Interrupted));
    if (other !== undefined) throw other;
    const finished = settled.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
    if (stop instanceof Interrupted) {
      // The batch is cut: its finished cases are journaled, but which one comes first in seed
      // order is for the resumed campaign to settle, with the whole batch.
      cases += finished.length;
      reused += finished.filter((f) => f.reused).length;
      interrupted = stop.signal;
      break;
    }
    for (const f of finished) {
      cases++;
      if (f.reused) reused++;
      if (f.verdict.outcome !== "pass") {
        found = { fuzzCase: f.fuzzCase ?? generate(f.seed), verdict: f.verdict };
        break;
      }
    }
  }
  const elapsedMs = performance.now() - started;
  const ran = cases - reused;
  return {
    cases,
    elapsedMs,
    casesPerSecond: elapsedMs > 0 ? ran / (elapsedMs / 1000) : 0,
    reused,
    ...(found ? { found } : {}),
    ...(interrupted !== undefined ? { interrupted } : {}),
  };
}

/**
 * How many of a plan's `cases` (cases 0..cases-1) shard K of N runs: those with k mod N = K - 1;
 * all of them without a shard.
 *
 * @example
 * ```ts
 * import { shardCaseCount } from "./fuzz.ts";
 * console.log([1, 2, 3].map((index) => shardCaseCount(10, { index, count: 3 }))); // [4, 3, 3]
 * ```
 */
export function shardCaseCount(
  cases: number,
  shard?: { readonly index: number; readonly count: number },
): number {
  if (!shard) return cases;
  return Math.max(0, Math.ceil((cases - (shard.index - 1)) / shard.count));
}
