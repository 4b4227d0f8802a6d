/**
 * Crash search: the first version on which any probe of the matrix fails.
 *
 * Like `git bisect`, it checks the endpoints first, then halves the range between the last
 * known good and the first known bad version. A version that cannot be probed (it does not
 * type-check or load) is stepped around as `git bisect skip` does: the next candidate is the
 * untested version nearest the middle, and if skipped versions remain right before the first
 * bad one, the answer names them all instead of guessing.
 *
 * When the last version passes (the bug was fixed later, as in the bundled history) and the
 * user did not name a bad version, there is nothing to halve: the search walks forward from
 * the good end to the first failing version instead.
 *
 * At the boundary, failing probes are repeated to measure how often they reproduce (the
 * robot's `fails:runs`), and the last good version runs the same probes until a failure that
 * reproduces at that rate would have shown up with the requested confidence. If it does show
 * up, that version was bad after all and the search goes on to its left.
 *
 * @example
 * ```ts
 * import { crashSearch } from "./crash_search.ts";
 * const versions = ["a", "b", "c", "d"].map((name) => ({ name, folder: name }));
 * const verdict = await crashSearch({
 *   versions, good: 0, bad: 3, badGiven: true,
 *   matrix: [{ stressor: "fork", layout: "cat-self", seed: 1, ops: 10, verify: true }],
 *   run: (version, probe) => Promise.resolve({
 *     spec: { version: version.name, ...probe },
 *     outcome: version.name >= "c" ? "crash" : "pass", wallMs: 1,
 *   }),
 * });
 * console.log(verdict.kind, verdict.firstBad); // first-bad c
 * ```
 *
 * @module
 */

import { narrowBoundary, type SearchRange } from "./boundary_search.ts";
import type { ProbeCase, ProbeRun, VersionRef } from "./runner.ts";

/** What one evaluation of a version's whole matrix found. */
export interface VersionVerdict {
  readonly version: string;
  readonly index: number;
  /** `bad` when any probe failed; `skip` when the version could not be probed. */
  readonly status: "good" | "bad" | "skip";
  readonly runs: readonly ProbeRun[];
}

/** How often one failing probe reproduced. */
export interface Reproduction {
  readonly probe: ProbeCase;
  /** Failing runs and runs on the first bad version. */
  readonly fails: number;
  readonly runs: number;
  /** The same probe on the last good version. */
  readonly goodFails: number;
  readonly goodRuns: number;
}

/** The search's answer. */
export interface CrashVerdict {
  /**
   * `first-bad`: found; `no-failure`: every version tested passes; `good-fails`: the good
   * endpoint already fails; `endpoint-skipped`: an endpoint cannot be probed.
   */
  readonly kind: "first-bad" | "no-failure" | "good-fails" | "endpoint-skipped";
  readonly firstBad: string | null;
  readonly lastGood: string | null;
  /** When skipped versions sit right before the first bad one: all of them, then it. */
  readonly candidates: readonly string[];
  /** Whether the boundary is certain at the requested confidence and not ambiguous. */
  readonly confident: boolean;
  /** Failing probes of the first bad version, with their reproduction rates. */
  readonly reproductions: readonly Reproduction[];
  /** The first failing probe run on the first bad version (the evidence to show). */
  readonly evidence: ProbeRun | null;
  /** Probes of the first bad version's matrix that failed, and the matrix size. */
  readonly failingProbes: number;
  readonly matrixSize: number;
  /** Every evaluation, in the order it happened. */
  readonly steps: readonly VersionVerdict[];
  /** Every probe run, repeats included. */
  readonly runs: readonly ProbeRun[];
  /** Remarks a person should read (scan mode, a later fix, a shaky boundary). */
  readonly notes: readonly string[];
}

/** Inputs of {@linkcode crashSearch}: the range, the probes and how to run them. */
export interface CrashSearchOptions extends SearchRange {
  /** The probes every version runs. */
  readonly matrix: readonly ProbeCase[];
  /** Runs one probe (a {@linkcode ProbeRunner}'s `run`). */
  readonly run: (version: VersionRef, probe: ProbeCase) => Promise<ProbeRun>;
  /** Runs of each failing probe on the first bad version (default 5). */
  readonly repeats?: number;
  /** Most runs of each failing probe on the last good version (default 20). */
  readonly maxGoodRuns?: number;
  /** Confidence wanted that the last good version does not fail the same way (default 0.95). */
  readonly confidence?: number;
  /** Failing probes to measure at the boundary (default 3). */
  readonly boundaryProbes?: number;
  /** Called when a version's verdict is known, e.g. to log the step. */
  readonly onStep?: (step: VersionVerdict) => void;
}

/**
 * Whether an outcome counts against the version.
 *
 * @example
 * ```ts
 * import { isFailure } from "./crash_search.ts";
 * const spec = { version: "v1", stressor: "fork" as const, layout: "glibc", seed: 1, ops: 1, verify: true };
 * console.log(isFailure({ spec, outcome: "skip", wallMs: 0 })); // false
 * ```
 */
