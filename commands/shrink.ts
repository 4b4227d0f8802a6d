/**
 * `deno task shrink`: shrink a failing case (a case file from fuzz, or a failing stress run
 * given as `--stressor/--layout/--seed/--ops`) while it keeps its failure signature, and
 * write the small case to `results/cases/` with the command that replays it.
 *
 * @example
 * ```ts
 * // deno task shrink results/cases/fuzz-v1.2.0-fork-101.json
 * // deno task shrink --version v1.2.0 --stressor fork --layout node-self --seed 7 --ops 100
 * import { shrinkMain } from "./shrink.ts";
 * console.log(typeof shrinkMain); // function
 * ```
 *
 * @module
 */

import { basename, join } from "node:path";
import { loadVersion } from "../core/loader.ts";
import { readCase, shrink } from "../bisect/fuzz/mod.ts";
import { type FuzzCase, materializePrefix } from "../workloads/fuzz/mod.ts";
import { resolveLayout } from "../workloads/layouts/mod.ts";
import type { StressorName } from "../workloads/probe_types.ts";
import { runStress } from "../workloads/runner.ts";
import {
  defineCommand,
  integerFlag,
  type ParsedCommand,
  runCommand,
  STRESS_NG,
  stressorFlag,
  UsageError,
} from "./cli.ts";
import { caseRunners, writeCase } from "./case_files.ts";

const HELP = `usage: deno task shrink CASE.json [options]
       deno task shrink --version V --stressor S [--layout L] [--seed N] [--ops N] [options]

  --version V        version the case fails on (default: the case file's)
  --max-runs N       runs allowed (default 600)
  --jobs N           candidates run at once (default 2)
  --trusted V        version used to fold operations into the layout (default testing/reference)
  --out FILE         where the shrunk case goes (default results/cases/<name>-shrunk.json)
  --in-process       run candidates in this process (faster, no time or memory limits)
  -h, --help         this text

exit: 0 shrunk and written, 1 bad input or the case does not fail`;

/** Record a failing stress run's operations (up to the failing one) as a case. */
async function caseFromStress(
  version: string,
  stressor: StressorName,
  layoutName: string,
  seed: number,
  ops: number,
): Promise<FuzzCase> {
  const { module } = await loadVersion(version);
  const layout = resolveLayout(layoutName, seed).vmas;
  const run = runStress({
    module,
    stressor,
    layout,
    seed,
    ops,
    checkMode: "every-op",
    record: true,
  });
  if (!run.failure) throw new UsageError(`${stressor} on ${layoutName} passes on ${version}`);
  return { label: layoutName, stressor, seed, layout, operations: run.operations ?? [] };
}

const COMMAND = defineCommand({
  name: "shrink",
  help: HELP,
  options: {
    version: { type: "string" },
    stressor: { type: "string" },
    layout: { type: "string", default: "glibc" },
    seed: { type: "string" },
    ops: { type: "string" },
    "max-runs": { type: "string" },
    jobs: { type: "string" },
    trusted: { type: "string", default: "testing/reference" },
    out: { type: "string" },
    "in-process": { type: "boolean", default: false },
  },
  allowPositionals: true,
  conventions: STRESS_NG,
});

/**
 * Run the command with `args`; returns the exit code (0 shrunk and written, 1 bad input or
 * the case does not fail).
 *
 * @example
 * ```ts
 * import { shrinkMain } from "./shrink.ts";
 * const out = await Deno.makeTempFile({ suffix: ".json" });
 * const seed = "bisect/fuzz/fixtures/seed-bug-v1.2.0.case.json";
 * Deno.exitCode = await shrinkMain([seed, "--in-process", "--out", out]);
 * await Deno.remove(out);
 * ```
 */
export function shrinkMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, shrinkCommand);
}

async function shrinkCommand(
  { values, positionals }: ParsedCommand<typeof COMMAND.options>,
): Promise<number> {
  if (positionals.length > 1) throw new UsageError("give one case file at most");
  let fuzzCase: FuzzCase;
  let version: string;
  let name: string;
  if (positionals.length === 1) {
    const read = readCase(positionals[0]);
    fuzzCase = read.fuzzCase;
    version = values.version ?? read.file.version;
    name = basename(positionals[0]).replace(/\.json$/, "");
  } else {
    if (!values.version || !values.stressor) {
      throw new UsageError("give a case file, or --version and --stressor (see --help)");
    }
    const stressor = stressorFlag(values.stressor);
    version = values.version;
    const seed = integerFlag("seed", values.seed, 1, 0);
    fuzzCase = await caseFromStress(
      version,
      stressor,
      values.layout,
      seed,
      integerFlag("ops", values.ops, 10_000, 1),
    );
    name = `stress-${stressor}-${values.layout.replace(/[^\w.-]+/g, "_")}-${seed}`;
  }
  const jobs = integerFlag("jobs", values.jobs, 2, 1);
  const maxRuns = integerFlag("max-runs", values["max-runs"], 600, 1);
  const trusted = (await loadVersion(values.trusted)).module;
  const run = await caseRunners({ inProcess: values["in-process"], jobs })(version);
  const first = await run(fuzzCase);
  if (first.outcome === "pass") {
    throw new UsageError(`the case passes on ${version}: nothing to shrink`);
  }
  console.log(
    `shrink: ${fuzzCase.layout.length} VMAs, ${fuzzCase.operations.length} operations, ` +
      `fails on ${version} as: ${first.signature}`,
  );
  const started = performance.now();
  const report = await shrink(fuzzCase, {
    run,
    signature: first.signature,
    maxRuns,
    concurrency: jobs,
    materialize: (c) => materializePrefix(trusted, c),
  });
  const out = values.out ??
    join("results", "cases", `${name.replace(/-shrunk$/, "")}-shrunk.json`);
  writeCase(out, report.fuzzCase, {
    version,
    signature: first.signature,
    message: first.failure?.message ?? first.outcome,
    shrunk: report,
  });
  console.log(
    `shrink: VMAs ${report.before.vmas} -> ${report.after.vmas}, operations ` +
      `${report.before.operations} -> ${report.after.operations}, ${report.runs} runs, ` +
      `${((performance.now() - started) / 1000).toFixed(2)}s`,
  );
  console.log(`shrink: wrote ${out}`);
  console.log(`shrink: replay: deno task replay ${out} --version ${version}`);
  return 0;
}

if (import.meta.main) Deno.exit(await shrinkMain(Deno.args));
