/**
 * Export a record's samples to the formats continuous-benchmarking services take:
 * github-action-benchmark's custom JSON and Bencher's metric format (BMF).
 *
 * Each benchmark on each version becomes one entry named `<benchmark> [<version>]`, valued
 * at the median of its samples, with the interquartile range as its spread.
 *
 * github-action-benchmark reads one direction per file (`customSmallerIsBetter` or
 * `customBiggerIsBetter`), so {@linkcode toGithubActionBenchmark} takes the direction and
 * leaves out sets of the other one. Bencher's built-in measures are `latency` (nanoseconds)
 * and `throughput` (operations per second); other units get a measure named after the unit.
 *
 * @example
 * ```ts
 * import { toBencherMetricFormat } from "./export.ts";
 * const bmf = toBencherMetricFormat([{ benchmark: "core/load", version: "head", unit: "ns/op", better: "lower", values: [90, 91, 89] }]);
 * console.log(JSON.stringify(bmf)); // {"core/load [head]":{"latency":{"value":90,...}}}
 * ```
 *
 * @module
 */

import type { Better, SampleSet } from "./record.ts";
import { median, quantile } from "./stats.ts";

/** One entry of github-action-benchmark's custom JSON. */
export interface GabEntry {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly range?: string;
  readonly extra?: string;
}

/** One measure of one benchmark in BMF. */
export interface BmfMetric {
  readonly value: number;
  readonly lower_value?: number;
  readonly upper_value?: number;
}

/** Bencher metric format: benchmark → measure → metric. */
export type Bmf = Record<string, Record<string, BmfMetric>>;

/** Sets that have figures (failed sets have no value to export). */
function measured(sets: readonly SampleSet[]): SampleSet[] {
  return sets.filter((s) => s.error === undefined && s.values.length > 0);
}

/** The exported name of a set. */
function entryName(set: SampleSet): string {
  return `${set.benchmark} [${set.version}]`;
}

/**
 * github-action-benchmark custom JSON for the sets whose direction is `better`.
 *
 * @example
 * ```ts
 * import { toGithubActionBenchmark } from "./export.ts";
 * const gab = toGithubActionBenchmark([{ benchmark: "w/fork", version: "head", unit: "ops/s", better: "higher", values: [10, 12] }], "higher");
 * console.log(gab[0].value); // 11
 * ```
 */
export function toGithubActionBenchmark(sets: readonly SampleSet[], better: Better): GabEntry[] {
  return measured(sets).filter((s) => s.better === better).map((s) => {
    const value = median(s.values);
    const halfIqr = (quantile(s.values, 0.75) - quantile(s.values, 0.25)) / 2;
    return {
      name: entryName(s),
      unit: s.unit,
      value,
      range: `± ${Number(halfIqr.toPrecision(3))}`,
      extra: `median of ${s.values.length} samples; range is half the interquartile range`,
    };
  });
}

/**
 * Bencher metric format for every measured set.
 *
 * @example
 * ```ts
 * import { toBencherMetricFormat } from "./export.ts";
 * const bmf = toBencherMetricFormat([{ benchmark: "w/fork", version: "head", unit: "ops/s", better: "higher", values: [10, 12] }]);
 * console.log(Object.keys(bmf["w/fork [head]"])); // ["throughput"]
 * ```
 */
export function toBencherMetricFormat(sets: readonly SampleSet[]): Bmf {
  const out: Bmf = {};
  for (const s of measured(sets)) {
    const measure = bencherMeasure(s.unit);
    out[entryName(s)] = {
      ...out[entryName(s)],
      [measure]: {
        value: median(s.values),
        lower_value: quantile(s.values, 0.25),
        upper_value: quantile(s.values, 0.75),
      },
    };
  }
  return out;
}

/** Bencher's built-in measure for a unit, or a slug of the unit. */
function bencherMeasure(unit: string): string {
  if (unit === "ns/op" || unit === "ns") return "latency";
  if (unit === "ops/s") return "throughput";
  return unit.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "value";
}
