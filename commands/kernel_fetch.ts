/**
 * `deno task kernel:fetch [RELEASE...]`: get the kernel source trees the shipped kernel
 * versions build from (Debian's `linux-source-6.1` and `linux-source-6.12` by default, with
 * `liburcu-dev`), extracting only what the build needs into the git-ignored cache. Prints each
 * tree's path on its own line.
 *
 * @example
 * ```sh
 * deno task kernel:fetch          # 6.1 and 6.12
 * deno task kernel:fetch 6.1
 * ```
 *
 * @module
 */

import { DEFAULT_RELEASES, ensureUrcu, fetchKernelTree } from "../core/kernel/fetch.ts";
import { defineCommand, type ParsedCommand, runCommand, UNIX_TOOL } from "./cli.ts";

const HELP = `Usage: deno task kernel:fetch [RELEASE...]

Installs Debian's linux-source-RELEASE (default: ${DEFAULT_RELEASES.join(" and ")}) and
liburcu-dev where apt-get is available, extracts lib/, include/, tools/ and the Makefile of each
into .cache/kernel-src/ (git-ignored) and prints each tree's path. The shipped kernel versions
(core/kernel-manifest.json) build from these trees; set MAPLE_KERNEL_SRC to use your own tree
or kernel git checkout instead. Exit codes: 0 done, 2 bad input or a tree that cannot be had.`;

const COMMAND = defineCommand({
  name: "kernel:fetch",
  help: HELP,
  options: {},
  allowPositionals: true,
  conventions: UNIX_TOOL,
});

/**
 * Run the command with `args`; returns the exit code.
 *
 * @example
 * ```ts
 * import { kernelFetchMain } from "./kernel_fetch.ts";
 * export const fetchAll = () => kernelFetchMain([]);
 * ```
 */
export function kernelFetchMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, kernelFetch);
}

async function kernelFetch(
  { positionals }: ParsedCommand<typeof COMMAND.options>,
): Promise<number> {
  const log = (line: string) => console.error(`kernel:fetch: ${line}`);
  await ensureUrcu(log);
  const releases = positionals.length > 0 ? positionals : DEFAULT_RELEASES;
  for (const release of releases) console.log(await fetchKernelTree(release, log));
  return 0;
}

if (import.meta.main) Deno.exitCode = await kernelFetchMain(Deno.args);
