/**
 * Turns command-line values into a {@linkcode BisectPlan}, refusing bad input with one line
 * that names the problem (an unknown version, an empty range, good after bad, an unknown
 * workload, a number that is not one).
 *
 * @example
 * ```ts
 * import { buildPlan } from "./plan.ts";
 * const plan = buildPlan({ manifest: "bisect/fixtures/versions/crash_history.json" });
 * console.log(plan.versions.map((v) => v.name).join(" "), plan.good, plan.bad);
 * ```
 *
 * @module
 */

import { existsSync } from "node:fs";
import {
  gitHistory,
  gitPlace,
  isDefaultGitPlace,
  type Manifest,
  MANIFEST_PATH,
  manifestVersions,
  readManifest,
  versionFolder,
  type VersionSource,
} from "../core/loader.ts";
import { STRESSOR_NAMES, type StressorName } from "../workloads/probe_types.ts";
import { crashMatrix, DEFAULT_CRASH, DEFAULT_CRASH_GROUPS, DEFAULT_PERF } from "./matrix.ts";
import type { ProbeCase } from "./runner.ts";
import { formatShard, type ShardSpec } from "./shard.ts";
import { type Clock, CLOCKS } from "./throughput.ts";
import {
  type BisectPlan,
  DEFAULT_CRASH_LIMITS,
  type GitRange,
  type Mode,
  type VersionInfo,
} from "./session.ts";

/**
 * Bad input from the user: the command prints the message alone and exits non-zero.
 *
 * @example
 * ```ts
 * import { UsageError } from "./plan.ts";
 * try { throw new UsageError("unknown version \"v9\""); } catch (e) { console.error(`bisect: ${(e as Error).message}`); }
 * ```
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Raw command-line values (strings as typed; absent when not given). */
export interface PlanArgs {
  readonly manifest?: string;
  /** `GOOD..BAD`: the first-parent commits of the range are the history (replaces the manifest). */
  readonly git?: string;
  /** The repository of `--git` (default: the suite's own checkout). */
  readonly repo?: string;
  /** The version folder inside it (default `core/head`). */
  readonly gitPath?: string;
  /** With `git`: only the tagged commits of the range (and its ends), e.g. kernel releases. */
  readonly tags?: boolean;
  /** Follow failures matching this text instead of the bad end's failure. */
  readonly signature?: string;
  readonly good?: string;
  readonly bad?: string;
  /** `crash`, `perf` or `both` (default). */
  readonly mode?: string;
  readonly exhaustive?: boolean;
  /**
   * Shard K of N of an exhaustive run (`--shard`, or the environment: `bisect/shard.ts`).
   * One from the environment is ignored by a search, which cannot be split; one from
   * `--shard` is refused there.
   */
  readonly shard?: ShardSpec;
  readonly stressors?: readonly string[];
  readonly layouts?: readonly string[];
  readonly seeds?: readonly string[];
  readonly ops?: string;
  /** A version whose tree follows every write of the crash probes, shapes compared. */
  readonly shapeOracle?: string;
  readonly noVerify?: boolean;
  readonly perfStressor?: string;
  readonly perfLayout?: string;
  readonly perfSeed?: string;
  readonly perfOps?: string;
  readonly samples?: string;
  /** Percent, e.g. `10` or `10%`. */
  readonly threshold?: string;
  readonly alpha?: string;
  readonly repeats?: string;
  readonly confidence?: string;
  /** Milliseconds per crash probe. */
  readonly timeLimit?: string;
  /** MB of V8 heap per child. */
  readonly memoryLimit?: string;
  readonly jobs?: string;
  /** `cpu` (default) or `wall`. */
  readonly clock?: string;
  readonly probeEntry?: string;
}

/**
 * Build the plan; throws {@linkcode UsageError}. `checkLayout` throws for a layout name the
 * workloads do not know (the command passes the workloads' resolver; the check happens here,
 * before any child runs, so a typo costs one line instead of a bisect of failures).
 *
 * @example
 * ```ts
 * import { buildPlan } from "./plan.ts";
 * const plan = buildPlan({ manifest: "bisect/fixtures/versions/crash_history.json", good: "good-b" });
 * console.log(plan.good, plan.bad, plan.badGiven); // 1 5 false
 * ```
 */
