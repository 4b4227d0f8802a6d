/**
 * Instruction counts of a kernel tree: a recorded operation stream replayed by the version's
 * `maple-replay` driver under valgrind's callgrind, read back per operation kind. For the same
 * driver, stream and environment the counts are the same on every run, whatever else the
 * machine is doing, which is what lets a 1% change be seen on a noisy machine. Instructions
 * are not time: a change that makes a load wait on memory costs time and no instructions.
 *
 * @example
 * ```ts
 * import { countInstructions } from "./count.ts";
 * export async function storeCount(driver: string, stream: string): Promise<number> {
 *   return (await countInstructions(driver, stream)).byKind.store ?? 0;
 * }
 * ```
 *
 * @module
 */

import { join } from "node:path";

/** Instructions executed, in all and per operation kind, by one replay. */
export interface InstructionCounts {
  /** Instructions inside every `op_` function (the tree's work and the shim's conversions). */
  readonly total: number;
  /** Per kind (`store`, `load`, `fork`, ...), inclusive of everything each op calls. */
  readonly byKind: Readonly<Record<string, number>>;
}

/** valgrind is missing or failed (reported in one line). */
export class InstructionCountError extends Error {
  override name = "InstructionCountError";
}

/**
 * Parse `callgrind_annotate --inclusive=yes` output into counts per `op_` function.
 *
 * @example
 * ```ts
 * import { parseAnnotate } from "./count.ts";
 * const text = "1,200 (10.0%)  replay.c:op_store [/x/maple-replay]\n300 (2.5%)  replay.c:op_load [/x]";
 * console.log(parseAnnotate(text)); // { total: 1500, byKind: { store: 1200, load: 300 } }
 * ```
 */
export function parseAnnotate(text: string): InstructionCounts {
  const byKind: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = /^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?\S*:op_(\w+)\b/.exec(line);
    if (match && byKind[match[2]] === undefined) {
      byKind[match[2]] = Number(match[1].replaceAll(",", ""));
    }
  }
  const total = Object.values(byKind).reduce((a, b) => a + b, 0);
  return { total, byKind };
}

async function run(command: string, args: string[]): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    throw new InstructionCountError(
      `cannot run ${command} (install valgrind): ${(error as Error).message}`,
    );
  }
  if (!output.success) {
    const said = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1) ?? "";
    throw new InstructionCountError(`${command} failed: ${said}`);
  }
  return new TextDecoder().decode(output.stdout);
}

/**
 * Replay `streamFile` with `driver` under callgrind and return its counts.
 *
 * @example
 * ```ts
 * import { countInstructions } from "./count.ts";
 * export const count = (driver: string, stream: string) => countInstructions(driver, stream);
 * ```
 */
export async function countInstructions(
  driver: string,
  streamFile: string,
): Promise<InstructionCounts> {
  const dir = await Deno.makeTempDir({ prefix: "maple-callgrind-" });
  try {
    const out = join(dir, "callgrind.out");
    await run("valgrind", [
      "--tool=callgrind",
      `--callgrind-out-file=${out}`,
      "--quiet",
      driver,
      streamFile,
    ]);
    const counts = parseAnnotate(
      await run("callgrind_annotate", ["--inclusive=yes", "--threshold=100", "--auto=no", out]),
    );
    if (counts.total === 0) throw new InstructionCountError(`no op_ functions counted in ${out}`);
    return counts;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
