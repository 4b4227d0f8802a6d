/**
 * A fuzz campaign's journal and its record when interrupted (see `../journal.ts`): the unit is
 * one case, named by its seed, with its verdict and the campaign's time spent when it
 * finished. Case k of a campaign is seed `firstSeed + k` whatever ran before, so a resumed
 * campaign walks the same seeds, takes the verdicts of those the journal holds and runs the
 * others: it stops at the same first failing case an uninterrupted campaign would, given the
 * time left.
 *
 * An interrupted campaign writes `fuzz-<id>.json` beside its journal. It is not a suite
 * record (the record loaders skip it, as they skip mutation runs): it says what was kept and
 * how to resume.
 *
 * @example
 * ```ts
 * import { fuzzIdentity } from "./campaign.ts";
 * const identity = fuzzIdentity({
 *   version: { name: "head", folder: "core/head" },
 *   trusted: { name: "testing/reference", folder: "testing/reference" },
 *   stressor: "fork", firstSeed: 1, timeMs: 60_000, inProcess: false, layouts: [],
 * });
 * console.log(identity.versions.length, identity.flags.firstSeed); // 2 1
 * ```
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { SeedLayout } from "../../workloads/fuzz/mod.ts";
import type { Interruption, MergedInfo, ShardInfo } from "../../results/record.ts";
import { contentHash, type JournalKind, type PlanIdentity } from "../journal.ts";
import type { CaseVerdict } from "./case_runner.ts";

/** One finished case: its seed, its verdict and the campaign's time spent at that point. */
export interface FuzzUnit extends CaseVerdict {
  readonly seed: number;
  /** Milliseconds the campaign had run (over every session) when this case finished. */
  readonly elapsedMs: number;
}

/**
 * A fuzz journal: its units are {@linkcode FuzzUnit}s.
 *
 * @example
 * ```ts
 * import { FUZZ_JOURNAL } from "./campaign.ts";
 * const unit = { seed: 3, outcome: "pass", signature: "pass", wallMs: 4, elapsedMs: 90 };
 * console.log(FUZZ_JOURNAL.isUnit(unit), FUZZ_JOURNAL.isUnit({ seed: "3" })); // true false
 * ```
 */
export const FUZZ_JOURNAL: JournalKind<FuzzUnit> = {
  command: "fuzz",
  isUnit: (u): u is FuzzUnit => {
    if (u === null || typeof u !== "object") return false;
    const unit = u as Partial<FuzzUnit>;
    return Number.isInteger(unit.seed) && typeof unit.outcome === "string" &&
      typeof unit.signature === "string";
  },
};

/** How the command line spells each flag of {@linkcode fuzzIdentity}, for a refusal. */
export const FUZZ_FLAG_NAMES: { readonly [key: string]: string } = {
  stressor: "--stressor",
  firstSeed: "--seed",
  timeMs: "--time",
  maxCases: "--max-cases",
  inProcess: "--in-process",
  layouts: "--layout",
  shard: "--shard",
};

/** What makes two campaigns the same plan. */
export interface FuzzPlan {
  /** The version fuzzed, located (its folder hashed, or its commit). */
  readonly version: {
    readonly name: string;
    readonly folder: string;
    readonly commit?: { readonly sha: string };
  };
  /** The version that records the cases' operations: other operations, other cases. */
  readonly trusted: { readonly name: string; readonly folder: string };
  readonly stressor: string;
  readonly firstSeed: number;
  /** The campaign's time limit; absent for none (a shard ends with its cases). */
  readonly timeMs?: number;
  readonly maxCases?: number;
  readonly inProcess: boolean;
  readonly layouts: readonly SeedLayout[];
}

/**
 * The identity of a campaign: the version fuzzed and the trusted version with their hashes,
 * and every flag that changes which cases run or how they are judged (`--jobs` does not:
 * the cases and their order are the same whatever the concurrency).
 *
 * @example
 * ```ts
 * import { fuzzIdentity } from "./campaign.ts";
 * const plan = {
 *   version: { name: "head", folder: "core/head" },
 *   trusted: { name: "testing/reference", folder: "testing/reference" },
 *   stressor: "fork", firstSeed: 1, timeMs: 1000, inProcess: true, layouts: [],
 * };
 * console.log(fuzzIdentity(plan).flags.layouts); // []
 * ```
 */
