/**
 * `deno task merge RECORDS...|DIR`: join the records of a run split with `--shard K/N` into
 * one record that `history`, `compare`, `report` and `export` read like any other.
 *
 * It refuses, in one line and exit code 2, an interrupted shard, a record of another plan,
 * shards of different splits, a shard given twice or missing, and a unit held by two shards or
 * by none (see `results/merge.ts`). For an exhaustive bisect it prints the whole matrix as the
 * unsharded run prints it; for `mutate`, the score and survivors as `mutate` prints them (its
 * merged record is a `mutate-*.json` like an unsharded run's, which the results tools skip);
 * for `bench`, every figure with the machine that measured it; for `fuzz`, the cases and the
 * first failing one (its merged file is a `fuzz-*.json`, which the results tools skip too).
 *
 * @example
 * ```ts
 * // deno task merge results/shards --records results/runs
 * import { mergeMain } from "./merge.ts";
 * console.log(typeof mergeMain); // function
 * ```
 *
 * @module
 */

import { MUTATE_SHARDS } from "../bisect/mutate/merge.ts";
import { FUZZ_SHARDS } from "../bisect/fuzz/merge.ts";
import type { FuzzRun } from "../bisect/fuzz/campaign.ts";
import { BENCH_SHARDS } from "../results/bench_merge.ts";
import { formatValue, summarize } from "../results/compare.ts";
import { formatSummary, type MutationRecord } from "../bisect/mutate/report.ts";
import { exhaustiveFromRecord } from "../bisect/record.ts";
import { formatExhaustive } from "../bisect/report.ts";
import { BISECT_EXHAUSTIVE, type MergeKind, mergeShards, readShards } from "../results/merge.ts";
import type { BenchRecord, BisectRecord } from "../results/record.ts";
import { RUNS_DIR } from "../results/store.ts";
import { defineCommand, type ParsedCommand, runCommand, UNIX_TOOL } from "./cli.ts";

const HELP = `usage: deno task merge RECORDS...|DIR [options]

Joins the records of one run split with --shard K/N (each shard's record, or a folder
holding them) into one record, after checking that they are the N shards of one plan,
each once, and that together they hold every unit of the plan exactly once.

  --records DIR   where the merged record goes (default results/runs)
  --plan PREFIX   only the shards of the plan whose hash starts with PREFIX (a folder
                  may hold the shards of several runs)
  --no-record     check and print, write nothing
  -h, --help      this text

Sharded runs it merges: bisect --exhaustive --mode crash --shard K/N,
mutate --shard K/N, bench --shard K/N and fuzz --shard K/N --max-cases M.
(bench --git --shard K/N needs no merge: each commit's record is whole.)

exit codes: 0 merged, 1 internal error, 2 bad input (a shard missing, given twice, of
            another plan or another split, unfinished; not a shard record)`;

const COMMAND = defineCommand({
  name: "merge",
  help: HELP,
  options: {
    records: { type: "string", default: RUNS_DIR },
    plan: { type: "string" },
    "no-record": { type: "boolean", default: false },
  },
  allowPositionals: true,
  conventions: UNIX_TOOL,
});

/** A record merge writes. */
type Merged = BisectRecord | MutationRecord | BenchRecord | FuzzRun;

/** `kind` as one of a list of kinds of several record types (each accepts only its own). */
function widen<T extends Merged>(
  kind: MergeKind<T>,
  is: (record: Merged) => record is T,
): MergeKind<Merged> {
  const own = (record: Merged): T => {
    if (!is(record)) throw new Error(`${kind.name} was handed a ${record.kind} record`);
    return record;
  };
  return {
    name: kind.name,
    accept: kind.accept,
    units: (record) => kind.units(own(record)),
    planUnits: (record) => kind.planUnits(own(record)),
    describeUnit: kind.describeUnit,
    merge: (shards, info) => kind.merge(shards.map((s) => ({ ...s, record: own(s.record) })), info),
    save: (merged, dir) => kind.save(own(merged), dir),
  };
}

/**
 * The kinds of sharded run merge knows. A new one is a {@linkcode MergeKind} added here; its
 * shard records must not be accepted by another kind (each accepts only its own `kind`).
 */
