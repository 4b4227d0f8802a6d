/**
 * `deno task snapshot <version> --summary "..."`: freeze `core/head/` as a new version.
 *
 * Runs the head's tests in a child process first and refuses to freeze a failing head or
 * to overwrite an existing version. Bad input exits 2 and a refused snapshot exits 1, each
 * with one line ({@linkcode UNIX_TOOL}).
 *
 * @example
 * ```ts
 * // deno task snapshot v1.6.0 --summary "What changed and why, in one paragraph."
 * import { snapshotMain } from "./snapshot.ts";
 * console.log(await snapshotMain(["--help"])); // the usage, then 0
 * ```
 *
 * @module
 */

import { freezeHead, SnapshotError } from "../core/snapshot.ts";
import { defineCommand, runCommand, UNIX_TOOL, UsageError } from "./cli.ts";

const USAGE =
  `usage: deno task snapshot <vMAJOR.MINOR.PATCH> --summary "<one paragraph>" [--date YYYY-MM-DD]

Freezes core/head/ into core/<version>/ (sources only, not tests), after running the
head's tests; records the date, parent, summary and content hash in core/manifest.json.

exit: 0 frozen, 1 refused (head's tests fail, the version exists, ...), 2 bad input`;

const COMMAND = defineCommand({
  name: "snapshot",
  help: USAGE,
  options: {
    summary: { type: "string" },
    date: { type: "string" },
  },
  allowPositionals: true,
  conventions: UNIX_TOOL,
});

/**
 * Parse `args` and freeze; returns the exit status.
 *
 * @example
 * ```ts
 * import { snapshotMain } from "./snapshot.ts";
 * console.log(await snapshotMain(["v1.6.0"])); // "--summary is required" on stderr, then 2
 * ```
 */
export function snapshotMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, async ({ values, positionals }) => {
    if (positionals.length !== 1) {
      throw new UsageError("give exactly one version name, e.g. v1.6.0 (see --help)");
    }
    if (values.summary === undefined) {
      throw new UsageError('--summary "<one paragraph>" is required');
    }
    try {
      const version = await freezeHead({
        name: positionals[0],
        summary: values.summary,
        date: values.date,
        log: (line) => console.log(`snapshot: ${line}`),
      });
      console.log(`snapshot: froze ${version.name} (parent ${version.parent}) ${version.hash}`);
      return 0;
    } catch (error) {
      // A refusal (failing head, existing version, bad name) is an answer, not a bug.
      if (!(error instanceof SnapshotError)) throw error;
      console.error(`snapshot: ${error.message}`);
      return 1;
    }
  });
}

if (import.meta.main) Deno.exit(await snapshotMain(Deno.args));
