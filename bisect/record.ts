/**
 * A bisect session as a results record: every probe with its outcome and evidence, every
 * performance sample, and the verdicts with what supports them. The record's envelope and
 * store live in `results/`; this module only fills in the bisect's part.
 *
 * @example
 * ```ts
 * import { recordInput } from "./record.ts";
 * import { buildRecord } from "../results/record.ts";
 * function usage(report: import("./session.ts").BisectReport): void {
 *   const record = buildRecord(recordInput(report));
 *   console.log(record.kind, record.body.probes.length);
 * }
 * ```
 *
 * @module
 */

import type {
  BisectRecord,
  CommitRef,
  JsonValue,
  ProbeEntry,
  RecordInput,
  SampleSet,
  ShardInfo,
  Verdict,
} from "../results/record.ts";
import type { CommitInfo } from "../core/loader.ts";
import type { ProbeSpec } from "../workloads/probe_types.ts";
import type { CrashVerdict } from "./crash_search.ts";
import type { ExhaustiveResult } from "./exhaustive.ts";
import { type Comparison, DEFAULT_SAMPLES, type PerfVerdict } from "./perf_search.ts";
import { reproduceCommand, reproduceLine } from "./report.ts";
import type { ProbeCase, ProbeRun } from "./runner.ts";
import type { BisectReport } from "./session.ts";
import { type Clock, throughput } from "./throughput.ts";

/**
 * The record input for {@linkcode buildRecord} from `results/record.ts`. A shard's record
 * (`--shard K/N`) carries `shard`, what `deno task merge` checks and joins by.
 *
 * @example
 * ```ts
 * import { recordInput } from "./record.ts";
 * function usage(report: import("./session.ts").BisectReport): void {
 *   console.log(recordInput(report).body.probes.length);
 * }
 * ```
 */
export function recordInput(
  report: BisectReport,
  extra: { readonly shard?: ShardInfo } = {},
): RecordInput<"bisect"> {
  const plan = report.plan;
  const runs = [
    ...(report.crash?.runs ?? []),
    ...(report.perf?.runs ?? []),
    ...(report.exhaustive?.runs ?? []),
  ];
  const mode = plan.exhaustive ? "exhaustive" : plan.modes.join("+");
  const verdicts: Verdict[] = [];
  const info = new Map(plan.versions.map((v) => [v.name, v]));
  // A commit's command names it as git:<sha>, after the repository when not the default.
  const reproduce = (spec: ProbeSpec) =>
    info.get(spec.version)?.commit ? reproduceLine(spec, info, plan) : reproduceCommand(spec);
  if (report.crash) verdicts.push(crashVerdict(report.crash, reproduce));
  if (report.perf) verdicts.push(perfVerdict(report.perf));
  const seeds = [...new Set([...plan.crashMatrix.map((p) => p.seed), plan.perfProbe.seed])];
  return {
    kind: "bisect",
    startedAt: report.startedAt,
    endedAt: report.endedAt,
    versions: plan.versions.slice(plan.good, plan.bad + 1).map((v) => ({
      name: v.name,
      hash: v.hash ?? null,
      ...(v.summary ? { summary: v.summary } : {}),
      ...(v.commit ? { commit: commitRef(v.commit) } : {}),
    })),
    parameters: {
      mode,
      good: plan.versions[plan.good].name,
      bad: plan.versions[plan.bad].name,
      badGiven: plan.badGiven,
      crashMatrix: plan.crashMatrix.map(caseJson),
      perfProbe: caseJson(plan.perfProbe),
      crashLimits: { ...(plan.crashLimits ?? { timeMs: 20_000, memoryMb: 256 }) },
      perfLimits: { ...(plan.perfLimits ?? { timeMs: 30_000, memoryMb: 512 }) },
      samples: plan.samples ?? DEFAULT_SAMPLES,
      threshold: plan.threshold ?? 0.1,
      alpha: plan.alpha ?? 0.01,
      repeats: plan.repeats ?? 5,
      confidence: plan.confidence ?? 0.95,
      clock: plan.clock ?? "cpu",
      wallMs: Math.round(report.wallMs),
      probesRun: report.probesRun,
      ...(plan.signature !== undefined ? { signature: plan.signature } : {}),
      ...(plan.git
        ? { git: { range: plan.git.range, repo: plan.git.place.repo, path: plan.git.place.path } }
        : {}),
      ...(report.materialised ? { materialised: { ...report.materialised } } : {}),
      ...(extra.shard ? { shard: `${extra.shard.index}/${extra.shard.count}` } : {}),
    },
    seeds,
    samples: sampleSets(runs, plan.clock ?? "cpu"),
    verdicts,
    body: {
      mode,
      probes: runs.map(probeEntry),
      ...(extra.shard ? { shard: extra.shard } : {}),
      ...(report.perf ? { comparisons: report.perf.comparisons.map(comparisonJson) } : {}),
      ...(report.crash
        ? {
          steps: report.crash.steps.map((s) => ({ version: s.version, status: s.status })),
          signature: report.crash.signature,
        }
        : {}),
    },
  };
}

