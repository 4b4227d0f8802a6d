/**
 * Performance search: the first version whose throughput is significantly worse than the
 * last good one.
 *
 * Every comparison measures both versions afresh, one process per sample, interleaved
 * A B A B … so that drift of the machine (a neighbour's load, thermal state) falls on both
 * alike. A version counts as slower only when both hold:
 * - a one-sided Mann-Whitney U test says its samples are lower (p < alpha), and the
 *   bootstrap interval of the ratio of medians lies wholly below 1; and
 * - the median slowed by at least the threshold (default 10%).
 *
 * With a bad endpoint that is slower than the good one, the range is halved, each midpoint
 * compared with the good endpoint; the step itself (last good against first bad) is then
 * measured directly and shown. When the last version is not slower (a regression that was
 * later recovered, as in the bundled history) and the user did not name a bad version, the
 * search walks forward, comparing each version with the last good one.
 *
 * @example
 * ```ts
 * import { perfSearch } from "./perf_search.ts";
 * const speed: Record<string, number> = { a: 100, b: 101, c: 70, d: 71 };
 * let tick = 0;
 * const verdict = await perfSearch({
 *   versions: ["a", "b", "c", "d"].map((name) => ({ name, folder: name })),
 *   good: 0, bad: 3, badGiven: true, samples: 6,
 *   probe: { stressor: "mmap", layout: "glibc", seed: 1, ops: 100, verify: false },
 *   run: (version, probe) => Promise.resolve({
 *     spec: { version: version.name, ...probe }, outcome: "pass", wallMs: 1,
 *     result: {
 *       spec: { version: version.name, ...probe }, outcome: "pass", bogoOps: 100, elapsedMs: 1,
 *       opsPerSecond: speed[version.name] + (tick++ % 3), digest: "", layoutVmas: 30,
 *     },
 *   }),
 * });
 * console.log(verdict.kind, verdict.firstBad); // first-slower c
 * ```
 *
 * @module
 */

import { narrowBoundary, type SearchRange } from "./boundary_search.ts";
import type { ProbeCase, ProbeRun, VersionRef } from "./runner.ts";
import { type Clock, throughput } from "./throughput.ts";
import {
  bootstrapMedianRatio,
  mannWhitneyU,
  type RatioInterval,
  summarize,
  type Summary,
} from "./stats.ts";

/**
 * Samples per version per comparison. Fresh processes of the same code spread by about a
 * tenth on this kind of machine; ten samples put the median's error near 4%, well inside the
 * 10% threshold.
 */
export const DEFAULT_SAMPLES = 10;

/** One interleaved comparison of a baseline and a candidate. */
export interface Comparison {
  readonly baseline: string;
  readonly candidate: string;
  /** Throughput samples (ops/s), in the order measured. */
  readonly old: readonly number[];
  readonly new: readonly number[];
  readonly oldSummary: Summary;
  readonly newSummary: Summary;
  /** `median(new) / median(old) - 1`, e.g. -0.18 for 18% slower. */
  readonly change: number;
  /** Bootstrap interval of `median(new) / median(old)`. */
  readonly interval: RatioInterval;
  /** One-sided Mann-Whitney p-value for "new is lower". */
  readonly p: number;
  /**
   * `slower` (significant and beyond the threshold), `not-slower`, or `broken` when a run of
   * either version failed, so the numbers cannot be trusted.
   */
  readonly verdict: "slower" | "not-slower" | "broken";
  /** The failed run when `broken`. */
  readonly failure?: ProbeRun;
}

/** The search's answer. */
export interface PerfVerdict {
  /**
   * `first-slower`: found; `no-regression`: nothing slower in range; `endpoint-broken`: an
   * endpoint cannot be measured; `bad-not-slower`: the named bad version is not slower.
   */
  readonly kind: "first-slower" | "no-regression" | "endpoint-broken" | "bad-not-slower";
  readonly firstBad: string | null;
  readonly lastGood: string | null;
  /** The direct comparison of last good and first bad (what the summary shows). */
  readonly step: Comparison | null;
  /** Whether the step itself is significant and beyond the threshold. */
  readonly confident: boolean;
  /** Every comparison, in order. */
  readonly comparisons: readonly Comparison[];
  /** Every run. */
  readonly runs: readonly ProbeRun[];
  readonly notes: readonly string[];
}

/** Inputs of {@linkcode perfSearch}: the range, the workload and how to sample it. */
export interface PerfSearchOptions extends SearchRange {
  /** The workload measured; `result.opsPerSecond` is the figure. */
  readonly probe: ProbeCase;
  /** Runs one probe in a fresh process (a {@linkcode ProbeRunner}'s `run`, concurrency 1). */
  readonly run: (version: VersionRef, probe: ProbeCase) => Promise<ProbeRun>;
  /** Samples per version per comparison (default {@linkcode DEFAULT_SAMPLES}). */
  readonly samples?: number;
  /** Slowdown that matters, as a fraction (default 0.10). */
  readonly threshold?: number;
  /** Significance level of the rank test (default 0.01). */
  readonly alpha?: number;
  /** Which clock the figures use (default `wall`, the probe's own ops/s). */
  readonly clock?: Clock;
  /** Called after each comparison. */
  readonly onComparison?: (comparison: Comparison) => void;
}

