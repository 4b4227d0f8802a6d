/**
 * Turns how a probe's child process ended into one outcome class with its evidence.
 *
 * The child classifies what it can see itself (pass, crash, invalid, wrong, leak) and says so
 * in one JSON line. Only the parent can see the rest: that the child ran out of time (hang),
 * that V8 gave up on its heap or the process outgrew its memory limit (oom), or that it died
 * on a signal or exited without a result (crash). This module is pure, so every rule is tested
 * without spawning anything.
 *
 * @example
 * ```ts
 * import { classifyExit } from "./classify.ts";
 * const c = classifyExit({
 *   code: 133, signal: "SIGTRAP", timedOut: false, memoryExceeded: false,
 *   stdout: "", stderr: "# Fatal JavaScript out of memory: Reached heap limit",
 * });
 * console.log(c.outcome); // "oom"
 * ```
 *
 * @module
 */

import type { Failure, Outcome, ProbeResult } from "../workloads/probe_types.ts";

/** What the parent saw of one finished child. */
export interface ChildExit {
  /** Exit code, or `null` when the child died on a signal. */
  readonly code: number | null;
  /** The signal that ended the child, e.g. `SIGSEGV`, or `null`. */
  readonly signal: string | null;
  /** The parent killed the child at the time limit. */
  readonly timedOut: boolean;
  /** The parent killed the child because its resident memory passed the limit. */
  readonly memoryExceeded: boolean;
  /** The child's standard output (the result line is its last JSON line). */
  readonly stdout: string;
  /** The tail of the child's standard error. */
  readonly stderr: string;
}

/** An outcome with its evidence. */
export interface Classified {
  readonly outcome: Outcome;
  /** The child's own result line, when it printed one. */
  readonly result?: ProbeResult;
  /** Evidence for anything but `pass`. */
  readonly failure?: Failure;
}

/** Messages V8 and Deno print when the JavaScript heap is exhausted. */
const OUT_OF_MEMORY = [
  /Fatal JavaScript out of memory/i,
  /JavaScript heap out of memory/i,
  /Reached heap limit/i,
  /Fatal process out of memory/i,
  /Allocation failed - process out of memory/i,
];

/**
 * Classify a finished child. The order matters: a child killed at the time limit is a hang
 * even if it was also dying of memory; an out-of-memory abort is `oom` even though it ends on
 * a signal; a result line wins over a non-zero exit code only when the child printed one.
 *
 * @example
 * ```ts
 * import { classifyExit } from "./classify.ts";
 * const c = classifyExit({
 *   code: null, signal: "SIGSEGV", timedOut: false, memoryExceeded: false, stdout: "", stderr: "",
 * });
 * console.log(c.outcome, c.failure?.message); // crash killed by signal SIGSEGV
 * ```
 */
export function classifyExit(exit: ChildExit, timeLimitMs = 0, memoryLimitMb = 0): Classified {
  const partial = lastResultLine(exit.stdout);
  if (exit.timedOut) {
    return {
      outcome: "hang",
      failure: parentFailure(
        "Timeout",
        `no result within the time limit${timeLimitMs > 0 ? ` of ${timeLimitMs} ms` : ""}`,
        exit.stderr,
      ),
    };
  }
  if (exit.memoryExceeded || OUT_OF_MEMORY.some((pattern) => pattern.test(exit.stderr))) {
    const limit = memoryLimitMb > 0 ? ` (limit ${memoryLimitMb} MB)` : "";
    const what = exit.memoryExceeded
      ? `resident memory passed the limit${limit}`
      : `JavaScript heap exhausted${limit}`;
    return { outcome: "oom", failure: parentFailure("OutOfMemory", what, exit.stderr) };
  }
  if (partial !== undefined) {
    const failure = partial.failure;
    return failure === undefined || partial.outcome === "pass"
      ? { outcome: partial.outcome, result: partial }
      : { outcome: partial.outcome, result: partial, failure };
  }
  if (exit.signal !== null) {
    return {
      outcome: "crash",
      failure: parentFailure("Signal", `killed by signal ${exit.signal}`, exit.stderr),
    };
  }
  const said = uncaughtLine(exit.stderr) ?? lastLines(exit.stderr, 1);
  return {
    outcome: "crash",
    failure: parentFailure(
      "NoResult",
      `child exited with code ${exit.code} without a result${said ? `: ${said}` : ""}`,
      exit.stderr,
    ),
  };
}

/**
 * The last line of `stdout` that parses as a probe result, if any.
 *
 * @example
 * ```ts
 * import { lastResultLine } from "./classify.ts";
 * console.log(lastResultLine("version chatter\n{\"not\": \"a result\"}")); // undefined
 * ```
 */
export function lastResultLine(stdout: string): ProbeResult | undefined {
  const lines = stdout.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (!line.startsWith("{")) continue;
    try {
      const value = JSON.parse(line) as Partial<ProbeResult>;
      if (typeof value.outcome === "string" && typeof value.spec === "object") {
        return value as ProbeResult;
      }
    } catch {
      // Not JSON: a version may print anything; keep looking upwards.
    }
  }
  return undefined;
}

/** Evidence the parent writes itself: stack frames come from what the child left on stderr. */
function parentFailure(kind: string, message: string, stderr: string): Failure {
  return { kind, message, frames: stderrFrames(stderr), atOp: -1, operation: "" };
}

/** `at ...` lines of an uncaught error on stderr, innermost first, at most five. */
function stderrFrames(stderr: string): string[] {
  return stripColours(stderr).split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("at "))
    .slice(0, 5)
    .map((line) => line.slice(3));
}

/** Deno's `error: Uncaught ...` line, without its prefix. */
function uncaughtLine(stderr: string): string | undefined {
  const line = stripColours(stderr).split("\n").find((l) => /^error: Uncaught/.test(l.trim()));
  return line?.trim().replace(/^error: /, "");
}

/** The last `count` non-empty lines of `text`, joined by " | ". */
function lastLines(text: string, count: number): string {
  return stripColours(text).split("\n").map((l) => l.trim()).filter((l) => l.length > 0)
    .slice(-count).join(" | ");
}

function stripColours(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}
