/**
 * Merging the shards of `fuzz --shard K/N --max-cases M`: the N files (`fuzz-<id>.json`),
 * each holding the cases one shard ran, become one file of the whole campaign: the union of
 * their cases, every failure, and the first failing case in seed order, the one an unsharded
 * campaign stops at.
 *
 * The units are the campaign's cases, by seed (`firstSeed` .. `firstSeed + M - 1`). A shard
 * stops at its own first failure; the cases it leaves after that one lie beyond the whole
 * campaign's first failure too (which is at most its own), so an unsharded campaign would not
 * have run them either: they count as the shard's, done. A shard that ran out of `--time`
 * before its cases were done, or was interrupted, is refused in one line.
 *
 * @example
 * ```ts
 * import { FUZZ_SHARDS } from "./merge.ts";
 * import { mergeShards, readShards } from "../../results/merge.ts";
 * async function usage(dir: string): Promise<void> {
 *   const { shards } = await readShards([dir], [FUZZ_SHARDS]);
 *   const { record } = mergeShards(shards, FUZZ_SHARDS);
 *   console.log(record.found?.seed, await FUZZ_SHARDS.save(record, "results/runs"));
 * }
 * ```
 *
 * @module
 */

import { MergeError, type MergeKind, type ShardRecord } from "../../results/merge.ts";
import { type MergedInfo, newRecordId } from "../../results/record.ts";
import { saveRunFile } from "../../results/store.ts";
import { ownsUnit } from "../shard.ts";
import type { FuzzRun } from "./campaign.ts";

/** What is wrong with a fuzz shard file's shape, or `undefined` when nothing is. */
function flaw(value: { readonly [key: string]: unknown }): string | undefined {
  const shard = value.shard as { readonly [key: string]: unknown } | null;
  if (typeof shard !== "object" || shard === null) return "shard is not an object";
  for (const key of ["index", "count", "units", "planUnits"]) {
    if (!Number.isInteger(shard[key])) return `shard.${key} is not a whole number`;
  }
  for (const key of ["plan", "machine"]) {
    if (typeof shard[key] !== "string") return `shard.${key} is not a string`;
  }
  for (const key of ["id", "startedAt", "endedAt", "version", "stressor"]) {
    if (typeof value[key] !== "string") return `${key} is not a string`;
  }
  for (const key of ["firstSeed", "cases", "reused"]) {
    if (!Number.isInteger(value[key])) return `${key} is not a whole number`;
  }
  const seeds = value.seeds;
  if (!Array.isArray(seeds) || seeds.some((s) => !Number.isInteger(s))) {
    return "seeds is not a list of whole numbers";
  }
  const failures = value.failures;
  if (
    !Array.isArray(failures) ||
    failures.some((f) => !Number.isInteger(f?.seed) || typeof f?.signature !== "string")
  ) {
    return "failures is not a list of seeds with signatures";
  }
  const parameters = value.parameters as { readonly [key: string]: unknown } | null;
  if (typeof parameters !== "object" || parameters === null) return "parameters is not an object";
  if (!Number.isInteger(parameters.maxCases)) return "parameters.maxCases is not a whole number";
  return undefined;
}

/** The seeds of the whole campaign. */
function planSeeds(run: FuzzRun): number[] {
  const count = Number(run.parameters.maxCases);
  return Array.from({ length: count }, (_, k) => run.firstSeed + k);
}

/** The lowest failing seed of a run, if any. */
function firstFailure(run: FuzzRun): { seed: number; signature: string } | undefined {
  return [...run.failures].sort((a, b) => a.seed - b.seed)[0];
}

/**
 * The shards of `fuzz --shard K/N`: units are the campaign's cases by seed (a shard's include
 * those after its own first failure, which no campaign runs); the merged file holds the union
 * of the cases, every failure in seed order, `found` (the first) and `merged`.
 *
 * @example
 * ```ts
 * import { FUZZ_SHARDS } from "./merge.ts";
 * console.log(FUZZ_SHARDS.accept({ kind: "fuzz", seeds: [] }, "fuzz-x.json")); // undefined
 * console.log(FUZZ_SHARDS.describeUnit("64")); // the case of seed 64
 * ```
 */
export const FUZZ_SHARDS: MergeKind<FuzzRun> = {
  name: "fuzz",
  accept(value, path) {
    const v = value as { readonly [key: string]: unknown } | null;
    if (v === null || typeof v !== "object" || v.kind !== "fuzz" || v.shard === undefined) {
      return undefined;
    }
    const wrong = flaw(v);
    if (wrong !== undefined) {
      throw new MergeError(`${path} is not a whole fuzz shard file: ${wrong}`);
    }
    const run = v as unknown as FuzzRun;
    const shard = run.shard!;
    const unfinished = run.interrupted
      ? `was interrupted by ${run.interrupted.signal} after ${run.cases} cases: resume it (${
        run.interrupted.resume ?? `deno task fuzz … --resume ${path}`
      }) and merge again`
      : run.timedOut
      ? `ran out of --time after ${run.cases} cases, before its share of the campaign was ` +
        `done: run it again with a longer --time, or none`
      : undefined;
    return {
      path,
      id: run.id,
      shard,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      suiteCommit: null,
      ...(unfinished !== undefined ? { unfinished } : {}),
      record: run,
    };
  },
  units(run) {
    const ran = new Set(run.seeds);
    const stop = firstFailure(run);
    const shard = run.shard;
    // Cases after the shard's own first failure are past the campaign's first failure too.
    const skipped = stop && shard
      ? planSeeds(run).filter((seed, k) => ownsUnit(shard, k) && seed > stop.seed && !ran.has(seed))
      : [];
    return [...run.seeds, ...skipped].map(String);
  },
  planUnits: (run) => planSeeds(run).map(String),
  describeUnit: (seed) => `the case of seed ${seed}`,
  merge(shards: readonly ShardRecord<FuzzRun>[], info: MergedInfo): FuzzRun {
    const first = shards[0].record;
    const seeds = [...new Set(shards.flatMap((s) => s.record.seeds))].sort((a, b) => a - b);
    const failures = shards.flatMap((s) => s.record.failures).sort((a, b) => a.seed - b.seed);
    const startedAt = shards.map((s) => s.startedAt).sort()[0];
    const endedAt = shards.map((s) => s.endedAt).sort().at(-1)!;
    // The time limit only capped each shard; the plan is the cases.
    const { shard: _shard, timeMs: _time, ...parameters } = first.parameters;
    return {
      kind: "fuzz",
      id: newRecordId("fuzz", new Date(startedAt)),
      startedAt,
      endedAt,
      version: first.version,
      stressor: first.stressor,
      firstSeed: first.firstSeed,
      cases: seeds.length,
      reused: shards.reduce((n, s) => n + s.record.reused, 0),
      seeds,
      failures,
      parameters,
      ...(failures[0] ? { found: failures[0] } : {}),
      merged: info,
    };
  },
  save: (merged, dir) => saveRunFile(merged, merged.id, dir),
};
