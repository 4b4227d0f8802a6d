/**
 * Replaying a case file against versions: per version, whether it fails and whether it fails
 * the same way (same signature) as the version the case was found on. A shrunk case thereby
 * becomes a regression test across the whole history.
 *
 * @example
 * ```ts
 * import { replayCase } from "./replay.ts";
 * async function usage(run: (v: string) => import("./case_runner.ts").CaseRunner, c: import("../../workloads/fuzz/case_gen.ts").FuzzCase): Promise<void> {
 *   const rows = await replayCase(c, "crash splitLeaf (bulk.ts)", ["v1", "head"], run);
 *   console.log(rows.map((r) => `${r.version} ${r.same ? "same" : r.verdict.outcome}`));
 * }
 * ```
 *
 * @module
 */

import type { FuzzCase } from "../../workloads/fuzz/mod.ts";
import type { CaseRunner, CaseVerdict } from "./case_runner.ts";

/** One version's replay. */
export interface ReplayRow {
  readonly version: string;
  readonly verdict: CaseVerdict;
  /** Fails with the case's signature. */
  readonly same: boolean;
}

/** Replay `fuzzCase` on each version in turn. */
export async function replayCase(
  fuzzCase: FuzzCase,
  signature: string,
  versions: readonly string[],
  runnerFor: (version: string) => CaseRunner,
): Promise<ReplayRow[]> {
  const rows: ReplayRow[] = [];
  for (const version of versions) {
    const verdict = await runnerFor(version)(fuzzCase);
    rows.push({ version, verdict, same: verdict.signature === signature });
  }
  return rows;
}

/** One line per version: `v1.2.0  crash splitLeaf (bulk.ts)  SAME`. */
export function formatReplay(rows: readonly ReplayRow[]): string[] {
  const width = Math.max(7, ...rows.map((r) => r.version.length));
  return rows.map((r) => {
    const verdict = r.same
      ? "fails the same way"
      : r.verdict.outcome === "pass"
      ? "passes"
      : r.verdict.outcome === "skip"
      ? "cannot run"
      : "fails differently";
    const why = !r.same && r.verdict.failure ? `: ${r.verdict.failure.message.slice(0, 100)}` : "";
    return `${r.version.padEnd(width)}  ${r.verdict.signature.padEnd(40)}  ${verdict}${why}`;
  });
}
