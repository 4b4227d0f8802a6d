/**
 * Shards: one run's work split over N machines that each know only "I am K of N", as CI
 * matrices and Kubernetes Indexed Jobs tell their workers. There is no scheduler: every shard
 * computes the same plan, takes its own share of the plan's units by a fixed rule, and writes
 * its own record; `deno task merge` puts the records back together.
 *
 * **K counts from 1** (`--shard 1/3` … `--shard 3/3`), as GitLab's `CI_NODE_INDEX` does and as
 * people count shards; engines that count from 0 are shifted when read from the environment.
 * Where K/N comes from, first match wins:
 *
 * | source                 | variables                                                     | K from |
 * | ---------------------- | ------------------------------------------------------------- | ------ |
 * | the command line       | `--shard K/N`                                                 | 1      |
 * | any engine             | `MAPLE_SHARD=K/N`                                             | 1      |
 * | GitLab `parallel:`     | `CI_NODE_INDEX`, `CI_NODE_TOTAL`                              | 1      |
 * | Buildkite parallelism  | `BUILDKITE_PARALLEL_JOB`, `BUILDKITE_PARALLEL_JOB_COUNT`      | 0      |
 * | Kubernetes Indexed Job | `JOB_COMPLETION_INDEX`, and `MAPLE_SHARD_COUNT` (completions) | 0      |
 *
 * `--shard` overrides the environment; environment sources that are set must agree. A Job's
 * completion count is not in its pods' environment, so a Kubernetes Indexed Job sets
 * `MAPLE_SHARD_COUNT` itself. GitHub Actions has no such variables: a workflow passes its own
 * matrix value, `--shard ${{ matrix.shard }}/3`.
 *
 * **The split.** A list of units in plan order (mutants, seed ranges, sample sets) is dealt
 * round-robin: unit i goes to shard (i mod N) + 1 ({@linkcode ownsUnit}). A grid (versions ×
 * probes) is dealt along its diagonals: cell (r, c) goes to shard ((r + c) mod N) + 1
 * ({@linkcode ownsCell}), so each shard gets about 1/N of every row and of every column, and a
 * slow version or a slow layout weighs on all shards alike, whatever N divides.
 *
 * @example
 * ```ts
 * import { ownsUnit, parseShard } from "./shard.ts";
 * const shard = parseShard("2/3");
 * console.log(["a", "b", "c", "d", "e"].filter((_, i) => ownsUnit(shard, i))); // ["b", "e"]
 * ```
 *
 * @module
 */

import { createHash } from "node:crypto";
import { cpus, hostname } from "node:os";
import type { ShardInfo } from "../results/record.ts";

/** Shard K of N and what said so. */
export interface ShardSpec {
  /** K, counted from 1. */
  readonly index: number;
  /** N, at least 1. */
  readonly count: number;
  /** Where it came from: `--shard`, `MAPLE_SHARD`, `CI_NODE_INDEX/CI_NODE_TOTAL`, … */
  readonly source: string;
}

/**
 * A shard that cannot be: said in one line, as bad usage (the commands exit 2).
 *
 * @example
 * ```ts
 * import { ShardError } from "./shard.ts";
 * console.log(new ShardError("--shard 4/3: K is more than N").name); // UsageError
 * ```
 */
export class ShardError extends Error {
  // The commands' runner treats errors named so as the user's: one line, usage exit code.
  override name = "UsageError";
}

const WHOLE = /^\d{1,9}$/;

/**
 * Parse `K/N` (K from 1 to N); throws {@linkcode ShardError} naming `source`.
 *
 * @example
 * ```ts
 * import { parseShard } from "./shard.ts";
 * console.log(parseShard("1/3")); // { index: 1, count: 3, source: "--shard" }
 * try { parseShard("0/3"); } catch (e) { console.log((e as Error).message); }
 * // --shard 0/3: shards count from 1, so K is 1 to 3
 * ```
 */
export function parseShard(text: string, source = "--shard"): ShardSpec {
  const parts = text.trim().split("/");
  if (parts.length !== 2 || !WHOLE.test(parts[0]) || !WHOLE.test(parts[1])) {
    throw new ShardError(`${source} wants K/N, two whole numbers like 2/3, got "${text}"`);
  }
  return checked(Number(parts[0]), Number(parts[1]), source, `${source} ${text.trim()}`);
}

function checked(index: number, count: number, source: string, said: string): ShardSpec {
  if (count < 1) throw new ShardError(`${said}: N must be at least 1`);
  if (index < 1) throw new ShardError(`${said}: shards count from 1, so K is 1 to ${count}`);
  if (index > count) throw new ShardError(`${said}: K is more than N (${index} > ${count})`);
  return { index, count, source };
}

