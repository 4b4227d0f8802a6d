/**
 * A failure's signature, and which failures a crash bisect follows.
 *
 * The signature is the outcome class and the top frame (`crash linkNewNode (mod.ts)`): the
 * function and file, without line numbers, since lines move between the commits of a
 * history while the bug stays the same. Fuzz and shrink keep a failure by it; a crash bisect
 * follows it, so that an unrelated failure met on the way cannot steer the search (syzbot's
 * bisections went astray that way).
 *
 * @example
 * ```ts
 * import { signatureOf, textSignature } from "./signature.ts";
 * const failure = { kind: "TypeError", message: "x is undefined", frames: ["split (core/head/split.ts:12)"], atOp: 3, operation: "fork" };
 * console.log(signatureOf("crash", failure)); // crash split (split.ts)
 * console.log(textSignature("TypeError").matches({ outcome: "crash", failure })); // true
 * ```
 *
 * @module
 */

import { topFrame } from "../workloads/classify.ts";
import type { Failure, Outcome } from "../workloads/probe_types.ts";

/**
 * The signature of an outcome: the class, plus the top frame when there is one.
 *
 * @example
 * ```ts
 * import { signatureOf } from "./signature.ts";
 * console.log(signatureOf("hang")); // hang
 * ```
 */
export function signatureOf(outcome: Outcome, failure?: Failure): string {
  if (outcome === "pass" || !failure || failure.frames.length === 0) return outcome;
  return `${outcome} ${topFrame(failure.frames)}`;
}

/** What a signature is matched against: a probe's outcome and its evidence. */
export interface Observed {
  readonly outcome: Outcome;
  readonly failure?: Failure;
}

/** The failure a crash bisect follows. */
export interface FollowedSignature {
  /** What the summary prints, e.g. `crash linkNewNode (mod.ts)`. */
  readonly label: string;
  /** Where it came from: the bad end's failure, or the user's text. */
  readonly origin: "bad-end" | "given";
  /** Whether a failing probe shows this failure (a pass or a skip never does). */
  matches(run: Observed): boolean;
}

/**
 * Follow exactly the signature of `run` (the failure seen at the bad end).
 *
 * @example
 * ```ts
 * import { exactSignature } from "./signature.ts";
 * const followed = exactSignature({ outcome: "hang" });
 * console.log(followed.label, followed.matches({ outcome: "crash" })); // hang false
 * ```
 */
export function exactSignature(run: Observed): FollowedSignature {
  const label = signatureOf(run.outcome, run.failure);
  return {
    label,
    origin: "bad-end",
    matches: (other) => isFailing(other) && signatureOf(other.outcome, other.failure) === label,
  };
}

/**
 * Follow every failure whose signature, or whose error's kind and message
 * (`TypeError: Cannot read ...`), contains `text`: `--signature TEXT`.
 *
 * @example
 * ```ts
 * import { textSignature } from "./signature.ts";
 * console.log(textSignature("crash").matches({ outcome: "wrong" })); // false
 * ```
 */
export function textSignature(text: string): FollowedSignature {
  return {
    label: text,
    origin: "given",
    matches: (run) => {
      if (!isFailing(run)) return false;
      const f = run.failure;
      const said = f ? `${f.kind}: ${f.message}` : "";
      return signatureOf(run.outcome, f).includes(text) || said.includes(text);
    },
  };
}

function isFailing(run: Observed): boolean {
  return run.outcome !== "pass" && run.outcome !== "skip";
}
