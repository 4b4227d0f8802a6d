/**
 * Sorting a caught error into the probe's outcome classes, with the evidence a person (or the
 * shrinker) needs: kind, message and the top stack frames.
 *
 * @example
 * ```ts
 * import { classify } from "./classify.ts";
 * const { outcome, failure } = classify(new TypeError("x is undefined"));
 * console.log(outcome, failure.kind); // crash TypeError
 * ```
 *
 * @module
 */

import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { MapleInvariantError } from "../core/contract.ts";
import { DifferentialMismatchError, LeakError, NodeAccountingError } from "./check_errors.ts";
import type { ChildOutcome } from "./probe_types.ts";

/** The repository root, stripped from frame paths so they read `core/head/split.ts:12`. */
const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** Frames kept per failure. */
export const FRAME_COUNT = 8;

/** Outcome and evidence of one caught error. */
export interface Classified {
  readonly outcome: Exclude<ChildOutcome, "pass">;
  readonly failure: { readonly kind: string; readonly message: string; readonly frames: string[] };
}

/** Parse V8 stack text into `function (file:line)` frames, innermost first. */
export function parseFrames(stack: string | undefined, count = FRAME_COUNT): string[] {
  const frames: string[] = [];
  for (const line of (stack ?? "").split("\n")) {
    const match = /^\s*at (?:(.+?) \((.+):(\d+):\d+\)|(.+):(\d+):\d+)$/.exec(line);
    if (!match) {
      const bare = /^\s*at (.+)$/.exec(line);
      if (bare) frames.push(bare[1].trim());
    } else {
      const fn = match[1] ?? "<anonymous>";
      let file = match[2] ?? match[4];
      file = file.replace(/^file:\/\//, "");
      if (file.startsWith(ROOT + "/")) file = file.slice(ROOT.length + 1);
      frames.push(`${fn} (${file}:${match[3] ?? match[5]})`);
    }
    if (frames.length >= count) break;
  }
  return frames;
}

function kindOf(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error;
}

/**
 * MapleInvariantError and node-accounting breaks are `invalid`, a disagreement with the
 * reference model is `wrong`, nodes live after exit are `leak`, anything else is `crash`.
 */
export function classify(error: unknown): Classified {
  const message = error instanceof Error ? error.message : String(error);
  const frames = error instanceof Error ? parseFrames(error.stack) : [];
  const failure = { kind: kindOf(error), message: message.split("\n")[0], frames };
  if (error instanceof MapleInvariantError || error instanceof NodeAccountingError) {
    return { outcome: "invalid", failure };
  }
  if (error instanceof DifferentialMismatchError) return { outcome: "wrong", failure };
  if (error instanceof LeakError) return { outcome: "leak", failure };
  return { outcome: "crash", failure };
}

/**
 * The innermost frame inside the repository's own code as `function (file)`, without the line
 * number, so that the same failure matches across edits and versions of other files.
 */
export function topFrame(frames: readonly string[]): string {
  for (const frame of frames) {
    const match = /^(.+) \((.+):\d+\)$/.exec(frame);
    if (match && !match[2].startsWith("ext:") && !match[2].startsWith("node:")) {
      return `${match[1]} (${match[2].replace(/^.*\//, "")})`;
    }
  }
  return frames[0] ?? "<no frame>";
}