/** A pair of engine variables: which one holds K, which one N, and what K counts from. */
interface EngineVariables {
  readonly index: string;
  readonly count: string;
  readonly base: 0 | 1;
  /** Said when the index is set but the count is not. */
  readonly countHint: string;
}

/**
 * The engines' variables, in the order they are looked at (`MAPLE_SHARD=K/N` comes first).
 *
 * @example
 * ```ts
 * import { SHARD_ENVIRONMENT } from "./shard.ts";
 * console.log(SHARD_ENVIRONMENT.map((e) => e.index).join(" "));
 * // CI_NODE_INDEX BUILDKITE_PARALLEL_JOB JOB_COMPLETION_INDEX
 * ```
 */
export const SHARD_ENVIRONMENT: readonly EngineVariables[] = [
  // GitLab sets CI_NODE_TOTAL=1 in every job; only CI_NODE_INDEX says the job is parallel.
  { index: "CI_NODE_INDEX", count: "CI_NODE_TOTAL", base: 1, countHint: "GitLab sets both" },
  {
    index: "BUILDKITE_PARALLEL_JOB",
    count: "BUILDKITE_PARALLEL_JOB_COUNT",
    base: 0,
    countHint: "Buildkite sets both",
  },
  {
    index: "JOB_COMPLETION_INDEX",
    count: "MAPLE_SHARD_COUNT",
    base: 0,
    countHint: "set it to the Indexed Job's completions",
  },
];

/** Reads one environment variable (`Deno.env.get` by default). */
export type EnvReader = (name: string) => string | undefined;

const denoEnv: EnvReader = (name) => Deno.env.get(name);

/**
 * The shard the environment names, or `undefined` when it names none; throws
 * {@linkcode ShardError} for a malformed value, an index without its count, or sources that
 * disagree.
 *
 * @example
 * ```ts
 * import { shardFromEnv } from "./shard.ts";
 * const env: Record<string, string> = { BUILDKITE_PARALLEL_JOB: "0", BUILDKITE_PARALLEL_JOB_COUNT: "4" };
 * console.log(shardFromEnv((name) => env[name]));
 * // { index: 1, count: 4, source: "BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT" }
 * ```
 */
export function shardFromEnv(env: EnvReader = denoEnv): ShardSpec | undefined {
  const found: ShardSpec[] = [];
  const own = env("MAPLE_SHARD");
  if (own !== undefined && own.trim() !== "") found.push(parseShard(own, "MAPLE_SHARD"));
  for (const vars of SHARD_ENVIRONMENT) {
    const indexText = env(vars.index);
    if (indexText === undefined || indexText.trim() === "") continue;
    const countText = env(vars.count);
    const source = `${vars.index}/${vars.count}`;
    if (countText === undefined || countText.trim() === "") {
      throw new ShardError(
        `${vars.index}=${indexText} is set but ${vars.count} is not (${vars.countHint}); ` +
          `or pass --shard K/N`,
      );
    }
    const said = `${vars.index}=${indexText} with ${vars.count}=${countText}`;
    if (!WHOLE.test(indexText.trim()) || !WHOLE.test(countText.trim())) {
      throw new ShardError(`${said}: both must be whole numbers`);
    }
    const count = Number(countText);
    const index = Number(indexText) + (1 - vars.base);
    if (vars.base === 0 && count >= 1 && index > count) {
      throw new ShardError(`${said}: ${vars.index} counts from 0, so it is 0 to ${count - 1}`);
    }
    found.push(checked(index, count, source, said));
  }
  const lone = env("MAPLE_SHARD_COUNT");
  const completion = env("JOB_COMPLETION_INDEX");
  if (lone !== undefined && lone.trim() !== "" && (completion ?? "").trim() === "") {
    // A count alone names no shard; running the whole plan on every worker would be silent.
    throw new ShardError(
      `MAPLE_SHARD_COUNT=${lone} is set without JOB_COMPLETION_INDEX (a Kubernetes Indexed ` +
        `Job's); use MAPLE_SHARD=K/N or --shard K/N`,
    );
  }
  if (found.length === 0) return undefined;
  const first = found[0];
  const other = found.find((f) => f.index !== first.index || f.count !== first.count);
  if (other) {
    throw new ShardError(
      `${first.source} says shard ${formatShard(first)} but ${other.source} says ` +
        `${formatShard(other)}: unset one, or pass --shard K/N`,
    );
  }
  return { ...first, source: found.map((f) => f.source).join(" and ") };
}

