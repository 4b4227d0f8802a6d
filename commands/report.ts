/**
 * `deno task report`: write the self-contained HTML report of every record to
 * `results/out/report.html`, interrupted runs marked and journals without a record listed.
 *
 * @example
 * ```sh
 * deno task report && chromium results/out/report.html
 * ```
 *
 * @module
 */

import { dirname, join } from "node:path";
import { SUITE_ROOT } from "../results/record.ts";
import { renderReport } from "../results/report.ts";
import { findJournals, loadRecords, RUNS_DIR } from "../results/store.ts";
import { defineCommand, type ParsedCommand, runCommand, UNIX_TOOL } from "./cli.ts";

const HELP = `Usage: deno task report [options]

Options:
  --dir DIR     folder of records (default results/runs)
  --out FILE    where to write (default results/out/report.html)
  -h, --help    this help`;

const COMMAND = defineCommand({
  name: "report",
  help: HELP,
  options: {
    dir: { type: "string", default: RUNS_DIR },
    out: { type: "string", default: join(SUITE_ROOT, "results", "out", "report.html") },
  },
  conventions: UNIX_TOOL,
});

/**
 * Run the command with `args`; returns the exit code (0 written, 2 bad input).
 *
 * @example
 * ```ts
 * import { reportMain } from "./report.ts";
 * const out = await Deno.makeTempFile({ suffix: ".html" });
 * Deno.exitCode = await reportMain(["--dir", "results/fixtures/runs", "--out", out]);
 * await Deno.remove(out);
 * ```
 */
export function reportMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, report);
}

async function report({ values }: ParsedCommand<typeof COMMAND.options>): Promise<number> {
  const { records, skipped } = await loadRecords(values.dir);
  const journals = await findJournals(values.dir);
  const html = renderReport({ records: records.map((r) => r.record), skipped, journals });
  await Deno.mkdir(dirname(values.out), { recursive: true });
  // Written aside and renamed, so a browser never shows a half-written report.
  const temp = `${values.out}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(temp, html);
  await Deno.rename(temp, values.out);
  console.log(
    `report: ${values.out} (${records.length} record(s)` +
      `${skipped.length ? `, ${skipped.length} skipped` : ""}, ${
        (html.length / 1024).toFixed(0)
      } KiB)`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await reportMain(Deno.args));
