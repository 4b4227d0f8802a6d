/**
 * The journal of a bisect: one JSON line per finished probe, appended and flushed as the probe
 * finishes, after a header line naming the plan it belongs to. A run stopped by Ctrl-C,
 * SIGTERM or even `kill -9` leaves its journal beside the records (`<id>.journal.jsonl`), and
 * `--resume` replays the probes it holds instead of running them again.
 *
 * The header's identity is what decides whether a journal may be reused: the versions with
 * their content hashes (folder hash, or commit sha for `--git`), the matrices and every flag
 * that changes which probes run or how they are judged. Performance samples are reused only on
 * the machine that measured them; probes of the crash search, which are deterministic, on any.
 *
 * @example
 * ```ts
 * import { identityDifference } from "./journal.ts";
 * const a = { versions: [{ name: "v1", hash: "sha256:aa" }], flags: { repeats: 5 } };
 * const b = { versions: [{ name: "v1", hash: "sha256:bb" }], flags: { repeats: 5 } };
 * console.log(identityDifference(a, b)); // version v1 changed (hash sha256:aa, now sha256:bb)
 * ```
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { hashFolder } from "../core/snapshot.ts";
import type { JsonValue } from "../results/record.ts";
import type { ProbeSpec } from "../workloads/probe_types.ts";
import type { ProbeRun } from "./runner.ts";
import { type BisectPlan, DEFAULT_CRASH_LIMITS, DEFAULT_PERF_LIMITS } from "./session.ts";
import { DEFAULT_SAMPLES } from "./perf_search.ts";

/** What makes two runs the same plan: versions with hashes and the flags that matter. */
export interface PlanIdentity {
  readonly versions: readonly { readonly name: string; readonly hash: string }[];
  readonly flags: { readonly [key: string]: JsonValue };
}

/** The journal's first line. */
export interface JournalHeader {
  readonly journal: 1;
  readonly command: "bisect";
  /** The id the record of this run gets (and the journal's file name stem). */
  readonly id: string;
  readonly startedAt: string;
  readonly identity: PlanIdentity;
  /** The machine that measured: performance samples are reused only on the same one. */
  readonly machine: string;
}

/** A journal read back: its header and the probes it holds, in the order they finished. */
export interface Journal {
  readonly path: string;
  readonly header: JournalHeader;
  readonly runs: readonly ProbeRun[];
}

/**
 * A version's identity for the journal: the commit sha for a git version (cheap, exact), else
 * the content hash of its folder, so an edited version is noticed whatever the manifest says.
 */
function versionHash(v: BisectPlan["versions"][number]): string {
  if (v.commit) return `git:${v.commit.sha}`;
  try {
    return hashFolder(v.folder);
  } catch {
    return "missing";
  }
}

/**
 * The identity of a plan (see the module documentation).
 *
 * @example
 * ```ts
 * import { planIdentity } from "./journal.ts";
 * const identity = planIdentity({
 *   versions: [{ name: "good-a", folder: "bisect/fixtures/versions/good-a" }],
 *   good: 0, bad: 0, badGiven: true, modes: ["crash"], exhaustive: false,
 *   crashMatrix: [{ stressor: "fork", layout: "cat-self", seed: 1, ops: 5, verify: true }],
 *   perfProbe: { stressor: "mmap", layout: "glibc", seed: 1, ops: 50, verify: false },
 * });
 * console.log(identity.versions[0].hash.startsWith("sha256:")); // true
 * ```
 */
export function planIdentity(plan: BisectPlan): PlanIdentity {
  const json = (x: unknown): JsonValue => JSON.parse(JSON.stringify(x ?? null));
  return {
    versions: plan.versions.map((v) => ({ name: v.name, hash: versionHash(v) })),
    flags: {
      mode: plan.exhaustive ? "exhaustive" : plan.modes.join("+"),
      good: plan.versions[plan.good]?.name ?? null,
      bad: plan.versions[plan.bad]?.name ?? null,
      badGiven: plan.badGiven,
      signature: plan.signature ?? null,
      crashMatrix: json(plan.crashMatrix),
      perfProbe: json(plan.perfProbe),
      // Defaults spelled out, so that naming a default explicitly is still the same plan.
      crashLimits: json(plan.crashLimits ?? DEFAULT_CRASH_LIMITS),
      perfLimits: json(plan.perfLimits ?? DEFAULT_PERF_LIMITS),
      samples: plan.samples ?? DEFAULT_SAMPLES,
      threshold: plan.threshold ?? 0.1,
      alpha: plan.alpha ?? 0.01,
      repeats: plan.repeats ?? 5,
      confidence: plan.confidence ?? 0.95,
      clock: plan.clock ?? "cpu",
    },
  };
}

