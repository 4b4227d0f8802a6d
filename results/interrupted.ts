/**
 * Runs that did not finish, as `history`, `report` and `compare` show them: a record marked
 * interrupted (`body.interrupted`, written on SIGINT or SIGTERM) holds only the units that
 * finished, and a journal without a record (left by `kill -9`) holds a run nobody wrote up.
 * Neither is an error: each is named in one line with what it kept and the command that
 * resumes it. A record that a later run resumed (its `parameters.resumedFrom` names it) is
 * carried whole by that run, so its figures are not counted twice.
 *
 * @example
 * ```ts
 * import { describeInterruption, interruptionOf } from "./interrupted.ts";
 * import { loadRecords } from "./store.ts";
 * const { records } = await loadRecords("results/fixtures/interrupted", () => {});
 * for (const { record } of records) {
 *   const mark = interruptionOf(record);
 *   if (mark) console.log(record.id, describeInterruption(mark)); // … interrupted (SIGINT), 2 of 4 units
 * }
 * ```
 *
 * @module
 */

import type { SuiteRecord } from "./record.ts";
import { type JournalFile, runIdOf } from "./store.ts";

/** What an interrupted record kept, whatever command wrote it. */
export interface RunInterruption {
  /** `SIGINT` or `SIGTERM`. */
  readonly signal: string;
  /** Units kept (a bisect's probes, a bench's versions measured in a round). */
  readonly kept: number;
  /** Units the whole run would have had, when known beforehand. */
  readonly planned?: number;
  /** What the units are called: `units`, `probes`. */
  readonly noun: string;
  /** The journal that holds them. */
  readonly journal?: string;
  /** The command that resumes the run, when the record says it. */
  readonly resume?: string;
}

/**
 * The interruption mark of a record, or `undefined` for a run that finished. Reads a bench's
 * mark (`unitsKept`, `unitsPlanned`) and a bisect's (`probesKept`).
 *
 * @example
 * ```ts
 * import { interruptionOf } from "./interrupted.ts";
 * import { buildRecord } from "./record.ts";
 * const record = buildRecord({
 *   kind: "bisect", startedAt: new Date(), versions: [], parameters: {}, seeds: [],
 *   samples: [], verdicts: [],
 *   body: { mode: "crash", probes: [], interrupted: { signal: "SIGTERM", probesKept: 3 } },
 * });
 * console.log(interruptionOf(record)); // { signal: "SIGTERM", kept: 3, noun: "probes" }
 * ```
 */
export function interruptionOf(record: SuiteRecord): RunInterruption | undefined {
  const mark = (record.body as { readonly interrupted?: unknown }).interrupted;
  if (mark === null || typeof mark !== "object") return undefined;
  const m = mark as { readonly [key: string]: unknown };
  const text = (key: string) => typeof m[key] === "string" ? m[key] as string : undefined;
  const count = (key: string) => typeof m[key] === "number" ? m[key] as number : undefined;
  const probes = count("probesKept");
  const planned = count("unitsPlanned");
  const journal = text("journal");
  const resume = text("resume");
  return {
    signal: text("signal") ?? "a signal",
    kept: probes ?? count("unitsKept") ?? 0,
    ...(planned !== undefined ? { planned } : {}),
    noun: probes !== undefined ? "probes" : "units",
    ...(journal !== undefined ? { journal } : {}),
    ...(resume !== undefined ? { resume } : {}),
  };
}

/** `1 unit`, `2 units`: a count and its noun (given in the plural). */
function counted(n: number, plural: string): string {
  return `${n} ${n === 1 && plural.endsWith("s") ? plural.slice(0, -1) : plural}`;
}

/**
 * `interrupted (SIGINT), 3 of 6 units`, or `interrupted (SIGINT), 3 probes kept` when the
 * whole was not known.
 *
 * @example
 * ```ts
 * import { describeInterruption } from "./interrupted.ts";
 * console.log(describeInterruption({ signal: "SIGINT", kept: 3, planned: 6, noun: "units" }));
 * // interrupted (SIGINT), 3 of 6 units
 * ```
 */
export function describeInterruption(mark: RunInterruption): string {
  return mark.planned !== undefined
    ? `interrupted (${mark.signal}), ${mark.kept} of ${mark.planned} ${mark.noun}`
    : `interrupted (${mark.signal}), ${counted(mark.kept, mark.noun)} kept`;
}

