/**
 * The one record envelope that every run of the suite writes: bisect, stress and bench.
 *
 * A record carries what is needed to trust and repeat a run: the suite's git commit, the
 * Deno/V8/TypeScript versions, the machine, start and end time, the versions measured with
 * their manifest hashes, the workload parameters and seeds, the raw samples and the verdicts.
 * What only one kind of run needs lives in `body`. `results/schema.json` is the same shape as
 * a JSON Schema; `validate.ts` checks records against it.
 *
 * This module knows records only, never the code that writes them, so that a report can be
 * drawn from records alone (see the architecture note).
 *
 * @example
 * ```ts
 * import { buildRecord } from "./record.ts";
 * const record = buildRecord({
 *   kind: "stress",
 *   startedAt: new Date(),
 *   versions: [{ name: "head", hash: null }],
 *   parameters: { stressor: "fork", layout: "glibc", ops: 1000 },
 *   seeds: [7],
 *   samples: [{ benchmark: "stress/fork", version: "head", unit: "ops/s", better: "higher", values: [5120] }],
 *   verdicts: [],
 *   body: { stressor: "fork", layout: "glibc", seed: 7, ops: 1000, outcome: "pass", bogoOps: 1000, opsPerSecond: 5120 },
 * });
 * console.log(record.id, record.environment.runtime.deno);
 * ```
 *
 * @module
 */

import { cpus, release, totalmem, type as osType } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The envelope's schema version; bump it when a field changes meaning or becomes required. */
export const SCHEMA_VERSION = 1;

/** The kinds of run that write records. */
export const RECORD_KINDS = ["bisect", "stress", "bench"] as const;

/** A kind of run. */
export type RecordKind = typeof RECORD_KINDS[number];

/** Any JSON value: what parameters and evidence may hold. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** The runtime that ran the suite. */
export interface RuntimeVersions {
  readonly deno: string;
  readonly v8: string;
  readonly typescript: string;
}

/** The machine the run happened on. */
export interface MachineInfo {
  /** CPU model string, e.g. `AMD EPYC 7B13`. */
  readonly cpuModel: string;
  /** Logical cores. */
  readonly cores: number;
  /** Total memory in bytes. */
  readonly memoryBytes: number;
  /** Operating system, e.g. `linux`. */
  readonly os: string;
  /** Kernel or OS release, e.g. `6.1.0-18-amd64`. */
  readonly osRelease: string;
  /** CPU architecture, e.g. `x86_64`. */
  readonly arch: string;
}

/** Where and with what the run happened. */
export interface Environment {
  /** The suite's git commit, or `null` outside a git checkout or before the first commit. */
  readonly suiteCommit: string | null;
  /** Whether the work tree had uncommitted changes (`null` when unknown). */
  readonly suiteDirty: boolean | null;
  readonly runtime: RuntimeVersions;
  readonly machine: MachineInfo;
}

/** A version's git commit, when the version was taken from git (`git:REV`, `--git`). */
export interface CommitRef {
  /** The full object name. */
  readonly sha: string;
  /** Its first 12 hex digits (the version is named `git:<short>`). */
  readonly short: string;
  /** The first line of the commit message. */
  readonly subject: string;
  /** Author date, ISO 8601 with the author's offset. */
  readonly authorDate: string;
  /** Commits on the first-parent line from the root to it: the history's order. */
  readonly position: number;
  /** A tag on the commit (`v6.12`, a kernel release), shown beside the short sha. */
  readonly tag?: string;
}

/** A maple tree version that the run measured. */
export interface VersionRef {
  /** Manifest name, `head`, `git:<sha>`, or the folder path the user gave. */
  readonly name: string;
  /** The manifest's content hash; `null` for head, a commit or a user's folder. */
  readonly hash: string | null;
  /** The manifest's one-line summary (a commit's subject), when known. */
  readonly summary?: string;
  /** The commit, for a version taken from git: what orders it in a history. */
  readonly commit?: CommitRef;
}

/** Which way a figure improves. */
export type Better = "lower" | "higher";

/**
 * Raw samples of one benchmark (or probe series) on one version.
 *
 * `values` holds every sample as measured, never a summary, so that later comparisons can run
 * rank tests on them. `error` marks a benchmark that failed on this version (values may then
 * be empty): compare reports it as newly failing or fixed.
 */
