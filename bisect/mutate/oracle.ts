/**
 * Which shape oracle a mutation run uses when none is named: the kernel's own 6.1 tree when
 * its source is on this machine (it is built once into the cache), otherwise none.
 *
 * @example
 * ```ts
 * import { defaultShapeOracle } from "./oracle.ts";
 * console.log(defaultShapeOracle() ?? "no kernel tree here"); // kernel-6.1
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { CORE_DIR } from "../../core/loader.ts";
import { isKernelTree, readKernelConfig, resolveSource } from "../../core/kernel/config.ts";

/** The kernel version the shape oracle defaults to. */
export const KERNEL_ORACLE = "kernel-6.1";

/**
 * {@linkcode KERNEL_ORACLE} when its kernel tree is present, else `undefined`.
 *
 * @example
 * ```ts
 * import { defaultShapeOracle } from "./oracle.ts";
 * console.log(typeof (defaultShapeOracle() ?? "")); // string
 * ```
 */
export function defaultShapeOracle(): string | undefined {
  const folder = join(CORE_DIR, KERNEL_ORACLE);
  try {
    return isKernelTree(resolveSource(readKernelConfig(folder), folder))
      ? KERNEL_ORACLE
      : undefined;
  } catch {
    return undefined;
  }
}
