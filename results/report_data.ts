/**
 * The chart data of the HTML report, computed from records alone: for each benchmark, its
 * median per version (one series per run) and over time (one series per version).
 *
 * The page script (`report_page.js`) draws exactly these series, so tests can check the
 * drawn charts against this data. A run that was interrupted is labelled so in the legend.
 *
 * @example
 * ```ts
 * import { chartSpecs } from "./report_data.ts";
 * import { buildHistory } from "./history.ts";
 * console.log(chartSpecs(buildHistory([])).length); // 0
 * ```
 *
 * @module
 */

import { commitAxisLabel, commitTitle } from "./commits.ts";
import type { BenchmarkHistory } from "./history.ts";
import { type CommitRef, runLabel as shortRun, type SampleSet } from "./record.ts";
import { median } from "./stats.ts";

/** One line on a chart; `null` where the series has no figure. */
export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

/** One chart. */
export interface ChartSpec {
  /** DOM id of the chart's container. */
  readonly id: string;
  readonly title: string;
  /** The figure's caption in the page. */
  readonly caption: string;
  /** Drawing width in CSS pixels. */
  readonly width: number;
  readonly unit: string;
  readonly better: "lower" | "higher";
  /**
   * `per-version`: x is the version's index; `per-commit`: the same for a history of commits
   * (date and short sha on the axis); `over-time`: x is the run's start in seconds.
   */
  readonly kind: "per-version" | "per-commit" | "over-time";
  readonly x: readonly number[];
  /** Names of the x positions for `per-version` and `per-commit` charts. */
  readonly xLabels: readonly string[];
  /** What hovering over an x position shows, for `per-commit` charts: sha, subject, date. */
  readonly xTitles?: readonly string[];
  readonly series: readonly ChartSeries[];
}

/** Width of one chart; the overview takes two. */
export const CHART_WIDTH = 460;

/** Runs drawn as series on a per-version chart: the latest ones, so the legend stays legible. */
export const MAX_RUN_SERIES = 8;

/**
 * Two charts per benchmark: per version (a series per run, the latest
 * {@linkcode MAX_RUN_SERIES}) and over time (a series per version, every run).
 *
 * @example
 * ```ts
 * import { chartSpecs } from "./report_data.ts";
 * import type { BenchmarkHistory } from "./history.ts";
 * function usage(histories: BenchmarkHistory[]): void {
 *   for (const c of chartSpecs(histories)) console.log(c.id, c.series.length);
 * }
 * ```
 */
export function chartSpecs(histories: readonly BenchmarkHistory[]): ChartSpec[] {
  const specs: ChartSpec[] = [];
  histories.forEach((h, i) => {
    if (h.versions.length > 0 && h.versions.every((v) => h.commits[v] !== undefined)) {
      specs.push(commitSpec(h, i));
      return;
    }
    const runs = new Map<string, string>();
    const cut = new Set<string>();
    for (const v of h.versions) {
      for (const p of h.runs[v]) {
        runs.set(p.runId, p.startedAt);
        if (p.interrupted !== undefined) cut.add(p.runId);
      }
    }
    const runIds = [...runs.keys()].sort((a, b) => runs.get(a)!.localeCompare(runs.get(b)!));
    const medianOf = (version: string, runId: string): number | null => {
      const point = h.runs[version].find((p) => p.runId === runId);
      return point && Number.isFinite(point.median) ? point.median : null;
    };
    specs.push({
      id: `chart-${i}-versions`,
      title: `${h.benchmark}: per version`,
      caption: `${h.benchmark}: per version (${h.unit}, ${h.better} is better)`,
      width: CHART_WIDTH,
      unit: h.unit,
      better: h.better,
      kind: "per-version",
      x: h.versions.map((_, k) => k),
      xLabels: h.versions,
      series: runIds.slice(-MAX_RUN_SERIES).map((runId) => ({
        label: `run ${shortRun(runId, runs.get(runId)!)}${cut.has(runId) ? " (interrupted)" : ""}`,
        values: h.versions.map((v) => medianOf(v, runId)),
      })),
    });
    specs.push({
      id: `chart-${i}-time`,
      title: `${h.benchmark}: over time`,
      caption: `${h.benchmark}: over time (${h.unit}, ${h.better} is better)`,
      width: CHART_WIDTH,
      unit: h.unit,
      better: h.better,
      kind: "over-time",
      x: runIds.map((id) => Date.parse(runs.get(id)!) / 1000),
      xLabels: runIds.map((id) => shortRun(id, runs.get(id)!)),
      series: h.versions.map((v) => ({
        label: v,
        values: runIds.map((runId) => medianOf(v, runId)),
      })),
    });
  });
  return specs;
}

