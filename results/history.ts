/**
 * History: for each benchmark and each version, its figures across runs over time, with the
 * change-point check over versions (which version introduced a step, each version taken at its
 * latest successful run, so that drift over days does not blur the steps between versions) and
 * over runs (which run a step over time appeared in).
 *
 * Built from records alone; every record's `samples` count, whatever its kind, except those
 * of a record that a later run resumed (that run carries them). Figures from a run that was
 * interrupted are marked `*`, with a line naming the run and what it kept.
 *
 * Figures of different machines are never one series: the steps between versions are looked
 * for only along versions whose figures one machine measured (a set's own `machine`, from a
 * merge of shards, else its record's), and where the machine changes the history says that
 * no step was looked for there.
 *
 * @example
 * ```ts
 * import { buildHistory, formatHistory } from "./history.ts";
 * import { loadRecords } from "./store.ts";
 * const { records } = await loadRecords("results/fixtures/runs");
 * console.log(formatHistory(buildHistory(records.map((r) => r.record))));
 * ```
 *
 * @module
 */

import type { Better, CommitRef, SuiteRecord } from "./record.ts";
import { detectSteps, type Step, type StepOptions } from "./changepoint.ts";
import { commitsOf, commitTitle, orderVersions as orderByHistory } from "./commits.ts";
import { formatValue, summarize } from "./compare.ts";
import { describeInterruption, interruptionOf, standingRecords } from "./interrupted.ts";
import { recordMachine } from "./select.ts";

/** One run's figures for one benchmark on one version. */
export interface HistoryPoint {
  readonly runId: string;
  readonly startedAt: string;
  /** `NaN` when the run failed this benchmark. */
  readonly median: number;
  readonly iqr: number;
  readonly values: readonly number[];
  readonly error?: string;
  /** When the run was interrupted: what it kept, e.g. `interrupted (SIGINT), 2 of 4 units`. */
  readonly interrupted?: string;
  /** The machine that measured it (see `recordMachine` in `select.ts`). */
  readonly machine?: string;
}

/** Two neighbouring versions measured on different machines: no step is looked for there. */
export interface MachineBreak {
  /** The later version. */
  readonly label: string;
  /** The version before it (with figures). */
  readonly previous: string;
  readonly before: string;
  readonly after: string;
}

/** A step over time in one version's runs. */
export interface TimeStep extends Step {
  readonly version: string;
  /**
   * How many of the benchmark's versions stepped the same way in the same run. When most
   * did, the step is the machine's or the runtime's (load, a Deno upgrade), not the code's.
   */
  readonly sharedBy: number;
  /** Versions of the benchmark measured in that run. */
  readonly measuredIn: number;
}

/**
 * Whether a step over time moved most versions alike, so it says more about the machine
 * than about any version.
 *
 * @example
 * ```ts
 * import { isEnvironmentStep } from "./history.ts";
 * console.log(isEnvironmentStep({ sharedBy: 6, measuredIn: 7 })); // true
 * ```
 */
export function isEnvironmentStep(step: Pick<TimeStep, "sharedBy" | "measuredIn">): boolean {
  return step.measuredIn >= 2 && step.sharedBy * 2 > step.measuredIn;
}

/** Everything known about one benchmark. */
export interface BenchmarkHistory {
  readonly benchmark: string;
  readonly unit: string;
  readonly better: Better;
  /** Versions in history order (manifest order, head last; commits by first-parent order). */
  readonly versions: readonly string[];
  /** The commits among `versions`, by name (versions taken from git). */
  readonly commits: Readonly<Record<string, CommitRef>>;
  /** Runs per version, oldest first. */
  readonly runs: Readonly<Record<string, readonly HistoryPoint[]>>;
  /**
   * Steps between versions, each version taken at its latest successful run, along versions
   * measured on one machine.
   */
  readonly versionSteps: readonly Step[];
  /** Where the machine of the versions' latest figures changes. */
  readonly machineBreaks?: readonly MachineBreak[];
  /** Steps over time, per version. */
  readonly timeSteps: readonly TimeStep[];
}

/**
 * Group the records' samples by benchmark and version, and run the change-point checks.
 *
 * @example
 * ```ts
 * import { buildHistory } from "./history.ts";
 * console.log(buildHistory([]).length); // 0
 * ```
 */