export interface SampleSet {
  /** Benchmark name, e.g. `core/load-random` or `workloads/fork`. */
  readonly benchmark: string;
  readonly version: string;
  /** Unit of `values`, e.g. `ns/op` or `ops/s`. */
  readonly unit: string;
  readonly better: Better;
  readonly values: readonly number[];
  /** Why the benchmark produced no (or partial) samples on this version. */
  readonly error?: string;
  /**
   * The machine that measured them, set by a merge of shards that ran on more than one
   * machine (see {@linkcode MergedInfo}): figures of different machines are not one series.
   */
  readonly machine?: string;
}

/**
 * A conclusion the run reached, with its evidence.
 *
 * `evidence` is free-form JSON shown as key/value pairs in the report; bisect runs put the
 * failing probe's message, top frames, layout, seed and a reproducing command there.
 */
export interface Verdict {
  /** What was judged, e.g. `crash`, `perf` or a benchmark name. */
  readonly subject: string;
  /** The conclusion, e.g. `first-bad`, `no-regression`, `inconclusive`, `pass`. */
  readonly verdict: string;
  /** The version the conclusion names (the first bad one), or `null`. */
  readonly version: string | null;
  /** The last version known good, when the conclusion has one. */
  readonly lastGood?: string | null;
  /** One line a person reads first. */
  readonly summary: string;
  /** Supporting facts. */
  readonly evidence: { readonly [key: string]: JsonValue };
}

/**
 * How a run that was stopped by a signal ended (`body.interrupted`): what it kept and how to
 * go on. A bisect's mark names its probes instead (`probesKept`, `mode`).
 *
 * @example
 * ```ts
 * import type { Interruption } from "./record.ts";
 * const mark: Interruption = { signal: "SIGINT", unitsKept: 3, unitsPlanned: 6, unit: "version-round" };
 * ```
 */
export interface Interruption {
  /** `SIGINT` or `SIGTERM`. */
  readonly signal: string;
  /** Units finished and kept (bench: one version measured in one round). */
  readonly unitsKept: number;
  /** Units the whole run would have finished, when known beforehand. */
  readonly unitsPlanned?: number;
  /** What a unit is, e.g. `version-round`. */
  readonly unit?: string;
  /** The journal that holds the finished units, for `--resume`. */
  readonly journal?: string;
  /** The command that resumes the run. */
  readonly resume?: string;
}

/** One unit of a bench run: a version measured in one round, in one child process. */
export interface BenchUnitEntry {
  readonly version: string;
  readonly round: number;
  /** ISO 8601 UTC. */
  readonly finishedAt: string;
  /** Taken from the journal of an interrupted run rather than measured by this one. */
  readonly reused?: boolean;
  /** In a record merged from shards: the shard that measured it. */
  readonly shard?: number;
}

/** Body of a `bench` record. */
export interface BenchBody {
  /** The mitata version that measured. */
  readonly harness: string;
  /** Whether the short `--quick` settings were used. */
  readonly quick: boolean;
  /** The cases that ran, with their group (`core` or `workloads`). */
  readonly cases: readonly {
    readonly name: string;
    readonly group: string;
    readonly unit: string;
  }[];
  /** The units measured (or reused), in the order they finished. */
  readonly units?: readonly BenchUnitEntry[];
  /** Present when a signal stopped the run: its samples are those of the finished units. */
  readonly interrupted?: Interruption;
  /** Set when the record holds one shard of a run (`bench --shard K/N`). */
  readonly shard?: ShardInfo;
  /** Set when the record was merged from shards. */
  readonly merged?: MergedInfo;
}

/** Body of a `stress` record: one stressor run, with stress-ng's metrics. */
export interface StressBody {
  readonly stressor: string;
  readonly layout: string;
  readonly seed: number;
  readonly ops: number;
  /** How the run ended (`pass`, `crash`, `invalid`, `wrong`, `leak`, ...). */
  readonly outcome: string;
  readonly bogoOps: number;
  readonly opsPerSecond: number;
  readonly [extra: string]: unknown;
}

