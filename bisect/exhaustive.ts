/**
 * `--exhaustive`: every version × every probe, no search. The crash matrix gives one cell per
 * version and probe; the performance part samples every version round-robin (v1 v2 … vn,
 * then again) so that drift falls on all alike, and judges each version against the one
 * before it.
 *
 * With a `shard` (`--shard K/N`) only this shard's cells of the crash matrix run, dealt along
 * the grid's diagonals (`bisect/shard.ts`); the others are `null`. A performance table is
 * never sharded: it compares versions with each other, which only samples taken side by side
 * on one machine can do (the command refuses it).
 *
 * @example
 * ```ts
 * import { exhaustive } from "./exhaustive.ts";
 * const table = await exhaustive({
 *   versions: [{ name: "a", folder: "a" }, { name: "b", folder: "b" }],
 *   crashMatrix: [{ stressor: "fork", layout: "cat-self", seed: 1, ops: 5, verify: true }],
 *   samples: 4, threshold: 0.1, alpha: 0.01,
 *   crashRun: (v, p) => Promise.resolve({
 *     spec: { version: v.name, ...p }, outcome: v.name === "b" ? "crash" : "pass", wallMs: 1,
 *   }),
 *   perfRun: () => Promise.reject(new Error("no perf probe given")),
 * });
 * console.log(table.cells.map((row) => row.map((r) => r?.outcome))); // [["pass"], ["crash"]]
 * ```
 *
 * @module
 */

import { type Comparison, judge } from "./perf_search.ts";
import type { ProbeCase, ProbeRun, VersionRef } from "./runner.ts";
import { ownsCell } from "./shard.ts";
import { type Clock, throughput } from "./throughput.ts";

/** Inputs of {@linkcode exhaustive}. */
export interface ExhaustiveOptions {
  readonly versions: readonly VersionRef[];
  /** Crash probes (empty: no crash table). */
  readonly crashMatrix: readonly ProbeCase[];
  /** The performance workload (absent: no performance table). */
  readonly perfProbe?: ProbeCase;
  readonly samples: number;
  readonly threshold: number;
  readonly alpha: number;
  /** Which clock the figures use (default `wall`). */
  readonly clock?: Clock;
  readonly crashRun: (version: VersionRef, probe: ProbeCase) => Promise<ProbeRun>;
  readonly perfRun: (version: VersionRef, probe: ProbeCase) => Promise<ProbeRun>;
  /** Run only this shard's cells of the crash matrix (K counted from 1). */
  readonly shard?: { readonly index: number; readonly count: number };
}

/** Performance of every version. */
export interface PerfTable {
  readonly probe: ProbeCase;
  /** The clock of the figures. */
  readonly clock: Clock;
  /** Throughput samples per version (empty when the version could not be measured). */
  readonly samples: readonly (readonly number[])[];
  /** The failed run of a version that could not be measured. */
  readonly failures: readonly (ProbeRun | null)[];
  /** Each version against the nearest measurable one before it (`null` for the first). */
  readonly changes: readonly (Comparison | null)[];
}

/** The full matrix. */
export interface ExhaustiveResult {
  readonly versions: readonly string[];
  readonly matrix: readonly ProbeCase[];
  /** `cells[version][probe]`; `null` for a cell of another shard. */
  readonly cells: readonly (readonly (ProbeRun | null)[])[];
  readonly perf?: PerfTable;
  /** The shard that ran, when only one shard's cells did. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Every run, in the order it finished. */
  readonly runs: readonly ProbeRun[];
}

/**
 * Run everything; see the module documentation.
 *
 * @example
 * ```ts
 * import { exhaustive } from "./exhaustive.ts";
 * const table = await exhaustive({
 *   versions: [{ name: "a", folder: "a" }], crashMatrix: [], samples: 3, threshold: 0.1, alpha: 0.01,
 *   crashRun: () => Promise.reject(new Error("unused")), perfRun: () => Promise.reject(new Error("unused")),
 * });
 * console.log(table.cells); // [[]]
 * ```
 */
export async function exhaustive(options: ExhaustiveOptions): Promise<ExhaustiveResult> {
  const runs: ProbeRun[] = [];
  const keep = (run: ProbeRun) => {
    runs.push(run);
    return run;
  };
  const shard = options.shard;
  if (shard && shard.count > 1 && options.perfProbe !== undefined) {
    throw new Error("a performance table cannot be sharded: run it on one machine");
  }
  const cells = await Promise.all(
    options.versions.map((version, v) =>
      Promise.all(
        options.crashMatrix.map(async (probe, p) =>
          shard && !ownsCell(shard, v, p) ? null : keep(await options.crashRun(version, probe))
        ),
      )
    ),
  );
  const result: ExhaustiveResult = {
    versions: options.versions.map((v) => v.name),
    matrix: options.crashMatrix,
    cells,
    ...(shard ? { shard: { index: shard.index, count: shard.count } } : {}),
    runs,
  };
  if (options.perfProbe === undefined) return result;

  const probe = options.perfProbe;
  const samples = options.versions.map(() => [] as number[]);
  const failures: (ProbeRun | null)[] = options.versions.map(() => null);
  for (let round = 0; round < options.samples; round++) {
    for (const [i, version] of options.versions.entries()) {
      if (failures[i] !== null) continue;
      const run = keep(await options.perfRun(version, probe));
      const figure = throughput(run, options.clock ?? "wall");
      if (figure !== undefined) samples[i].push(figure);
      else failures[i] = run;
    }
  }
  const changes: (Comparison | null)[] = [];
  let previous = -1;
  for (const [i, version] of options.versions.entries()) {
    if (failures[i] !== null) {
      changes.push(null);
      continue;
    }
    changes.push(
      previous < 0 ? null : judge(
        options.versions[previous].name,
        version.name,
        samples[previous],
        samples[i],
        options,
      ),
    );
    previous = i;
  }
  return { ...result, perf: { probe, clock: options.clock ?? "wall", samples, failures, changes } };
}
