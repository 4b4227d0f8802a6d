/**
 * `deno task count --versions A,B,...`: instructions each kernel version executes per
 * operation kind over one generated stream (see `bench/instructions.ts`), under valgrind's
 * callgrind; the first version is counted twice to show the counts repeat.
 *
 * @example
 * ```sh
 * deno task count --versions kernel-6.1,kernel-6.12 --scale 0.5
 * ```
 *
 * @module
 */

import { countVersions, instructionRecord } from "../bench/instructions.ts";
import { saveRecord } from "../results/store.ts";
import {
  defineCommand,
  integerFlag,
  type ParsedCommand,
  runCommand,
  splitList,
  UNIX_TOOL,
  UsageError,
} from "./cli.ts";

const COMMAND = defineCommand({
  name: "count",
  help: `Usage: deno task count [--versions A,B,...] [--seed N] [--scale S] [--json]

Replays one generated stream of tree operations (stores in order and at random, loads, walks,
next/prev, churn, gap searches, forks; --scale 1 is about 112,000 operations) on each kernel
version's replay driver under valgrind's callgrind, and prints the instructions per operation
kind, with each version's change against the first. Instructions are not time: they repeat
exactly from run to run, so small changes show, but a load that waits on memory costs time and
no instructions. TypeScript versions are refused. Default versions: kernel-6.1,kernel-6.12.
The counts are saved as a bench record (unit "instructions") that compare, history and report
read; --no-record skips it.
Exit codes: 0 done, 2 bad input or a version that cannot be counted.`,
  options: {
    versions: { type: "string", default: "kernel-6.1,kernel-6.12" },
    seed: { type: "string" },
    scale: { type: "string" },
    json: { type: "boolean", default: false },
    "no-record": { type: "boolean", default: false },
  },
  conventions: UNIX_TOOL,
});

/**
 * Run the command with `args`; returns the exit code.
 *
 * @example
 * ```ts
 * import { countMain } from "./count.ts";
 * export const run = () => countMain(["--versions", "kernel-6.1", "--scale", "0.05"]);
 * ```
 */
export function countMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, main);
}

async function main({ values }: ParsedCommand<typeof COMMAND.options>): Promise<number> {
  const seed = integerFlag("seed", values.seed, 1, 0);
  const scale = values.scale === undefined ? 1 : Number(values.scale);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 100) {
    throw new UsageError(`--scale wants a number above 0 and at most 100, got "${values.scale}"`);
  }
  const startedAt = new Date();
  const results = await countVersions(splitList(values.versions, "--versions"), { seed, scale });
  const saved = values["no-record"]
    ? undefined
    : await saveRecord(instructionRecord(results, { seed, scale }, startedAt));
  if (values.json) {
    console.log(JSON.stringify({ seed, scale, results }, null, 2));
    return 0;
  }
  const kinds = Object.keys(results[0].counts.byKind).sort((a, b) =>
    results[0].counts.byKind[b] - results[0].counts.byKind[a]
  );
  const first = results[0];
  console.log(
    `count: seed ${seed}, scale ${scale}; ${first.version} counted twice: ` +
      (first.deterministic ? "identical" : "DIFFERENT (not deterministic)"),
  );
  const head = [
    "kind".padEnd(9),
    ...results.map((r) => `${r.version} (${r.release})`.padStart(30)),
  ];
  console.log(head.join(""));
  for (const kind of [...kinds, "total"]) {
    const cells = results.map((r) => {
      const n = kind === "total" ? r.counts.total : r.counts.byKind[kind] ?? 0;
      const base = kind === "total" ? first.counts.total : first.counts.byKind[kind] ?? 0;
      const change = r === first || base === 0
        ? ""
        : ` (${n >= base ? "+" : ""}${((n / base - 1) * 100).toFixed(1)}%)`;
      return `${n.toLocaleString("en-US")}${change}`.padStart(30);
    });
    console.log(`${kind.padEnd(9)}${cells.join("")}`);
  }
  if (saved) console.log(`record: ${saved}`);
  return first.deterministic ? 0 : 3;
}

if (import.meta.main) Deno.exitCode = await countMain(Deno.args);
