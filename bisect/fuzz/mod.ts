/**
 * Find, shrink and replay failing address spaces: the fuzz loop, delta debugging of a failing
 * case, case files and their replay across versions.
 *
 * @example
 * ```ts
 * import { fuzz, shrink, readCase } from "./mod.ts";
 * console.log(typeof fuzz, typeof shrink, typeof readCase);
 * ```
 *
 * @module
 */

export {
  type CaseRunner,
  caseRunnerFor,
  type CaseVerdict,
  childCaseRunner,
  inProcessCaseRunner,
  signatureOf,
} from "./case_runner.ts";
export {
  CASE_SCHEMA,
  type CaseFile,
  caseFile,
  CaseFileError,
  formatCaseFile,
  parseCaseFile,
  readCase,
} from "./case_file.ts";
export { fuzz, type FuzzOptions, type FuzzReport } from "./fuzz.ts";
export { formatReplay, replayCase, type ReplayRow } from "./replay.ts";
export { shrink, type ShrinkOptions, type ShrinkReport } from "./shrink.ts";
