/**
 * asv-compare-like comparison of two sides' samples: ratio of medians, a rank test, and a
 * marker per benchmark.
 *
 * Markers (the legend prints with every table):
 * `+` worse, `-` better (beyond the threshold, significant by a Mann-Whitney U test, and with
 * the two middle halves of the samples apart), `~` beyond the threshold but not significant, ` ` no change, `!` newly failing, `*` fixed, `x` failing on both sides,
 * `?` measured on one side only, `#` from different machines: not compared. The ratio is
 * after / before of the medians, whatever the unit's direction; the marker takes the direction
 * (`ns/op` lower is better, `ops/s` higher).
 *
 * Figures of different machines are never one comparison: sets that name their `machine`
 * (a merge of shards that ran on several keeps it, and `select.ts` stamps every set with its
 * record's) pair only with sets of the same machine. A benchmark whose two sides share no
 * machine is one `#` row with nothing computed; one measured on several machines gets a row
 * per machine, `benchmark on MACHINE`.
 *
 * @example
 * ```ts
 * import { compareSamples, formatComparison } from "./compare.ts";
 * const s = (values: number[]) => ({ benchmark: "b", version: "head", unit: "ns/op", better: "lower" as const, values });
 * const rows = compareSamples([s([100, 101, 99, 100, 102])], [s([130, 131, 129, 133, 130])]);
 * console.log(rows[0].change, formatComparison(rows)); // worse ...
 * ```
 *
 * @module
 */

import type { Better, SampleSet } from "./record.ts";
import { mannWhitneyU, median, quantile } from "./stats.ts";

/**
 * The unit of instruction counts (valgrind's callgrind), which repeat exactly from run to run.
 *
 * @example
 * ```ts
 * import { INSTRUCTIONS_UNIT } from "./compare.ts";
 * console.log(INSTRUCTIONS_UNIT); // instructions
 * ```
 */
export const INSTRUCTIONS_UNIT = "instructions";

/** How a benchmark moved between the two sides. */
export type Change =
  | "better"
  | "worse"
  | "not-significant"
  | "unchanged"
  | "newly-failing"
  | "fixed"
  | "failing"
  | "only-before"
  | "only-after"
  | "other-machines";

/** The marker printed for each change. */
export const MARKERS: Readonly<Record<Change, string>> = {
  better: "-",
  worse: "+",
  "not-significant": "~",
  unchanged: " ",
  "newly-failing": "!",
  fixed: "*",
  failing: "x",
  "only-before": "?",
  "only-after": "?",
  "other-machines": "#",
};

/** A side's figures for one benchmark. */
export interface SideSummary {
  readonly median: number;
  /** First and third quartiles: the middle half of the samples. */
  readonly q1: number;
  readonly q3: number;
  /** Interquartile range (`q3 - q1`), as a spread that ignores outliers. */
  readonly iqr: number;
  readonly n: number;
}

/** One line of the comparison. */
export interface ComparisonRow {
  /** What is compared: the benchmark, with `@version` when versions differ per row. */
  readonly label: string;
  readonly benchmark: string;
  readonly unit: string;
  readonly better: Better;
  readonly before: SideSummary | null;
  readonly after: SideSummary | null;
  readonly beforeError?: string;
  readonly afterError?: string;
  /** after / before of the medians, `NaN` when a side has none. */
  readonly ratio: number;
  /** Two-sided Mann-Whitney p-value, `NaN` when not computed. */
  readonly p: number;
  readonly change: Change;
  /** For `other-machines`: the machines of each side (the two differ). */
  readonly machines?: { readonly before: readonly string[]; readonly after: readonly string[] };
}

/** Thresholds of a comparison. */
export interface CompareOptions {
  /** Smallest relative change that counts (asv's factor 1.1 is 0.1). */
  readonly threshold?: number;
  /** Significance level of the rank test. */
  readonly alpha?: number;
  /** How to label a pair: by benchmark (default) or benchmark@version. */
  readonly key?: (set: SampleSet) => string;
}

/**
 * Compare sample sets pairwise by key (benchmark name by default).
 *
 * @example
 * ```ts
 * import { compareSamples } from "./compare.ts";
 * const rows = compareSamples([], [{ benchmark: "b", version: "v", unit: "ops/s", better: "higher", values: [1] }]);
 * console.log(rows[0].change); // only-after
 * ```
 */
