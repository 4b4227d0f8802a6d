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
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import type { MapleModule } from "./contract.ts";
import {
  type CommitInfo,
  commitRange,
  commitTreeDir,
  gitCacheDir,
  GitVersionError,
  isKernelCommit,
  materialiseCommit,
  type RangeOptions,
  repositoryRoot,
  resolveCommit,
} from "./git_versions.ts";
import { isKernelFolder, isKernelTree, KERNEL_JSON, readKernelConfig } from "./kernel/config.ts";

export type { CommitInfo, RangeOptions } from "./git_versions.ts";
export { materialiseStats } from "./git_versions.ts";

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
 * `kernel.json`, or a kernel source tree. A `git:REV` version, or a kernel version whose
 * `kernel.json` names a revision, is materialised into the cache first (once per commit).
 *
 * @example
 * ```ts
 * import { versionFolder } from "./loader.ts";
 * console.log(versionFolder("head").endsWith("core/head")); // true
 * ```
 */
export function versionFolder(nameOrPath: string, manifest: Manifest = readManifest()): string {
  return locateVersion(nameOrPath, manifest).materialise();
}

/** The prefix of a version taken from git: `git:REV`, any revision git understands. */
export const GIT_PREFIX = "git:";

/** The version folder inside a repository that a git version means by default. */
export const DEFAULT_GIT_PATH = "core/head";

/** Where git versions come from, as the user gave it (every field optional). */
export interface GitOptions {
  /** A folder in the repository (default `MAPLE_GIT_REPO`, else the suite's own checkout). */
  readonly repo?: string;
  /** The version folder, relative to the repository's top (default `MAPLE_GIT_PATH`, else `core/head`). */
  readonly path?: string;
}

/** A repository and the version folder inside it, resolved. */
export interface GitPlace {
  /** The repository's top folder. */
  readonly repo: string;
  /** The version folder, relative to the top, with `/` separators. */
  readonly path: string;
}

const SUITE_DIR = dirname(CORE_DIR);

/**
 * Resolve {@linkcode GitOptions}: the flags first, then `MAPLE_GIT_REPO` and `MAPLE_GIT_PATH`
 * (so that a reproduce command names them once for every command), then the suite's own
 * checkout and `core/head`.
 *
 * @example
 * ```ts
 * import { gitPlace } from "./loader.ts";
 * try { console.log(gitPlace().path); } catch (e) { console.log((e as Error).message); } // core/head
 * ```
 */
export function gitPlace(options: GitOptions = {}): GitPlace {
  const repo = repositoryRoot(options.repo ?? Deno.env.get("MAPLE_GIT_REPO") ?? SUITE_DIR);
  const given = options.path ?? Deno.env.get("MAPLE_GIT_PATH") ?? DEFAULT_GIT_PATH;
  const path = given.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+$/, "");
  if (path === "" || isAbsolute(path) || path.split("/").includes("..")) {
    throw new GitVersionError(
      `--git-path wants a folder inside the repository, relative to its top, got "${given}"`,
    );
  }
  return { repo, path };
}

/**
 * A version located: its name, the folder its files are (or will be) in, and for a version
 * from git, its commit and where it came from. Nothing is written until `materialise()`.
 */
export interface VersionSource {
  readonly name: string;
  /** Where the version's files are, or will be once materialised. */
  readonly folder: string;
  /** For a version from git: its commit. */
  readonly commit?: CommitInfo;
  /** For a version from git: the repository and folder, as reproducing commands name them. */
  readonly git?: GitPlace;
  /** Put the files in place (a commit is archived once into the cache); returns `folder`. */
  readonly materialise: () => string;
}

