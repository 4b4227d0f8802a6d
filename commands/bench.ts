/**
 * `deno task bench`: run the core and workload benchmarks over every version (or those
 * chosen) with mitata, print the figures, and append a bench record to `results/runs/`.
 *
 * @example
 * ```sh
 * deno task bench --quick --versions head
 * ```
 *
 * @module
 */

import { versionFolder, versionNames } from "../core/loader.ts";
import { benchCases } from "../bench/cases.ts";
import { runBench } from "../bench/run.ts";
import { formatValue, summarize } from "../results/compare.ts";
import { saveRecord } from "../results/store.ts";
import {
  defineCommand,
  type ParsedCommand,
  runCommand,
  splitList,
  UNIX_TOOL,
  UsageError,
} from "./cli.ts";

const HELP = `Usage: deno task bench [options]

Runs the core and workload benchmarks on each version (a child process per version) and
appends a bench record to results/runs/.

Options:
  --versions a,b   versions (manifest names, head, or folders); default: every manifest version and head
  --cases x,y      only these cases (see --list)
  --quick          short measurements (for tests and smoke runs)
  --rounds N       measure all versions N times in turn, pooling the samples, so that drift
                   of the machine spreads over every version (default 3; 1 with --quick)
  --out DIR        folder for the record (default results/runs)
  --list           print the case names and exit
  -h, --help       this help`;

const COMMAND = defineCommand({
  name: "bench",
  help: HELP,
  options: {
    versions: { type: "string" },
    cases: { type: "string" },
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    out: { type: "string" },
    list: { type: "boolean", default: false },
  },
  conventions: UNIX_TOOL,
});

/**
 * Run the command with `args`; returns the exit code (0 measured and recorded, 2 bad input).
 *
 * @example
 * ```ts
 * import { benchMain } from "./bench.ts";
 * Deno.exitCode = await benchMain(["--list"]);
 * ```
 */
export function benchMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, bench);
}

async function bench({ values }: ParsedCommand<typeof COMMAND.options>): Promise<number> {
  const known = benchCases();
  if (values.list) {
    for (const c of known) console.log(`${c.name}  (${c.unit})`);
    return 0;
  }
  const versions = values.versions ? splitList(values.versions, "--versions") : versionNames();
  // An unknown version throws UnknownVersionError, a usage error, before anything is measured.
  for (const v of versions) versionFolder(v);
  const cases = values.cases ? splitList(values.cases, "--cases") : undefined;
  for (const name of cases ?? []) {
    if (!known.some((c) => c.name === name)) {
      throw new UsageError(`unknown case "${name}" (see --list)`);
    }
  }

  // Three rounds by default: a burst of load from a neighbour then touches about a third of a
  // figure's samples, which its median shrugs off; with two it could move half of them.
  const rounds = values.rounds === undefined ? (values.quick ? 1 : 3) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    throw new UsageError(`--rounds must be a whole number from 1 to 20, got "${values.rounds}"`);
  }
  console.log(
    `bench: ${versions.length} version(s), ${cases?.length ?? known.length} case(s), ` +
      `${rounds} round(s)${values.quick ? ", quick" : ""}`,
  );
  const record = await runBench({
    versions,
    quick: values.quick,
    rounds,
    ...(cases ? { cases } : {}),
    onVersionStart: (version, index, count, round) => {
      console.log(`[round ${round}/${rounds}, ${index + 1}/${count}] ${version}`);
    },
    onVersion: (version, sets) => {
      for (const set of sets) {
        const figure = set.error !== undefined
          ? `failed: ${set.error}`
          : formatValue(summarize(set.values).median, set.unit);
        console.log(`  ${version.padEnd(12)} ${set.benchmark.padEnd(32)} ${figure}`);
      }
    },
  });
  const path = await saveRecord(record, values.out);
  console.log(`record: ${path}`);
  return 0;
}

if (import.meta.main) Deno.exit(await benchMain(Deno.args));
