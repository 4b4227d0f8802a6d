/**
 * `deno task bench`: run the core and workload benchmarks over every version (or those
 * chosen) with mitata, print the figures, and append a bench record to `results/runs/`;
 * with `--git GOOD..BAD`, one record per commit of the range.
 *
 * @example
 * ```sh
 * deno task bench --quick --versions head
 * ```
 *
 * @module
 */

import { gitHistory, versionFolder, versionNames } from "../core/loader.ts";
import { benchCases } from "../bench/cases.ts";
import { type BenchOptions, runBench } from "../bench/run.ts";
import { formatValue, INSTRUCTIONS_UNIT, summarize } from "../results/compare.ts";
import { countVersions, instructionRecord } from "../bench/instructions.ts";
import { staleVersions, warnStale } from "./stale_versions.ts";
import { loadRecords, RUNS_DIR, saveRecord } from "../results/store.ts";
import {
  defineCommand,
  integerFlag,
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
  --versions a,b   versions (manifest names, head, folders or git:REV); default: every
                   manifest version and head
  --git GOOD..BAD  measure the first-parent commits of the range instead, one record per
                   commit, skipping commits a record already holds (as asv's --skip-existing)
  --every K        with --git: every K-th commit of the range, and always the last (default 1)
  --tags           with --git: only the tagged commits of the range (a kernel checkout's
                   releases: --git v6.1..v6.19 --tags --repo ~/src/linux), and both ends
  --repo DIR       with --git: the repository (default: this suite's checkout); a kernel
                   checkout makes each commit a kernel version, built once and cached
  --git-path DIR   with --git: the version folder inside it (default core/head)
  --cases x,y      only these cases (see --list)
  --quick          short measurements (for tests and smoke runs)
  --rounds N       measure all versions N times in turn, pooling the samples, so that drift
                   of the machine spreads over every version (default 3; 1 with --quick)
  --metric M       time (default) or instructions: for kernel versions only, one counted
                   replay of a fixed operation stream per version under valgrind (see
                   deno task count), recorded as instructions/<kind> figures in one record
  --strict         refuse frozen versions edited since they were frozen (default: warn)
  --out DIR        folder for the record (default results/runs)
  --list           print the case names and exit
  -h, --help       this help`;

const COMMAND = defineCommand({
  name: "bench",
  help: HELP,
  options: {
    versions: { type: "string" },
    git: { type: "string" },
    every: { type: "string" },
    tags: { type: "boolean", default: false },
    repo: { type: "string" },
    "git-path": { type: "string" },
    cases: { type: "string" },
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    out: { type: "string" },
    list: { type: "boolean", default: false },
    metric: { type: "string", default: "time" },
    strict: { type: "boolean", default: false },
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
  if (values.git === undefined) {
    const gitOnly = (["every", "repo", "git-path"] as const).find((k) => values[k] !== undefined);
    if (gitOnly) throw new UsageError(`--${gitOnly} goes with --git GOOD..BAD`);
    if (values.tags) throw new UsageError("--tags goes with --git GOOD..BAD");
  } else if (values.versions !== undefined) {
    throw new UsageError("give --versions or --git, not both");
  }
  const versions = values.git !== undefined
    ? []
    : values.versions
    ? splitList(values.versions, "--versions")
    : versionNames();
  // An unknown version throws UnknownVersionError, a usage error, before anything is measured.
  for (const v of versions) versionFolder(v);
  warnStale("bench", staleVersions(versions), values.strict);
  if (values.metric !== "time" && values.metric !== "instructions") {
    throw new UsageError(`unknown --metric "${values.metric}" (want time or instructions)`);
  }
  if (values.metric === "instructions") {
    const where = {
      ...(values.repo !== undefined ? { repo: values.repo } : {}),
      ...(values["git-path"] !== undefined ? { path: values["git-path"] } : {}),
    };
    const sources = values.git !== undefined
      ? gitHistory(values.git, where, { tags: values.tags }).map((v) => ({
        name: v.name,
        folder: v.materialise(),
      }))
      : versions.map((name) => ({ name, folder: name }));
    return await benchInstructions(sources, values.out);
  }
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
  const options: BenchOptions = {
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
  };
  if (values.git !== undefined) {
    const every = integerFlag("every", values.every, 1, 1);
    const wanted = cases ?? known.map((c) => c.name);
    return await benchCommits(values.git, every, wanted, options, {
      tags: values.tags,
      ...(values.repo !== undefined ? { repo: values.repo } : {}),
      ...(values["git-path"] !== undefined ? { path: values["git-path"] } : {}),
      ...(values.out !== undefined ? { out: values.out } : {}),
    });
  }
  console.log(
    `bench: ${versions.length} version(s), ${cases?.length ?? known.length} case(s), ` +
      `${rounds} round(s)${values.quick ? ", quick" : ""}`,
  );
  const record = await runBench(options);
  const path = await saveRecord(record, values.out);
  console.log(`record: ${path}`);
  return 0;
}

/**
 * `--git GOOD..BAD`: one record per commit, so that a history grows a commit at a time and a
 * run cut short keeps what it measured. A commit is skipped when a record in the output
 * folder already holds every wanted case for it with the same `--quick`.
 */
async function benchCommits(
  range: string,
  every: number,
  wanted: readonly string[],
  options: BenchOptions,
  where: { tags: boolean; repo?: string; path?: string; out?: string },
): Promise<number> {
  const commits = gitHistory(range, where, { tags: where.tags });
  const picked = commits.filter((_, i) => i % every === 0 || i === commits.length - 1);
  const { records } = await loadRecords(where.out ?? RUNS_DIR);
  const measured = new Map<string, string>();
  for (const { record } of records) {
    if (record.kind !== "bench" || record.body.quick !== options.quick) continue;
    for (const v of record.versions) {
      const has = (c: string) =>
        record.samples.some((s) => s.version === v.name && s.benchmark === c);
      if (v.commit && wanted.every(has)) measured.set(v.commit.sha, record.id);
    }
  }
  const todo = picked.filter((c) => !measured.has(c.commit!.sha));
  console.log(
    `bench --git ${range}${where.tags ? " --tags" : ""}: ${commits.length} ` +
      `${where.tags ? "tagged " : ""}commit(s), ${picked.length} picked` +
      `${every > 1 ? ` (every ${every})` : ""}, ${picked.length - todo.length} already ` +
      `measured, ${todo.length} to measure; ${wanted.length} case(s), ` +
      `${options.rounds} round(s)${options.quick ? ", quick" : ""}`,
  );
  for (const c of picked) {
    const commit = c.commit!;
    // A release is named by its tag beside the sha: `853de441cfe6 v6.12 "Linux 6.12.118"`.
    const named = `${commit.short}${commit.tag !== undefined ? ` ${commit.tag}` : ""}`;
    const earlier = measured.get(commit.sha);
    if (earlier !== undefined) {
      console.log(`skip ${named} "${commit.subject}": measured in ${earlier}`);
      continue;
    }
    console.log(`commit ${named} "${commit.subject}" (${commit.authorDate})`);
    let folder: string;
    try {
      folder = c.materialise();
    } catch (error) {
      console.log(`skip ${named}: ${(error as Error).message.split("\n")[0]}`);
      continue;
    }
    const record = await runBench({
      ...options,
      versions: [{ name: c.name, folder, commit }],
    });
    console.log(`record: ${await saveRecord(record, where.out)}`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await benchMain(Deno.args));

/** `--metric instructions`: count every version over one stream, one record for them all. */
async function benchInstructions(
  sources: readonly { readonly name: string; readonly folder: string }[],
  out: string | undefined,
): Promise<number> {
  const startedAt = new Date();
  const stream = { seed: 1, scale: 0.2 };
  const counted = await countVersions(sources.map((s) => s.folder), stream);
  const named = counted.map((c, i) => ({ ...c, version: sources[i].name }));
  for (const c of named) {
    console.log(
      `  ${c.version.padEnd(20)} ${c.release.padEnd(10)} ${
        formatValue(c.counts.total, INSTRUCTIONS_UNIT)
      }`,
    );
  }
  if (named[0]?.deterministic === false) console.log("  the first version's counts did not repeat");
  console.log(`record: ${await saveRecord(instructionRecord(named, stream, startedAt), out)}`);
  return 0;
}
