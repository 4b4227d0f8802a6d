/**
 * For tests: a kernel version folder over a temporary copy of a kernel tree, with one line
 * inserted at the top of one function of its `lib/maple_tree.c` (or none). Only `lib/` is
 * copied; `include`, `tools` and the `Makefile` are symbolic links to the real tree. The patch
 * lives in the temporary copy only: no kernel code is committed.
 *
 * @example
 * ```ts
 * import { patchedKernelVersion } from "./kernel_patch.ts";
 * export const slowed = (dir: string, tree: string) =>
 *   patchedKernelVersion(dir, "slowed", tree, {
 *     opening: /void \*mas_store\(struct ma_state \*mas, void \*entry\)\n\{\n/,
 *     line: "{ volatile int x = 0; x++; }",
 *   });
 * ```
 *
 * @module
 */

import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where to insert what: after the first match of `opening` (a function's first lines). */
export interface KernelPatch {
  readonly opening: RegExp;
  readonly line: string;
}

/**
 * Make `dir/name` (a folder with a `kernel.json`) over a copy of `tree`, patched by `patch`
 * when given; returns the folder. Throws when the tree lacks the function to patch.
 *
 * @example
 * ```ts
 * import { patchedKernelVersion } from "./kernel_patch.ts";
 * export const clean = (dir: string, tree: string) => patchedKernelVersion(dir, "clean", tree);
 * ```
 */
export function patchedKernelVersion(
  dir: string,
  name: string,
  tree: string,
  patch?: KernelPatch,
): string {
  const copy = join(dir, `${name}-tree`);
  mkdirSync(join(copy, "lib"), { recursive: true });
  for (const sub of ["include", "tools", "Makefile"]) symlinkSync(join(tree, sub), join(copy, sub));
  let source = readFileSync(join(tree, "lib", "maple_tree.c"), "utf8");
  if (patch) {
    if (!patch.opening.test(source)) {
      throw new Error(`${tree} has no function to patch (${patch.opening.source})`);
    }
    source = source.replace(patch.opening, (m) => `${m}\t${patch.line}\n`);
  }
  writeFileSync(join(copy, "lib", "maple_tree.c"), source);
  const folder = join(dir, name);
  mkdirSync(folder);
  writeFileSync(join(folder, "kernel.json"), JSON.stringify({ source: copy }));
  return folder;
}
