/**
 * The crash band: which fork sizes of all-gapped trees crash a version (a tree of N gapped ranges, forked, and its copy forked
 * again). This is the seed bug's signature: with a bulk pool that counts too few nodes, some
 * sizes crash in a late split and others never do. Native crashes of kernel versions are
 * survived: each version runs in a child that is restarted after the size that killed it.
 *
 * @example
 * ```ts
 * import { crashBand } from "./crash_band.ts";
 * const band = await crashBand("head", 1, 20);
 * console.log(band.crashed.length); // 0
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CHILD = join(fileURLToPath(new URL(".", import.meta.url)), "crash_band_main.ts");

/** A version that cannot run at all (reported in one line). */
export class CrashBandError extends Error {
  override name = "UsageError";
}

/** The sizes of one version's band. */
export interface CrashBand {
  readonly version: string;
  readonly from: number;
  readonly to: number;
  /** Sizes whose first or second fork crashed, ascending. */
  readonly crashed: readonly number[];
  /** The first crash's message, as an example. */
  readonly example?: string;
}

/**
 * Run the band for `version` over sizes `from..to`.
 *
 * @example
 * ```ts
 * import { crashBand } from "./crash_band.ts";
 * console.log((await crashBand("v1.1.0", 10, 12)).crashed); // []
 * ```
 */
export async function crashBand(version: string, from: number, to: number): Promise<CrashBand> {
  const crashed: number[] = [];
  let example: string | undefined;
  let next = from;
  while (next <= to) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", CHILD, version, String(next), String(to)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const lines = new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
    for (const line of lines) {
      const match = /^size (\d+) (ok|crash)(?: (.*))?$/.exec(line);
      if (!match) continue;
      next = Number(match[1]) + 1;
      if (match[2] === "crash") {
        crashed.push(Number(match[1]));
        example ??= match[3];
      }
    }
    if (out.success) break;
    if (out.signal === null && lines.length === 0) {
      const said = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
      throw new CrashBandError(`${version} cannot run: ${said}`);
    }
    // The child died in native code while forking size `next`.
    crashed.push(next);
    example ??= `killed by ${out.signal ?? `exit code ${out.code}`}`;
    next++;
  }
  return { version, from, to, crashed, ...(example ? { example } : {}) };
}
