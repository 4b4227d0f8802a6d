/**
 * Mutants on disk: each is a complete copy of the version folder with one site changed,
 * beside a `contract.ts` that re-exports the contract the folder imports as `../contract.ts`,
 * so that it loads, type-checks and probes like any version folder. Mutants are type-checked in batches (one
 * `deno check` over many folders costs little more than one over a single folder), and a
 * mutant that does not type-check is left out of the score, as a compiler would have caught
 * it before any test.
 *
 * @example
 * ```ts
 * import { diffOf, readVersionSources } from "./mutants.ts";
 * import { findSites } from "./sites.ts";
 * const sources = readVersionSources("core/head");
 * const site = findSites("bulk.ts", sources.files.get("bulk.ts")!)[0];
 * console.log(diffOf(sources, site, "m0000"));
 * ```
 *
 * @module
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { killChild, spawnDeno } from "../child.ts";
import { applySite, describeSite, type MutationSite } from "./sites.ts";

/** A version folder's sources, read once: every file but tests, by path relative to it. */
export interface VersionSources {
  /** The folder itself. */
  readonly folder: string;
  /** Its name as shown in diffs (`head`). */
  readonly name: string;
  /** Text of every file, tests left out, keyed by relative path with `/` separators. */
  readonly files: ReadonlyMap<string, string>;
  /** The contract it imports as `../contract.ts`, when there is one (its path). */
  readonly contract?: string;
}

/**
 * Read a version folder (its `*_test.ts` files left out: they import the suite, and no
 * probe runs them).
 *
 * @example
 * ```ts
 * import { readVersionSources } from "./mutants.ts";
 * const sources = readVersionSources("core/head");
 * console.log(sources.files.has("mod.ts"), sources.contract !== undefined); // true true
 * ```
 */
export function readVersionSources(folder: string): VersionSources {
  const root = resolve(folder);
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !entry.name.endsWith("_test.ts")) {
        files.set(relative(root, path).split(sep).join("/"), readFileSync(path, "utf8"));
      }
    }
  };
  walk(root);
  const contractPath = join(dirname(root), "contract.ts");
  return {
    folder: root,
    name: basename(root),
    files,
    ...(existsSync(contractPath) ? { contract: contractPath } : {}),
  };
}

/** One mutant written to disk. */
export interface MutantFolder {
  readonly id: string;
  readonly site: MutationSite;
  /** The mutated copy of the version folder. */
  readonly folder: string;
}

/**
 * Write mutant `id` (the version with `site` applied) under `root`:
 * `<root>/<id>/<name>/…` and `<root>/<id>/contract.ts`.
 *
 * @example
 * ```ts
 * import { readVersionSources, writeMutant } from "./mutants.ts";
 * import { findSites } from "./sites.ts";
 * const sources = readVersionSources("core/head");
 * const site = findSites("dup.ts", sources.files.get("dup.ts")!)[0];
 * const mutant = writeMutant(sources, site, "m0000", Deno.makeTempDirSync());
 * console.log(mutant.folder.endsWith("/m0000/head")); // true
 * ```
 */
export function writeMutant(
  sources: VersionSources,
  site: MutationSite,
  id: string,
  root: string,
): MutantFolder {
  return { id, site, folder: writeCopy(sources, root, id, site) };
}

/**
 * Write the unmutated version under `root` as `<root>/original/<name>/…`: the run's baseline
 * and the equivalence screen use this copy, not the live folder, which may change while a
 * long run goes on.
 *
 * @example
 * ```ts
 * import { readVersionSources, writeOriginal } from "./mutants.ts";
 * const folder = writeOriginal(readVersionSources("core/head"), Deno.makeTempDirSync());
 * console.log(folder.endsWith("/original/head")); // true
 * ```
 */
export function writeOriginal(sources: VersionSources, root: string): string {
  return writeCopy(sources, root, "original", undefined);
}

function writeCopy(
  sources: VersionSources,
  root: string,
  id: string,
  site: MutationSite | undefined,
): string {
  const folder = join(root, id, sources.name);
  for (const [path, text] of sources.files) {
    const target = join(folder, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, site && path === site.file ? applySite(text, site) : text);
  }
  if (sources.contract !== undefined) {
    // A re-export, not a copy: the mutant's errors must be the suite's own classes
    // (`MapleInvariantError` is told from a crash by `instanceof`).
    const url = pathToFileURL(sources.contract).href;
    writeFileSync(join(root, id, "contract.ts"), `export * from ${JSON.stringify(url)};\n`);
  }
  return folder;
}

/**
 * A unified diff of one mutant against its version, with a line of context each side.
 *
 * @example
 * ```ts
 * import { diffOf, readVersionSources } from "./mutants.ts";
 * import { findSites } from "./sites.ts";
 * const sources = readVersionSources("core/head");
 * const site = findSites("dup.ts", sources.files.get("dup.ts")!).find((s) => s.kind === "comparison")!;
 * console.log(diffOf(sources, site, "m0007").split("\n")[0]); // --- head/dup.ts
 * ```
 */
