/**
 * Mutation testing of a version: how strong is a crash matrix? Mutants of the version's
 * write, split, rebalance, gap and dup code (see `sites.ts`) are written to a scratch
 * folder, and the matrix is run against each in child processes, as the bisect would run it
 * against a new commit. A mutant is **killed** when a probe fails on it, **survives** when
 * every probe passes (a hint where the matrix is blind), is a **timeout** when a probe hangs
 * (a mutant that loops cannot be judged by a crash matrix), and is **skipped** when it does
 * not type-check. A mutant every probe passes is then screened (`screen.ts`): one that shows
 * no difference from its original in tens of thousands of contract operations is counted
 * **equivalent**, not held against the matrix. Equivalent and timeout mutants form the
 * third class, equivalent-or-timeout. The score is killed ÷ (killed + survived).
 *
 * The matrix is first run against the version itself: a probe that already fails there
 * cannot tell a mutant from the original, and is left out (and reported).
 *
 * With a shard (`shard: { index: 2, count: 3 }`), the sampled mutants, in plan order, are
 * dealt round-robin (`../shard.ts`) and only this shard's are written and judged; the baseline
 * still runs whole in every shard, since each needs it to leave out the probes that fail on
 * the original. The report's `mutants`, `counts` and `score` are then the shard's, and
 * `planned` names every mutant of the whole plan.
 *
 * @example
 * ```ts
 * import { mutate } from "./run.ts";
 * const report = await mutate({
 *   version: { name: "head", folder: "core/head" },
 *   files: ["bulk.ts"],
 *   matrix: [{ stressor: "fork", layout: "random:vmas=40,gap=1", seed: 1, ops: 5, verify: true }],
 *   max: 2,
 *   seed: 1,
 *   jobs: 2,
 *   scratch: Deno.makeTempDirSync(),
 *   screen: false,
 * });
 * console.log(report.counts, report.score);
 * ```
 *
 * @module
 */

import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { Mwc } from "../../workloads/prng.ts";
import { ownsUnit } from "../shard.ts";
import {
  type ProbeCase,
  type ProbeLimits,
  type ProbeRun,
  ProbeRunner,
  type VersionRef,
} from "../runner.ts";
import { type VersionCheck, VersionChecker } from "../version_check.ts";
import {
  diffOf,
  type MutantFolder,
  readVersionSources,
  typeCheckMutants,
  type VersionSources,
  writeMutant,
  writeOriginal,
} from "./mutants.ts";
import { screenMutant, type ScreenOptions } from "./screen.ts";
import { findSites, MUTATION_KINDS, type MutationKind, type MutationSite } from "./sites.ts";

/**
 * The files mutated by default, where the version has them: the write path, splits,
 * rebalances and spanning stores, bulk loads, gap tracking and dup. Reads, validation and
 * dumps are left out: a fault there is not one of the tree's writes.
 */
export const DEFAULT_MUTATED_FILES: readonly string[] = [
  "write.ts",
  "split.ts",
  "rebuild.ts",
  "path.ts",
  "bulk.ts",
  "gaps.ts",
  "dup.ts",
];

/** What became of one mutant. */
export type MutantStatus = "killed" | "survived" | "equivalent" | "timeout" | "skipped";

/** The probe that killed a mutant, and how. */
export interface Kill {
  readonly probe: string;
  readonly outcome: string;
  readonly kind: string;
  readonly message: string;
}

/** One mutant's result. */
export interface MutantResult {
  readonly id: string;
  readonly site: MutationSite;
  readonly status: MutantStatus;
  /** The mutant against its version, as a unified diff. */
  readonly diff: string;
  readonly killedBy?: Kill;
  /**
   * Why it was skipped (its first type error), which probe hung, or what the equivalence
   * screen saw (no difference, or the first difference the matrix missed).
   */
  readonly reason?: string;
  /** Probes run against it. */
  readonly probes: number;
  readonly wallMs: number;
}

/** Mutants by status. */
export type MutantCounts = Record<MutantStatus, number>;

