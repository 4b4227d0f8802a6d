/**
 * Change-point check over an ordered list of sample groups (versions in history order, or
 * runs in time order): which group a step in level starts at.
 *
 * Binary segmentation: in a stretch of groups, try every split, pool the samples on each side
 * and keep the split whose rank test is most significant among those whose medians differ
 * beyond the threshold; then look again on each side of it. A step therefore needs a real
 * difference (Mann-Whitney p below alpha, and the two sides' middle halves apart, as in
 * `compare.ts`) and a large enough one, as the bisect perf verdict does, so that noise
 * between similar versions does not count as a step.
 *
 * @example
 * ```ts
 * import { detectSteps } from "./changepoint.ts";
 * const g = (label: string, level: number) => ({ label, values: [level, level + 1, level - 1, level + 2, level] });
 * const steps = detectSteps([g("v1", 100), g("v2", 101), g("v3", 150), g("v4", 149)]);
 * console.log(steps.map((s) => s.label)); // ["v3"]
 * ```
 *
 * @module
 */

import { mannWhitneyU, median, quantile } from "./stats.ts";

/** One group of samples: a version, or a run. */
export interface SampleGroup {
  readonly label: string;
  readonly values: readonly number[];
}

/** A step: the level changes starting at group `index`. */
export interface Step {
  /** Index of the first group at the new level. */
  readonly index: number;
  /** That group's label: the version (or run) that introduced the step. */
  readonly label: string;
  /** The group before it. */
  readonly previous: string;
  /** Median of the stretch before the step and of the stretch after it. */
  readonly before: number;
  readonly after: number;
  /** after / before. */
  readonly ratio: number;
  /** Two-sided Mann-Whitney p-value of the pooled sides. */
  readonly p: number;
}

/** Thresholds of the check. */
export interface StepOptions {
  /** Smallest relative change that counts as a step (default 0.1: 10%). */
  readonly threshold?: number;
  /** Significance level of the rank test (default 0.01). */
  readonly alpha?: number;
}

/**
 * Find the steps in an ordered list of groups, in order of position.
 *
 * @example
 * ```ts
 * import { detectSteps } from "./changepoint.ts";
 * console.log(detectSteps([{ label: "a", values: [1, 1, 1] }]).length); // 0
 * ```
 */
export function detectSteps(groups: readonly SampleGroup[], options: StepOptions = {}): Step[] {
  const threshold = options.threshold ?? 0.1;
  const alpha = options.alpha ?? 0.01;
  const steps: Step[] = [];
  const segment = (lo: number, hi: number): void => {
    if (hi - lo < 2) return;
    let best: Step | undefined;
    let bestScore = -1;
    for (let k = lo + 1; k < hi; k++) {
      const left = pool(groups, lo, k);
      const right = pool(groups, k, hi);
      if (left.length === 0 || right.length === 0) continue;
      const before = median(left);
      const after = median(right);
      const ratio = after / before;
      if (!Number.isFinite(ratio) || Math.abs(ratio - 1) <= threshold) continue;
      const test = mannWhitneyU(left, right);
      if (test.p >= alpha || middlesOverlap(left, right)) continue;
      const score = Math.abs(test.z) + Math.abs(Math.log(ratio)) * 1e-6;
      if (score > bestScore) {
        bestScore = score;
        best = {
          index: k,
          label: groups[k].label,
          previous: groups[k - 1].label,
          before,
          after,
          ratio,
          p: test.p,
        };
      }
    }
    if (!best) return;
    steps.push(best);
    segment(lo, best.index);
    segment(best.index, hi);
  };
  segment(0, groups.length);
  return refineLevels(groups, steps.sort((a, b) => a.index - b.index));
}

/** Whether the middle halves (interquartile ranges) of two samples overlap. */
function middlesOverlap(a: readonly number[], b: readonly number[]): boolean {
  return quantile(a, 0.75) >= quantile(b, 0.25) && quantile(b, 0.75) >= quantile(a, 0.25);
}

/** Pool the values of groups `[lo, hi)`. */
function pool(groups: readonly SampleGroup[], lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i < hi; i++) out.push(...groups[i].values);
  return out;
}

/**
 * Restate each step's before/after as the medians of the stretches between neighbouring
 * steps, so that a table of steps reads as level → level.
 */
function refineLevels(groups: readonly SampleGroup[], steps: Step[]): Step[] {
  return steps.map((step, i) => {
    const lo = i === 0 ? 0 : steps[i - 1].index;
    const hi = i + 1 < steps.length ? steps[i + 1].index : groups.length;
    const before = median(pool(groups, lo, step.index));
    const after = median(pool(groups, step.index, hi));
    return { ...step, before, after, ratio: after / before };
  });
}
