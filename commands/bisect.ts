/**
 * `deno task bisect`: find the first version that crashes and the first that regresses.
 *
 * With no arguments it runs over the bundled history (`core/manifest.json`, then `head`) in
 * both modes; `--git GOOD..BAD` bisects the commits of a range of your own history instead. Every probe runs in its own child process with a time and memory limit; the
 * summary names the first bad version with its evidence and a command that reproduces it,
 * and a JSON record of every probe goes to `results/runs/`.
 *
 * Exit codes:
 *   0  finished; every verdict is confident (a first bad version, or nothing bad in range)
 *   1  unexpected internal error of the suite (a bug: please report it)
 *   2  bad arguments (unknown version, empty range, good after bad, unknown workload, ...)
 *   3  finished, but a verdict is not confident: an intermittent failure that reproduces
 *      too rarely, skipped versions at the boundary, or a slowdown spread over versions
 *   4  cannot bisect: the good endpoint already fails, an endpoint cannot be probed or
 *      measured, or the version given as bad is not bad
 *
 * @example
 * ```ts
 * // deno task bisect --mode crash --good v2 --bad v4
 * import { bisectMain } from "./bisect.ts";
 * console.log(typeof bisectMain); // function
 * ```
 *
 * @module
 */

import { STRESSOR_NAMES } from "../workloads/probe_types.ts";
import {
  buildPlan,
  EXIT,
  formatReport,
  progressLine,
  recordInput,
  runBisect,
  verdictExitCode,
} from "../bisect/mod.ts";
import { buildRecord, newRecordId, type ShardInfo } from "../results/record.ts";
import {
  identityDifference,
  journalPath,
  JournalWriter,
  planIdentity,
  readJournal,
  Replay,
} from "../bisect/journal.ts";
import { probeEntry } from "../bisect/record.ts";
import type { ProbeRun } from "../bisect/runner.ts";
import { RUNS_DIR, saveRecord } from "../results/store.ts";
import { defineCommand, type ParsedCommand, runCommand, UsageError } from "./cli.ts";
import { watchInterrupts } from "./interrupt.ts";
import { versionKind } from "../core/loader.ts";
import { searchInstructions } from "../bisect/instruction_search.ts";
import { staleVersions, warnStale } from "./stale_versions.ts";
import { instructionRecord } from "../bench/instructions.ts";
import { checkLayout, PROBE_FLAGS, probePlanArgs } from "./probe_flags.ts";
import { formatShard, machineName, resolveShard, shardInfo } from "../bisect/shard.ts";
import { shardCells } from "../bisect/session.ts";

