/**
 * One bisect session: the crash search, the performance search or the exhaustive matrix over
 * a list of versions, with runners, limits and a progress estimate wired together.
 *
 * It returns plain data ({@linkcode BisectReport}); printing it (`report.ts`) and keeping it
 * (`record.ts`) are separate concerns.
 *
 * @example
 * ```ts
 * import { runBisect } from "./session.ts";
 * const versions = ["good-a", "good-b", "throws"].map((name) => ({
 *   name, folder: `bisect/fixtures/versions/${name}`,
 * }));
 * const report = await runBisect({
 *   versions, good: 0, bad: 2, badGiven: true, modes: ["crash"], exhaustive: false,
 *   crashMatrix: [{ stressor: "fork", layout: "cat-self", seed: 1, ops: 5, verify: true }],
 *   perfProbe: { stressor: "mmap", layout: "glibc", seed: 1, ops: 50, verify: false },
 * });
 * console.log(report.crash?.firstBad); // "throws"
 * ```
 *
 * @module
 */

import { type CommitInfo, type GitPlace, materialiseStats } from "../core/loader.ts";
import { crashSearch, type CrashVerdict } from "./crash_search.ts";
import { exhaustive, type ExhaustiveResult } from "./exhaustive.ts";
import { DEFAULT_SAMPLES, perfSearch, type PerfVerdict } from "./perf_search.ts";
import type { Replay } from "./journal.ts";
import {
  Interrupted,
  type ProbeCase,
  type ProbeLimits,
  type ProbeRun,
  ProbeRunner,
  type VersionRef,
} from "./runner.ts";
import type { Clock } from "./throughput.ts";
import { VersionChecker } from "./version_check.ts";
import { ownsCell } from "./shard.ts";

/** A version with what the manifest (or git) says about it. */
export interface VersionInfo extends VersionRef {
  readonly summary?: string;
  readonly hash?: string | null;
  readonly date?: string;
  /** For a version from git: its commit (the summary is its subject, the date its author date). */
  readonly commit?: CommitInfo;
}

/** The searches a session can run. */
export type Mode = "crash" | "perf";

/** Everything a session needs; the command line builds it. */
export interface BisectPlan {
  /** Versions, oldest first. */
  readonly versions: readonly VersionInfo[];
  /** The manifest they came from, when not the bundled one (for reproducing commands). */
  readonly manifestPath?: string;
  /** The git range they came from (`--git`), for reproducing commands. */
  readonly git?: GitRange;
  /**
   * The failure the crash search follows: failures whose signature or error contains this
   * text (`--signature`); by default the failure seen at the bad end.
   */
  readonly signature?: string;
  /** Index of the good endpoint. */
  readonly good: number;
  /** Index of the bad endpoint. */
  readonly bad: number;
  /** Whether the user named the bad endpoint (else a passing last version means: walk forward). */
  readonly badGiven: boolean;
  readonly modes: readonly Mode[];
  /** Run every version and tabulate instead of searching. */
  readonly exhaustive: boolean;
  /**
   * With `exhaustive`: run only shard K of N of the crash matrix (`--shard K/N`, K from 1;
   * see `bisect/shard.ts`).
   */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Probes of the crash matrix. */
  readonly crashMatrix: readonly ProbeCase[];
  /** The workload the performance search measures. */
  readonly perfProbe: ProbeCase;
  /** Limits of a crash probe (default 20 s, 256 MB). */
  readonly crashLimits?: ProbeLimits;
  /** Limits of a performance sample (default 30 s, 512 MB). */
  readonly perfLimits?: ProbeLimits;
  /** Crash probes at once (default 2); performance samples always run one at a time. */
  readonly concurrency?: number;
  /** Samples per version per comparison (default 10). */
  readonly samples?: number;
  /** Slowdown that counts, as a fraction (default 0.10). */
  readonly threshold?: number;
  /** Significance level (default 0.01). */
  readonly alpha?: number;
  /** Runs of a failing probe at the boundary (default 5). */
  readonly repeats?: number;
  /** Confidence wanted at the boundary (default 0.95). */
  readonly confidence?: number;
  /** Performance figures per second of CPU time (default) or of wall time. */
  readonly clock?: Clock;
  /** Probe entry point for every child (default `workloads/probe_main.ts`; performance
   * samples ask it for its timed mode in their spec). */
  readonly probeEntry?: string;
  /** Called after every probe. */
  readonly onProgress?: (progress: Progress) => void;
  /** Called with every probe that finished in this session (not replayed): the journal. */
  readonly onFinished?: (run: ProbeRun) => void;
  /** Finished probes of an interrupted run to reuse: crash probes, and performance samples
   * only when they were measured on this machine. */
  readonly replay?: { readonly crash?: Replay; readonly perf?: Replay };
  /** Aborted (with the signal's name as reason) when the run is to stop. */
  readonly signal?: AbortSignal;
}

