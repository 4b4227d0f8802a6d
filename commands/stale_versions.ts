/**
 * Frozen versions are history: a version whose files no longer match the hash its manifest
 * records has been edited since it was frozen. Commands that run versions (bisect, probe,
 * bench, replay) say so on stderr, name it in their record, and refuse under `--strict`.
 *
 * @example
 * ```ts
 * import { staleVersions } from "./stale_versions.ts";
 * console.log(staleVersions(["head", "v1.2.0"])); // [] unless a frozen folder was edited
 * ```
 *
 * @module
 */

import {
  KERNEL_MANIFEST_PATH,
  KERNEL_RELEASES_PATH,
  MANIFEST_PATH,
  readManifest,
} from "../core/loader.ts";
import { verifyVersion } from "../core/snapshot.ts";
import { UsageError } from "./cli.ts";

/**
 * The names among `names` that are frozen versions of a bundled manifest (or of the manifest
 * at `manifestPath`) and no longer match their recorded hash.
 *
 * @example
 * ```ts
 * import { staleVersions } from "./stale_versions.ts";
 * console.log(staleVersions(["git:abc", "./my-tree"])); // []
 * ```
 */
export function staleVersions(names: readonly string[], manifestPath?: string): string[] {
  const paths = [
    ...(manifestPath ? [manifestPath] : []),
    MANIFEST_PATH,
    KERNEL_MANIFEST_PATH,
    KERNEL_RELEASES_PATH,
  ];
  const manifests = paths.map((path) => readManifest(path));
  return names.filter((name) => {
    const manifest = manifests.find((m) => m.versions.some((v) => v.name === name));
    // Only a recorded content hash makes a version frozen; test fixtures record none.
    const frozen = manifest?.versions.find((v) => v.name === name)?.hash.startsWith("sha256:");
    return manifest !== undefined && frozen === true && !verifyVersion(manifest, name);
  });
}

/**
 * Warn on stderr about each stale version (as `command`), or refuse them when `strict`.
 *
 * @example
 * ```ts
 * import { warnStale } from "./stale_versions.ts";
 * warnStale("probe", [], false); // prints nothing
 * ```
 */
export function warnStale(command: string, stale: readonly string[], strict: boolean): void {
  if (stale.length === 0) return;
  if (strict) {
    throw new UsageError(
      `${stale.join(", ")} no longer ${
        stale.length === 1 ? "matches its" : "match their"
      } manifest hash (edited since frozen); --strict refuses to run ${
        stale.length === 1 ? "it" : "them"
      }`,
    );
  }
  for (const name of stale) {
    console.error(
      `${command}: warning: ${name} no longer matches its manifest hash (its files changed ` +
        `since it was frozen); the record notes it, --strict refuses`,
    );
  }
}
