/**
 * The maple tree version the workload tests drive: the head when this checkout has one
 * (`core/head`), else the plain reference tree, so the tests still run without it.
 *
 * @example
 * ```ts
 * import { loadTestModule, TEST_VERSION } from "./test_version.ts";
 * const module = await loadTestModule();
 * console.log(TEST_VERSION, typeof module.createTree); // head function
 * ```
 *
 * @module
 */

import { existsSync } from "node:fs";
import type { MapleModule } from "../core/contract.ts";
import { loadVersion } from "../core/loader.ts";

/** The version name the tests load. */
export const TEST_VERSION: string = existsSync(new URL("../core/head/mod.ts", import.meta.url))
  ? "head"
  : "testing/reference";

/** The module of {@linkcode TEST_VERSION}. */
export async function loadTestModule(): Promise<MapleModule> {
  return (await loadVersion(TEST_VERSION)).module;
}
