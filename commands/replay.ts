/**
 * `deno task replay CASE`: run a case file against one version, or all of them, and print
 * per version whether it fails the same way.
 *
 * @example
 * ```ts
 * // deno task replay results/cases/fuzz-v1.2.0-fork-2-shrunk.json --all
 * import { replayMain } from "./replay.ts";
 * console.log(typeof replayMain); // function
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { UnknownVersionError, versionNames } from "../core/loader.ts";
import { ProbeRunner } from "../bisect/runner.ts";
import {
  CaseFileError,
  caseRunnerFor,
  formatReplay,
  readCase,
  replayCase,
} from "../bisect/fuzz/mod.ts";

const HELP = `usage: deno task replay CASE.json [--version V | --all] [--in-process]

  --version V    replay on this version (default: the one the case failed on)
  --all          replay on every version of the manifest, and head
  --in-process   run in this process (faster, no time or memory limits)
  -h, --help     this text

exit: 0 replayed (whatever the outcomes), 1 bad input`;

class UsageError extends Error {
  override name = "UsageError";
}

/** Run the command with `args`; returns the exit code. */
export async function replayMain(args: readonly string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        version: { type: "string", multiple: true },
        all: { type: "boolean", default: false },
        "in-process": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError("give exactly one case file (see --help)");
    if (values.all && values.version) throw new UsageError("give --version or --all, not both");
    const { file, fuzzCase } = readCase(positionals[0]);
    const versions = values.all ? versionNames() : values.version ?? [file.version];
    const runner = new ProbeRunner({ limits: { timeMs: 30_000, memoryMb: 512 }, concurrency: 1 });
    const runners = new Map<string, Awaited<ReturnType<typeof caseRunnerFor>>>();
    for (const version of versions) {
      runners.set(
        version,
        await caseRunnerFor(version, { inProcess: values["in-process"], runner }),
      );
    }
    console.log(
      `replay: ${positionals[0]}: ${fuzzCase.layout.length} VMAs, ${fuzzCase.operations.length} ` +
        `operations; found on ${file.version} as: ${file.signature}`,
    );
    const rows = await replayCase(fuzzCase, file.signature, versions, (v) => runners.get(v)!);
    for (const line of formatReplay(rows)) console.log(line);
    return 0;
  } catch (error) {
    const known = error instanceof UsageError || error instanceof UnknownVersionError ||
      error instanceof CaseFileError || error instanceof TypeError;
    const message = error instanceof Error ? error.message : String(error);
    console.error(`replay: ${known ? "" : "unexpected error: "}${message.split("\n")[0]}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await replayMain(Deno.args));
