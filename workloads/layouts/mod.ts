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
import { type GeneratorParams, GENERATORS } from "./generators.ts";
import { LayoutError, parseMaps } from "./maps_parser.ts";

export { LayoutError, parseMaps } from "./maps_parser.ts";
export {
  fragmentedLayout,
  type GeneratorParams,
  GENERATORS,
  glibcLayout,
  manyLibsLayout,
  randomLayout,
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

/** Parse `key=value,key=value` tunables; one-line error on anything else. */
export function parseParams(text: string, layout: string): GeneratorParams {
  const params: Record<string, number> = {};
  if (text.trim() === "") return params;
  for (const part of text.split(",")) {
    const [key, value, extra] = part.split("=");
    const number = Number(value);
    if (!key || value === undefined || extra !== undefined || !Number.isFinite(number)) {
      throw new LayoutError(`layout "${layout}": bad tunable "${part}" (want key=number)`);
    }
    params[key.trim()] = number;
  }
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
