/**
 * Maple tree v1.2.0 (the seed bug: the bulk estimate lost the working room of a split): a B-tree of ranges after the Linux kernel's
 * `lib/maple_tree.c`, rebuilt from the facts in `shared/design/maple-tree-facts.md`.
 *
 * @example
 * ```ts
 * import { createTree } from "./mod.ts";
 * const tree = createTree<string>({ allocRange: true });
 * tree.store(0x1000, 0x1fff, "text");
 * console.log(tree.load(0x1234)); // "text"
 * ```
 *
 * @module
 */

import type { MapleTree, TreeOptions } from "../contract.ts";
import { MapleTreeImpl } from "./tree.ts";

/** Make an empty tree. */
export function createTree<T>(options?: TreeOptions): MapleTree<T> {
  return new MapleTreeImpl<T>(options);
}