/**
 * Which run resumed which: the id of a record or journal named by another run's
 * `parameters.resumedFrom` (or, for journals, its header's `resumedFrom`), mapped to the id
 * of the run that resumed it.
 *
 * @example
 * ```ts
 * import { resumedBy } from "./interrupted.ts";
 * console.log(resumedBy([]).size); // 0
 * ```
 */
export function resumedBy(
  records: readonly SuiteRecord[],
  journals: readonly JournalFile[] = [],
): Map<string, string> {
  const by = new Map<string, string>();
  for (const r of records) {
    const from = r.parameters.resumedFrom;
    if (typeof from === "string") by.set(runIdOf(from), r.id);
  }
  for (const j of journals) if (j.resumedFrom) by.set(runIdOf(j.resumedFrom), j.id);
  return by;
}

/**
 * The records whose figures count: all but those a later record resumed, since that one
 * carries every unit they kept. (A run resumed only by a journal, whose resume was killed in
 * turn, still counts: its figures are in no record but its own.)
 *
 * @example
 * ```ts
 * import { standingRecords } from "./interrupted.ts";
 * console.log(standingRecords([]).length); // 0
 * ```
 */
export function standingRecords(records: readonly SuiteRecord[]): SuiteRecord[] {
  const superseded = resumedBy(records);
  return records.filter((r) => !superseded.has(r.id));
}

/** What each command's units are called. */
const NOUNS: { readonly [command: string]: string } = {
  bisect: "probes",
  bench: "units",
  fuzz: "cases",
  mutate: "mutants",
};

/** Quote an argument for a shell only when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The command that resumes a journal: its command line when the journal kept it, else the
 * command with a reminder to give the same flags.
 *
 * @example
 * ```ts
 * import { journalResumeCommand } from "./interrupted.ts";
 * const journal = { path: "r/bench-1.journal.jsonl", id: "bench-1", command: "bench", startedAt: "", units: 2, args: ["--quick"] };
 * console.log(journalResumeCommand(journal)); // deno task bench --quick --resume r/bench-1.journal.jsonl
 * ```
 */
export function journalResumeCommand(journal: JournalFile): string {
  const flags = journal.args ? journal.args.map(shellWord) : ["<the same flags>"];
  return [`deno task ${journal.command}`, ...flags, "--resume", shellWord(journal.path)].join(" ");
}

/**
 * One line per run that did not finish and was not resumed since: interrupted records (with
 * their resume command) and journals whose run left no record this reader knows (a fuzz
 * campaign's own file, or nothing at all after `kill -9`).
 *
 * @example
 * ```ts
 * import { unfinishedRuns } from "./interrupted.ts";
 * import { findJournals, loadRecords } from "./store.ts";
 * const dir = "results/fixtures/interrupted";
 * const { records } = await loadRecords(dir, () => {});
 * const lines = unfinishedRuns(records.map((r) => r.record), await findJournals(dir));
 * console.log(lines.join("\n"));
 * ```
 */
export function unfinishedRuns(
  records: readonly SuiteRecord[],
  journals: readonly JournalFile[],
): string[] {
  const lines: string[] = [];
  const resumed = resumedBy(records, journals);
  const ids = new Set(records.map((r) => r.id));
  for (const record of records) {
    const mark = interruptionOf(record);
    if (!mark || resumed.has(record.id)) continue;
    const from = mark.journal ?? `${record.id}.json`;
    const resume = mark.resume ?? `deno task ${record.kind} <the same flags> --resume ${from}`;
    lines.push(`${record.id}: ${record.kind} ${describeInterruption(mark)}; resume: ${resume}`);
  }
  for (const journal of journals) {
    if (ids.has(journal.id) || resumed.has(journal.id)) continue;
    const noun = NOUNS[journal.command] ?? "units";
    const what = journal.record
      ? `${journal.id}: ${journal.command} interrupted, ${counted(journal.units, noun)} kept`
      : `unfinished run, journal only: ${journal.path} ` +
        `(${journal.command}, ${counted(journal.units, noun)})`;
    lines.push(`${what}; resume: ${journalResumeCommand(journal)}`);
  }
  return lines;
}
