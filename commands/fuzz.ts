/**
 * `deno task fuzz`: generate layouts and operation sequences, run them against a version in
 * child processes, stop at the first failure or when the time is up, and write the failing
 * case to `results/cases/` (shrunk too with `--shrink`).
 *
 * Every finished case is journaled as it finishes (`results/runs/fuzz-<id>.journal.jsonl`,
 * `--records DIR`). SIGINT or SIGTERM stops starting cases, kills those in flight, writes
 * `fuzz-<id>.json` marked interrupted with what finished and prints one line with the command
 * that resumes; `--resume PATH` walks the same seeds, takes the journaled verdicts and runs
 * the rest. A campaign that finishes removes its journal: its outcome is the case file.
 *
 * With `--shard K/N` (or K/N from a CI engine's variables, see `bisect/shard.ts`) the campaign
 * runs only its share of the `--max-cases` cases (case k when k mod N = K - 1), and writes
 * `fuzz-<id>.json` with `shard` when it ends; `deno task merge` joins the N files into the
 * union of their cases and the first failing case in seed order.
 *
 * @example
 * ```ts
 * // deno task fuzz --version v1.2.0 --stressor fork --time 60s --shrink
 * import { fuzzMain } from "./fuzz.ts";
 * console.log(typeof fuzzMain); // function
 * ```
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { loadVersion, locateVersion, versionFolder } from "../core/loader.ts";
import { caseRunnerFor, fuzz, shrink } from "../bisect/fuzz/mod.ts";
import {
  FUZZ_FLAG_NAMES,
  FUZZ_JOURNAL,
  fuzzIdentity,
  fuzzPlanIdentity,
  type FuzzRecord,
  type FuzzRun,
  type FuzzUnit,
  timeSpent,
  verdictsBySeed,
} from "../bisect/fuzz/campaign.ts";
import {
  identityDifference,
  journalPath,
  JournalWriter,
  readJournal,
  removeJournalChain,
} from "../bisect/journal.ts";
import { ProbeRunner } from "../bisect/runner.ts";
import { newRecordId, type ShardInfo } from "../results/record.ts";
import { formatShard, resolveShard, shardInfo } from "../bisect/shard.ts";
import { shardCaseCount } from "../bisect/fuzz/fuzz.ts";
import { runIdOf, RUNS_DIR, saveRunFile } from "../results/store.ts";
import {
  interruptExitCode,
  machineName,
  resumeCommand,
  shellWord,
  watchInterrupts,
  withoutResume,
} from "./interrupt.ts";
import { materializePrefix, MAX_NEAR_MUTATIONS, type SeedLayout } from "../workloads/fuzz/mod.ts";
import { resolveLayout } from "../workloads/layouts/mod.ts";
import { STRESSOR_NAMES } from "../workloads/probe_types.ts";
import {
  defineCommand,
  integerFlag,
  type ParsedCommand,
  parseDuration,
  runCommand,
  STRESS_NG,
  stressorFlag,
  UsageError,
} from "./cli.ts";
import { writeCase } from "./case_files.ts";

const HELP = `usage: deno task fuzz --version V [options]

  --version V        version to fuzz (name or folder)
  --stressor NAME    ${STRESSOR_NAMES.join(", ")} (default fork)
  --layout FILE      fuzz near this layout (a /proc/PID/maps file, or a shipped layout's
                     name), repeatable: each case takes one as it is or with up to
                     ${MAX_NEAR_MUTATIONS} small edits (sizes, gaps, VMAs removed or added) instead of
                     a generated layout
  --time T           stop after T (e.g. 30s, 2m; default 60s, none with --shard)
  --max-cases N      stop after N cases (default: no limit)
  --shard K/N        run only shard K of N (K from 1) of the --max-cases cases (required
                     with it): case k when k mod N = K - 1; the shard writes
                     fuzz-<id>.json to --records and deno task merge joins the N files.
                     Without --shard, K/N comes from MAPLE_SHARD=K/N, CI_NODE_INDEX/
                     CI_NODE_TOTAL, BUILDKITE_PARALLEL_JOB(_COUNT) or JOB_COMPLETION_INDEX
                     with MAPLE_SHARD_COUNT
  --seed N           seed of the first case (default 1)
  --jobs N           cases run at once (default 2)
  --trusted V        version that records the cases' operations (default testing/reference)
  --shrink           shrink the failing case too
  --out DIR          where case files go (default results/cases)
  --in-process       run cases in this process (faster, no time or memory limits)
  --records DIR      where the journal (and an interrupted campaign's file) goes
                     (default results/runs)
  --no-record        no journal: an interrupted campaign is lost
  --resume PATH      go on with an interrupted campaign: its fuzz-*.json or journal; the
                     same version and flags are required; journaled cases are not run again
                     and the campaign gets the time it had left
  -h, --help         this text

Ctrl-C or SIGTERM keeps the finished cases and prints the command that resumes (exit 130,
143 for SIGTERM); a second Ctrl-C exits at once.

exit: 0 no failure found, 1 bad input, 2 a failing case was found (and written)`;

const COMMAND = defineCommand({
  name: "fuzz",
  help: HELP,
  options: {
    version: { type: "string" },
    stressor: { type: "string", default: "fork" },
    layout: { type: "string", multiple: true },
    time: { type: "string" },
    seed: { type: "string" },
    jobs: { type: "string" },
    trusted: { type: "string", default: "testing/reference" },
    shrink: { type: "boolean", default: false },
    out: { type: "string", default: "results/cases" },
    "in-process": { type: "boolean", default: false },
    "max-cases": { type: "string" },
    records: { type: "string" },
    "no-record": { type: "boolean", default: false },
    resume: { type: "string" },
    shard: { type: "string" },
  },
  conventions: STRESS_NG,
});

/**
 * Run the command with `args`; returns the exit code (0 no failure found, 1 bad input, 2 a
 * failing case was found).
 *
 * @example
 * ```ts
 * import { fuzzMain } from "./fuzz.ts";
 * Deno.exitCode = await fuzzMain(["--version", "head", "--time", "1s"]);
 * ```
 */
