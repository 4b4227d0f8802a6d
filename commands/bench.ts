/**
 * `deno task bench`: run the core and workload benchmarks over every version (or those
 * chosen) with mitata, print the figures, and append a bench record to `results/runs/`;
 * with `--git GOOD..BAD`, one record per commit of the range.
 *
 * Every version measured in a round (one child process) is journaled as it finishes, beside
 * the record (`<id>.journal.jsonl`). SIGINT or SIGTERM stops starting children, kills the one
 * in flight (half a measurement is none), writes the record of the finished units marked
 * interrupted and prints one line with the command that resumes; `--resume PATH` refuses a
 * differing plan and reuses the finished units, on the same machine only.
 *
 * With `--shard K/N` (or K/N from a CI engine's variables, see `bisect/shard.ts`) a run
 * measures only shard K's sample sets of the versions × cases grid (`bench/shard.ts`) and its
 * record carries `body.shard`; `deno task merge` joins the N records into one. With `--git`
 * the shard measures its block of the commits picked: each commit's record is whole, so there
 * is nothing to merge.
 *
 * @example
 * ```sh
 * deno task bench --quick --versions head
 * ```
 *
 * @module
 */

import { gitHistory, locateVersion, versionFolder, versionNames } from "../core/loader.ts";
import { benchCases } from "../bench/cases.ts";
import { type BenchOptions, HARNESS, type LocatedVersion, runBench } from "../bench/run.ts";
import {
  BENCH_FLAG_NAMES,
  BENCH_JOURNAL,
  benchIdentity,
  type BenchUnit,
} from "../bench/journal.ts";
import {
  identityDifference,
  type Journal,
  journalPath,
  JournalWriter,
  type PlanIdentity,
  readJournal,
  removeJournalChain,
} from "../bisect/journal.ts";
import { formatValue, INSTRUCTIONS_UNIT, summarize } from "../results/compare.ts";
import { countVersions, instructionRecord } from "../bench/instructions.ts";
import { staleVersions, warnStale } from "./stale_versions.ts";
import { loadRecords, RUNS_DIR, saveRecord } from "../results/store.ts";
import { type BenchRecord, newRecordId, type ShardInfo } from "../results/record.ts";
import { benchShardCases, commitBlock } from "../bench/shard.ts";
import { formatShard, planHash, resolveShard, shardInfo, type ShardSpec } from "../bisect/shard.ts";
import {
  abortedBy,
  interruptExitCode,
  machineName,
  resumeCommand,
  shellWord,
  watchInterrupts,
  withoutResume,
} from "./interrupt.ts";
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
  --resume PATH    go on with an interrupted run: its record or journal; the same versions
                   and flags are required, finished units (a version in a round) are reused
                   when measured on this machine; with --git, the journal of the commit that
                   was cut short
  --shard K/N      measure only shard K of N (K from 1): the versions x cases grid is dealt
                   by case when there are at least N cases (each case's versions on one
                   machine), else cell by cell; deno task merge joins the N records. With
                   --git, shard K measures the K-th of N blocks of the commits picked, each
                   commit's record whole (nothing to merge). Without --shard, K/N comes from
                   MAPLE_SHARD=K/N, CI_NODE_INDEX/CI_NODE_TOTAL, BUILDKITE_PARALLEL_JOB(_COUNT)
                   or JOB_COMPLETION_INDEX with MAPLE_SHARD_COUNT
  --list           print the case names and exit
  -h, --help       this help

