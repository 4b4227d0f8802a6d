/**
 * `deno task crash-band --version V [--version W ...] [--sizes 1..200]`: which fork sizes of
 * all-gapped trees crash each version (see `bench/crash_band.ts`).
 *
 * @example
 * ```sh
 * deno task crash-band --version kernel-6.1-undercount --version v1.2.0
 * ```
 *
 * @module
 */

import { crashBand } from "../bench/crash_band.ts";
import { versionFolder } from "../core/loader.ts";
import { defineCommand, type ParsedCommand, runCommand, UNIX_TOOL, UsageError } from "./cli.ts";

/** `1..200` → [1, 200]. */
function sizeRange(text: string): [number, number] {
  const match = /^(\d+)\.\.(\d+)$/.exec(text);
  if (!match || Number(match[1]) < 1 || Number(match[1]) > Number(match[2])) {
    throw new UsageError(`--sizes wants FROM..TO with 1 <= FROM <= TO, got "${text}"`);
  }
  return [Number(match[1]), Number(match[2])];
}

const COMMAND = defineCommand({
  name: "crash-band",
  help: `Usage: deno task crash-band --version V [--version W ...] [--sizes 1..200]

For each version, forks all-gapped allocation trees of every size in the range (ranges
[16i, 16i+9], the tree forked and its copy forked again) and prints how many sizes crash and
which. Exit codes: 0 done, 2 bad input.`,
  options: {
    version: { type: "string", multiple: true },
    sizes: { type: "string", default: "1..200" },
  },
  conventions: UNIX_TOOL,
});

/**
 * Run the command with `args`; returns the exit code.
 *
 * @example
 * ```ts
 * import { crashBandMain } from "./crash_band.ts";
 * export const band = () => crashBandMain(["--version", "v1.2.0", "--sizes", "10..20"]);
 * ```
 */
export function crashBandMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, main);
}

async function main({ values }: ParsedCommand<typeof COMMAND.options>): Promise<number> {
  const versions = values.version ?? [];
  if (versions.length === 0) throw new UsageError("--version is required (see --help)");
  const [from, to] = sizeRange(values.sizes);
  for (const version of versions) versionFolder(version);
  for (const version of versions) {
    const band = await crashBand(version, from, to);
    const span = band.crashed.length > 0
      ? ` in ${band.crashed[0]}..${band.crashed.at(-1)}: ${band.crashed.join(" ")}`
      : "";
    console.log(`${version}: ${band.crashed.length} of ${to - from + 1} sizes crash${span}`);
    if (band.example) console.log(`  e.g. ${band.example}`);
  }
  return 0;
}

if (import.meta.main) Deno.exitCode = await crashBandMain(Deno.args);