/**
 * The crash matrix of an exhaustive record as a table again (to print a merged record as the
 * run prints it): every cell its probe's outcome, `null` where the record holds none.
 *
 * @example
 * ```ts
 * import { exhaustiveFromRecord } from "./record.ts";
 * import { formatExhaustive } from "./report.ts";
 * function usage(record: import("../results/record.ts").BisectRecord): void {
 *   console.log(formatExhaustive(exhaustiveFromRecord(record)));
 * }
 * ```
 */
export function exhaustiveFromRecord(record: BisectRecord): ExhaustiveResult {
  const raw = record.parameters.crashMatrix;
  const matrix: ProbeCase[] = (Array.isArray(raw) ? raw : []).map((c) => {
    const p = c as { [key: string]: JsonValue };
    return {
      stressor: String(p.stressor) as ProbeCase["stressor"],
      layout: String(p.layout),
      seed: Number(p.seed),
      ops: Number(p.ops),
      verify: p.verify === true,
    };
  });
  const versions = record.versions.map((v) => v.name);
  const key = (version: string, c: { stressor: string; layout: string; seed: number }) =>
    JSON.stringify([version, c.stressor, c.layout, c.seed]);
  const runs: ProbeRun[] = record.body.probes.map((e) => ({
    spec: {
      version: e.version,
      stressor: e.stressor as ProbeCase["stressor"],
      layout: e.layout,
      seed: e.seed,
      ops: typeof e.ops === "number" ? e.ops : 0,
      verify: e.verify === true,
    },
    outcome: e.outcome as ProbeRun["outcome"],
    wallMs: typeof e.wallMs === "number" ? e.wallMs : 0,
  }));
  const byCell = new Map(runs.map((r) => [key(r.spec.version, r.spec), r]));
  return {
    versions,
    matrix,
    cells: versions.map((v) => matrix.map((c) => byCell.get(key(v, c)) ?? null)),
    runs,
  };
}

/** The fields of a probe case a person needs to repeat it. */
function caseJson(p: ProbeCase): JsonValue {
  return {
    stressor: p.stressor,
    layout: p.layout,
    seed: p.seed,
    ops: p.ops,
    verify: p.verify,
    ...(p.timeoutMs !== undefined ? { timeoutMs: p.timeoutMs } : {}),
  };
}

/**
 * One probe as the record keeps it.
 *
 * @example
 * ```ts
 * import { probeEntry } from "./record.ts";
 * const spec = { version: "v1", stressor: "fork" as const, layout: "glibc", seed: 1, ops: 1, verify: true };
 * console.log(probeEntry({ spec, outcome: "pass", wallMs: 3 }).outcome); // pass
 * ```
 */
export function probeEntry(run: ProbeRun): ProbeEntry {
  const f = run.failure;
  return {
    version: run.spec.version,
    stressor: run.spec.stressor,
    layout: run.spec.layout,
    seed: run.spec.seed,
    ops: run.spec.ops,
    verify: run.spec.verify,
    outcome: run.outcome,
    wallMs: Math.round(run.wallMs * 10) / 10,
    bogoOps: run.result?.bogoOps ?? null,
    opsPerSecond: run.result?.opsPerSecond ?? null,
    digest: run.result?.digest ?? null,
    failure: f
      ? {
        kind: f.kind,
        message: f.message,
        frames: [...f.frames],
        atOp: f.atOp,
        operation: f.operation,
      }
      : null,
  };
}

