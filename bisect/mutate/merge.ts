/**
 * Merging the shards of `mutate --shard K/N`: the N records, each holding the mutants one
 * shard judged, become one mutate record of the whole sample, as the unsharded run would have
 * written it, with `merged` saying which shards it came from. Counts and the score are
 * recomputed over every mutant; a shard's own are only its share.
 *
 * Every shard ran the unmutated baseline itself. When their baselines disagree (a probe left
 * out on one machine and not another, or time limits derived from different baselines) the
 * mutants were not all judged alike, and the merged record says so in `merged.notes`.
 *
 * @example
 * ```ts
 * import { MUTATE_SHARDS } from "./merge.ts";
 * import { mergeShards, readShards } from "../../results/merge.ts";
 * async function usage(dir: string): Promise<void> {
 *   const { shards } = await readShards([dir], [MUTATE_SHARDS]);
 *   const { record } = mergeShards(shards, MUTATE_SHARDS);
 *   console.log(record.report.score, await MUTATE_SHARDS.save(record, "results/runs"));
 * }
 * ```
 *
 * @module
 */

import { MergeError, type MergeKind, type ShardRecord } from "../../results/merge.ts";
import { type MergedInfo, newRecordId } from "../../results/record.ts";
import type { ProbeCase, ProbeRun } from "../runner.ts";
import { type MutationRecord, type MutationShard, saveMutationRecord } from "./report.ts";
import { type MutantCounts, type MutationReport, scoreOf } from "./run.ts";

const STATUSES = new Set(["killed", "survived", "equivalent", "timeout", "skipped"]);

/** What is wrong with a mutate shard record's shape, or `undefined` when nothing is. */
function flaw(value: { readonly [key: string]: unknown }): string | undefined {
  const shard = value.shard as { readonly [key: string]: unknown } | null;
  if (typeof shard !== "object" || shard === null) return "shard is not an object";
  for (const key of ["index", "count", "units", "planUnits"]) {
    if (typeof shard[key] !== "number") return `shard.${key} is not a number`;
  }
  for (const key of ["plan", "machine"]) {
    if (typeof shard[key] !== "string") return `shard.${key} is not a string`;
  }
  for (const key of ["id", "startedAt", "endedAt"]) {
    if (typeof value[key] !== "string") return `${key} is not a string`;
  }
  const report = value.report as { readonly [key: string]: unknown } | null;
  if (typeof report !== "object" || report === null) return "report is not an object";
  const planned = report.planned;
  if (!Array.isArray(planned) || planned.some((id) => typeof id !== "string")) {
    return "report.planned (the ids of the plan's mutants) is not a list of ids";
  }
  if (!Array.isArray(report.mutants)) return "report.mutants is not a list";
  for (const [i, m] of report.mutants.entries()) {
    const mutant = m as { readonly id?: unknown; readonly status?: unknown } | null;
    if (typeof mutant?.id !== "string" || !STATUSES.has(String(mutant.status))) {
      return `report.mutants[${i}] has no id or no known status`;
    }
  }
  for (const key of ["matrix", "excluded", "files", "kinds"]) {
    if (!Array.isArray(report[key])) return `report.${key} is not a list`;
  }
  if (typeof report.limits !== "object" || report.limits === null) {
    return "report.limits is not an object";
  }
  return undefined;
}

/** The probe an excluded run names. */
function excludedLabel(run: ProbeRun): string {
  return `${run.spec.stressor} ${run.spec.layout} seed ${run.spec.seed}`;
}

/** A probe of the matrix, or the spec of a run of it, as one key. */
function probeKey(p: Pick<ProbeCase, "stressor" | "layout" | "seed" | "ops" | "verify">): string {
  return JSON.stringify([p.stressor, p.layout, p.seed, p.ops, p.verify]);
}

/** `--shard K/N` (or `--shard=K/N`) taken out of a shard's command line. */
function withoutShard(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--shard") i++;
    else if (!args[i].startsWith("--shard=")) kept.push(args[i]);
  }
  return kept;
}