/** One probe of a bisect, as the record keeps it. */
export interface ProbeEntry {
  readonly version: string;
  readonly stressor: string;
  readonly layout: string;
  readonly seed: number;
  /** `pass`, `crash`, `hang`, `oom`, `invalid`, `wrong`, `leak` or `skip`. */
  readonly outcome: string;
  readonly [extra: string]: unknown;
}

/** Which part of a sharded run a record holds (`--shard K/N`, see `bisect/shard.ts`). */
export interface ShardInfo {
  /** K, counted from 1. */
  readonly index: number;
  /** N: how many shards the plan was split into. */
  readonly count: number;
  /** The whole plan's identity (`sha256:…`), the same in every shard of one plan. */
  readonly plan: string;
  /** Units of work (e.g. exhaustive cells) this shard ran. */
  readonly units: number;
  /** Units of the whole plan. */
  readonly planUnits: number;
  /** The machine that ran it: host, CPU model and cores. */
  readonly machine: string;
  /** What named the shard: `--shard`, `MAPLE_SHARD`, `CI_NODE_INDEX/CI_NODE_TOTAL`, … */
  readonly source?: string;
}

/** One shard as a merged record remembers it. */
export interface MergedShard {
  readonly index: number;
  /** The shard record's id. */
  readonly id: string;
  readonly machine: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly units: number;
  /** The suite's commit the shard ran. */
  readonly suiteCommit: string | null;
}

/** What a record merged from shards (`deno task merge`) says about them. */
export interface MergedInfo {
  readonly plan: string;
  readonly count: number;
  /** Every shard, in order 1..N. */
  readonly shards: readonly MergedShard[];
  /** The distinct machines, in shard order. */
  readonly machines: readonly string[];
  /** What a reader must know, e.g. that performance figures come from several machines. */
  readonly notes: readonly string[];
}

/** Body of a `bisect` record. */
export interface BisectBody {
  /** `crash`, `perf` or `exhaustive`. */
  readonly mode: string;
  /** Every probe run, in order. */
  readonly probes: readonly ProbeEntry[];
  /** Set when the record holds one shard of an exhaustive run. */
  readonly shard?: ShardInfo;
  /** Set when the record was merged from shards. */
  readonly merged?: MergedInfo;
  readonly [extra: string]: unknown;
}

/** Fields every record has, whatever its kind. */
export interface RecordEnvelope<K extends RecordKind, B> {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly kind: K;
  /** Unique id, also the file name's stem: `<kind>-<UTC timestamp>-<random>`. */
  readonly id: string;
  readonly environment: Environment;
  /** ISO 8601 UTC. */
  readonly startedAt: string;
  /** ISO 8601 UTC. */
  readonly endedAt: string;
  readonly versions: readonly VersionRef[];
  /** Workload and harness parameters (stressor, layout, ops, limits, flags). */
  readonly parameters: { readonly [key: string]: JsonValue };
  /** Every seed the run used. */
  readonly seeds: readonly number[];
  readonly samples: readonly SampleSet[];
  readonly verdicts: readonly Verdict[];
  readonly body: B;
}

/** A bench record. */
export type BenchRecord = RecordEnvelope<"bench", BenchBody>;
/** A stress record. */
export type StressRecord = RecordEnvelope<"stress", StressBody>;
/** A bisect record. */
export type BisectRecord = RecordEnvelope<"bisect", BisectBody>;

/** Any record the suite writes. */
export type SuiteRecord = BenchRecord | StressRecord | BisectRecord;

/** The body type that goes with a kind. */
export type BodyOf<K extends RecordKind> = Extract<SuiteRecord, { kind: K }>["body"];

/** What {@linkcode buildRecord} needs; the environment is collected when absent. */
export interface RecordInput<K extends RecordKind> {
  readonly kind: K;
  readonly startedAt: Date;
  /** Defaults to now. */
  readonly endedAt?: Date;
  readonly versions: readonly VersionRef[];
  readonly parameters: { readonly [key: string]: JsonValue };
  readonly seeds: readonly number[];
  readonly samples: readonly SampleSet[];
  readonly verdicts: readonly Verdict[];
  readonly body: BodyOf<K>;
  readonly environment?: Environment;
}

