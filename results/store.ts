/**
 * The record store: one JSON file per run under `results/runs/` (git-ignored).
 *
 * Writing is atomic: the record goes to a temporary file in the same folder, which is then
 * hard-linked to its final name (failing if that name exists) and removed, so a reader never
 * sees half a file and two runs at once never overwrite each other. Reading reports every
 * truncated or invalid file by name and skips it: never fatal, never silent.
 *
 * Beside the records lie the journals of runs that did not finish (`<id>.journal.jsonl`, see
 * `bisect/journal.ts`): {@linkcode findJournals} reads their header line and counts their
 * units, so that `history` and `report` can name a run that only a journal holds (after
 * `kill -9`) and say how to resume it, without ever replaying one.
 *
 * Shard records (`--shard K/N`) that a merged record in the same folder was made from are
 * left out by {@linkcode loadRecords} (and listed in `covered`): the merged record holds
 * their figures, which would otherwise count twice.
 *
 * @example
 * ```ts
 * import { loadRecords, saveRecord } from "./store.ts";
 * import { buildRecord } from "./record.ts";
 * const dir = await Deno.makeTempDir();
 * const path = await saveRecord(buildRecord({
 *   kind: "bench", startedAt: new Date(), versions: [{ name: "head", hash: null }],
 *   parameters: {}, seeds: [], samples: [], verdicts: [],
 *   body: { harness: "mitata", quick: true, cases: [] },
 * }), dir);
 * const { records, skipped } = await loadRecords(dir);
 * console.log(path, records.length, skipped.length); // ... 1 0
 * ```
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { newRecordId, SUITE_ROOT, type SuiteRecord } from "./record.ts";
import { validateRecord } from "./validate.ts";

/** The default folder for users' records. */
export const RUNS_DIR: string = join(SUITE_ROOT, "results", "runs");

/** A record read back, with the file it came from. */
export interface StoredRecord {
  readonly path: string;
  readonly record: SuiteRecord;
}

/** A file that was skipped, and why. */
export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

/** What {@linkcode loadRecords} found. */
export interface LoadResult {
  /** Valid records, oldest first (by `startedAt`, then id). */
  readonly records: readonly StoredRecord[];
  /** Files that were not valid records. */
  readonly skipped: readonly SkippedFile[];
  /** Shard records left out because a merged record in the folder holds them. */
  readonly covered?: readonly StoredRecord[];
}

/**
 * Write a record atomically as `<dir>/<id>.json`; returns the path. The folder is created if
 * needed. If the name is taken, the record gets a fresh id and is written under that name,
 * never over the other file.
 *
 * @example
 * ```ts
 * import { saveRecord } from "./store.ts";
 * import type { SuiteRecord } from "./record.ts";
 * async function usage(record: SuiteRecord): Promise<void> {
 *   console.log(await saveRecord(record)); // results/runs/bench-....json
 * }
 * ```
 */
export async function saveRecord(record: SuiteRecord, dir: string = RUNS_DIR): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  for (let attempt = 0;; attempt++) {
    // A taken name (the same record saved twice, or a 48-bit collision) gets a fresh id, and
    // the record inside is stamped with it, so a file's name always matches its id.
    const id = attempt === 0 ? record.id : newRecordId(record.kind, new Date(record.startedAt));
    const target = join(dir, `${id}.json`);
    if (await writeNew(target, JSON.stringify({ ...record, id }, null, 2) + "\n")) return target;
    if (attempt >= 5) throw new Error(`cannot find a free name for record ${record.id} in ${dir}`);
  }
}

/**
 * Write a file of a run that is not a suite record (an interrupted fuzz campaign's, say) as
 * `<dir>/<id>.json`, atomically and never over another file, as {@linkcode saveRecord} does;
 * returns the path. The record loaders skip such files by their id's prefix.
 *
 * @example
 * ```ts
 * import { saveRunFile } from "./store.ts";
 * const dir = await Deno.makeTempDir();
 * console.log(await saveRunFile({ kind: "fuzz", id: "fuzz-1" }, "fuzz-1", dir)); // .../fuzz-1.json
 * ```
 */
export async function saveRunFile(value: unknown, id: string, dir: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const target = join(dir, `${id}.json`);
  if (await writeNew(target, JSON.stringify(value, null, 2) + "\n")) return target;
  throw new Error(`cannot write ${target}: the name is taken`);
}