/**
 * Find the first slower version; see the module documentation.
 *
 * @example
 * ```ts
 * import { perfSearch } from "./perf_search.ts";
 * async function usage(options: import("./perf_search.ts").PerfSearchOptions): Promise<void> {
 *   const verdict = await perfSearch(options);
 *   console.log(verdict.kind, verdict.step?.change);
 * }
 * ```
 */
export async function perfSearch(options: PerfSearchOptions): Promise<PerfVerdict> {
  const { versions, probe } = options;
  const samples = Math.max(2, options.samples ?? DEFAULT_SAMPLES);
  const threshold = options.threshold ?? 0.10;
  const alpha = options.alpha ?? 0.01;
  const comparisons: Comparison[] = [];
  const runs: ProbeRun[] = [];
  const notes: string[] = [];

  // A midpoint is compared with the good end; when the step found is that very pair, its
  // comparison is the step's, and measuring it again would only cost time.
  const compared = new Map<string, Comparison>();
  const compareAt = async (base: number, candidate: number): Promise<Comparison> => {
    const earlier = compared.get(`${base}:${candidate}`);
    if (earlier) return earlier;
    const result = await compareVersions(versions[base], versions[candidate], {
      probe,
      run: async (v, p) => {
        const r = await options.run(v, p);
        runs.push(r);
        return r;
      },
      samples,
      threshold,
      alpha,
      clock: options.clock ?? "wall",
    });
    comparisons.push(result);
    compared.set(`${base}:${candidate}`, result);
    options.onComparison?.(result);
    return result;
  };
  const finish = (partial: Partial<PerfVerdict> & Pick<PerfVerdict, "kind">): PerfVerdict => ({
    firstBad: null,
    lastGood: null,
    step: null,
    confident: false,
    comparisons,
    runs,
    notes,
    ...partial,
  });

  const ends = await compareAt(options.good, options.bad);
  if (ends.verdict === "broken") {
    const goodSide = ends.failure?.spec.version === versions[options.good].name;
    if (goodSide || options.badGiven) {
      notes.push(`an endpoint cannot be measured: ${describe(ends.failure)}`);
      return finish({ kind: "endpoint-broken" });
    }
  }

  if (ends.verdict === "slower") {
    // Each midpoint is compared with the good endpoint: slower is bad, a broken sample a skip.
    const broken = new Set<number>();
    const { lo, hi } = await narrowBoundary({ lo: options.good, hi: options.bad }, async (mid) => {
      const c = await compareAt(options.good, mid);
      if (c.verdict !== "broken") return c.verdict === "slower" ? "bad" : "good";
      notes.push(`${versions[mid].name} skipped: ${describe(c.failure)}`);
      return "skip";
    }, broken);
    const step = hi === options.bad && lo === options.good ? ends : await compareAt(lo, hi);
    const confident = step.verdict === "slower";
    if (!confident) {
      notes.push(
        `${versions[hi].name} is slower than ${versions[options.good].name} but not clearly ` +
          `slower than ${versions[lo].name}: the slowdown may build up over several versions`,
      );
    }
    const between = [...broken].filter((i) => i > lo && i < hi).map((i) => versions[i].name);
    if (between.length > 0) {
      notes.push(`${between.join(", ")} could not be measured: the slowdown may start there`);
    }
    return finish({
      kind: "first-slower",
      firstBad: versions[hi].name,
      lastGood: versions[lo].name,
      step,
      confident: confident && between.length === 0,
    });
  }

  if (options.badGiven) {
    notes.push(
      `${versions[options.bad].name}, given as bad, is not slower than ${
        versions[options.good].name
      }`,
    );
    return finish({ kind: "bad-not-slower", step: ends });
  }
  notes.push(
    `the last version, ${versions[options.bad].name}, is not slower than ` +
      `${versions[options.good].name}: comparing each version with the last good one`,
  );
  let base = options.good;
  for (let i = options.good + 1; i <= options.bad; i++) {
    const c = i === options.bad && base === options.good ? ends : await compareAt(base, i);
    if (c.verdict === "broken") {
      notes.push(`${versions[i].name} skipped: ${describe(c.failure)}`);
      continue;
    }
    if (c.verdict === "slower") {
      if (i < options.bad) {
        notes.push(
          `a later version is not slower than ${
            versions[options.good].name
          }: the slowdown was recovered`,
        );
      }
      return finish({
        kind: "first-slower",
        firstBad: versions[i].name,
        lastGood: versions[base].name,
        step: c,
        confident: true,
      });
    }
    base = i;
  }
  return finish({ kind: "no-regression", lastGood: versions[base].name, confident: true });
}

