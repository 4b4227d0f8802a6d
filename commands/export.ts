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
import { fail, parseFlags } from "./cli.ts";

const HELP = `Usage: deno task export --format gab|bmf [options]

Options:
  --format F       gab (github-action-benchmark custom JSON) or bmf (Bencher metric format)
  --record FILE    the record to export (default: the latest bench record in --dir)
  --dir DIR        folder of records (default results/runs)
  --better D       for gab: lower (customSmallerIsBetter, ns/op) or higher (customBiggerIsBetter,
                   ops/s); required when the record has both kinds of unit
  --out FILE       write there instead of stdout
  -h, --help       this help`;

if (import.meta.main) {
  const args = parseFlags({
    format: { type: "string" },
    record: { type: "string" },
    dir: { type: "string", default: RUNS_DIR },
    better: { type: "string" },
    out: { type: "string" },
  }, HELP);
  if (args.format !== "gab" && args.format !== "bmf") fail("--format must be gab or bmf");
  if (args.better !== undefined && args.better !== "lower" && args.better !== "higher") {
    fail(`--better must be lower or higher, got "${args.better}"`);
  }
  let record: SuiteRecord | undefined;
  if (args.record) {
    const read = await readRecordFile(args.record);
    if ("reason" in read) fail(`${args.record}: ${read.reason}`);
    record = read.record;
  } else {
    const { records } = await loadRecords(args.dir);
    record = records.map((r) => r.record).filter((r) => r.kind === "bench").at(-1);
    if (!record) fail(`no bench record in ${args.dir} (run \`deno task bench\` first)`);
  }
  let output: unknown;
  if (args.format === "bmf") output = toBencherMetricFormat(record.samples);
  else {
    const directions = new Set(record.samples.map((s) => s.better));
    const better = (args.better ?? (directions.size === 1 ? [...directions][0] : undefined)) as
      | Better
      | undefined;
    if (!better) {
      fail(
        "the record mixes lower- and higher-is-better units: pass --better lower or --better higher",
      );
    }
    output = toGithubActionBenchmark(record.samples, better);
  }
  const text = JSON.stringify(output, null, 2) + "\n";
  if (args.out) await Deno.writeTextFile(args.out, text);
  else await Deno.stdout.write(new TextEncoder().encode(text));
}
