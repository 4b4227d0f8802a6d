/**
 * Runs one stressor (or an explicit operation list) on one layout against one version, with
 * the checks asked for, and reports what happened. A failure of the code under test is
 * returned as data, never thrown.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { resolveLayout } from "./layouts/mod.ts";
 * import { runStress } from "./runner.ts";
 * const { module } = await loadVersion("testing/reference");
 * const run = runStress({
 *   module, stressor: "fork", layout: resolveLayout("glibc", 7).vmas, seed: 7, ops: 100,
 *   checkMode: "every-op",
 * });
 * console.log(run.bogoOps, run.digest, run.failure === undefined); // 100 ... true
 * ```
 *
 * @module
 */

import process from "node:process";
import type { MapleModule } from "../core/contract.ts";
import { digestVmas, RollingDigest } from "./digest.ts";
import { Mm } from "./mm.ts";
import type { Operation } from "./operations.ts";
import type { StressorName } from "./probe_types.ts";
import { Mwc } from "./prng.ts";
import { type CheckMode, ProcessTree } from "./process.ts";
import type { ShapeOracleSpec } from "./shape_oracle.ts";
import { DEFAULT_STRESSOR_OPTIONS, stressorByName, type StressorOptions } from "./stressors/mod.ts";
import type { Vma } from "./vma.ts";

/** What to run. */
export interface StressConfig {
  readonly module: MapleModule;
  readonly stressor: StressorName;
  readonly layout: readonly Vma[];
  readonly seed: number;
  /** Bogo ops to run (ignored with `operations`). */
  readonly ops: number;
  /** Stop after this long (0 or absent: no limit). */
  readonly timeoutMs?: number;
  readonly checkMode: CheckMode;
  /** Operations between whole-space checks in `interval` mode (default 1000). */
  readonly checkInterval?: number;
  readonly options?: Partial<StressorOptions>;
  /** Run these instead of the stressor's choices; each counts as one bogo op. */
  readonly operations?: readonly Operation[];
  /** Keep every operation applied (setup included) in the result. */
  readonly record?: boolean;
  readonly maxMapCount?: number;
  /** A version whose tree follows every write, shapes compared after each (`shape_oracle.ts`). */
  readonly shapeOracle?: ShapeOracleSpec;
}

/** A failure of the code under test, caught. */
export interface CaughtFailure {
  readonly error: unknown;
  /** Bogo ops completed before it. */
  readonly atOp: number;
  /** What was being done. */
  readonly operation: string;
}

/** What a run did. */
export interface StressRun {
  readonly bogoOps: number;
  readonly primitiveOps: number;
  readonly elapsedMs: number;
  readonly userMs: number;
  readonly systemMs: number;
  /** Digest of the parent's final VMAs (empty when the run failed before the end). */
  readonly digest: string;
  /** Digest of the operation sequence applied. */
  readonly opsDigest: string;
  readonly layoutVmas: number;
  readonly finalVmas: number;
  /** The stressor stopped making progress (every step refused, e.g. ENOMEM at the map limit). */
  readonly starved: boolean;
  readonly operations?: readonly Operation[];
  readonly failure?: CaughtFailure;
}

/** Steps in a row that may complete no bogo op before a run counts as starved. */
const STARVATION_LIMIT = 1000;

/** The stressor's own generator seed, kept apart from the layout generator's stream. */
export function stressorSeed(seed: number): number {
  return (seed + 0x9e37_79b9) % Number.MAX_SAFE_INTEGER;
}

/** What an open stressor needs: a run without an op target, recording or timeout. */
export type SessionConfig = Omit<StressConfig, "ops" | "timeoutMs" | "operations" | "record">;

/** A stressor set up on its layout, ready to step (for benchmarks: no recording, no hashing). */
export interface StressSession {
  readonly processes: ProcessTree;
  /** Run at least `count` bogo ops; returns how many were done (fewer only when starved). */
  runBogoOps(count: number): number;
}

