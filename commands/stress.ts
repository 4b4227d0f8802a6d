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
import { parseArgs } from "node:util";
import { loadVersion, UnknownVersionError } from "../core/loader.ts";
import { classify, topFrame } from "../workloads/classify.ts";
import { LayoutError, resolveLayout } from "../workloads/layouts/mod.ts";
import { metricsLines, metricsRecord } from "../workloads/metrics.ts";
import { STRESSOR_NAMES, type StressorName } from "../workloads/probe_types.ts";
import { runStress } from "../workloads/runner.ts";
import { DEFAULT_STRESSOR_OPTIONS, type StressorOptions } from "../workloads/stressors/mod.ts";

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
  --set KEY=N          stressor size, repeatable (${
  Object.keys(DEFAULT_STRESSOR_OPTIONS).join(", ")
})
  --max-map-count N    vm.max_map_count (default 65530)
  --json               print one JSON record instead of the metrics table
  -h, --help           this text

exit: 0 ok, 1 bad input, 2 the code under test failed, 3 stopped for lack of resources`;

/** Bad command-line input: reported in one line, exit 1. */
export class UsageError extends Error {
  override name = "UsageError";
}

function count(name: string, text: string | undefined, fallback: number, min = 0): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${text}"`);
  }
  return Number(text);
}

/** Parse `500ms`, `10s`, `2m`, `1h` or a bare number of seconds into milliseconds. */
export function parseDuration(text: string, flag = "timeout"): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--${flag} must look like 500ms, 10s or 2m, got "${text}"`);
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"]!;
  return Number(match[1]) * scale;
}

function parseSettings(items: readonly string[]): Partial<StressorOptions> {
  const settings: Record<string, number> = {};
  for (const item of items) {
    const [key, value] = item.split("=");
    if (!(key in DEFAULT_STRESSOR_OPTIONS)) {
      throw new UsageError(
        `--set: unknown key "${key}" (known: ${Object.keys(DEFAULT_STRESSOR_OPTIONS).join(", ")})`,
      );
    }
    settings[key] = count(`set ${key}`, value, 0, 1);
  }
  return settings as Partial<StressorOptions>;
}

/** Run the command with `args`; returns the exit code. */
export async function stressMain(args: readonly string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: {
        stressor: { type: "string" },
        version: { type: "string", default: "head" },
        layout: { type: "string", default: "glibc" },
        seed: { type: "string" },
        ops: { type: "string" },
        timeout: { type: "string" },
        verify: { type: "boolean", default: false },
        "check-interval": { type: "string" },
        set: { type: "string", multiple: true, default: [] },
        "max-map-count": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const stressor = values.stressor as StressorName | undefined;
    if (!stressor) throw new UsageError("--stressor is required (see --help)");
    if (!STRESSOR_NAMES.includes(stressor)) {
      throw new UsageError(`unknown stressor "${stressor}" (known: ${STRESSOR_NAMES.join(", ")})`);
    }
    const seed = count("seed", values.seed, 1);
    const ops = count("ops", values.ops, 10_000);
    const timeoutMs = values.timeout === undefined ? 0 : parseDuration(values.timeout);
    const interval = count("check-interval", values["check-interval"], 1000);
    const maxMapCount = count("max-map-count", values["max-map-count"], 65_530, 1);
    const options = parseSettings(values.set);
    const layout = resolveLayout(values.layout, seed);
    const { module, name } = await loadVersion(values.version);
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
  } catch (error) {
    const known = error instanceof UsageError || error instanceof LayoutError ||
      error instanceof UnknownVersionError || error instanceof TypeError;
    const message = error instanceof Error ? error.message : String(error);
    console.error(`stress: ${known ? "" : "unexpected error: "}${message.split("\n")[0]}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await stressMain(Deno.args));
