/**
 * `deno task history`: each benchmark's figures per version across runs, with the steps the
 * change-point check finds between versions and over time.
 *
 * @example
 * ```sh
 * deno task history --benchmark core/load-random
 * ```
 *
 * @module
 */

import { buildHistory, formatHistory } from "../results/history.ts";
import { loadRecords, RUNS_DIR } from "../results/store.ts";
import { fail, parseFlags } from "./cli.ts";

const HELP = `Usage: deno task history [options]

Options:
  --dir DIR          folder of records (default results/runs)
  --benchmark NAME   only benchmarks whose name contains NAME
  --threshold PCT    smallest step that counts, in percent (default 10)
  --alpha P          significance level of the step test (default 0.01)
  --json             print the history as JSON
  -h, --help         this help`;

if (import.meta.main) {
  const args = parseFlags({
    dir: { type: "string", default: RUNS_DIR },
    benchmark: { type: "string" },
    threshold: { type: "string", default: "10" },
    alpha: { type: "string", default: "0.01" },
    json: { type: "boolean", default: false },
  }, HELP);
  const threshold = Number(args.threshold) / 100;
  const alpha = Number(args.alpha);
  if (!(threshold >= 0)) {
    fail(`--threshold must be a non-negative percentage, got "${args.threshold}"`);
  }
  if (!(alpha > 0 && alpha < 1)) fail(`--alpha must be between 0 and 1, got "${args.alpha}"`);
  const { records } = await loadRecords(args.dir);
  const filter = args.benchmark;
  const history = buildHistory(records.map((r) => r.record), { threshold, alpha })
    .filter((h) => filter === undefined || h.benchmark.includes(filter));
  console.log(args.json ? JSON.stringify(history, null, 2) : formatHistory(history));
}
