/**
 * Merging shards: the N records of a run split with `--shard K/N` become one record that
 * `history`, `compare`, `report` and `export` read like any other.
 *
 * Before anything is joined the shards are checked, each problem refused in one line: an
 * unfinished (interrupted) shard, a record of another plan, shards of different splits (3 and
 * 4), a shard given twice, a shard missing, and then unit by unit: a unit held by two shards,
 * or by none. Only records are read, never the code that wrote them.
 *
 * A kind of sharded run is a {@linkcode MergeKind}: how to recognise its shard records, name
 * their units, join them and save the result. {@linkcode BISECT_EXHAUSTIVE} is the first; a
 * bench, mutate or fuzz kind is another object of the same shape, handed to
 * {@linkcode readShards} and {@linkcode mergeShards} beside it.
 *
 * Performance figures of different machines are never made one series:
 * {@linkcode mergeSampleSets} joins the samples of one machine and, when the shards ran on
 * several, keeps each set apart with its `machine`, and the merge adds a verdict that says so.
 *
 * @example
 * ```ts
 * import { BISECT_EXHAUSTIVE, mergeShards, readShards } from "./merge.ts";
 * async function usage(dir: string): Promise<void> {
 *   const { kind, shards } = await readShards([dir], [BISECT_EXHAUSTIVE]);
 *   const { record, info } = mergeShards(shards, kind);
 *   console.log(info.count, await kind.save(record, "results/runs"));
 * }
 * ```
 *
 * @module
 */

import { join } from "node:path";
import {
  type BisectRecord,
  type JsonValue,
  type MergedInfo,
  type MergedShard,
  newRecordId,
  type ProbeEntry,
  type SampleSet,
  type ShardInfo,
  type SuiteRecord,
  type Verdict,
} from "./record.ts";
import { saveRecord } from "./store.ts";
import { validateRecord } from "./validate.ts";

/**
 * Shards that cannot be merged: one line naming the problem (the command exits 2).
 *
 * @example
 * ```ts
 * import { MergeError } from "./merge.ts";
 * console.log(new MergeError("shard 2/3 missing").name); // UsageError
 * ```
 */
export class MergeError extends Error {
  // The commands' runner treats errors named so as the user's: one line, usage exit code.
  override name = "UsageError";
}

/** One shard's record as a merge sees it. */
export interface ShardRecord<T> {
  /** The file it came from. */
  readonly path: string;
  /** The record's id: two files with one id are one record. */
  readonly id: string;
  readonly shard: ShardInfo;
  readonly startedAt: string;
  readonly endedAt: string;
  /** The suite's commit that ran it, when known. */
  readonly suiteCommit: string | null;
  /** Why the shard cannot be merged as it is (it was interrupted), if so. */
  readonly unfinished?: string;
  readonly record: T;
}

/** A kind of sharded run: how to read, check, join and save its records. */
export interface MergeKind<T> {
  /** Named in messages, e.g. `bisect --exhaustive`. */
  readonly name: string;
  /**
   * The shard a parsed file holds, `undefined` when it is no shard of this kind; throws
   * {@linkcode MergeError} for a shard of this kind that is malformed.
   */
  readonly accept: (value: unknown, path: string) => ShardRecord<T> | undefined;
  /** A key for each unit the shard ran. */
  readonly units: (record: T) => readonly string[];
  /** The keys of every unit of the whole plan, as any one shard of it states the plan. */
  readonly planUnits: (record: T) => readonly string[];
  /** A unit key as a person reads it. */
  readonly describeUnit: (key: string) => string;
  /** The one record of checked shards (1..N of one plan, in order). */
  readonly merge: (shards: readonly ShardRecord<T>[], info: MergedInfo) => T;
  /** Write the merged record into `dir`; its path. */
  readonly save: (merged: T, dir: string) => Promise<string>;
}

/** What {@linkcode readShards} found. */
export interface ReadShards<T> {
  readonly kind: MergeKind<T>;
  readonly shards: readonly ShardRecord<T>[];
  /** Files in the folders given that are no shard records (other runs, merged records). */
  readonly ignored: readonly string[];
}

