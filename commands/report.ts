/**
 * `deno task report`: write the self-contained HTML report of every record to
 * `results/out/report.html`.
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
import { loadRecords, RUNS_DIR } from "../results/store.ts";
import { parseFlags } from "./cli.ts";

const HELP = `Usage: deno task report [options]

Options:
  --dir DIR     folder of records (default results/runs)
  --out FILE    where to write (default results/out/report.html)
  -h, --help    this help`;

if (import.meta.main) {
  const args = parseFlags({
    dir: { type: "string", default: RUNS_DIR },
    out: { type: "string", default: join(SUITE_ROOT, "results", "out", "report.html") },
  }, HELP);
  const { records, skipped } = await loadRecords(args.dir);
  const html = renderReport({ records: records.map((r) => r.record), skipped });
  await Deno.mkdir(dirname(args.out), { recursive: true });
  const temp = `${args.out}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(temp, html);
  await Deno.rename(temp, args.out);
  console.log(
    `report: ${args.out} (${records.length} record(s)` +
      `${skipped.length ? `, ${skipped.length} skipped` : ""}, ${
        (html.length / 1024).toFixed(0)
      } KiB)`,
  );
}
