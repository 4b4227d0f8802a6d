/**
 * `deno task mutate --version V`: mutation testing of a version, so a user learns how strong
 * a crash matrix is. Mutants of the version's write, split, rebalance, gap and dup code go
 * to `.cache/mutants/` (git-ignored, removed afterwards unless `--keep`), the matrix runs
 * against each in child processes, and the score (killed, survived, equivalent-or-timeout)
 * is printed with each survivor's diff, and written as a JSON record. With `--shard K/N` (or
 * K/N from a CI engine's variables, see `bisect/shard.ts`) it judges only shard K's share of
 * the sampled mutants, and `deno task merge` joins the N records.
 *
 * Exit codes: 0 done, 1 internal error, 2 bad arguments (or a version that cannot be
 * probed), 3 done but the score is below `--min-score`.
 *
 * @example
 * ```ts
 * // deno task mutate --version head --max 50 --matrix broad
 * import { mutateMain } from "./mutate.ts";
 * console.log(typeof mutateMain); // function
 * ```
 *
 * @module
 */

import { locateVersion, versionFolder, versionKind } from "../core/loader.ts";
import { hashFolder } from "../core/snapshot.ts";
import { buildSettings } from "../bisect/plan.ts";
import { SUITE_ROOT } from "../bisect/runner.ts";
import { formatShard, machineName, resolveShard, shardInfo } from "../bisect/shard.ts";
import { defaultShapeOracle } from "../bisect/mutate/oracle.ts";
import {
  MATRIX_PRESET_NAMES,
  type MatrixPresetName,
  presetMatrix,
} from "../bisect/mutate/presets.ts";
import {
  formatMutantLine,
  formatSummary,
  type MutationPlan,
  mutationRecord,
  type MutationShard,
  saveMutationRecord,
} from "../bisect/mutate/report.ts";
import { DEFAULT_MUTATED_FILES, mutate, MutateError, scratchFolder } from "../bisect/mutate/run.ts";
import { MUTATION_KINDS, type MutationKind } from "../bisect/mutate/sites.ts";
import { collectEnvironment } from "../results/record.ts";
import { RUNS_DIR } from "../results/store.ts";
import {
  defineCommand,
  EXIT_USAGE,
  integerFlag,
  type ParsedCommand,
  runCommand,
  splitList,
  UNIX_TOOL,
  UsageError,
} from "./cli.ts";
import { checkLayout } from "./probe_flags.ts";

const HELP = `usage: deno task mutate --version V [options]

Writes mutants of a version's write, split, rebalance, gap and dup code (comparisons
swapped, integer constants off by one, statements dropped, if conditions forced), runs a
crash matrix against each in child processes and prints the mutation score with every
survivor's diff. A survivor is a hint where the matrix is blind.

  --version V         the version to mutate (a TypeScript version: name or folder)
  --files LIST        files of it to mutate, comma-separated
                      (default: ${DEFAULT_MUTATED_FILES.join(", ")}, those it has)
  --kinds LIST        operators, comma-separated (default all: ${MUTATION_KINDS.join(", ")})
  --max N             mutants at most, sampled from all sites by --sample-seed (default 100)
  --sample-seed N     which mutants are sampled (default 1)
  --matrix NAME       ${
  MATRIX_PRESET_NAMES.join(" or ")
}: default is deno task bisect's crash matrix,
                      fork its fork group alone (the default until 2026-12), broad
                      all seven mm stressors over the fork group's layouts (default default)
  --stressor NAME     a matrix of your own: stressor, repeatable (default fork)
  --layout L          layout, repeatable (default: the bisect's crash layouts)
  --seed N            probe seed, repeatable (default 1 and 2)
  --ops N             bogo ops per probe (default 20)
  --no-verify         do not validate and compare with the reference after every op
  --shape-oracle V    compare each write's height and node census with version V's, or
                      none (default kernel-6.1 when its kernel tree is present, else none)
  --jobs N            children at once (default 2)
  --time-limit MS     per probe (default ten times the slowest probe of the unmutated
                      version, 5000 to 20000)
  --no-screen         do not screen surviving mutants for equivalence (by default each
                      is run beside the original through 120,000 random contract
                      operations; no difference: equivalent, not held against the matrix)
  --shard K/N         judge only shard K of N (K from 1) of the sampled mutants, dealt
                      round-robin; each shard runs the unmutated baseline itself and
                      writes its own record, and deno task merge joins the N of them.
                      Without --shard, K/N comes from MAPLE_SHARD, CI_NODE_INDEX/TOTAL,
                      BUILDKITE_PARALLEL_JOB/_COUNT or JOB_COMPLETION_INDEX with
                      MAPLE_SHARD_COUNT
  --min-score PCT     exit 3 when the score is below PCT percent (a shard's own score)
  --keep              keep the mutants in .cache/mutants/ after the run
  --records DIR       where the JSON record goes (default results/runs)
  --no-record         do not write a record
  -h, --help          this text

exit codes: 0 done, 1 internal error, 2 bad arguments, 3 score below --min-score`;

