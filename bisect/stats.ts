/**
 * Statistics for performance verdicts: a Mann-Whitney U rank test (exact for small samples
 * without ties, normal approximation otherwise), a bootstrap interval for the ratio of two
 * medians, and the summaries the kernel test robot prints (mean, %stddev, %change).
 *
 * Rank tests suit run-time samples: they assume no distribution and one slow outlier (a
 * garbage collection, a neighbour on the machine) moves a rank by one, not a mean by much.
 *
 * @example
 * ```ts
 * import { bootstrapMedianRatio, mannWhitneyU } from "./stats.ts";
 * const old = [100, 102, 99, 101, 103, 100];
 * const neu = [85, 86, 84, 88, 83, 85];
 * console.log(mannWhitneyU(old, neu, "greater").p < 0.01); // true
 * console.log(bootstrapMedianRatio(old, neu).ratio.toFixed(2)); // "0.85"
 * ```
 *
 * @module
 */

/** Which difference the test looks for: `greater` means the first sample tends to be larger. */
export type Alternative = "two-sided" | "greater" | "less";

/** The outcome of {@linkcode mannWhitneyU}. */
export interface RankTest {
  /** U of the first sample: pairs where it is larger, plus half the ties. */
  readonly u: number;
  /** The p-value for the chosen alternative. */
  readonly p: number;
  /** `exact` (the full null distribution) or `normal` (approximation with tie correction). */
  readonly method: "exact" | "normal";
}

/** Largest `n1 * n2` for which the exact distribution is counted (it costs O(n1 * n2^2)). */
const EXACT_LIMIT = 2500;

/**
 * Mann-Whitney U test of `a` against `b`.
 *
 * @example
 * ```ts
 * import { mannWhitneyU } from "./stats.ts";
 * const r = mannWhitneyU([5, 6, 7, 8], [1, 2, 3, 4], "greater");
 * console.log(r.u, r.p.toFixed(4), r.method); // 16 0.0143 exact
 * ```
 */
export function mannWhitneyU(
  a: readonly number[],
  b: readonly number[],
  alternative: Alternative = "two-sided",
): RankTest {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError("mannWhitneyU needs two non-empty samples");
  const { ranks, tieTerm } = midRanks([...a, ...b]);
  let rankSumA = 0;
  for (let i = 0; i < n1; i++) rankSumA += ranks[i];
  const u = rankSumA - (n1 * (n1 + 1)) / 2;

  if (tieTerm === 0 && n1 * n2 <= EXACT_LIMIT) {
    const counts = exactUCounts(n1, n2);
    const total = counts.reduce((s, c) => s + c, 0);
    const atMost = (x: number) => sumRange(counts, 0, Math.floor(x)) / total;
    const atLeast = (x: number) => sumRange(counts, Math.ceil(x), n1 * n2) / total;
    const p = alternative === "greater"
      ? atLeast(u)
      : alternative === "less"
      ? atMost(u)
      : Math.min(1, 2 * Math.min(atMost(u), atLeast(u)));
    return { u, p, method: "exact" };
  }

  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = (n1 * n2 / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, p: 1, method: "normal" }; // every value equal
  const sd = Math.sqrt(variance);
  // Continuity correction of one half towards the mean.
  const zGreater = (u - mean - 0.5) / sd;
  const zLess = (u - mean + 0.5) / sd;
  const p = alternative === "greater"
    ? 1 - normalCdf(zGreater)
    : alternative === "less"
    ? normalCdf(zLess)
    : Math.min(1, 2 * Math.min(1 - normalCdf(zGreater), normalCdf(zLess)));
  return { u, p, method: "normal" };
}

/** Mid-ranks (1-based) of `values` and the tie term Σ(t³ − t) over groups of ties. */
function midRanks(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && order[end][0] === order[start][0]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k][1]] = rank;
    const t = end - start;
    tieTerm += t * t * t - t;
    start = end;
  }
  return { ranks, tieTerm };
}

/**
 * How many arrangements of n1 + n2 distinct values give each U in 0..n1*n2, by the recurrence
 * f(n1, n2, u) = f(n1 - 1, n2, u - n2) + f(n1, n2 - 1, u): the largest value belongs either to
 * the first sample (beating all n2 of the second) or to the second.
 */