/**
 * Locate a version without writing anything: a manifest name, a folder, `git:REV` (in the
 * repository and folder of `git`, see {@linkcode gitPlace}), or a kernel version whose
 * `kernel.json` names a revision of a kernel checkout. This is the one place that decides
 * where a version comes from; everything else takes the folder it gives.
 *
 * @example
 * ```ts
 * import { locateVersion } from "./loader.ts";
 * const head = locateVersion("head");
 * console.log(head.folder === head.materialise()); // true: a folder needs nothing
 * ```
 */
export function locateVersion(
  nameOrPath: string,
  manifest: Manifest = readManifest(),
  git: GitOptions = {},
): VersionSource {
  if (nameOrPath.startsWith(GIT_PREFIX)) {
    const place = gitPlace(git);
    const commit = resolveCommit(place.repo, nameOrPath.slice(GIT_PREFIX.length));
    const kernel = isKernelCommit(place.repo, commit.sha, place.path);
    return commitSource(place, commit, kernel, nameOrPath);
  }
  return folderSource(nameOrPath, plainFolder(nameOrPath, manifest));
}

/**
 * A manifest's versions in order (as {@linkcode versionNames} lists them), located in their
 * folders beside it. Folders are not checked here: one that cannot be loaded is the
 * bisect's to skip, as `git bisect run` skips a commit that does not build.
 *
 * @example
 * ```ts
 * import { manifestVersions } from "./loader.ts";
 * console.log(manifestVersions().map((v) => v.name).at(-1)); // head
 * ```
 */
export function manifestVersions(manifest: Manifest = readManifest()): VersionSource[] {
  return versionNames(manifest).map((name) => folderSource(name, join(manifest.dir, name)));
}

/**
 * Whether `place` is the default one: the suite's own checkout and `core/head`, which
 * reproducing commands need not name.
 *
 * @example
 * ```ts
 * import { isDefaultGitPlace } from "./loader.ts";
 * console.log(isDefaultGitPlace({ repo: "/elsewhere", path: "core/head" })); // false
 * ```
 */
export function isDefaultGitPlace(place: GitPlace): boolean {
  if (place.path !== DEFAULT_GIT_PATH) return false;
  try {
    return repositoryRoot(SUITE_DIR) === place.repo;
  } catch {
    return false;
  }
}

/** A version in a folder: as it is, or, for a kernel.json naming a revision, that commit. */
function folderSource(name: string, folder: string): VersionSource {
  const revision = existsSync(join(folder, KERNEL_JSON)) ? readKernelConfig(folder).rev : undefined;
  if (revision !== undefined) return kernelRevisionSource(name, folder, revision);
  return { name, folder, materialise: () => folder };
}

/**
 * The first-parent commits of `GOOD..BAD`, both ends included and oldest first, as versions
 * named `git:<12 hex digits>` (see `git_versions.ts`): the ordered history of `--git`. With
 * `options.tags`, only the range's tagged commits (a kernel checkout's releases). In a kernel
 * checkout (the range's last commit has `lib/maple_tree.c` and no version folder at the git
 * path), each commit is a kernel version: only its build files are materialised, and the
 * version folder is that tree.
 *
 * @example
 * ```ts
 * import { gitHistory } from "./loader.ts";
 * try {
 *   console.log(gitHistory("HEAD~2..HEAD").map((v) => `${v.name} ${v.commit?.subject}`));
 * } catch (e) { console.log((e as Error).message); }
 * ```
 */
export function gitHistory(
  range: string,
  git: GitOptions = {},
  options: RangeOptions = {},
): VersionSource[] {
  const match = /^([^.].*?)\.\.([^.].*)$/.exec(range);
  if (!match || range.includes("...") || match[2].includes("..")) {
    throw new GitVersionError(`--git wants a range GOOD..BAD (two revisions), got "${range}"`);
  }
  const place = gitPlace(git);
  const commits = commitRange(place.repo, match[1], match[2], options);
  // Decided once, by the newest commit: a kernel commit from before the maple tree is still a
  // kernel commit, and fails to build (a skip) rather than being looked for in core/head.
  const kernel = isKernelCommit(place.repo, commits[commits.length - 1].sha, place.path);
  return commits.map((commit) => commitSource(place, commit, kernel));
}

