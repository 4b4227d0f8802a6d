/**
 * `deno task replay CASE`: run a case file against one version, or all of them, and print
 * per version whether it fails the same way.
 *
 * @example
 * ```ts
 * // deno task replay bisect/fuzz/fixtures/seed-bug-v1.2.0.case.json --all
 * import { replayMain } from "./replay.ts";
 * console.log(typeof replayMain); // function
 * ```
 *
 * @module
 */

import { KERNEL_MANIFEST_PATH, MANIFEST_PATH, readManifest, versionNames } from "../core/loader.ts";
import { type CaseRunner, formatReplay, readCase, replayCase } from "../bisect/fuzz/mod.ts";
import { defineCommand, type ParsedCommand, runCommand, STRESS_NG, UsageError } from "./cli.ts";
import { caseRunners } from "./case_files.ts";
import { staleVersions, warnStale } from "./stale_versions.ts";

const HELP =
  `usage: deno task replay CASE.json [--version V | --all [--manifest FILE]] [--in-process]

  --version V    replay on this version (default: the one the case failed on)
  --all          replay on every version of the manifest (and head, where it lists head)
  --manifest F   the manifest for --all (default: the one that lists the case's version,
                 e.g. core/kernel-manifest.json for a case found on kernel-6.1-undercount)
  --in-process   run in this process (faster, no time or memory limits)
  --strict       refuse frozen versions edited since they were frozen (default: warn)
  -h, --help     this text

exit: 0 replayed (whatever the outcomes), 1 bad input`;

const COMMAND = defineCommand({
  name: "replay",
  help: HELP,
  options: {
    version: { type: "string", multiple: true },
    all: { type: "boolean", default: false },
    manifest: { type: "string" },
    strict: { type: "boolean", default: false },
    "in-process": { type: "boolean", default: false },
  },
  allowPositionals: true,
  conventions: STRESS_NG,
});

/**
 * Run the command with `args`; returns the exit code (0 replayed, 1 bad input).
 *
 * @example
 * ```ts
 * import { replayMain } from "./replay.ts";
 * // the seed bug: fails the same way on v1.2.0, passes on the other versions
 * Deno.exitCode = await replayMain(["bisect/fuzz/fixtures/seed-bug-v1.2.0.case.json", "--all"]);
 * ```
 */
export function replayMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, replay);
}

async function replay(
  { values, positionals }: ParsedCommand<typeof COMMAND.options>,
): Promise<number> {
  if (positionals.length !== 1) throw new UsageError("give exactly one case file (see --help)");
  if (values.all && values.version) throw new UsageError("give --version or --all, not both");
  const { file, fuzzCase } = readCase(positionals[0]);
  const versions = values.all
    ? versionNames(readManifest(values.manifest ?? manifestListing(file.version)))
    : values.version ?? [file.version];
  warnStale("replay", staleVersions(versions, values.manifest), values.strict);
  const runnerOf = caseRunners({ inProcess: values["in-process"], jobs: 1 });
  const runners = new Map<string, CaseRunner>();
  for (const version of versions) runners.set(version, await runnerOf(version));
  console.log(
    `replay: ${positionals[0]}: ${fuzzCase.layout.length} VMAs, ${fuzzCase.operations.length} ` +
      `operations; found on ${file.version} as: ${file.signature}`,
  );
  const rows = await replayCase(fuzzCase, file.signature, versions, (v) => runners.get(v)!);
  for (const line of formatReplay(rows)) console.log(line);
  return 0;
}

/** The bundled manifest that lists `version` (the kernel one for kernel versions). */
function manifestListing(version: string): string {
  return versionNames(readManifest(KERNEL_MANIFEST_PATH)).includes(version)
    ? KERNEL_MANIFEST_PATH
    : MANIFEST_PATH;
}

if (import.meta.main) Deno.exit(await replayMain(Deno.args));