export function buildPlan(
  args: PlanArgs,
  checkLayout: (layout: string, seed: number) => void = () => {},
): BisectPlan {
  if (args.git === undefined && args.tags === true) fail("--tags needs --git GOOD..BAD");
  if (args.git === undefined && (args.repo !== undefined || args.gitPath !== undefined)) {
    fail("--repo and --git-path go with --git GOOD..BAD");
  }
  if (args.signature !== undefined && args.signature.trim() === "") {
    fail("--signature wants some text to match, e.g. crash or TypeError");
  }
  if (args.git !== undefined) return buildGitPlan(args, args.git, checkLayout);
  const manifestPath = args.manifest ?? MANIFEST_PATH;
  const versions = loadVersions(manifestPath);
  if (versions.length < 2) {
    throw new UsageError(
      `${manifestPath} lists ${versions.length} version(s): a bisect needs at least two`,
    );
  }
  const names = versions.map((v) => v.name);
  const indexOf = (flag: string, name: string) => {
    const i = names.indexOf(name);
    if (i < 0) {
      throw new UsageError(`unknown version "${name}" for ${flag} (known: ${names.join(", ")})`);
    }
    return i;
  };
  const good = args.good === undefined ? 0 : indexOf("--good", args.good);
  const bad = args.bad === undefined ? versions.length - 1 : indexOf("--bad", args.bad);
  if (good === bad) throw new UsageError(`empty range: --good and --bad are both ${names[good]}`);
  if (good > bad) {
    throw new UsageError(`--good ${names[good]} comes after --bad ${names[bad]} in the history`);
  }
  return {
    versions,
    ...(args.manifest !== undefined ? { manifestPath: args.manifest } : {}),
    good,
    bad,
    badGiven: args.bad !== undefined,
    ...(args.signature !== undefined ? { signature: args.signature } : {}),
    ...buildSettings(args, checkLayout),
  };
}

/**
 * The plan of `--git GOOD..BAD`: the range's first-parent commits are the history, GOOD the
 * good end and BAD the bad one (named by the user, as `git bisect start BAD GOOD` names it).
 */
function buildGitPlan(
  args: PlanArgs,
  range: string,
  checkLayout: (layout: string, seed: number) => void,
): BisectPlan {
  const clash = (["manifest", "good", "bad"] as const).find((k) => args[k] !== undefined);
  if (clash !== undefined) fail(`--git GOOD..BAD names the history; leave out --${clash}`);
  const options = {
    ...(args.repo !== undefined ? { repo: args.repo } : {}),
    ...(args.gitPath !== undefined ? { path: args.gitPath } : {}),
  };
  let versions: VersionInfo[];
  let git: GitRange;
  try {
    const place = gitPlace(options);
    versions = gitHistory(range, options, { tags: args.tags === true }).map(versionInfo);
    git = { range, place, defaultPlace: isDefaultGitPlace(place) };
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]);
  }
  return {
    versions,
    git,
    good: 0,
    bad: versions.length - 1,
    badGiven: true,
    ...(args.signature !== undefined ? { signature: args.signature } : {}),
    ...buildSettings(args, checkLayout),
  };
}

/** A located version as the bisect keeps it: a commit's subject and date are its summary. */
function versionInfo(source: VersionSource): VersionInfo {
  const c = source.commit;
  return {
    name: source.name,
    folder: source.folder,
    hash: null,
    // Only a commit needs putting on disk; a plain folder is used as it is.
    ...(c
      ? { materialise: source.materialise, commit: c, summary: c.subject, date: c.authorDate }
      : {}),
  };
}

/** What a plan holds besides its versions: modes, probes, limits and statistics. */
export type ProbeSettings = Omit<
  BisectPlan,
  "versions" | "manifestPath" | "good" | "bad" | "badGiven" | "onProgress"
>;

