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
import { isKernelFolder } from "./kernel/config.ts";

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
  /** Whether `head` follows the frozen versions (default true). */
  readonly head?: boolean;
}

/** The bundled manifest's path. */
export const MANIFEST_PATH: string = join(CORE_DIR, "manifest.json");

/** The bundled kernel versions' manifest (`kernel-6.1`, ...): their names work everywhere. */
export const KERNEL_MANIFEST_PATH: string = join(CORE_DIR, "kernel-manifest.json");

/** The kernel releases as a history (`kernel-6.1`, `kernel-6.12-bulk`, `kernel-6.12`). */
export const KERNEL_RELEASES_PATH: string = join(CORE_DIR, "kernel-releases.json");

/** Bundled manifests besides the main one, whose version names resolve everywhere. */
const BUNDLED_MANIFESTS = [KERNEL_MANIFEST_PATH, KERNEL_RELEASES_PATH];

/**
 * Read a manifest; its versions live in folders beside it, and `head` too when present.
 * Fixture manifests for tests use the same reader.
 */
export function readManifest(path: string = MANIFEST_PATH): Manifest {
  const data = JSON.parse(readFileSync(path, "utf8")) as {
    versions?: ManifestVersion[];
    head?: boolean;
  };
  return {
    versions: data.versions ?? [],
    dir: dirname(resolve(path)),
    ...(data.head === false ? { head: false } : {}),
  };
}

/**
 * Frozen version names in order, then `head` when the manifest's folder has one (unless the
 * manifest says `"head": false`, as the kernel manifest does).
 */
export function versionNames(manifest: Manifest = readManifest()): string[] {
  const names = manifest.versions.map((v) => v.name);
  if (manifest.head !== false && existsSync(join(manifest.dir, HEAD, "mod.ts"))) names.push(HEAD);
  return names;
}

/**
 * Where a version comes from: a TypeScript folder (`mod.ts`) or a kernel version (a
 * `kernel.json`, or a kernel source tree given as the folder).
 */
export type VersionKind = "typescript" | "kernel";

/** The kind of the version in `folder`. */
export function versionKind(folder: string): VersionKind {
  return existsSync(join(folder, "mod.ts")) ? "typescript" : "kernel";
}

/**
 * Resolve a version name or folder to its folder: one that holds a `mod.ts`, a
 * `kernel.json`, or a kernel source tree.
 */
export function versionFolder(nameOrPath: string, manifest: Manifest = readManifest()): string {
  const looksLikePath = nameOrPath.includes("/") || nameOrPath.startsWith(".");
  if (!looksLikePath) {
    const manifests = [manifest, ...BUNDLED_MANIFESTS.map((path) => readManifest(path))];
    const holder = manifests.find((m) => versionNames(m).includes(nameOrPath));
    if (holder) return join(holder.dir, nameOrPath);
    const known = [...new Set(manifests.flatMap((m) => versionNames(m)))];
    throw new UnknownVersionError(`unknown version "${nameOrPath}" (known: ${known.join(", ")})`);
  }
  const folder = isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UnknownVersionError(`version folder "${nameOrPath}" does not exist`);
  }
  if (!existsSync(join(folder, "mod.ts")) && !isKernelFolder(folder)) {
    throw new UnknownVersionError(
      `version folder "${nameOrPath}" has no mod.ts, no kernel.json and no lib/maple_tree.c`,
    );
  }
  return folder;
}

/** A loaded version. */
export interface LoadedVersion {
  readonly name: string;
  readonly folder: string;
  readonly module: MapleModule;
  readonly kind: VersionKind;
  /** For a kernel version: release, fork path and injected faults. */
  readonly description?: string;
}

/** Import a version's `mod.ts` and check that it exports `createTree`. */
export async function loadVersion(
  nameOrPath: string,
  manifest: Manifest = readManifest(),
): Promise<LoadedVersion> {
  const folder = versionFolder(nameOrPath, manifest);
  if (versionKind(folder) === "kernel") {
    // Imported only when needed: TypeScript-only runs never touch FFI.
    const { loadKernelVersion } = await import("./kernel/mod.ts");
    const kernel = await loadKernelVersion(folder);
    return {
      name: nameOrPath,
      folder,
      module: kernel.module,
      kind: "kernel",
      description: kernel.description,
    };
  }
  const url = pathToFileURL(join(folder, "mod.ts")).href;
  const module = await import(url) as Partial<MapleModule>;
  if (typeof module.createTree !== "function") {
    throw new UnknownVersionError(`version "${nameOrPath}" does not export createTree`);
  }
  return { name: nameOrPath, folder, module: module as MapleModule, kind: "typescript" };
}