export function fuzzMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, (parsed) => fuzzCommand(parsed, args));
}

async function fuzzCommand(
  { values }: ParsedCommand<typeof COMMAND.options>,
  args: readonly string[],
): Promise<number> {
  if (!values.version) throw new UsageError("--version is required (see --help)");
  const stressor = stressorFlag(values.stressor);
  const shardSpec = resolveShard(values.shard);
  // A shard ends with its cases; a time limit, when given, only caps it.
  const time = values.time ?? (shardSpec ? undefined : "60s");
  const timeMs = time === undefined ? undefined : parseDuration(time, "time");
  const firstSeed = integerFlag("seed", values.seed, 1, 0);
  const jobs = integerFlag("jobs", values.jobs, 2, 1);
  const maxCases = values["max-cases"] === undefined
    ? undefined
    : integerFlag("max-cases", values["max-cases"], 0, 1);
  const layouts = (values.layout ?? []).map(seedLayout);
  const inProcess = values["in-process"];
  if (values["no-record"] && values.resume !== undefined) {
    throw new UsageError("--resume writes a journal: give it without --no-record");
  }
  if (shardSpec && maxCases === undefined) {
    throw new UsageError(
      `shard ${formatShard(shardSpec)} (from ${shardSpec.source}) needs --max-cases N: ` +
        `without it the cases a campaign runs depend on --time and the machine's speed, so ` +
        `the shards' cases could not add up to one campaign's`,
    );
  }
  if (shardSpec && values["no-record"]) {
    throw new UsageError("--shard writes the shard's file for deno task merge: drop --no-record");
  }
  const trusted = (await loadVersion(values.trusted)).module;
  const whole = fuzzIdentity({
    version: located(values.version),
    trusted: located(values.trusted),
    stressor,
    firstSeed,
    ...(timeMs !== undefined ? { timeMs } : {}),
    ...(maxCases !== undefined ? { maxCases } : {}),
    inProcess,
    layouts,
  });
  const plan = fuzzPlanIdentity(whole);
  // The journal names the shard too, so that a resume never mixes two shards' cases.
  const identity = shardSpec
    ? { ...whole, flags: { ...whole.flags, shard: formatShard(shardSpec) } }
    : whole;
  const shardCases = shardSpec ? shardCaseCount(maxCases!, shardSpec) : undefined;
  const resume = values.resume === undefined
    ? undefined
    : await readJournal(values.resume, FUZZ_JOURNAL);
  if (resume) {
    const difference = identityDifference(resume.header.identity, identity, FUZZ_FLAG_NAMES);
    if (difference) throw new UsageError(`cannot resume from ${resume.path}: ${difference}`);
  }
  const carried = resume?.runs ?? [];
  const spent = timeSpent(carried);

  const watch = watchInterrupts();
  // A case is a whole stress run recorded op by op: more room than a bisect probe.
  const runner = new ProbeRunner({
    limits: { timeMs: 30_000, memoryMb: 512 },
    concurrency: jobs,
    signal: watch.signal,
  });
  const run = await caseRunnerFor(values.version, { inProcess, runner });
  const records = values.records ?? RUNS_DIR;
  const startedAt = new Date();
  const id = newRecordId("fuzz", startedAt);
  const writer = values["no-record"] ? undefined : JournalWriter.create<FuzzUnit>(
    journalPath(records, id),
    {
      journal: 1,
      command: "fuzz",
      id,
      startedAt: startedAt.toISOString(),
      identity,
      machine: machineName(),
      args: withoutResume(args),
      ...(resume ? { resumedFrom: resume.path } : {}),
    },
    carried,
  );
  console.log(
    `fuzz: version ${values.version}, stressor ${stressor}, ${time ?? "no time limit"}, ` +
      `${jobs} jobs, first seed ${firstSeed}` +
      `${maxCases !== undefined ? `, at most ${maxCases} cases` : ""}`,
  );
  if (shardSpec) {
    const seeds = [0, 1].map((j) => firstSeed + shardSpec.index - 1 + j * shardSpec.count)
      .filter((seed) => seed < firstSeed + maxCases!);
    console.log(
      `fuzz: shard ${formatShard(shardSpec)} (from ${shardSpec.source}): ${shardCases} of ` +
        `${maxCases} cases, seeds ${seeds.join(", ")}${shardCases! > 2 ? ", …" : ""} of ` +
        `${firstSeed}..${firstSeed + maxCases! - 1}`,
    );
  }
  if (layouts.length > 0) {
    console.log(
      `fuzz: near ${layouts.map((l) => `${l.label} (${l.vmas.length} VMAs)`).join(", ")}`,
    );
  }
  if (resume) {
    console.log(
      `fuzz: resuming ${resume.path}: ${carried.length} cases done` +
        (timeMs === undefined
          ? ""
          : `, ${((timeMs - Math.min(spent, timeMs)) / 1000).toFixed(2)}s left`),
    );
  }
  const kept: FuzzUnit[] = [...carried];
  const campaignStart = performance.now();
  let report: Awaited<ReturnType<typeof fuzz>>;
  try {
    report = await fuzz({
      trusted,
      stressor,
      timeMs: timeMs === undefined ? Infinity : Math.max(0, timeMs - spent),
      firstSeed,
      ...(shardSpec ? { shard: shardSpec } : {}),
      run,
      concurrency: jobs,
      ...(maxCases !== undefined ? { maxCases } : {}),
      ...(layouts.length > 0 ? { layouts } : {}),
      done: verdictsBySeed(carried),
      signal: watch.signal,
      onFinished: (seed, verdict) => {
        const unit = { seed, ...verdict, elapsedMs: spent + performance.now() - campaignStart };
        kept.push(unit);
        writer?.append(unit);
      },
    });
  } finally {
    writer?.close();
    // Shrinking is a step of its own, redone by `deno task shrink`: Ctrl-C just stops it.
    watch.dispose();
  }
  if (report.interrupted !== undefined) {
    return await interrupted(report.interrupted, kept, {
      id,
      startedAt,
      version: values.version,
      stressor,
      firstSeed,
      reused: report.reused,
      parameters: identity.flags,
      records,
      args,
      ...(writer ? { journal: writer.path } : {}),
      ...(shardSpec
        ? {
          shard: shardInfo(shardSpec, plan, {
            units: kept.length,
            planUnits: maxCases!,
            machine: machineName(),
          }),
        }
        : {}),
    });
  }
  // Every case is in the outcome below (a case file, or none failing): the journals are done.
  if (writer) {
    // An interrupted campaign's file beside each journal resumed only said how to go on.
    for (const journal of await removeJournalChain(writer.path)) {
      await Deno.remove(join(dirname(journal), `${runIdOf(journal)}.json`)).catch(() => {});
    }
  }
  if (shardSpec) {
    const failures = kept.filter((u) => u.outcome !== "pass").sort((a, b) => a.seed - b.seed);
    const shard = shardInfo(shardSpec, plan, {
      units: kept.length,
      planUnits: maxCases!,
      machine: machineName(),
    });
    const timedOut = !report.found && kept.length < shardCases!;
    const file: FuzzRun = {
      kind: "fuzz",
      id,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      version: values.version,
      stressor,
      firstSeed,
      cases: kept.length,
      reused: report.reused,
      seeds: kept.map((u) => u.seed).sort((a, b) => a - b),
      failures: failures.map((u) => ({ seed: u.seed, signature: u.signature })),
      parameters: identity.flags,
      shard,
      ...(timedOut ? { timedOut } : {}),
      ...(failures[0]
        ? { found: { seed: failures[0].seed, signature: failures[0].signature } }
        : {}),
    };
    const path = await saveRunFile(file, id, records);
    console.log(
      timedOut
        ? `fuzz: shard ${formatShard(shard)} ran out of --time after ${kept.length} of ` +
          `${shardCases} cases (${path}): run it again with a longer --time, or none`
        : `fuzz: shard ${formatShard(shard)} (from ${shard.source}) of plan ` +
          `${shard.plan.slice(7, 19)}: ${kept.length} of ${maxCases} cases in ${path}; when ` +
          `all ${shard.count} are done: deno task merge ${shellWord(records)}`,
    );
  }
  const reusedNote = report.reused > 0 ? ` (${report.reused} from the journal)` : "";
  const rate = `${report.cases} cases${reusedNote} in ${(report.elapsedMs / 1000).toFixed(2)}s ` +
    `(${report.casesPerSecond.toFixed(2)} cases/s)`;
  if (!report.found) {
    console.log(`fuzz: no failure; ${rate}`);
    return 0;
  }
  const { fuzzCase, verdict } = report.found;
  console.log(
    `fuzz: case seed ${fuzzCase.seed} (${fuzzCase.label}, ${fuzzCase.layout.length} VMAs, ` +
      `${fuzzCase.operations.length} operations): ${verdict.signature}`,
  );
  if (verdict.failure) console.log(`fuzz:   ${verdict.failure.kind}: ${verdict.failure.message}`);
  console.log(`fuzz: found after ${rate}`);
  const base = `fuzz-${values.version.replace(/[^\w.-]+/g, "_")}-${stressor}-${fuzzCase.seed}`;
  const path = join(values.out, `${base}.json`);
  const facts = {
    version: values.version,
    signature: verdict.signature,
    message: verdict.failure?.message ?? verdict.outcome,
  };
  writeCase(path, fuzzCase, facts);
  console.log(`fuzz: wrote ${path}`);
  if (!values.shrink) {
    console.log(`fuzz: shrink it with: deno task shrink ${path}`);
    return 2;
  }
  const started = performance.now();
  const shrunk = await shrink(fuzzCase, {
    run,
    signature: verdict.signature,
    concurrency: jobs,
    materialize: (c) => materializePrefix(trusted, c),
  });
  const shrunkPath = join(values.out, `${base}-shrunk.json`);
  writeCase(shrunkPath, shrunk.fuzzCase, { ...facts, shrunk });
  console.log(
    `fuzz: shrunk ${shrunk.before.vmas} -> ${shrunk.after.vmas} VMAs, ` +
      `${shrunk.before.operations} -> ${shrunk.after.operations} operations in ${shrunk.runs} runs ` +
      `(${((performance.now() - started) / 1000).toFixed(2)}s); wrote ${shrunkPath}`,
  );
  console.log(`fuzz: replay: deno task replay ${shrunkPath} --all`);
  return 2;
}

