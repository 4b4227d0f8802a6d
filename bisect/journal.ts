/**
 * The journal of a long run (bisect, bench, fuzz, mutate): one JSON line per finished unit,
 * appended and flushed as the unit finishes, after a header line naming the plan it belongs
 * to. A bisect's unit is a probe, a bench's one version measured in one round, a fuzz
 * campaign's one case. A run stopped by Ctrl-C, SIGTERM or even `kill -9` leaves its journal
 * beside the records (`<id>.journal.jsonl`), and `--resume` replays the units it holds
 * instead of running them again.
 *
 * The header's identity is what decides whether a journal may be reused: the versions with
 * their content hashes (folder hash, or commit sha for `--git`) and every flag that changes
 * which units run or how they are judged. Performance samples are reused only on the machine
 * that measured them; probes of the crash search, which are deterministic, on any.
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

/**
 * The commands that journal their work.
 *
 * @example
 * ```ts
 * import { JOURNAL_COMMANDS } from "./journal.ts";
 * console.log(JOURNAL_COMMANDS.includes("bench")); // true
 * ```
 */
export const JOURNAL_COMMANDS = ["bisect", "bench", "fuzz", "mutate"] as const;

/** A command that journals its work. */
export type JournalCommand = typeof JOURNAL_COMMANDS[number];

/** The journal's first line. */
export interface JournalHeader {
  readonly journal: 1;
  readonly command: JournalCommand;
  /** The id the record of this run gets (and the journal's file name stem). */
  readonly id: string;
  readonly startedAt: string;
  readonly identity: PlanIdentity;
  /** The machine that measured: performance samples are reused only on the same one. */
  readonly machine: string;
  /**
   * The command line without `--resume`, so that a journal found alone (after `kill -9`)
   * can still say the command that resumes it.
   */
  readonly args?: readonly string[];
  /** The journal or record this run resumed, so a reader knows that one is carried on. */
  readonly resumedFrom?: string;
}

/** A journal read back: its header and the units it holds, in the order they finished. */
export interface Journal<U = ProbeRun> {
  readonly path: string;
  readonly header: JournalHeader;
  /** The finished units (for a bisect, its probes), in the order they finished. */
  readonly runs: readonly U[];
}

/**
 * What a journal of one command holds: the command its header names and a check of a unit
 * line, so that a torn or foreign line is dropped rather than replayed.
 *
 * @example
 * ```ts
 * import type { JournalKind } from "./journal.ts";
 * const numbers: JournalKind<number> = {
 *   command: "fuzz",
 *   isUnit: (x): x is number => typeof x === "number",
 * };
 * ```
 */
export interface JournalKind<U> {
  readonly command: JournalCommand;
  readonly isUnit: (value: unknown) => value is U;
}

/**
 * A bisect's journal: its units are probes.
 *
 * @example
 * ```ts
 * import { BISECT_JOURNAL } from "./journal.ts";
 * console.log(BISECT_JOURNAL.isUnit({ spec: {}, outcome: "pass", wallMs: 1 })); // true
 * ```
 */
export const BISECT_JOURNAL: JournalKind<ProbeRun> = {
  command: "bisect",
  isUnit: (r): r is ProbeRun =>
    r !== null && typeof r === "object" && (r as { spec?: unknown }).spec !== undefined,
};

/**
 * A version's identity for a journal: the commit sha for a git version (cheap, exact), else
 * the content hash of its folder, so an edited version is noticed whatever the manifest says.
 *
 * @example
 * ```ts
 * import { contentHash } from "./journal.ts";
 * console.log(contentHash({ folder: "bisect/fixtures/versions/good-a" }).startsWith("sha256:")); // true
 * console.log(contentHash({ folder: "x", commit: { sha: "ab12" } })); // git:ab12
 * ```
 */
export function contentHash(
  v: { readonly folder: string; readonly commit?: { readonly sha: string } },
): string {
  if (v.commit) return `git:${v.commit.sha}`;
  try {
    return hashFolder(v.folder);
  } catch {
    return "missing";
  }
}