/** Names of the flags as the command line spells them, for the refusal message. */
const FLAG_NAMES: { readonly [key: string]: string } = {
  mode: "--mode/--exhaustive",
  good: "--good",
  bad: "--bad",
  badGiven: "--bad",
  signature: "--signature",
  crashMatrix: "--stressor/--layout/--seed/--ops/--no-verify",
  perfProbe: "--perf-stressor/--perf-layout/--perf-seed/--perf-ops",
  crashLimits: "--time-limit/--memory-limit",
  perfLimits: "--time-limit/--memory-limit",
  samples: "--samples",
  threshold: "--threshold",
  alpha: "--alpha",
  repeats: "--repeats",
  confidence: "--confidence",
  clock: "--clock",
};

/**
 * What differs between the journal's plan and this one, in words, or `undefined` when they
 * are the same plan.
 *
 * @example
 * ```ts
 * import { identityDifference } from "./journal.ts";
 * const a = { versions: [], flags: { repeats: 5 } };
 * console.log(identityDifference(a, { versions: [], flags: { repeats: 3 } }));
 * // --repeats differs (journal 5, now 3)
 * ```
 */
export function identityDifference(was: PlanIdentity, now: PlanIdentity): string | undefined {
  const hashes = new Map(was.versions.map((v) => [v.name, v.hash]));
  for (const v of now.versions) {
    const old = hashes.get(v.name);
    if (old === undefined) return `version ${v.name} is not in the journal's history`;
    if (old !== v.hash) return `version ${v.name} changed (hash ${old}, now ${v.hash})`;
  }
  const names = new Set(now.versions.map((v) => v.name));
  const gone = was.versions.find((v) => !names.has(v.name));
  if (gone) return `version ${gone.name} of the journal's history is missing`;
  const keys = new Set([...Object.keys(was.flags), ...Object.keys(now.flags)]);
  for (const key of keys) {
    const a = JSON.stringify(was.flags[key] ?? null);
    const b = JSON.stringify(now.flags[key] ?? null);
    if (a !== b) return `${FLAG_NAMES[key] ?? key} differs (journal ${a}, now ${b})`;
  }
  return undefined;
}

/**
 * The key a probe is replayed under: its full spec (version name, workload, layout, seed, ops,
 * mode), so that only the very same probe is ever reused.
 *
 * @example
 * ```ts
 * import { probeKey } from "./journal.ts";
 * console.log(probeKey({ version: "v1", stressor: "fork", layout: "glibc", seed: 1, ops: 5, verify: true }));
 * ```
 */
export function probeKey(spec: ProbeSpec): string {
  const sorted = Object.fromEntries(Object.entries(spec).sort(([a], [b]) => a < b ? -1 : 1));
  return JSON.stringify(sorted);
}

/**
 * An open journal: appends one line per finished probe and flushes it to disk at once, so
 * that even `kill -9` loses at most the probe being written.
 *
 * @example
 * ```ts
 * import { JournalWriter } from "./journal.ts";
 * const dir = Deno.makeTempDirSync();
 * const writer = JournalWriter.create(`${dir}/bisect-x.journal.jsonl`, {
 *   journal: 1, command: "bisect", id: "bisect-x", startedAt: new Date().toISOString(),
 *   identity: { versions: [], flags: {} }, machine: "m",
 * });
 * writer.close();
 * ```
 */
