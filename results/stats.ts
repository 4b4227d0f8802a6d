/**
 * Small statistics for comparing benchmark samples: summaries and a Mann-Whitney U rank test.
 *
 * The results layer keeps its own copy rather than importing `bisect/` (records flow from
 * bisect to results, never back). A rank test suits run-time samples: it assumes no
 * distribution, and one slow outlier (a garbage collection, a busy neighbour) moves a rank by
 * one rather than a mean by much.
 *
 * @example
 * ```ts
 * import { mannWhitneyU, median } from "./stats.ts";
 * const before = [100, 102, 99, 101, 103, 100];
 * const after = [85, 86, 84, 88, 83, 85];
 * console.log(median(after) / median(before)); // 0.85
 * console.log(mannWhitneyU(before, after).p < 0.01); // true
 * ```
 *
 * @module
 */

/**
 * The median; `NaN` for an empty sample.
 *
 * @example
 * ```ts
 * import { median } from "./stats.ts";
 * console.log(median([3, 1, 2, 10])); // 2.5
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The arithmetic mean; `NaN` for an empty sample.
 *
 * @example
 * ```ts
 * import { mean } from "./stats.ts";
 * console.log(mean([1, 2, 6])); // 3
 * ```
 */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Sample standard deviation (n - 1); 0 for fewer than two values.
 *
 * @example
 * ```ts
 * import { stddev } from "./stats.ts";
 * console.log(stddev([2, 4, 4, 4, 5, 5, 7, 9]).toFixed(3)); // "2.138"
 * ```
 */
export function stddev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let sum = 0;
  for (const v of values) sum += (v - m) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}

/**
 * Value at quantile `q` (0..1) with linear interpolation; `NaN` for an empty sample.
 *
 * @example
 * ```ts
 * import { quantile } from "./stats.ts";
 * console.log(quantile([1, 2, 3, 4, 5], 0.25)); // 2
 * ```
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The outcome of {@linkcode mannWhitneyU}. */
export interface RankTest {
  /** U of the first sample: pairs where it is larger, plus half the ties. */
  readonly u: number;
  /** Standardised statistic (positive when the first sample tends to be larger). */
  readonly z: number;
  /** Two-sided p-value (normal approximation with tie and continuity correction). */
  readonly p: number;
}

/**
 * Two-sided Mann-Whitney U test of `a` against `b`, normal approximation with tie correction.
 * With fewer than two values on a side, or all values tied, there is no evidence: `p` is 1.
 *
 * @example
 * ```ts
 * import { mannWhitneyU } from "./stats.ts";
 * const r = mannWhitneyU([5, 6, 7, 8, 9], [1, 2, 3, 4, 0]);
 * console.log(r.u, r.p < 0.05); // 25 true
 * ```
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): RankTest {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, p: 1 };
  const pooled = [...a.map((v) => ({ v, first: true })), ...b.map((v) => ({ v, first: false }))]
    .sort((x, y) => x.v - y.v);
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < pooled.length;) {
    let j = i;
    while (j + 1 < pooled.length && pooled[j + 1].v === pooled[i].v) j++;
    const midRank = (i + j) / 2 + 1;
    const tied = j - i + 1;
    tieTerm += tied ** 3 - tied;
    for (let k = i; k <= j; k++) if (pooled[k].first) rankSumA += midRank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const variance = (n1 * n2 / 12) * ((n + 1) - tieTerm / (n * (n - 1)));
  if (n1 < 2 || n2 < 2 || variance <= 0) return { u, z: 0, p: 1 };
  const diff = u - (n1 * n2) / 2;
  const corrected = Math.max(Math.abs(diff) - 0.5, 0);
  if (corrected === 0) return { u, z: 0, p: 1 };
  const z = Math.sign(diff) * corrected / Math.sqrt(variance);
  return { u, z, p: Math.min(1, 2 * normalUpperTail(Math.abs(z))) };
}

/**
 * P(Z > z) for a standard normal Z (Abramowitz-Stegun 7.1.26 erfc, error below 1.5e-7).
 *
 * @example
 * ```ts
 * import { normalUpperTail } from "./stats.ts";
 * console.log(normalUpperTail(1.959964).toFixed(3)); // "0.025"
 * ```
 */
export function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}