const KINDS: readonly MergeKind<Merged>[] = [
  widen(BISECT_EXHAUSTIVE, (r): r is BisectRecord => r.kind === "bisect"),
  widen(MUTATE_SHARDS, (r): r is MutationRecord => r.kind === "mutate"),
  widen(BENCH_SHARDS, (r): r is BenchRecord => r.kind === "bench"),
  widen(FUZZ_SHARDS, (r): r is FuzzRun => r.kind === "fuzz"),
];

/**
 * Run the command with `args`; returns the exit code.
 *
 * @example
 * ```ts
 * import { mergeMain } from "./merge.ts";
 * console.log(await mergeMain(["--help"])); // 0
 * ```
 */
export function mergeMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, merge);
}

async function merge(
  { values, positionals }: ParsedCommand<typeof COMMAND.options>,
): Promise<number> {
  const { kind, shards, ignored } = await readShards(positionals, KINDS, {
    ...(values.plan !== undefined ? { plan: values.plan } : {}),
  });
  const { record, info, superseded } = mergeShards(shards, kind);
  console.log(describe(record));
  const units = record.kind === "bisect"
    ? `${record.body.probes.length} probes`
    : record.kind === "mutate"
    ? `${record.report.mutants.length} mutants`
    : record.kind === "bench"
    ? `${record.samples.length} sample sets`
    : `${record.cases} cases`;
  console.log(
    `merged ${info.count} shards of ${kind.name} plan ${info.plan.slice(7, 19)}: ` +
      `${units}, ${info.machines.length} machine(s)` +
      (ignored.length > 0 ? `; ${ignored.length} other file(s) left alone` : ""),
  );
  for (const s of info.shards) {
    const seconds = (Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000;
    console.log(
      `  shard ${s.index}/${info.count}: ${s.units} units on ${s.machine}, ` +
        `${seconds.toFixed(1)} s (${s.id})`,
    );
  }
  for (const path of superseded) console.log(`  left out ${path}: interrupted, and resumed`);
  const notes = record.kind === "bisect" || record.kind === "bench"
    ? record.body.merged?.notes
    : record.merged?.notes;
  for (const note of notes ?? []) console.log(`  note: ${note}`);
  if (!values["no-record"]) console.log(`record: ${await kind.save(record, values.records)}`);
  return 0;
}

/** The merged run as its own command prints it. */
function describe(record: Merged): string {
  switch (record.kind) {
    case "bisect":
      return formatExhaustive(exhaustiveFromRecord(record));
    case "mutate":
      return formatSummary(record.report);
    case "bench":
      return formatBench(record);
    case "fuzz":
      return formatFuzz(record);
  }
}

/** Every figure, as bench prints them, with its machine when the shards ran on several. */
function formatBench(record: BenchRecord): string {
  const width = Math.max(0, ...record.samples.map((s) => s.version.length));
  return record.samples.map((set) => {
    const figure = set.error !== undefined
      ? `failed: ${set.error}`
      : formatValue(summarize(set.values).median, set.unit);
    const machine = set.machine !== undefined ? `  (${set.machine})` : "";
    return `  ${set.version.padEnd(width)} ${set.benchmark.padEnd(32)} ${figure}${machine}`;
  }).join("\n");
}

/** The campaign's outcome, as fuzz says it: the first failing case, or none. */
function formatFuzz(run: FuzzRun): string {
  const span = `seeds ${run.firstSeed}..${run.firstSeed + Number(run.parameters.maxCases) - 1}`;
  if (!run.found) return `fuzz: no failure; ${run.cases} cases (${span}) on ${run.version}`;
  const others = run.failures.length - 1;
  return `fuzz: first failing case seed ${run.found.seed}: ${run.found.signature}; ` +
    `${run.cases} cases run (${span})` +
    (others > 0 ? `, ${others} more failing after it` : "") +
    `\nfuzz: its shard wrote its case file; the shards' command with --seed ${run.found.seed} ` +
    `--max-cases 1 and no --shard runs it alone`;
}

if (import.meta.main) Deno.exit(await mergeMain(Deno.args));
