/**
 * Copying a tree for fork: every entry is stored into the child in address order through
 * the normal API, each store requesting (and giving back) its own nodes.
 *
 * @example
 * ```ts
 * import { MapleTreeImpl } from "./tree.ts";
 * const tree = new MapleTreeImpl<number>({ allocRange: true });
 * for (let i = 0; i < 30; i++) tree.store(i * 0x3000, i * 0x3000 + 0x1fff, i);
 * console.log(tree.dup().count()); // 30
 * ```
 *
 * @module
 */

import type { DupReport } from "../contract.ts";
import type { TreeCore } from "./core.ts";
import { LeafWalker } from "./read.ts";
import type { MapleCursorImpl } from "./cursor.ts";

/** What dup needs of a tree (tree.ts provides it; kept as an interface to avoid a cycle). */
export interface DupTarget<T> {
  readonly core: TreeCore;
  cursor(first?: number, last?: number): MapleCursorImpl<T>;
  count(): number;
  store(first: number, last: number, value: T | undefined): void;
}

/** Copy by plain stores into the empty tree `child`, one allocation at a time. */
export function dupStore<T>(
  source: DupTarget<T>,
  child: DupTarget<T>,
  copy: (value: T) => T | undefined,
): DupReport {
  let count = 0;
  const w = new LeafWalker();
  w.seek(source.core, 0);
  do {
    const value = w.value;
    if (value === undefined) continue;
    count++;
    const copied = copy(value as T);
    if (copied !== undefined) child.store(w.lo, w.hi, copied);
  } while (w.forward());
  return {
    strategy: "store",
    expectedEntries: count,
    promised: 0,
    taken: 0,
    extra: child.core.allocator.allocations,
  };
}
