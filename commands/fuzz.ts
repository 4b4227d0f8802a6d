/**
 * `deno task fuzz`: generate layouts and operation sequences, run them against a version in
 * child processes, stop at the first failure or when the time is up, and write the failing
 * case to `results/cases/` (shrunk too with `--shrink`).
 *
 * @example
 * ```ts
 * // deno task fuzz --version v1.2.0 --stressor fork --time 60s --shrink
 * import { fuzzMain } from "./fuzz.ts";
 * console.log(typeof fuzzMain); // function
 * ```
 *
 * @module
 */

import { basename, join } from "node:path";
import { loadVersion } from "../core/loader.ts";
import { fuzz, shrink } from "../bisect/fuzz/mod.ts";
import { materializePrefix, MAX_NEAR_MUTATIONS, type SeedLayout } from "../workloads/fuzz/mod.ts";
import { resolveLayout } from "../workloads/layouts/mod.ts";
import { STRESSOR_NAMES } from "../workloads/probe_types.ts";
import {
  defineCommand,
  integerFlag,
  type ParsedCommand,
  parseDuration,
  runCommand,
  STRESS_NG,
  stressorFlag,
  UsageError,
} from "./cli.ts";
import { caseRunners, writeCase } from "./case_files.ts";

const HELP = `usage: deno task fuzz --version V [options]

  --version V        version to fuzz (name or folder)
  --stressor NAME    ${STRESSOR_NAMES.join(", ")} (default fork)
  --layout FILE      fuzz near this layout (a /proc/PID/maps file, or a shipped layout's
                     name), repeatable: each case takes one as it is or with up to
                     ${MAX_NEAR_MUTATIONS} small edits (sizes, gaps, VMAs removed or added) instead of
                     a generated layout
  --time T           stop after T (e.g. 30s, 2m; default 60s)
  --seed N           seed of the first case (default 1)
  --jobs N           cases run at once (default 2)
  --trusted V        version that records the cases' operations (default testing/reference)
  --shrink           shrink the failing case too
  --out DIR          where case files go (default results/cases)
  --in-process       run cases in this process (faster, no time or memory limits)
  -h, --help         this text

exit: 0 no failure found, 1 bad input, 2 a failing case was found (and written)`;

const COMMAND = defineCommand({
  name: "fuzz",
  help: HELP,
  options: {
    version: { type: "string" },
    stressor: { type: "string", default: "fork" },
    layout: { type: "string", multiple: true },
    time: { type: "string", default: "60s" },
    seed: { type: "string" },
    jobs: { type: "string" },
    trusted: { type: "string", default: "testing/reference" },
    shrink: { type: "boolean", default: false },
    out: { type: "string", default: "results/cases" },
    "in-process": { type: "boolean", default: false },
  },
  conventions: STRESS_NG,
});

/**
 * Run the command with `args`; returns the exit code (0 no failure found, 1 bad input, 2 a
 * failing case was found).
 *
 * @example
 * ```ts
 * import { fuzzMain } from "./fuzz.ts";
 * Deno.exitCode = await fuzzMain(["--version", "head", "--time", "1s"]);
 * ```
 */
export function fuzzMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, fuzzCommand);
}

async function fuzzCommand({ values }: ParsedCommand<typeof COMMAND.options>): Promise<number> {
  if (!values.version) throw new UsageError("--version is required (see --help)");
  const stressor = stressorFlag(values.stressor);
  const timeMs = parseDuration(values.time, "time");
  const firstSeed = integerFlag("seed", values.seed, 1, 0);
  const jobs = integerFlag("jobs", values.jobs, 2, 1);
  const layouts = (values.layout ?? []).map(seedLayout);
  const trusted = (await loadVersion(values.trusted)).module;
  const run = await caseRunners({ inProcess: values["in-process"], jobs })(values.version);
  console.log(
    `fuzz: version ${values.version}, stressor ${stressor}, ${values.time}, ${jobs} jobs, ` +
      `first seed ${firstSeed}`,
  );
  if (layouts.length > 0) {
    console.log(
      `fuzz: near ${layouts.map((l) => `${l.label} (${l.vmas.length} VMAs)`).join(", ")}`,
    );
  }
  const report = await fuzz({
    trusted,
    stressor,
    timeMs,
    firstSeed,
    run,
    concurrency: jobs,
    ...(layouts.length > 0 ? { layouts } : {}),
  });
  const rate = `${report.cases} cases in ${(report.elapsedMs / 1000).toFixed(2)}s ` +
    `(${report.casesPerSecond.toFixed(2)} cases/s)`;
  if (!report.found) {
    console.log(`fuzz: no failure; ${rate}`);
    return 0;
  }
  const { fuzzCase, verdict } = report.found;
  console.log(
    `fuzz: case seed ${fuzzCase.seed} (${fuzzCase.label}, ${fuzzCase.layout.length} VMAs, ` +
      `${fuzzCase.operations.length} operations): ${verdict.signature}`,
  );
  if (verdict.failure) console.log(`fuzz:   ${verdict.failure.kind}: ${verdict.failure.message}`);
  console.log(`fuzz: found after ${rate}`);
  const base = `fuzz-${values.version.replace(/[^\w.-]+/g, "_")}-${stressor}-${fuzzCase.seed}`;
  const path = join(values.out, `${base}.json`);
  const facts = {
    version: values.version,
    signature: verdict.signature,
    message: verdict.failure?.message ?? verdict.outcome,
  };
  writeCase(path, fuzzCase, facts);
  console.log(`fuzz: wrote ${path}`);
  if (!values.shrink) {
    console.log(`fuzz: shrink it with: deno task shrink ${path}`);
    return 2;
  }
  const started = performance.now();
  const shrunk = await shrink(fuzzCase, {
    run,
    signature: verdict.signature,
    concurrency: jobs,
    materialize: (c) => materializePrefix(trusted, c),
  });
  const shrunkPath = join(values.out, `${base}-shrunk.json`);
  writeCase(shrunkPath, shrunk.fuzzCase, { ...facts, shrunk });
  console.log(
    `fuzz: shrunk ${shrunk.before.vmas} -> ${shrunk.after.vmas} VMAs, ` +
      `${shrunk.before.operations} -> ${shrunk.after.operations} operations in ${shrunk.runs} runs ` +
      `(${((performance.now() - started) / 1000).toFixed(2)}s); wrote ${shrunkPath}`,
  );
  console.log(`fuzz: replay: deno task replay ${shrunkPath} --all`);
  return 2;
}

/** A layout given with `--layout`, read as the probes read layouts (a bad one is bad input). */
function seedLayout(file: string): SeedLayout {
  const { vmas } = resolveLayout(file, 0);
  if (vmas.length === 0) throw new UsageError(`--layout ${file} holds no VMAs`);
  return { label: basename(file), vmas };
}

if (import.meta.main) Deno.exit(await fuzzMain(Deno.args));
