/**
 * For tests that need a kernel source tree: whether the shipped kernel versions' tree is
 * present, and the one rule for when it is not. With a tree the tests run and fail on any
 * error; without one they may skip only where `CI` is unset (saying why in one line). In CI
 * a missing tree is itself a failure: `.ci/run` runs `kernel:fetch`.
 *
 * @example
 * ```ts
 * import { kernelTestGate } from "./test_support.ts";
 * const gate = kernelTestGate("kernel-6.1");
 * Deno.test({ name: "needs a kernel tree", ignore: gate.skip, fn: () => gate.require() });
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { CORE_DIR } from "../loader.ts";
import { isKernelTree, readKernelConfig, resolveSource } from "./config.ts";

/** What a test file needs to know about one kernel version's tree. */
export interface KernelTestGate {
  /** The version's source tree. */
  readonly tree: string;
  /** True only where there is no tree and `CI` is unset. */
  readonly skip: boolean;
  /** Fails the test when the tree is missing (so CI without a tree fails loudly). */
  require(): void;
}

const said = new Set<string>();

/**
 * The gate for bundled kernel version `name` (a folder under `core/`).
 *
 * @example
 * ```ts
 * import { kernelTestGate } from "./test_support.ts";
 * console.log(typeof kernelTestGate("kernel-6.1").skip); // boolean
 * ```
 */
export function kernelTestGate(name: string): KernelTestGate {
  const folder = join(CORE_DIR, name);
  const tree = resolveSource(readKernelConfig(folder), folder);
  const present = isKernelTree(tree);
  const skip = !present && !Deno.env.get("CI");
  if (skip && !said.has(name)) {
    said.add(name);
    console.error(
      `skip: no kernel tree for ${name} at ${tree} (run deno task kernel:fetch or set MAPLE_KERNEL_SRC)`,
    );
  }
  return {
    tree,
    skip,
    require() {
      if (!present) {
        throw new Error(
          `no kernel tree for ${name} at ${tree}: CI must run deno task kernel:fetch first`,
        );
      }
    },
  };
}
