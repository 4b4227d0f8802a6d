/**
 * The equivalence screen: a mutant that no probe killed is run beside its original through
 * `workloads/twin_main.ts` (seeded random operations of every contract kind, every answer and
 * after every write the shape and allocator counters compared), in a child process under a
 * time limit. No difference in that many operations: the mutant is most likely equivalent
 * (its change cannot be seen through the contract) and is not held against the matrix. A
 * difference: the matrix is blind to a real change, and the difference says where.
 *
 * @example
 * ```ts
 * import { screenMutant } from "./screen.ts";
 * const verdict = await screenMutant("core/head", "core/head", { ops: 2_000, seeds: [1] });
 * console.log(verdict.equivalent, verdict.detail); // true no difference from the original in 4000 operations
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { killChild, sandboxedRun, spawnDeno, SUITE_ROOT } from "../child.ts";

/** The twin comparison's entry point. */
export const TWIN_ENTRY: string = join(SUITE_ROOT, "workloads", "twin_main.ts");

/** How hard the screen looks. */
export interface ScreenOptions {
  /** Operations per seed and tree kind (default 20,000). */
  readonly ops?: number;
  /** Seeds (default 1, 2 and 3). */
  readonly seeds?: readonly number[];
  /** Time limit of the child (default 60 s). */
  readonly timeMs?: number;
}

/** The screen's verdict on one mutant. */
export interface ScreenVerdict {
  readonly equivalent: boolean;
  /** `no difference …`, or the first difference: the operation and what differed. */
  readonly detail: string;
}

/**
 * Compare the mutant in `mutant` with its original in `original`; never throws for
 * anything the child does.
 */
export async function screenMutant(
  original: string,
  mutant: string,
  options: ScreenOptions = {},
): Promise<ScreenVerdict> {
  const ops = options.ops ?? 20_000;
  const seeds = options.seeds ?? [1, 2, 3];
  const timeMs = options.timeMs ?? 60_000;
  const child = spawnDeno(sandboxedRun(TWIN_ENTRY, 512, [
    "--a",
    original,
    "--b",
    mutant,
    "--ops",
    String(ops),
    ...seeds.flatMap((seed) => ["--seed", String(seed)]),
  ]));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killChild(child);
  }, timeMs);
  const output = await child.output();
  clearTimeout(timer);
  if (timedOut) {
    return { equivalent: false, detail: `the twin comparison hung (no answer in ${timeMs} ms)` };
  }
  const line = new TextDecoder().decode(output.stdout).trim().split("\n").at(-1) ?? "";
  try {
    const answer = JSON.parse(line) as {
      ops: number;
      seed?: number;
      difference?: { operation: string; what: string };
    };
    if (!answer.difference) {
      return {
        equivalent: true,
        detail: `no difference from the original in ${answer.ops} operations`,
      };
    }
    return {
      equivalent: false,
      detail: `differs from the original after ${answer.ops} operations (seed ${answer.seed}): ` +
        `${answer.difference.operation}: ${answer.difference.what}`,
    };
  } catch {
    const error = new TextDecoder().decode(output.stderr).trim().split("\n")[0] ?? "";
    return {
      equivalent: false,
      detail:
        `the twin comparison failed (exit ${output.code}${
          output.signal ? `, ${output.signal}` : ""
        }` +
        `${error ? `: ${error.slice(0, 200)}` : ""})`,
    };
  }
}
