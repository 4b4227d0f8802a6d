/**
 * Freezing versions: copy `core/head/` into a new version folder, record its content hash
 * and summary in the manifest, and check that frozen folders still match their hashes.
 *
 * A snapshot holds the head's source files, not its tests (`*_test.ts` reach outside the
 * folder, to the reference model); the behaviour suite `core/versions_test.ts` tests every
 * version instead. The hash is SHA-256 over the sorted list of files, each as its relative
 * path, its length and its bytes, so renaming, adding, removing or editing a file changes it.
 *
 * @example
 * ```ts
 * import { hashFolder, verifyVersion } from "./snapshot.ts";
 * import { readManifest } from "./loader.ts";
 * const manifest = readManifest();
 * for (const v of manifest.versions) console.log(v.name, verifyVersion(manifest, v.name));
 * console.log(hashFolder("core/head").startsWith("sha256:"));
 * ```
 *
 * @module
 */

import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import {
  HEAD,
  type Manifest,
  MANIFEST_PATH,
  type ManifestVersion,
  readManifest,
} from "./loader.ts";

/** A refused or failed freeze: bad input or a broken head, reported in one line. */
export class SnapshotError extends Error {
  override name = "SnapshotError";
}

/** Version names: `v` and three numbers (semver without pre-release tags). */
export const VERSION_NAME = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** Whether a file of a version folder belongs in a snapshot (sources, not tests). */
export function isSnapshotFile(path: string): boolean {
  return path.endsWith(".ts") && !path.endsWith("_test.ts");
}

/** Files of `dir`, relative, `/`-separated, sorted. */
function listFiles(dir: string, filter: (path: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const rel = relative(dir, full).split(sep).join("/");
        if (filter(rel)) out.push(rel);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** The content hash of a folder: `sha256:` and 64 hex digits. */
export function hashFolder(dir: string): string {
  const hash = createHash("sha256");
  for (const rel of listFiles(dir, () => true)) {
    const bytes = readFileSync(join(dir, rel));
    hash.update(`${rel}\n${bytes.length}\n`);
    hash.update(bytes);
    hash.update("\n");
  }
  return `sha256:${hash.digest("hex")}`;
}

/** Whether version `name`'s folder still matches the hash its manifest records. */
export function verifyVersion(manifest: Manifest, name: string): boolean {
  const version = manifest.versions.find((v) => v.name === name);
  if (version === undefined) throw new SnapshotError(`unknown version "${name}"`);
  return hashFolder(join(manifest.dir, name)) === version.hash;
}

/** Write the manifest atomically (a temporary file renamed over it). */
export function writeManifest(path: string, versions: readonly ManifestVersion[]): void {
  const text = JSON.stringify({ $schema: "./manifest.schema.json", versions }, null, 2) + "\n";
  const tmp = `${path}.tmp-${Deno.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** What to freeze. */
export interface FreezeOptions {
  /** The new version's name, e.g. `v1.6.0`. */
  readonly name: string;
  /** One paragraph: what changed and why. */
  readonly summary: string;
  /** `YYYY-MM-DD`; today when omitted. */
  readonly date?: string;
  /** The manifest to append to (its folder holds `head/` and the versions). */
  readonly manifestPath?: string;
  /**
   * Runs the head's tests; resolves to whether they passed. The default runs
   * `deno test -A --quiet <head>` in a child process.
   */
  readonly testHead?: (headDir: string) => Promise<boolean>;
  /** Progress lines (e.g. before the head's tests run). */
  readonly log?: (line: string) => void;
}

/** The folder of the nearest `deno.json` above `dir` (the project whose imports apply). */
function projectRoot(dir: string): string {
  for (let d = dir;; d = dirname(d)) {
    if (existsSync(join(d, "deno.json"))) return d;
    if (dirname(d) === d) return dir;
  }
}

/** Run `deno test` on the head folder in a child process, from its project's root. */
export async function runHeadTests(headDir: string): Promise<boolean> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", "--quiet", headDir],
    cwd: projectRoot(headDir),
    stdout: "null",
    stderr: "null",
  });
  const { code } = await command.output();
  return code === 0;
}

/**
 * Freeze the head into a new version: refuse a bad or existing name, refuse a head whose
 * tests fail, then copy its source files, hash them and append to the manifest.
 */
export async function freezeHead(options: FreezeOptions): Promise<ManifestVersion> {
  const manifestPath = options.manifestPath ?? MANIFEST_PATH;
  const { name } = options;
  if (!VERSION_NAME.test(name)) {
    throw new SnapshotError(`version name "${name}" is not of the form vMAJOR.MINOR.PATCH`);
  }
  const summary = options.summary.trim();
  if (summary.length < 20) {
    throw new SnapshotError("the summary must be a paragraph (at least 20 characters)");
  }
  const date = options.date ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
    throw new SnapshotError(`date "${date}" is not YYYY-MM-DD`);
  }
  const manifest = readManifest(manifestPath);
  const dir = dirname(manifestPath);
  const target = join(dir, name);
  if (manifest.versions.some((v) => v.name === name) || existsSync(target)) {
    throw new SnapshotError(`version ${name} already exists; refusing to overwrite it`);
  }
  const headDir = join(dir, HEAD);
  if (!existsSync(join(headDir, "mod.ts"))) {
    throw new SnapshotError(`no head to freeze at ${headDir}`);
  }
  options.log?.(`running the head's tests before freezing ${name} ...`);
  const passed = await (options.testHead ?? runHeadTests)(headDir);
  if (!passed) throw new SnapshotError("the head's tests fail; refusing to freeze it");
  const files = listFiles(headDir, isSnapshotFile);
  mkdirSync(target);
  try {
    for (const rel of files) {
      mkdirSync(dirname(join(target, rel)), { recursive: true });
      copyFileSync(join(headDir, rel), join(target, rel));
    }
    const version: ManifestVersion = {
      name,
      date,
      parent: manifest.versions.at(-1)?.name ?? null,
      summary,
      hash: hashFolder(target),
    };
    writeManifest(manifestPath, [...manifest.versions, version]);
    return version;
  } catch (error) {
    rmSync(target, { recursive: true, force: true });
    throw error;
  }
}