export function buildHistory(
  records: readonly SuiteRecord[],
  options: StepOptions = {},
): BenchmarkHistory[] {
  const ordered = standingRecords(records).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const commits = commitsOf(ordered);
  const versionOrder = orderByHistory(orderVersions(ordered), commits);
  const byBenchmark = new Map<
    string,
    { unit: string; better: Better; runs: Map<string, HistoryPoint[]> }
  >();
  for (const record of ordered) {
    const mark = interruptionOf(record);
    const interrupted = mark ? describeInterruption(mark) : undefined;
    for (const set of record.samples) {
      let entry = byBenchmark.get(set.benchmark);
      if (!entry) {
        entry = { unit: set.unit, better: set.better, runs: new Map() };
        byBenchmark.set(set.benchmark, entry);
      }
      const failed = set.error !== undefined || set.values.length === 0;
      const summary = failed ? { median: NaN, iqr: NaN } : summarize(set.values);
      const point: HistoryPoint = {
        runId: record.id,
        startedAt: record.startedAt,
        median: summary.median,
        iqr: summary.iqr,
        values: set.values,
        ...(set.error !== undefined ? { error: set.error } : {}),
        ...(interrupted !== undefined ? { interrupted } : {}),
        machine: set.machine ?? recordMachine(record),
      };
      const list = entry.runs.get(set.version) ?? [];
      list.push(point);
      entry.runs.set(set.version, list);
    }
  }
  return [...byBenchmark.entries()].sort(([a], [b]) => a.localeCompare(b)).map(
    ([benchmark, entry]) => {
      const versions = versionOrder.filter((v) => entry.runs.has(v));
      const usable = (points: readonly HistoryPoint[]) => points.filter((p) => !p.error);
      const { versionSteps, machineBreaks } = stepsByMachine(
        versions.map((v) => {
          const latest = usable(entry.runs.get(v)!).at(-1);
          return { label: v, values: latest?.values ?? [], machine: latest?.machine };
        }),
        options,
      );
      const rawTimeSteps = versions.flatMap((version) =>
        detectSteps(
          usable(entry.runs.get(version)!).map((p) => ({ label: p.runId, values: p.values })),
          options,
        ).map((step) => ({ ...step, version }))
      );
      const timeSteps = rawTimeSteps.map((step) => ({
        ...step,
        sharedBy:
          rawTimeSteps.filter((o) =>
            o.label === step.label && Math.sign(o.ratio - 1) === Math.sign(step.ratio - 1)
          ).length,
        measuredIn: versions.filter((v) => entry.runs.get(v)!.some((p) => p.runId === step.label))
          .length,
      }));
      return {
        benchmark,
        unit: entry.unit,
        better: entry.better,
        versions,
        commits: Object.fromEntries(
          versions.filter((v) => commits.has(v)).map((v) => [v, commits.get(v)!]),
        ),
        runs: Object.fromEntries(entry.runs),
        versionSteps,
        ...(machineBreaks.length > 0 ? { machineBreaks } : {}),
        timeSteps,
      };
    },
  );
}

/**
 * The steps along each stretch of versions measured on one machine, and where the machine
 * changes. A version without figures belongs to the stretch it sits in.
 */
function stepsByMachine(
  groups: readonly { label: string; values: readonly number[]; machine?: string }[],
  options: StepOptions,
): { versionSteps: Step[]; machineBreaks: MachineBreak[] } {
  const stretches: { start: number; machine?: string; last?: string }[] = [{ start: 0 }];
  const machineBreaks: MachineBreak[] = [];
  groups.forEach((g, i) => {
    const current = stretches.at(-1)!;
    if (g.machine === undefined || g.values.length === 0) return;
    if (current.machine !== undefined && current.machine !== g.machine) {
      machineBreaks.push({
        label: g.label,
        previous: current.last!,
        before: current.machine,
        after: g.machine,
      });
      stretches.push({ start: i, machine: g.machine, last: g.label });
      return;
    }
    current.machine = g.machine;
    current.last = g.label;
  });
  const versionSteps = stretches.flatMap((stretch, i) => {
    const end = stretches[i + 1]?.start ?? groups.length;
    return detectSteps(groups.slice(stretch.start, end), options)
      .map((step) => ({ ...step, index: step.index + stretch.start }));
  });
  return { versionSteps, machineBreaks };
}