/**
 * The chart of a benchmark whose versions are commits: one point per commit in history
 * order, its latest successful run, as asv draws a benchmark along the commits of a branch.
 * Each commit is usually measured once (`bench --git` skips what was measured), so series
 * per run, as for named versions, would be single points.
 *
 * @example
 * ```ts
 * import { commitSpec } from "./report_data.ts";
 * import { buildHistory } from "./history.ts";
 * function usage(history: ReturnType<typeof buildHistory>[number]): void {
 *   console.log(commitSpec(history, 0).xLabels); // ["11-05 2653b0b", ...]
 * }
 * ```
 */
export function commitSpec(h: BenchmarkHistory, index: number): ChartSpec {
  const latest = (version: string): number | null => {
    const usable = h.runs[version].filter((p) =>
      p.error === undefined && Number.isFinite(p.median)
    );
    return usable.at(-1)?.median ?? null;
  };
  const commits = h.versions.map((v) => h.commits[v]);
  return {
    id: `chart-${index}-commits`,
    title: `${h.benchmark}: per commit`,
    caption: `${h.benchmark}: per commit, latest run of each (${h.unit}, ${h.better} is better)`,
    width: 2 * CHART_WIDTH + 16,
    unit: h.unit,
    better: h.better,
    kind: "per-commit",
    x: h.versions.map((_, k) => k),
    xLabels: commits.map(commitAxisLabel),
    xTitles: commits.map(commitTitle),
    series: [{ label: "median", values: h.versions.map(latest) }],
  };
}

/**
 * One overview of a history of commits: each benchmark's throughput per commit (its latest
 * run) relative to the first commit with a figure, faster above 1, as {@linkcode overviewSpec}
 * draws one run's versions.
 *
 * @example
 * ```ts
 * import { commitOverviewSpec } from "./report_data.ts";
 * console.log(commitOverviewSpec([])); // undefined: no commits
 * ```
 */
export function commitOverviewSpec(histories: readonly BenchmarkHistory[]): ChartSpec | undefined {
  const commits = new Map<string, CommitRef>();
  for (const h of histories) {
    for (const [name, c] of Object.entries(h.commits)) commits.set(name, c);
  }
  if (commits.size === 0) return undefined;
  const names = [...commits.keys()].sort((a, b) =>
    commits.get(a)!.position - commits.get(b)!.position ||
    commits.get(a)!.authorDate.localeCompare(commits.get(b)!.authorDate)
  );
  const series = histories.filter((h) => Object.keys(h.commits).length > 0).map((h) => {
    const medians = names.map((name) => {
      const usable = (h.runs[name] ?? []).filter((p) => p.error === undefined);
      const m = usable.at(-1)?.median;
      return m !== undefined && Number.isFinite(m) && m > 0 ? m : undefined;
    });
    const base = medians.find((m) => m !== undefined);
    return {
      label: h.benchmark,
      values: medians.map((m) =>
        m === undefined || base === undefined ? null : h.better === "lower" ? base / m : m / base
      ),
    };
  });
  return {
    id: "chart-overview",
    title: "Relative throughput per commit",
    caption: "Relative throughput per commit, each at its latest run " +
      "(1 = the first commit measured; above 1 is faster)",
    width: 2 * CHART_WIDTH + 16,
    unit: "relative",
    better: "higher",
    kind: "per-commit",
    x: names.map((_, k) => k),
    xLabels: names.map((n) => commitAxisLabel(commits.get(n)!)),
    xTitles: names.map((n) => commitTitle(commits.get(n)!)),
    series,
  };
}

/**
 * One overview chart of the latest bench record: each benchmark's throughput per version
 * relative to the first version that has a figure (1 = same; above 1 = faster, whatever the
 * unit's direction, so ns/op and ops/s cases share one axis).
 *
 * @example
 * ```ts
 * import { overviewSpec } from "./report_data.ts";
 * console.log(overviewSpec([])); // undefined: no samples
 * ```
 */
export function overviewSpec(samples: readonly SampleSet[]): ChartSpec | undefined {
  const measured = samples.filter((s) => s.error === undefined && s.values.length > 0);
  if (measured.length === 0) return undefined;
  const versions = [...new Set(samples.map((s) => s.version))];
  const benchmarks = [...new Set(measured.map((s) => s.benchmark))];
  const series = benchmarks.map((benchmark) => {
    const medians = versions.map((v) => {
      const set = measured.find((s) => s.benchmark === benchmark && s.version === v);
      return set ? { value: median(set.values), better: set.better } : undefined;
    });
    const base = medians.find((m) => m !== undefined)!;
    return {
      label: benchmark,
      values: medians.map((m) =>
        m === undefined ? null : m.better === "lower" ? base.value / m.value : m.value / base.value
      ),
    };
  });
  return {
    id: "chart-overview",
    title: "Relative throughput per version",
    caption: "Relative throughput per version in the latest bench run " +
      "(1 = the first version measured; above 1 is faster)",
    width: 2 * CHART_WIDTH + 16,
    unit: "relative",
    better: "higher",
    kind: "per-version",
    x: versions.map((_, k) => k),
    xLabels: versions,
    series,
  };
}