/**
 * A commit's version folder, materialised with the commit's whole tree; or, for a kernel
 * checkout's commit, only the files the shim's build reads, the tree itself the version.
 */
function commitSource(
  place: GitPlace,
  commit: CommitInfo,
  kernel: boolean,
  name = `${GIT_PREFIX}${commit.short}`,
): VersionSource {
  if (kernel) {
    const tree = commitTreeDir(commit.sha, "kernel");
    return {
      name,
      folder: tree,
      commit,
      git: place,
      materialise: () => {
        materialiseCommit(place.repo, commit.sha, "kernel");
        if (!isKernelTree(tree)) {
          throw new GitVersionError(
            `commit ${commit.short} has no lib/maple_tree.c and include/linux/maple_tree.h`,
          );
        }
        return tree;
      },
    };
  }
  const folder = join(commitTreeDir(commit.sha, "tree"), place.path);
  return {
    name,
    folder,
    commit,
    git: place,
    materialise: () => {
      materialiseCommit(place.repo, commit.sha, "tree");
      if (!existsSync(join(folder, "mod.ts")) && !isKernelFolder(folder)) {
        throw new GitVersionError(
          `commit ${commit.short} has no version in ${place.path} (no mod.ts, no kernel.json)`,
        );
      }
      return folder;
    },
  };
}

/**
 * A kernel version whose `kernel.json` names a revision of a kernel checkout: the build files
 * of that commit are materialised, and a derived version folder in the cache holds the same
 * settings pointing at them. Probe children load the derived folder, so they never run git.
 */
function kernelRevisionSource(name: string, folder: string, revision: string): VersionSource {
  const config = readKernelConfig(folder);
  if (config.source.startsWith("debian:")) {
    throw new GitVersionError(
      `${join(folder, KERNEL_JSON)}: "rev" needs "source" to name a kernel git checkout`,
    );
  }
  const checkout = isAbsolute(config.source) ? config.source : resolve(folder, config.source);
  const repo = repositoryRoot(checkout);
  const commit = resolveCommit(repo, revision);
  const settings = { ...config, rev: undefined };
  const key = createHash("sha256").update(JSON.stringify([settings, commit.sha])).digest("hex");
  const derived = join(gitCacheDir(), "kernel-version", key.slice(0, 24));
  return {
    name,
    folder: derived,
    commit,
    materialise: () => {
      const tree = materialiseCommit(repo, commit.sha, "kernel");
      if (!existsSync(join(derived, KERNEL_JSON))) {
        const temp = `${derived}.${Deno.pid}.tmp`;
        mkdirSync(temp, { recursive: true });
        const { dup, undercount, copyFailAt, summary } = config;
        writeFileSync(
          join(temp, KERNEL_JSON),
          JSON.stringify({ source: tree, dup, undercount, copyFailAt, summary }, null, 2) + "\n",
        );
        try {
          renameSync(temp, derived);
        } catch (error) {
          if (!existsSync(join(derived, KERNEL_JSON))) throw error;
        }
      }
      return derived;
    },
  };
}

/** A manifest name or a folder, to its folder (the loader's rules before git). */
function plainFolder(nameOrPath: string, manifest: Manifest): string {
  const looksLikePath = nameOrPath.includes("/") || nameOrPath.startsWith(".");
  if (!looksLikePath) {
    const manifests = [manifest, ...BUNDLED_MANIFESTS.map((path) => readManifest(path))];
    const holder = manifests.find((m) => versionNames(m).includes(nameOrPath));
    if (holder) return join(holder.dir, nameOrPath);
    const known = [...new Set(manifests.flatMap((m) => versionNames(m)))];
    throw new UnknownVersionError(
      `unknown version "${nameOrPath}" (known: ${known.join(", ")}, or git:REV)`,
    );
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
