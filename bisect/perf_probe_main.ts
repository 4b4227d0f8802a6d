/**
 * Child entry of performance samples: one probe, as `workloads/probe_main.ts` runs it, but
 * measured for speed rather than checked: no reference mirror and no whole-space checks
 * (crash mode does the checking), and the CPU time of the stressor loop is added to the
 * result line as `cpuMs`.
 *
 * Why CPU time: wall time on a shared two-core machine swings by a fifth when a neighbour
 * runs; the CPU time of the probe's own loop hardly moves, since time spent waiting for a
 * core is not counted. Why no mirror: the reference model costs about as much as the tree
 * itself, and a slowdown of the tree would be diluted by it. Bad specs are refused exactly as
 * the probe entry refuses them (one `probe:` line, exit code 2).
 *
 * @example
 * ```sh
 * deno run --allow-read --allow-env bisect/perf_probe_main.ts --spec \
 *   '{"version":"head","stressor":"mmap","layout":"glibc","seed":1,"ops":200,"verify":false}'
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { MapleModule } from "../core/contract.ts";
import { loadVersion, UnknownVersionError } from "../core/loader.ts";
import { parseProbeSpec, prepareProbe, probeResult, runProbe } from "../workloads/probe.ts";
import { runStress } from "../workloads/runner.ts";

/** Exit status for a spec that cannot be run (as the probe entry's). */
const BAD_SPEC_EXIT = 2;

/**
 * Run one timed probe for `args` (`--spec '<json>'`); returns the exit code.
 *
 * @example
 * ```ts
 * import { perfProbeMain } from "./perf_probe_main.ts";
 * Deno.exitCode = await perfProbeMain(["--spec", JSON.stringify({
 *   version: "testing/reference", stressor: "mmap", layout: "glibc", seed: 1, ops: 20, verify: false,
 * })]);
 * ```
 */
export async function perfProbeMain(args: readonly string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: { spec: { type: "string" } },
      strict: true,
    });
    if (values.spec === undefined) throw new Error("--spec '<ProbeSpec JSON>' is required");
    const spec = parseProbeSpec(JSON.parse(values.spec));
    const prepared = prepareProbe(spec);
    let module: MapleModule;
    try {
      module = (await loadVersion(spec.version)).module;
    } catch (error) {
      if (error instanceof UnknownVersionError) throw error;
      // A version that fails to load: the probe entry reports it in its own words.
      console.log(JSON.stringify(await runProbe(spec)));
      return 0;
    }
    const config = {
      module,
      stressor: spec.stressor,
      layout: prepared.layout,
      seed: spec.seed,
      ops: spec.ops,
      timeoutMs: spec.timeoutMs,
      checkMode: "none",
      options: prepared.options,
      operations: prepared.operations,
    } as const;
    // A first pass warms the JIT up, so a sample measures the version's steady state rather
    // than how fast V8 compiles it (short samples were mostly compile time, which hid real
    // slowdowns of the tree). Only the second pass is reported.
    const warmup = runStress(config);
    const run = warmup.failure ? warmup : runStress(config);
    console.log(JSON.stringify({ ...probeResult(spec, run), cpuMs: run.userMs + run.systemMs }));
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`probe: ${message.split("\n")[0]}`);
    return BAD_SPEC_EXIT;
  }
}

if (import.meta.main) Deno.exit(await perfProbeMain(Deno.args));
