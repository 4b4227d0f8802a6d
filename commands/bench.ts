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

import { UnknownVersionError, versionFolder, versionNames } from "../core/loader.ts";
import { benchCases } from "../bench/cases.ts";
import { runBench } from "../bench/run.ts";
import { formatValue, summarize } from "../results/compare.ts";
import { saveRecord } from "../results/store.ts";
import { fail, parseFlags, splitList } from "./cli.ts";

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

if (import.meta.main) {
  const args = parseFlags({
    versions: { type: "string" },
    cases: { type: "string" },
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    out: { type: "string" },
    list: { type: "boolean", default: false },
  }, HELP);
  const known = benchCases();
  if (args.list) {
    for (const c of known) console.log(`${c.name}  (${c.unit})`);
    Deno.exit(0);
  }
  const versions = args.versions ? splitList(args.versions, "--versions") : versionNames();
  for (const v of versions) {
    try {
      versionFolder(v);
    } catch (error) {
      if (error instanceof UnknownVersionError) fail(error.message);
      throw error;
    }
  }
  const cases = args.cases ? splitList(args.cases, "--cases") : undefined;
  for (const name of cases ?? []) {
    if (!known.some((c) => c.name === name)) fail(`unknown case "${name}" (see --list)`);
  }

  // Three rounds by default: a burst of load from a neighbour then touches about a third of a
  // figure's samples, which its median shrugs off; with two it could move half of them.
  const rounds = args.rounds === undefined ? (args.quick ? 1 : 3) : Number(args.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    fail(`--rounds must be a whole number from 1 to 20, got "${args.rounds}"`);
  }
  console.log(
    `bench: ${versions.length} version(s), ${cases?.length ?? known.length} case(s), ` +
      `${rounds} round(s)${args.quick ? ", quick" : ""}`,
  );
  const record = await runBench({
    versions,
    quick: args.quick,
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
  const path = await saveRecord(record, args.out);
  console.log(`record: ${path}`);
}
