/**
 * The journal of a bench run (see `bisect/journal.ts`): its unit is one version measured in
 * one round, the work of one child process, appended as the child finishes. A unit is the
 * smallest piece whose figures stand on their own: a child killed half-way measured nothing
 * usable, while a finished one measured every case on its version.
 *
 * Rounds interleave the versions (A B C A B C) so that drift of the machine spreads over all
 * of them; a resumed run takes the finished units from the journal and measures the rest in
 * the same order, so every round still holds each version once.
 *
 * @example
 * ```ts
 * import { benchIdentity } from "./journal.ts";
 * const identity = benchIdentity(
 *   [{ name: "good-a", folder: "bisect/fixtures/versions/good-a" }],
 *   { quick: true, cases: ["core/dup-30"], rounds: 2 },
 * );
 * console.log(identity.flags.rounds); // 2
 * ```
 *
 * @module
 */

import { contentHash, type JournalKind, type PlanIdentity } from "../bisect/journal.ts";
import type { SampleSet } from "../results/record.ts";

/** One version measured in one round: the sample sets its child printed. */
export interface BenchUnit {
  /** 1-based round. */
  readonly round: number;
  /** The version's name as recorded. */
  readonly version: string;
  readonly sets: readonly SampleSet[];
  /** ISO 8601 UTC. */
  readonly finishedAt: string;
}

/**
 * A bench journal: its units are {@linkcode BenchUnit}s.
 *
 * @example
 * ```ts
 * import { BENCH_JOURNAL } from "./journal.ts";
 * console.log(BENCH_JOURNAL.isUnit({ round: 1, version: "head", sets: [], finishedAt: "" })); // true
 * ```
 */
export const BENCH_JOURNAL: JournalKind<BenchUnit> = {
  command: "bench",
  isUnit: (u): u is BenchUnit => {
    if (u === null || typeof u !== "object") return false;
    const unit = u as Partial<BenchUnit>;
    return typeof unit.round === "number" && typeof unit.version === "string" &&
      Array.isArray(unit.sets);
  },
};

/** The bench flags that make two runs the same plan. */
export interface BenchFlags {
  readonly quick: boolean;
  readonly cases: readonly string[];
  readonly rounds: number;
}

/** How the command line spells each flag of {@linkcode benchIdentity}, for a refusal. */
export const BENCH_FLAG_NAMES: { readonly [key: string]: string } = {
  quick: "--quick",
  cases: "--cases",
  rounds: "--rounds",
  harness: "the harness (mitata)",
  shard: "--shard",
};

/**
 * The identity of a bench plan: every version with its content hash (its commit for a git
 * version), the cases, `--quick`, the rounds and the harness.
 *
 * @example
 * ```ts
 * import { benchIdentity } from "./journal.ts";
 * const id = benchIdentity([{ name: "x", folder: "x", commit: { sha: "ab" } }], {
 *   quick: false, cases: ["core/churn"], rounds: 3,
 * });
 * console.log(id.versions[0].hash); // git:ab
 * ```
 */
export function benchIdentity(
  versions: readonly {
    readonly name: string;
    readonly folder: string;
    readonly commit?: { readonly sha: string };
  }[],
  flags: BenchFlags,
  harness = "mitata@1.0.34",
): PlanIdentity {
  return {
    versions: versions.map((v) => ({ name: v.name, hash: contentHash(v) })),
    flags: {
      quick: flags.quick,
      cases: [...flags.cases],
      rounds: flags.rounds,
      harness,
    },
  };
}

/**
 * The key a unit is reused under: its round and version.
 *
 * @example
 * ```ts
 * import { unitKey } from "./journal.ts";
 * console.log(unitKey(2, "head")); // 2 head
 * ```
 */
export function unitKey(round: number, version: string): string {
  return `${round} ${version}`;
}
