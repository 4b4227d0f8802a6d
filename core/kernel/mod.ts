/**
 * The kernel's own maple tree as a version: a folder with a `kernel.json` (or a kernel source
 * tree itself) becomes a {@linkcode MapleModule} like any TypeScript version.
 *
 * Loading builds the shim against the version's source tree (once per content, see
 * `build.ts`), opens the library through Deno FFI and hands out {@linkcode KernelTree}s. The
 * built library is GPL-2.0 (it contains the kernel's `lib/maple_tree.c`): it is built on the
 * user's machine into the git-ignored cache and never committed.
 *
 * @example
 * ```ts
 * import { loadKernelVersion } from "./mod.ts";
 * export async function heightAfterOneStore(folder: string): Promise<number> {
 *   const { module } = await loadKernelVersion(folder);
 *   const tree = module.createTree<string>({ allocRange: true });
 *   tree.store(0x1000, 0x1fff, "text");
 *   return tree.height();
 * }
 * ```
 *
 * @module
 */

import type { MapleModule, TreeOptions } from "../contract.ts";
import { buildKernel, type BuildRecord, findBuild } from "./build.ts";
import { readKernelConfig, resolveSource } from "./config.ts";
import { openShim } from "./ffi.ts";
import { KernelTree } from "./tree.ts";

export { buildKernel, type BuildRecord, findBuild } from "./build.ts";
export {
  cacheDir,
  debianTreeDir,
  isKernelFolder,
  isKernelTree,
  type KernelConfig,
  readKernelConfig,
  resolveSource,
} from "./config.ts";
export { KernelTree } from "./tree.ts";

/** A kernel version that cannot be built or opened here (the version is skipped). */
export class KernelBuildError extends Error {
  override name = "KernelBuildError";
}

/** A loaded kernel version: the module, its build and the fork path its `dup` follows. */
export interface LoadedKernelVersion {
  readonly module: MapleModule;
  readonly build: BuildRecord;
  readonly dupPath: "bulk" | "copy";
  /** One line: release, fork path and injected faults. */
  readonly description: string;
}

/**
 * Build (or reuse) and open the kernel version in `folder`.
 *
 * @example
 * ```ts
 * import { prepareKernelVersion } from "./mod.ts";
 * const build = await prepareKernelVersion("core/kernel-6.1");
 * console.log(typeof build.ok); // boolean
 * ```
 */
export async function prepareKernelVersion(folder: string): Promise<BuildRecord> {
  const source = resolveSource(readKernelConfig(folder), folder);
  const cached = findBuild(source);
  if (cached) return cached;
  try {
    return await buildKernel(source);
  } catch (error) {
    throw new KernelBuildError(
      `cannot build the kernel tree ${source} in this process: ${(error as Error).message}`,
    );
  }
}

/**
 * Load the kernel version in `folder`; throws {@linkcode KernelBuildError} when its tree is
 * missing or does not build, naming the compiler's first error.
 *
 * @example
 * ```ts
 * import { loadKernelVersion } from "./mod.ts";
 * try {
 *   await loadKernelVersion("/nonexistent");
 * } catch (error) {
 *   console.log((error as Error).name); // KernelBuildError
 * }
 * ```
 */
export async function loadKernelVersion(folder: string): Promise<LoadedKernelVersion> {
  const config = readKernelConfig(folder);
  const build = await prepareKernelVersion(folder);
  if (!build.ok || build.library === undefined) {
    throw new KernelBuildError(`does not build: ${build.error ?? "unknown error"}`);
  }
  const dupPath = config.dup === "auto" ? (build.features.mtDup ? "copy" : "bulk") : config.dup;
  if (dupPath === "bulk" && !build.features.expectedEntries) {
    throw new KernelBuildError(`${build.release} has no mas_expected_entries: no bulk fork path`);
  }
  if (dupPath === "copy" && !build.features.mtDup) {
    throw new KernelBuildError(`${build.release} has no __mt_dup: no copy fork path`);
  }
  const shim = openShim(build.library);
  const kernelOptions = {
    dupPath,
    undercount: config.undercount,
    copyFailAt: config.copyFailAt,
  };
  const faults = [
    ...(config.undercount > 0 ? [`undercount ${config.undercount}`] : []),
    ...(config.copyFailAt > 0 ? [`copy fails at node ${config.copyFailAt}`] : []),
  ];
  const description = `linux ${build.release}, fork by ${
    dupPath === "bulk" ? "mas_expected_entries + in-order mas_store" : "__mt_dup"
  }${faults.length > 0 ? `, ${faults.join(", ")}` : ""}`;
  const module: MapleModule = {
    createTree<T>(options?: TreeOptions) {
      return new KernelTree<T>(shim, options, kernelOptions);
    },
  };
  return { module, build, dupPath, description };
}
