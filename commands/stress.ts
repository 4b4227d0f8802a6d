/**
 * `deno task stress`: run one stressor on one layout against one version and report like
 * stress-ng (metrics table, `--json` record, exit codes 0 ok / 1 bad input / 2 failure of
 * the code under test / 3 no progress for lack of resources).
 *
 * @example
 * ```ts
 * // deno task stress --stressor fork --version head --layout glibc --seed 7 --ops 20000 --verify
 * import { stressMain } from "./stress.ts";
 * console.log(typeof stressMain); // function
 * ```
 *
 * @module
 */

import process from "node:process";
import { loadVersion } from "../core/loader.ts";
import { guardNative } from "./native_guard.ts";
import { classify, topFrame } from "../workloads/classify.ts";
import { resolveLayout } from "../workloads/layouts/mod.ts";
import { metricsLines, metricsRecord } from "../workloads/metrics.ts";
import { STRESSOR_NAMES } from "../workloads/probe_types.ts";
import { runStress } from "../workloads/runner.ts";
import { loadShapeOracle } from "../workloads/probe.ts";
import type { ShapeOracleSpec } from "../workloads/shape_oracle.ts";
import { DEFAULT_STRESSOR_OPTIONS, type StressorOptions } from "../workloads/stressors/mod.ts";
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

const HELP = `usage: deno task stress --stressor NAME [options]

  --stressor NAME      ${STRESSOR_NAMES.join(", ")}
  --version V          version name or folder (default head)
  --layout L           generator (glibc, many-libs, fragmented, random[:k=v,...]), fixture
                       (cat-self, node-self, python3-self, stress-ng-main), self, or a .maps path
  --seed N             seed for the layout and the stressor (default 1)
  --ops N              bogo ops to run (default 10000)
  --timeout T          stop after T (e.g. 500ms, 10s, 2m; default none)
  --verify             validate() and compare with the reference model after every operation
  --check-interval N   without --verify, check every N operations (default 1000; 0 = never)
  --shape-oracle V     a tree of version V follows every write; heights and node censuses
                       must agree (e.g. kernel-6.1)
  --set KEY=N          stressor size, repeatable (${
  Object.keys(DEFAULT_STRESSOR_OPTIONS).join(", ")
})
  --max-map-count N    vm.max_map_count (default 65530)
  --json               print one JSON record instead of the metrics table
  -h, --help           this text

exit: 0 ok, 1 bad input, 2 the code under test failed, 3 stopped for lack of resources`;

function parseSettings(items: readonly string[]): Partial<StressorOptions> {
  const settings: Record<string, number> = {};
  for (const item of items) {
    const [key, value] = item.split("=");
    if (!(key in DEFAULT_STRESSOR_OPTIONS)) {
      throw new UsageError(
        `--set: unknown key "${key}" (known: ${Object.keys(DEFAULT_STRESSOR_OPTIONS).join(", ")})`,
      );
    }
    settings[key] = integerFlag(`set ${key}`, value, 0, 1);
  }
  return settings as Partial<StressorOptions>;
}

const COMMAND = defineCommand({
  name: "stress",
  help: HELP,
  options: {
    stressor: { type: "string" },
    version: { type: "string", default: "head" },
    layout: { type: "string", default: "glibc" },
    seed: { type: "string" },
    ops: { type: "string" },
    timeout: { type: "string" },
    verify: { type: "boolean", default: false },
    "shape-oracle": { type: "string" },
    "check-interval": { type: "string" },
    set: { type: "string", multiple: true, default: [] },
    "max-map-count": { type: "string" },
    json: { type: "boolean", default: false },
  },
  conventions: STRESS_NG,
});

/**
 * Run the command with `args`; returns the exit code (stress-ng's, see the module doc).
 *
 * @example
 * ```ts
 * import { stressMain } from "./stress.ts";
 * Deno.exitCode = await stressMain(["--stressor", "fork", "--ops", "200"]);
 * ```
 */
export async function stressMain(args: readonly string[]): Promise<number> {
  const stressor = args[args.indexOf("--stressor") + 1] ?? "stress";
  const guarded = await guardNative(import.meta.filename!, args, stressor, 2);
  return guarded ?? await runCommand(COMMAND, args, stress);
}