export class JournalWriter {
  readonly path: string;
  #file: Deno.FsFile;
  #encoder = new TextEncoder();

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /** Create the journal with its header (and, on resume, the probes carried over). */
  static create(
    path: string,
    header: JournalHeader,
    carried: readonly ProbeRun[] = [],
  ): JournalWriter {
    Deno.mkdirSync(dirname(path), { recursive: true });
    const file = Deno.openSync(path, { write: true, createNew: true });
    const writer = new JournalWriter(path, file);
    writer.#write([header, ...carried.map((run) => ({ probe: run }))]);
    return writer;
  }

  /** Append one finished probe, durably. */
  append(run: ProbeRun): void {
    this.#write([{ probe: run }]);
  }

  #write(lines: readonly unknown[]): void {
    const bytes = this.#encoder.encode(lines.map((l) => JSON.stringify(l) + "\n").join(""));
    let at = 0;
    while (at < bytes.length) at += this.#file.writeSync(bytes.subarray(at));
    this.#file.syncDataSync();
  }

  /** Close the file. */
  close(): void {
    this.#file.close();
  }
}

/** A journal or record that cannot be resumed from: said in one line. */
export class JournalError extends Error {
  override name = "UsageError";
}

/**
 * The journal path of a record id in a records folder.
 *
 * @example
 * ```ts
 * import { journalPath } from "./journal.ts";
 * console.log(journalPath("results/runs", "bisect-1")); // results/runs/bisect-1.journal.jsonl
 * ```
 */
export function journalPath(dir: string, id: string): string {
  return join(dir, `${id}.journal.jsonl`);
}

/**
 * Read a journal, given the journal itself or the (interrupted) record beside it. A torn last
 * line, as `kill -9` mid-write may leave, is ignored.
 *
 * @example
 * ```ts
 * import { readJournal } from "./journal.ts";
 * try {
 *   await readJournal("no/such.journal.jsonl");
 * } catch (error) {
 *   console.log((error as Error).message.startsWith("cannot read")); // true
 * }
 * ```
 */
export async function readJournal(path: string): Promise<Journal> {
  let target = path;
  if (path.endsWith(".json")) target = journalPath(dirname(path), basename(path, ".json"));
  let text: string;
  try {
    text = await Deno.readTextFile(target);
  } catch (error) {
    throw new JournalError(`cannot read journal ${target}: ${(error as Error).message}`);
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const parsed: unknown[] = [];
  for (const [i, line] of lines.entries()) {
    try {
      parsed.push(JSON.parse(line));
    } catch {
      if (i === lines.length - 1) break; // torn by a kill mid-write
      throw new JournalError(`${target}: line ${i + 1} is not JSON`);
    }
  }
  const header = parsed[0] as Partial<JournalHeader> | undefined;
  if (!header || header.journal !== 1 || header.command !== "bisect" || !header.identity) {
    throw new JournalError(`${target} is not a bisect journal`);
  }
  const runs = parsed.slice(1).map((l) => (l as { probe: ProbeRun }).probe).filter((r) =>
    r && typeof r === "object" && r.spec !== undefined
  );
  return { path: target, header: header as JournalHeader, runs };
}

/**
 * Finished probes to replay, keyed by {@linkcode probeKey}; a probe repeated at the boundary
 * is taken in the order it ran.
 *
 * @example
 * ```ts
 * import { Replay } from "./journal.ts";
 * const spec = { version: "v1", stressor: "fork" as const, layout: "glibc", seed: 1, ops: 5, verify: true };
 * const replay = new Replay([{ spec, outcome: "pass", wallMs: 3 }]);
 * console.log(replay.take(spec)?.outcome, replay.take(spec)); // pass undefined
 * ```
 */
export class Replay {
  readonly #byKey = new Map<string, ProbeRun[]>();
  /** Probes taken from the journal so far. */
  reused = 0;

  /** @param runs finished probes, in the order they ran */
  constructor(runs: readonly ProbeRun[]) {
    for (const run of runs) {
      const key = probeKey(run.spec);
      const list = this.#byKey.get(key) ?? [];
      list.push(run);
      this.#byKey.set(key, list);
    }
  }

  /** The next unused finished run of this probe, if the journal holds one. */
  take(spec: ProbeSpec): ProbeRun | undefined {
    const run = this.#byKey.get(probeKey(spec))?.shift();
    if (run) this.reused++;
    return run;
  }
}
