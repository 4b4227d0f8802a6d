/**
 * Prints bogo ops/s for every stressor on the glibc-like layout against one version (head by
 * default), in stress-ng's metrics format: `deno run -A bench/workloads_bench.ts [--version V]
 * [--seconds S]`.
 *
 * @example
 * ```ts
 * import { benchStressor } from "./workloads_bench.ts";
 * import { loadVersion } from "../core/loader.ts";
 * const { module } = await loadVersion("head");
 * console.log(benchStressor(module, "vfork", 0.05).bogoOps > 0);
 * ```
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import type { MapleModule } from "../core/contract.ts";
import { loadVersion } from "../core/loader.ts";
import { metricsLines } from "../workloads/metrics.ts";
import { STRESSOR_NAMES, type StressorName } from "../workloads/probe_types.ts";
import { stressorCall } from "./workloads_cases.ts";

/** Figures of one timed stressor run. */
export interface StressorFigures {
  readonly stressor: StressorName;
  readonly bogoOps: number;
  readonly realSeconds: number;
  readonly userSeconds: number;
  readonly systemSeconds: number;
}

/** Warm up for a fifth of `seconds`, then count bogo ops for `seconds`. */
export function benchStressor(
  module: MapleModule,
  stressor: StressorName,
  seconds: number,
): StressorFigures {
  const call = stressorCall(module, stressor);
  const warmEnd = performance.now() + seconds * 200;
  while (performance.now() < warmEnd) call();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  let bogoOps = 0;
  while (performance.now() < end) bogoOps += call();
  const used = process.cpuUsage(cpu);
  return {
    stressor,
    bogoOps,
    realSeconds: (performance.now() - start) / 1000,
    userSeconds: used.user / 1e6,
    systemSeconds: used.system / 1e6,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      version: { type: "string", default: "head" },
      seconds: { type: "string", default: "2" },
    },
  });
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) {
    console.error(`workloads_bench: --seconds must be a positive number, got "${values.seconds}"`);
    Deno.exit(1);
  }
  const { module } = await loadVersion(values.version);
  console.log(`version ${values.version}, layout glibc, seed 7, ${seconds}s per stressor`);
  let header = true;
  for (const stressor of STRESSOR_NAMES) {
    const lines = metricsLines(process.pid, benchStressor(module, stressor, seconds));
    for (const line of header ? lines : lines.slice(2)) console.log(line);
    header = false;
  }
}
