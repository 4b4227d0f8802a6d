/**
 * Child process entry of the bench harness: measures the cases on one version and prints one
 * JSON line, `{"sets": [...]}` or `{"error": "..."}` when the version does not load.
 *
 * Usage (the harness spawns it; a person rarely needs to):
 * `deno run --allow-all bench/measure_main.ts '{"version":"head","quick":true,"cases":["core/load-random"]}'`
 *
 * @example
 * ```ts
 * const spec = JSON.stringify({ version: "head", quick: true, cases: [] });
 * const cmd = new Deno.Command(Deno.execPath(), { args: ["run", "-A", "bench/measure_main.ts", spec] });
 * console.log((await cmd.output()).success);
 * ```
 *
 * @module
 */

import { loadVersion } from "../core/loader.ts";
import { benchCases } from "./cases.ts";
import { measureCases } from "./harness.ts";

/** What the parent asks for. */
export interface MeasureSpec {
  /** A version name or folder, as the loader takes it. */
  readonly version: string;
  /** The name its figures are recorded under (default `version`), e.g. `git:<sha>` for a
   * commit that the parent materialised and hands over as a folder. */
  readonly name?: string;
  readonly quick: boolean;
  /** Rounds of the whole run, which shortens each one (see `MeasureOptions`). */
  readonly rounds?: number;
  /** Case names to run; all when absent. */
  readonly cases?: readonly string[];
}

if (import.meta.main) {
  const spec = JSON.parse(Deno.args[0] ?? "{}") as MeasureSpec;
  let line: string;
  try {
    const { module } = await loadVersion(spec.version);
    const wanted = spec.cases ? new Set(spec.cases) : undefined;
    const cases = benchCases().filter((c) => !wanted || wanted.has(c.name));
    const name = spec.name ?? spec.version;
    line = JSON.stringify({ sets: await measureCases(name, module, cases, spec) });
  } catch (error) {
    line = JSON.stringify({
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
  console.log(line);
}