/**
 * Read shard records from files and folders (every `*.json` of a folder; files that are no
 * shards are ignored there, refused when named). `plan` keeps only the shards of the plan
 * whose hash starts with it (with or without `sha256:`), for a folder of several runs.
 *
 * @example
 * ```ts
 * import { BISECT_EXHAUSTIVE, readShards } from "./merge.ts";
 * try {
 *   await readShards(["no/such/folder"], [BISECT_EXHAUSTIVE]);
 * } catch (error) {
 *   console.log((error as Error).message); // no such file or folder: no/such/folder
 * }
 * ```
 */
export async function readShards<T>(
  paths: readonly string[],
  kinds: readonly MergeKind<T>[],
  options: { readonly plan?: string; readonly warn?: (message: string) => void } = {},
): Promise<ReadShards<T>> {
  if (paths.length === 0) throw new MergeError("give the shard records, or a folder of them");
  const warn = options.warn ?? ((m: string) => console.error(m));
  const files: { path: string; named: boolean }[] = [];
  for (const path of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch {
      throw new MergeError(`no such file or folder: ${path}`);
    }
    if (info.isDirectory) {
      const names: string[] = [];
      for await (const entry of Deno.readDir(path)) {
        if (entry.isFile && entry.name.endsWith(".json") && !entry.name.startsWith(".")) {
          names.push(entry.name);
        }
      }
      for (const name of names.sort()) files.push({ path: join(path, name), named: false });
    } else {
      files.push({ path, named: true });
    }
  }
  const found: { kind: MergeKind<T>; shard: ShardRecord<T> }[] = [];
  const ignored: string[] = [];
  for (const file of files) {
    let value: unknown;
    try {
      value = JSON.parse(await Deno.readTextFile(file.path));
    } catch (error) {
      const said = `${file.path} is not a JSON record (${(error as Error).message.split("\n")[0]})`;
      if (file.named) throw new MergeError(said);
      warn(`merge: skipping ${said}`);
      ignored.push(file.path);
      continue;
    }
    let accepted: { kind: MergeKind<T>; shard: ShardRecord<T> } | undefined;
    for (const kind of kinds) {
      const shard = kind.accept(value, file.path);
      if (shard) {
        accepted = { kind, shard };
        break;
      }
    }
    if (accepted) found.push(accepted);
    else if (file.named) {
      throw new MergeError(
        `${file.path} is not a shard record: merge takes the records of runs with --shard K/N`,
      );
    } else ignored.push(file.path);
  }
  const wanted = options.plan?.replace(/^sha256:/, "");
  const kept = wanted === undefined
    ? found
    : found.filter((f) => f.shard.shard.plan.slice(7).startsWith(wanted));
  if (kept.length === 0) {
    throw new MergeError(
      wanted === undefined
        ? `no shard records in ${paths.join(", ")}`
        : `no shard records of plan ${wanted} in ${paths.join(", ")}`,
    );
  }
  const other = kept.find((f) => f.kind !== kept[0].kind);
  if (other) {
    throw new MergeError(
      `${kept[0].shard.path} is a ${kept[0].kind.name} shard but ${other.shard.path} a ` +
        `${other.kind.name} one: merge one plan at a time`,
    );
  }
  return { kind: kept[0].kind, shards: kept.map((f) => f.shard), ignored };
}

/** `sha256:0123456789ab…` → `0123456789ab`. */
function shortPlan(plan: string): string {
  return plan.replace(/^sha256:/, "").slice(0, 12);
}

function said(shard: { readonly index: number; readonly count: number }): string {
  return `${shard.index}/${shard.count}`;
}

/**
 * Check that the shards make one whole plan; the shards in order 1..N (a record given twice
 * under one id counted once, an interrupted record left out when the finished record of its
 * resumed run is there) and what the merged record says about them. Throws
 * {@linkcode MergeError} naming the first problem.
 *
 * @example
 * ```ts
 * import { BISECT_EXHAUSTIVE, checkShards } from "./merge.ts";
 * try {
 *   checkShards([], BISECT_EXHAUSTIVE);
 * } catch (error) {
 *   console.log((error as Error).message); // no shard records to merge
 * }
 * ```
 */
