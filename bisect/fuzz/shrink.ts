/**
 * Delta debugging of a failing fuzz case: drop operations and VMAs (ddmin), merge neighbouring
 * VMAs, shorten VMAs and simplify operations, keeping every change after which the case still
 * fails with the same signature (outcome class and top frame), until nothing more goes or the
 * run budget is spent.
 *
 * @example
 * ```ts
 * import { shrink } from "./shrink.ts";
 * import type { FuzzCase } from "../../workloads/fuzz/mod.ts";
 * async function usage(failing: FuzzCase, run: import("./case_runner.ts").CaseRunner): Promise<void> {
 *   const report = await shrink(failing, { run, signature: "crash splitLeaf (bulk.ts)" });
 *   console.log(report.before.vmas, "->", report.after.vmas, "in", report.runs, "runs");
 * }
 * ```
 *
 * @module
 */

import type { FuzzCase } from "../../workloads/fuzz/mod.ts";
import { mergeNeighbours, shortenVma, simplerOperations } from "../../workloads/fuzz/mod.ts";
import { pagesOf } from "../../workloads/vma.ts";
import type { CaseRunner } from "./case_runner.ts";

/** How to shrink. */
export interface ShrinkOptions {
  readonly run: CaseRunner;
  /** The signature every kept change must still show. */
  readonly signature: string;
  /** Runs allowed (default 600). */
  readonly maxRuns?: number;
  /** Candidates tried at once (default 1). */
  readonly concurrency?: number;
  /**
   * Folds the operations before the first fork into the layout (e.g. `materializePrefix`
   * on a trusted version); tried at the start of every round.
   */
  readonly materialize?: (fuzzCase: FuzzCase) => FuzzCase | undefined;
  /** Called whenever a smaller case is kept. */
  readonly onProgress?: (fuzzCase: FuzzCase, runs: number) => void;
}

/** Sizes of a case. */
export interface CaseSize {
  readonly vmas: number;
  readonly operations: number;
}

/** What shrinking did. */
export interface ShrinkReport {
  readonly fuzzCase: FuzzCase;
  readonly before: CaseSize;
  readonly after: CaseSize;
  readonly runs: number;
  readonly signature: string;
}

function sizeOf(fuzzCase: FuzzCase): CaseSize {
  return { vmas: fuzzCase.layout.length, operations: fuzzCase.operations.length };
}

/** Shrink `failing` while it keeps `options.signature`. */
export async function shrink(failing: FuzzCase, options: ShrinkOptions): Promise<ShrinkReport> {
  const maxRuns = options.maxRuns ?? 600;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  let runs = 0;
  let current = failing;

  /** Index of the first candidate (in order) that still fails the same way. */
  const firstKeeper = async (candidates: readonly FuzzCase[]): Promise<number> => {
    for (let i = 0; i < candidates.length; i += concurrency) {
      if (runs >= maxRuns) return -1;
      const batch = candidates.slice(i, i + Math.min(concurrency, maxRuns - runs));
      runs += batch.length;
      const verdicts = await Promise.all(batch.map((c) => options.run(c)));
      const hit = verdicts.findIndex((v) => v.signature === options.signature);
      if (hit >= 0) return i + hit;
    }
    return -1;
  };
  const keep = (next: FuzzCase) => {
    current = next;
    options.onProgress?.(current, runs);
  };

  /** ddmin over one list of the case (complements of n chunks, n doubling). */
  const ddmin = async <T>(items: readonly T[], rebuild: (subset: T[]) => FuzzCase) => {
    let list = [...items];
    let n = 2;
    while (list.length >= 2 && runs < maxRuns) {
      const chunk = Math.ceil(list.length / n);
      const subsets: T[][] = [];
      for (let start = 0; start < list.length; start += chunk) {
        subsets.push([...list.slice(0, start), ...list.slice(start + chunk)]);
      }
      const hit = await firstKeeper(subsets.map(rebuild));
      if (hit >= 0) {
        list = subsets[hit];
        keep(rebuild(list));
        n = Math.max(n - 1, 2);
      } else if (n < list.length) {
        n = Math.min(n * 2, list.length);
      } else {
        break;
      }
    }
    if (list.length === 1 && (await firstKeeper([rebuild([])])) === 0) keep(rebuild([]));
  };

  for (let round = 0; round < 4 && runs < maxRuns; round++) {
    const before = JSON.stringify([current.layout, current.operations]);
    const folded = options.materialize?.(current);
    if (folded && (await firstKeeper([folded])) === 0) keep(folded);
    await ddmin(current.operations, (operations) => ({ ...current, operations }));
    await ddmin(current.layout, (layout) => ({ ...current, layout }));
    for (let i = 0; i + 1 < current.layout.length && runs < maxRuns;) {
      const merged = mergeNeighbours(current.layout, i)!;
      if ((await firstKeeper([{ ...current, layout: merged }])) === 0) {
        keep({ ...current, layout: merged });
      } else i++;
    }
    for (let i = 0; i < current.layout.length && runs < maxRuns; i++) {
      const pages = pagesOf(current.layout[i]);
      const shorter = [1, Math.floor(pages / 2)]
        .map((p) => shortenVma(current.layout, i, p))
        .filter((layout) => layout !== undefined)
        .map((layout) => ({ ...current, layout }));
      const hit = await firstKeeper(shorter);
      if (hit >= 0) keep(shorter[hit]);
    }
    for (let i = 0; i < current.operations.length && runs < maxRuns; i++) {
      const simpler = simplerOperations(current.operations[i]).map((op) => ({
        ...current,
        operations: current.operations.map((o, k) => (k === i ? op : o)),
      }));
      const hit = await firstKeeper(simpler);
      if (hit >= 0) keep(simpler[hit]);
    }
    if (JSON.stringify([current.layout, current.operations]) === before) break;
  }
  return {
    fuzzCase: current,
    before: sizeOf(failing),
    after: sizeOf(current),
    runs,
    signature: options.signature,
  };
}
