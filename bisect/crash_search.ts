/**
 * Crash search: the first version on which a probe of the matrix fails the way the bad end
 * fails.
 *
 * The search follows one failure, by its signature (outcome class and top frame; see
 * `signature.ts`): the one seen at the bad end, or any that matches `--signature TEXT`. A
 * version that fails only in some other way is neither good nor bad for that bug (the other
 * failure may stop the probe before the followed bug could show), so it is stepped around
 * like a skip, and every such failure is kept in the verdict with its evidence, so that a
 * second bug met on the way is reported rather than lost or, worse, bisected by mistake.
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
import { exactSignature, type FollowedSignature, signatureOf, textSignature } from "./signature.ts";

/** What one evaluation of a version's whole matrix found. */
export interface VersionVerdict {
  readonly version: string;
  readonly index: number;
  /**
   * `bad` when a probe shows the followed failure; `different` when probes fail, but only in
   * other ways (stepped around like a skip: another bug may hide the one followed); `skip`
   * when the version could not be probed.
   */
  readonly status: "good" | "bad" | "different" | "skip";
  readonly runs: readonly ProbeRun[];
}

/** A failure other than the one followed, met on the way: a second bug is never lost. */
export interface OtherFailure {
  readonly version: string;
  /** Its signature (outcome and top frame). */
  readonly signature: string;
  /** The first run that showed it: the evidence and the command that reproduces it. */
  readonly run: ProbeRun;
  /** Runs on that version that showed it. */
  readonly count: number;
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
   * `first-bad`: found; `no-failure`: no version tested shows the followed failure;
   * `good-fails`: the good endpoint already shows it; `endpoint-skipped`: an endpoint cannot
   * be probed.
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
  /** The failure followed (`null` when nothing failed). */
  readonly signature: string | null;
  /** Whether it is the bad end's failure or the user's `--signature`. */
  readonly signatureOrigin: FollowedSignature["origin"] | null;
  /** Failures other than the followed one, per version and signature, in the order met. */
  readonly otherFailures: readonly OtherFailure[];
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
  /**
   * Follow the failures whose signature or error contains this text (`--signature`); by
   * default the search follows the failure seen at the bad end.
   */
  readonly signature?: string;
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
 * console.log(verdict.firstBad, verdict.lastGood, verdict.signature); // c b hang
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
  const matrixRuns = new Map<number, ProbeRun[]>();
  const known = new Map<number, VersionVerdict>();
  /** Versions stepped around by the halving: they cannot be probed, or fail differently. */
  const skipped = new Set<number>();
  const notes: string[] = [];
  let followed: FollowedSignature | null = options.signature === undefined
    ? null
    : textSignature(options.signature);
  const shows = (run: ProbeRun) => followed !== null && followed.matches(run);

  const run = async (index: number, probe: ProbeCase) => {
    const result = await options.run(versions[index], probe);
    allRuns.push(result);
    return result;
  };
  const probeMatrix = async (index: number): Promise<ProbeRun[]> => {
    const cached = matrixRuns.get(index);
    if (cached) return cached;
    const runs = await Promise.all(matrix.map((probe) => run(index, probe)));
    matrixRuns.set(index, runs);
    return runs;
  };
  /** Until a failure is followed, the first one met is. */
  const follow = (runs: readonly ProbeRun[]) => {
    const first = runs.find(isFailure);
    if (followed === null && first) followed = exactSignature(first);
  };
  const judge = (index: number, runs: readonly ProbeRun[]): VersionVerdict => {
    const cached = known.get(index);
    if (cached) return cached;
    follow(runs);
    const status: VersionVerdict["status"] = runs.every((r) => r.outcome === "skip")
      ? "skip"
      : !runs.some(isFailure)
      ? "good"
      : runs.some(shows)
      ? "bad"
      : "different";
    const verdict: VersionVerdict = { version: versions[index].name, index, runs, status };
    known.set(index, verdict);
    if (status === "skip" || status === "different") skipped.add(index);
    steps.push(verdict);
    options.onStep?.(verdict);
    return verdict;
  };
  const evaluate = async (index: number) => judge(index, await probeMatrix(index));
  const finish = (partial: Partial<CrashVerdict> & Pick<CrashVerdict, "kind">): CrashVerdict => ({
    firstBad: null,
    lastGood: null,
    candidates: [],
    confident: false,
    reproductions: [],
    evidence: null,
    failingProbes: 0,
    matrixSize: matrix.length,
    signature: followed?.label ?? null,
    signatureOrigin: followed?.origin ?? null,
    otherFailures: otherFailures(allRuns, shows),
    steps,
    runs: allRuns,
    notes,
    ...partial,
  });

  // Both endpoints first: the bad end's failure is the one followed, unless one was given.
  const goodRuns = await probeMatrix(options.good);
  if (goodRuns.every((r) => r.outcome === "skip")) {
    const goodEnd = judge(options.good, goodRuns);
    return finish({ kind: "endpoint-skipped", notes: [...notes, skipNote(goodEnd, "good")] });
  }
  const badRuns = await probeMatrix(options.bad);
  follow(badRuns);
  const goodEnd = judge(options.good, goodRuns);
  const badEnd = judge(options.bad, badRuns);
  if (badEnd.status === "skip") {
    return finish({ kind: "endpoint-skipped", notes: [...notes, skipNote(badEnd, "bad")] });
  }
  if (goodEnd.status === "bad") {
    return finish({
      kind: "good-fails",
      firstBad: goodEnd.version,
      evidence: goodEnd.runs.find(shows) ?? null,
      failingProbes: goodEnd.runs.filter(shows).length,
      confident: true,
    });
  }
  if (goodEnd.status === "different") {
    notes.push(
      `the good endpoint ${goodEnd.version} fails differently (${
        signaturesOf(goodEnd.runs)
      }), not with ${followed!.label}: it stays the good end`,
    );
  }