/** Throughput samples of passing performance runs, one set per benchmark and version. */
function sampleSets(runs: readonly ProbeRun[], clock: Clock): SampleSet[] {
  const sets = new Map<string, { benchmark: string; version: string; values: number[] }>();
  for (const run of runs) {
    const figure = throughput(run, clock);
    if (run.spec.verify || figure === undefined) continue;
    const benchmark = `bisect/${run.spec.stressor}@${run.spec.layout}`;
    const key = `${benchmark}\u0000${run.spec.version}`;
    const set = sets.get(key) ?? { benchmark, version: run.spec.version, values: [] };
    set.values.push(figure);
    sets.set(key, set);
  }
  const unit = clock === "cpu" ? "ops/cpu-s" : "ops/s";
  return [...sets.values()].map((s) => ({ ...s, unit, better: "higher" }));
}

/**
 * A commit as a record keeps it (`results/record.ts`'s `CommitRef`).
 *
 * @example
 * ```ts
 * import { commitRef } from "./record.ts";
 * const c = { sha: "0123456789abcdef", short: "0123456789ab", subject: "fix", authorDate: "2026-12-06T10:00:00+00:00", position: 3 };
 * console.log(commitRef(c).short); // 0123456789ab
 * ```
 */
export function commitRef(c: CommitInfo): CommitRef {
  return {
    sha: c.sha,
    short: c.short,
    subject: c.subject,
    authorDate: c.authorDate,
    position: c.position,
  };
}

function crashVerdict(v: CrashVerdict, reproduce: (spec: ProbeSpec) => string): Verdict {
  const evidence: Record<string, JsonValue> = {
    confident: v.confident,
    signature: v.signature,
    signatureOrigin: v.signatureOrigin,
    otherFailures: v.otherFailures.map((o) => ({
      version: o.version,
      signature: o.signature,
      runs: o.count,
      message: o.run.failure ? `${o.run.failure.kind}: ${o.run.failure.message}` : "",
      reproduce: reproduce(o.run.spec),
    })),
    candidates: [...v.candidates],
    failingProbes: v.failingProbes,
    matrixSize: v.matrixSize,
    reproductions: v.reproductions.map((r) => ({
      stressor: r.probe.stressor,
      layout: r.probe.layout,
      seed: r.probe.seed,
      fails: r.fails,
      runs: r.runs,
      goodFails: r.goodFails,
      goodRuns: r.goodRuns,
    })),
    notes: [...v.notes],
  };
  if (v.evidence) {
    const f = v.evidence.failure;
    Object.assign(evidence, {
      outcome: v.evidence.outcome,
      message: f ? `${f.kind}: ${f.message}` : "",
      frames: f ? [...f.frames] : [],
      stressor: v.evidence.spec.stressor,
      layout: v.evidence.spec.layout,
      seed: v.evidence.spec.seed,
      reproduce: reproduce(v.evidence.spec),
    });
  }
  const summary = v.kind === "first-bad"
    ? `${v.firstBad} is the first version that fails (last good ${v.lastGood})`
    : v.kind === "good-fails"
    ? `the good endpoint ${v.firstBad} already fails`
    : v.kind === "no-failure"
    ? "no version tested fails"
    : "an endpoint cannot be probed";
  return {
    subject: "crash",
    verdict: v.kind === "first-bad" && !v.confident ? "inconclusive" : v.kind,
    version: v.firstBad,
    lastGood: v.lastGood,
    summary,
    evidence,
  };
}

function perfVerdict(v: PerfVerdict): Verdict {
  const summary = v.kind === "first-slower" && v.step
    ? `${v.firstBad} is ${(-v.step.change * 100).toFixed(1)}% slower than ${v.lastGood}`
    : v.kind === "no-regression" || v.kind === "bad-not-slower"
    ? "no version is significantly slower"
    : "an endpoint cannot be measured";
  return {
    subject: "perf",
    verdict: v.kind === "first-slower" && !v.confident ? "inconclusive" : v.kind,
    version: v.firstBad,
    lastGood: v.lastGood,
    summary,
    evidence: {
      confident: v.confident,
      step: v.step ? comparisonJson(v.step) : null,
      notes: [...v.notes],
    },
  };
}

function comparisonJson(c: Comparison): JsonValue {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    baseline: c.baseline,
    candidate: c.candidate,
    old: [...c.old],
    new: [...c.new],
    oldMean: finite(c.oldSummary.mean),
    newMean: finite(c.newSummary.mean),
    oldStddevPercent: finite(c.oldSummary.stddevPercent),
    newStddevPercent: finite(c.newSummary.stddevPercent),
    change: finite(c.change),
    ratioLow: finite(c.interval.low),
    ratioHigh: finite(c.interval.high),
    p: finite(c.p),
    verdict: c.verdict,
  };
}
