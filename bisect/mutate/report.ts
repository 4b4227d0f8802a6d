/**
 * How a mutation run is told: one line per mutant as it is judged, a summary with the score
 * and every survivor's diff (a survivor is a hint where the matrix is blind), and the JSON
 * record of the whole run.
 *
 * @example
 * ```ts
 * import { formatMutantLine } from "./report.ts";
 * const site = { file: "write.ts", kind: "comparison", start: 0, end: 1, original: "<", replacement: "<=", line: 210, column: 9 } as const;
 * console.log(formatMutantLine({ id: "m0042", site, status: "survived", diff: "", probes: 16, wallMs: 4000 }, 3, 10));
 * // mutate: [3/10] m0042 write.ts:210 comparison (< → <=): survived 16 probes
 * ```
 *
 * @module
 */

import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MergedInfo, newRecordId, type ShardInfo } from "../../results/record.ts";
import { describeMatrix } from "../matrix.ts";
import type { ProbeCase } from "../runner.ts";
import type { MutantResult, MutationReport } from "./run.ts";
import { describeSite } from "./sites.ts";

/** The third class's name as the score line says it. */
const TIMEOUT_LABEL = "equivalent-or-timeout";

/**
 * One mutant's progress line.
 *
 * @example
 * ```ts
 * import { formatMutantLine } from "./report.ts";
 * const site = { file: "dup.ts", kind: "drop", start: 0, end: 9, original: "n++;", replacement: ";", line: 40, column: 3 } as const;
 * const killedBy = { probe: "fork cat-self seed 1", outcome: "crash", kind: "TypeError", message: "x is undefined" };
 * console.log(formatMutantLine({ id: "m0001", site, status: "killed", diff: "", killedBy, probes: 1, wallMs: 300 }, 1, 2));
 * // mutate: [1/2] m0001 dup.ts:40 drop (drop `n++;`): killed by fork cat-self seed 1 (crash TypeError: x is undefined)
 * ```
 */
export function formatMutantLine(result: MutantResult, done: number, total: number): string {
  const { site } = result;
  const head = `mutate: [${done}/${total}] ${result.id} ${site.file}:${site.line} ${site.kind} ` +
    `(${describeSite(site)})`;
  switch (result.status) {
    case "killed": {
      const by = result.killedBy!;
      const message = by.message.length > 100 ? `${by.message.slice(0, 97)}...` : by.message;
      return `${head}: killed by ${by.probe} (${by.outcome} ${by.kind}: ${message})`;
    }
    case "survived":
      return `${head}: survived ${result.probes} probes` +
        (result.reason ? `; ${result.reason}` : "");
    case "equivalent":
      return `${head}: survived ${result.probes} probes, equivalent: ${result.reason}`;
    case "timeout":
      return `${head}: ${TIMEOUT_LABEL}: ${result.reason}`;
    case "skipped":
      return `${head}: skipped, ${result.reason}`;
  }
}

/** A score as a percentage with one decimal, or `n/a`. */
function percent(score: number | null): string {
  return score === null ? "n/a" : `${(score * 100).toFixed(1)}%`;
}

/**
 * The summary: what was mutated and against which matrix, the score, and each survivor's
 * diff.
 *
 * @example
 * ```ts
 * import { formatSummary } from "./report.ts";
 * console.log(typeof formatSummary); // function
 * ```
 */
export function formatSummary(report: MutationReport): string {
  const { counts } = report;
  const judged = counts.killed + counts.survived;
  const lines = [
    `mutate: ${report.version}, ${report.sites} sites in ${report.files.join(", ")}; ` +
    `${report.mutants.length}${
      report.planned ? ` of ${report.planned.length}` : ""
    } mutants (sample seed ${report.seed})`,
    `mutate: matrix ${describeMatrix(report.matrix)}` +
    (report.shapeOracle ? `, shape oracle ${report.shapeOracle}` : ", no shape oracle") +
    `; ${report.limits.timeMs} ms per probe`,
  ];
  if (report.excluded.length > 0) {
    lines.push(
      `mutate: ${report.excluded.length} probe(s) fail on ${report.version} itself and were ` +
        `left out, e.g. ${report.excluded[0].spec.stressor} ${report.excluded[0].spec.layout} ` +
        `seed ${report.excluded[0].spec.seed}: ${report.excluded[0].failure?.kind}`,
    );
  }
  lines.push(
    `mutate: score ${percent(report.score)} (${counts.killed} killed of ${judged}); ` +
      `killed ${counts.killed}, survived ${counts.survived}, ${TIMEOUT_LABEL} ` +
      `${counts.equivalent + counts.timeout} (${counts.equivalent} equivalent, ` +
      `${counts.timeout} timeout), skipped ${counts.skipped} (do not type-check); ` +
      `${(report.wallMs / 1000).toFixed(1)} s`,
  );
  const equivalent = report.mutants.filter((m) => m.status === "equivalent");
  if (equivalent.length > 0) {
    lines.push("", `equivalent (${equivalent.length}): no difference through the contract`);
    for (const m of equivalent) {
      lines.push(
        `  ${m.id} ${m.site.file}:${m.site.line} ${m.site.kind} (${describeSite(m.site)})`,
      );
    }
  }
  const survivors = report.mutants.filter((m) => m.status === "survived");
  if (survivors.length > 0) {
    lines.push("", `survivors (${survivors.length}): where the matrix is blind`);
    for (const survivor of survivors) {
      lines.push("", survivor.diff);
      if (survivor.reason) lines.push(`  ${survivor.reason}`);
    }
  }
  return lines.join("\n");
}

