/**
 * Child entry of the load check: imports one version folder through the suite's loader and
 * exits 0 when its `mod.ts` loads and exports `createTree`. Run only by `version_check.ts`,
 * in its own process, so a version that throws or hangs while loading hurts nobody.
 *
 * @example
 * ```sh
 * deno run --allow-read --allow-env bisect/load_main.ts core/head && echo loads
 * ```
 *
 * @module
 */

import { loadVersion } from "../core/loader.ts";

if (import.meta.main) {
  const folder = Deno.args[0];
  if (folder === undefined) {
    console.error("usage: load_main.ts <version folder>");
    Deno.exit(2);
  }
  try {
    await loadVersion(folder.includes("/") ? folder : `./${folder}`);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.error(`error: ${message.split("\n")[0]}`);
    Deno.exit(1);
  }
}