/** Options for {@linkcode compareVersions}. */
export interface CompareOptions {
  readonly probe: ProbeCase;
  readonly run: (version: VersionRef, probe: ProbeCase) => Promise<ProbeRun>;
  readonly samples: number;
  readonly threshold: number;
  readonly alpha: number;
  /**
   * Most samples per version when the first batch is borderline (default three times `samples`):
   * a hint of a slowdown that is not yet significant, or a slowdown near the threshold,
   * earns more samples rather than a coin-flip verdict.
   */
  readonly maxSamples?: number;
  /** Which clock the figures use (default `wall`). */
  readonly clock?: Clock;
}

/**
 * Measure two versions interleaved (A B A B …) and judge whether the second is slower.
 *
 * @example
 * ```ts
 * import { compareVersions } from "./perf_search.ts";
 * const fast = { name: "old", folder: "old" };
 * const slow = { name: "new", folder: "new" };
 * let n = 0;
 * const c = await compareVersions(fast, slow, {
 *   probe: { stressor: "mmap", layout: "glibc", seed: 1, ops: 100, verify: false },
 *   samples: 6, threshold: 0.1, alpha: 0.01,
 *   run: (v, p) => Promise.resolve({
 *     spec: { version: v.name, ...p }, outcome: "pass", wallMs: 1,
 *     result: { spec: { version: v.name, ...p }, outcome: "pass", bogoOps: 1, elapsedMs: 1,
 *       opsPerSecond: (v.name === "old" ? 100 : 80) + (n++ % 4), digest: "", layoutVmas: 1 },
 *   }),
 * });
 * console.log(c.verdict, (c.change * 100).toFixed(0)); // slower -20
 * ```
 */
export async function compareVersions(
  baseline: VersionRef,
  candidate: VersionRef,
  options: CompareOptions,
): Promise<Comparison> {
  const old: number[] = [];
  const neu: number[] = [];
  let failure: ProbeRun | undefined;
  const sample = async (rounds: number) => {
    for (let i = 0; i < rounds && failure === undefined; i++) {
      for (const [version, into] of [[baseline, old], [candidate, neu]] as const) {
        const run = await options.run(version, options.probe);
        const figure = throughput(run, options.clock ?? "wall");
        if (figure === undefined) {
          failure = run;
          break;
        }
        into.push(figure);
      }
    }
  };
  await sample(options.samples);
  let verdict = judge(baseline.name, candidate.name, old, neu, options, failure);
  const most = options.maxSamples ?? 3 * options.samples;
  const batch = Math.max(2, Math.ceil(options.samples / 2));
  while (borderline(verdict, options) && old.length < most) {
    await sample(Math.min(batch, most - old.length));
    verdict = judge(baseline.name, candidate.name, old, neu, options, failure);
  }
  return verdict;
}

/**
 * Whether a verdict deserves more samples: not slower, yet either the rank test leans
 * towards a slowdown (p < 0.1) with a change past half the threshold, or it is significant
 * with a change within a fifth of the threshold.
 */
function borderline(c: Comparison, limits: { threshold: number; alpha: number }): boolean {
  if (c.verdict !== "not-slower") return false;
  const leaning = c.p < 0.1 && c.change <= -limits.threshold / 2;
  const nearThreshold = c.p < limits.alpha && c.change <= -limits.threshold * 0.8;
  return leaning || nearThreshold;
}

/**
 * Judge two finished samples; exported for exhaustive tables and tests.
 *
 * @example
 * ```ts
 * import { judge } from "./perf_search.ts";
 * const c = judge("a", "b", [100, 101, 99, 100], [60, 61, 59, 60], { threshold: 0.1, alpha: 0.05 });
 * console.log(c.verdict); // slower
 * ```
 */
export function judge(
  baseline: string,
  candidate: string,
  old: readonly number[],
  neu: readonly number[],
  limits: { readonly threshold: number; readonly alpha: number },
  failure?: ProbeRun,
): Comparison {
  const usable = failure === undefined && old.length > 0 && neu.length > 0;
  const oldSummary = summarize(old);
  const newSummary = summarize(neu);
  const interval = usable
    ? bootstrapMedianRatio(old, neu)
    : { ratio: NaN, low: NaN, high: NaN, level: 0.95 };
  const p = usable ? mannWhitneyU(old, neu, "greater").p : NaN;
  const change = interval.ratio - 1;
  const slower = usable && p < limits.alpha && interval.high < 1 && change <= -limits.threshold;
  return {
    baseline,
    candidate,
    old,
    new: neu,
    oldSummary,
    newSummary,
    change,
    interval,
    p,
    verdict: !usable ? "broken" : slower ? "slower" : "not-slower",
    ...(failure ? { failure } : {}),
  };
}

function describe(run: ProbeRun | undefined): string {
  if (run === undefined) return "no samples";
  const message = run.failure ? `: ${run.failure.message}` : "";
  return `${run.spec.version} ${run.outcome}${message}`;
}