/**
 * Versions in history order: as records list them (manifest order), newest record's order
 * winning, anything unseen appended, and `head` last.
 */
function orderVersions(records: readonly SuiteRecord[]): string[] {
  const order: string[] = [];
  for (const record of [...records].reverse()) {
    const names = [...record.versions.map((v) => v.name), ...record.samples.map((s) => s.version)];
    for (const name of names) if (!order.includes(name)) order.push(name);
  }
  const withoutHead = order.filter((v) => v !== "head");
  return order.includes("head") ? [...withoutHead, "head"] : withoutHead;
}

/**
 * Text rendering: per benchmark, each version's medians across runs, then the steps.
 *
 * @example
 * ```ts
 * import { formatHistory } from "./history.ts";
 * console.log(formatHistory([])); // "no samples in the records"
 * ```
 */
export function formatHistory(histories: readonly BenchmarkHistory[]): string {
  if (histories.length === 0) return "no samples in the records";
  const out: string[] = [];
  for (const h of histories) {
    out.push(`${h.benchmark} (${h.unit}, ${h.better} is better)`);
    const width = Math.max(...h.versions.map((v) => v.length));
    // Tagged commits (kernel releases) show their tag beside the sha, in a column of its own.
    const tagWidth = Math.max(0, ...Object.values(h.commits).map((c) => c.tag?.length ?? 0));
    for (const version of h.versions) {
      const figures = h.runs[version].map((p) =>
        (p.error !== undefined ? "failed" : formatValue(p.median, h.unit)) +
        (p.interrupted !== undefined ? "*" : "")
      );
      const commit = h.commits[version];
      if (commit) {
        // A commit's row ends with its subject, so its figures get a fixed width.
        const cells = figures.map((f) => f.padStart(12)).join("  ");
        const tag = tagWidth > 0 ? `${(commit.tag ?? "").padEnd(tagWidth)}  ` : "";
        out.push(
          `  ${version.padEnd(width)}  ${tag}${
            commit.authorDate.slice(0, 10)
          }${cells}  ${commit.subject}`,
        );
      } else {
        out.push(`  ${version.padEnd(width)}  ${figures.join("  ")}`);
      }
    }
    const cut = new Map<string, string>();
    for (const v of h.versions) {
      for (const p of h.runs[v]) if (p.interrupted) cut.set(p.runId, p.interrupted);
    }
    for (const [runId, what] of cut) out.push(`  * run ${runId}: ${what}`);
    for (const s of h.versionSteps) {
      const commit = h.commits[s.label];
      const previous = h.commits[s.previous]?.short ?? s.previous;
      const where = commit
        ? `commit ${commitTitle(commit)} (after ${previous})`
        : `version ${s.label} (after ${s.previous})`;
      out.push(
        `  step at ${where}: ${formatValue(s.before, h.unit)} -> ` +
          `${formatValue(s.after, h.unit)} (${signedPercent(s.ratio)}, p=${s.p.toPrecision(2)})`,
      );
    }
    for (const b of h.machineBreaks ?? []) {
      const said = (v: string) => h.commits[v]?.short ?? v;
      out.push(
        `  no step looked for between ${said(b.previous)} and ${said(b.label)}: measured on ` +
          `different machines (${b.before}; ${b.after})`,
      );
    }
    for (const s of h.timeSteps) {
      const shared = isEnvironmentStep(s)
        ? `; ${s.sharedBy} of ${s.measuredIn} versions moved alike: likely the machine, not the code`
        : "";
      out.push(
        `  step over time on ${s.version} at run ${s.label}: ${formatValue(s.before, h.unit)} -> ` +
          `${formatValue(s.after, h.unit)} (${signedPercent(s.ratio)}, p=${s.p.toPrecision(2)}` +
          `${shared})`,
      );
    }
    out.push("");
  }
  return out.join("\n").trimEnd();
}

/** `1.23` → `+23.0%`. */
function signedPercent(ratio: number): string {
  const pct = (ratio - 1) * 100;
  return `${pct >= 0 ? "+" : ""}${pct.toFixed(1)}%`;
}