/** Where a `--git` history came from. */
export interface GitRange {
  /** `GOOD..BAD` as given. */
  readonly range: string;
  /** The repository and version folder (see `core/loader.ts`). */
  readonly place: GitPlace;
  /** Whether the place is the default one (the suite's checkout, `core/head`). */
  readonly defaultPlace: boolean;
}

/** Where a session is. */
export interface Progress {
  readonly mode: Mode | "exhaustive";
  /** Probes finished in the whole session. */
  readonly done: number;
  /** The estimated total for the session (grows when a search takes more than expected). */
  readonly estimate: number;
  readonly elapsedMs: number;
}

/** What a session found. */
export interface BisectReport {
  readonly plan: BisectPlan;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly wallMs: number;
  readonly probesRun: number;
  /** Probes taken from the journal of an interrupted run instead of being run. */
  readonly probesReused?: number;
  /** Set when a signal stopped the session: the verdicts it had not reached are missing. */
  readonly interrupted?: { readonly signal: string; readonly mode: Mode | "exhaustive" };
  readonly crash?: CrashVerdict;
  readonly perf?: PerfVerdict;
  readonly exhaustive?: ExhaustiveResult;
  /** Commits of a git history put on disk by this session, and those found already there. */
  readonly materialised?: { readonly made: number; readonly reused: number; readonly dir: string };
}

/** Default limits: generous for real versions, far below what a runaway child would take. */
export const DEFAULT_CRASH_LIMITS: ProbeLimits = { timeMs: 20_000, memoryMb: 256 };
/** Default limits of one performance sample. */
export const DEFAULT_PERF_LIMITS: ProbeLimits = { timeMs: 30_000, memoryMb: 512 };

/**
 * Run the plan; see the module documentation.
 *
 * @example
 * ```ts
 * import { buildPlan } from "./plan.ts";
 * import { runBisect } from "./session.ts";
 * const report = await runBisect(buildPlan({ mode: "crash", layouts: ["cat-self"], seeds: ["1"] }));
 * console.log(report.crash?.kind, report.probesRun);
 * ```
 */
