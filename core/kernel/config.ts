/**
 * Where a kernel version comes from: its folder's `kernel.json` (or a kernel source tree
 * given as the folder itself), the source tree that resolves to, and the git-ignored cache
 * that holds fetched trees and built libraries.
 *
 * A `kernel.json` looks like
 * `{ "source": "debian:6.1", "undercount": 2, "summary": "…" }`: `source` is
 * `debian:RELEASE` (the tree `deno task kernel:fetch` extracts, or the tree named by
 * `MAPLE_KERNEL_SRC`), or a path to any Linux source tree or kernel checkout (relative to the
 * folder); with `rev` as well, the version is that commit of the checkout, materialised by the
 * loader (`core/git_versions.ts`). `dup` picks the fork path (`bulk`, `copy`, or `auto` for the one the release's
 * own fork uses); `undercount` and `copyFailAt` inject faults into it.
 *
 * @example
 * ```ts
 * import { parseKernelConfig } from "./config.ts";
 * const config = parseKernelConfig('{"source": "debian:6.1", "undercount": 2}', "kernel.json");
 * console.log(config.undercount, config.dup); // 2 auto
 * ```
 *
 * @module
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A kernel version's settings. */
export interface KernelConfig {
  /** `debian:RELEASE` or a path to a kernel source tree. */
  readonly source: string;
  /** Fork path: the release's own (`auto`), 6.1's bulk sequence, or `__mt_dup`. */
  readonly dup: "auto" | "bulk" | "copy";
  /** Nodes dropped from the bulk pool right after `mas_expected_entries`. */
  readonly undercount: number;
  /** On the copy path, the allocation (1-based) of `__mt_dup` that fails; 0 for none. */
  readonly copyFailAt: number;
  /** One paragraph on what this version is. */
  readonly summary: string;
  /**
   * A revision of the checkout `source` names (any revision git understands): the version is
   * that commit's tree, materialised by the loader, instead of the checkout's work tree.
   */
  readonly rev?: string;
}

/** A `kernel.json` that cannot be used (bad input, reported in one line). */
export class KernelConfigError extends Error {
  override name = "UnknownVersionError";
}

/** The file that makes a folder a kernel version. */
export const KERNEL_JSON = "kernel.json";

const SUITE_ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/**
 * The git-ignored cache for fetched trees and built libraries: `MAPLE_CACHE_DIR`, or
 * `.cache/` in the suite's root.
 *
 * @example
 * ```ts
 * import { cacheDir } from "./config.ts";
 * console.log(cacheDir().endsWith(".cache")); // true unless MAPLE_CACHE_DIR is set
 * ```
 */
export function cacheDir(): string {
  return Deno.env.get("MAPLE_CACHE_DIR") ?? join(SUITE_ROOT, ".cache");
}

/**
 * Whether `folder` is a kernel version: a `kernel.json`, or a kernel source tree itself.
 *
 * @example
 * ```ts
 * import { isKernelFolder } from "./config.ts";
 * console.log(isKernelFolder("core/head")); // false
 * ```
 */
export function isKernelFolder(folder: string): boolean {
  return existsSync(join(folder, KERNEL_JSON)) || isKernelTree(folder);
}

/**
 * Whether `dir` holds a kernel's maple tree (`lib/maple_tree.c`).
 *
 * @example
 * ```ts
 * import { isKernelTree } from "./config.ts";
 * console.log(isKernelTree("/nonexistent")); // false
 * ```
 */
export function isKernelTree(dir: string): boolean {
  return existsSync(join(dir, "lib", "maple_tree.c")) &&
    existsSync(join(dir, "include", "linux", "maple_tree.h"));
}

/**
 * Parse and check a `kernel.json`'s text; `where` names it in errors.
 *
 * @example
 * ```ts
 * import { parseKernelConfig } from "./config.ts";
 * try {
 *   parseKernelConfig('{"undercount": -1}', "x/kernel.json");
 * } catch (error) {
 *   console.log((error as Error).message); // x/kernel.json: "undercount" wants an integer >= 0, got -1
 * }
 * ```
 */
