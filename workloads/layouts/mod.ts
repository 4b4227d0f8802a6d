/**
 * Layouts: turn a layout name into the VMAs a run starts from. A name is a generator
 * (`glibc`, `many-libs`, `fragmented`, `random`, optionally with tunables after a colon:
 * `random:vmas=500,gap=0.5,align=16`), a shipped fixture (`cat-self`, `node-self`,
 * `python3-self`, `stress-ng-main`), `self` (this process's own /proc/self/maps) or a path to
 * a `.maps` file.
 *
 * @example
 * ```ts
 * import { resolveLayout } from "./mod.ts";
 * const layout = resolveLayout("cat-self", 7);
 * console.log(layout.vmas.length); // 37 (the [vsyscall] line is not part of the mm)
 * ```
 *
 * @module
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Mwc } from "../prng.ts";
import type { Vma } from "../vma.ts";
import { type GeneratorParams, GENERATORS, layoutProblem, tunableProblem } from "./generators.ts";
import { LayoutError, parseMaps } from "./maps_parser.ts";

export { LayoutError, parseMaps } from "./maps_parser.ts";
export {
  fragmentedLayout,
  GENERATOR_TUNABLES,
  type GeneratorParams,
  GENERATORS,
  glibcLayout,
  manyLibsLayout,
  randomLayout,
  type Tunable,
} from "./generators.ts";

/** Where the shipped `.maps` fixtures live. */
export const FIXTURE_DIR: string = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

/** A layout ready to run. */
export interface Layout {
  /** The name it was asked for. */
  readonly name: string;
  /** Its VMAs, sorted. */
  readonly vmas: readonly Vma[];
}

/** Names of the shipped fixtures. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR).filter((f) => f.endsWith(".maps")).map((f) =>
    f.slice(0, -".maps".length)
  ).sort();
}

/** Every name `resolveLayout` accepts besides paths. */
export function layoutNames(): string[] {
  return [...Object.keys(GENERATORS), ...fixtureNames(), "self"];
}

/**
 * Parse the `key=value,key=value` tunables of generator `generator` (by default the part of
 * `layout` before its colon); a malformed pair, a key the generator does not take, a value
 * out of its range or a repeated key throws a one-line {@linkcode LayoutError}.
 */
export function parseParams(
  text: string,
  layout: string,
  generator: string = layout.split(":")[0],
): GeneratorParams {
  const params: Record<string, number> = {};
  if (text.trim() === "") return params;
  const refuse = (problem: string) => new LayoutError(`layout "${layout}": ${problem}`);
  for (const part of text.split(",")) {
    const [rawKey, value, extra] = part.split("=");
    const key = rawKey.trim();
    // Number("") is 0, so an empty value would pass as zero.
    const number = value === undefined || value.trim() === "" ? NaN : Number(value);
    if (!key || extra !== undefined || !Number.isFinite(number)) {
      throw refuse(`bad tunable "${part}" (want key=number)`);
    }
    const problem = tunableProblem(generator, key, number, value.trim());
    if (problem) throw refuse(problem);
    if (Object.hasOwn(params, key)) throw refuse(`tunable "${key}" given twice`);
    params[key] = number;
  }
  const problem = layoutProblem(generator, params);
  if (problem) throw refuse(problem);
  return params;
}

function readMapsFile(path: string): Vma[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new LayoutError(`cannot read layout file ${path}: ${(error as Error).message}`);
  }
  return parseMaps(text, path);
}

/** The VMAs for layout `name`; generators draw from `seed`. */
export function resolveLayout(name: string, seed: number): Layout {
  const colon = name.indexOf(":");
  const base = colon >= 0 ? name.slice(0, colon) : name;
  const generator = GENERATORS[base];
  if (generator) {
    const params = parseParams(colon >= 0 ? name.slice(colon + 1) : "", name);
    return { name, vmas: generator(new Mwc(seed), params) };
  }
  if (colon >= 0) throw new LayoutError(`layout "${base}" takes no tunables`);
  if (name === "self") return { name, vmas: readMapsFile("/proc/self/maps") };
  const fixture = join(FIXTURE_DIR, `${name}.maps`);
  if (!name.includes("/") && existsSync(fixture)) return { name, vmas: readMapsFile(fixture) };
  if (name.includes("/") || name.endsWith(".maps")) return { name, vmas: readMapsFile(name) };
  throw new LayoutError(`unknown layout "${name}" (known: ${layoutNames().join(", ")})`);
}
