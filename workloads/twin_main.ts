/**
 * The twin comparison's command line, which the mutation tester spawns for a mutant that no
 * probe killed: `--a FOLDER --b FOLDER [--seed N ...] [--ops N]` loads both versions, runs
 * `compareTwins` for each seed and prints one JSON line, `{"ops":N}` when they never
 * differed or `{"ops":N,"difference":{...}}` at the first difference; exit 0 either way. Bad
 * arguments or a version that does not load print one line on stderr and exit 2.
 *
 * @example
 * ```ts
 * // deno run -A workloads/twin_main.ts --a core/head --b core/v1.5.0 --ops 2000
 * import { twinMain } from "./twin_main.ts";
 * console.log(typeof twinMain); // function
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { loadVersion } from "../core/loader.ts";
import { compareTwins } from "./twin.ts";

/** Exit status for arguments that cannot be run. */
export const BAD_ARGS_EXIT = 2;

/** Run the CLI with `args`; returns the exit code. */
export async function twinMain(args: readonly string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: {
        a: { type: "string" },
        b: { type: "string" },
        seed: { type: "string", multiple: true },
        ops: { type: "string" },
      },
      strict: true,
    });
    if (!values.a || !values.b) throw new Error("--a and --b name the two versions");
    const seeds = (values.seed ?? ["1"]).map(Number);
    const ops = Number(values.ops ?? 20_000);
    if (!seeds.every((s) => Number.isSafeInteger(s) && s >= 0) || !(ops > 0)) {
      throw new Error("--seed wants integers >= 0 and --ops a positive number");
    }
    const a = (await loadVersion(values.a)).module;
    const b = (await loadVersion(values.b)).module;
    let total = 0;
    for (const seed of seeds) {
      const difference = compareTwins(a, b, { seed, ops });
      if (difference) {
        console.log(JSON.stringify({ ops: total + difference.at + 1, seed, difference }));
        return 0;
      }
      total += 2 * ops;
    }
    console.log(JSON.stringify({ ops: total }));
    return 0;
  } catch (error) {
    console.error(
      `twin: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`,
    );
    return BAD_ARGS_EXIT;
  }
}

if (import.meta.main) Deno.exit(await twinMain(Deno.args));
