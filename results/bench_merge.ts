/**
 * Merging the shards of `bench --shard K/N`: the N bench records, each holding the sample
 * sets of its cells of the versions × cases grid, become one bench record that `history`,
 * `compare`, `report` and `export` read like an unsharded run's, with `body.merged` in place
 * of `body.shard`.
 *
 * A shard's record names every version and case of the plan, so the plan's cells are known
 * from any one of them; the units are the sample sets (a case on a version), each in exactly
 * one shard. Shards that ran on one machine give sets like an unsharded run's; shards of
 * several machines give sets that each name their `machine`, and a `mixed-machines` verdict,
 * so that no comparison takes figures of two machines for one series.
 *
 * `bench --git --shard` needs no merge: each commit's record is whole.
 *
 * @example
 * ```ts
 * import { BENCH_SHARDS } from "./bench_merge.ts";
 * import { mergeShards, readShards } from "./merge.ts";
 * async function usage(dir: string): Promise<void> {
 *   const { shards } = await readShards([dir], [BENCH_SHARDS]);
 *   const { record } = mergeShards(shards, BENCH_SHARDS);
 *   console.log(record.samples.length, await BENCH_SHARDS.save(record, "results/runs"));
 * }
 * ```
 *
 * @module
 */

import {
  mergedRun,
  type MergeKind,
  mergeSampleSets,
  mixedMachinesVerdict,
  type ShardRecord,
  suiteShardRecord,
} from "./merge.ts";
import type { BenchRecord, BenchUnitEntry, MergedInfo } from "./record.ts";
import { saveRecord } from "./store.ts";

/** A cell of the grid: a case on a version. */
function cellKey(version: string, benchmark: string): string {
  return JSON.stringify([version, benchmark]);
}

/** Every cell of the plan, version by version, cases in the harness's order. */
function planCells(record: BenchRecord): string[] {
  return record.versions.flatMap((v) => record.body.cases.map((c) => cellKey(v.name, c.name)));
}

/**
 * The shards of `bench --shard K/N`: units are the sample sets (a case on a version); the
 * merged record holds them in plan order, the units each shard measured (with its index),
 * and `body.merged`.
 *
 * @example
 * ```ts
 * import { BENCH_SHARDS } from "./bench_merge.ts";
 * console.log(BENCH_SHARDS.accept({ kind: "bench", body: {} }, "bench-x.json")); // undefined
 * console.log(BENCH_SHARDS.describeUnit('["v1","core/dup-30"]')); // core/dup-30 on v1
 * ```
 */
export const BENCH_SHARDS: MergeKind<BenchRecord> = {
  name: "bench",
  accept(value, path) {
    const record = suiteShardRecord<BenchRecord>(value, path, "bench");
    if (!record) return undefined;
    const interrupted = record.body.interrupted;
    return {
      path,
      id: record.id,
      shard: record.body.shard!,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      suiteCommit: record.environment.suiteCommit,
      ...(interrupted
        ? {
          unfinished: `was interrupted by ${interrupted.signal} after ${interrupted.unitsKept} ` +
            `of ${interrupted.unitsPlanned ?? "its"} units: resume it (${
              interrupted.resume ?? `deno task bench … --resume ${path}`
            }) and merge again`,
        }
        : {}),
      record,
    };
  },
  units: (record) => record.samples.map((s) => cellKey(s.version, s.benchmark)),
  planUnits: planCells,
  describeUnit(key) {
    const [version, benchmark] = JSON.parse(key) as [string, string];
    return `${benchmark} on ${version}`;
  },
  merge(shards: readonly ShardRecord<BenchRecord>[], info: MergedInfo): BenchRecord {
    const first = shards[0].record;
    const order = new Map(planCells(first).map((key, i) => [key, i]));
    const { samples } = mergeSampleSets(
      shards.map((s) => ({ machine: s.shard.machine, samples: s.record.samples })),
    );
    samples.sort((a, b) =>
      order.get(cellKey(a.version, a.benchmark))! - order.get(cellKey(b.version, b.benchmark))!
    );
    const mixed = mixedMachinesVerdict(samples);
    const notes = mixed ? [...info.notes, mixed.summary] : [...info.notes];
    const versionOrder = new Map(first.versions.map((v, i) => [v.name, i]));
    const units: BenchUnitEntry[] = shards
      .flatMap((s) => (s.record.body.units ?? []).map((u) => ({ ...u, shard: s.shard.index })))
      .sort((a, b) =>
        a.round - b.round || versionOrder.get(a.version)! - versionOrder.get(b.version)! ||
        a.shard - b.shard
      );
    // A shard's resume is its own affair: the merged record resumed nothing.
    const {
      shard: _shard,
      resumedFrom: _resumed,
      unitsReused: _reused,
      ...parameters
    } = first.parameters;
    const { shard: _own, interrupted: _interrupted, ...body } = first.body;
    return {
      ...first,
      ...mergedRun("bench", shards),
      parameters: { ...parameters, shards: info.count },
      seeds: [...new Set(shards.flatMap((s) => s.record.seeds))].sort((a, b) => a - b),
      samples,
      verdicts: [...first.verdicts, ...(mixed ? [mixed] : [])],
      body: { ...body, units, merged: { ...info, notes } },
    };
  },
  save: (merged, dir) => saveRecord(merged, dir),
};
