/**
 * What `fuzz`, `shrink` and `replay` share about cases: how a version's cases run (in child
 * processes under the same limits, or in this process) and how a found or shrunk case is
 * written, with the command that replays it.
 *
 * @example
 * ```ts
 * import { caseRunners, writeCase } from "./case_files.ts";
 * import { readCase } from "../bisect/fuzz/mod.ts";
 * const { file, fuzzCase } = readCase("bisect/fuzz/fixtures/gapped-dup-fork.case.json");
 * const run = await caseRunners({ inProcess: true, jobs: 1 })(file.version);
 * const { signature, outcome } = await run(fuzzCase);
 * writeCase("/tmp/again.json", fuzzCase, { version: file.version, signature, message: outcome });
 * ```
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ProbeRunner } from "../bisect/runner.ts";
import {
  caseFile,
  type CaseRunner,
  caseRunnerFor,
  formatCaseFile,
  type ShrinkReport,
} from "../bisect/fuzz/mod.ts";
import type { FuzzCase } from "../workloads/fuzz/mod.ts";

/**
 * The case runners of versions, made on demand. Child processes share one probe runner, so
 * at most `jobs` cases run at once whatever the versions; `inProcess` runs them here instead
 * (faster, no time or memory limits).
 *
 * @example
 * ```ts
 * import { caseRunners } from "./case_files.ts";
 * const runnerOf = caseRunners({ inProcess: false, jobs: 2 });
 * const run = await runnerOf("head");
 * ```
 */
export function caseRunners(
  options: { inProcess: boolean; jobs: number },
): (version: string) => Promise<CaseRunner> {
  // A case is a whole stress run recorded op by op: more room than a bisect probe.
  const runner = new ProbeRunner({
    limits: { timeMs: 30_000, memoryMb: 512 },
    concurrency: options.jobs,
  });
  return (version) => caseRunnerFor(version, { inProcess: options.inProcess, runner });
}

/**
 * What a case file says besides the case: the version it fails on, how it fails, and for a
 * shrunk case what shrinking did.
 *
 * @example
 * ```ts
 * import type { CaseFacts } from "./case_files.ts";
 * const facts: CaseFacts = { version: "v1.2.0", signature: "crash splitLeaf (bulk.ts)", message: "…" };
 * ```
 */
export interface CaseFacts {
  readonly version: string;
  readonly signature: string;
  readonly message: string;
  readonly shrunk?: ShrinkReport;
}

/**
 * Write `fuzzCase` to `path` (making its folder), with the command that replays it on the
 * version it fails on.
 *
 * @example
 * ```ts
 * import { writeCase } from "./case_files.ts";
 * import { readCase } from "../bisect/fuzz/mod.ts";
 * const { file, fuzzCase } = readCase("bisect/fuzz/fixtures/gapped-dup-fork.case.json");
 * const { version, signature, message } = file;
 * writeCase("/tmp/cases/copy.json", fuzzCase, { version, signature, message });
 * ```
 */
export function writeCase(path: string, fuzzCase: FuzzCase, facts: CaseFacts): void {
  const { version, signature, message, shrunk } = facts;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    formatCaseFile(caseFile(fuzzCase, {
      version,
      signature,
      message,
      replay: `deno task replay ${path} --version ${version}`,
      ...(shrunk
        ? {
          shrunk: {
            vmasBefore: shrunk.before.vmas,
            vmasAfter: shrunk.after.vmas,
            operationsBefore: shrunk.before.operations,
            operationsAfter: shrunk.after.operations,
            runs: shrunk.runs,
          },
        }
        : {}),
    })),
  );
}