export function checkShards<T>(
  given: readonly ShardRecord<T>[],
  kind: MergeKind<T>,
): { shards: ShardRecord<T>[]; info: MergedInfo; superseded: string[] } {
  if (given.length === 0) throw new MergeError("no shard records to merge");
  const byId = new Map<string, ShardRecord<T>>();
  for (const s of given) if (!byId.has(s.id)) byId.set(s.id, s);
  const same = (a: ShardRecord<T>, b: ShardRecord<T>) =>
    a.shard.plan === b.shard.plan && a.shard.index === b.shard.index &&
    a.shard.count === b.shard.count;
  // A resumed shard leaves its interrupted record beside the finished one: the finished
  // record holds every probe the interrupted one kept, so the latter is superseded.
  const isSuperseded = (s: ShardRecord<T>) =>
    s.unfinished !== undefined &&
    [...byId.values()].some((t) => t.unfinished === undefined && same(s, t));
  const shards = [...byId.values()].filter((s) => !isSuperseded(s));
  const superseded = [...byId.values()].filter(isSuperseded).map((s) => s.path);

  const unfinished = shards.find((s) => s.unfinished !== undefined);
  if (unfinished) {
    throw new MergeError(
      `shard ${said(unfinished.shard)} (${unfinished.path}) ${unfinished.unfinished}`,
    );
  }

  const plans = new Map<string, ShardRecord<T>[]>();
  for (const s of shards) plans.set(s.shard.plan, [...(plans.get(s.shard.plan) ?? []), s]);
  if (plans.size > 1) {
    const ranked = [...plans.entries()].sort((a, b) => b[1].length - a[1].length);
    const [main, rest] = [ranked[0], ranked.slice(1)];
    const foreign = rest[0][1][0];
    if (main[1].length > rest[0][1].length) {
      throw new MergeError(
        `${foreign.path} belongs to another plan (${shortPlan(foreign.shard.plan)}, the ` +
          `other ${main[1].length} shard(s) ${shortPlan(main[0])}): merge one plan at a time ` +
          `(--plan PREFIX picks one)`,
      );
    }
    throw new MergeError(
      `the records belong to ${plans.size} plans (${
        ranked.map(([plan, list]) => `${shortPlan(plan)} in ${list[0].path}`).join(", ")
      }): merge one plan at a time (--plan PREFIX picks one)`,
    );
  }

  const mixed = shards.find((s) => s.shard.count !== shards[0].shard.count);
  if (mixed) {
    throw new MergeError(
      `${shards[0].path} is shard ${said(shards[0].shard)} but ${mixed.path} is shard ` +
        `${said(mixed.shard)}: the shards of one merge come from one split into N`,
    );
  }

  const count = shards[0].shard.count;
  const byIndex = new Map<number, ShardRecord<T>>();
  for (const s of shards) {
    const twin = byIndex.get(s.shard.index);
    if (twin) {
      throw new MergeError(
        `shard ${said(s.shard)} given twice: ${twin.path} and ${s.path} (two runs of one shard)`,
      );
    }
    byIndex.set(s.shard.index, s);
  }
  const missing: string[] = [];
  for (let k = 1; k <= count; k++) if (!byIndex.has(k)) missing.push(`${k}/${count}`);
  if (missing.length > 0) {
    const have = [...byIndex.keys()].sort((a, b) => a - b).map((k) => `${k}/${count}`);
    throw new MergeError(
      `${missing.length === 1 ? "shard" : "shards"} ${missing.join(", ")} missing (given: ${
        have.join(", ")
      })`,
    );
  }
  const ordered = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);

  const plan = new Set(kind.planUnits(ordered[0].record));
  const holder = new Map<string, number>();
  for (const s of ordered) {
    for (const unit of kind.units(s.record)) {
      if (!plan.has(unit)) {
        throw new MergeError(
          `shard ${said(s.shard)} (${s.path}) holds ${kind.describeUnit(unit)}, which is not ` +
            `in the plan`,
        );
      }
      const other = holder.get(unit);
      if (other !== undefined) {
        throw new MergeError(
          `${kind.describeUnit(unit)} is in shard ${other}/${count} and in shard ` +
            `${said(s.shard)}: the shards were not split alike`,
        );
      }
      holder.set(unit, s.shard.index);
    }
  }
  const lacking = [...plan].filter((u) => !holder.has(u));
  if (lacking.length > 0) {
    throw new MergeError(
      `${kind.describeUnit(lacking[0])} is in no shard (${lacking.length} of ${plan.size} ` +
        `units missing)`,
    );
  }

  const machines = [...new Set(ordered.map((s) => s.shard.machine))];
  const commits = [...new Set(ordered.map((s) => s.suiteCommit ?? "unknown"))];
  const notes: string[] = [];
  if (commits.length > 1) {
    notes.push(
      `the shards ran ${commits.length} commits of the suite: ${
        ordered.map((s) => `${said(s.shard)} ${(s.suiteCommit ?? "unknown").slice(0, 12)}`)
          .join(", ")
      }`,
    );
  }
  const shardsInfo: MergedShard[] = ordered.map((s) => ({
    index: s.shard.index,
    id: s.id,
    machine: s.shard.machine,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    units: s.shard.units,
    suiteCommit: s.suiteCommit,
  }));
  return {
    shards: ordered,
    info: { plan: ordered[0].shard.plan, count, shards: shardsInfo, machines, notes },
    superseded,
  };
}

