/**
 * Running one fuzz case and reducing the result to a failure signature (outcome class and
 * top frame), in a child process through the bisect runner (time and memory limits) or,
 * for speed where the version is trusted not to hang, in-process.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../../core/loader.ts";
 * import { generateCase } from "../../workloads/fuzz/mod.ts";
 * import { inProcessCaseRunner } from "./case_runner.ts";
 * const { module } = await loadVersion("testing/reference");
 * const run = inProcessCaseRunner(module, "testing/reference");
 * const verdict = await run(generateCase(module, "fork", 1));
 * console.log(verdict.outcome, verdict.signature); // pass pass
 * ```
 *
 * @module
 */

import type { MapleModule } from "../../core/contract.ts";
import { loadVersion, versionFolder } from "../../core/loader.ts";
import { caseProbe, type FuzzCase } from "../../workloads/fuzz/mod.ts";
import { runProbeWith } from "../../workloads/probe.ts";
import type { Failure, Outcome } from "../../workloads/probe_types.ts";
import type { ProbeRunner, VersionRef } from "../runner.ts";
import { signatureOf } from "../signature.ts";

/** What one run of a case came to. */
export interface CaseVerdict {
  readonly outcome: Outcome;
  /** `outcome` and, for failures with frames, the top frame: `crash splitLeaf (bulk.ts)`. */
  readonly signature: string;
  readonly failure?: Failure;
  readonly wallMs: number;
}

/** Runs a case against one version. */
export type CaseRunner = (fuzzCase: FuzzCase) => Promise<CaseVerdict>;

/** The signature of an outcome (see `../signature.ts`), as fuzz and shrink keep a failure by it. */
export { signatureOf };

/** Run cases in child processes of `runner` (limits, isolation). */
export function childCaseRunner(runner: ProbeRunner, version: VersionRef): CaseRunner {
  return async (fuzzCase) => {
    const run = await runner.run(version, caseProbe(fuzzCase));
    return {
      outcome: run.outcome,
      signature: signatureOf(run.outcome, run.failure),
      ...(run.failure ? { failure: run.failure } : {}),
      wallMs: run.wallMs,
    };
  };
}

/** Run cases in this process against an already loaded version (fast; no hang protection). */
export function inProcessCaseRunner(module: MapleModule, versionName: string): CaseRunner {
  return (fuzzCase) => {
    const started = performance.now();
    const result = runProbeWith(module, { version: versionName, ...caseProbe(fuzzCase) });
    return Promise.resolve({
      outcome: result.outcome,
      signature: signatureOf(result.outcome, result.failure),
      ...(result.failure ? { failure: result.failure } : {}),
      wallMs: performance.now() - started,
    });
  };
}

/** How {@linkcode caseRunnerFor} runs cases. */
export interface RunnerChoice {
  /** Run in this process instead of children. */
  readonly inProcess: boolean;
  /** The child-process runner to use (required unless `inProcess`). */
  readonly runner?: ProbeRunner;
}

/**
 * A case runner for version `name` (a manifest name, `head` or a folder); an unknown version
 * throws `UnknownVersionError` before anything runs.
 */
export async function caseRunnerFor(name: string, choice: RunnerChoice): Promise<CaseRunner> {
  const folder = versionFolder(name);
  if (choice.inProcess || !choice.runner) {
    const { module } = await loadVersion(name);
    return inProcessCaseRunner(module, name);
  }
  return childCaseRunner(choice.runner, { name, folder });
}