const HELP = `usage: deno task bisect [options]

Finds the first version that crashes (crash mode) and the first that is significantly
slower than the last good one (perf mode) in the ordered history of a manifest.

  --manifest PATH       manifest of the history (default core/manifest.json, plus head)
  --good V              first version believed good (default: the oldest)
  --bad V               version believed bad (default: the newest; if it passes, the
                        search walks forward from --good instead)
  --git GOOD..BAD       the history is the first-parent commits of the range (any
                        revisions git understands), GOOD good and BAD bad; each commit
                        probed is materialised once into .cache/git/ (replaces --manifest)
  --repo DIR            the repository of --git (default: this suite's checkout)
  --git-path DIR        the version folder inside it (default core/head)
  --tags                with --git, only the tagged commits of the range (and its ends),
                        e.g. the release tags of a kernel checkout
  --signature TEXT      crash mode follows failures whose signature (outcome and top
                        frame) or error contains TEXT (default: the bad end's failure);
                        versions that fail only otherwise are stepped around and listed
  --mode M              crash, perf or both (default both)
  --exhaustive          run every version and print the matrix instead of searching
  --shard K/N           with --exhaustive, run only shard K of N (K from 1) of the crash
                        matrix and write its own record; the N records together hold the
                        whole matrix (deno task merge joins them). Without --shard, K/N
                        comes from MAPLE_SHARD=K/N, GitLab's CI_NODE_INDEX/CI_NODE_TOTAL,
                        Buildkite's BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT or
                        a Kubernetes Indexed Job's JOB_COMPLETION_INDEX with
                        MAPLE_SHARD_COUNT; crash mode only (--mode crash); --shard 1/1
                        runs the whole plan whatever the environment says
  --stressor NAME       crash workload, repeatable (default fork; ${STRESSOR_NAMES.join(", ")})
  --layout L            crash layout, repeatable (default: the shipped real layouts and
                        generated gapped ones)
  --seed N              crash seed, repeatable (default 1 and 2)
  --ops N               bogo ops per crash probe (default 20)
  --no-verify           do not validate and compare with the reference after every op
  --shape-oracle V      crash probes also compare each write's height and node census
                        with version V's (e.g. kernel-6.1)
  --perf-stressor NAME  perf workload (default mmap)
  --perf-layout L       perf layout (default fragmented)
  --perf-seed N         perf seed (default 1)
  --perf-ops N          bogo ops per perf sample (default 2500)
  --samples N           perf samples per version per comparison (default 10)
  --threshold PCT       slowdown that counts as a regression (default 10%)
  --alpha P             significance level of the rank test (default 0.01)
  --repeats N           runs of a failing probe at the boundary (default 5)
  --confidence C        confidence wanted at the boundary (default 0.95)
  --time-limit MS       time limit of a crash probe (default 20000; a perf sample 30000)
  --memory-limit MB     V8 heap limit of a crash probe's child (default 256)
  --jobs N              crash probes at once (default 2; perf samples run alone)
  --clock C             perf figures per second of cpu time (default) or wall time
  --metric M            perf mode measures time (default) or instructions: for kernel
                        versions only, one counted run of a fixed operation stream per
                        version under valgrind (the first counted twice to show the counts
                        repeat); a version is slower when an operation kind executes more
                        than --threshold (default 1% here) more instructions
  --records DIR         where the JSON record goes (default results/runs)
  --no-record           do not write a record (nor a journal: an interrupted run is lost)
  --resume PATH         go on with an interrupted run: its record or journal; the same
                        flags and versions are required, finished probes are reused
  --strict              refuse frozen versions whose files no longer match their manifest
                        hash (default: a warning on stderr, noted in the record)
  --quiet               no progress line even on a terminal
  -h, --help            this text

exit codes: 0 done and confident, 1 internal error, 2 bad arguments,
            3 a verdict is not confident, 4 cannot bisect (endpoints contradict)`;

const COMMAND = defineCommand({
  name: "bisect",
  help: HELP,
  options: {
    ...PROBE_FLAGS,
    good: { type: "string" },
    bad: { type: "string" },
    git: { type: "string" },
    repo: { type: "string" },
    "git-path": { type: "string" },
    tags: { type: "boolean", default: false },
    signature: { type: "string" },
    mode: { type: "string" },
    exhaustive: { type: "boolean", default: false },
    shard: { type: "string" },
    "perf-seed": { type: "string" },
    repeats: { type: "string" },
    confidence: { type: "string" },
    records: { type: "string" },
    "no-record": { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
    metric: { type: "string", default: "time" },
    resume: { type: "string" },
  },
  conventions: {
    usageExit: EXIT.usage,
    internalExit: EXIT.internal,
    internalStack: true,
    parseHint: " (see --help)",
  },
});

/**
 * Run the command with `args`; returns the exit code.
 *
 * @example
 * ```ts
 * import { bisectMain } from "./bisect.ts";
 * Deno.exitCode = await bisectMain(["--mode", "crash", "--layout", "cat-self", "--no-record"]);
 * ```
 */
export function bisectMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, (parsed) => bisect(parsed, args));
}

async function bisect(
  { values }: ParsedCommand<typeof COMMAND.options>,
  args: readonly string[],
): Promise<number> {
  if (values.metric !== "time" && values.metric !== "instructions") {
    throw new UsageError(`unknown --metric "${values.metric}" (want time or instructions)`);
  }
  const byInstructions = values.metric === "instructions";
  // Only an exhaustive run splits; a search leaves the engines' variables alone, even bad ones.
  const shardSpec = values.shard !== undefined || values.exhaustive
    ? resolveShard(values.shard)
    : undefined;
  const plan = buildPlan({
    ...probePlanArgs(values),
    good: values.good,
    bad: values.bad,
    git: values.git,
    repo: values.repo,
    gitPath: values["git-path"],
    tags: values.tags,
    signature: values.signature,
    mode: values.mode,
    exhaustive: values.exhaustive,
    shard: shardSpec,
    perfSeed: values["perf-seed"],
    repeats: values.repeats,
    confidence: values.confidence,
  }, checkLayout);

  const stale = staleVersions(plan.versions.map((v) => v.name), values.manifest);
  warnStale("bisect", stale, values.strict);
  const counted = byInstructions && plan.modes.includes("perf");
  if (counted) {
    for (const v of plan.versions.slice(plan.good, plan.bad + 1)) {
      if (versionKind(v.materialise ? v.materialise() : v.folder) !== "kernel") {
        throw new UsageError(
          `--metric instructions is for C (kernel) versions; ${v.name} is TypeScript, whose ` +
            `JIT makes instruction counts meaningless: use --metric time`,
        );
      }
    }
  }
  const modes = counted ? plan.modes.filter((m) => m !== "perf") : plan.modes;
  let code = 0;
  if (modes.length > 0) {
    code = await searchRun({ ...plan, modes }, stale, {
      ...values,
      ...(shardSpec ? { shardSource: shardSpec.source } : {}),
    }, args);
  }
  if (counted) code = Math.max(code, await instructionBisect(plan, values.threshold, values));
  return code;
}

