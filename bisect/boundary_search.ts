/**
 * The halving that the crash search and the performance search share: between a version
 * known good and one known bad, judge the untested version nearest the middle and move the
 * matching end to it, until no untested version is left between the ends. A version that
 * cannot be judged is stepped around as `git bisect skip` does and stays between the ends,
 * so the caller can name it as a possible first bad version.
 *
 * What good, bad and skip mean is the caller's business: the crash search runs the
 * version's whole matrix (skip: it does not type-check or load), the performance search
 * compares the version with the good endpoint (skip: a sample failed).
 *
 * @example
 * ```ts
 * import { narrowBoundary } from "./boundary_search.ts";
 * const skipped = new Set<number>();
 * const judged: number[] = [];
 * const ends = await narrowBoundary({ lo: 0, hi: 8 }, (i) => {
 *   judged.push(i);
 *   return Promise.resolve(i === 4 ? "skip" : i >= 5 ? "bad" : "good");
 * }, skipped);
 * console.log(ends, judged, [...skipped]); // { lo: 3, hi: 5 } [ 4, 3, 5 ] [ 4 ]
 * ```
 *
 * @module
 */

import type { VersionRef } from "./runner.ts";

/** Where a search looks: versions oldest first, and the ends it starts from. */
export interface SearchRange {
  /** Versions, oldest first. */
  readonly versions: readonly VersionRef[];
  /** Index of the version believed good. */
  readonly good: number;
  /** Index of the version believed bad. */
  readonly bad: number;
  /** The user named the bad version: if it is not bad, say so rather than scan forward. */
  readonly badGiven: boolean;
}

/** What judging one version found: which side of the boundary it is on, or that it cannot tell. */
export type Side = "good" | "bad" | "skip";

/** The two ends: `lo` judged good, `hi` judged bad, only skipped versions between them. */
export interface Ends {
  readonly lo: number;
  readonly hi: number;
}

/**
 * Halve the range between `ends` (see the module documentation). `skipped` holds the versions
 * known not to be judgeable, which are never tried; the ones `judge` skips are added to it.
 *
 * @example
 * ```ts
 * import { narrowBoundary } from "./boundary_search.ts";
 * const ends = await narrowBoundary(
 *   { lo: 0, hi: 9 },
 *   (i) => Promise.resolve(i >= 6 ? "bad" : "good"),
 *   new Set(),
 * );
 * console.log(ends); // { lo: 5, hi: 6 }
 * ```
 */
export async function narrowBoundary(
  ends: Ends,
  judge: (index: number) => Promise<Side>,
  skipped: Set<number>,
): Promise<Ends> {
  let { lo, hi } = ends;
  for (;;) {
    const next = nearestMiddle(lo, hi, skipped);
    if (next === undefined) return { lo, hi };
    const side = await judge(next);
    if (side === "good") lo = next;
    else if (side === "bad") hi = next;
    else skipped.add(next);
  }
}

/**
 * The index strictly between `lo` and `hi` nearest their middle that is not skipped (on a
 * tie, the lower one); `undefined` when there is none.
 *
 * @example
 * ```ts
 * import { nearestMiddle } from "./boundary_search.ts";
 * console.log(nearestMiddle(0, 4, new Set([2])), nearestMiddle(3, 4, new Set())); // 1 undefined
 * ```
 */
export function nearestMiddle(
  lo: number,
  hi: number,
  skipped: ReadonlySet<number>,
): number | undefined {
  const middle = (lo + hi) / 2;
  let best: number | undefined;
  for (let i = lo + 1; i < hi; i++) {
    if (skipped.has(i)) continue;
    if (best === undefined || Math.abs(i - middle) < Math.abs(best - middle)) best = i;
  }
  return best;
}
