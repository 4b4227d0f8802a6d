/**
 * A performance bisect that counts instructions instead of timing: for C versions, the
 * instructions a fixed operation stream executes are the same on every run, so one counted
 * run per version decides, and a threshold of 1% is meaningful on a noisy machine. The good
 * end is counted twice first: if the two counts differ, the verdict says so rather than trust
 * them. A version is slower when any operation kind executes more than `threshold` more
 * instructions than at the good end; the verdict names the kind and the change.
 *
 * @example
 * ```ts
 * import { searchInstructions } from "./instruction_search.ts";
 * export const verdict = (versions: { name: string; folder: string }[]) =>
 *   searchInstructions(versions, { threshold: 0.01, seed: 1, scale: 0.2 });
 * ```
 *
 * @module
 */

import { countVersions, type VersionCounts } from "../bench/instructions.ts";
import { narrowBoundary } from "./boundary_search.ts";
import type { VersionRef } from "./runner.ts";

/** What to count and how much change counts. */
export interface InstructionSearchOptions {
  /** A fraction: 0.01 is 1%. */
  readonly threshold: number;
  readonly seed: number;
  readonly scale: number;
}

/** The largest per-kind rise of one version over the good end. */
export interface InstructionChange {
  readonly kind: string;
  readonly before: number;
  readonly after: number;
  /** `after / before - 1`. */
  readonly change: number;
}

/** The verdict of an instruction-count bisect. */
export interface InstructionVerdict {
  /** The first version whose counts rose past the threshold, if any. */
  readonly firstSlower?: string;
  /** The last version that did not (the good end when nothing rose). */
  readonly lastGood: string;
  /** The rise that made the first slower version slower. */
  readonly change?: InstructionChange;
  /** The good end counted twice gave identical counts. */
  readonly deterministic: boolean;
  /** Every version counted, with its counts, in the order counted. */
  readonly counted: readonly VersionCounts[];
  /** Versions that could not be counted (do not build), with why. */
  readonly skipped: readonly { readonly version: string; readonly reason: string }[];
}

/**
 * The largest relative rise of any kind from `good` to `other`.
 *
 * @example
 * ```ts
 * import { largestRise } from "./instruction_search.ts";
 * const a = { total: 300, byKind: { store: 200, load: 100 } };
 * const b = { total: 306, byKind: { store: 206, load: 100 } };
 * console.log(largestRise(a, b)); // { kind: "store", before: 200, after: 206, change: 0.03 }
 * ```
 */
export function largestRise(
  good: VersionCounts["counts"],
  other: VersionCounts["counts"],
): InstructionChange {
  let worst: InstructionChange = {
    kind: "total",
    before: good.total,
    after: other.total,
    change: 0,
  };
  for (const [kind, before] of Object.entries(good.byKind)) {
    const after = other.byKind[kind] ?? 0;
    const change = before > 0 ? after / before - 1 : 0;
    if (change > worst.change) worst = { kind, before, after, change };
  }
  return worst;
}

/**
 * Find the first version (oldest first in `versions`) whose instruction counts rose past the
 * threshold over the first version's.
 *
 * @example
 * ```ts
 * import { searchInstructions } from "./instruction_search.ts";
 * export const run = () =>
 *   searchInstructions([{ name: "kernel-6.1", folder: "core/kernel-6.1" }], {
 *     threshold: 0.01,
 *     seed: 1,
 *     scale: 0.05,
 *   });
 * ```
 */
export async function searchInstructions(
  versions: readonly VersionRef[],
  options: InstructionSearchOptions,
): Promise<InstructionVerdict> {
  const stream = { seed: options.seed, scale: options.scale };
  const counted: VersionCounts[] = [];
  const skipped: { version: string; reason: string }[] = [];
  const [good] = await countVersions([versions[0].folder], stream);
  counted.push({ ...good, version: versions[0].name });
  const byIndex = new Map<number, VersionCounts>([[0, good]]);
  const count = async (index: number): Promise<VersionCounts | undefined> => {
    if (byIndex.has(index)) return byIndex.get(index);
    try {
      const [result] = await countVersions([versions[index].folder], {
        ...stream,
        checkFirst: false,
      });
      const named = { ...result, version: versions[index].name };
      byIndex.set(index, named);
      counted.push(named);
      return named;
    } catch (error) {
      skipped.push({ version: versions[index].name, reason: (error as Error).message });
      return undefined;
    }
  };
  const slower = (counts: VersionCounts) =>
    largestRise(good.counts, counts.counts).change > options.threshold;
  const last = versions.length - 1;
  const end = last > 0 ? await count(last) : undefined;
  const deterministic = good.deterministic === true;
  if (end === undefined || !slower(end)) {
    return { lastGood: versions[last > 0 && end ? last : 0].name, deterministic, counted, skipped };
  }
  const ends = await narrowBoundary({ lo: 0, hi: last }, async (index) => {
    const counts = await count(index);
    return counts === undefined ? "skip" : slower(counts) ? "bad" : "good";
  }, new Set());
  const first = byIndex.get(ends.hi)!;
  return {
    firstSlower: versions[ends.hi].name,
    lastGood: versions[ends.lo].name,
    change: largestRise(good.counts, first.counts),
    deterministic,
    counted,
    skipped,
  };
}