/**
 * Assemble a record: stamps the schema version, a fresh id and the environment.
 *
 * @example
 * ```ts
 * import { buildRecord } from "./record.ts";
 * const r = buildRecord({
 *   kind: "bench", startedAt: new Date(), versions: [{ name: "head", hash: null }],
 *   parameters: {}, seeds: [], samples: [], verdicts: [],
 *   body: { harness: "mitata@1.0.34", quick: true, cases: [] },
 * });
 * console.log(r.id.startsWith("bench-"));
 * ```
 */
export function buildRecord<K extends RecordKind>(input: RecordInput<K>): Extract<
  SuiteRecord,
  { kind: K }
> {
  const endedAt = input.endedAt ?? new Date();
  const record = {
    schemaVersion: SCHEMA_VERSION,
    kind: input.kind,
    id: newRecordId(input.kind, input.startedAt),
    environment: input.environment ?? collectEnvironment(),
    startedAt: input.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    versions: input.versions,
    parameters: input.parameters,
    seeds: input.seeds,
    samples: input.samples,
    verdicts: input.verdicts,
    body: input.body,
  };
  return record as unknown as Extract<SuiteRecord, { kind: K }>;
}

/**
 * A unique record id: kind, compact UTC time (sortable) and 48 random bits, so two runs that
 * start in the same millisecond still get different names. Fuzz campaigns and mutation runs,
 * which write files of their own beside the records, name them the same way.
 *
 * @example
 * ```ts
 * import { newRecordId } from "./record.ts";
 * console.log(newRecordId("bench", new Date(0))); // bench-19700101T000000000Z-<12 hex>
 * ```
 */
export function newRecordId(
  kind: RecordKind | "fuzz" | "mutate",
  at: Date = new Date(),
): string {
  const stamp = at.toISOString().replace(/[-:.]/g, "");
  const random = crypto.getRandomValues(new Uint8Array(6));
  const hex = Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${kind}-${stamp}-${hex}`;
}

/**
 * A short name for a run, for legends and column titles: start time and the id's random tail.
 *
 * @example
 * ```ts
 * import { runLabel } from "./record.ts";
 * console.log(runLabel("bench-20261126T233350184Z-5f0bf1dcd901", "2026-11-26T23:33:50.184Z")); // 11-26 23:33:50 d901
 * ```
 */
export function runLabel(id: string, startedAt: string): string {
  return `${startedAt.slice(5, 10)} ${startedAt.slice(11, 19)} ${id.slice(-4)}`;
}

/** The suite's root folder (the parent of `results/`). */
export const SUITE_ROOT: string = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Collect the environment: git commit, runtime versions and the machine.
 * Never throws: what cannot be found becomes `null` or `"unknown"`.
 *
 * @example
 * ```ts
 * import { collectEnvironment } from "./record.ts";
 * const env = collectEnvironment();
 * console.log(env.machine.cores, env.runtime.v8);
 * ```
 */
export function collectEnvironment(root: string = SUITE_ROOT): Environment {
  const commit = git(root, ["rev-parse", "--verify", "HEAD"]);
  const status = commit === null ? null : git(root, ["status", "--porcelain"]);
  const cpuList = cpus();
  return {
    suiteCommit: commit,
    suiteDirty: status === null ? null : status.length > 0,
    runtime: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
    },
    machine: {
      cpuModel: cpuList[0]?.model?.trim() || cpuModelFromProc() || "unknown",
      cores: cpuList.length || navigator.hardwareConcurrency || 1,
      memoryBytes: totalmem(),
      os: osType().toLowerCase(),
      osRelease: release(),
      arch: Deno.build.arch,
    },
  };
}

/** Run git in `root`; its trimmed stdout, or `null` when git is missing or fails. */
function git(root: string, args: string[]): string | null {
  try {
    const out = new Deno.Command("git", { args, cwd: root, stdout: "piped", stderr: "null" })
      .outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

/** Linux fallback when `os.cpus()` has no model. */
function cpuModelFromProc(): string | null {
  try {
    const text = Deno.readTextFileSync(join("/proc", "cpuinfo"));
    const line = text.split("\n").find((l) => l.startsWith("model name"));
    return line ? line.slice(line.indexOf(":") + 1).trim() : null;
  } catch {
    return null;
  }
}