const COMMAND = defineCommand({
  name: "mutate",
  help: HELP,
  options: {
    version: { type: "string" },
    files: { type: "string" },
    kinds: { type: "string" },
    max: { type: "string" },
    "sample-seed": { type: "string" },
    matrix: { type: "string" },
    stressor: { type: "string", multiple: true },
    layout: { type: "string", multiple: true },
    seed: { type: "string", multiple: true },
    ops: { type: "string" },
    "no-verify": { type: "boolean", default: false },
    "shape-oracle": { type: "string" },
    jobs: { type: "string" },
    "time-limit": { type: "string" },
    "min-score": { type: "string" },
    "no-screen": { type: "boolean", default: false },
    shard: { type: "string" },
    keep: { type: "boolean", default: false },
    records: { type: "string" },
    "no-record": { type: "boolean", default: false },
  },
  conventions: UNIX_TOOL,
});

/** Exit code when the score is below `--min-score`. */
export const EXIT_LOW_SCORE = 3;

/**
 * Run the command with `args`; returns the exit code.
 *
 * @example
 * ```ts
 * import { mutateMain } from "./mutate.ts";
 * console.log(await mutateMain(["--version", "head", "--max", "0"])); // 2: --max wants >= 1
 * ```
 */
export function mutateMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, (parsed) => mutateCommand(parsed, args));
}

type Values = ParsedCommand<typeof COMMAND.options>["values"];

/** The probes asked for: a preset, or a matrix of the user's own (never both). */
function matrixOf(values: Values) {
  const own = values.stressor !== undefined || values.layout !== undefined ||
    values.seed !== undefined || values.ops !== undefined || values["no-verify"];
  if (values.matrix !== undefined) {
    if (!MATRIX_PRESET_NAMES.includes(values.matrix as MatrixPresetName)) {
      throw new UsageError(
        `unknown --matrix "${values.matrix}" (known: ${MATRIX_PRESET_NAMES.join(", ")})`,
      );
    }
    if (own) {
      throw new UsageError(
        "--matrix names a whole matrix: leave out --stressor, --layout, --seed, --ops and --no-verify",
      );
    }
    return presetMatrix(values.matrix as MatrixPresetName);
  }
  if (!own) return presetMatrix("default");
  return [
    ...buildSettings({
      mode: "crash",
      stressors: values.stressor,
      layouts: values.layout,
      seeds: values.seed,
      ops: values.ops,
      noVerify: values["no-verify"],
    }, checkLayout).crashMatrix,
  ];
}

function kindsOf(text: string | undefined): readonly MutationKind[] | undefined {
  if (text === undefined) return undefined;
  return splitList(text, "--kinds").map((kind) => {
    if (!MUTATION_KINDS.includes(kind as MutationKind)) {
      throw new UsageError(
        `unknown kind "${kind}" for --kinds (known: ${MUTATION_KINDS.join(", ")})`,
      );
    }
    return kind as MutationKind;
  });
}

