/**
 * The exit code of `deno task bisect`, from the verdicts of a session:
 * 0 finished and confident, 3 finished but not confident, 4 cannot bisect (the endpoints
 * contradict what the user said or cannot be probed). 1 (internal error) and 2 (bad
 * arguments) come from the command itself.
 *
 * @example
 * ```ts
 * import { EXIT, verdictExitCode } from "./exit_code.ts";
 * function usage(report: import("./session.ts").BisectReport): void {
 *   console.log(verdictExitCode(report) === EXIT.ok);
 * }
 * ```
 *
 * @module
 */

import type { BisectReport } from "./session.ts";

/** Every exit code of the bisect command. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  notConfident: 3,
  cannotBisect: 4,
} as const;

/**
 * The exit code the session's verdicts call for; the worst one wins.
 *
 * @example
 * ```ts
 * import { verdictExitCode } from "./exit_code.ts";
 * function usage(report: import("./session.ts").BisectReport): void {
 *   Deno.exitCode = verdictExitCode(report);
 * }
 * ```
 */
export function verdictExitCode(report: BisectReport): number {
  let code: number = EXIT.ok;
  const worse = (next: number) => {
    if (next === EXIT.cannotBisect || (next === EXIT.notConfident && code === EXIT.ok)) code = next;
  };
  const crash = report.crash;
  if (crash) {
    if (crash.kind === "good-fails" || crash.kind === "endpoint-skipped") worse(EXIT.cannotBisect);
    else if (crash.kind === "no-failure" && report.plan.badGiven) worse(EXIT.cannotBisect);
    else if (crash.kind === "first-bad" && !crash.confident) worse(EXIT.notConfident);
  }
  const perf = report.perf;
  if (perf) {
    if (perf.kind === "endpoint-broken" || perf.kind === "bad-not-slower") worse(EXIT.cannotBisect);
    else if (perf.kind === "first-slower" && !perf.confident) worse(EXIT.notConfident);
  }
  return code;
}
