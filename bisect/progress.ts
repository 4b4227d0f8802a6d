/**
 * The progress line: `probe k of about n, elapsed, estimate`, redrawn in place on a terminal
 * and silent otherwise, so logs and pipes get only the summary.
 *
 * @example
 * ```ts
 * import { progressLine } from "./progress.ts";
 * const line = progressLine({ enabled: false });
 * line.update({ mode: "crash", done: 3, estimate: 40, elapsedMs: 1200 });
 * line.done();
 * ```
 *
 * @module
 */

import type { Progress } from "./session.ts";

/** A redrawable status line. */
export interface ProgressLine {
  /** Draw the latest state. */
  update(progress: Progress): void;
  /** Erase the line before the summary is printed. */
  done(): void;
}

/** Options for {@linkcode progressLine}. */
export interface ProgressOptions {
  /** Draw at all (default: when stderr is a terminal). */
  readonly enabled?: boolean;
  /** Where to draw (default stderr). */
  readonly write?: (text: string) => void;
}

/**
 * Format one state, e.g. `[crash] probe 12 of ~40, 10.2 s elapsed, ~24 s left`.
 *
 * @example
 * ```ts
 * import { formatProgress } from "./progress.ts";
 * console.log(formatProgress({ mode: "perf", done: 10, estimate: 40, elapsedMs: 5000 }));
 * // [perf] probe 10 of ~40, 5.0 s elapsed, ~15 s left
 * ```
 */
export function formatProgress(p: Progress): string {
  const remaining = p.done > 0 ? (p.elapsedMs / p.done) * Math.max(0, p.estimate - p.done) : 0;
  return `[${p.mode}] probe ${p.done} of ~${p.estimate}, ${(p.elapsedMs / 1000).toFixed(1)} s ` +
    `elapsed, ~${Math.round(remaining / 1000)} s left`;
}

/**
 * A progress line on stderr when it is a terminal.
 *
 * @example
 * ```ts
 * import { progressLine } from "./progress.ts";
 * const line = progressLine({ enabled: true, write: (text) => console.log(JSON.stringify(text)) });
 * line.update({ mode: "crash", done: 1, estimate: 10, elapsedMs: 300 });
 * line.done();
 * ```
 */
export function progressLine(options: ProgressOptions = {}): ProgressLine {
  const enabled = options.enabled ?? Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  const write = options.write ?? ((text: string) => Deno.stderr.writeSync(encoder.encode(text)));
  let drawn = false;
  return {
    update(progress) {
      if (!enabled) return;
      write(`\r\x1b[K${formatProgress(progress)}`);
      drawn = true;
    },
    done() {
      if (enabled && drawn) write("\r\x1b[K");
      drawn = false;
    },
  };
}