/** A version located for its identity: its folder (hashed) or its commit. */
function located(name: string): { name: string; folder: string; commit?: { sha: string } } {
  const source = locateVersion(name);
  return {
    name,
    folder: versionFolder(name),
    ...(source.commit ? { commit: { sha: source.commit.sha } } : {}),
  };
}

/**
 * A campaign stopped by a signal: its file beside the journal, marked interrupted, and one
 * line saying what was kept and how to resume.
 */
async function interrupted(
  signal: string,
  kept: readonly FuzzUnit[],
  run: {
    readonly id: string;
    readonly startedAt: Date;
    readonly version: string;
    readonly stressor: string;
    readonly firstSeed: number;
    readonly reused: number;
    readonly parameters: FuzzRecord["parameters"];
    readonly records: string;
    readonly args: readonly string[];
    readonly journal?: string;
    readonly shard?: ShardInfo;
  },
): Promise<number> {
  if (run.journal === undefined) {
    console.error(
      `fuzz: interrupted by ${signal}; ${kept.length} finished cases not kept (--no-record)`,
    );
    return interruptExitCode(signal);
  }
  const seeds = kept.map((u) => u.seed).sort((a, b) => a - b);
  const record: FuzzRecord = {
    kind: "fuzz",
    id: run.id,
    startedAt: run.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    version: run.version,
    stressor: run.stressor,
    firstSeed: run.firstSeed,
    cases: kept.length,
    reused: run.reused,
    seeds,
    failures: kept.filter((u) => u.outcome !== "pass").map((u) => ({
      seed: u.seed,
      signature: u.signature,
    })),
    parameters: run.parameters,
    interrupted: {
      signal,
      unitsKept: kept.length,
      unit: "case",
      journal: run.journal,
      resume: resumeCommand("fuzz", run.args, run.journal),
    },
    ...(run.shard ? { shard: run.shard } : {}),
  };
  const path = await saveRunFile(record, run.id, run.records);
  const span = seeds.length > 0 ? ` (seeds ${seeds[0]}..${seeds.at(-1)})` : "";
  console.error(
    `fuzz: interrupted by ${signal}; kept ${kept.length} finished cases${span} in ${path}; ` +
      `resume: ${resumeCommand("fuzz", run.args, path)}`,
  );
  return interruptExitCode(signal);
}

/** A layout given with `--layout`, read as the probes read layouts (a bad one is bad input). */
function seedLayout(file: string): SeedLayout {
  const { vmas } = resolveLayout(file, 0);
  if (vmas.length === 0) throw new UsageError(`--layout ${file} holds no VMAs`);
  return { label: basename(file), vmas };
}

if (import.meta.main) Deno.exit(await fuzzMain(Deno.args));