async function mutateCommand(
  { values }: ParsedCommand<typeof COMMAND.options>,
  args: readonly string[],
): Promise<number> {
  const startedAt = new Date();
  if (!values.version) throw new UsageError("--version is required (see --help)");
  const folder = versionFolder(values.version);
  if (versionKind(folder) !== "typescript") {
    throw new UsageError(
      `${values.version} is a kernel version: mutants are of TypeScript versions`,
    );
  }
  const matrix = matrixOf(values);
  const max = integerFlag("max", values.max, 100, 1);
  const seed = integerFlag("sample-seed", values["sample-seed"], 1, 0);
  const jobs = integerFlag("jobs", values.jobs, 2, 1);
  const timeLimit = values["time-limit"] === undefined
    ? undefined
    : integerFlag("time-limit", values["time-limit"], 0, 100);
  const minScore = values["min-score"] === undefined ? undefined : Number(values["min-score"]);
  if (minScore !== undefined && !(minScore >= 0 && minScore <= 100)) {
    throw new UsageError(
      `--min-score wants a percentage from 0 to 100, got "${values["min-score"]}"`,
    );
  }
  const oracleName = values["shape-oracle"] === undefined
    ? defaultShapeOracle()
    : values["shape-oracle"] === "none"
    ? undefined
    : values["shape-oracle"];
  const shapeOracle = oracleName === undefined
    ? undefined
    : { name: oracleName, folder: locateVersion(oracleName).materialise() };
  const files = values.files === undefined ? undefined : splitList(values.files, "--files");
  const kinds = kindsOf(values.kinds);
  const shardSpec = resolveShard(values.shard);
  // Hashed before the run reads the folder: a shard of an edited copy is of another plan.
  const versionHash = shardSpec ? hashFolder(folder) : "";

  // Shards started together on one machine must not share (and remove) one scratch folder.
  const run = `${startedAt.toISOString().replace(/[-:.]/g, "")}-${Deno.pid}`;
  let report;
  try {
    report = await mutate({
      version: { name: values.version, folder },
      ...(files ? { files } : {}),
      ...(kinds ? { kinds } : {}),
      matrix,
      max,
      seed,
      jobs,
      scratch: scratchFolder(SUITE_ROOT, run),
      keep: values.keep,
      screen: !values["no-screen"],
      ...(shardSpec ? { shard: shardSpec } : {}),
      ...(timeLimit ? { limits: { timeMs: timeLimit, memoryMb: 256 } } : {}),
      ...(shapeOracle ? { shapeOracle } : {}),
      onBaseline: (kept, excluded) => {
        console.log(
          `mutate: ${values.version} passes ${kept.length} of ${matrix.length} probes` +
            (shapeOracle ? ` with shape oracle ${shapeOracle.name}` : "") +
            (excluded.length > 0 ? ` (${excluded.length} left out: they fail on it)` : ""),
        );
      },
      onMutant: (result, done, total) => console.log(formatMutantLine(result, done, total)),
    });
  } catch (error) {
    if (error instanceof MutateError) {
      console.error(`mutate: ${error.message.split("\n")[0]}`);
      return EXIT_USAGE;
    }
    throw error;
  }
  console.log(formatSummary(report));
  const shard: MutationShard | undefined = shardSpec
    ? {
      ...shardInfo(
        shardSpec,
        {
          version: values.version,
          versionHash,
          files: report.files,
          kinds: report.kinds,
          max,
          sampleSeed: seed,
          matrix,
          shapeOracle: shapeOracle
            ? { name: shapeOracle.name, hash: hashFolder(shapeOracle.folder) }
            : null,
          screen: !values["no-screen"],
          timeLimitMs: timeLimit ?? "auto",
        } satisfies MutationPlan,
        {
          units: report.mutants.length,
          planUnits: report.planned?.length ?? report.mutants.length,
          machine: machineName(),
        },
      ),
      suiteCommit: collectEnvironment().suiteCommit,
    }
    : undefined;
  const dir = values.records ?? RUNS_DIR;
  if (!values["no-record"]) {
    const path = saveMutationRecord(mutationRecord(report, startedAt, args, shard), dir);
    console.log(`record: ${path}`);
  }
  if (shard) {
    console.log(
      `shard ${formatShard(shard)} (from ${shard.source}) of plan ${shard.plan.slice(7, 19)}: ` +
        `${shard.units} of ${shard.planUnits} mutants` +
        (values["no-record"]
          ? " (no record kept)"
          : `; when all ${shard.count} are done: deno task merge ${shellWord(dir)}`),
    );
  }
  if (minScore !== undefined && (report.score ?? 0) * 100 < minScore) return EXIT_LOW_SCORE;
  return 0;
}

/** Quote an argument for a shell only when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

if (import.meta.main) Deno.exit(await mutateMain(Deno.args));
