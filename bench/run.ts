/**
 * One bench run over several versions: a child process per version and round, then one bench
 * record. Each finished child is a unit (see `journal.ts`) handed to `onUnit` as it finishes,
 * so a journal can keep it; units of an interrupted run given in `reuse` are taken instead of
 * measured, and an aborted `signal` stops the run, kills the child in flight and returns the
 * record of what finished, marked interrupted.
 *
 * @example
 * ```ts
 * import { runBench } from "./run.ts";
 * const record = await runBench({ versions: ["testing/reference"], quick: true });
 * console.log(record.samples.length);
 * ```
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { readManifest } from "../core/loader.ts";
import {
  type BenchRecord,
  type BenchUnitEntry,
  buildRecord,
  type CommitRef,
  type SampleSet,
  type VersionRef,
} from "../results/record.ts";
import { benchCases } from "./cases.ts";
import { BENCH_LAYOUT, BENCH_SEED, BENCH_SIZES, OPS_PER_CALL } from "./workloads_cases.ts";
import type { MeasureSpec } from "./measure_main.ts";
import { type BenchUnit, unitKey } from "./journal.ts";
import { benchShardCases } from "./shard.ts";

/**
 * A version already located (see `core/loader.ts`): measured from `folder`, recorded as
 * `name`, with its commit when it came from git.
 */
export interface LocatedVersion {
  readonly name: string;
  readonly folder: string;
  readonly commit?: CommitRef;
}

/** What to run. */
export interface BenchOptions {
  /** Version names or folders, or located versions, in history order. */
  readonly versions: readonly (string | LocatedVersion)[];
  readonly quick: boolean;
  /** Case names to run (all when absent). */
  readonly cases?: readonly string[];
  /** Per-version time limit in milliseconds (default 10 minutes, 2 with `quick`). */
  readonly timeoutMs?: number;
  /**
   * Rounds over all versions (default 1). With two or more, versions are measured A B C A B C
   * in fresh processes and each figure pools its rounds, so that drift of the machine during
   * the run spreads over every version instead of favouring the ones measured first.
   */
  readonly rounds?: number;
  /**
   * Called as each version starts, for progress output; `reused` when its unit comes from
   * {@linkcode BenchOptions.reuse} instead of being measured.
   */
  readonly onVersionStart?: (
    version: string,
    index: number,
    count: number,
    round: number,
    reused: boolean,
  ) => void;
  /** Called as each version finishes, for progress output. */
  readonly onVersion?: (version: string, sets: readonly SampleSet[]) => void;
  /** Finished units of an interrupted run, taken instead of measured (same round, version). */
  readonly reuse?: readonly BenchUnit[];
  /** Called with each unit measured here (not reused) as it finishes: the journal's hook. */
  readonly onUnit?: (unit: BenchUnit) => void;
  /**
   * Once aborted (its reason the signal's name), nothing more starts, the child in flight is
   * killed and its unit dropped, and the record of the finished units comes back with
   * `body.interrupted`.
   */
  readonly signal?: AbortSignal;
  /**
   * Measure only this shard's cells of the versions × cases grid (`shard.ts`): a version
   * without any is not started. The record still names every version and case of the plan,
   * so that a merge can tell which cells the other shards hold.
   */
  readonly shard?: { readonly index: number; readonly count: number };
}

/** The version's name as recorded. */
function nameOf(located: string | LocatedVersion): string {
  return typeof located === "string" ? located : located.name;
}

