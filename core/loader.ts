/**
 * Finds and loads a maple tree version by name or by folder.
 *
 * Versions are loaded by path at run time, never imported statically, so that a user's own
 * snapshot folder works the same as a bundled one.
 *
 * @example
 * ```ts
 * import { loadVersion } from "./loader.ts";
 * const { module, name } = await loadVersion("head");
 * const tree = module.createTree<number>({ allocRange: true });
 * tree.store(10, 19, 1);
 * console.log(name, tree.count());
 * ```
 *
 * @module
 */

import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { existsSync, readFileSync, statSync } from "node:fs";
import type { MapleModule } from "./contract.ts";

/** The folder that holds `head/`, the snapshots and the manifest. */
export const CORE_DIR: string = dirname(fileURLToPath(import.meta.url));

/** The live version's name. */
export const HEAD = "head";

/** A version that could not be found (bad input, not a crash). */
export class UnknownVersionError extends Error {
  override name = "UnknownVersionError";
}

/** One version as the manifest records it. */
export interface ManifestVersion {
  readonly name: string;
  readonly date: string;
  readonly parent: string | null;
  readonly summary: string;
  readonly hash: string;
}

/** The manifest: frozen versions, oldest first. */
export interface Manifest {
  readonly versions: readonly ManifestVersion[];
  /** The folder holding the version folders (the manifest's own folder). */
  readonly dir: string;
}

/** The bundled manifest's path. */
export const MANIFEST_PATH: string = join(CORE_DIR, "manifest.json");

/**
 * Read a manifest; its versions live in folders beside it, and `head` too when present.
 * Fixture manifests for tests use the same reader.
 */
export function readManifest(path: string = MANIFEST_PATH): Manifest {
  const data = JSON.parse(readFileSync(path, "utf8")) as { versions?: ManifestVersion[] };
  return { versions: data.versions ?? [], dir: dirname(resolve(path)) };
}

/** Frozen version names in order, then `head` when the manifest's folder has one. */
export function versionNames(manifest: Manifest = readManifest()): string[] {
  const names = manifest.versions.map((v) => v.name);
  if (existsSync(join(manifest.dir, HEAD, "mod.ts"))) names.push(HEAD);
  return names;
}

/** Resolve a version name or folder to the folder that holds its `mod.ts`. */
export function versionFolder(nameOrPath: string, manifest: Manifest = readManifest()): string {
  const looksLikePath = nameOrPath.includes("/") || nameOrPath.startsWith(".");
  if (!looksLikePath) {
    const known = versionNames(manifest);
    if (!known.includes(nameOrPath)) {
      throw new UnknownVersionError(
        `unknown version "${nameOrPath}" (known: ${known.join(", ")})`,
      );
    }
    return join(manifest.dir, nameOrPath);
  }
  const folder = isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UnknownVersionError(`version folder "${nameOrPath}" does not exist`);
  }
  if (!existsSync(join(folder, "mod.ts"))) {
    throw new UnknownVersionError(`version folder "${nameOrPath}" has no mod.ts`);
  }
  return folder;
}

/** A loaded version. */
export interface LoadedVersion {
  readonly name: string;
  readonly folder: string;
  readonly module: MapleModule;
}

/** Import a version's `mod.ts` and check that it exports `createTree`. */
export async function loadVersion(
  nameOrPath: string,
  manifest: Manifest = readManifest(),
): Promise<LoadedVersion> {
  const folder = versionFolder(nameOrPath, manifest);
  const url = pathToFileURL(join(folder, "mod.ts")).href;
  const module = await import(url) as Partial<MapleModule>;
  if (typeof module.createTree !== "function") {
    throw new UnknownVersionError(`version "${nameOrPath}" does not export createTree`);
  }
  return { name: nameOrPath, folder, module: module as MapleModule };
}
