/**
 * `deno task compare A B`: an asv-compare-like table of two record files, or of two versions
 * in the latest records. A side taken from an interrupted record is compared as it stands,
 * with a line saying so; a record that a later run resumed is passed over for that run, and a
 * journal given in place of a record is refused in one line that says how to resume it.
 *
 * @example
 * ```sh
 * deno task compare v1.0.0 head
 * deno task compare results/runs/bench-a.json results/runs/bench-b.json
 * ```
 *
 * @module
 */

import { existsSync, statSync } from "node:fs";
import { compareSamples, formatComparison } from "../results/compare.ts";
import type { SuiteRecord } from "../results/record.ts";
import { selectSides } from "../results/select.ts";
import {
  findJournals,
  JOURNAL_SUFFIX,
  loadRecords,
  readRecordFile,
  runIdOf,
  RUNS_DIR,
} from "../results/store.ts";
import {
  describeInterruption,
  interruptionOf,
  journalResumeCommand,
  standingRecords,
} from "../results/interrupted.ts";
import { dirname } from "node:path";
import {
  defineCommand,
  EXIT_USAGE,
  type ParsedCommand,
  runCommand,
  stepTestFlags,
  UNIX_TOOL,
  UsageError,
} from "./cli.ts";

const HELP = `Usage: deno task compare A B [options]

A and B are two record files, or two version names looked up in the latest records.

Options:
  --dir DIR          folder of records (default results/runs)
  --threshold PCT    smallest change that counts, in percent (default 10)
  --alpha P          significance level of the Mann-Whitney test (default 0.05)
  --only-changed     hide unchanged rows
  -h, --help         this help

Exit status:
  0  nothing got worse
  1  something got worse or newly fails (for CI)
  2  bad input (arguments, a missing or unreadable record file, no such version)
  3  internal error: the records folder cannot be read, or a bug (the stack is printed)`;

/**
 * Every exit code of `compare`. An internal error has its own code, so that a CI step that
 * fails on 1 (something got worse) is not fooled by a crash of the comparison itself.
 *
 * @example
 * ```ts
 * import { COMPARE_EXIT } from "./compare.ts";
 * console.log(COMPARE_EXIT.worse, COMPARE_EXIT.internal); // 1 3
 * ```
 */
export const COMPARE_EXIT = {
  same: 0,
  worse: 1,
  usage: EXIT_USAGE,
  internal: 3,
} as const;

const COMMAND = defineCommand({
  name: "compare",
  help: HELP,
  options: {
    dir: { type: "string", default: RUNS_DIR },
    threshold: { type: "string", default: "10" },
    alpha: { type: "string", default: "0.05" },
    "only-changed": { type: "boolean", default: false },
  },
  allowPositionals: true,
  conventions: { ...UNIX_TOOL, internalExit: COMPARE_EXIT.internal },
});

/**
 * Run the command with `args`; returns the exit code ({@linkcode COMPARE_EXIT}: 0, 1 when
 * something got worse or newly fails, 2 on bad input, 3 on an internal error).
 *
 * @example
 * ```ts
 * import { compareMain } from "./compare.ts";
 * // v2 of the fixture records is slower at core/load-random: the table, then exit code 1
 * const code = await compareMain(["--dir", "results/fixtures/runs", "v1", "v2"]);
 * console.log(code); // 1
 * ```
 */
export function compareMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, compare);
}

async function compare(
  { values, positionals }: ParsedCommand<typeof COMMAND.options>,
): Promise<number> {
  const count = positionals.length;
  if (count !== 2) throw new UsageError(`needs exactly two arguments, A and B (got ${count})`);
  const { threshold, alpha } = stepTestFlags(values.threshold, values.alpha);

  const files = new Map<string, SuiteRecord>();
  for (const arg of positionals) {
    if (arg.endsWith(JOURNAL_SUFFIX)) throw new UsageError(await journalGiven(arg));
    if (existsSync(arg) && statSync(arg).isFile()) {
      const read = await readRecordFile(arg);
      if ("reason" in read) throw new UsageError(`${arg}: ${read.reason}`);
      files.set(arg, read.record);
    } else if (arg.endsWith(".json")) {
      throw new UsageError(`record file "${arg}" does not exist`);
    }
  }
  const needRecords = files.size < 2;
  if (needRecords && existsSync(values.dir) && !statSync(values.dir).isDirectory()) {
    throw new UsageError(`--dir "${values.dir}" is not a folder`);
  }
  // A record that a later run resumed is carried whole by that run: the later one stands.
  const records = needRecords
    ? standingRecords((await loadRecords(values.dir)).records.map((r) => r.record))
    : [];
  // Sides that cannot be found throw SelectionError, a usage error (one line, exit 2).
  const [a, b] = positionals;
  const sides = selectSides(a, b, records, (p) => files.get(p));
  const rows = compareSamples(sides.before.sets, sides.after.sets, {
    threshold,
    alpha,
    key: sides.key,
  });
  const shown = values["only-changed"] ? rows.filter((r) => r.change !== "unchanged") : rows;
  console.log(sides.description);
  for (const record of sides.records) {
    const mark = interruptionOf(record);
    if (mark) {
      console.log(
        `note: record ${record.id} was ${describeInterruption(mark)}: ` +
          `its figures are those of the finished units`,
      );
    }
  }
  console.log(formatComparison(shown, { before: sides.before.title, after: sides.after.title }));
  const bad = rows.some((r) => r.change === "worse" || r.change === "newly-failing");
  return bad ? COMPARE_EXIT.worse : COMPARE_EXIT.same;
}

/** The one line that refuses a journal given as a record: what it is and how to resume it. */
async function journalGiven(path: string): Promise<string> {
  const journals = await findJournals(dirname(path), () => {});
  const journal = journals.find((j) => j.id === runIdOf(path));
  if (!journal) return `${path} is a journal name, but no readable journal is there`;
  const resume = journalResumeCommand({ ...journal, path });
  return journal.record
    ? `${path} is the journal of an unfinished ${journal.command} run, not a record: compare ` +
      `its record ${journal.record}, or resume it: ${resume}`
    : `${path} is the journal of an unfinished ${journal.command} run, which left no record: ` +
      `resume it: ${resume}`;
}

if (import.meta.main) Deno.exit(await compareMain(Deno.args));