async function stress({ values }: ParsedCommand<typeof COMMAND.options>): Promise<number> {
  if (!values.stressor) throw new UsageError("--stressor is required (see --help)");
  const stressor = stressorFlag(values.stressor);
  const seed = integerFlag("seed", values.seed, 1, 0);
  const ops = integerFlag("ops", values.ops, 10_000, 0);
  const timeoutMs = values.timeout === undefined ? 0 : parseDuration(values.timeout);
  const interval = integerFlag("check-interval", values["check-interval"], 1000, 0);
  const maxMapCount = integerFlag("max-map-count", values["max-map-count"], 65_530, 1);
  const options = parseSettings(values.set);
  const layout = resolveLayout(values.layout, seed);
  const { module, name } = await loadVersion(values.version);
  const oracleName = values["shape-oracle"];
  const shapeOracle = oracleName === undefined ? undefined : await shapeOracleFlag(oracleName);
  const run = runStress({
    module,
    stressor,
    layout: layout.vmas,
    seed,
    ops,
    timeoutMs,
    checkMode: values.verify ? "every-op" : interval === 0 ? "none" : "interval",
    checkInterval: interval || undefined,
    options,
    maxMapCount,
    ...(shapeOracle ? { shapeOracle } : {}),
  });
  const figures = {
    stressor,
    bogoOps: run.bogoOps,
    realSeconds: run.elapsedMs / 1000,
    userSeconds: run.userMs / 1000,
    systemSeconds: run.systemMs / 1000,
  };
  const classified = run.failure ? classify(run.failure.error) : undefined;
  const exitCode = classified ? 2 : run.starved ? 3 : 0;
  if (values.json) {
    console.log(JSON.stringify(metricsRecord(figures, {
      version: name,
      layout: layout.name,
      seed,
      verify: values.verify,
      "layout-vmas": run.layoutVmas,
      "final-vmas": run.finalVmas,
      "primitive-ops": run.primitiveOps,
      digest: run.digest,
      "ops-digest": run.opsDigest,
      outcome: classified?.outcome ?? (run.starved ? "starved" : "pass"),
      ...(classified && run.failure
        ? {
          failure: {
            ...classified.failure,
            atOp: run.failure.atOp,
            operation: run.failure.operation,
          },
        }
        : {}),
      "exit-code": exitCode,
    })));
    return exitCode;
  }
  const info = `stress-ng: info:  [${process.pid}]`;
  console.log(`${info} dispatching hogs: 1 ${stressor}`);
  console.log(
    `${info} version ${name}, layout ${layout.name} (${run.layoutVmas} VMAs), seed ${seed}, ` +
      `verify ${values.verify ? "on" : "off"}`,
  );
  if (classified && run.failure) {
    const fail = `stress-ng: fail:  [${process.pid}] ${stressor}:`;
    console.log(
      `${fail} ${classified.outcome}: ${classified.failure.kind}: ${classified.failure.message}`,
    );
    console.log(`${fail} at bogo op ${run.failure.atOp}, during ${run.failure.operation}`);
    console.log(`${fail} top frame ${topFrame(classified.failure.frames)}`);
  }
  for (const line of metricsLines(process.pid, figures)) console.log(line);
  if (run.starved) console.log(`${info} ${stressor}: stopped, no progress (out of resources)`);
  console.log(
    `${info} digest ${run.digest || "-"} (${run.finalVmas} VMAs), ops digest ${run.opsDigest} ` +
      `(${run.primitiveOps} operations completed)`,
  );
  console.log(
    `${info} ${exitCode === 0 ? "successful" : "unsuccessful"} run completed in ` +
      `${figures.realSeconds.toFixed(2)}s`,
  );
  return exitCode;
}

if (import.meta.main) Deno.exit(await stressMain(Deno.args));

/** The `--shape-oracle` version, loaded; an unknown or unloadable one is bad input. */
async function shapeOracleFlag(name: string): Promise<ShapeOracleSpec> {
  try {
    return await loadShapeOracle(name);
  } catch (error) {
    throw new UsageError(`--shape-oracle: ${(error as Error).message.split("\n")[0]}`);
  }
}