export function parseKernelConfig(text: string, where: string): KernelConfig {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new KernelConfigError(`${where}: not JSON (${(error as Error).message})`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new KernelConfigError(`${where}: want a JSON object`);
  }
  const known = ["$schema", "source", "dup", "undercount", "copyFailAt", "summary", "rev"];
  const unknown = Object.keys(data).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    throw new KernelConfigError(
      `${where}: unknown key "${unknown}" (known: ${known.slice(1).join(", ")})`,
    );
  }
  const count = (key: string): number => {
    const value = data[key] ?? 0;
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      throw new KernelConfigError(`${where}: "${key}" wants an integer >= 0, got ${value}`);
    }
    return value as number;
  };
  const source = data.source ?? "debian:6.1";
  if (typeof source !== "string" || source === "") {
    throw new KernelConfigError(`${where}: "source" wants a path or debian:RELEASE`);
  }
  const dup = data.dup ?? "auto";
  if (dup !== "auto" && dup !== "bulk" && dup !== "copy") {
    throw new KernelConfigError(`${where}: "dup" wants auto, bulk or copy, got ${dup}`);
  }
  const rev = data.rev;
  if (rev !== undefined && (typeof rev !== "string" || rev === "" || rev.startsWith("-"))) {
    throw new KernelConfigError(`${where}: "rev" wants a revision of the checkout, got ${rev}`);
  }
  return {
    source,
    dup,
    undercount: count("undercount"),
    copyFailAt: count("copyFailAt"),
    summary: typeof data.summary === "string" ? data.summary : "",
    ...(rev !== undefined ? { rev } : {}),
  };
}

/**
 * The settings of a kernel version folder: its `kernel.json`, or defaults with the folder
 * itself as the source when it is a kernel tree.
 *
 * @example
 * ```ts
 * import { readKernelConfig } from "./config.ts";
 * console.log(readKernelConfig("core/kernel-6.1").source); // debian:6.1
 * ```
 */
export function readKernelConfig(folder: string): KernelConfig {
  const file = join(folder, KERNEL_JSON);
  if (existsSync(file)) return parseKernelConfig(readFileSync(file, "utf8"), file);
  return { source: resolve(folder), dup: "auto", undercount: 0, copyFailAt: 0, summary: "" };
}

/**
 * Where fetched Debian trees go: `<cache>/kernel-src/linux-source-RELEASE`.
 *
 * @example
 * ```ts
 * import { debianTreeDir } from "./config.ts";
 * console.log(debianTreeDir("6.1").endsWith("linux-source-6.1")); // true
 * ```
 */
export function debianTreeDir(release: string): string {
  return join(cacheDir(), "kernel-src", `linux-source-${release}`);
}

/**
 * The source tree a version builds from. `MAPLE_KERNEL_SRC` replaces the default
 * (`debian:…`) trees, so a user points every shipped kernel version at their own tree; a
 * path in `kernel.json` stays as written.
 *
 * @example
 * ```ts
 * import { resolveSource } from "./config.ts";
 * const config = { source: "../linux", dup: "auto", undercount: 0, copyFailAt: 0, summary: "" } as const;
 * console.log(resolveSource(config, "/v")); // /linux
 * ```
 */
export function resolveSource(config: KernelConfig, folder: string): string {
  if (config.rev !== undefined) {
    // Only the parent may run git: the loader materialises the commit and hands children a
    // derived folder whose source is the materialised tree.
    throw new KernelConfigError(
      `${join(folder, KERNEL_JSON)} names revision ${config.rev}: load it through the loader, ` +
        `which materialises the commit`,
    );
  }
  const debian = /^debian:(.+)$/.exec(config.source);
  if (debian) {
    const override = Deno.env.get("MAPLE_KERNEL_SRC");
    return override ? resolve(override) : debianTreeDir(debian[1]);
  }
  return isAbsolute(config.source) ? config.source : resolve(folder, config.source);
}