/** A whole mutation run. */
export interface MutationReport {
  readonly version: string;
  readonly files: readonly string[];
  readonly kinds: readonly MutationKind[];
  /** Sites found in those files; `mutants.length` of them were sampled. */
  readonly sites: number;
  readonly seed: number;
  /** The matrix asked for. */
  readonly matrix: readonly ProbeCase[];
  /** Probes of it that fail on the version itself, so were left out. */
  readonly excluded: readonly ProbeRun[];
  readonly shapeOracle?: string;
  /** Per-probe limits the mutants ran under. */
  readonly limits: ProbeLimits;
  readonly baselineMs: number;
  readonly mutants: readonly MutantResult[];
  readonly counts: MutantCounts;
  /** killed ÷ (killed + survived); `null` when neither happened. */
  readonly score: number | null;
  readonly wallMs: number;
  /**
   * Set when the run was one shard ({@linkcode MutateOptions.shard}): the id of every mutant
   * the whole plan samples, in plan order; `mutants` holds only this shard's.
   */
  readonly planned?: readonly string[];
}

/** What to mutate and how to judge it. */
export interface MutateOptions {
  /** The version (a TypeScript folder). */
  readonly version: VersionRef;
  /** Files of the folder to mutate (default: {@linkcode DEFAULT_MUTATED_FILES} it has). */
  readonly files?: readonly string[];
  /** Operators to use (default: all). */
  readonly kinds?: readonly MutationKind[];
  readonly matrix: readonly ProbeCase[];
  /** Mutants at most; more sites than this are sampled by `seed`. */
  readonly max: number;
  readonly seed: number;
  /** Children at once. */
  readonly jobs: number;
  /** The run's scratch folder (made, and removed afterwards unless `keep`). */
  readonly scratch: string;
  readonly keep?: boolean;
  /** Per-probe limits (default: from the baseline's slowest probe, see `mutantLimits`). */
  readonly limits?: ProbeLimits;
  /** A version whose tree's shape every probe compares with (`ProbeSpec.shapeOracle`). */
  readonly shapeOracle?: VersionRef;
  /** Screen mutants that survive the matrix for equivalence (default true). */
  readonly screen?: boolean;
  /** Judge only shard K of N of the sampled mutants (K from 1; see the module doc). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** How hard the screen looks (see `screen.ts`). */
  readonly screenOptions?: ScreenOptions;
  /** Called once the baseline ran, with the probes kept and those left out. */
  readonly onBaseline?: (kept: readonly ProbeCase[], excluded: readonly ProbeRun[]) => void;
  /** Called after each mutant. */
  readonly onMutant?: (result: MutantResult, done: number, total: number) => void;
}

/** Refusal to run: the version cannot be probed, or the matrix fails on it everywhere. */
export class MutateError extends Error {
  override name = "MutateError";
}

/**
 * Choose `max` of `count` indices by `seed`, in ascending order (all of them when
 * `count <= max`).
 *
 * @example
 * ```ts
 * import { sampleIndices } from "./run.ts";
 * console.log(sampleIndices(10, 3, 1).length, sampleIndices(3, 10, 1)); // 3 [0, 1, 2]
 * ```
 */