/**
 * Check the shards ({@linkcode checkShards}) and join them into one record; `superseded`
 * lists the interrupted records left out because their resumed runs are there.
 *
 * @example
 * ```ts
 * import { BISECT_EXHAUSTIVE, mergeShards } from "./merge.ts";
 * try {
 *   mergeShards([], BISECT_EXHAUSTIVE);
 * } catch (error) {
 *   console.log((error as Error).message); // no shard records to merge
 * }
 * ```
 */
export function mergeShards<T>(
  given: readonly ShardRecord<T>[],
  kind: MergeKind<T>,
): { record: T; info: MergedInfo; superseded: string[] } {
  const { shards, info, superseded } = checkShards(given, kind);
  const record = kind.merge(shards, info);
  return { record, info, superseded };
}

/**
 * Join the sample sets of shards. Shards of one machine: the values of a benchmark on a
 * version become one set, in shard order. Shards of several machines: every set stays apart
 * and names its `machine`, since figures of different machines are no one series.
 *
 * @example
 * ```ts
 * import { mergeSampleSets } from "./merge.ts";
 * const set = { benchmark: "b", version: "v1", unit: "ns/op", better: "lower" as const };
 * const one = mergeSampleSets([
 *   { machine: "m", samples: [{ ...set, values: [1, 2] }] },
 *   { machine: "m", samples: [{ ...set, values: [3] }] },
 * ]);
 * console.log(one.samples[0].values, one.machines); // [1, 2, 3] ["m"]
 * const two = mergeSampleSets([
 *   { machine: "a", samples: [{ ...set, values: [1] }] },
 *   { machine: "b", samples: [{ ...set, values: [3] }] },
 * ]);
 * console.log(two.samples.map((s) => s.machine)); // ["a", "b"]
 * ```
 */
export function mergeSampleSets(
  parts: readonly { readonly machine: string; readonly samples: readonly SampleSet[] }[],
): { samples: SampleSet[]; machines: string[] } {
  const machines = [...new Set(parts.filter((p) => p.samples.length > 0).map((p) => p.machine))];
  if (machines.length > 1) {
    const samples = parts.flatMap((p) => p.samples.map((s) => ({ ...s, machine: p.machine })));
    return { samples, machines };
  }
  const joined = new Map<string, SampleSet>();
  for (const part of parts) {
    for (const s of part.samples) {
      const key = JSON.stringify([s.benchmark, s.version, s.unit, s.better]);
      const was = joined.get(key);
      joined.set(
        key,
        was
          ? {
            ...was,
            values: [...was.values, ...s.values],
            ...(was.error ?? s.error ? { error: was.error ?? s.error } : {}),
          }
          : s,
      );
    }
  }
  return { samples: [...joined.values()], machines };
}