export function compareSamples(
  before: readonly SampleSet[],
  after: readonly SampleSet[],
  options: CompareOptions = {},
): ComparisonRow[] {
  const key = options.key ?? ((s: SampleSet) => s.benchmark);
  const left = mergeByKey(before, key);
  const right = mergeByKey(after, key);
  // Rows by benchmark, and within one benchmark in the order the records list the versions.
  const firstSeen = [...new Set([...left.keys(), ...right.keys()])];
  const anyOf = (label: string) => [...(left.get(label) ?? right.get(label))!.values()][0];
  const labels = firstSeen.map((label, i) => ({ label, i })).sort((x, y) =>
    anyOf(x.label).benchmark.localeCompare(anyOf(y.label).benchmark) || x.i - y.i
  ).map((x) => x.label);
  return labels.flatMap((label) => {
    const a = left.get(label) ?? new Map<string, SampleSet>();
    const b = right.get(label) ?? new Map<string, SampleSet>();
    const machines = [...new Set([...a.keys(), ...b.keys()])];
    if (machines.length === 1) {
      return [compareOne(label, a.get(machines[0]), b.get(machines[0]), options)];
    }
    const shared = machines.some((m) => a.has(m) && b.has(m));
    if (!shared && a.size > 0 && b.size > 0) {
      const any = anyOf(label);
      const only = (side: Map<string, SampleSet>) => {
        const [set] = side.values();
        return side.size === 1 && !isFailed(set) ? summarize(set.values) : null;
      };
      return [{
        label,
        benchmark: any.benchmark,
        unit: any.unit,
        better: any.better,
        before: only(a),
        after: only(b),
        ratio: NaN,
        p: NaN,
        change: "other-machines",
        machines: { before: [...a.keys()], after: [...b.keys()] },
      }];
    }
    return machines.map((m) => compareOne(`${label} on ${m}`, a.get(m), b.get(m), options));
  });
}

/** One row: the sets of one key (and one machine) on each side, either may be absent. */
function compareOne(
  label: string,
  a: SampleSet | undefined,
  b: SampleSet | undefined,
  options: CompareOptions,
): ComparisonRow {
  const threshold = options.threshold ?? 0.1;
  const alpha = options.alpha ?? 0.05;
  const any = (a ?? b)!;
  const base = { label, benchmark: any.benchmark, unit: any.unit, better: any.better };
  const aFailed = a !== undefined && isFailed(a);
  const bFailed = b !== undefined && isFailed(b);
  const beforeSummary = a && !aFailed ? summarize(a.values) : null;
  const afterSummary = b && !bFailed ? summarize(b.values) : null;
  const errors = {
    ...(a?.error ? { beforeError: a.error } : {}),
    ...(b?.error ? { afterError: b.error } : {}),
  };
  const ratio = beforeSummary && afterSummary ? afterSummary.median / beforeSummary.median : NaN;
  let change: Change;
  let p = NaN;
  if (!a) change = "only-after";
  else if (!b) change = "only-before";
  else if (aFailed && bFailed) change = "failing";
  else if (bFailed) change = "newly-failing";
  else if (aFailed) change = "fixed";
  else {
    p = mannWhitneyU(a.values, b.values).p;
    const improved = any.better === "lower" ? ratio < 1 : ratio > 1;
    const beyond = Math.abs(ratio - 1) > threshold;
    // Instruction counts repeat exactly: a change beyond the threshold needs no rank test.
    const exact = any.unit === INSTRUCTIONS_UNIT;
    if (!beyond) change = "unchanged";
    else if (!exact && (p >= alpha || overlap(beforeSummary!, afterSummary!))) {
      change = "not-significant";
    } else change = improved ? "better" : "worse";
  }
  return {
    ...base,
    before: beforeSummary,
    after: afterSummary,
    ...errors,
    ratio,
    p,
    change,
  };
}

/**
 * Whether the middle halves of two samples overlap. Samples within one run are not
 * independent of that run's machine load, so a rank test alone calls a noisy run's shift
 * significant; asking also that the interquartile ranges be apart keeps the `+` and `-`
 * markers for changes that stand out from the noise.
 */
function overlap(a: SideSummary, b: SideSummary): boolean {
  return a.q3 >= b.q1 && b.q3 >= a.q1;
}

/** A set counts as failed when it has an error or no values at all. */
function isFailed(set: SampleSet): boolean {
  return set.error !== undefined || set.values.length === 0;
}

/**
 * Pool the values of sets sharing a key (several runs of one benchmark), machine by machine:
 * key → machine (`""` when a set names none) → pooled set.
 */
function mergeByKey(
  sets: readonly SampleSet[],
  key: (set: SampleSet) => string,
): Map<string, Map<string, SampleSet>> {
  const merged = new Map<string, Map<string, SampleSet>>();
  for (const set of sets) {
    const k = key(set);
    const machine = set.machine ?? "";
    const byMachine = merged.get(k) ?? new Map<string, SampleSet>();
    merged.set(k, byMachine);
    const seen = byMachine.get(machine);
    if (!seen) byMachine.set(machine, set);
    else {
      const error = seen.error ?? set.error;
      byMachine.set(machine, {
        ...seen,
        values: [...seen.values, ...set.values],
        ...(error !== undefined ? { error } : {}),
      });
    }
  }
  return merged;
}