export function isFailure(run: ProbeRun): boolean {
  return run.outcome !== "pass" && run.outcome !== "skip";
}

/**
 * Find the first failing version; see the module documentation.
 *
 * @example
 * ```ts
 * import { crashSearch } from "./crash_search.ts";
 * const versions = ["a", "b", "c"].map((name) => ({ name, folder: name }));
 * const verdict = await crashSearch({
 *   versions, good: 0, bad: 2, badGiven: true,
 *   matrix: [{ stressor: "fork", layout: "glibc", seed: 1, ops: 5, verify: true }],
 *   run: (v, p) => Promise.resolve({ spec: { version: v.name, ...p }, outcome: v.name === "c" ? "hang" : "pass", wallMs: 1 }),
 * });
 * console.log(verdict.firstBad, verdict.lastGood); // c b
 * ```
 */
export async function crashSearch(options: CrashSearchOptions): Promise<CrashVerdict> {
  const { versions, matrix } = options;
  const repeats = Math.max(1, options.repeats ?? 5);
  const maxGoodRuns = Math.max(1, options.maxGoodRuns ?? 20);
  const confidence = options.confidence ?? 0.95;
  const boundaryProbes = Math.max(1, options.boundaryProbes ?? 3);
  const steps: VersionVerdict[] = [];
  const allRuns: ProbeRun[] = [];
  const known = new Map<number, VersionVerdict>();
  /** Versions that cannot be probed, stepped around by the halving. */
  const skipped = new Set<number>();
  const notes: string[] = [];

  const run = async (index: number, probe: ProbeCase) => {
    const result = await options.run(versions[index], probe);
    allRuns.push(result);
    return result;
  };
  const evaluate = async (index: number): Promise<VersionVerdict> => {
    const cached = known.get(index);
    if (cached) return cached;
    const runs = await Promise.all(matrix.map((probe) => run(index, probe)));
    const verdict: VersionVerdict = {
      version: versions[index].name,
      index,
      runs,
      status: runs.every((r) => r.outcome === "skip")
        ? "skip"
        : runs.some(isFailure)
        ? "bad"
        : "good",
    };
    known.set(index, verdict);
    if (verdict.status === "skip") skipped.add(index);
    steps.push(verdict);
    options.onStep?.(verdict);
    return verdict;
  };
  const finish = (partial: Partial<CrashVerdict> & Pick<CrashVerdict, "kind">): CrashVerdict => ({
    firstBad: null,
    lastGood: null,
    candidates: [],
    confident: false,
    reproductions: [],
    evidence: null,
    failingProbes: 0,
    matrixSize: matrix.length,
    steps,
    runs: allRuns,
    notes,
    ...partial,
  });

  const goodEnd = await evaluate(options.good);
  if (goodEnd.status === "skip") {
    return finish({ kind: "endpoint-skipped", notes: [...notes, skipNote(goodEnd, "good")] });
  }
  if (goodEnd.status === "bad") {
    return finish({
      kind: "good-fails",
      firstBad: goodEnd.version,
      evidence: goodEnd.runs.find(isFailure) ?? null,
      failingProbes: goodEnd.runs.filter(isFailure).length,
      confident: true,
    });
  }
  const badEnd = await evaluate(options.bad);
  if (badEnd.status === "skip") {
    return finish({ kind: "endpoint-skipped", notes: [...notes, skipNote(badEnd, "bad")] });
  }

  let lo = options.good;
  let hi = options.bad;
  if (badEnd.status === "good") {
    if (options.badGiven) {
      notes.push(`${badEnd.version}, given as bad, passes every probe`);
      return finish({ kind: "no-failure", lastGood: badEnd.version, confident: true });
    }
    notes.push(
      `the last version, ${badEnd.version}, passes: walking forward from ${goodEnd.version} ` +
        `to the first failing version`,
    );
    let found = -1;
    for (let i = options.good + 1; i < options.bad; i++) {
      const step = await evaluate(i);
      if (step.status === "bad") {
        found = i;
        break;
      }
    }
    if (found < 0) {
      return finish({ kind: "no-failure", lastGood: badEnd.version, confident: true });
    }
    hi = found;
    notes.push(`${badEnd.version} passes again: the failure was fixed after ${versions[hi].name}`);
  }

  // Halve, then confirm the boundary; a confirmation that catches the last good version
  // failing moves the bad end left and halves again.
  for (let round = 0; round < versions.length + 1; round++) {
    lo = lastGoodBefore(known, hi) ?? lo;
    ({ lo, hi } = await narrowBoundary(
      { lo, hi },
      async (index) => (await evaluate(index)).status,
      skipped,
    ));
    const boundary = await confirm(hi, lo);
    if (boundary.goodFailed) {
      // Keep the failing repeat in the matrix slot it belongs to, so the version reads as bad.
      const passedOnce = known.get(lo)!;
      const runs = [...passedOnce.runs];
      runs[boundary.goodFailed.caseIndex] = boundary.goodFailed.run;
      known.set(lo, { ...passedOnce, runs, status: "bad" });
      notes.push(
        `${versions[lo].name} passed the matrix once but failed on a repeat: it is bad too`,
      );
      if (lo === options.good) {
        return finish({
          kind: "good-fails",
          firstBad: versions[lo].name,
          evidence: boundary.goodFailed.run,
          reproductions: boundary.reproductions,
          confident: false,
        });
      }
      hi = lo;
      continue;
    }
    const between = skippedBetween(skipped, lo, hi).map((i) => versions[i].name);
    const badStep = known.get(hi)!;
    const failing = badStep.runs.filter(isFailure);
    const sureOfGood = boundary.reproductions.length > 0 &&
      boundary.reproductions.some((r) =>
        (1 - r.fails / r.runs) ** r.goodRuns <= 1 - confidence + 1e-12
      );
    if (between.length > 0) {
      notes.push(
        `${between.join(", ")} could not be probed: the first bad version is one of ` +
          `${[...between, versions[hi].name].join(", ")}`,
      );
    }
    if (!sureOfGood) {
      notes.push(
        `not confident: the failure reproduces too rarely to clear ${versions[lo].name} ` +
          `within ${maxGoodRuns} runs`,
      );
    }
    return finish({
      kind: "first-bad",
      firstBad: versions[hi].name,
      lastGood: versions[lo].name,
      candidates: between.length > 0 ? [...between, versions[hi].name] : [],
      confident: sureOfGood && between.length === 0,
      reproductions: boundary.reproductions,
      evidence: failing[0] ?? null,
      failingProbes: failing.length,
    });
  }
  throw new Error("crash search did not converge"); // unreachable: each round moves hi left

  /** Repeat the failing probes on `bad` and the same probes on `good`. */
  async function confirm(bad: number, good: number): Promise<{
    reproductions: Reproduction[];
    goodFailed: { caseIndex: number; run: ProbeRun } | null;
  }> {
    const badRuns = known.get(bad)!.runs;
    const failingCases = matrix
      .map((probe, caseIndex) => ({ probe, caseIndex, first: badRuns[caseIndex] }))
      .filter((c) => c.first !== undefined && isFailure(c.first))
      .slice(0, boundaryProbes);
    const reproductions: Reproduction[] = [];
    for (const c of failingCases) {
      const again = await Promise.all(Array.from({ length: repeats - 1 }, () => run(bad, c.probe)));
      const fails = 1 + again.filter(isFailure).length;
      const needed = goodRunsNeeded(fails / repeats, confidence, maxGoodRuns);
      let goodDone = 1; // the matrix already ran it once, and it passed
      let failed: ProbeRun | null = null;
      while (goodDone < needed && failed === null) {
        const again = await run(good, c.probe);
        goodDone++;
        if (isFailure(again)) failed = again;
      }
      reproductions.push({
        probe: c.probe,
        fails,
        runs: repeats,
        goodFails: failed ? 1 : 0,
        goodRuns: goodDone,
      });
      if (failed) return { reproductions, goodFailed: { caseIndex: c.caseIndex, run: failed } };
    }
    return { reproductions, goodFailed: null };
  }
}

