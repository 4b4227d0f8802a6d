/**
 * One probe, in-process: load the version, build the layout, run the stressor (or the
 * explicit operations) with the checks, or timed without them for a performance sample, and
 * report a {@linkcode ProbeResult}. Every error of the code under test is caught and
 * classified; only a bad spec throws ({@linkcode ProbeSpecError}, `LayoutError`,
 * `UnknownVersionError`).
 *
 * @example
 * ```ts
 * import { runProbe } from "./probe.ts";
 * const result = await runProbe({
 *   version: "testing/reference", stressor: "fork", layout: "cat-self", seed: 7, ops: 50,
 *   verify: true,
 * });
 * console.log(result.outcome, result.bogoOps); // pass 50
 * ```
 *
 * @module
 */

import type { MapleModule } from "../core/contract.ts";
import { loadVersion, UnknownVersionError } from "../core/loader.ts";
import { classify } from "./classify.ts";
import { resolveLayout } from "./layouts/mod.ts";
import { decodeOperation, type Operation, OperationError } from "./operations.ts";
import {
  PROBE_MODES,
  type ProbeMode,
  type ProbeResult,
  type ProbeSpec,
  STRESSOR_NAMES,
  type StressorName,
} from "./probe_types.ts";
import { runStress, type StressConfig, type StressRun } from "./runner.ts";
import type { ShapeOracleSpec } from "./shape_oracle.ts";
import { DEFAULT_STRESSOR_OPTIONS, type StressorOptions } from "./stressors/mod.ts";
import type { Vma } from "./vma.ts";
import { decodeVmas, VmaRecordError } from "./vma_records.ts";

/** A spec that cannot be run (bad field, bad layout record, bad operation). */
export class ProbeSpecError extends Error {
  override name = "ProbeSpecError";
}

/** Check untrusted JSON and return it as a spec; throws {@linkcode ProbeSpecError}. */
export function parseProbeSpec(json: unknown): ProbeSpec {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ProbeSpecError("probe spec must be a JSON object");
  }
  const spec = json as Record<string, unknown>;
  const need = (key: string, ok: boolean, want: string) => {
    if (!ok) throw new ProbeSpecError(`probe spec field "${key}" must be ${want}`);
  };
  need("version", typeof spec.version === "string" && spec.version !== "", "a version name");
  need(
    "stressor",
    STRESSOR_NAMES.includes(spec.stressor as StressorName),
    `one of ${STRESSOR_NAMES.join(", ")}`,
  );
  need("layout", typeof spec.layout === "string" && spec.layout !== "", "a layout name");
  need("seed", Number.isSafeInteger(spec.seed) && (spec.seed as number) >= 0, "an integer >= 0");
  need("ops", Number.isSafeInteger(spec.ops) && (spec.ops as number) >= 0, "an integer >= 0");
  need("verify", typeof spec.verify === "boolean", "true or false");
  if (spec.timeoutMs !== undefined) {
    need("timeoutMs", typeof spec.timeoutMs === "number" && spec.timeoutMs >= 0, "a number >= 0");
  }
  if (spec.inlineLayout !== undefined) {
    need("inlineLayout", Array.isArray(spec.inlineLayout), "an array");
  }
  if (spec.operations !== undefined) need("operations", Array.isArray(spec.operations), "an array");
  if (spec.options !== undefined) {
    const options = spec.options as Record<string, unknown>;
    need("options", typeof options === "object" && options !== null, "an object");
    for (const [key, value] of Object.entries(options)) {
      need(
        `options.${key}`,
        key in DEFAULT_STRESSOR_OPTIONS && Number.isSafeInteger(value) && (value as number) > 0,
        `a known option with a positive integer (${
          Object.keys(DEFAULT_STRESSOR_OPTIONS).join(", ")
        })`,
      );
    }
  }
  if (spec.mode !== undefined) {
    need("mode", PROBE_MODES.includes(spec.mode as ProbeMode), `one of ${PROBE_MODES.join(", ")}`);
    need("verify", spec.mode !== "timed" || spec.verify === false, "false in timed mode");
  }
  if (spec.shapeOracle !== undefined) {
    need(
      "shapeOracle",
      typeof spec.shapeOracle === "string" && spec.shapeOracle !== "",
      "a version name",
    );
    need("shapeOracle", spec.mode !== "timed", "absent in timed mode");
  }
  return spec as unknown as ProbeSpec;
}

/** A spec turned into what the runner takes. */
export interface PreparedProbe {
  readonly layout: readonly Vma[];
  readonly operations?: readonly Operation[];
  readonly options: Partial<StressorOptions>;
}