function exactUCounts(n1: number, n2: number): number[] {
  // table[j] holds the counts for (i, j) while i grows row by row.
  let previous: number[][] = [];
  for (let i = 0; i <= n1; i++) {
    const row: number[][] = [];
    for (let j = 0; j <= n2; j++) {
      if (i === 0 || j === 0) {
        row.push([1]);
        continue;
      }
      const counts = new Array<number>(i * j + 1).fill(0);
      const fromSecond = row[j - 1]; // largest value in the second sample
      for (let u = 0; u < fromSecond.length; u++) counts[u] += fromSecond[u];
      const fromFirst = previous[j]; // largest value in the first sample
      for (let u = 0; u < fromFirst.length; u++) counts[u + j] += fromFirst[u];
      row.push(counts);
    }
    previous = row;
  }
  return previous[n2];
}

function sumRange(values: readonly number[], from: number, to: number): number {
  let sum = 0;
  for (let i = Math.max(0, from); i <= Math.min(values.length - 1, to); i++) sum += values[i];
  return sum;
}

/**
 * The standard normal distribution function (Abramowitz & Stegun 7.1.26 via erf; error < 1.5e-7).
 *
 * @example
 * ```ts
 * import { normalCdf } from "./stats.ts";
 * console.log(normalCdf(0)); // 0.5
 * ```
 */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * The median of `values` (the mean of the middle two for an even count).
 *
 * @example
 * ```ts
 * import { median } from "./stats.ts";
 * console.log(median([3, 1, 2, 10])); // 2.5
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Mean, sample standard deviation and the deviation as a percentage of the mean. */
export interface Summary {
  readonly n: number;
  readonly mean: number;
  readonly median: number;
  readonly stddev: number;
  /** `100 * stddev / mean`, the robot's `%stddev`. */
  readonly stddevPercent: number;
}

/**
 * Summarise a sample the way the kernel test robot's tables do.
 *
 * @example
 * ```ts
 * import { summarize } from "./stats.ts";
 * const s = summarize([98, 100, 102]);
 * console.log(s.mean, s.stddev, s.stddevPercent); // 100 2 2
 * ```
 */
export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  const mean = n === 0 ? NaN : values.reduce((s, v) => s + v, 0) / n;
  const squares = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  const stddev = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
  return {
    n,
    mean,
    median: median(values),
    stddev,
    stddevPercent: mean !== 0 ? (100 * stddev) / Math.abs(mean) : 0,
  };
}

/** A bootstrap interval of `median(new) / median(old)`. */
export interface RatioInterval {
  /** The point estimate. */
  readonly ratio: number;
  /** Lower end of the interval. */
  readonly low: number;
  /** Upper end of the interval. */
  readonly high: number;
  /** Its confidence level, e.g. 0.95. */
  readonly level: number;
}

/** Options for {@linkcode bootstrapMedianRatio}. */
export interface BootstrapOptions {
  /** Resamples (default 2000). */
  readonly resamples?: number;
  /** Confidence level (default 0.95). */
  readonly level?: number;
  /** Seed of the resampling generator, so a verdict can be repeated exactly (default 1). */
  readonly seed?: number;
}

/**
 * Percentile bootstrap of the ratio of medians `median(candidate) / median(baseline)`.
 *
 * @example
 * ```ts
 * import { bootstrapMedianRatio } from "./stats.ts";
 * const r = bootstrapMedianRatio([10, 11, 10, 9, 10], [5, 5, 6, 5, 4]);
 * console.log(r.ratio, r.high < 1); // 0.5 true
 * ```
 */
export function bootstrapMedianRatio(
  baseline: readonly number[],
  candidate: readonly number[],
  options: BootstrapOptions = {},
): RatioInterval {
  if (baseline.length === 0 || candidate.length === 0) {
    throw new RangeError("bootstrapMedianRatio needs two non-empty samples");
  }
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const random = mulberry32(options.seed ?? 1);
  const draw = (values: readonly number[]) => {
    const out = new Array<number>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = values[Math.floor(random() * values.length)];
    return median(out);
  };
  const ratios: number[] = [];
  for (let r = 0; r < resamples; r++) ratios.push(draw(candidate) / draw(baseline));
  ratios.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))];
  return {
    ratio: median(candidate) / median(baseline),
    low: at(tail),
    high: at(1 - tail),
    level,
  };
}

/** A small seeded generator (mulberry32): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