/** Build the mm, set the stressor up and return a session that runs its bogo ops. */
export function openSession(config: SessionConfig): StressSession {
  const options: StressorOptions = { ...DEFAULT_STRESSOR_OPTIONS, ...config.options };
  const mm = Mm.create(config.module, config.layout, {
    checked: config.checkMode === "every-op",
    mirror: config.checkMode !== "none",
    maxMapCount: config.maxMapCount,
    ...(config.shapeOracle ? { shapeOracle: config.shapeOracle } : {}),
  });
  const processes = new ProcessTree(mm, config.checkMode, config.checkInterval ?? 1000);
  const step = stressorByName(config.stressor).start({
    rng: new Mwc(stressorSeed(config.seed)),
    processes,
    options,
    run: (op) => processes.apply(op),
  });
  return {
    processes,
    runBogoOps(count: number): number {
      let done = 0;
      let idle = 0;
      while (done < count && idle < STARVATION_LIMIT) {
        const n = step();
        done += n;
        idle = n > 0 ? 0 : idle + 1;
      }
      return done;
    },
  };
}

/** Run it. */
export function runStress(config: StressConfig): StressRun {
  const options: StressorOptions = { ...DEFAULT_STRESSOR_OPTIONS, ...config.options };
  const recorded: Operation[] = [];
  const opsDigest = new RollingDigest();
  // The clock starts when the stressor does: building the layout is the process that already
  // existed before stress-ng started, so it is not part of the bogo-op rate.
  let cpuBefore = process.cpuUsage();
  let started = performance.now();
  let deadline = Infinity;
  let bogoOps = 0;
  let starved = false;
  let digest = "";
  let finalVmas = 0;
  let processes: ProcessTree | undefined;
  let setupOperation = "building the layout";
  let failure: CaughtFailure | undefined;
  const run = (op: Operation) => {
    if (config.record) recorded.push(op);
    opsDigest.addFields(op);
    return processes!.apply(op);
  };
  try {
    const mm = Mm.create(config.module, config.layout, {
      checked: config.checkMode === "every-op",
      mirror: config.checkMode !== "none",
      maxMapCount: config.maxMapCount,
      ...(config.shapeOracle ? { shapeOracle: config.shapeOracle } : {}),
    });
    setupOperation = `check of the initial layout of ${config.layout.length} VMAs`;
    if (config.checkMode !== "none") mm.checkAll();
    processes = new ProcessTree(mm, config.checkMode, config.checkInterval ?? 1000);
    cpuBefore = process.cpuUsage();
    started = performance.now();
    deadline = config.timeoutMs ? started + config.timeoutMs : Infinity;
    if (config.operations) {
      for (const op of config.operations) {
        if (performance.now() > deadline) break;
        run(op);
        bogoOps++;
      }
    } else {
      const stressor = stressorByName(config.stressor);
      const step = stressor.start({
        rng: new Mwc(stressorSeed(config.seed)),
        processes,
        options,
        run,
      });
      let idle = 0;
      while (bogoOps < config.ops && performance.now() <= deadline) {
        const done = step();
        bogoOps += done;
        idle = done > 0 ? 0 : idle + 1;
        if (idle >= STARVATION_LIMIT) {
          starved = true;
          break;
        }
      }
    }
    const vmas = mm.vmas();
    digest = digestVmas(vmas);
    finalVmas = vmas.length;
    processes.finish();
  } catch (error) {
    failure = { error, atOp: bogoOps, operation: processes?.current ?? setupOperation };
  }
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    bogoOps,
    primitiveOps: processes?.applied ?? 0,
    elapsedMs,
    userMs: cpu.user / 1000,
    systemMs: cpu.system / 1000,
    digest,
    opsDigest: opsDigest.hex(),
    layoutVmas: config.layout.length,
    finalVmas,
    starved,
    ...(config.record ? { operations: recorded } : {}),
    ...(failure ? { failure } : {}),
  };
}
