/**
 * The human summary of a bisect session: the first bad version with its manifest summary,
 * the failing probe's evidence and a command that reproduces it; the performance step in the
 * kernel test robot's layout (old and new value with %stddev, and %change); the exhaustive
 * matrix; the probes run and the wall time.
 *
 * @example
 * ```ts
 * import { reproduceCommand } from "./report.ts";
 * console.log(reproduceCommand({
 *   version: "v3", stressor: "fork", layout: "cat-self", seed: 3, ops: 50, verify: true,
 * }));
 * // deno task stress --stressor fork --version v3 --layout cat-self --seed 3 --ops 50 --verify
 * ```
 *
 * @module
 */

import { join, relative, resolve } from "node:path";
import { CORE_DIR } from "../core/loader.ts";
import type { ProbeSpec } from "../workloads/probe_types.ts";
import type { CrashVerdict, OtherFailure, VersionVerdict } from "./crash_search.ts";
import type { ExhaustiveResult } from "./exhaustive.ts";
import { describeMatrix } from "./matrix.ts";
import { type Comparison, DEFAULT_SAMPLES, type PerfVerdict } from "./perf_search.ts";
import type { ProbeCase, ProbeRun } from "./runner.ts";
import type { BisectPlan, BisectReport, VersionInfo } from "./session.ts";
import { metricName, throughputUnit } from "./throughput.ts";

/** One letter per outcome in the exhaustive matrix. */
export const OUTCOME_LETTERS: Readonly<Record<string, string>> = {
  pass: ".",
  crash: "C",
  hang: "H",
  oom: "M",
  invalid: "I",
  wrong: "W",
  leak: "L",
  skip: "S",
};

/** The letter of a cell that another shard runs. */
const OTHER_SHARD = "-";

/**
 * A command line that runs one probe again, alone, in the foreground (`deno task stress`
 * takes the same version, stressor, layout, seed and ops as a probe).
 *
 * @example
 * ```ts
 * import { reproduceCommand } from "./report.ts";
 * const spec = { version: "./my tree", stressor: "fork" as const, layout: "glibc", seed: 1,
 *   ops: 5, verify: true };
 * console.log(reproduceCommand(spec));
 * // deno task stress --stressor fork --version './my tree' --layout glibc --seed 1 --ops 5 --verify
 * ```
 */