/**
 * Runs of a probe needed on a version to say, with `confidence`, that it does not fail at
 * `rate`: the smallest m with (1 - rate)^m <= 1 - confidence, capped at `cap`.
 *
 * @example
 * ```ts
 * import { goodRunsNeeded } from "./crash_search.ts";
 * console.log(goodRunsNeeded(1, 0.95, 20), goodRunsNeeded(0.5, 0.95, 20)); // 1 5
 * ```
 */
export function goodRunsNeeded(rate: number, confidence: number, cap: number): number {
  if (rate >= 1) return 1;
  if (rate <= 0) return cap;
  const m = Math.ceil(Math.log(1 - confidence) / Math.log(1 - rate) - 1e-9);
  return Math.max(1, Math.min(cap, m));
}

/** The highest index below `hi` known to be good. */
function lastGoodBefore(
  known: ReadonlyMap<number, VersionVerdict>,
  hi: number,
): number | undefined {
  let best: number | undefined;
  for (const [i, v] of known) {
    if (i < hi && v.status === "good" && (best === undefined || i > best)) best = i;
  }
  return best;
}

/** The skipped indices strictly between lo and hi, oldest first. */
function skippedBetween(skipped: ReadonlySet<number>, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo + 1; i < hi; i++) if (skipped.has(i)) out.push(i);
  return out;
}

function skipNote(step: VersionVerdict, end: "good" | "bad"): string {
  const reason = step.runs[0]?.skipReason ?? "it cannot be probed";
  return `the ${end} endpoint ${step.version} cannot be probed: ${reason}`;
}