/** Quote an argument for a shell only when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The command that resumes from `path`: the same arguments, with `--resume PATH`. */
function resumeCommand(args: readonly string[], path: string): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--resume") i++;
    else if (!args[i].startsWith("--resume=")) kept.push(args[i]);
  }
  return ["deno task bisect", ...kept.map(shellWord), "--resume", shellWord(path)].join(" ");
}

/**
 * The searches, journaled: every finished probe goes to `<records>/<id>.journal.jsonl` as it
 * finishes; SIGINT or SIGTERM stops them, keeps what finished in a record marked interrupted
 * and says how to resume; `--resume` replays a journal's probes instead of running them.
 */
async function searchRun(
  plan: ReturnType<typeof buildPlan>,
  stale: readonly string[],
  values: {
    readonly records?: string;
    readonly "no-record": boolean;
    readonly quiet: boolean;
    readonly resume?: string;
    /** What named the shard (`--shard`, an engine's variables), for the record. */
    readonly shardSource?: string;
  },
  args: readonly string[],
): Promise<number> {
  const records = values.records ?? RUNS_DIR;
  const id = newRecordId("bisect", new Date());
  const whole = planIdentity(plan);
  const machine = machineName();
  // Every shard names the whole plan; the journal also names the shard, so that a resume
  // never mixes one shard's probes into another's record.
  const identity = plan.shard
    ? { ...whole, flags: { ...whole.flags, shard: formatShard(plan.shard) } }
    : whole;
  const shard: ShardInfo | undefined = plan.shard
    ? shardInfo({ ...plan.shard, source: values.shardSource ?? "--shard" }, whole, {
      units: shardCells(plan.bad - plan.good + 1, plan.crashMatrix.length, plan.shard),
      planUnits: shardCells(plan.bad - plan.good + 1, plan.crashMatrix.length),
      machine,
    })
    : undefined;
  let carried: readonly ProbeRun[] = [];
  let replay: { crash: Replay; perf?: Replay } | undefined;
  let resumedFrom: string | undefined;
  if (values.resume !== undefined) {
    const journal = await readJournal(values.resume);
    const difference = identityDifference(journal.header.identity, identity);
    if (difference) throw new UsageError(`cannot resume from ${journal.path}: ${difference}`);
    // Samples are only comparable with samples of the same machine; crash probes anywhere.
    const isSample = (r: ProbeRun) => r.spec.mode === "timed";
    const sameMachine = journal.header.machine === machine;
    carried = journal.runs.filter((r) => sameMachine || !isSample(r));
    replay = {
      crash: new Replay(carried.filter((r) => !isSample(r))),
      ...(sameMachine ? { perf: new Replay(carried.filter(isSample)) } : {}),
    };
    resumedFrom = journal.path;
  }
  const writer = values["no-record"] ? undefined : JournalWriter.create(
    journalPath(records, id),
    {
      journal: 1,
      command: "bisect",
      id,
      startedAt: new Date().toISOString(),
      identity,
      machine,
    },
    carried,
  );
  const kept: ProbeRun[] = [...carried];
  // The first SIGINT/SIGTERM stops starting probes; a later one (not the echo of the same
  // keypress that `deno task` forwards) exits at once: the journal holds every finished probe.
  const interrupts = watchInterrupts();
  try {
    const progress = progressLine(values.quiet ? { enabled: false } : {});
    const report = await runBisect({
      ...plan,
      onProgress: (p) => progress.update(p),
      onFinished: (run) => {
        kept.push(run);
        writer?.append(run);
      },
      signal: interrupts.signal,
      ...(replay ? { replay } : {}),
    });
    progress.done();
    if (report.crash || report.perf || report.exhaustive) console.log(formatReport(report));
    if (report.probesReused !== undefined) {
      console.log(`resumed from ${resumedFrom}: ${report.probesReused} probes reused`);
    }
    let path: string | undefined;
    if (!values["no-record"]) {
      const record = buildRecord(recordInput(report, shard ? { shard } : {}));
      const parameters = {
        ...record.parameters,
        ...(stale.length > 0 ? { staleVersions: [...stale] } : {}),
        ...(resumedFrom !== undefined
          ? { resumedFrom, probesReused: report.probesReused ?? 0 }
          : {}),
      };
      const body = report.interrupted
        ? {
          ...record.body,
          probes: kept.map(probeEntry),
          interrupted: {
            signal: report.interrupted.signal,
            mode: report.interrupted.mode,
            probesKept: kept.length,
            journal: writer!.path,
          },
        }
        : record.body;
      path = await saveRecord({ ...record, id, parameters, body }, records);
      if (!report.interrupted) console.log(`record: ${path}`);
      if (shard && !report.interrupted) {
        console.log(
          `shard ${formatShard(shard)} (from ${shard.source}) of plan ${
            shard.plan.slice(7, 19)
          }: ${shard.units} of ${shard.planUnits} cells; when all ${shard.count} are done: ` +
            `deno task merge ${shellWord(records)}`,
        );
      }
    }
    writer?.close();
    if (report.interrupted) {
      const signal = report.interrupted.signal;
      console.error(
        path
          ? `bisect: interrupted by ${signal}; kept ${kept.length} finished probes in ${path}; ` +
            `resume: ${resumeCommand(args, path)}`
          : `bisect: interrupted by ${signal}; ${kept.length} finished probes not kept (--no-record)`,
      );
      return signal === "SIGTERM" ? 143 : 130;
    }
    // The record holds everything the journal did; only an unfinished run needs its journal.
    if (writer) await Deno.remove(writer.path).catch(() => {});
    return verdictExitCode(report);
  } finally {
    interrupts.dispose();
  }
}

