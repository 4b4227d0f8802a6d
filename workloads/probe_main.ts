/**
 * The probe's command line: reads a ProbeSpec as JSON from `--spec '<json>'` or stdin, prints
 * exactly one ProbeResult JSON line on stdout and exits 0 whatever the outcome; a bad spec
 * prints one line on stderr and exits 2. This is what the bisect runner spawns, for crash
 * probes and (with `"mode":"timed"` in the spec) for performance samples alike.
 *
 * @example
 * ```ts
 * // deno run -A workloads/probe_main.ts --spec '{"version":"head","stressor":"fork",
 * //   "layout":"glibc","seed":7,"ops":200,"verify":true}'
 * import { probeMain } from "./probe_main.ts";
 * console.log(typeof probeMain); // function
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { UnknownVersionError } from "../core/loader.ts";
import { LayoutError } from "./layouts/mod.ts";
import { parseProbeSpec, ProbeSpecError, runProbe } from "./probe.ts";

/** Exit status for a spec that cannot be run. */
export const BAD_SPEC_EXIT = 2;

async function readStdin(): Promise<string> {
  return await new Response(Deno.stdin.readable).text();
}

/** Run the CLI with `args`; returns the exit code. */
export async function probeMain(args: readonly string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: { spec: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    });
    if (values.help) {
      console.log("usage: probe_main.ts [--spec '<ProbeSpec JSON>']  (or the JSON on stdin)");
      return 0;
    }
    const text = values.spec ?? await readStdin();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ProbeSpecError(`probe spec is not JSON: ${(error as Error).message}`);
    }
    const result = await runProbe(parseProbeSpec(json));
    console.log(JSON.stringify(result));
    return 0;
  } catch (error) {
    const known = error instanceof ProbeSpecError || error instanceof LayoutError ||
      error instanceof UnknownVersionError || error instanceof TypeError;
    const message = error instanceof Error ? error.message : String(error);
    console.error(`probe: ${known ? "" : "unexpected error: "}${message.split("\n")[0]}`);
    return BAD_SPEC_EXIT;
  }
}

if (import.meta.main) Deno.exit(await probeMain(Deno.args));