/**
 * Write `text` to `target` only if no file has that name: into a flushed temporary file first,
 * then hard-linked into place (link, unlike rename, fails when the target exists).
 * Returns false when the name was taken.
 */
async function writeNew(target: string, text: string): Promise<boolean> {
  const temp = await Deno.makeTempFile({
    dir: dirname(target),
    prefix: ".record.",
    suffix: ".tmp",
  });
  try {
    await Deno.writeTextFile(temp, text);
    // Flush before linking, so that a crash cannot leave a named but empty record.
    const file = await Deno.open(temp, { read: true });
    try {
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.link(temp, target);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  } finally {
    await Deno.remove(temp).catch(() => {});
  }
}

/** Prefixes of the files beside the records that are not suite records. */
const OTHER_RUN_FILES = ["mutate-", "fuzz-"];

/**
 * Read every `*.json` record in `dir` (a missing folder holds none). Files that do not parse
 * or do not match the schema are listed in `skipped` and, unless `warn` is replaced, named on
 * stderr as one line each.
 *
 * @example
 * ```ts
 * import { loadRecords } from "./store.ts";
 * const { records, skipped } = await loadRecords("results/runs");
 * console.log(records.length, skipped.map((s) => s.path));
 * ```
 */
export async function loadRecords(
  dir: string = RUNS_DIR,
  warn: (message: string) => void = (m) => console.error(m),
): Promise<LoadResult> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      // Mutation runs and interrupted fuzz campaigns write their own kind of JSON beside the
      // records (mutate-*.json, fuzz-*.json).
      const ours = !entry.name.startsWith(".") &&
        !OTHER_RUN_FILES.some((p) => entry.name.startsWith(p));
      if (entry.isFile && entry.name.endsWith(".json") && ours) {
        names.push(entry.name);
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { records: [], skipped: [] };
    throw error;
  }
  names.sort();
  const records: StoredRecord[] = [];
  const skipped: SkippedFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const outcome = await readRecordFile(path);
    if ("record" in outcome) {
      records.push({ path, record: outcome.record });
    } else {
      skipped.push({ path, reason: outcome.reason });
      warn(`skipping record ${basename(path)}: ${outcome.reason}`);
    }
  }
  records.sort((a, b) =>
    a.record.startedAt.localeCompare(b.record.startedAt) || a.record.id.localeCompare(b.record.id)
  );
  const { standing, covered } = withoutMergedShards(records);
  return { records: standing, skipped, ...(covered.length > 0 ? { covered } : {}) };
}

/**
 * Split records into those that stand and the shard records a merged record among them was
 * made from (its `body.merged.shards` names their ids).
 *
 * @example
 * ```ts
 * import { withoutMergedShards } from "./store.ts";
 * console.log(withoutMergedShards([])); // { standing: [], covered: [] }
 * ```
 */
export function withoutMergedShards<T extends { readonly record: SuiteRecord }>(
  records: readonly T[],
): { standing: T[]; covered: T[] } {
  const merged = new Set<string>();
  for (const { record } of records) {
    if (record.kind === "stress") continue;
    for (const shard of record.body.merged?.shards ?? []) merged.add(shard.id);
  }
  const isCovered = (r: T) =>
    r.record.kind !== "stress" && r.record.body.shard !== undefined &&
    merged.has(r.record.id);
  return { standing: records.filter((r) => !isCovered(r)), covered: records.filter(isCovered) };
}

/**
 * Read and validate one record file. Never throws for a bad file: the reason comes back.
 *
 * @example
 * ```ts
 * import { readRecordFile } from "./store.ts";
 * const r = await readRecordFile("results/fixtures/bench-a.json");
 * console.log("record" in r ? r.record.kind : r.reason);
 * ```
 */