export function diffOf(sources: VersionSources, site: MutationSite, id: string): string {
  const text = sources.files.get(site.file) ?? "";
  const before = text.split("\n");
  const after = applySite(text, site).split("\n");
  const first = site.line - 1;
  const removed = text.slice(site.start, site.end).split("\n").length;
  const added = site.replacement.split("\n").length;
  const from = Math.max(0, first - 1);
  const lead = before.slice(from, first).map((l) => ` ${l}`);
  const tailAt = first + removed;
  const tail = before.slice(tailAt, tailAt + 1).map((l) => ` ${l}`);
  const minus = before.slice(first, first + removed).map((l) => `-${l}`);
  const plus = after.slice(first, first + added).map((l) => `+${l}`);
  const oldCount = lead.length + minus.length + tail.length;
  const newCount = lead.length + plus.length + tail.length;
  return [
    `--- ${sources.name}/${site.file}`,
    `+++ ${sources.name}/${site.file} (${id}: ${site.kind}, ${describeSite(site)})`,
    `@@ -${from + 1},${oldCount} +${from + 1},${newCount} @@`,
    ...lead,
    ...minus,
    ...plus,
    ...tail,
  ].join("\n");
}

/** Mutants type-checked in one `deno check`. */
const CHECK_BATCH = 24;

/**
 * Type-check mutants in batches: the first error of each mutant that does not type-check,
 * by id (absent: it checks). `checkOne` checks a single folder; it is used when a batch
 * fails in a way no mutant's own errors explain.
 *
 * @example
 * ```ts
 * import { typeCheckMutants } from "./mutants.ts";
 * const errors = await typeCheckMutants([], 60_000, () => Promise.resolve(undefined));
 * console.log(errors.size); // 0
 * ```
 */
export async function typeCheckMutants(
  mutants: readonly MutantFolder[],
  timeMs: number,
  checkOne: (folder: string) => Promise<string | undefined>,
): Promise<Map<string, string>> {
  const errors = new Map<string, string>();
  for (let at = 0; at < mutants.length; at += CHECK_BATCH) {
    const batch = mutants.slice(at, at + CHECK_BATCH);
    const outcome = await checkBatch(batch, timeMs);
    if (outcome === "ok") continue;
    if (outcome.size > 0) {
      for (const [id, error] of outcome) errors.set(id, error);
      // The rest of the batch was checked too: deno reports every error of every root.
      continue;
    }
    for (const mutant of batch) {
      const error = await checkOne(mutant.folder);
      if (error !== undefined) errors.set(mutant.id, error);
    }
  }
  return errors;
}

async function checkBatch(
  batch: readonly MutantFolder[],
  timeMs: number,
): Promise<"ok" | Map<string, string>> {
  const child = spawnDeno([
    "check",
    "--quiet",
    "--no-config",
    ...batch.map((m) => join(m.folder, "mod.ts")),
  ]);
  const timer = setTimeout(() => killChild(child), timeMs);
  const output = await child.output();
  clearTimeout(timer);
  if (output.success) return "ok";
  const text = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
  return attributeErrors(text, batch);
}

/**
 * Each mutant's first error in `deno check` output (`TS2322 [ERROR]: …` followed by an
 * `at file:///…` line), found by the folder the error's file lies in.
 *
 * @example
 * ```ts
 * import { attributeErrors } from "./mutants.ts";
 * const site = { file: "a.ts", kind: "drop", start: 0, end: 1, original: "x", replacement: ";", line: 1, column: 1 } as const;
 * const text = "TS2454 [ERROR]: Variable 'n' is used before being assigned.\n    at file:///s/m1/head/a.ts:3:7\n";
 * console.log(attributeErrors(text, [{ id: "m1", site, folder: "/s/m1/head" }]));
 * // Map(1) { "m1" => "TS2454 [ERROR]: Variable 'n' is used before being assigned. (a.ts:3:7)" }
 * ```
 */
export function attributeErrors(
  text: string,
  batch: readonly MutantFolder[],
): Map<string, string> {
  // deno-lint-ignore no-control-regex
  const lines = text.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const errors = new Map<string, string>();
  let message = "";
  for (const line of lines) {
    const trimmed = line.trim();
    if (/\[ERROR\]|^error/.test(trimmed)) message = trimmed;
    const at = /^at file:\/\/(.+):(\d+):(\d+)$/.exec(trimmed);
    if (!at) continue;
    const path = decodeURIComponent(at[1]);
    const mutant = batch.find((m) => path.startsWith(m.folder + "/"));
    if (mutant && !errors.has(mutant.id)) {
      errors.set(mutant.id, `${message} (${basename(path)}:${at[2]}:${at[3]})`);
    }
  }
  return errors;
}