const MEASURE_MAIN = fileURLToPath(new URL("./measure_main.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

/** The mitata version pinned in deno.json (recorded with the figures). */
export const HARNESS = "mitata@1.0.34";

/**
 * Measure every chosen case on every version and assemble the bench record (not yet saved).
 *
 * @example
 * ```ts
 * import { runBench } from "./run.ts";
 * import { saveRecord } from "../results/store.ts";
 * console.log(await saveRecord(await runBench({ versions: ["head"], quick: true })));
 * ```
 */
export async function runBench(options: BenchOptions): Promise<BenchRecord> {
  const startedAt = new Date();
  const cases = benchCases().filter((c) => !options.cases || options.cases.includes(c.name));
  const rounds = options.rounds ?? 1;
  const pooled = new Map<string, SampleSet>();
  const reusable = new Map((options.reuse ?? []).map((u) => [unitKey(u.round, u.version), u]));
  const units: BenchUnitEntry[] = [];
  const owned = benchShardCases(options.shard, options.versions.length, cases.map((c) => c.name));
  const started = owned.filter((list) => list.length > 0).length;
  let interrupted: string | undefined;
  // Round by round in the order an uninterrupted run takes, so a resumed run interleaves the
  // versions exactly as the first one would have.
  measuring: for (let round = 1; round <= rounds; round++) {
    for (const [index, located] of options.versions.entries()) {
      if (owned[index].length === 0) continue;
      const version = nameOf(located);
      const reused = reusable.get(unitKey(round, version));
      if (!reused && options.signal?.aborted) {
        interrupted = abortReason(options.signal);
        break measuring;
      }
      options.onVersionStart?.(version, index, options.versions.length, round, !!reused);
      let unit: BenchUnit;
      if (reused) {
        unit = reused;
      } else {
        const measured = await measureInChild(located, owned[index], options);
        if ("interrupted" in measured) {
          interrupted = measured.interrupted;
          break measuring;
        }
        unit = { round, version, sets: measured.sets, finishedAt: new Date().toISOString() };
        options.onUnit?.(unit);
      }
      units.push({
        version,
        round,
        finishedAt: unit.finishedAt,
        ...(reused ? { reused: true } : {}),
      });
      for (const set of unit.sets) {
        const key = `${set.benchmark}\u0000${set.version}`;
        pooled.set(key, poolSets(pooled.get(key), set));
      }
      options.onVersion?.(version, unit.sets);
    }
  }
  const samples = [...pooled.values()];
  return buildRecord({
    kind: "bench",
    startedAt,
    versions: versionRefs(options.versions),
    parameters: {
      quick: options.quick,
      cases: cases.map((c) => c.name),
      isolation: "one child process per version and round",
      rounds,
      workloads: {
        layout: BENCH_LAYOUT,
        seed: BENCH_SEED,
        opsPerCall: OPS_PER_CALL,
        sizes: Object.fromEntries(
          Object.entries(BENCH_SIZES).filter((e): e is [string, number] =>
            typeof e[1] === "number"
          ),
        ),
        checks: "none",
      },
    },
    seeds: [BENCH_SEED],
    samples,
    verdicts: [],
    body: {
      harness: HARNESS,
      quick: options.quick,
      cases: cases.map((c) => ({ name: c.name, group: c.group, unit: c.unit })),
      units,
      ...(interrupted !== undefined
        ? {
          interrupted: {
            signal: interrupted,
            unitsKept: units.length,
            unitsPlanned: rounds * started,
            unit: "version-round",
          },
        }
        : {}),
    },
  });
}

/** The signal's name an aborted signal carries (`SIGINT` when it carries none). */
function abortReason(signal: AbortSignal): string {
  return typeof signal.reason === "string" ? signal.reason : "SIGINT";
}

/** One figure's samples over rounds: values appended, the first error kept. */
function poolSets(earlier: SampleSet | undefined, set: SampleSet): SampleSet {
  if (!earlier) return set;
  const error = earlier.error ?? set.error;
  return {
    ...earlier,
    values: [...earlier.values, ...set.values],
    ...(error !== undefined ? { error } : {}),
  };
}

/** Versions with their manifest hashes (head and folders have none) or their commits. */
function versionRefs(versions: readonly (string | LocatedVersion)[]): VersionRef[] {
  let manifest: ReturnType<typeof readManifest> | undefined;
  try {
    manifest = readManifest();
  } catch {
    manifest = undefined;
  }
  return versions.map((version) => {
    if (typeof version !== "string") {
      const c = version.commit;
      return c
        ? { name: version.name, hash: null, summary: c.subject, commit: { ...c } }
        : { name: version.name, hash: null };
    }
    const entry = manifest?.versions.find((v) => v.name === version);
    return entry
      ? { name: version, hash: entry.hash, summary: entry.summary }
      : { name: version, hash: null };
  });
}

/**
 * Run `measure_main.ts` for one version. A child that fails, hangs or prints no result turns
 * into error sets for every case, so one bad version never stops the run; a child stopped by
 * an interrupt (ours, or Ctrl-C reaching the whole process group) measured nothing usable and
 * says so instead.
 */
async function measureInChild(
  located: string | LocatedVersion,
  caseNames: readonly string[],
  options: BenchOptions,
): Promise<{ sets: SampleSet[] } | { interrupted: string }> {
  const version = typeof located === "string" ? located : located.name;
  const spec: MeasureSpec = {
    ...(typeof located === "string"
      ? { version: located }
      : { version: located.folder, name: located.name }),
    quick: options.quick,
    rounds: options.rounds ?? 1,
    cases: caseNames,
  };
  const timeoutMs = options.timeoutMs ?? (options.quick ? 120_000 : 600_000);
  const child = new Deno.Command(Deno.execPath(), {
    // The suite's own config, so bare imports (mitata) resolve whatever the caller's cwd.
    args: ["run", "--allow-all", "--config", CONFIG, MEASURE_MAIN, JSON.stringify(spec)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const stop = () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
  };
  options.signal?.addEventListener("abort", stop);
  const output = await child.output().finally(() => {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", stop);
  });
  const stdout = new TextDecoder().decode(output.stdout).trim();
  const last = stdout.split("\n").pop() ?? "";
  let parsed: { sets?: SampleSet[]; error?: string } | undefined;
  try {
    parsed = JSON.parse(last) as { sets?: SampleSet[]; error?: string };
  } catch {
    parsed = undefined;
  }
  // A child that printed its figures finished, whatever happened to the parent meanwhile.
  if (parsed?.sets) return { sets: parsed.sets };
  if (options.signal?.aborted) return { interrupted: abortReason(options.signal) };
  if (output.signal === "SIGINT" || output.signal === "SIGTERM") {
    return { interrupted: output.signal };
  }
  let error: string;
  if (parsed) {
    error = parsed.error ?? "no result";
  } else {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" | ");
    error = output.signal === "SIGKILL"
      ? `killed after ${timeoutMs} ms`
      : `child exited with code ${output.code}${stderr ? `: ${stderr}` : ""}`;
  }
  const byName = new Map(benchCases().map((c) => [c.name, c]));
  return {
    sets: caseNames.map((name) => {
      const c = byName.get(name)!;
      return { benchmark: name, version, unit: c.unit, better: c.better, values: [], error };
    }),
  };
}