Ctrl-C or SIGTERM keeps the finished units in a record marked interrupted and prints the
command that resumes (exit 130, 143 for SIGTERM); a second Ctrl-C exits at once.`;

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
    resume: { type: "string" },
    shard: { type: "string" },
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
  return runCommand(COMMAND, args, (parsed) => bench(parsed, args));
}

async function bench(
  { values }: ParsedCommand<typeof COMMAND.options>,
  args: readonly string[],
): Promise<number> {
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
  const shardSpec = resolveShard(values.shard);
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
    if (values.resume !== undefined) {
      throw new UsageError("--resume goes with --metric time (a count is one short run)");
    }
    if (shardSpec && shardSpec.count > 1) {
      throw new UsageError(
        `shard ${formatShard(shardSpec)} (from ${shardSpec.source}) splits --metric time ` +
          `only: a count is one short run of every version, with nothing to split`,
      );
    }
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
    onVersionStart: (version, index, count, round, reused) => {
      console.log(
        `[round ${round}/${rounds}, ${index + 1}/${count}] ${version}` +
          (reused ? " (reused from the journal)" : ""),
      );
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
  // In the harness's order, as the record lists them: the order given does not make a new plan.
  const chosen = known.filter((c) => !cases || cases.includes(c.name)).map((c) => c.name);
  const flags = { quick: values.quick, cases: chosen, rounds };
  const resume = values.resume === undefined
    ? undefined
    : await readJournal(values.resume, BENCH_JOURNAL);
  const out = values.out ?? RUNS_DIR;
  const watch = watchInterrupts();
  try {
    if (values.git !== undefined) {
      const every = integerFlag("every", values.every, 1, 1);
      const wanted = cases ?? known.map((c) => c.name);
      return await benchCommits(values.git, every, wanted, { ...options, signal: watch.signal }, {
        tags: values.tags,
        ...(shardSpec ? { shard: shardSpec } : {}),
        ...(values.repo !== undefined ? { repo: values.repo } : {}),
        ...(values["git-path"] !== undefined ? { path: values["git-path"] } : {}),
        out,
        flags,
        args,
        ...(resume ? { resume } : {}),
      });
    }
    const located = versions.map((name) => {
      const source = locateVersion(name);
      return {
        name,
        folder: versionFolder(name),
        ...(source.commit ? { commit: source.commit } : {}),
      };
    });
    const whole = benchIdentity(located, flags, HARNESS);
    const shard = shardSpec && benchShard(shardSpec, whole, located.length, chosen);
    // Every shard names the whole plan; the journal also names the shard, so that a resume
    // never mixes one shard's sample sets into another's record.
    const identity = shardSpec
      ? { ...whole, flags: { ...whole.flags, shard: formatShard(shardSpec) } }
      : whole;
    const difference = resume &&
      identityDifference(resume.header.identity, identity, BENCH_FLAG_NAMES);
    if (difference) throw new UsageError(`cannot resume from ${resume.path}: ${difference}`);
    console.log(
      `bench: ${versions.length} version(s), ${cases?.length ?? known.length} case(s), ` +
        `${rounds} round(s)${values.quick ? ", quick" : ""}` +
        (shard
          ? `; shard ${formatShard(shard)}: ${shard.units} of ${shard.planUnits} sample sets`
          : ""),
    );
    const ran = await journaledBench(
      { ...options, signal: watch.signal, ...(shard ? { shard } : {}) },
      { identity, out, args, ...(resume ? { resume } : {}), ...(shard ? { shard } : {}) },
    );
    if (ran.kind === "interrupted") {
      console.error(
        ran.path
          ? `bench: interrupted by ${ran.signal}; kept ${ran.kept} of ${ran.planned} units ` +
            `(a version in a round) in ${ran.path}; resume: ${
              resumeCommand("bench", args, ran.path)
            }`
          : `bench: interrupted by ${ran.signal} before any unit finished; nothing kept`,
      );
      return interruptExitCode(ran.signal);
    }
    console.log(`record: ${ran.path}`);
    if (shard) {
      console.log(
        `shard ${formatShard(shard)} (from ${shard.source}) of plan ${shard.plan.slice(7, 19)}: ` +
          `${shard.units} of ${shard.planUnits} sample sets; when all ${shard.count} are ` +
          `done: deno task merge ${shellWord(out)}`,
      );
    }
    return 0;
  } finally {
    watch.dispose();
  }
}

/** What a shard's record says about it: the whole plan's hash, its sample sets and machine. */
function benchShard(
  spec: ShardSpec,
  whole: PlanIdentity,
  versions: number,
  cases: readonly string[],
): ShardInfo {
  const units = benchShardCases(spec, versions, cases).reduce((n, list) => n + list.length, 0);
  return shardInfo(spec, whole, {
    units,
    planUnits: versions * cases.length,
    machine: machineName(),
  });
}

/** The machine as far as reusing samples goes: a new Deno measures differently too. */
function benchMachine(): string {
  return `${machineName()}, deno ${Deno.version.deno}`;
}

/** How a journaled bench run ended. */
type JournaledRun =
  | { readonly kind: "finished"; readonly path: string; readonly record: BenchRecord }
  | {
    readonly kind: "interrupted";
    readonly signal: string;
    /** The interrupted record, or `undefined` when no unit had finished. */
    readonly path?: string;
    readonly kept: number;
    readonly planned: number;
  };

/**
 * One bench run with its journal: the finished units of `resume` are taken (when the plan is
 * the same, and only on the machine that measured them), every unit measured here is
 * journaled as it finishes, and the record is written: whole, or marked interrupted.
 */
async function journaledBench(
  options: BenchOptions,
  where: {
    readonly identity: PlanIdentity;
    readonly out: string;
    readonly args: readonly string[];
    readonly resume?: Journal<BenchUnit>;
    /** The shard this run is, stamped on its record (`body.shard`). */
    readonly shard?: ShardInfo;
    /** `--git --shard`: the shard and the whole range's plan, kept in `parameters`. */
    readonly note?: { readonly shard: string; readonly plan: string };
  },
): Promise<JournaledRun> {
  const { identity, out, args, resume, shard, note } = where;
  const machine = benchMachine();
  let reuse: readonly BenchUnit[] = [];
  if (resume) {
    const difference = identityDifference(resume.header.identity, identity, BENCH_FLAG_NAMES);
    if (difference) throw new UsageError(`cannot resume from ${resume.path}: ${difference}`);
    if (resume.header.machine === machine) {
      reuse = resume.runs;
    } else {
      console.log(
        `bench: ${resume.path} was measured on ${resume.header.machine}, not here ` +
          `(${machine}): measuring every unit again`,
      );
    }
  }
  const startedAt = new Date();
  const id = newRecordId("bench", startedAt);
  const writer = JournalWriter.create<BenchUnit>(journalPath(out, id), {
    journal: 1,
    command: "bench",
    id,
    startedAt: startedAt.toISOString(),
    identity,
    machine,
    args: withoutResume(args),
    ...(resume ? { resumedFrom: resume.path } : {}),
  }, reuse);
  let record: BenchRecord;
  try {
    const ran = await runBench({ ...options, reuse, onUnit: (unit) => writer.append(unit) });
    record = shard
      ? {
        ...ran,
        parameters: { ...ran.parameters, shard: formatShard(shard) },
        body: { ...ran.body, shard },
      }
      : ran;
  } finally {
    writer.close();
  }
  const units = record.body.units ?? [];
  const reused = units.filter((u) => u.reused).length;
  const parameters = {
    ...record.parameters,
    ...(note ? { shard: note.shard, plan: note.plan } : {}),
    ...(resume ? { resumedFrom: resume.path, unitsReused: reused } : {}),
  };
  if (resume) {
    console.log(
      `bench: resumed from ${resume.path}: ${reused} units reused, ` +
        `${units.length - reused} measured`,
    );
  }
  const interrupted = record.body.interrupted;
  if (interrupted) {
    const planned = interrupted.unitsPlanned ?? units.length;
    if (units.length === 0) {
      await Deno.remove(writer.path).catch(() => {});
      return { kind: "interrupted", signal: interrupted.signal, kept: 0, planned };
    }
    const body = {
      ...record.body,
      interrupted: {
        ...interrupted,
        journal: writer.path,
        resume: resumeCommand("bench", args, writer.path),
      },
    };
    const path = await saveRecord({ ...record, id, parameters, body }, out);
    return { kind: "interrupted", signal: interrupted.signal, path, kept: units.length, planned };
  }
  const path = await saveRecord({ ...record, id, parameters }, out);
  // The record holds every unit; the journals (this one and any it resumed) are done with.
  await removeJournalChain(writer.path);
  return { kind: "finished", path, record };
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
  where: {
    tags: boolean;
    repo?: string;
    path?: string;
    out: string;
    flags: { quick: boolean; cases: readonly string[]; rounds: number };
    args: readonly string[];
    resume?: Journal<BenchUnit>;
    shard?: ShardSpec;
  },
): Promise<number> {
  const commits = gitHistory(range, where, { tags: where.tags });
  const inRange = commits.filter((_, i) => i % every === 0 || i === commits.length - 1);
  // The block is taken before commits already measured are skipped: those depend on what
  // each machine's folder holds, the blocks only on the range.
  const block = where.shard ? commitBlock(where.shard, inRange.length) : undefined;
  const picked = block ? inRange.slice(block.start, block.end) : inRange;
  const shardNote = where.shard && block
    ? {
      shard: formatShard(where.shard),
      plan: planHash({
        commits: inRange.map((c) => c.commit!.sha),
        flags: benchIdentity([], where.flags, HARNESS).flags,
      }),
    }
    : undefined;
  const resumed = where.resume?.header.identity.versions[0]?.name;
  if (where.resume) {
    const flagsOnly = (identity: PlanIdentity) => ({ versions: [], flags: identity.flags });
    const now = flagsOnly(benchIdentity([], where.flags, HARNESS));
    const difference = identityDifference(
      flagsOnly(where.resume.header.identity),
      now,
      BENCH_FLAG_NAMES,
    );
    if (difference) throw new UsageError(`cannot resume from ${where.resume.path}: ${difference}`);
    if (!picked.some((c) => c.name === resumed)) {
      throw new UsageError(
        `cannot resume from ${where.resume.path}: its version ${resumed} is not among the ` +
          `commits picked from ${range}` +
          (shardNote ? ` for shard ${shardNote.shard}` : ""),
      );
    }
  }
  const { records } = await loadRecords(where.out);
  const measured = new Map<string, string>();
  for (const { record } of records) {
    if (record.kind !== "bench" || record.body.quick !== options.quick) continue;
    // An interrupted record lacks rounds: its commit is measured again (or resumed).
    if (record.body.interrupted) continue;
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
      `${every > 1 ? ` (every ${every})` : ""}` +
      (shardNote && block
        ? ` for shard ${shardNote.shard} (commits ${block.start + 1}..${block.end} of ` +
          `${inRange.length})`
        : "") +
      `, ${picked.length - todo.length} already ` +
      `measured, ${todo.length} to measure; ${wanted.length} case(s), ` +
      `${options.rounds} round(s)${options.quick ? ", quick" : ""}`,
  );
  let done = 0;
  for (const c of picked) {
    const commit = c.commit!;
    // A release is named by its tag beside the sha: `853de441cfe6 v6.12 "Linux 6.12.118"`.
    const named = `${commit.short}${commit.tag !== undefined ? ` ${commit.tag}` : ""}`;
    const earlier = measured.get(commit.sha);
    if (earlier !== undefined) {
      console.log(`skip ${named} "${commit.subject}": measured in ${earlier}`);
      continue;
    }
    if (options.signal?.aborted) {
      return commitsInterrupted(abortedBy(options.signal), done, where);
    }
    console.log(`commit ${named} "${commit.subject}" (${commit.authorDate})`);
    let folder: string;
    try {
      folder = c.materialise();
    } catch (error) {
      console.log(`skip ${named}: ${(error as Error).message.split("\n")[0]}`);
      continue;
    }
    const version: LocatedVersion = { name: c.name, folder, commit };
    const ran = await journaledBench({ ...options, versions: [version] }, {
      identity: benchIdentity([version], where.flags, HARNESS),
      out: where.out,
      args: where.args,
      ...(where.resume && resumed === c.name ? { resume: where.resume } : {}),
      ...(shardNote ? { note: shardNote } : {}),
    });
    if (ran.kind === "interrupted") {
      const partial = ran.path
        ? {
          path: ran.path,
          text: `${ran.kept} of ${ran.planned} rounds of ${c.name} in ${ran.path}`,
        }
        : undefined;
      return commitsInterrupted(ran.signal, done, where, partial);
    }
    done++;
    console.log(`record: ${ran.path}`);
  }
  return 0;
}

/**
 * The one line of a `bench --git` cut short: the commits measured are kept as records (and
 * skipped by the next run), the commit cut short as an interrupted record to resume from.
 */
function commitsInterrupted(
  signal: string,
  done: number,
  where: { readonly out: string; readonly args: readonly string[] },
  partial?: { readonly path: string; readonly text: string },
): number {
  const again = partial
    ? resumeCommand("bench", where.args, partial.path)
    : ["deno task bench", ...withoutResume(where.args).map(shellWord)].join(" ");
  console.error(
    `bench: interrupted by ${signal}; kept ${done} commit(s) measured in this run in ` +
      `${where.out}${partial ? ` and ${partial.text}` : ""}; resume: ${again}`,
  );
  return interruptExitCode(signal);
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