  let lo = options.good;
  let hi = options.bad;
  if (badEnd.status !== "bad") {
    const how = badEnd.status === "good"
      ? "passes every probe"
      : `fails differently (${signaturesOf(badEnd.runs)})`;
    if (options.badGiven) {
      notes.push(`${badEnd.version}, given as bad, ${how}`);
      return finish({ kind: "no-failure", lastGood: badEnd.version, confident: true });
    }
    notes.push(
      `the last version, ${badEnd.version}, ${how}: walking forward from ${goodEnd.version} ` +
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
    notes.push(
      badEnd.status === "good"
        ? `${badEnd.version} passes again: the failure was fixed after ${versions[hi].name}`
        : `${badEnd.version} does not show it: the failure was fixed, or is hidden by the ` +
          `other one, after ${versions[hi].name}`,
    );
  }

  // Halve, then confirm the boundary; a confirmation that catches the last good version
  // failing moves the bad end left and halves again.
  for (let round = 0; round < versions.length + 1; round++) {
    lo = lastGoodBefore(known, hi) ?? lo;
    ({ lo, hi } = await narrowBoundary(
      { lo, hi },
      async (index) => {
        const status = (await evaluate(index)).status;
        return status === "good" || status === "bad" ? status : "skip";
      },
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
    const between = skippedBetween(skipped, lo, hi);
    const named = (status: VersionVerdict["status"]) =>
      between.filter((i) => known.get(i)?.status === status).map((i) => versions[i].name);
    const badStep = known.get(hi)!;
    const failing = badStep.runs.filter(shows);
    const sureOfGood = boundary.reproductions.length > 0 &&
      boundary.reproductions.some((r) =>
        (1 - r.fails / r.runs) ** r.goodRuns <= 1 - confidence + 1e-12
      );
    if (between.length > 0) {
      const candidates = [...between.map((i) => versions[i].name), versions[hi].name];
      const why = [
        ...(named("skip").length > 0 ? [`${named("skip").join(", ")} could not be probed`] : []),
        ...(named("different").length > 0
          ? [`${named("different").join(", ")} fail(s) differently, which may hide it`]
          : []),
      ];
      notes.push(`${why.join("; ")}: the first bad version is one of ${candidates.join(", ")}`);
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
      candidates: between.length > 0
        ? [...between.map((i) => versions[i].name), versions[hi].name]
        : [],
      confident: sureOfGood && between.length === 0,
      reproductions: boundary.reproductions,
      evidence: failing[0] ?? null,
      failingProbes: failing.length,
    });
  }
  throw new Error("crash search did not converge"); // unreachable: each round moves hi left

  /** Repeat the probes that show the followed failure on `bad`, and the same on `good`. */
  async function confirm(bad: number, good: number): Promise<{
    reproductions: Reproduction[];
    goodFailed: { caseIndex: number; run: ProbeRun } | null;
  }> {
    const badRuns = known.get(bad)!.runs;
    const failingCases = matrix
      .map((probe, caseIndex) => ({ probe, caseIndex, first: badRuns[caseIndex] }))
      .filter((c) => c.first !== undefined && shows(c.first))
      .slice(0, boundaryProbes);
    const reproductions: Reproduction[] = [];
    for (const c of failingCases) {
      const again = await Promise.all(Array.from({ length: repeats - 1 }, () => run(bad, c.probe)));
      const fails = 1 + again.filter(shows).length;
      const needed = goodRunsNeeded(fails / repeats, confidence, maxGoodRuns);
      let goodDone = 1; // the matrix already ran it once, without the followed failure
      let failed: ProbeRun | null = null;
      while (goodDone < needed && failed === null) {
        const again = await run(good, c.probe);
        goodDone++;
        if (shows(again)) failed = again;
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

/**
 * The failing runs that do not show the followed failure, grouped by version and signature
 * in the order they were met.
 *
 * @example
 * ```ts
 * import { otherFailures } from "./crash_search.ts";
 * const spec = { version: "b", stressor: "fork" as const, layout: "glibc", seed: 1, ops: 1, verify: true };
 * const runs = [{ spec, outcome: "wrong" as const, wallMs: 1 }, { spec, outcome: "crash" as const, wallMs: 1 }];
 * console.log(otherFailures(runs, (r) => r.outcome === "crash").map((o) => o.signature)); // ["wrong"]
 * ```
 */
export function otherFailures(
  runs: readonly ProbeRun[],
  shows: (run: ProbeRun) => boolean,
): OtherFailure[] {
  const found = new Map<string, { run: ProbeRun; signature: string; count: number }>();
  for (const run of runs) {
    if (!isFailure(run) || shows(run)) continue;
    const signature = signatureOf(run.outcome, run.failure);
    const key = `${run.spec.version}\u0000${signature}`;
    const entry = found.get(key);
    if (entry) entry.count++;
    else found.set(key, { run, signature, count: 1 });
  }
  return [...found.values()].map((e) => ({
    version: e.run.spec.version,
    signature: e.signature,
    run: e.run,
    count: e.count,
  }));
}

/** The distinct signatures of a version's failing runs, e.g. `wrong, crash split (split.ts)`. */
function signaturesOf(runs: readonly ProbeRun[]): string {
  return [...new Set(runs.filter(isFailure).map((r) => signatureOf(r.outcome, r.failure)))]
    .join(", ");
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