export function fuzzIdentity(plan: FuzzPlan): PlanIdentity {
  const layoutHash = (l: SeedLayout) =>
    createHash("sha256").update(JSON.stringify(l.vmas)).digest("hex").slice(0, 16);
  return {
    versions: [
      { name: plan.version.name, hash: contentHash(plan.version) },
      { name: `trusted ${plan.trusted.name}`, hash: contentHash(plan.trusted) },
    ],
    flags: {
      stressor: plan.stressor,
      firstSeed: plan.firstSeed,
      timeMs: plan.timeMs ?? null,
      maxCases: plan.maxCases ?? null,
      inProcess: plan.inProcess,
      layouts: plan.layouts.map((l) => `${l.label} ${layoutHash(l)}`),
    },
  };
}

/**
 * The verdicts a journal holds, by seed, for the campaign to take instead of running the cases.
 *
 * @example
 * ```ts
 * import { verdictsBySeed } from "./campaign.ts";
 * const done = verdictsBySeed([{ seed: 2, outcome: "pass", signature: "pass", wallMs: 1, elapsedMs: 5 }]);
 * console.log(done.get(2)?.outcome); // pass
 * ```
 */
export function verdictsBySeed(units: readonly FuzzUnit[]): Map<number, CaseVerdict> {
  return new Map(units.map(({ seed, elapsedMs: _, ...verdict }) => [seed, verdict]));
}

/**
 * The time the journaled part of a campaign took: a resumed campaign gets what is left.
 *
 * @example
 * ```ts
 * import { timeSpent } from "./campaign.ts";
 * console.log(timeSpent([])); // 0
 * ```
 */
export function timeSpent(units: readonly FuzzUnit[]): number {
  return units.reduce((most, u) => Math.max(most, u.elapsedMs ?? 0), 0);
}

/**
 * The plan a shard names (`shard.plan`): the campaign's identity without its time limit,
 * since with `--shard` the cases are fixed by `--max-cases` and the time only caps a shard.
 *
 * @example
 * ```ts
 * import { fuzzIdentity, fuzzPlanIdentity } from "./campaign.ts";
 * const plan = {
 *   version: { name: "head", folder: "core/head" },
 *   trusted: { name: "testing/reference", folder: "testing/reference" },
 *   stressor: "fork", firstSeed: 1, maxCases: 30, inProcess: true, layouts: [],
 * };
 * console.log("timeMs" in fuzzPlanIdentity(fuzzIdentity({ ...plan, timeMs: 5000 })).flags); // false
 * ```
 */
export function fuzzPlanIdentity(identity: PlanIdentity): PlanIdentity {
  const { timeMs: _time, ...flags } = identity.flags;
  return { versions: identity.versions, flags };
}

/**
 * What a campaign leaves beside its journal (`fuzz-<id>.json`) when it is cut short, and what
 * a shard of a campaign (`--shard K/N`) writes when it ends, and a merge of them. Not a suite
 * record: the record loaders skip `fuzz-*.json`.
 */
export interface FuzzRun {
  readonly kind: "fuzz";
  readonly id: string;
  /** ISO 8601 UTC. */
  readonly startedAt: string;
  /** ISO 8601 UTC. */
  readonly endedAt: string;
  readonly version: string;
  readonly stressor: string;
  readonly firstSeed: number;
  /** Cases finished, reused ones included. */
  readonly cases: number;
  /** Cases taken from the journal resumed. */
  readonly reused: number;
  /** The seeds finished, lowest first. */
  readonly seeds: readonly number[];
  /** Cases that did not pass, by seed and signature. */
  readonly failures: readonly { readonly seed: number; readonly signature: string }[];
  readonly parameters: PlanIdentity["flags"];
  /** Present when a signal stopped the campaign. */
  readonly interrupted?: Interruption;
  /** Set when the file holds one shard of a campaign. */
  readonly shard?: ShardInfo;
  /** A shard that stopped at its `--time` before its cases were done: not mergeable. */
  readonly timedOut?: boolean;
  /** The first failing case in plan order (lowest seed), when one was found. */
  readonly found?: { readonly seed: number; readonly signature: string };
  /** Set when the file was merged from shards. */
  readonly merged?: MergedInfo;
}

/** What an interrupted campaign leaves beside its journal (`fuzz-<id>.json`). */
export interface FuzzRecord extends FuzzRun {
  readonly interrupted: Interruption;
}
