/**
 * `deno task compare A B`: an asv-compare-like table of two record files, or of two versions
 * in the latest records.
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
import { parseArgs } from "node:util";
import { compareSamples, formatComparison } from "../results/compare.ts";
import type { SuiteRecord } from "../results/record.ts";
import { SelectionError, selectSides } from "../results/select.ts";
import { loadRecords, readRecordFile, RUNS_DIR } from "../results/store.ts";
import { fail } from "./cli.ts";

const HELP = `Usage: deno task compare A B [options]

A and B are two record files, or two version names looked up in the latest records.

Options:
  --dir DIR          folder of records (default results/runs)
  --threshold PCT    smallest change that counts, in percent (default 10)
  --alpha P          significance level of the Mann-Whitney test (default 0.05)
  --only-changed     hide unchanged rows
  -h, --help         this help

Exit status: 0, or 1 when something got worse or newly fails (for CI), 2 on bad input.`;

if (import.meta.main) {
  let parsed;
  try {
    parsed = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        dir: { type: "string", default: RUNS_DIR },
        threshold: { type: "string", default: "10" },
        alpha: { type: "string", default: "0.05" },
        "only-changed": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const { values: args, positionals } = parsed;
  if (args.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  if (positionals.length !== 2) fail("compare needs exactly two arguments: A B");
  const threshold = Number(args.threshold) / 100;
  const alpha = Number(args.alpha);
  if (!(threshold >= 0)) {
    fail(`--threshold must be a non-negative percentage, got "${args.threshold}"`);
  }
  if (!(alpha > 0 && alpha < 1)) fail(`--alpha must be between 0 and 1, got "${args.alpha}"`);

  const files = new Map<string, SuiteRecord>();
  for (const arg of positionals) {
    if (existsSync(arg) && statSync(arg).isFile()) {
      const read = await readRecordFile(arg);
      if ("reason" in read) fail(`${arg}: ${read.reason}`);
      files.set(arg, read.record);
    } else if (arg.endsWith(".json")) {
      fail(`record file "${arg}" does not exist`);
    }
  }
  const needRecords = files.size < 2;
  const records = needRecords ? (await loadRecords(args.dir)).records.map((r) => r.record) : [];
  try {
    const [a, b] = positionals;
    const sides = selectSides(a, b, records, (p) => files.get(p));
    const rows = compareSamples(sides.before.sets, sides.after.sets, {
      threshold,
      alpha,
      key: sides.key,
    });
    const shown = args["only-changed"] ? rows.filter((r) => r.change !== "unchanged") : rows;
    console.log(sides.description);
    console.log(formatComparison(shown, { before: sides.before.title, after: sides.after.title }));
    const bad = rows.some((r) => r.change === "worse" || r.change === "newly-failing");
    Deno.exit(bad ? 1 : 0);
  } catch (error) {
    if (error instanceof SelectionError) fail(error.message);
    throw error;
  }
}
