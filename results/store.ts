/**
 * The record store: one JSON file per run under `results/runs/` (git-ignored).
 *
 * Writing is atomic: the record goes to a temporary file in the same folder, which is then
 * hard-linked to its final name (failing if that name exists) and removed, so a reader never
 * sees half a file and two runs at once never overwrite each other. Reading reports every
 * truncated or invalid file by name and skips it: never fatal, never silent.
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
      // Mutation runs write their own kind of JSON beside the records (mutate-*.json).
      const ours = !entry.name.startsWith(".") && !entry.name.startsWith("mutate-");
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
  return { records, skipped };
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
