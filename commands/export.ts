/**
 * `deno task export --format gab|bmf`: a bench record's figures in github-action-benchmark's
 * custom JSON or Bencher's metric format, on stdout or in a file.
 *
 * @example
 * ```sh
 * deno task export --format bmf > bmf.json
 * deno task export --format gab --better lower --out gab.json
 * ```
 *
 * @module
 */

import { toBencherMetricFormat, toGithubActionBenchmark } from "../results/export.ts";
import type { Better, SuiteRecord } from "../results/record.ts";
import { loadRecords, readRecordFile, RUNS_DIR } from "../results/store.ts";
import { defineCommand, type ParsedCommand, runCommand, UNIX_TOOL, UsageError } from "./cli.ts";

const HELP = `Usage: deno task export --format gab|bmf [options]

Options:
  --format F       gab (github-action-benchmark custom JSON) or bmf (Bencher metric format)
  --record FILE    the record to export (default: the latest bench record in --dir)
  --dir DIR        folder of records (default results/runs)
  --better D       for gab: lower (customSmallerIsBetter, ns/op) or higher (customBiggerIsBetter,
                   ops/s); required when the record has both kinds of unit
  --out FILE       write there instead of stdout
  -h, --help       this help`;

const COMMAND = defineCommand({
  name: "export",
  help: HELP,
  options: {
    format: { type: "string" },
    record: { type: "string" },
    dir: { type: "string", default: RUNS_DIR },
    better: { type: "string" },
    out: { type: "string" },
  },
  conventions: UNIX_TOOL,
});

/**
 * Run the command with `args`; returns the exit code (0 exported, 2 bad input).
 *
 * @example
 * ```ts
 * import { exportMain } from "./export.ts";
 * Deno.exitCode = await exportMain(["--format", "bmf", "--dir", "results/fixtures/runs"]);
 * ```
 */
export function exportMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, exportRecord);
}

async function exportRecord({ values }: ParsedCommand<typeof COMMAND.options>): Promise<number> {
  if (values.format !== "gab" && values.format !== "bmf") {
    throw new UsageError("--format must be gab or bmf");
  }
  if (values.better !== undefined && values.better !== "lower" && values.better !== "higher") {
    throw new UsageError(`--better must be lower or higher, got "${values.better}"`);
  }
  let record: SuiteRecord | undefined;
  if (values.record) {
    const read = await readRecordFile(values.record);
    if ("reason" in read) throw new UsageError(`${values.record}: ${read.reason}`);
    record = read.record;
  } else {
    const { records } = await loadRecords(values.dir);
    record = records.map((r) => r.record).filter((r) => r.kind === "bench").at(-1);
    if (!record) {
      throw new UsageError(`no bench record in ${values.dir} (run \`deno task bench\` first)`);
    }
  }
  let output: unknown;
  if (values.format === "bmf") output = toBencherMetricFormat(record.samples);
  else {
    const directions = new Set(record.samples.map((s) => s.better));
    const better = (values.better ?? (directions.size === 1 ? [...directions][0] : undefined)) as
      | Better
      | undefined;
    if (!better) {
      throw new UsageError(
        "the record mixes lower- and higher-is-better units: pass --better lower or --better higher",
      );
    }
    output = toGithubActionBenchmark(record.samples, better);
  }
  const text = JSON.stringify(output, null, 2) + "\n";
  if (values.out) await Deno.writeTextFile(values.out, text);
  else await Deno.stdout.write(new TextEncoder().encode(text));
  return 0;
}

if (import.meta.main) Deno.exit(await exportMain(Deno.args));
