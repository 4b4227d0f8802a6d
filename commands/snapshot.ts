/**
 * `deno task snapshot <version> --summary "..."`: freeze `core/head/` as a new version.
 *
 * Runs the head's tests in a child process first and refuses to freeze a failing head or
 * to overwrite an existing version. Errors are one line and exit with status 1.
 *
 * @example
 * ```ts
 * // deno task snapshot v1.6.0 --summary "What changed and why, in one paragraph."
 * import { main } from "./snapshot.ts";
 * await main(["--help"]);
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { freezeHead } from "../core/snapshot.ts";

const USAGE =
  `usage: deno task snapshot <vMAJOR.MINOR.PATCH> --summary "<one paragraph>" [--date YYYY-MM-DD]

Freezes core/head/ into core/<version>/ (sources only, not tests), after running the
head's tests; records the date, parent, summary and content hash in core/manifest.json.`;

/** Parse `args` and freeze; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        summary: { type: "string" },
        date: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    console.error(`snapshot: ${(error as Error).message}`);
    return 1;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error("snapshot: give exactly one version name, e.g. v1.6.0 (see --help)");
    return 1;
  }
  if (values.summary === undefined) {
    console.error('snapshot: --summary "<one paragraph>" is required');
    return 1;
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
    console.error(`snapshot: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