/**
 * The probe settings alone (for commands that probe one version); throws
 * {@linkcode UsageError}.
 *
 * @example
 * ```ts
 * import { buildSettings } from "./plan.ts";
 * const settings = buildSettings({ mode: "crash", layouts: ["cat-self"], seeds: ["3"] });
 * console.log(settings.crashMatrix); // [{ stressor: "fork", layout: "cat-self", seed: 3, ... }]
 * ```
 */
export function buildSettings(
  args: PlanArgs,
  checkLayout: (layout: string, seed: number) => void = () => {},
): ProbeSettings {
  const mode = args.mode ?? "both";
  const modes: Mode[] = mode === "both"
    ? ["crash", "perf"]
    : mode === "crash" || mode === "perf"
    ? [mode]
    : fail(`unknown --mode "${mode}" (want crash, perf or both)`);

  // Naming any axis makes the matrix one plain product, the axes not named taken from the
  // default's first group (fork, the seed's class); naming none gives every default group.
  const named = Boolean(
    args.stressors?.length || args.layouts?.length || args.seeds?.length ||
      args.ops !== undefined,
  );
  const verify = !args.noVerify;
  const matrix = named
    ? crashMatrix({
      stressors: (args.stressors?.length ? args.stressors : DEFAULT_CRASH.stressors).map(
        (s) => stressor(s, "--stressor"),
      ),
      layouts: args.layouts?.length ? args.layouts : DEFAULT_CRASH.layouts,
      seeds: args.seeds?.length
        ? args.seeds.map((s) => integer(s, "--seed", 0))
        : DEFAULT_CRASH.seeds,
      ops: args.ops === undefined ? DEFAULT_CRASH.ops : integer(args.ops, "--ops", 1),
      verify,
    })
    : DEFAULT_CRASH_GROUPS.flatMap((axes) => crashMatrix({ ...axes, verify }));
  if (args.shapeOracle !== undefined) {
    try {
      versionFolder(args.shapeOracle);
    } catch (error) {
      fail(`--shape-oracle: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  const probes = args.shapeOracle === undefined
    ? matrix
    : matrix.map((probe) => ({ ...probe, shapeOracle: args.shapeOracle }));
  const perfProbe: ProbeCase = {
    stressor: args.perfStressor === undefined
      ? DEFAULT_PERF.stressor
      : stressor(args.perfStressor, "--perf-stressor"),
    layout: args.perfLayout ?? DEFAULT_PERF.layout,
    seed: args.perfSeed === undefined
      ? DEFAULT_PERF.seed
      : integer(args.perfSeed, "--perf-seed", 0),
    ops: args.perfOps === undefined ? DEFAULT_PERF.ops : integer(args.perfOps, "--perf-ops", 1),
    verify: false,
    mode: "timed",
  };
  const probesToCheck = [
    ...(modes.includes("crash") ? matrix : []),
    ...(modes.includes("perf") ? [perfProbe] : []),
  ];
  const checked = new Set<string>();
  for (const probe of probesToCheck) {
    const key = `${probe.layout}\u0000${probe.seed}`;
    if (checked.has(key)) continue;
    checked.add(key);
    try {
      checkLayout(probe.layout, probe.seed);
    } catch (error) {
      throw new UsageError((error as Error).message.split("\n")[0]);
    }
  }

  const memoryMb = args.memoryLimit === undefined
    ? undefined
    : integer(args.memoryLimit, "--memory-limit", 16);
  const timeMs = args.timeLimit === undefined
    ? undefined
    : integer(args.timeLimit, "--time-limit", 100);
  return {
    modes,
    exhaustive: args.exhaustive ?? false,
    ...shardSettings(args.shard, args.exhaustive ?? false, modes),
    crashMatrix: probes,
    perfProbe,
    crashLimits: {
      timeMs: timeMs ?? DEFAULT_CRASH_LIMITS.timeMs,
      memoryMb: memoryMb ?? DEFAULT_CRASH_LIMITS.memoryMb,
    },
    ...optional("samples", args.samples, (s) => integer(s, "--samples", 3)),
    ...optional("threshold", args.threshold, (s) => fraction(s, "--threshold")),
    ...optional("alpha", args.alpha, (s) => probability(s, "--alpha")),
    ...optional("repeats", args.repeats, (s) => integer(s, "--repeats", 1)),
    ...optional("confidence", args.confidence, (s) => probability(s, "--confidence")),
    ...optional("concurrency", args.jobs, (s) => integer(s, "--jobs", 1)),
    ...optional(
      "clock",
      args.clock,
      (s) =>
        (CLOCKS as readonly string[]).includes(s)
          ? s as Clock
          : fail(`unknown --clock "${s}" (want ${CLOCKS.join(" or ")})`),
    ),
    ...(args.probeEntry ? { probeEntry: args.probeEntry } : {}),
  };
}

/**
 * The manifest's versions in order, then `head` when its folder has one.
 *
 * @example
 * ```ts
 * import { loadVersions } from "./plan.ts";
 * console.log(loadVersions().map((v) => v.name)); // [..., "head"]
 * ```
 */
export function loadVersions(manifestPath: string = MANIFEST_PATH): VersionInfo[] {
  let manifest: Manifest;
  try {
    if (!existsSync(manifestPath)) throw new Error("no such file");
    manifest = readManifest(manifestPath);
  } catch (error) {
    throw new UsageError(`cannot read manifest ${manifestPath}: ${(error as Error).message}`);
  }
  const byName = new Map(manifest.versions.map((v) => [v.name, v]));
  let sources: VersionSource[];
  try {
    sources = manifestVersions(manifest);
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]);
  }
  return sources.map((source) => {
    const entry = byName.get(source.name);
    return {
      ...versionInfo(source),
      hash: entry?.hash ?? null,
      ...(entry ? { summary: entry.summary, date: entry.date } : {}),
    };
  });
}

/**
 * The shard a plan keeps, if any. A search visits versions one after another, each step
 * depending on the last, so only `--exhaustive` splits; a performance table compares versions
 * with each other, which only samples taken side by side on one machine can do, so a split
 * plan is crash mode only.
 */
function shardSettings(
  shard: ShardSpec | undefined,
  exhaustive: boolean,
  modes: readonly Mode[],
): { shard?: { index: number; count: number } } {
  if (shard === undefined) return {};
  const named = shard.source === "--shard"
    ? `--shard ${formatShard(shard)}`
    : `shard ${formatShard(shard)} (from ${shard.source})`;
  if (!exhaustive) {
    // CI engines set their variables for every parallel job; a search is not addressed.
    if (shard.source !== "--shard") return {};
    fail(`${named} splits an --exhaustive run only: a search cannot be split`);
  }
  if (shard.count > 1 && modes.includes("perf")) {
    fail(
      `${named} splits the crash matrix only: add --mode crash (a performance table compares ` +
        `versions, which only samples taken side by side on one machine can do), or --shard ` +
        `1/1 to run the whole plan here`,
    );
  }
  return { shard: { index: shard.index, count: shard.count } };
}

function fail(message: string): never {
  throw new UsageError(message);
}

function stressor(name: string, flag: string): StressorName {
  if (!(STRESSOR_NAMES as readonly string[]).includes(name)) {
    fail(`unknown workload "${name}" for ${flag} (known: ${STRESSOR_NAMES.join(", ")})`);
  }
  return name as StressorName;
}

function integer(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    fail(`${flag} wants an integer >= ${min}, got "${text}"`);
  }
  return value;
}

function fraction(text: string, flag: string): number {
  const value = Number(text.replace(/%$/, ""));
  if (!Number.isFinite(value) || value <= 0 || value >= 100) {
    fail(`${flag} wants a percentage between 0 and 100, got "${text}"`);
  }
  return value / 100;
}

function probability(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value >= 1) {
    fail(`${flag} wants a number between 0 and 1, got "${text}"`);
  }
  return value;
}

function optional<K extends string, V>(
  key: K,
  text: string | undefined,
  parse: (text: string) => V,
): { [P in K]?: V } {
  return (text === undefined ? {} : { [key]: parse(text) }) as { [P in K]?: V };
}