export function sampleIndices(count: number, max: number, seed: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (count <= max) return all;
  const rng = new Mwc(seed);
  for (let i = 0; i < max; i++) {
    const j = i + rng.below(count - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, max).sort((a, b) => a - b);
}

/**
 * Per-probe limits for mutants: ten times the slowest baseline probe, at least 5 s and at
 * most 20 s (the bisect's own limit); a mutant stuck in a loop costs no more than that.
 *
 * @example
 * ```ts
 * import { mutantLimits } from "./run.ts";
 * console.log(mutantLimits([300, 900])); // { timeMs: 9000, memoryMb: 256 }
 * ```
 */
export function mutantLimits(baselineWallMs: readonly number[]): ProbeLimits {
  const slowest = Math.max(0, ...baselineWallMs);
  return { timeMs: Math.round(Math.min(20_000, Math.max(5_000, 10 * slowest))), memoryMb: 256 };
}

/**
 * A short name of a probe: `fork cat-self seed 1`.
 *
 * @example
 * ```ts
 * import { probeLabel } from "./run.ts";
 * console.log(probeLabel({ stressor: "mmap", layout: "glibc", seed: 2, ops: 50, verify: true }));
 * // mmap glibc seed 2
 * ```
 */
export function probeLabel(probe: ProbeCase): string {
  return `${probe.stressor} ${probe.layout} seed ${probe.seed}`;
}

/**
 * Score of `counts`: killed ÷ (killed + survived), `null` when that is 0 ÷ 0.
 *
 * @example
 * ```ts
 * import { scoreOf } from "./run.ts";
 * console.log(scoreOf({ killed: 3, survived: 1, equivalent: 2, timeout: 0, skipped: 1 })); // 0.75
 * ```
 */
export function scoreOf(counts: MutantCounts): number | null {
  const judged = counts.killed + counts.survived;
  return judged === 0 ? null : counts.killed / judged;
}

/** A checker that knows the mutants' type-check verdicts already (checked in batches). */
class BatchedChecker extends VersionChecker {
  readonly #known = new Map<string, VersionCheck>();

  know(folder: string, verdict: VersionCheck): void {
    this.#known.set(resolve(folder), verdict);
  }

  override check(folder: string): Promise<VersionCheck> {
    const known = this.#known.get(resolve(folder));
    return known ? Promise.resolve(known) : super.check(folder);
  }
}

/** Run the mutation test; see the module documentation. */
export async function mutate(options: MutateOptions): Promise<MutationReport> {
  const started = performance.now();
  const sources = readVersionSources(options.version.folder);
  const files = options.files ?? DEFAULT_MUTATED_FILES.filter((f) => sources.files.has(f));
  for (const file of files) {
    if (!sources.files.has(file)) {
      throw new MutateError(`${options.version.name} has no file ${file}`);
    }
  }
  const kinds = options.kinds ?? MUTATION_KINDS;
  const sites = files.flatMap((file) =>
    findSites(file, sources.files.get(file)!).filter((site) => kinds.includes(site.kind))
  );
  const sampled = sampleIndices(sites.length, options.max, options.seed);
  const idOf = (i: number) => `m${String(i).padStart(4, "0")}`;
  const shard = options.shard;
  const chosen = shard ? sampled.filter((_, position) => ownsUnit(shard, position)) : sampled;
  const ids = chosen.map(idOf);
  const planned = shard ? sampled.map(idOf) : undefined;
  const root = resolve(options.scratch);
  try {
    return await run(options, {
      sources,
      files,
      kinds,
      sites,
      chosen,
      ids,
      ...(planned ? { planned } : {}),
      root,
      started,
    });
  } finally {
    if (!options.keep && existsSync(root)) rmSync(root, { recursive: true, force: true });
  }
}

/** What {@linkcode mutate} settled before the run: sources, sites, the sample, the scratch. */
interface RunPlan {
  readonly sources: VersionSources;
  readonly files: readonly string[];
  readonly kinds: readonly MutationKind[];
  readonly sites: readonly MutationSite[];
  /** Indices into `sites` of the sampled mutants this run judges, and their ids. */
  readonly chosen: readonly number[];
  readonly ids: readonly string[];
  /** With a shard: the ids of the whole plan's sample. */
  readonly planned?: readonly string[];
  readonly root: string;
  readonly started: number;
}

/** The run itself, inside the scratch folder (see {@linkcode mutate}). */
async function run(options: MutateOptions, plan: RunPlan): Promise<MutationReport> {
  const { sources, files, kinds, sites, chosen, ids, planned, root, started } = plan;
  // The version as it was read, not the live folder, which may change during a long run.
  const original: VersionRef = {
    name: options.version.name,
    folder: writeOriginal(sources, root),
  };
  const checker = new BatchedChecker({ limits: { timeMs: 20_000, memoryMb: 256 } });
  const withOracle = (probe: ProbeCase): ProbeCase =>
    options.shapeOracle ? { ...probe, shapeOracle: options.shapeOracle.name } : probe;
  if (options.shapeOracle) {
    const ready = await checker.check(options.shapeOracle.folder);
    if (!ready.ok) {
      throw new MutateError(`shape oracle ${options.shapeOracle.name}: ${ready.reason}`);
    }
  }

  // The version itself first: the probes that fail on it cannot judge its mutants.
  const baselineStarted = performance.now();
  const baselineRunner = new ProbeRunner({
    limits: { timeMs: 20_000, memoryMb: 256 },
    concurrency: options.jobs,
    checker,
  });
  const baseline = await baselineRunner.runAll(
    options.matrix.map((probe) => ({ version: original, probe: withOracle(probe) })),
  );
  const baselineMs = performance.now() - baselineStarted;
  const skipped = baseline.find((run) => run.outcome === "skip");
  if (skipped) {
    throw new MutateError(`${options.version.name} cannot be probed: ${skipped.skipReason}`);
  }
  const kept = options.matrix.filter((_, i) => baseline[i].outcome === "pass");
  const excluded = baseline.filter((run) => run.outcome !== "pass");
  options.onBaseline?.(kept, excluded);
  if (kept.length === 0) {
    throw new MutateError(
      `every probe of the matrix fails on ${options.version.name} itself ` +
        `(first: ${excluded[0]?.failure?.kind}: ${excluded[0]?.failure?.message})`,
    );
  }
  const limits = options.limits ??
    mutantLimits(baseline.filter((r) => r.outcome === "pass").map((r) => r.wallMs));

  const mutants = chosen.map((i, k) => writeMutant(sources, sites[i], ids[k], root));
  const typeErrors = await typeCheckMutants(mutants, 240_000, async (folder) => {
    const verdict = await new VersionChecker({ limits }).check(folder);
    return verdict.ok ? undefined : verdict.reason;
  });
  for (const mutant of mutants) {
    const error = typeErrors.get(mutant.id);
    checker.know(
      mutant.folder,
      error === undefined
        ? { ok: true }
        : { ok: false, stage: "type-check", reason: `does not type-check: ${error}` },
    );
  }

  const runner = new ProbeRunner({ limits, concurrency: options.jobs, checker });
  const results: MutantResult[] = new Array(mutants.length);
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < mutants.length) {
      const k = next++;
      const result = await judge(
        runner,
        sources,
        original.folder,
        mutants[k],
        kept.map(withOracle),
        options,
      );
      results[k] = result;
      options.onMutant?.(result, ++done, mutants.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, worker));
  const counts: MutantCounts = { killed: 0, survived: 0, equivalent: 0, timeout: 0, skipped: 0 };
  for (const result of results) counts[result.status]++;
  return {
    version: options.version.name,
    files,
    kinds,
    sites: sites.length,
    seed: options.seed,
    matrix: options.matrix,
    excluded,
    ...(options.shapeOracle ? { shapeOracle: options.shapeOracle.name } : {}),
    limits,
    baselineMs,
    mutants: results,
    counts,
    score: scoreOf(counts),
    wallMs: performance.now() - started,
    ...(planned ? { planned } : {}),
  };
}