/**
 * The verdict a merged record carries when its performance figures come from more than one
 * machine, so that no reader takes them for one comparison; `undefined` otherwise.
 *
 * @example
 * ```ts
 * import { mixedMachinesVerdict } from "./merge.ts";
 * const set = { benchmark: "b", version: "v1", unit: "ns/op", better: "lower" as const, values: [1] };
 * const v = mixedMachinesVerdict([{ ...set, machine: "a" }, { ...set, version: "v2", machine: "b" }]);
 * console.log(v?.verdict); // mixed-machines
 * ```
 */
export function mixedMachinesVerdict(samples: readonly SampleSet[]): Verdict | undefined {
  const machines = [...new Set(samples.map((s) => s.machine).filter((m) => m !== undefined))];
  if (machines.length < 2) return undefined;
  const perMachine: { [machine: string]: JsonValue } = {};
  for (const m of machines) {
    perMachine[m] = samples.filter((s) => s.machine === m).map((s) =>
      `${s.benchmark} [${s.version}]`
    );
  }
  return {
    subject: "machines",
    verdict: "mixed-machines",
    version: null,
    summary: `performance figures come from ${machines.length} machines; each sample set ` +
      `names its machine, and a comparison of sets from different machines measures the ` +
      `machines too`,
    evidence: { machines, sets: perMachine },
  };
}

/**
 * The fields of a merged record that come from all its shards: a new id, the span from the
 * first start to the last end, and the environment of the first shard, dirty when any was.
 *
 * @example
 * ```ts
 * import { mergedRun } from "./merge.ts";
 * console.log(typeof mergedRun); // function
 * ```
 */
export function mergedRun<R extends SuiteRecord>(
  kind: R["kind"],
  shards: readonly ShardRecord<R>[],
): Pick<R, "id" | "environment" | "startedAt" | "endedAt"> {
  const first = shards[0].record;
  const startedAt = shards.map((s) => s.startedAt).sort()[0];
  return {
    id: newRecordId(kind, new Date(startedAt)),
    environment: {
      ...first.environment,
      suiteDirty: shards.some((s) => s.record.environment.suiteDirty === true)
        ? true
        : first.environment.suiteDirty,
    },
    startedAt,
    endedAt: shards.map((s) => s.endedAt).sort().at(-1)!,
  } as Pick<R, "id" | "environment" | "startedAt" | "endedAt">;
}

/**
 * `value` as a suite record of `kind` that carries `body.shard`, or `undefined` when it is
 * another kind or no shard; a shard record that breaks the schema is refused in one line.
 *
 * @example
 * ```ts
 * import { suiteShardRecord } from "./merge.ts";
 * console.log(suiteShardRecord({ kind: "bench", body: {} }, "x.json", "bench")); // undefined
 * ```
 */
export function suiteShardRecord<R extends SuiteRecord>(
  value: unknown,
  path: string,
  kind: R["kind"],
): R | undefined {
  const v = value as { kind?: unknown; body?: { shard?: unknown } } | null;
  if (v === null || typeof v !== "object" || v.kind !== kind) return undefined;
  if (typeof v.body !== "object" || v.body === null || v.body.shard === undefined) {
    return undefined;
  }
  const validation = validateRecord(value);
  if (!validation.ok) {
    throw new MergeError(
      `${path} does not match the record schema: ${validation.errors.slice(0, 2).join("; ")}`,
    );
  }
  return validation.record as R;
}

/** The key of one exhaustive cell: version and probe. */
function cellKey(
  version: string,
  p: { readonly stressor: unknown; readonly layout: unknown; readonly seed: unknown },
): string {
  return JSON.stringify([version, String(p.stressor), String(p.layout), Number(p.seed)]);
}