/** Perf mode by instruction counts (see `bisect/instruction_search.ts`); its exit code. */
async function instructionBisect(
  plan: ReturnType<typeof buildPlan>,
  thresholdFlag: string | undefined,
  values: { readonly records?: string; readonly "no-record": boolean },
): Promise<number> {
  const threshold = thresholdFlag === undefined ? 0.01 : (plan.threshold ?? 0.01);
  const versions = plan.versions.slice(plan.good, plan.bad + 1).map((v) => ({
    name: v.name,
    folder: v.materialise ? v.materialise() : v.folder,
  }));
  const started = performance.now();
  const verdict = await searchInstructions(versions, { threshold, seed: 1, scale: 0.2 });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)}%`;
  console.log(
    `== perf bisect by instructions: ${versions.length} versions, threshold ${pct(threshold)} ` +
      `per operation kind, core stream seed 1 scale 0.2`,
  );
  if (verdict.firstSlower) {
    const c = verdict.change!;
    console.log(
      `first slower version: ${verdict.firstSlower} (last good: ${verdict.lastGood}) ` +
        `[${verdict.deterministic ? "confident" : "not confident: counts did not repeat"}]`,
    );
    console.log(
      `  ${c.kind}: ${c.before.toLocaleString("en-US")} -> ${c.after.toLocaleString("en-US")} ` +
        `instructions (${pct(c.change)})`,
    );
  } else {
    console.log(`no version executes more than ${pct(threshold)} more instructions in any kind`);
  }
  for (const s of verdict.skipped) console.log(`  skipped ${s.version}: ${s.reason}`);
  console.log(
    `counted: ${verdict.counted.map((c) => c.version).join(", ")}; wall time ${seconds} s`,
  );
  if (!values["no-record"] && verdict.counted.length > 0) {
    const record = instructionRecord(verdict.counted, { seed: 1, scale: 0.2 }, new Date());
    console.log(`record: ${await saveRecord(record, values.records ?? RUNS_DIR)}`);
  }
  return verdict.deterministic ? 0 : EXIT.notConfident;
}

if (import.meta.main) Deno.exit(await bisectMain(Deno.args));