export function reproduceCommand(spec: ProbeSpec): string {
  const words = [
    "deno task stress",
    `--stressor ${spec.stressor}`,
    `--version ${shellQuote(spec.version)}`,
    `--layout ${shellQuote(spec.layout)}`,
    `--seed ${spec.seed}`,
    `--ops ${spec.ops}`,
  ];
  if (spec.verify) words.push("--verify");
  if (spec.shapeOracle !== undefined) words.push(`--shape-oracle ${shellQuote(spec.shapeOracle)}`);
  for (const [key, value] of Object.entries(spec.options ?? {})) {
    words.push(`--set ${key}=${value}`);
  }
  return words.join(" ");
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * `fork cat-self seed 3`.
 *
 * @example
 * ```ts
 * import { probeLabel } from "./report.ts";
 * console.log(probeLabel({ stressor: "fork", layout: "cat-self", seed: 3, ops: 5, verify: true })); // fork cat-self seed 3
 * ```
 */
export function probeLabel(probe: ProbeCase): string {
  return `${probe.stressor} ${probe.layout} seed ${probe.seed}`;
}

/**
 * The whole summary, ready to print.
 *
 * @example
 * ```ts
 * import { formatReport } from "./report.ts";
 * function usage(report: import("./session.ts").BisectReport): void {
 *   console.log(formatReport(report));
 * }
 * ```
 */
export function formatReport(report: BisectReport): string {
  const parts: string[] = [];
  const info = new Map(report.plan.versions.map((v) => [v.name, v]));
  if (report.crash) parts.push(formatCrash(report.crash, report, info));
  if (report.perf) parts.push(formatPerf(report.perf, report, info));
  if (report.exhaustive) parts.push(formatExhaustive(report.exhaustive));
  const git = report.materialised;
  parts.push(
    `probes run: ${report.probesRun}, wall time ${(report.wallMs / 1000).toFixed(1)} s` +
      (git
        ? `\ngit: ${git.made} commit(s) materialised into ${git.dir}, ${git.reused} reused`
        : ""),
  );
  return parts.join("\n\n");
}

/**
 * The crash search's part of the summary.
 *
 * @example
 * ```ts
 * import { formatCrash } from "./report.ts";
 * function usage(report: import("./session.ts").BisectReport): void {
 *   console.log(formatCrash(report.crash!, report, new Map(report.plan.versions.map((v) => [v.name, v]))));
 * }
 * ```
 */
export function formatCrash(
  verdict: CrashVerdict,
  report: BisectReport,
  info: ReadonlyMap<string, VersionInfo>,
): string {
  const plan = report.plan;
  const lines = [
    `== crash bisect: ${describeMatrix(plan.crashMatrix)} per version, ` +
    `${plan.versions[plan.good].name} .. ${plan.versions[plan.bad].name}`,
  ];
  switch (verdict.kind) {
    case "first-bad": {
      const sure = verdict.confident ? "confident" : "NOT confident";
      lines.push(
        `first bad version: ${verdict.firstBad} (last good: ${verdict.lastGood}) [${sure}]`,
      );
      if (verdict.candidates.length > 0) {
        lines.push(`  the first bad version is one of: ${verdict.candidates.join(", ")}`);
      }
      break;
    }
    case "good-fails":
      lines.push(`the good version ${verdict.firstBad} already fails: nothing to bisect`);
      break;
    case "no-failure":
      lines.push(`no failure: every version tested passes every probe`);
      break;
    case "endpoint-skipped":
      lines.push(`cannot bisect: an endpoint cannot be probed`);
      break;
  }
  if (verdict.signature !== null) {
    lines.push(
      `  following: ${verdict.signature} (${
        verdict.signatureOrigin === "given"
          ? "failures that match --signature"
          : "the failure at the bad end; --signature TEXT follows another"
      })`,
    );
  }
  if (verdict.firstBad) lines.push(...describeVersion(info.get(verdict.firstBad)));
  if (verdict.evidence) {
    lines.push(
      `  failing: ${verdict.failingProbes} of ${verdict.matrixSize} probes of its matrix`,
    );
    for (const r of verdict.reproductions) {
      lines.push(
        `  reproduction: ${probeLabel(r.probe)} fails ${r.fails}:${r.runs} runs on ` +
          `${verdict.firstBad}, ${r.goodFails}:${r.goodRuns} on ${verdict.lastGood ?? "-"}`,
      );
    }
    lines.push(...describeFailure(verdict.evidence, info, plan));
  }
  for (const note of verdict.notes) lines.push(`  note: ${note}`);
  lines.push(...describeOthers(verdict.otherFailures, info, plan));
  lines.push(`  steps: ${verdict.steps.map(stepLabel).join(", ")}`);
  return lines.join("\n");
}

/** `v3 good`, `git:0123456789ab fails differently`. */
function stepLabel(step: VersionVerdict): string {
  return `${step.version} ${step.status === "different" ? "fails differently" : step.status}`;
}

/**
 * Every failure other than the followed one, each with the command that reproduces it: a
 * second bug met on the way is reported, never lost.
 */
function describeOthers(
  others: readonly OtherFailure[],
  info: ReadonlyMap<string, VersionInfo>,
  plan: BisectPlan,
): string[] {
  if (others.length === 0) return [];
  const lines = [`  other failures met on the way (not the one followed):`];
  for (const o of others) {
    const f = o.run.failure;
    const said = f ? `: ${f.kind}: ${f.message.split("\n")[0].slice(0, 160)}` : "";
    lines.push(`    ${o.version} fails differently: ${o.signature} (${o.count} run(s))${said}`);
    lines.push(`      reproduce: ${reproduceLine(o.run.spec, info, plan)}`);
  }
  return lines;
}

/**
 * The performance search's part of the summary.
 *
 * @example
 * ```ts
 * import { formatPerf } from "./report.ts";
 * function usage(report: import("./session.ts").BisectReport): void {
 *   console.log(formatPerf(report.perf!, report, new Map(report.plan.versions.map((v) => [v.name, v]))));
 * }
 * ```
 */
export function formatPerf(
  verdict: PerfVerdict,
  report: BisectReport,
  info: ReadonlyMap<string, VersionInfo>,
): string {
  const plan = report.plan;
  const samples = plan.samples ?? DEFAULT_SAMPLES;
  const lines = [
    `== perf bisect: ${probeLabel(plan.perfProbe)}, ${plan.perfProbe.ops} ops, ` +
    `${samples} samples per version (more when borderline), interleaved in fresh processes, ` +
    `${throughputUnit(plan.clock ?? "cpu")}, threshold -${
      ((plan.threshold ?? 0.1) * 100).toFixed(0)
    }%`,
  ];
  switch (verdict.kind) {
    case "first-slower": {
      const sure = verdict.confident ? "confident" : "NOT confident";
      lines.push(
        `first slower version: ${verdict.firstBad} (last good: ${verdict.lastGood}) [${sure}]`,
      );
      lines.push(...describeVersion(info.get(verdict.firstBad ?? "")));
      break;
    }
    case "no-regression":
      lines.push("no regression: no version is significantly slower than the one before it");
      break;
    case "bad-not-slower":
      lines.push("no regression: the bad version is not significantly slower than the good one");
      break;
    case "endpoint-broken":
      lines.push("cannot measure: an endpoint fails the performance workload");
      break;
  }
  if (verdict.step) {
    lines.push(
      "",
      ...robotTable(verdict.step, metricName(plan.perfProbe.stressor, plan.clock ?? "cpu")),
    );
    lines.push("", `  ${describeTest(verdict.step)}`);
    if (verdict.kind === "first-slower") {
      const range = plan.git
        ? `${gitArguments(plan)} --git ${shortName(verdict.lastGood!, info)}..${
          shortName(verdict.firstBad!, info)
        }`
        : `${manifestArgument(plan)} --good ${verdict.lastGood} --bad ${verdict.firstBad}`;
      lines.push(
        `  reproduce: deno task bisect --mode perf${range} ` +
          `--perf-stressor ${plan.perfProbe.stressor} ` +
          `--perf-layout ${shellQuote(plan.perfProbe.layout)} --perf-ops ${plan.perfProbe.ops}`,
      );
    }
  }
  for (const note of verdict.notes) lines.push(`  note: ${note}`);
  lines.push(
    `  comparisons: ${
      verdict.comparisons.map((c) =>
        `${c.baseline}→${c.candidate} ${Number.isNaN(c.change) ? "broken" : percent(c.change)}`
      ).join(", ")
    }`,
  );
  return lines.join("\n");
}

/**
 * A comparison as the kernel test robot prints it.
 *
 * @example
 * ```ts
 * import { robotTable } from "./report.ts";
 * import { judge } from "./perf_search.ts";
 * const c = judge("v4", "v5", [100, 102, 98], [80, 81, 79], { threshold: 0.1, alpha: 0.2 });
 * console.log(robotTable(c, "maple-bisect.mmap.ops_per_sec").join("\n"));
 * ```
 */
export function robotTable(c: Comparison, metric: string): string[] {
  const value = (mean: number, sd: number) =>
    `${formatNumber(mean).padStart(10)} ±${sd.toFixed(0).padStart(3)}%`;
  return [
    `${c.baseline.padStart(16)} ${c.candidate.padStart(27)}`,
    `---------------- ---------------------------`,
    `         %stddev     %change         %stddev`,
    `             \\          |                \\`,
    `${value(c.oldSummary.mean, c.oldSummary.stddevPercent)}  ${
      percent(c.newSummary.mean / c.oldSummary.mean - 1).padStart(8)
    }  ${value(c.newSummary.mean, c.newSummary.stddevPercent)}  ${metric}`,
  ];
}

function describeTest(c: Comparison): string {
  return `medians ${formatNumber(c.oldSummary.median)} → ${formatNumber(c.newSummary.median)} ` +
    `(${percent(c.change)}), ratio ${c.interval.ratio.toFixed(3)} with ` +
    `${(c.interval.level * 100).toFixed(0)}% bootstrap interval ` +
    `${c.interval.low.toFixed(3)}..${c.interval.high.toFixed(3)}, ` +
    `Mann-Whitney U one-sided p=${formatP(c.p)}, n=${c.old.length}+${c.new.length}`;
}

/**
 * The exhaustive matrix and, when measured, the performance of every version.
 *
 * @example
 * ```ts
 * import { formatExhaustive } from "./report.ts";
 * function usage(report: import("./session.ts").BisectReport): void {
 *   if (report.exhaustive) console.log(formatExhaustive(report.exhaustive));
 * }
 * ```
 */
export function formatExhaustive(table: ExhaustiveResult): string {
  const lines: string[] = [];
  const width = Math.max(8, ...table.versions.map((v) => v.length));
  if (table.matrix.length > 0) {
    const shard = table.shard;
    const legend = Object.entries(OUTCOME_LETTERS).map(([k, v]) => `${v} ${k}`);
    if (shard) legend.push(`${OTHER_SHARD} another shard's`);
    lines.push(
      `== exhaustive crash matrix${shard ? `, shard ${shard.index}/${shard.count}` : ""} (${
        legend.join(", ")
      })`,
    );
    table.matrix.forEach((probe, i) => lines.push(`  probe ${i + 1}: ${probeLabel(probe)}`));
    const header = table.matrix.map((_, i) => String((i + 1) % 10)).join("");
    lines.push(`  ${"version".padEnd(width)}  ${header}  failing`);
    table.cells.forEach((row, i) => {
      const letters = row.map((r) => r ? OUTCOME_LETTERS[r.outcome] ?? "?" : OTHER_SHARD).join("");
      const ran = row.filter((r) => r !== null);
      const failing = ran.filter((r) => r.outcome !== "pass" && r.outcome !== "skip").length;
      lines.push(`  ${table.versions[i].padEnd(width)}  ${letters}  ${failing}/${ran.length}`);
    });
  }
  if (table.perf) {
    const perf = table.perf;
    lines.push(
      `== exhaustive performance: ${probeLabel(perf.probe)}, ${perf.probe.ops} ops, ${
        throughputUnit(perf.clock)
      }`,
    );
    lines.push(`  ${"version".padEnd(width)}  ${"mean".padStart(10)}  %stddev  %change  verdict`);
    table.versions.forEach((name, i) => {
      const failure = perf.failures[i];
      if (failure) {
        lines.push(`  ${name.padEnd(width)}  cannot be measured: ${failure.outcome}`);
        return;
      }
      const values = perf.samples[i];
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const sd = Math.sqrt(
        values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1),
      );
      const change = perf.changes[i];
      lines.push(
        `  ${name.padEnd(width)}  ${formatNumber(mean).padStart(10)}  ${
          `±${((100 * sd) / mean).toFixed(0)}%`.padStart(7)
        }  ${(change ? percent(change.change) : "").padStart(7)}  ${
          change ? (change.verdict === "slower" ? "SLOWER" : "") : ""
        }`.trimEnd(),
      );
    });
  }
  return lines.join("\n");
}

