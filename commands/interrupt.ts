/**
 * What the long commands (`bisect`, `bench`, `fuzz`) share about being interrupted: listening for
 * SIGINT and SIGTERM (the first stops starting work, the second exits at once), the exit code
 * a signal gives, the machine that measured (samples are reused only on the same one) and the
 * command line that resumes a run.
 *
 * @example
 * ```ts
 * import { resumeCommand, watchInterrupts } from "./interrupt.ts";
 * const watch = watchInterrupts();
 * try {
 *   console.log(watch.signal.aborted); // false until Ctrl-C
 * } finally {
 *   watch.dispose();
 * }
 * console.log(resumeCommand("bench", ["--quick"], "results/runs/bench-x.json"));
 * // deno task bench --quick --resume results/runs/bench-x.json
 * ```
 *
 * @module
 */

/** The two signals a long run treats as "stop, keep what finished". */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * The exit code of a run stopped by `signal`, as a shell reports a process killed by it.
 *
 * @example
 * ```ts
 * import { interruptExitCode } from "./interrupt.ts";
 * console.log(interruptExitCode("SIGINT"), interruptExitCode("SIGTERM")); // 130 143
 * ```
 */
export function interruptExitCode(signal: string): number {
  return signal === "SIGTERM" ? 143 : 130;
}

/** Listening for SIGINT and SIGTERM: aborted by the first, and removed by `dispose`. */
export interface InterruptWatch {
  /** Aborted, with the signal's name as reason, by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** Stop listening (the default behaviour of the signals returns). */
  dispose(): void;
}

/**
 * How soon after the first a second signal is still the same Ctrl-C: under `deno task`, the
 * terminal signals the whole process group and the task runner forwards its own copy too, so
 * one keypress arrives twice about a millisecond apart (seen on Deno 2.9.6).
 */
const SAME_KEYPRESS_MS = 200;

/**
 * Listen for SIGINT and SIGTERM. The first aborts {@linkcode InterruptWatch.signal}; a second
 * (a later keypress, not the echo of the first) exits at once, since the journal already
 * holds every finished unit.
 *
 * @example
 * ```ts
 * import { watchInterrupts } from "./interrupt.ts";
 * const watch = watchInterrupts();
 * watch.signal.addEventListener("abort", () => console.log("stopping"));
 * watch.dispose();
 * ```
 */
export function watchInterrupts(): InterruptWatch {
  const controller = new AbortController();
  let first: number | undefined;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = () => {
      const now = performance.now();
      if (first === undefined) {
        first = now;
        controller.abort(signal);
      } else if (now - first > SAME_KEYPRESS_MS) {
        Deno.exit(interruptExitCode(signal));
      }
    };
    Deno.addSignalListener(signal, listener);
    return { signal, listener };
  });
  return {
    signal: controller.signal,
    dispose() {
      for (const { signal, listener } of listeners) Deno.removeSignalListener(signal, listener);
    },
  };
}

/**
 * The signal's name from an aborted {@linkcode AbortSignal} (`SIGINT` when it gave none).
 *
 * @example
 * ```ts
 * import { abortedBy } from "./interrupt.ts";
 * const c = new AbortController();
 * c.abort("SIGTERM");
 * console.log(abortedBy(c.signal)); // SIGTERM
 * ```
 */
export function abortedBy(signal: AbortSignal): string {
  return typeof signal.reason === "string" ? signal.reason : "SIGINT";
}

/** The machine that measured (host, CPU model, cores): samples are reused only on it. */
export { machineName } from "../bisect/shard.ts";

/**
 * Quote an argument for a shell only when it needs it.
 *
 * @example
 * ```ts
 * import { shellWord } from "./interrupt.ts";
 * console.log(shellWord("a b"), shellWord("v1.2.0")); // 'a b' v1.2.0
 * ```
 */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The arguments without `--resume PATH` (or `--resume=PATH`): what a journal keeps so that a
 * later reader can say how to resume it.
 *
 * @example
 * ```ts
 * import { withoutResume } from "./interrupt.ts";
 * console.log(withoutResume(["--quick", "--resume", "x.json"])); // ["--quick"]
 * ```
 */
export function withoutResume(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--resume") i++;
    else if (!args[i].startsWith("--resume=")) kept.push(args[i]);
  }
  return kept;
}

/**
 * The command that resumes from `path`: `deno task <task>` with the same arguments and
 * `--resume PATH`.
 *
 * @example
 * ```ts
 * import { resumeCommand } from "./interrupt.ts";
 * console.log(resumeCommand("fuzz", ["--version", "head", "--resume", "old.json"], "new.json"));
 * // deno task fuzz --version head --resume new.json
 * ```
 */
export function resumeCommand(task: string, args: readonly string[], path: string): string {
  return [`deno task ${task}`, ...withoutResume(args).map(shellWord), "--resume", shellWord(path)]
    .join(" ");
}