/**
 * The shard of a run: `--shard` when given (it overrides the environment), else the
 * environment's, else `undefined` (the whole plan).
 *
 * @example
 * ```ts
 * import { resolveShard } from "./shard.ts";
 * console.log(resolveShard("2/3", () => "9")); // { index: 2, count: 3, source: "--shard" }
 * console.log(resolveShard(undefined, () => undefined)); // undefined
 * ```
 */
export function resolveShard(
  flag: string | undefined,
  env: EnvReader = denoEnv,
): ShardSpec | undefined {
  return flag !== undefined ? parseShard(flag) : shardFromEnv(env);
}

/**
 * `K/N`.
 *
 * @example
 * ```ts
 * import { formatShard } from "./shard.ts";
 * console.log(formatShard({ index: 2, count: 3 })); // 2/3
 * ```
 */
export function formatShard(shard: { readonly index: number; readonly count: number }): string {
  return `${shard.index}/${shard.count}`;
}

/**
 * Whether unit `position` (counted from 0, in plan order) of a list is this shard's: the
 * list is dealt round-robin.
 *
 * @example
 * ```ts
 * import { ownsUnit } from "./shard.ts";
 * console.log([0, 1, 2, 3].map((i) => ownsUnit({ index: 1, count: 2 }, i))); // [true, false, true, false]
 * ```
 */
export function ownsUnit(
  shard: { readonly index: number; readonly count: number },
  position: number,
): boolean {
  return position % shard.count === shard.index - 1;
}

/**
 * This shard's units of a list in plan order (see {@linkcode ownsUnit}).
 *
 * @example
 * ```ts
 * import { shardUnits } from "./shard.ts";
 * console.log(shardUnits(["m1", "m2", "m3", "m4", "m5"], { index: 3, count: 3 })); // ["m3"]
 * ```
 */
export function shardUnits<T>(
  units: readonly T[],
  shard: { readonly index: number; readonly count: number },
): T[] {
  return units.filter((_, i) => ownsUnit(shard, i));
}

/**
 * Whether cell (`row`, `column`) of a grid (e.g. version × probe) is this shard's: the grid
 * is dealt along its diagonals.
 *
 * @example
 * ```ts
 * import { ownsCell } from "./shard.ts";
 * const shard = { index: 1, count: 2 };
 * console.log([0, 1].map((r) => [0, 1, 2].map((c) => ownsCell(shard, r, c) ? "x" : ".").join("")));
 * // ["x.x", ".x."]
 * ```
 */
export function ownsCell(
  shard: { readonly index: number; readonly count: number },
  row: number,
  column: number,
): boolean {
  return (row + column) % shard.count === shard.index - 1;
}

/**
 * A plan's identity as one string: the SHA-256 of its JSON with keys sorted, so that every
 * shard computing the same plan gets the same name for it, and any difference (a version's
 * content, a flag) gives another.
 *
 * @example
 * ```ts
 * import { planHash } from "./shard.ts";
 * console.log(planHash({ b: 1, a: [2] }) === planHash({ a: [2], b: 1 })); // true
 * console.log(planHash({ a: 1 }).startsWith("sha256:")); // true
 * ```
 */
export function planHash(identity: unknown): string {
  return `sha256:${createHash("sha256").update(canonical(identity)).digest("hex")}`;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The machine as a shard names it (host, CPU model, cores): performance figures of different
 * machines are never one comparison, and a merge says which machine ran which shard.
 *
 * @example
 * ```ts
 * import { machineName } from "./shard.ts";
 * console.log(machineName().length > 0); // true
 * ```
 */
export function machineName(): string {
  const list = cpus();
  return `${hostname()} ${list[0]?.model?.trim() || "unknown cpu"} x${list.length}`;
}

/**
 * What a shard's record says about it (`body.shard`).
 *
 * @example
 * ```ts
 * import { shardInfo } from "./shard.ts";
 * const info = shardInfo({ index: 2, count: 3, source: "--shard" }, { versions: [] }, {
 *   units: 5, planUnits: 14, machine: "ci-1 EPYC x2",
 * });
 * console.log(info.index, info.count, info.plan.startsWith("sha256:"), info.units); // 2 3 true 5
 * ```
 */
export function shardInfo(
  shard: ShardSpec,
  identity: unknown,
  about: { readonly units: number; readonly planUnits: number; readonly machine: string },
): ShardInfo {
  return {
    index: shard.index,
    count: shard.count,
    plan: planHash(identity),
    units: about.units,
    planUnits: about.planUnits,
    machine: about.machine,
    source: shard.source,
  };
}