function describeVersion(version: VersionInfo | undefined): string[] {
  if (!version) return [];
  const c = version.commit;
  if (c) return [`  commit ${c.short} "${c.subject}" (${c.authorDate})`];
  const date = version.date ? ` (${version.date})` : "";
  const summary = version.summary ?? `folder ${version.folder}`;
  return [`  ${version.name}${date}: ${summary}`];
}

/** ` --manifest PATH` when the plan's versions are not the bundled ones. */
function manifestArgument(plan: BisectReport["plan"]): string {
  return plan.manifestPath === undefined ? "" : ` --manifest ${shellQuote(plan.manifestPath)}`;
}

/**
 * How a command line names a version: its name when it is one of the bundled versions, else
 * its folder (relative to the current directory), which every command also takes.
 */
function versionArgument(name: string, info: ReadonlyMap<string, VersionInfo>): string {
  if (info.get(name)?.commit) return name; // git:<sha>: the loader materialises it again
  const folder = info.get(name)?.folder;
  if (folder === undefined || resolve(folder) === join(CORE_DIR, name)) return name;
  const path = relative(Deno.cwd(), folder);
  if (path.startsWith("..")) return resolve(folder); // outside the current tree: absolute
  return `./${path}`;
}

/**
 * The command that runs one probe again, alone: `deno task stress` on the version as a command
 * line names it, after `MAPLE_GIT_REPO=… MAPLE_GIT_PATH=…` when a commit comes from a
 * repository or folder other than the default.
 *
 * @example
 * ```ts
 * import { reproduceLine } from "./report.ts";
 * const spec = { version: "v1.2.0", stressor: "fork" as const, layout: "glibc", seed: 1, ops: 20, verify: true };
 * const plan = { versions: [], good: 0, bad: 0, badGiven: false, modes: [], exhaustive: false,
 *   crashMatrix: [], perfProbe: { ...spec, verify: false } };
 * console.log(reproduceLine(spec, new Map(), plan));
 * // deno task stress --stressor fork --version v1.2.0 --layout glibc --seed 1 --ops 20 --verify
 * ```
 */
