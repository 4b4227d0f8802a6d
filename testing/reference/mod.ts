/**
 * The reference model packaged as a version folder, so that any tool that takes a version
 * (`--version testing/reference`) can run against it.
 *
 * @example
 * ```ts
 * import { createTree } from "./mod.ts";
 * const tree = createTree<number>();
 * tree.store(1, 5, 42);
 * ```
 *
 * @module
 */

import type { MapleTree, TreeOptions } from "../../core/contract.ts";
import { ReferenceTree } from "../reference_tree.ts";

/** Make an empty reference tree. */
export function createTree<T>(options?: TreeOptions): MapleTree<T> {
  return new ReferenceTree<T>(options);
}