/**
 * Median, interquartile range and count of a sample.
 *
 * @example
 * ```ts
 * import { summarize } from "./compare.ts";
 * console.log(summarize([1, 2, 3, 4, 5])); // { median: 3, q1: 2, q3: 4, iqr: 2, n: 5 }
 * ```
 */
export function summarize(values: readonly number[]): SideSummary {
  const q1 = quantile(values, 0.25);
  const q3 = quantile(values, 0.75);
  return { median: median(values), q1, q3, iqr: q3 - q1, n: values.length };
}

/**
 * Format a figure with its unit, scaled for reading (`1.23 µs/op`, `45.6k ops/s`).
 *
 * @example
 * ```ts
 * import { formatValue } from "./compare.ts";
 * console.log(formatValue(1234, "ns/op"), formatValue(45600, "ops/s")); // 1.23 µs/op 45.6k ops/s
 * ```
 */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "n/a";
  // Counts are exact: rounding to three digits would hide the 1% they are there to show.
  if (unit === INSTRUCTIONS_UNIT) return `${Math.round(value).toLocaleString("en-US")} ${unit}`;
  // A tree's node count and height after a fixed workload (bench/shape_cases.ts): exact too.
  if (unit === "nodes" || unit === "levels") return `${value.toLocaleString("en-US")} ${unit}`;
  if (unit === "ns/op" || unit === "ns") {
    const scales: [number, string][] = [[1e9, "s"], [1e6, "ms"], [1e3, "µs"], [1, "ns"]];
    const [div, name] = scales.find(([d]) => Math.abs(value) >= d) ?? [1, "ns"];
    return `${(value / div).toPrecision(3)} ${name}${unit === "ns/op" ? "/op" : ""}`;
  }
  const scales: [number, string][] = [[1e9, "G"], [1e6, "M"], [1e3, "k"], [1, ""]];
  const [div, prefix] = scales.find(([d]) => Math.abs(value) >= d) ?? [1, ""];
  return `${(value / div).toPrecision(3)}${prefix} ${unit}`;
}

/**
 * Render rows as a fixed-width table with a legend, like `asv compare`.
 *
 * @example
 * ```ts
 * import { formatComparison } from "./compare.ts";
 * console.log(formatComparison([])); // the header and legend only
 * ```
 */
export function formatComparison(
  rows: readonly ComparisonRow[],
  titles: { before: string; after: string } = { before: "before", after: "after" },
): string {
  const cells = rows.map((r) => [
    MARKERS[r.change],
    sideCell(r.before, r.beforeError, r.unit),
    sideCell(r.after, r.afterError, r.unit),
    Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : "n/a",
    Number.isFinite(r.p) ? r.p.toPrecision(2) : "",
    r.label,
  ]);
  const header = ["", titles.before, titles.after, "ratio", "p", "benchmark"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i === 5 ? v : i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i])))
      .join("  ").trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [
    line(header),
    rule,
    ...cells.map(line),
    "",
    "+ worse  - better  ~ beyond threshold but not significant  ! newly failing  * fixed",
    "x failing on both  ? measured on one side only  (ratio = after / before of medians)",
    ...machineLines(rows),
  ].join("\n");
}

/** What the `#` rows are: the legend, and which machines each pair of sides came from. */
function machineLines(rows: readonly ComparisonRow[]): string[] {
  const pairs = new Map<string, number>();
  for (const r of rows) {
    if (r.change !== "other-machines" || !r.machines) continue;
    const pair = `before on ${r.machines.before.join(" + ")}, after on ${
      r.machines.after.join(" + ")
    }`;
    pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
  }
  if (pairs.size === 0) return [];
  return [
    "# from different machines: not compared (figures of two machines measure the machines too)",
    ...[...pairs].map(([pair, n]) => `  ${n} benchmark(s) ${pair}`),
  ];
}

/** One side's cell: median with its spread, `failed`, or `-` when not measured. */
function sideCell(side: SideSummary | null, error: string | undefined, unit: string): string {
  if (side) return `${formatValue(side.median, unit)} ±${pct(side.iqr / 2, side.median)}`;
  return error !== undefined ? "failed" : "-";
}

/** Spread as a percentage of the median. */
function pct(spread: number, centre: number): string {
  return centre === 0 ? "0%" : `${Math.round((spread / Math.abs(centre)) * 100)}%`;
}