/**
 * Everything that names a mutation plan, so that the shards of one run can tell they are of
 * one: what decides which mutants are sampled (the version's content, files, operators, the
 * sample's size and seed) and how each is judged (the probes, the shape oracle, the screen,
 * the time limit). The shard record holds its hash (`shard.plan`).
 */
export interface MutationPlan {
  /** The version as named on the command line; its mutants are named after it. */
  readonly version: string;
  /** The version folder's content hash (`hashFolder`). */
  readonly versionHash: string;
  readonly files: readonly string[];
  readonly kinds: readonly string[];
  readonly max: number;
  readonly sampleSeed: number;
  readonly matrix: readonly ProbeCase[];
  /** The shape oracle's name and folder hash, or `null` for none. */
  readonly shapeOracle: { readonly name: string; readonly hash: string } | null;
  readonly screen: boolean;
  /** `--time-limit`, or `auto`: each shard derives it from its own baseline. */
  readonly timeLimitMs: number | "auto";
}

/** What a shard's mutate record says about its shard. */
export interface MutationShard extends ShardInfo {
  /** The suite's commit that ran it (`null` when unknown): another commit may probe otherwise. */
  readonly suiteCommit: string | null;
}

/** The JSON record of a run (plain JSON, kind `mutate`). */
export interface MutationRecord {
  readonly kind: "mutate";
  readonly id: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** The command line's arguments. */
  readonly args: readonly string[];
  /** In a shard's record, the shard's mutants, counts and score; merged, the whole plan's. */
  readonly report: MutationReport;
  /** Set when the record holds one shard of a run split with `--shard K/N`. */
  readonly shard?: MutationShard;
  /** Set when the record was merged from shards (`deno task merge`). */
  readonly merged?: MergedInfo;
}

/**
 * The record of `report`, started at `startedAt`; `shard` when the run was one shard.
 *
 * @example
 * ```ts
 * import { mutationRecord } from "./report.ts";
 * console.log(typeof mutationRecord); // function
 * ```
 */
export function mutationRecord(
  report: MutationReport,
  startedAt: Date,
  args: readonly string[],
  shard?: MutationShard,
): MutationRecord {
  const stamp = startedAt.toISOString().replace(/[-:.]/g, "");
  return {
    kind: "mutate",
    // Shards may write into one shared folder in the same millisecond: their ids get a
    // random tail, as suite records' do.
    id: shard ? newRecordId("mutate", startedAt) : `mutate-${stamp}`,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    args,
    report,
    ...(shard ? { shard } : {}),
  };
}

/**
 * Write `record` to `<dir>/<id>.json` (through a temporary file, so that no reader sees half
 * a record); its path.
 *
 * @example
 * ```ts
 * import { saveMutationRecord } from "./report.ts";
 * const dir = Deno.makeTempDirSync();
 * const report = {
 *   version: "head", files: [], kinds: [], sites: 0, seed: 1, matrix: [], excluded: [],
 *   limits: { timeMs: 5000, memoryMb: 256 }, baselineMs: 0, mutants: [],
 *   counts: { killed: 0, survived: 0, equivalent: 0, timeout: 0, skipped: 0 }, score: null,
 *   wallMs: 0,
 * };
 * const record = { kind: "mutate" as const, id: "mutate-x", startedAt: "", endedAt: "", args: [], report };
 * console.log(saveMutationRecord(record, dir).endsWith("mutate-x.json")); // true
 * ```
 */
export function saveMutationRecord(record: MutationRecord, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${record.id}.json`);
  writeFileSync(`${path}.tmp`, JSON.stringify(record, null, 2) + "\n");
  renameSync(`${path}.tmp`, path);
  return path;
}