/** What a reader must know about shards whose baselines did not judge alike. */
function baselineNotes(shards: readonly ShardRecord<MutationRecord>[]): string[] {
  const notes: string[] = [];
  const said = (s: ShardRecord<MutationRecord>) => `${s.shard.index}/${s.shard.count}`;
  const limits = shards.map((s) => s.record.report.limits.timeMs);
  if (new Set(limits).size > 1) {
    notes.push(
      `the shards judged mutants under different time limits, each from its own baseline (${
        shards.map((s, i) => `${said(s)} ${limits[i]} ms`).join(", ")
      }); --time-limit MS sets one for all`,
    );
  }
  const left = shards.map((s) => s.record.report.excluded.map(excludedLabel).sort().join(", "));
  if (new Set(left).size > 1) {
    notes.push(
      `the shards left out different probes that fail on the version itself (${
        shards.map((s, i) => `${said(s)}: ${left[i] || "none"}`).join("; ")
      }); a mutant was judged by the probes its shard kept`,
    );
  }
  return notes;
}

/**
 * The shards of `mutate --shard K/N`: units are the sampled mutants, by id; the merged record
 * holds every mutant in plan order, counts and score over all of them, `merged` in place of
 * `shard`, and prints with `formatSummary` like an unsharded run's.
 *
 * @example
 * ```ts
 * import { MUTATE_SHARDS } from "./merge.ts";
 * console.log(MUTATE_SHARDS.accept({ kind: "mutate", report: {} }, "mutate-x.json")); // undefined
 * console.log(MUTATE_SHARDS.describeUnit("m0042")); // mutant m0042
 * ```
 */
export const MUTATE_SHARDS: MergeKind<MutationRecord> = {
  name: "mutate",
  accept(value, path) {
    const v = value as { readonly [key: string]: unknown } | null;
    if (v === null || typeof v !== "object" || v.kind !== "mutate" || v.shard === undefined) {
      return undefined;
    }
    const wrong = flaw(v);
    if (wrong !== undefined) {
      throw new MergeError(`${path} is not a whole mutate shard record: ${wrong}`);
    }
    const record = v as unknown as MutationRecord;
    const shard: MutationShard = record.shard!;
    return {
      path,
      id: record.id,
      shard,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      suiteCommit: shard.suiteCommit ?? null,
      record,
    };
  },
  units: (record) => record.report.mutants.map((m) => m.id),
  planUnits: (record) => record.report.planned ?? [],
  describeUnit: (id) => `mutant ${id}`,
  merge(shards: readonly ShardRecord<MutationRecord>[], info: MergedInfo): MutationRecord {
    const first = shards[0].record;
    const order = new Map((first.report.planned ?? []).map((id, i) => [id, i]));
    const mutants = shards.flatMap((s) => s.record.report.mutants)
      .sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    const counts: MutantCounts = { killed: 0, survived: 0, equivalent: 0, timeout: 0, skipped: 0 };
    for (const m of mutants) counts[m.status]++;
    const excluded = new Map<string, ProbeRun>();
    for (const s of shards) {
      for (const run of s.record.report.excluded) {
        if (!excluded.has(probeKey(run.spec))) excluded.set(probeKey(run.spec), run);
      }
    }
    const slowest = (pick: (r: MutationReport) => number) =>
      Math.max(...shards.map((s) => pick(s.record.report)));
    const { planned: _planned, ...whole } = first.report;
    const report: MutationReport = {
      ...whole,
      excluded: first.report.matrix
        .map((probe) => excluded.get(probeKey(probe)))
        .filter((run) => run !== undefined),
      // Mutants that ran under several limits ran under at most the largest.
      limits: shards.map((s) => s.record.report.limits)
        .reduce((a, b) => (b.timeMs > a.timeMs ? b : a)),
      // The shards ran side by side: the merged run took as long as its slowest shard.
      baselineMs: slowest((r) => r.baselineMs),
      wallMs: slowest((r) => r.wallMs),
      mutants,
      counts,
      score: scoreOf(counts),
    };
    const startedAt = shards.map((s) => s.startedAt).sort()[0];
    const endedAt = shards.map((s) => s.endedAt).sort().at(-1)!;
    return {
      kind: "mutate",
      id: newRecordId("mutate", new Date(startedAt)),
      startedAt,
      endedAt,
      args: withoutShard(first.args),
      report,
      merged: { ...info, notes: [...info.notes, ...baselineNotes(shards)] },
    };
  },
  save: (merged, dir) => Promise.resolve(saveMutationRecord(merged, dir)),
};
