/**
 * Child entry of performance samples: the probe entry's work (one probe, one JSON line) plus
 * the CPU time the probe used, as `cpuMs` on the result line.
 *
 * Wall time on a shared two-core machine swings by a fifth when a neighbour runs; CPU time
 * of the probe's own process hardly moves, since time spent waiting for a core is not counted.
 * The version's module is loaded before the clock starts, so what is measured is the layout,
 * the stressor and the checks, the same for every version. Bad specs are refused exactly as
 * `workloads/probe_main.ts` refuses them (one `probe:` line, exit code 2).
 *
 * @example
 * ```sh
 * deno run --allow-read --allow-env bisect/perf_probe_main.ts --spec \
 *   '{"version":"head","stressor":"mmap","layout":"glibc","seed":1,"ops":200,"verify":false}'
 * ```
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { loadVersion } from "../core/loader.ts";
import { parseProbeSpec, runProbe } from "../workloads/probe.ts";

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
    try {
      await loadVersion(spec.version); // compile and cache the module before the clock starts
    } catch {
      // runProbe reports a version that does not load in its own words.
    }
    const before = process.cpuUsage();
    const result = await runProbe(spec);
    const used = process.cpuUsage(before);
    console.log(JSON.stringify({ ...result, cpuMs: (used.user + used.system) / 1000 }));
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`probe: ${message.split("\n")[0]}`);
    return BAD_SPEC_EXIT;
  }
}

if (import.meta.main) Deno.exit(await perfProbeMain(Deno.args));