function versionHash(v: BisectPlan["versions"][number]): string {
  return contentHash(v);
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
 * are the same plan. `flagNames` spells each flag key as the command line does (default: the
 * bisect's flags).
 *
 * @example
 * ```ts
 * import { identityDifference } from "./journal.ts";
 * const a = { versions: [], flags: { repeats: 5 } };
 * console.log(identityDifference(a, { versions: [], flags: { repeats: 3 } }));
 * // --repeats differs (journal 5, now 3)
 * ```
 */
export function identityDifference(
  was: PlanIdentity,
  now: PlanIdentity,
  flagNames: { readonly [key: string]: string } = FLAG_NAMES,
): string | undefined {
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
    if (a !== b) return `${flagNames[key] ?? key} differs (journal ${a}, now ${b})`;
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
 * The key a unit line is written under: a bisect's lines are `{"probe": …}`, as its first
 * journals were, every other command's `{"unit": …}`.
 */
function unitKey(command: JournalCommand): "probe" | "unit" {
  return command === "bisect" ? "probe" : "unit";
}

/**
 * An open journal: appends one line per finished unit and flushes it to disk at once, so
 * that even `kill -9` loses at most the unit being written.
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
export class JournalWriter<U = ProbeRun> {
  readonly path: string;
  #file: Deno.FsFile;
  #encoder = new TextEncoder();
  readonly #key: "probe" | "unit";

  private constructor(path: string, file: Deno.FsFile, key: "probe" | "unit") {
    this.path = path;
    this.#file = file;
    this.#key = key;
  }

  /** Create the journal with its header (and, on resume, the units carried over). */
  static create<U = ProbeRun>(
    path: string,
    header: JournalHeader,
    carried: readonly U[] = [],
  ): JournalWriter<U> {
    Deno.mkdirSync(dirname(path), { recursive: true });
    const file = Deno.openSync(path, { write: true, createNew: true });
    const writer = new JournalWriter<U>(path, file, unitKey(header.command));
    writer.#write([header, ...carried.map((unit) => ({ [writer.#key]: unit }))]);
    return writer;
  }

  /** Append one finished unit, durably. */
  append(unit: U): void {
    this.#write([{ [this.#key]: unit }]);
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
 * Read a journal, given the journal itself or the (interrupted) record beside it; `kind` says
 * which command's journal is wanted (default: a bisect's). A torn last line, as `kill -9`
 * mid-write may leave, is ignored, and so is a unit line `kind` does not recognise.
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
export function readJournal(path: string): Promise<Journal<ProbeRun>>;
/** Read a journal of the command `kind` names, whose units `kind` recognises. */
export function readJournal<U>(path: string, kind: JournalKind<U>): Promise<Journal<U>>;
export function readJournal<U>(
  path: string,
  kind?: JournalKind<U>,
): Promise<Journal<U> | Journal<ProbeRun>> {
  return kind ? readJournalOf(path, kind) : readJournalOf(path, BISECT_JOURNAL);
}

async function readJournalOf<U>(path: string, kind: JournalKind<U>): Promise<Journal<U>> {
  let target = path;
  if (path.endsWith(".json")) target = journalPath(dirname(path), basename(path, ".json"));
  let text: string;
  try {
    text = await Deno.readTextFile(target);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such file (a run that finishes, or is resumed to its end, removes its journal)"
      : (error as Error).message;
    throw new JournalError(`cannot read journal ${target}: ${why}`);
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
  if (!header || header.journal !== 1 || !header.identity || !header.command) {
    throw new JournalError(`${target} is not a ${kind.command} journal`);
  }
  if (header.command !== kind.command) {
    throw new JournalError(
      `${target} is the journal of a ${header.command} run, not of a ${kind.command}`,
    );
  }
  const key = unitKey(kind.command);
  const runs = parsed.slice(1).map((l) =>
    l !== null && typeof l === "object" ? (l as Record<string, unknown>)[key] : undefined
  ).filter(kind.isUnit);
  return { path: target, header: header as JournalHeader, runs };
}

/**
 * Remove a finished run's journal and those it resumed, one after the other (each header
 * names the one before): every unit they held is in what the finished run produced, and a
 * journal left behind would be offered for resuming forever. Missing files are no error;
 * the journals removed come back.
 *
 * @example
 * ```ts
 * import { removeJournalChain } from "./journal.ts";
 * await removeJournalChain("no/such.journal.jsonl"); // nothing to remove
 * ```
 */
export async function removeJournalChain(path: string): Promise<string[]> {
  const removed: string[] = [];
  const seen = new Set<string>();
  let next: string | undefined = path;
  while (next !== undefined && !seen.has(next)) {
    seen.add(next);
    const target: string = next.endsWith(".json")
      ? journalPath(dirname(next), basename(next, ".json"))
      : next;
    let before: string | undefined;
    try {
      const first = (await Deno.readTextFile(target)).split("\n", 1)[0];
      before = (JSON.parse(first) as Partial<JournalHeader>).resumedFrom;
    } catch {
      before = undefined;
    }
    if (await Deno.remove(target).then(() => true, () => false)) removed.push(target);
    next = before;
  }
  return removed;
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