/** The crash matrix an exhaustive record states in its parameters. */
function crashMatrixOf(record: BisectRecord): { stressor: string; layout: string; seed: number }[] {
  const raw = record.parameters.crashMatrix;
  return (Array.isArray(raw) ? raw : []).map((c) => {
    const p = c as { readonly [key: string]: JsonValue };
    return { stressor: String(p.stressor), layout: String(p.layout), seed: Number(p.seed) };
  });
}

function planOrder(record: BisectRecord): string[] {
  const matrix = crashMatrixOf(record);
  return record.versions.flatMap((v) => matrix.map((p) => cellKey(v.name, p)));
}

/**
 * The shards of `bisect --exhaustive --shard K/N`: units are the matrix's cells (version ×
 * probe); the merged record holds every probe in plan order, each with the shard that ran it,
 * and `body.merged` in place of `body.shard`.
 *
 * @example
 * ```ts
 * import { BISECT_EXHAUSTIVE } from "./merge.ts";
 * console.log(BISECT_EXHAUSTIVE.accept({ kind: "bench" }, "x.json")); // undefined
 * console.log(BISECT_EXHAUSTIVE.describeUnit('["v1","fork","glibc",2]')); // v1 × fork glibc seed 2
 * ```
 */
export const BISECT_EXHAUSTIVE: MergeKind<BisectRecord> = {
  name: "bisect --exhaustive",
  accept(value, path) {
    const record = suiteShardRecord<BisectRecord>(value, path, "bisect");
    if (!record) return undefined;
    const shard = record.body.shard!;
    const interrupted = record.body.interrupted as
      | { signal?: string; probesKept?: number }
      | undefined;
    return {
      path,
      id: record.id,
      shard,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      suiteCommit: record.environment.suiteCommit,
      ...(interrupted
        ? {
          unfinished: `was interrupted by ${interrupted.signal ?? "a signal"} after ` +
            `${interrupted.probesKept ?? 0} probes: resume it (deno task bisect … --resume ` +
            `${path}) and merge again`,
        }
        : {}),
      record,
    };
  },
  units: (record) => record.body.probes.map((p) => cellKey(p.version, p)),
  planUnits: planOrder,
  describeUnit(key) {
    const [version, stressor, layout, seed] = JSON.parse(key) as [string, string, string, number];
    return `${version} × ${stressor} ${layout} seed ${seed}`;
  },
  merge(shards, info) {
    const first = shards[0].record;
    const order = new Map(planOrder(first).map((key, i) => [key, i]));
    const probes: ProbeEntry[] = shards
      .flatMap((s) => s.record.body.probes.map((p) => ({ ...p, shard: s.shard.index })))
      .sort((a, b) => order.get(cellKey(a.version, a))! - order.get(cellKey(b.version, b))!);
    const { samples } = mergeSampleSets(
      shards.map((s) => ({ machine: s.shard.machine, samples: s.record.samples })),
    );
    const mixed = mixedMachinesVerdict(samples);
    const notes = mixed ? [...info.notes, mixed.summary] : [...info.notes];
    const number = (x: JsonValue | undefined) => typeof x === "number" ? x : 0;
    const { shard: _shard, ...parameters } = first.parameters;
    const { shard: _own, interrupted: _interrupted, ...body } = first.body;
    return {
      ...first,
      ...mergedRun("bisect", shards),
      parameters: {
        ...parameters,
        // The shards ran side by side: the merged run took as long as its slowest shard.
        wallMs: Math.max(...shards.map((s) => number(s.record.parameters.wallMs))),
        probesRun: shards.reduce((n, s) => n + number(s.record.parameters.probesRun), 0),
        shards: info.count,
      },
      seeds: [...new Set(shards.flatMap((s) => s.record.seeds))].sort((a, b) => a - b),
      samples,
      verdicts: [...first.verdicts, ...(mixed ? [mixed] : [])],
      body: { ...body, probes, merged: { ...info, notes } },
    };
  },
  save: (merged, dir) => saveRecord(merged, dir),
};
