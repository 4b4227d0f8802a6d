/**
 * `deno task bench:fork [--versions A,B] [--rounds N]`: the tree part of fork on kernel
 * versions, bulk path against `__mt_dup`, per VMA count (21 to 6,421) and real layout, with
 * the `__mt_dup` series' published whole-fork figures beside ours.
 *
 * @example
 * ```sh
 * deno task bench:fork --versions kernel-6.1,/path/to/linux-6.12
 * ```
 *
 * @module
 */

import { forkNanoseconds, layoutFor, PUBLISHED_GAIN, VMA_COUNTS } from "../bench/fork_paths.ts";
import { loadVersion } from "../core/loader.ts";
import { fixtureNames } from "../workloads/layouts/mod.ts";
import {
  defineCommand,
  integerFlag,
  type ParsedCommand,
  runCommand,
  splitList,
  UNIX_TOOL,
} from "./cli.ts";

const COMMAND = defineCommand({
  name: "bench:fork",
  help: `Usage: deno task bench:fork [--versions A,B,...] [--rounds N]

Times the tree part of fork (dup_mmap's tree calls, timed inside the shim) on kernel versions
(default: kernel-6.1,kernel-6.12), by each fork path the version's tree has: bulk (6.1's expected entries
and in-order stores) and copy (__mt_dup). Rows: VMA counts 21..6,421 (random:vmas=N layouts)
and the real layouts; for a tree with both paths, the copy's throughput gain over bulk, beside
the whole-fork gain the __mt_dup series published. Exit codes: 0 done, 2 bad input.`,
  options: {
    versions: { type: "string", default: "kernel-6.1,kernel-6.12" },
    rounds: { type: "string" },
  },
  conventions: UNIX_TOOL,
});

/**
 * Run the command with `args`; returns the exit code.
 *
 * @example
 * ```ts
 * import { benchForkMain } from "./bench_fork.ts";
 * export const run = () => benchForkMain(["--versions", "kernel-6.1", "--rounds", "3"]);
 * ```
 */
export function benchForkMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, main);
}

async function main({ values }: ParsedCommand<typeof COMMAND.options>): Promise<number> {
  const rounds = integerFlag("rounds", values.rounds, 9, 1);
  const versions = splitList(values.versions, "--versions");
  const loaded = [];
  for (const name of versions) loaded.push(await loadVersion(name));
  const rows = [...VMA_COUNTS.map(layoutFor), ...fixtureNames()];
  console.log(`bench:fork at ${new Date().toISOString()}: median ns per fork, ${rounds} rounds`);
  for (const version of loaded) {
    console.log(`\n${version.name}: ${version.description ?? ""}`);
    console.log("layout                 bulk ns    copy ns  copy gain  published (whole fork)");
    for (const layout of rows) {
      const bulk = forkNanoseconds(version.module, "bulk", layout, rounds);
      const copy = forkNanoseconds(version.module, "copy", layout, rounds);
      const gain = Number.isFinite(bulk) && Number.isFinite(copy) ? (bulk / copy - 1) * 100 : NaN;
      const count = /vmas=(\d+)/.exec(layout)?.[1];
      const published = count ? PUBLISHED_GAIN[Number(count)] : undefined;
      const cell = (n: number) => Number.isFinite(n) ? n.toFixed(0).padStart(9) : "        -";
      console.log(
        `${layout.padEnd(20)} ${cell(bulk)} ${cell(copy)} ${
          Number.isFinite(gain)
            ? `${gain >= 0 ? "+" : ""}${gain.toFixed(1)}%`.padStart(10)
            : "         -"
        }  ${published !== undefined ? `+${published.toFixed(1)}%` : ""}`,
      );
    }
  }
  return 0;
}

if (import.meta.main) Deno.exitCode = await benchForkMain(Deno.args);