/** Run the probes against one mutant until one fails. */
async function judge(
  runner: ProbeRunner,
  sources: VersionSources,
  originalFolder: string,
  mutant: MutantFolder,
  probes: readonly ProbeCase[],
  options: MutateOptions,
): Promise<MutantResult> {
  const started = performance.now();
  const version: VersionRef = {
    name: `${options.version.name}~${mutant.id}`,
    folder: mutant.folder,
  };
  const base = { id: mutant.id, site: mutant.site, diff: diffOf(sources, mutant.site, mutant.id) };
  let ran = 0;
  for (const probe of probes) {
    const run = await runner.run(version, probe);
    ran++;
    if (run.outcome === "pass") continue;
    const wallMs = performance.now() - started;
    if (run.outcome === "skip") {
      return { ...base, status: "skipped", reason: run.skipReason ?? "", probes: 0, wallMs };
    }
    if (run.outcome === "hang") {
      const reason = `${probeLabel(probe)} hung (limit ${runner.limits.timeMs} ms)`;
      return { ...base, status: "timeout", reason, probes: ran, wallMs };
    }
    const killedBy: Kill = {
      probe: probeLabel(probe),
      outcome: run.outcome,
      kind: run.failure?.kind ?? run.outcome,
      message: run.failure?.message ?? "",
    };
    return { ...base, status: "killed", killedBy, probes: ran, wallMs };
  }
  if (options.screen === false) {
    return { ...base, status: "survived", probes: ran, wallMs: performance.now() - started };
  }
  const screened = await screenMutant(originalFolder, mutant.folder, options.screenOptions);
  return {
    ...base,
    status: screened.equivalent ? "equivalent" : "survived",
    reason: screened.detail,
    probes: ran,
    wallMs: performance.now() - started,
  };
}

/**
 * The scratch folder of a run: `.cache/mutants/<run>` under the suite's root.
 *
 * @example
 * ```ts
 * import { scratchFolder } from "./run.ts";
 * console.log(scratchFolder("/suite", "20261206T120000000Z")); // /suite/.cache/mutants/20261206T120000000Z
 * ```
 */
export function scratchFolder(suiteRoot: string, run: string): string {
  return join(suiteRoot, ".cache", "mutants", run);
}