export async function readRecordFile(
  path: string,
): Promise<{ record: SuiteRecord } | { reason: string }> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    return { reason: `cannot read (${error instanceof Error ? error.message : String(error)})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const truncated = text.trim().length === 0 || !/[}\]]\s*$/.test(text);
    const detail = error instanceof Error ? error.message : String(error);
    return { reason: truncated ? `truncated JSON (${text.length} bytes)` : `not JSON (${detail})` };
  }
  const validation = validateRecord(value);
  if (!validation.ok) {
    const shown = validation.errors.slice(0, 3).join("; ");
    const more = validation.errors.length > 3 ? ` (+${validation.errors.length - 3} more)` : "";
    return { reason: `does not match the record schema: ${shown}${more}` };
  }
  return { record: validation.record };
}

/** A journal found beside the records: its header, and how many units it holds. */
export interface JournalFile {
  readonly path: string;
  /** The run's id, the journal's file name stem. */
  readonly id: string;
  /** `bisect`, `bench`, `fuzz` or `mutate`. */
  readonly command: string;
  readonly startedAt: string;
  /** Finished units (lines after the header; a torn last line does not count). */
  readonly units: number;
  /** The command line without `--resume`, when the journal kept it. */
  readonly args?: readonly string[];
  /** The journal or record this run resumed. */
  readonly resumedFrom?: string;
  /** The file `<id>.json` beside it, when there is one (an interrupted run's record). */
  readonly record?: string;
}

/** The journal's file name suffix. */
export const JOURNAL_SUFFIX = ".journal.jsonl";

/**
 * The run id a record or journal path names: its file name without `.json` or
 * `.journal.jsonl`.
 *
 * @example
 * ```ts
 * import { runIdOf } from "./store.ts";
 * console.log(runIdOf("results/runs/bench-1.journal.jsonl"), runIdOf("/x/bisect-2.json")); // bench-1 bisect-2
 * ```
 */
export function runIdOf(path: string): string {
  const name = basename(path);
  if (name.endsWith(JOURNAL_SUFFIX)) return name.slice(0, -JOURNAL_SUFFIX.length);
  return name.endsWith(".json") ? name.slice(0, -".json".length) : name;
}

/**
 * Every journal in `dir` (`*.journal.jsonl`), oldest first. Only the header line is parsed and
 * the other lines counted; a journal whose header is not one is named by `warn` in one line
 * and left out. A missing folder holds none.
 *
 * @example
 * ```ts
 * import { findJournals } from "./store.ts";
 * const journals = await findJournals("results/fixtures/interrupted");
 * console.log(journals.map((j) => `${j.command} ${j.units} ${j.record ?? "journal only"}`));
 * ```
 */
export async function findJournals(
  dir: string = RUNS_DIR,
  warn: (message: string) => void = (m) => console.error(m),
): Promise<JournalFile[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(JOURNAL_SUFFIX)) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const journals: JournalFile[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    let lines: string[];
    try {
      lines = (await Deno.readTextFile(path)).split("\n").filter((l) => l.trim() !== "");
    } catch (error) {
      warn(`skipping journal ${name}: cannot read (${(error as Error).message})`);
      continue;
    }
    const header = parseHeader(lines[0]);
    if (!header) {
      warn(`skipping journal ${name}: its first line is not a journal header`);
      continue;
    }
    const torn = lines.length > 1 && !isJson(lines[lines.length - 1]);
    const id = runIdOf(name);
    const record = join(dir, `${id}.json`);
    journals.push({
      path,
      id,
      command: header.command,
      startedAt: header.startedAt,
      units: lines.length - 1 - (torn ? 1 : 0),
      ...(header.args ? { args: header.args } : {}),
      ...(header.resumedFrom ? { resumedFrom: header.resumedFrom } : {}),
      ...(await exists(record) ? { record } : {}),
    });
  }
  return journals.sort((a, b) =>
    a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id)
  );
}

/** The fields of a journal header a reader of records needs, or `undefined`. */
function parseHeader(
  line: string | undefined,
): { command: string; startedAt: string; args?: string[]; resumedFrom?: string } | undefined {
  if (line === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const h = value as Record<string, unknown>;
  if (h.journal !== 1 || typeof h.command !== "string" || typeof h.startedAt !== "string") {
    return undefined;
  }
  const args = Array.isArray(h.args) && h.args.every((a) => typeof a === "string")
    ? h.args as string[]
    : undefined;
  return {
    command: h.command,
    startedAt: h.startedAt,
    ...(args ? { args } : {}),
    ...(typeof h.resumedFrom === "string" ? { resumedFrom: h.resumedFrom } : {}),
  };
}

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