export function reproduceLine(
  spec: ProbeSpec,
  info: ReadonlyMap<string, VersionInfo>,
  plan: BisectPlan,
): string {
  const fromGit = info.get(spec.version)?.commit !== undefined;
  const command = reproduceCommand({ ...spec, version: versionArgument(spec.version, info) });
  return fromGit ? `${gitEnvironment(plan)}${command}` : command;
}

/** `MAPLE_GIT_REPO=… MAPLE_GIT_PATH=… ` when the plan's git place is not the default. */
function gitEnvironment(plan: BisectPlan): string {
  if (!plan.git || plan.git.defaultPlace) return "";
  const { repo, path } = plan.git.place;
  return `MAPLE_GIT_REPO=${shellQuote(repo)} MAPLE_GIT_PATH=${shellQuote(path)} `;
}

/** ` --repo R --git-path P` when the plan's git place is not the default. */
function gitArguments(plan: BisectPlan): string {
  if (!plan.git || plan.git.defaultPlace) return "";
  const { repo, path } = plan.git.place;
  return ` --repo ${shellQuote(repo)} --git-path ${shellQuote(path)}`;
}

/** A commit's short sha for a range, else the version's name. */
function shortName(name: string, info: ReadonlyMap<string, VersionInfo>): string {
  return info.get(name)?.commit?.short ?? name;
}

function describeFailure(
  run: ProbeRun,
  info: ReadonlyMap<string, VersionInfo>,
  plan: BisectPlan,
): string[] {
  const f = run.failure;
  const lines = [
    `  evidence: ${run.outcome} in ${probeLabel(run.spec)}` +
    (f && f.atOp >= 0 ? `, op ${f.atOp}` : "") +
    (f && f.operation ? ` (${f.operation})` : ""),
  ];
  if (f) {
    lines.push(`    ${f.kind}: ${f.message}`);
    for (const frame of f.frames.slice(0, 5)) lines.push(`      at ${frame}`);
  }
  lines.push(`  reproduce: ${reproduceLine(run.spec, info, plan)}`);
  return lines;
}

function percent(change: number): string {
  return `${change >= 0 ? "+" : ""}${(change * 100).toFixed(1)}%`;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "-";
  return value >= 100 ? Math.round(value).toString() : value.toPrecision(3);
}

function formatP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}
