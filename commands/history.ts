/**
 * `deno task history`: each benchmark's figures per version across runs, with the steps the
 * change-point check finds between versions and over time. Figures of an interrupted run are
 * marked `*`; runs that did not finish (an interrupted record, a journal alone) are listed
 * last, one line each with the command that resumes them.
 *
 * @example
 * ```sh
 * deno task history --benchmark core/load-random
 * ```
 *
 * @module
 */

import { buildHistory, formatHistory } from "../results/history.ts";
import { unfinishedRuns } from "../results/interrupted.ts";
import { findJournals, loadRecords, RUNS_DIR } from "../results/store.ts";
import { defineCommand, type ParsedCommand, runCommand, stepTestFlags, UNIX_TOOL } from "./cli.ts";

const HELP = `Usage: deno task history [options]

Options:
  --dir DIR          folder of records (default results/runs)
  --benchmark NAME   only benchmarks whose name contains NAME
  --threshold PCT    smallest step that counts, in percent (default 10)
  --alpha P          significance level of the step test (default 0.01)
  --json             print the history as JSON
  -h, --help         this help`;

const COMMAND = defineCommand({
  name: "history",
  help: HELP,
  options: {
    dir: { type: "string", default: RUNS_DIR },
    benchmark: { type: "string" },
    threshold: { type: "string", default: "10" },
    alpha: { type: "string", default: "0.01" },
    json: { type: "boolean", default: false },
  },
  conventions: UNIX_TOOL,
});

/**
 * Run the command with `args`; returns the exit code (0 printed, 2 bad input).
 *
 * @example
 * ```ts
 * import { historyMain } from "./history.ts";
 * Deno.exitCode = await historyMain(["--dir", "results/fixtures/runs", "--benchmark", "fork"]);
 * ```
 */
export function historyMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, history);
}

async function history({ values }: ParsedCommand<typeof COMMAND.options>): Promise<number> {
  const { threshold, alpha } = stepTestFlags(values.threshold, values.alpha);
  const { records } = await loadRecords(values.dir);
  const filter = values.benchmark;
  const rows = buildHistory(records.map((r) => r.record), { threshold, alpha })
    .filter((h) => filter === undefined || h.benchmark.includes(filter));
  const unfinished = unfinishedRuns(records.map((r) => r.record), await findJournals(values.dir));
  if (values.json) {
    console.log(JSON.stringify(rows, null, 2));
    // stdout stays one JSON document; what did not finish is said beside it.
    for (const line of unfinished) console.error(`history: ${line}`);
    return 0;
  }
  console.log(formatHistory(rows));
  if (unfinished.length > 0) {
    console.log(`\nruns that did not finish:\n${unfinished.map((l) => `  ${l}`).join("\n")}`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await historyMain(Deno.args));