/** Resolve the layout and decode inline data; throws on bad input, never runs the tree. */
export function prepareProbe(spec: ProbeSpec): PreparedProbe {
  let layout: readonly Vma[];
  let operations: Operation[] | undefined;
  try {
    layout = spec.inlineLayout
      ? decodeVmas(spec.inlineLayout)
      : resolveLayout(spec.layout, spec.seed).vmas;
    operations = spec.operations?.map((record, i) => {
      try {
        return decodeOperation(record);
      } catch (error) {
        throw new OperationError(`operation ${i}: ${(error as Error).message}`);
      }
    });
  } catch (error) {
    if (error instanceof VmaRecordError || error instanceof OperationError) {
      throw new ProbeSpecError(error.message);
    }
    throw error;
  }
  return { layout, operations, options: (spec.options ?? {}) as Partial<StressorOptions> };
}

/** The ProbeResult of a finished run. */
export function probeResult(spec: ProbeSpec, run: StressRun): ProbeResult {
  const seconds = run.elapsedMs / 1000;
  const base = {
    spec,
    bogoOps: run.bogoOps,
    elapsedMs: run.elapsedMs,
    opsPerSecond: seconds > 0 ? run.bogoOps / seconds : 0,
    digest: run.digest,
    layoutVmas: run.layoutVmas,
    opsDigest: run.opsDigest,
    primitiveOps: run.primitiveOps,
  };
  if (!run.failure) return { ...base, outcome: "pass" };
  const { outcome, failure } = classify(run.failure.error);
  return {
    ...base,
    outcome,
    failure: { ...failure, atOp: run.failure.atOp, operation: run.failure.operation },
  };
}

/**
 * Run `spec` against an already loaded version: with its checks, or in `timed` mode without
 * them, after a warm-up pass, and with the CPU time of the loop (see `ProbeSpec.mode`).
 * `shapeOracle` is the loaded version that `spec.shapeOracle` names, if any.
 */
export function runProbeWith(
  module: MapleModule,
  spec: ProbeSpec,
  shapeOracle?: ShapeOracleSpec,
): ProbeResult {
  const prepared = prepareProbe(spec);
  const timed = spec.mode === "timed";
  const config: StressConfig = {
    module,
    stressor: spec.stressor,
    layout: prepared.layout,
    seed: spec.seed,
    ops: spec.ops,
    timeoutMs: spec.timeoutMs,
    checkMode: timed ? "none" : spec.verify ? "every-op" : "interval",
    options: prepared.options,
    operations: prepared.operations,
    ...(shapeOracle && !timed ? { shapeOracle } : {}),
  };
  if (!timed) return probeResult(spec, runStress(config));
  // The first pass warms the JIT up, so the sample measures the version's steady state rather
  // than how fast V8 compiles it (short samples were mostly compile time, which hid real
  // slowdowns of the tree). A quarter of the ops is enough for that: every hot path of the
  // stressor runs hundreds of times in it. Only the second pass is reported, unless the first
  // one failed.
  const warmup = runStress({ ...config, ops: Math.max(1, Math.ceil(config.ops / 4)) });
  const run = warmup.failure ? warmup : runStress(config);
  return { ...probeResult(spec, run), cpuMs: run.userMs + run.systemMs };
}

/**
 * Run `spec`: load its version (an import that throws is the version's crash, reported as
 * such; an unknown name is a bad spec and throws) and run it.
 */
export async function runProbe(spec: ProbeSpec): Promise<ProbeResult> {
  const checked = parseProbeSpec(spec);
  prepareProbe(checked);
  const oracle = checked.shapeOracle === undefined
    ? undefined
    : await loadShapeOracle(checked.shapeOracle);
  let module: MapleModule;
  try {
    module = (await loadVersion(checked.version)).module;
  } catch (error) {
    if (error instanceof UnknownVersionError) throw error;
    const { failure } = classify(error);
    return {
      spec: checked,
      outcome: "crash",
      bogoOps: 0,
      elapsedMs: 0,
      opsPerSecond: 0,
      digest: "",
      layoutVmas: 0,
      failure: { ...failure, atOp: 0, operation: "loading the version" },
    };
  }
  return runProbeWith(module, checked, oracle);
}

/**
 * Load the shape oracle's version. It is the yardstick, not the code under test: one that is
 * unknown or does not load makes the spec unusable ({@linkcode ProbeSpecError}).
 */
export async function loadShapeOracle(name: string): Promise<ShapeOracleSpec> {
  try {
    return { name, module: (await loadVersion(name)).module };
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ProbeSpecError(`shape oracle "${name}" cannot be loaded: ${why}`);
  }
}