export async function runBisect(plan: BisectPlan): Promise<BisectReport> {
  const startedAt = new Date();
  const started = performance.now();
  const gitBefore = materialiseStats();
  const crashLimits = plan.crashLimits ?? DEFAULT_CRASH_LIMITS;
  const perfLimits = plan.perfLimits ?? DEFAULT_PERF_LIMITS;
  const checker = new VersionChecker({ limits: crashLimits });
  const samples = plan.samples ?? DEFAULT_SAMPLES;
  const estimates = estimateProbes(plan, samples);
  let mode: Progress["mode"] = plan.exhaustive ? "exhaustive" : plan.modes[0] ?? "crash";
  let done = 0;
  const onProbe = () => {
    done++;
    plan.onProgress?.({
      mode,
      done,
      estimate: Math.max(estimates.total, done + 1),
      elapsedMs: performance.now() - started,
    });
  };
  const crashRunner = new ProbeRunner({
    limits: crashLimits,
    concurrency: plan.concurrency ?? 2,
    checker,
    onProbe,
    ...(plan.probeEntry ? { probeEntry: plan.probeEntry } : {}),
    ...(plan.replay?.crash ? { replay: plan.replay.crash } : {}),
    ...(plan.onFinished ? { onFinished: plan.onFinished } : {}),
    ...(plan.signal ? { signal: plan.signal } : {}),
  });
  const perfRunner = new ProbeRunner({
    limits: perfLimits,
    concurrency: 1,
    checker,
    onProbe,
    ...(plan.probeEntry ? { probeEntry: plan.probeEntry } : {}),
    ...(plan.replay?.perf ? { replay: plan.replay.perf } : {}),
    ...(plan.onFinished ? { onFinished: plan.onFinished } : {}),
    ...(plan.signal ? { signal: plan.signal } : {}),
  });
  const clock = plan.clock ?? "cpu";

  let crash: CrashVerdict | undefined;
  let perf: PerfVerdict | undefined;
  let table: ExhaustiveResult | undefined;
  let interrupted: BisectReport["interrupted"];
  try {
    if (plan.exhaustive) {
      table = await exhaustive({
        versions: plan.versions.slice(plan.good, plan.bad + 1),
        crashMatrix: plan.modes.includes("crash") ? plan.crashMatrix : [],
        perfProbe: plan.modes.includes("perf") ? plan.perfProbe : undefined,
        samples,
        threshold: plan.threshold ?? 0.10,
        alpha: plan.alpha ?? 0.01,
        clock,
        crashRun: (v, p) => crashRunner.run(v, p),
        perfRun: (v, p) => perfRunner.run(v, p),
        ...(plan.shard ? { shard: plan.shard } : {}),
      });
    } else {
      for (const m of plan.modes) {
        mode = m;
        if (m === "crash") {
          crash = await crashSearch({
            versions: plan.versions,
            good: plan.good,
            bad: plan.bad,
            badGiven: plan.badGiven,
            matrix: plan.crashMatrix,
            run: (v, p) => crashRunner.run(v, p),
            ...(plan.signature !== undefined ? { signature: plan.signature } : {}),
            ...(plan.repeats !== undefined ? { repeats: plan.repeats } : {}),
            ...(plan.confidence !== undefined ? { confidence: plan.confidence } : {}),
          });
        } else {
          perf = await perfSearch({
            versions: plan.versions,
            good: plan.good,
            bad: plan.bad,
            badGiven: plan.badGiven,
            probe: plan.perfProbe,
            run: (v, p) => perfRunner.run(v, p),
            samples,
            clock,
            ...(plan.threshold !== undefined ? { threshold: plan.threshold } : {}),
            ...(plan.alpha !== undefined ? { alpha: plan.alpha } : {}),
          });
        }
      }
    }
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    interrupted = { signal: error.signal, mode };
  }
  const endedAt = new Date();
  const reused = (plan.replay?.crash?.reused ?? 0) + (plan.replay?.perf?.reused ?? 0);
  const before = new Set([...gitBefore.made, ...gitBefore.reused]);
  const gitAfter = materialiseStats();
  const fromGit = plan.versions.some((v) => v.materialise !== undefined);
  return {
    plan,
    startedAt,
    endedAt,
    wallMs: performance.now() - started,
    probesRun: done,
    ...(plan.replay ? { probesReused: reused } : {}),
    ...(interrupted ? { interrupted } : {}),
    ...(crash ? { crash } : {}),
    ...(perf ? { perf } : {}),
    ...(table ? { exhaustive: table } : {}),
    ...(fromGit
      ? {
        materialised: {
          made: gitAfter.made.filter((k) => !before.has(k)).length,
          reused: gitAfter.reused.filter((k) => !before.has(k)).length,
          dir: gitAfter.dir,
        },
      }
      : {}),
  };
}

/**
 * A rough count of the probes a plan will run, for the progress line: the endpoints, the
 * halving steps, and the repeats at the boundary; a forward walk may take more.
 *
 * @example
 * ```ts
 * import { estimateProbes } from "./session.ts";
 * const plan = {
 *   versions: Array.from({ length: 9 }, (_, i) => ({ name: `v${i}`, folder: `v${i}` })),
 *   good: 0, bad: 8, badGiven: false, modes: ["crash"] as const, exhaustive: false,
 *   crashMatrix: [{ stressor: "fork" as const, layout: "glibc", seed: 1, ops: 5, verify: true }],
 *   perfProbe: { stressor: "mmap" as const, layout: "glibc", seed: 1, ops: 50, verify: false },
 * };
 * console.log(estimateProbes(plan, 8).total); // 2 + 3 halvings + 5 repeats + 1 = 11
 * ```
 */
export function estimateProbes(plan: BisectPlan, samples: number): { total: number } {
  const span = plan.bad - plan.good + 1;
  const halvings = Math.ceil(Math.log2(Math.max(1, span - 1)));
  let total = 0;
  if (plan.exhaustive) {
    if (plan.modes.includes("crash")) {
      total += shardCells(span, plan.crashMatrix.length, plan.shard);
    }
    if (plan.modes.includes("perf")) total += span * samples;
    return { total };
  }
  if (plan.modes.includes("crash")) {
    total += (2 + halvings) * plan.crashMatrix.length + (plan.repeats ?? 5) + 1;
  }
  if (plan.modes.includes("perf")) total += (2 + halvings) * 2 * samples;
  return { total };
}

/**
 * How many cells of a `rows` × `columns` grid a shard runs (all of them without a shard).
 *
 * @example
 * ```ts
 * import { shardCells } from "./session.ts";
 * console.log(shardCells(7, 16, { index: 1, count: 3 }), shardCells(7, 16)); // 38 112
 * ```
 */
export function shardCells(
  rows: number,
  columns: number,
  shard?: { readonly index: number; readonly count: number },
): number {
  if (!shard) return rows * columns;
  let owned = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) if (ownsCell(shard, r, c)) owned++;
  }
  return owned;
}
